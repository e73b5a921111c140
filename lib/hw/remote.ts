/**
 * The `remote` runner: a client of a board server (docs/board-protocol.md) over ZeroMQ
 * with CURVE. It never hangs: a refused key, a lost connection or a silent server turns
 * into a PhasorError within a bounded time. After a server restart it reconnects and
 * deploys its Program again before the next run.
 */
import { Dealer } from "zeromq";
import { PhasorError } from "../ir/errors.js";
import type { Program } from "../compiler/program.js";
import type { RunResult, VmInput } from "../vm/types.js";
import { readClientKeys, type ClientKeys } from "./keys.js";
import type { DeployInfo, RunOptions, Runner, RunnerOptions, RunnerStatus } from "./runner.js";
import type { Reply, ServerStatus } from "./protocol/messages.js";
import { decodeResult, denseInputs, inputFrames, programFrames } from "./protocol/codec.js";
import { checkReply } from "./protocol/validate.js";

type Handler = (r: Reply, frames: Buffer[]) => void;
interface Pending { handler: Handler; fail: (e: Error) => void; job?: string }

/** remote://HOST:PORT (or tcp://HOST:PORT) as a ZeroMQ endpoint. */
export function remoteAddress(spec: string): string {
  const m = /^(?:remote|tcp):\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(spec);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new PhasorError([{ code: "runner", path: ["--runner"], message: `"${spec}" is not remote://HOST:PORT` }]);
  return `tcp://${m[1]}:${m[2]}`;
}

/** A runner on a board server. */
export class RemoteRunner implements Runner {
  readonly name: string;
  private readonly socket: Dealer;
  private readonly pending = new Map<string, Pending>();
  private outbox: Promise<unknown> = Promise.resolve();
  private program?: { program: Program; frames: [Buffer, Buffer]; sha256: string };
  /** Programs the server holds on the current connection (forgotten on disconnect). */
  private readonly deployed = new Set<string>();
  private refused?: PhasorError;
  private connected = false;
  private seq = 0;
  private closed = false;
  private readonly idleMs: number;
  private readonly requestMs = 10_000;

  constructor(readonly address: string, keys: ClientKeys, o: RunnerOptions = {}) {
    this.name = `remote://${address.replace(/^tcp:\/\//, "")}`;
    this.idleMs = (o.idleTimeout ?? 20) * 1e3;
    this.socket = new Dealer({
      curveServerKey: keys.serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey, linger: 0,
      reconnectInterval: 100, reconnectMaxInterval: 2000, heartbeatInterval: 1000, heartbeatTimeout: 5000, heartbeatTimeToLive: 5000,
    });
    this.socket.events.on("handshake:error:auth", () => this.failAll(this.refused = new PhasorError([{ code: "auth", path: [this.name], message: "the board server refused this client's key; ask its operator to add your client.pub to the server's authorized/ directory" }])));
    this.socket.events.on("handshake:error:protocol", () => this.failAll(new PhasorError([{ code: "handshake", path: [this.name], message: "CURVE handshake failed; is server.pub the key of this board server?" }])));
    this.socket.events.on("handshake", () => { this.refused = undefined; this.connected = true; });
    // Only a connection that was up loses work; a handshake that times out is retried by ZeroMQ and bounded by the request timeouts.
    this.socket.events.on("disconnect", () => { if (!this.connected) return; this.connected = false; this.deployed.clear(); this.failAll(new PhasorError([{ code: "board-lost", path: [this.name], message: `lost the connection to the board server at ${this.address}` }])); });
    this.socket.connect(address);
    void this.loop();
  }

  /** Creates a remote runner from remote://HOST:PORT and a keys directory. */
  static connect(spec: string, o: RunnerOptions): RemoteRunner {
    if (!o.keys) throw new PhasorError([{ code: "keys", path: ["--keys"], message: "a remote runner needs --keys DIR (client.key, client.pub, server.pub; make them with `phasor board keys DIR`)" }]);
    return new RemoteRunner(remoteAddress(spec), readClientKeys(o.keys), o);
  }

  async deploy(program: Program): Promise<DeployInfo> {
    this.program = { program, ...programFrames(program) };
    await this.push();
    return { runner: this.name, program: this.program.sha256, target: program.target.name };
  }

  async run(input: VmInput | undefined, o: RunOptions = {}): Promise<RunResult> {
    if (!this.program) throw new PhasorError(`runner ${this.name}: deploy a Program before running`, "not-deployed");
    const { list, frames } = inputFrames(denseInputs(this.program.program, input, o.batch));
    const header = { type: "run", program: this.program.sha256, ...(o.steps ? { steps: o.steps } : {}), ...(o.batch ? { batch: o.batch } : {}), ...(o.record ? { record: o.record } : {}), ...(list.length ? { inputs: list } : {}) };
    for (let attempt = 0; ; attempt++) {
      if (!this.deployed.has(this.program.sha256)) await this.push();
      try {
        return await this.job(header, frames, o);
      } catch (e) {
        // The server forgot the program (it restarted), or the connection dropped before the job was queued: deploy and submit again, once.
        if (attempt === 0 && e instanceof Unqueued) { this.deployed.clear(); continue; }
        throw e instanceof Unqueued ? e.error : e;
      }
    }
  }

  /** The server's status (queue, running job, limits) as a RunnerStatus. */
  async status(): Promise<RunnerStatus> {
    const r = await this.request<"status">({ type: "status" });
    const s: ServerStatus = r;
    return { runner: this.name, state: this.closed ? "closed" : s.running.length ? "running" : this.program ? "ready" : "idle", program: this.program && { sha256: this.program.sha256, target: this.program.program.target.name }, detail: { ...s } };
  }

  /** Round trip to the server (health check); seconds. */
  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.request<"pong">({ type: "ping" });
    return (performance.now() - t0) / 1e3;
  }

  /** Cancels one of this client's jobs on the server. */
  async cancel(job: string): Promise<void> {
    await this.request<"cancelled">({ type: "cancel", job });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new PhasorError(`runner ${this.name} was closed`, "closed"));
    try { await Promise.race([this.send({ type: "bye", id: this.nextId() }), delay(200)]); } catch { /* best effort */ }
    this.socket.close();
  }

  private async push(): Promise<void> {
    const p = this.program!;
    const r = await this.request<"deployed">({ type: "deploy" }, p.frames);
    if (r.program !== p.sha256) throw new PhasorError(`the board server hashed the program as ${r.program}, expected ${p.sha256}`, "bad-reply");
    this.deployed.add(p.sha256);
  }

  /** One request with one reply (or an error reply) within requestMs. */
  private request<K extends Reply["type"]>(header: Record<string, unknown>, frames: Buffer[] = []): Promise<Extract<Reply, { type: K }>> {
    return new Promise((resolve, reject) => {
      const id = this.nextId();
      const timer = setTimeout(() => done(new PhasorError([{ code: "timeout", path: [this.name], message: `no reply from the board server at ${this.address} within ${this.requestMs / 1e3} s` }])), this.requestMs);
      const done = (e?: Error, r?: Reply) => { clearTimeout(timer); this.pending.delete(id); if (e) reject(e); else resolve(r as Extract<Reply, { type: K }>); };
      this.pending.set(id, { fail: (e) => done(e), handler: (r) => (r.type === "error" ? done(replyError(r)) : done(undefined, r)) });
      if (this.refused) return done(this.refused);
      this.send({ ...header, id }, frames).catch((e: Error) => done(e));
    });
  }

  /** A run request: queued, started, progress, then result, cancelled or error; fails after idleMs of silence. */
  private job(header: Record<string, unknown>, frames: Buffer[], o: RunOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const id = this.nextId();
      let timer: NodeJS.Timeout | undefined;
      const idle = () => { clearTimeout(timer); timer = setTimeout(() => done(new PhasorError([{ code: "timeout", path: [this.name], message: `the board server at ${this.address} said nothing about the job for ${this.idleMs / 1e3} s` }])), this.idleMs); };
      const onAbort = () => { const job = this.pending.get(id)?.job; if (job) void this.cancel(job).catch(() => {}); else done(abortError("the run was aborted before the server queued it")); };
      const done = (e?: Error, r?: RunResult) => { clearTimeout(timer); o.signal?.removeEventListener("abort", onAbort); this.pending.delete(id); if (e) reject(e); else resolve(r!); };
      const entry: Pending = {
        fail: (e) => done(!entry.job && e instanceof PhasorError && e.code === "board-lost" ? new Unqueued(e) : e),
        handler: (r, f) => {
          idle();
          if (r.type === "queued" || r.type === "started") entry.job = r.job;
          else if (r.type === "progress") o.onProgress?.({ step: r.step, steps: r.steps, elapsed: r.elapsed, job: r.job, telemetry: r.telemetry });
          else if (r.type === "cancelled") done(abortError(`job ${r.job} cancelled: ${r.reason}`));
          else if (r.type === "error") done(r.code === "unknown-program" ? new Unqueued(replyError(r)) : replyError(r));
          else if (r.type === "result") {
            try { done(undefined, decodeResult(f[0]?.toString("utf8") ?? "")); } catch (e) { done(e as Error); }
          }
        },
      };
      this.pending.set(id, entry);
      if (this.refused) return done(this.refused);
      if (o.signal?.aborted) return done(abortError("the run was aborted"));
      o.signal?.addEventListener("abort", onAbort);
      idle();
      this.send({ ...header, id }, frames).catch((e: Error) => done(e));
    });
  }

  private nextId(): string {
    return `r${++this.seq}`;
  }

  private send(header: Record<string, unknown>, frames: Buffer[] = []): Promise<void> {
    if (this.closed && header.type !== "bye") return Promise.reject(new PhasorError(`runner ${this.name} is closed`, "closed"));
    const next = this.outbox.then(() => this.socket.send([JSON.stringify(header), ...frames]));
    this.outbox = next.catch(() => {});
    return next;
  }

  private async loop(): Promise<void> {
    try {
      for await (const [head, ...frames] of this.socket) {
        const r = checkReply(head);
        if (!r) continue;
        // A shutdown names the jobs that server had; anything else pending may already belong to its successor after a restart.
        if (r.type === "shutdown") { this.failJobs(new PhasorError([{ code: "board-shutdown", path: [this.name], message: `the board server is shutting down (${r.reason})` }]), new Set(r.cancelled)); continue; }
        this.pending.get(r.id)?.handler(r, frames);
      }
    } catch {
      // socket closed
    }
  }

  /** Fails every pending request and job. */
  private failAll(e: Error): void {
    for (const p of [...this.pending.values()]) p.fail(e);
  }

  /** Fails the pending jobs with these server job ids. */
  private failJobs(e: Error, jobs: Set<string>): void {
    for (const p of [...this.pending.values()]) if (p.job && jobs.has(p.job)) p.fail(e);
  }
}

/** A job that never reached the queue (the server forgot the program, or the connection dropped first): safe to submit again. */
class Unqueued extends Error {
  constructor(readonly error: PhasorError) { super(error.message); }
}

function replyError(r: Extract<Reply, { type: "error" }>): PhasorError {
  // checkReply has validated the shape against the error schema.
  return new PhasorError(r.issues?.length ? r.issues : [{ code: r.code, path: r.path ?? [], message: r.message }]);
}

function abortError(message: string): Error {
  return Object.assign(new Error(message), { name: "AbortError" });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
