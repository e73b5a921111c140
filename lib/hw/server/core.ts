/**
 * The board server's protocol handler, without sockets: connections come and go
 * (connected/disconnected), requests arrive (receive), replies leave through an Outbox.
 * It keeps each connection's deployed programs, a queue fair between client keys, one
 * running job on the hosted runner, and a budget for everything it holds (programs, queued
 * jobs, unread and undelivered replies), each limit in `limits` and each amount in status().
 */
import { PhasorError, isPhasorError, type Issue } from "../../ir/errors.js";
import { loadModel } from "../../vm/model.js";
import type { Program } from "../../compiler/program.js";
import type { Runner } from "../runner.js";
import { VmRunner } from "../vm-runner.js";
import { DEFAULT_LIMITS, PROTOCOL_VERSION, type Limits, type Reply, type Request, type RequestOf, type ServerStatus } from "../protocol/messages.js";
import { checkRequest } from "../protocol/validate.js";
import { encodeResult, inputsFromFrames, programFromFrames } from "../protocol/codec.js";
import { FairQueue } from "./queue.js";
import { admit, type Job } from "./jobs.js";
import { Outbox, outgoing, type Send } from "./outbox.js";

export type { Send, SendResult } from "./outbox.js";

/** Who is behind a connection: the CURVE key (hex) fairness and limits count by, and a name for the log. */
export interface ClientInfo { key: string; name: string }

/** Options of the handler. */
export interface CoreOptions { name?: string; limits?: Partial<Limits>; log?: (line: string) => void; heartbeatMs?: number }

interface Conn { id: string; label: string; client: ClientInfo; programs: Map<string, { program: Program; bytes: number }>; lastSeen: number }
interface Running { job: Job; abort: AbortController; reason?: string; step: number; steps: number; t0: number; done: Promise<void> }

/** The protocol handler of a board server. */
export class BoardCore {
  readonly limits: Limits;
  readonly name: string;
  private readonly conns = new Map<string, Conn>();
  private readonly queue = new FairQueue<Job>();
  private readonly outbox: Outbox;
  private running?: Running;
  private draining = false;
  private seq = 0;
  private connSeq = 0;
  private queuedBytes = 0;
  private readonly t0 = Date.now();
  private readonly counts = { done: 0, failed: 0, cancelled: 0, rejected: 0 };
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  constructor(readonly runner: Runner, send: Send, o: CoreOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.name = o.name ?? "phasor-board";
    this.log = o.log ?? (() => {});
    this.outbox = new Outbox(send, () => this.limits, (conn, bytes) => this.overflowed(conn, bytes));
    this.heartbeat = setInterval(() => void this.beat(), o.heartbeatMs ?? 1000);
    this.heartbeat.unref();
  }

  /** A connection passed the handshake; replies held for its client key are sent to it. */
  connected(conn: string, client: ClientInfo): void {
    if (this.conns.has(conn)) return;
    if (this.conns.size >= this.limits.maxConnections) {
      return this.log(`connection of ${label(client)} not tracked: ${this.conns.size} connections held (limit ${this.limits.maxConnections})`);
    }
    const c: Conn = { id: conn, label: `${label(client)}#${++this.connSeq}`, client, programs: new Map(), lastSeen: Date.now() };
    this.conns.set(conn, c);
    const held = this.outbox.open(conn, client.key);
    this.log(`connection ${c.label} opened${held.length ? `; ${held.length} held reply(ies) sent to it` : ""}`);
    for (const out of held) void this.outbox.deliver(conn, out);
  }

  /** The connection closed (or went quiet): everything it held is released. */
  disconnected(conn: string, reason = "connection closed"): void {
    const c = this.conns.get(conn);
    if (c) this.depart(c, reason);
  }

  /** Handles one incoming message; never throws (a bad message gets an error reply). */
  async receive(conn: string, frames: Uint8Array[], client: ClientInfo = { key: conn, name: conn }): Promise<void> {
    if (!this.conns.has(conn)) this.connected(conn, client);
    const c = this.conns.get(conn);
    if (!c) {
      const message = `the server holds ${this.limits.maxConnections} connections; try again later`;
      return void this.outbox.direct(conn, outgoing(errorReply("", [{ code: "server-full", path: [], message }])));
    }
    c.lastSeen = Date.now();
    const checked = checkRequest(frames, this.limits.maxMessageBytes);
    if (!checked.ok) {
      this.counts.rejected++;
      this.log(`rejected a message from ${c.label}: ${checked.issues[0].message}`);
      await this.reply(c, errorReply(checked.id, checked.issues));
      return;
    }
    const r = checked.request;
    try {
      await this.handle(c, r, checked.frames);
    } catch (e) {
      this.counts.rejected++;
      const issues = issuesOf(e, this.log);
      this.log(`refused ${r.type} ${r.id} of ${c.label}: ${issues[0].message}`);
      await this.reply(c, errorReply(r.id, issues));
    }
  }

  /** Queue, running job, counters, limits and what is held against them. */
  status(): ServerStatus {
    const r = this.running;
    let programs = 0, programBytes = 0;
    for (const c of this.conns.values()) for (const p of c.programs.values()) { programs++; programBytes += p.bytes; }
    return {
      server: this.name, runner: this.runner.name, uptime: (Date.now() - this.t0) / 1e3,
      clients: new Set([...this.conns.values()].map((c) => c.client.key)).size, connections: this.conns.size, queued: this.queue.size,
      running: r ? [{ job: r.job.job, client: this.conns.get(r.job.conn)?.label ?? r.job.client, step: r.step, steps: r.steps, elapsed: (Date.now() - r.t0) / 1e3 }] : [],
      ...this.counts, limits: this.limits, state: this.draining ? "draining" : "serving",
      held: { connections: this.conns.size, programs, programBytes, queuedJobs: this.queue.size, queuedBytes: this.queuedBytes, ...this.outbox.totals() },
    };
  }

  /**
   * Graceful shutdown, bounded in time whatever the clients do: refuse new jobs, cancel queued
   * ones, tell every connection, let the running job finish within `graceSeconds`, then stop it
   * and wait at most one more second for the runner.
   */
  async shutdown(reason = "server shutting down", graceSeconds = 10): Promise<{ finishing: string[]; cancelled: string[] }> {
    this.draining = true;
    clearInterval(this.heartbeat);
    const cancelled = this.queue.drain();
    this.queuedBytes = 0;
    for (const j of cancelled) { this.counts.cancelled++; void this.replyJob(j, { type: "cancelled", id: j.id, job: j.job, reason }); }
    const r = this.running, finishing = r ? [r.job.job] : [];
    const summary = { finishing, cancelled: cancelled.map((j) => j.job) };
    for (const c of this.conns.values()) void this.reply(c, { type: "shutdown", id: "", reason, ...summary });
    if (r) {
      const stop = setTimeout(() => this.stop(r, `${reason}; the job did not finish within ${graceSeconds} s`), graceSeconds * 1e3);
      await within(r.done, graceSeconds * 1e3 + 1000);
      clearTimeout(stop);
    }
    return summary;
  }

  private async handle(c: Conn, r: Request, frames: Uint8Array[]): Promise<void> {
    switch (r.type) {
      case "hello": return this.hello(c, r);
      case "deploy": return this.deploy(c, r, frames);
      case "run": return this.enqueue(c, r, frames);
      case "cancel": return this.cancel(c, r);
      case "status": return void (await this.reply(c, { type: "status", id: r.id, ...this.status() }));
      case "ping": return void (await this.reply(c, { type: "pong", id: r.id, time: Date.now() / 1e3 }));
      case "bye": return this.depart(c, "client said bye");
    }
  }

  private async hello(c: Conn, r: RequestOf<"hello">): Promise<void> {
    if (r.v !== PROTOCOL_VERSION) throw fault("version", ["v"], `this server speaks board protocol version ${PROTOCOL_VERSION}; the client asked for version ${r.v}`);
    await this.reply(c, { type: "welcome", id: r.id, v: PROTOCOL_VERSION, server: this.name, runner: this.runner.name, limits: this.limits });
  }

  private async deploy(c: Conn, r: RequestOf<"deploy">, frames: Uint8Array[]): Promise<void> {
    const bytes = frames[0].byteLength + frames[1].byteLength, L = this.limits;
    if (bytes > L.maxProgramBytes) throw fault("over-limit", ["program"], `program of ${bytes} bytes exceeds this server's limit of ${L.maxProgramBytes}`);
    const total = this.status().held.programBytes;
    if (total + bytes > L.maxProgramBytesTotal) {
      throw fault("server-full", ["program"], `the server holds ${total} bytes of programs; ${bytes} more would pass its limit of ${L.maxProgramBytesTotal}; try again later`);
    }
    // schema, checksum, blob table and content checks (lib/compiler/program-check.ts), before any engine sees it
    const { program, sha256 } = programFromFrames(frames[0], frames[1]);
    try {
      loadModel(program);
    } catch (e) {
      if (isPhasorError(e)) throw e;
      throw fault("bad-program", ["program"], `the program does not load: ${(e as Error).message}`);
    }
    c.programs.delete(sha256);
    c.programs.set(sha256, { program, bytes });
    while (c.programs.size > L.maxProgramsPerClient) c.programs.delete(c.programs.keys().next().value!);
    await this.reply(c, { type: "deployed", id: r.id, program: sha256, target: program.target.name });
  }

  private async enqueue(c: Conn, r: RequestOf<"run">, frames: Uint8Array[]): Promise<void> {
    const L = this.limits;
    if (this.draining) throw fault("draining", [], "the server is shutting down and takes no new jobs");
    if (this.outbox.overflowed(c.id)) throw fault("not-reading", [], `this connection has ${this.outbox.backlogOf(c.id)} bytes of replies it has not read; read them first`);
    const program = c.programs.get(r.program)?.program;
    if (!program) throw fault("unknown-program", ["program"], `no deployed program ${r.program.slice(0, 12)}… on this connection; deploy it first`);
    const mine = this.queue.countOf(c.client.key) + (this.running?.job.client === c.client.key ? 1 : 0);
    if (mine >= L.maxJobsPerClient) throw fault("over-limit", ["jobs"], `this client already has ${mine} jobs; the limit is ${L.maxJobsPerClient}`);
    if (this.queue.size >= L.maxQueuedJobs) throw fault("server-full", ["jobs"], `${this.queue.size} jobs are waiting (limit ${L.maxQueuedJobs}); try again later`);
    const bytes = frames.reduce((n, f) => n + f.byteLength, 0);
    if (this.queuedBytes + bytes > L.maxQueuedBytes) {
      throw fault("server-full", ["inputs"], `waiting jobs hold ${this.queuedBytes} bytes of inputs; ${bytes} more would pass the limit of ${L.maxQueuedBytes}`);
    }
    const inputs = inputsFromFrames(r.inputs ?? [], frames);
    const { steps, batch } = admit(r, program, inputs, L);
    const job: Job = { job: `j${++this.seq}`, client: c.client.key, conn: c.id, id: r.id, program, sha256: r.program, inputs, bytes, steps, batch, record: r.record };
    const position = this.queue.push(job) + (this.running ? 1 : 0);
    this.queuedBytes += bytes;
    await this.reply(c, { type: "queued", id: r.id, job: job.job, position });
    this.pump();
  }

  private async cancel(c: Conn, r: RequestOf<"cancel">): Promise<void> {
    const q = this.queue.remove(r.job);
    if (q && q.conn !== c.id) { this.queue.push(q); throw fault("unknown-job", ["job"], `no job ${r.job} of this connection`); }
    if (q) {
      this.dequeued(q);
      this.counts.cancelled++;
      await this.replyJob(q, { type: "cancelled", id: q.id, job: q.job, reason: "cancelled by the client" });
    } else if (this.running?.job.job === r.job && this.running.job.conn === c.id) this.stop(this.running, "cancelled by the client");
    else throw fault("unknown-job", ["job"], `no queued or running job ${r.job} of this connection (give the job id from queued or started)`);
    await this.reply(c, { type: "cancelled", id: r.id, job: r.job, reason: "cancel requested" });
  }

  /** Starts the next job when the runner is free. */
  private pump(): void {
    if (this.running || this.draining) return;
    const job = this.queue.shift();
    if (!job) return;
    this.queuedBytes -= job.bytes;
    const run: Running = { job, abort: new AbortController(), step: 0, steps: job.steps, t0: Date.now(), done: Promise.resolve() };
    this.running = run;
    run.done = this.execute(run).finally(() => { this.running = undefined; this.pump(); });
  }

  private async execute(run: Running): Promise<void> {
    const { job } = run, L = this.limits;
    const wall = setTimeout(() => this.stop(run, `wall-time limit of ${L.maxWallSeconds} s reached`), L.maxWallSeconds * 1e3);
    try {
      void this.replyJob(job, { type: "started", id: job.id, job: job.job });
      if (this.runner instanceof VmRunner) await this.runner.deploy(job.program, job.sha256);
      else await this.runner.deploy(job.program);
      const input = Object.keys(job.inputs).length ? job.inputs : undefined;
      const r = await this.runner.run(input, {
        steps: job.steps, batch: job.batch, record: job.record, signal: run.abort.signal,
        onProgress: (p) => { run.step = p.step; run.steps = p.steps; },
      });
      if (run.reason) throw new Error(run.reason);
      const text = Buffer.from(encodeResult(r), "utf8");
      if (text.byteLength > L.maxResultBytes) {
        throw fault("result-too-large", ["result"], `the result has ${text.byteLength} bytes; this server sends at most ${L.maxResultBytes} (record fewer layers or steps)`);
      }
      this.counts.done++;
      await this.replyJob(job, { type: "result", id: job.id, job: job.job, seconds: (Date.now() - run.t0) / 1e3 }, [text]);
    } catch (e) {
      if (run.reason) {
        this.counts.cancelled++;
        this.log(`job ${job.job} of ${this.labelOf(job)} stopped: ${run.reason}`);
        await this.replyJob(job, { type: "cancelled", id: job.id, job: job.job, reason: run.reason });
      } else {
        this.counts.failed++;
        await this.replyJob(job, errorReply(job.id, issuesOf(e, this.log), job.job));
      }
    } finally {
      clearTimeout(wall);
    }
  }

  private stop(run: Running, reason: string): void {
    run.reason ??= reason;
    run.abort.abort();
  }

  /** One heartbeat: progress of the running job, queue positions, backlogs retried, idle connections forgotten. */
  private async beat(): Promise<void> {
    const r = this.running;
    if (r && !r.reason) {
      const elapsed = (Date.now() - r.t0) / 1e3, telemetry = { queued: this.queue.size };
      void this.replyJob(r.job, { type: "progress", id: r.job.id, job: r.job.job, step: r.step, steps: r.steps, elapsed, telemetry }, [], true);
    }
    const ahead = this.running ? 1 : 0;
    for (const [position, j] of this.queue.items().entries()) void this.replyJob(j, { type: "queued", id: j.id, job: j.job, position: position + ahead }, [], true);
    const idle = Date.now() - this.limits.idleSeconds * 1e3;
    for (const c of [...this.conns.values()]) if (c.lastSeen < idle && !this.busy(c)) this.depart(c, `idle for ${this.limits.idleSeconds} s`);
    await this.outbox.flush();
  }

  /** Whether a connection has a job waiting or running, or replies not yet taken. */
  private busy(c: Conn): boolean {
    return this.running?.job.conn === c.id || this.queue.items().some((j) => j.conn === c.id) || this.outbox.backlogOf(c.id) > 0;
  }

  /** A connection's backlog passed its budget: its jobs stop and it may queue no more until it reads. */
  private overflowed(conn: string, bytes: number): void {
    const c = this.conns.get(conn);
    const dropped = this.dropJobs(conn, "this connection is not reading its replies");
    this.log(`connection ${c?.label ?? conn} is not reading: ${bytes} bytes unread (limit ${this.limits.maxUnreadBytes}); ${dropped} job(s) stopped`);
  }

  /** Drops a connection: its queued jobs, its running job, its programs; its unread replies are held for its client key. */
  private depart(c: Conn, reason: string): void {
    this.conns.delete(c.id);
    this.outbox.close(c.id);
    const dropped = this.dropJobs(c.id, reason);
    if (![...this.conns.values()].some((x) => x.client.key === c.client.key)) this.queue.forgetClient(c.client.key);
    this.log(`connection ${c.label} closed: ${reason}; ${c.programs.size} program(s) released, ${dropped} job(s) dropped`);
  }

  /** Cancels a connection's queued jobs and stops its running one; returns how many. */
  private dropJobs(conn: string, reason: string): number {
    const dropped = this.queue.removeWhere((j) => j.conn === conn);
    for (const j of dropped) { this.dequeued(j); this.counts.cancelled++; void this.replyJob(j, { type: "cancelled", id: j.id, job: j.job, reason }); }
    const r = this.running;
    if (r?.job.conn === conn) this.stop(r, reason);
    return dropped.length + (r?.job.conn === conn ? 1 : 0);
  }

  private dequeued(j: Job): void {
    this.queuedBytes -= j.bytes;
  }

  private labelOf(job: Job): string {
    return this.conns.get(job.conn)?.label ?? job.client.slice(0, 12);
  }

  private reply(c: Conn, reply: Reply, frames: Uint8Array[] = []): Promise<boolean> {
    return this.outbox.deliver(c.id, outgoing(reply, frames));
  }

  /** A reply about a job: to its connection, or held for its client when the connection is gone. */
  private async replyJob(job: Job, reply: Reply, frames: Uint8Array[] = [], news = false): Promise<boolean> {
    const out = outgoing(reply, frames);
    if (this.conns.has(job.conn) && (await this.outbox.deliver(job.conn, out, news))) return true;
    if (!news) this.outbox.keep(job.client, out);
    return false;
  }
}

function label(c: ClientInfo): string {
  return c.name === c.key ? c.key.slice(0, 12) : `${c.name}/${c.key.slice(0, 8)}`;
}

function errorReply(id: string, issues: Issue[], job?: string): Reply {
  const first = issues[0];
  const message = issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; ");
  return { type: "error", id, code: first?.code ?? "error", message, path: first?.path ?? [], issues, ...(job ? { job } : {}) };
}

function fault(code: string, path: Array<string | number>, message: string): PhasorError {
  return new PhasorError([{ code, path, message }]);
}

/** Resolves when `p` settles or after `ms`, whichever is first. */
function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<void>((r) => { timer = setTimeout(r, ms); });
  return Promise.race([p.then(() => undefined, () => undefined), t]).finally(() => clearTimeout(timer));
}

/** Issues of a thrown value: a PhasorError's own, else one internal-error issue (the stack goes to the log). */
function issuesOf(e: unknown, log: (line: string) => void): Issue[] {
  if (isPhasorError(e)) return e.issues;
  if (e instanceof Error && e.name === "AbortError") return [{ code: "aborted", path: [], message: e.message }];
  log(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
  return [{ code: "runner-failed", path: [], message: e instanceof Error ? e.message : String(e) }];
}
