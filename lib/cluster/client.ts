/**
 * The front end's side of the cluster: puts blobs, submits one job per unit of work with ids
 * of its own (run id + index), and collects exactly one outcome per job from BullMQ's event
 * stream (with a slow poll as a safety net), reporting jobs done/running/failed and each
 * worker's throughput. Aborting removes the jobs no worker has started.
 */
import { randomUUID } from "node:crypto";
import { Queue, QueueEvents, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { PhasorError } from "../ir/errors.js";
import { BlobStore } from "./blobs.js";
import { decodeData } from "./codec.js";
import { closeRedis, connectRedis, PREFIX, redisTarget, type QueueName, type RedisTarget } from "./connection.js";
import { JOB_FORMAT, type Envelope, type JobData } from "./jobs.js";

/** Jobs done, running and failed so far, and each worker's share. */
export interface ClusterProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  seconds: number;
  workers: Record<string, { done: number; perSecond: number }>;
}

/** One line for a progress bar: "12 of 24 done, 3 running, 0 failed; host-1: 2.1/s, host-2: 1.9/s". */
export function progressNote(p: ClusterProgress): string {
  const per = Object.entries(p.workers)
    .map(([w, s]) => `${w}: ${s.perSecond.toFixed(1)}/s`)
    .join(", ");
  return `${p.done} of ${p.total} done, ${p.running} running, ${p.failed} failed${per ? `; ${per}` : ""}`;
}

/** Options of a clustered run. */
export interface ClusterRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: ClusterProgress) => void;
  /** Give up (and remove the jobs not started) after this long; default: wait as long as it takes. */
  timeoutMs?: number;
  /** Attempts per job when it fails (a lost worker is counted separately, by the workers' stall limit). */
  attempts?: number;
}

/** One job's outcome: its result, or the final error after the retries. */
export type Outcome<R> = { ok: true; result: R; worker: string; ms: number } | { ok: false; error: string };

const KEEP_S = 3600;

/** A connection to the cluster's Redis for submitting work. */
export class ClusterClient {
  private queues = new Map<QueueName, Queue>();
  readonly blobs: BlobStore;

  private constructor(
    readonly target: RedisTarget,
    private readonly redis: Redis,
  ) {
    this.blobs = new BlobStore(redis, { cacheBytes: 0 });
  }

  /** Connects (failing fast with a clear message); `what` names the option the URL came from. */
  static async connect(url: string, what = "--cluster"): Promise<ClusterClient> {
    const t = redisTarget(url, what);
    return new ClusterClient(t, await connectRedis(t, { name: "phasor-client" }));
  }

  /** The BullMQ queue of a job kind. */
  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new Queue(name, { connection: this.redis, prefix: PREFIX })));
    return q;
  }

  /** Workers currently connected to a queue (BullMQ's own count). */
  async workerCount(name: QueueName): Promise<number> {
    return this.queue(name).getWorkersCount();
  }

  /** Submits `jobs` to `queue` and resolves with one outcome per job, in order. */
  async run<R>(name: QueueName, jobs: JobData[], o: ClusterRunOptions = {}): Promise<Outcome<R>[]> {
    if (o.signal?.aborted) throw new PhasorError("cancelled before any job was submitted", "aborted");
    const events = await this.events(name);
    try {
      return await new Collector<R>(this.queue(name), events, jobs, o).run();
    } finally {
      await events.close().catch(() => undefined);
    }
  }

  /** An event reader starting at the server's present moment: no event of the jobs about to be added is missed. */
  private async events(name: QueueName): Promise<QueueEvents> {
    const [sec, usec] = await this.redis.time();
    const from = `${Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - 1}-0`;
    const ev = new QueueEvents(name, {
      connection: this.redis.duplicate(),
      prefix: PREFIX,
      lastEventId: from,
      blockingTimeout: 1000,
    });
    ev.on("error", () => undefined); // the poll below notices what events miss
    await ev.waitUntilReady();
    return ev;
  }

  /** Closes the queues and the connection. */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await closeRedis(this.redis);
  }
}

/** Tracks one run's jobs to exactly one outcome each. */
class Collector<R> {
  private readonly runId = randomUUID().slice(0, 13);
  private readonly ids: string[];
  private readonly index = new Map<string, number>();
  private readonly out: Array<Outcome<R> | undefined>;
  private readonly running = new Set<string>();
  private readonly perWorker: Record<string, number> = {};
  private readonly t0 = Date.now();
  private settled = 0;
  private failed = 0;
  private shown = 0;
  private finish?: (e?: Error) => void;

  constructor(
    private readonly q: Queue,
    private readonly ev: QueueEvents,
    private readonly jobs: JobData[],
    private readonly o: ClusterRunOptions,
  ) {
    this.ids = jobs.map((_, i) => `${this.runId}-${i}`);
    this.ids.forEach((id, i) => this.index.set(id, i));
    this.out = new Array(jobs.length);
  }

  async run(): Promise<Outcome<R>[]> {
    const onActive = ({ jobId }: { jobId: string }) => {
      if (this.pending(jobId)) {
        this.running.add(jobId);
        this.report();
      }
    };
    const onBack = ({ jobId }: { jobId: string }) => {
      if (this.running.delete(jobId)) this.report();
    };
    const onDone = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) =>
      this.complete(jobId, returnvalue);
    const onFail = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => this.fail(jobId, failedReason);
    this.ev
      .on("active", onActive)
      .on("waiting", onBack)
      .on("delayed", onBack)
      .on("stalled", onBack)
      .on("completed", onDone)
      .on("failed", onFail);
    const done = new Promise<void>((resolve, reject) => {
      this.finish = (e) => (e ? reject(e) : resolve());
    });
    const abort = () => void this.cancel("cancelled");
    this.o.signal?.addEventListener("abort", abort, { once: true });
    let poll: NodeJS.Timeout | undefined;
    const limit = this.o.timeoutMs
      ? setTimeout(() => void this.cancel(`timed out after ${this.o.timeoutMs} ms`), this.o.timeoutMs)
      : undefined;
    try {
      await this.submit();
      // A Redis error in a poll: the next poll tries again.
      poll = setInterval(() => void this.poll().catch(() => undefined), 2000);
      if (this.settled === this.jobs.length) this.finish?.();
      await done;
      this.report(true);
      return this.out as Outcome<R>[];
    } finally {
      clearInterval(poll);
      clearTimeout(limit);
      this.o.signal?.removeEventListener("abort", abort);
      this.ev
        .off("active", onActive)
        .off("waiting", onBack)
        .off("delayed", onBack)
        .off("stalled", onBack)
        .off("completed", onDone)
        .off("failed", onFail);
    }
  }

  private async submit(): Promise<void> {
    const opts: JobsOptions = {
      attempts: this.o.attempts ?? 3,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: 24 * KEEP_S },
    };
    for (let i = 0; i < this.jobs.length; i += 500) {
      const chunk = this.jobs.slice(i, i + 500).map((data, k) => ({
        name: data.kind,
        data: { ...data, v: JOB_FORMAT },
        opts: { ...opts, jobId: this.ids[i + k] },
      }));
      await this.q.addBulk(chunk);
      if (this.o.signal?.aborted) return;
    }
  }

  private pending(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.out[i] === undefined;
  }

  private complete(id: string, returnvalue: unknown): void {
    if (!this.pending(id)) return;
    let env: Envelope<R>;
    try {
      env = decodeData<Envelope<R>>(String(returnvalue));
      if (typeof env !== "object" || env === null || typeof env.worker !== "string")
        throw new Error("not a Phasor job result");
    } catch (e) {
      return this.fail(id, `unreadable result: ${(e as Error).message}`);
    }
    this.perWorker[env.worker] = (this.perWorker[env.worker] ?? 0) + 1;
    this.settle(id, { ok: true, result: env.result, worker: env.worker, ms: env.ms });
  }

  private fail(id: string, reason: string): void {
    if (!this.pending(id)) return;
    this.failed++;
    this.settle(id, { ok: false, error: explain(reason) });
  }

  private settle(id: string, r: Outcome<R>): void {
    this.out[this.index.get(id)!] = r;
    this.running.delete(id);
    this.settled++;
    this.report();
    if (this.settled === this.jobs.length) this.finish?.();
  }

  /** The safety net: asks Redis about a few unsettled jobs whose events may have been missed. */
  private async poll(): Promise<void> {
    for (const id of this.ids.filter((x) => this.pending(x)).slice(0, 50)) {
      // The state first: a job read before it finishes would lack the result its state then promises.
      const state = await this.q.getJobState(id).catch(() => "unknown");
      if (state !== "completed" && state !== "failed" && state !== "unknown") continue;
      const job = await this.q.getJob(id).catch(() => undefined);
      if (!this.pending(id) || job === undefined) continue;
      if (!job) this.fail(id, "the job is no longer in Redis (removed, or Redis was flushed)");
      else if (state === "completed" && job.returnvalue != null) this.complete(id, job.returnvalue);
      else if (state === "failed") this.fail(id, job.failedReason);
    }
  }

  /** Removes every job not yet started and rejects with `why`; running jobs finish and are discarded. */
  private async cancel(why: string): Promise<void> {
    const left = this.ids.filter((id) => this.pending(id));
    let removed = 0;
    for (const id of left) removed += await this.q.remove(id).catch(() => 0);
    this.finish?.(
      new PhasorError(
        `${why}: ${removed} queued job(s) removed, ${left.length - removed} running job(s) finish on their workers and are discarded`,
        "aborted",
      ),
    );
  }

  private report(force = false): void {
    const now = Date.now();
    if (!this.o.onProgress || (!force && now - this.shown < 200)) return;
    this.shown = now;
    const s = Math.max(1e-3, (now - this.t0) / 1000);
    const workers = Object.fromEntries(
      Object.entries(this.perWorker).map(([w, n]) => [w, { done: n, perSecond: n / s }]),
    );
    this.o.onProgress({
      total: this.jobs.length,
      done: this.settled - this.failed,
      running: this.running.size,
      failed: this.failed,
      seconds: s,
      workers,
    });
  }
}

/** BullMQ's final failure reasons in words a user can act on. */
export function explain(reason: string): string {
  if (/stalled more than allowable limit/.test(reason))
    return "its worker was lost (killed, out of memory, or unreachable) more often than the stall limit allows (phasor worker --max-stalls)";
  if (/started more than allowable limit/.test(reason)) return "it was started more often than the limit allows";
  return reason;
}
