/**
 * The board server's protocol handler, without sockets: requests in (client id + frames),
 * replies out through `send`. It keeps each client's deployed programs, a fair queue, one
 * running job on the hosted runner, limits, cancellation, progress and graceful shutdown.
 * `send` resolves false when the client is gone; its jobs are then cancelled.
 */
import { PhasorError, isPhasorError, type Issue } from "../../ir/errors.js";
import { loadModel } from "../../vm/model.js";
import type { Program } from "../../compiler/program.js";
import type { Runner } from "../runner.js";
import { VmRunner } from "../vm-runner.js";
import { DEFAULT_LIMITS, PROTOCOL_VERSION, type Limits, type Reply, type RequestOf, type ServerStatus } from "../protocol/messages.js";
import { checkRequest } from "../protocol/validate.js";
import { encodeResult, inputsFromFrames, programFromFrames } from "../protocol/codec.js";
import { FairQueue } from "./queue.js";
import { admit, type Job } from "./jobs.js";

/** Sends a reply (and binary frames) to a client; false when it cannot be reached. */
export type Send = (client: string, reply: Reply, frames?: Uint8Array[]) => Promise<boolean>;

/** Options of the handler. */
export interface CoreOptions { name?: string; limits?: Partial<Limits>; log?: (line: string) => void; heartbeatMs?: number }

interface Running { job: Job; abort: AbortController; reason?: string; step: number; steps: number; t0: number; done: Promise<void> }

/** The protocol handler of a board server. */
export class BoardCore {
  readonly limits: Limits;
  readonly name: string;
  private readonly programs = new Map<string, Map<string, Program>>();
  private readonly queue = new FairQueue<Job>();
  private readonly clients = new Set<string>();
  private running?: Running;
  private draining = false;
  private seq = 0;
  private readonly t0 = Date.now();
  private readonly counts = { done: 0, failed: 0, cancelled: 0, rejected: 0 };
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  constructor(readonly runner: Runner, private readonly send: Send, o: CoreOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.name = o.name ?? "phasor-board";
    this.log = o.log ?? (() => {});
    this.heartbeat = setInterval(() => void this.beat(), o.heartbeatMs ?? 1000);
    this.heartbeat.unref();
  }

  /** Handles one incoming message; never throws (a bad message gets an error reply). */
  async receive(client: string, frames: Uint8Array[]): Promise<void> {
    const c = checkRequest(frames, this.limits.maxMessageBytes);
    if (!c.ok) {
      this.counts.rejected++;
      this.log(`rejected a message from ${client.slice(0, 8)}: ${c.issues[0].message}`);
      await this.error(client, c.id, c.issues);
      return;
    }
    this.clients.add(client);
    const r = c.request;
    try {
      switch (r.type) {
        case "hello": await this.reply(client, { type: "welcome", id: r.id, v: PROTOCOL_VERSION, server: this.name, runner: this.runner.name, limits: this.limits }); break;
        case "deploy": await this.deploy(client, r, c.frames); break;
        case "run": await this.enqueue(client, r, c.frames); break;
        case "cancel": await this.cancel(client, r); break;
        case "status": await this.reply(client, { type: "status", id: r.id, ...this.status() }); break;
        case "ping": await this.reply(client, { type: "pong", id: r.id, time: Date.now() / 1e3 }); break;
        case "bye": this.forget(client, "client said bye"); break;
      }
    } catch (e) {
      this.counts.rejected++;
      await this.error(client, r.id, issuesOf(e, this.log));
    }
  }

  /** Queue, running job and counters. */
  status(): ServerStatus {
    const r = this.running;
    return {
      server: this.name, runner: this.runner.name, uptime: (Date.now() - this.t0) / 1e3, clients: this.clients.size, queued: this.queue.size,
      running: r ? [{ job: r.job.job, client: r.job.client.slice(0, 8), step: r.step, steps: r.steps, elapsed: (Date.now() - r.t0) / 1e3 }] : [],
      ...this.counts, limits: this.limits, state: this.draining ? "draining" : "serving",
    };
  }

  /** Graceful shutdown: refuse new jobs, cancel queued ones, let the running job finish within `graceSeconds` (then stop it); tell every client. */
  async shutdown(reason = "server shutting down", graceSeconds = 10): Promise<{ finishing: string[]; cancelled: string[] }> {
    this.draining = true;
    clearInterval(this.heartbeat);
    const cancelled = this.queue.drain();
    for (const j of cancelled) { this.counts.cancelled++; await this.reply(j.client, { type: "cancelled", id: j.id, job: j.job, reason }); }
    const r = this.running, finishing = r ? [r.job.job] : [];
    const summary = { finishing, cancelled: cancelled.map((j) => j.job) };
    for (const c of this.clients) await this.reply(c, { type: "shutdown", id: "", reason, ...summary });
    if (r) {
      const timer = setTimeout(() => this.stop(r, `${reason}; the job did not finish within ${graceSeconds} s`), graceSeconds * 1e3);
      await r.done;
      clearTimeout(timer);
    }
    return summary;
  }

  private async deploy(client: string, r: RequestOf<"deploy">, frames: Uint8Array[]): Promise<void> {
    const bytes = frames[0].byteLength + frames[1].byteLength;
    if (bytes > this.limits.maxProgramBytes) throw fault("over-limit", ["program"], `program of ${bytes} bytes exceeds this server's limit of ${this.limits.maxProgramBytes}`);
    const { program, sha256 } = programFromFrames(frames[0], frames[1]);
    try {
      loadModel(program);
    } catch (e) {
      if (isPhasorError(e)) throw e;
      throw fault("bad-program", ["program"], `the program does not load: ${(e as Error).message}`);
    }
    let mine = this.programs.get(client);
    if (!mine) this.programs.set(client, (mine = new Map()));
    mine.delete(sha256);
    mine.set(sha256, program);
    while (mine.size > this.limits.maxProgramsPerClient) mine.delete(mine.keys().next().value!);
    await this.reply(client, { type: "deployed", id: r.id, program: sha256, target: program.target.name });
  }

  private async enqueue(client: string, r: RequestOf<"run">, frames: Uint8Array[]): Promise<void> {
    if (this.draining) throw fault("draining", [], "the server is shutting down and takes no new jobs");
    const program = this.programs.get(client)?.get(r.program);
    if (!program) throw fault("unknown-program", ["program"], `no deployed program ${r.program.slice(0, 12)}… for this client; deploy it first`);
    const mine = this.queue.countOf(client) + (this.running?.job.client === client ? 1 : 0);
    if (mine >= this.limits.maxJobsPerClient) throw fault("over-limit", ["jobs"], `this client already has ${mine} jobs; the limit is ${this.limits.maxJobsPerClient}`);
    const inputs = inputsFromFrames(r.inputs ?? [], frames);
    const { steps, batch } = admit(r, program, inputs, this.limits);
    const job: Job = { job: `j${++this.seq}`, client, id: r.id, program, sha256: r.program, inputs, steps, batch, record: r.record };
    const position = this.queue.push(job) + (this.running ? 1 : 0);
    await this.reply(client, { type: "queued", id: r.id, job: job.job, position });
    this.pump();
  }

  private async cancel(client: string, r: RequestOf<"cancel">): Promise<void> {
    const q = this.queue.remove(r.job);
    if (q && q.client !== client) { this.queue.push(q); throw fault("unknown-job", ["job"], `no job ${r.job} of this client`); }
    if (q) {
      this.counts.cancelled++;
      await this.reply(client, { type: "cancelled", id: q.id, job: q.job, reason: "cancelled by the client" });
    } else if (this.running?.job.job === r.job && this.running.job.client === client) this.stop(this.running, "cancelled by the client");
    else throw fault("unknown-job", ["job"], `no queued or running job ${r.job} of this client`);
    await this.reply(client, { type: "cancelled", id: r.id, job: r.job, reason: "cancel requested" });
  }

  /** Starts the next job when the runner is free. */
  private pump(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    const run: Running = { job, abort: new AbortController(), step: 0, steps: job.steps, t0: Date.now(), done: Promise.resolve() };
    this.running = run;
    run.done = this.execute(run).finally(() => { this.running = undefined; this.pump(); });
  }

  private async execute(run: Running): Promise<void> {
    const { job } = run;
    const wall = setTimeout(() => this.stop(run, `wall-time limit of ${this.limits.maxWallSeconds} s reached`), this.limits.maxWallSeconds * 1e3);
    try {
      if (!(await this.reply(job.client, { type: "started", id: job.id, job: job.job }))) {
        this.stop(run, "client gone");
        return this.count("cancelled", run);
      }
      if (this.runner instanceof VmRunner) await this.runner.deploy(job.program, job.sha256);
      else await this.runner.deploy(job.program);
      const input = Object.keys(job.inputs).length ? job.inputs : undefined;
      const r = await this.runner.run(input, {
        steps: job.steps, batch: job.batch, record: job.record, signal: run.abort.signal,
        onProgress: (p) => { run.step = p.step; run.steps = p.steps; },
      });
      if (run.reason) throw new Error(run.reason);
      this.counts.done++;
      await this.reply(job.client, { type: "result", id: job.id, job: job.job, seconds: (Date.now() - run.t0) / 1e3 }, [Buffer.from(encodeResult(r), "utf8")]);
    } catch (e) {
      if (run.reason) {
        this.count("cancelled", run);
        await this.reply(job.client, { type: "cancelled", id: job.id, job: job.job, reason: run.reason });
      } else {
        this.counts.failed++;
        await this.error(job.client, job.id, issuesOf(e, this.log), job.job);
      }
    } finally {
      clearTimeout(wall);
    }
  }

  private count(k: "cancelled", run: Running): void {
    this.counts[k]++;
    this.log(`job ${run.job.job} stopped: ${run.reason}`);
  }

  private stop(run: Running, reason: string): void {
    run.reason ??= reason;
    run.abort.abort();
  }

  /** Sends progress of the running job and queue positions; a client that cannot be reached loses its jobs. */
  private async beat(): Promise<void> {
    const r = this.running;
    if (r && !r.reason) {
      const ok = await this.reply(r.job.client, { type: "progress", id: r.job.id, job: r.job.job, step: r.step, steps: r.steps, elapsed: (Date.now() - r.t0) / 1e3, telemetry: { queued: this.queue.size } });
      if (!ok) this.forget(r.job.client, "client gone");
    }
    const ahead = this.running ? 1 : 0;
    for (const [position, j] of this.queue.items().entries()) {
      if (!(await this.reply(j.client, { type: "queued", id: j.id, job: j.job, position: position + ahead }))) this.forget(j.client, "client gone");
    }
  }

  /** Drops a client: its queued jobs, its running job, its programs. */
  private forget(client: string, reason: string): void {
    const dropped = this.queue.removeClient(client);
    this.counts.cancelled += dropped.length;
    if (this.running?.job.client === client) this.stop(this.running, reason);
    this.programs.delete(client);
    this.clients.delete(client);
    if (dropped.length || reason !== "client said bye") this.log(`client ${client.slice(0, 8)}: ${reason}; ${dropped.length} queued job(s) dropped`);
  }

  private reply(client: string, reply: Reply, frames: Uint8Array[] = []): Promise<boolean> {
    return this.send(client, reply, frames);
  }

  private error(client: string, id: string, issues: Issue[], job?: string): Promise<boolean> {
    const first = issues[0];
    const message = issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; ");
    return this.reply(client, { type: "error", id, code: first?.code ?? "error", message, path: first?.path ?? [], issues, ...(job ? { job } : {}) });
  }
}

function fault(code: string, path: Array<string | number>, message: string): PhasorError {
  return new PhasorError([{ code, path, message }]);
}

/** Issues of a thrown value: a PhasorError's own, else one internal-error issue (the stack goes to the log). */
function issuesOf(e: unknown, log: (line: string) => void): Issue[] {
  if (isPhasorError(e)) return e.issues;
  if (e instanceof Error && e.name === "AbortError") return [{ code: "aborted", path: [], message: e.message }];
  log(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
  return [{ code: "runner-failed", path: [], message: e instanceof Error ? e.message : String(e) }];
}
