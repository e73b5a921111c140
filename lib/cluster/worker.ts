/**
 * `phasor worker`: a process that takes jobs from the Phasor queues on a Redis server and
 * computes them on its compute threads. Any number run on any machines that reach the server.
 * A job's blobs are fetched once and cached; a job whose worker dies is retried elsewhere by
 * BullMQ's stalled-job check (up to `maxStalls` times); a failing job is retried `attempts`
 * times; a PhasorError (bad input, a blob that expired) fails at once with its message.
 */
import { hostname } from "node:os";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { isPhasorError, PhasorError } from "../ir/errors.js";
import { BlobStore, type BlobStats } from "./blobs.js";
import { encodeData } from "./codec.js";
import { closeRedis, connectRedis, PREFIX, QUEUES, redisTarget, type QueueName } from "./connection.js";
import { blobsOf, JOB_FORMAT, type Envelope, type JobData } from "./jobs.js";
import { ComputePool, JobUserError } from "./pool.js";

/** Options of `startWorker` (the flags of `phasor worker`). */
export interface WorkerOptions {
  redis: string;
  /** Jobs computed at once (compute threads), across all queues; default 1. */
  concurrency?: number;
  queues?: QueueName[];
  /** Shown in `phasor cluster status` and stored on the jobs it takes; default HOST-PID. */
  name?: string;
  /** How long a job's lock lasts without renewal (ms); a dead worker's job is retried after about this long. */
  lockMs?: number;
  /** How often the stalled-job check runs (ms). */
  stallCheckMs?: number;
  /** How many times a job may lose its worker before it fails. */
  maxStalls?: number;
  /** Memory for cached blobs (MiB). */
  cacheMb?: number;
  /** One line per event (started, job start/done/failed); default: none. */
  log?: (line: string) => void;
}

/** What a worker reports about itself in Redis (key phasor:worker:NAME, refreshed every few seconds). */
export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  queues: QueueName[];
  concurrency: number;
  started: number;
  seen: number;
  running: number;
  done: number;
  failed: number;
  blobs: BlobStats;
}

/** Key of a worker's heartbeat. */
export const workerKey = (name: string): string => `${PREFIX}:worker:${name}`;

const HEARTBEAT_MS = 5000;

/** A started worker. */
export interface RunningWorker {
  name: string;
  info(): WorkerInfo;
  close(): Promise<void>;
}

/** Connects, starts one BullMQ worker per queue and the compute threads; resolves once jobs can be taken. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const target = redisTarget(o.redis),
    log = o.log ?? (() => undefined);
  const queues = o.queues ?? [...QUEUES],
    concurrency = o.concurrency ?? 1;
  for (const q of queues)
    if (!QUEUES.includes(q))
      throw new PhasorError([
        { code: "bad-option", path: ["--queues"], message: `unknown queue "${q}"; queues: ${QUEUES.join(", ")}` },
      ]);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new PhasorError([
      { code: "bad-option", path: ["--concurrency"], message: `must be a positive integer, got ${concurrency}` },
    ]);
  const name = o.name ?? `${hostname()}-${process.pid}`;
  let lastError = "";
  const redis = await connectRedis(target, {
    name: `phasor-worker:${name}`,
    onError: (e) => {
      if (e.message !== lastError) log(`redis: ${(lastError = e.message)}`);
    },
  });
  const store = new BlobStore(redis, { cacheBytes: (o.cacheMb ?? 256) * 2 ** 20 });
  const pool = new ComputePool(concurrency);
  const info: WorkerInfo = {
    name,
    host: hostname(),
    pid: process.pid,
    queues,
    concurrency,
    started: Date.now(),
    seen: Date.now(),
    running: 0,
    done: 0,
    failed: 0,
    blobs: store.stats,
  };
  const slots = new Semaphore(concurrency);
  let beaten = 0;
  const beat = async () => {
    info.seen = beaten = Date.now();
    await redis.set(workerKey(name), JSON.stringify(info), "PX", 3 * HEARTBEAT_MS).catch(() => undefined);
  };
  let soon: NodeJS.Timeout | undefined;
  const afterJob = () => {
    // status shows a finished job within half a second, without a write per job
    soon ??= setTimeout(
      () => {
        soon = undefined;
        void beat();
      },
      Math.max(0, 500 - (Date.now() - beaten)),
    );
  };
  const process_ = (queue: QueueName) => async (job: Job) =>
    slots.with(() => processJob(queue, job, { name, store, pool, info, log }).finally(afterJob));
  const workers = queues.map(
    (q) =>
      new Worker(q, process_(q), {
        connection: redis,
        prefix: PREFIX,
        concurrency,
        name,
        autorun: true,
        lockDuration: o.lockMs ?? 30_000,
        stalledInterval: o.stallCheckMs ?? 30_000,
        maxStalledCount: o.maxStalls ?? 1,
      }),
  );
  for (const w of workers) w.on("error", (e) => log(`worker error: ${e.message}`));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  log(`phasor worker ${name} ready: ${target.shown}, queues ${queues.join(",")}, concurrency ${concurrency}`);
  return {
    name,
    info: () => ({ ...info }),
    async close() {
      clearInterval(timer);
      clearTimeout(soon);
      await Promise.all(workers.map((w) => w.close()));
      await pool.close();
      await redis.del(workerKey(name)).catch(() => undefined);
      await closeRedis(redis);
    },
  };
}

interface Ctx {
  name: string;
  store: BlobStore;
  pool: ComputePool;
  info: WorkerInfo;
  log: (line: string) => void;
}

/** One job: fetch its blobs, compute on a thread, store any bytes it produced, return the envelope. */
async function processJob(queue: QueueName, job: Job, c: Ctx): Promise<string> {
  const data = job.data as JobData & { v?: number },
    t0 = performance.now(),
    tag = `${queue}:${job.id}`;
  if (data.v !== JOB_FORMAT)
    throw new UnrecoverableError(
      `job ${tag} has format ${String(data.v)}; this worker reads format ${JOB_FORMAT} (run the same Phasor version everywhere)`,
    );
  c.info.running++;
  c.log(`start ${tag} (attempt ${job.attemptsMade + 1})`);
  try {
    const blobs: Record<string, Uint8Array> = {};
    for (const sha of Object.values(blobsOf(data))) blobs[sha] = await c.store.get(sha);
    const r = data.kind === "noop" ? { result: null } : await c.pool.run(data, blobs);
    const result = r.bytes ? { ...(r.result as object), grads: await c.store.put(r.bytes) } : r.result;
    const ms = performance.now() - t0;
    c.info.done++;
    c.log(`done ${tag} in ${ms.toFixed(0)} ms`);
    return encodeData({ worker: c.name, ms, result } satisfies Envelope<unknown>);
  } catch (e) {
    c.info.failed++;
    const message = e instanceof Error ? e.message : String(e);
    c.log(`failed ${tag}: ${message}`);
    if (e instanceof JobUserError || isPhasorError(e)) throw new UnrecoverableError(message);
    throw e;
  } finally {
    c.info.running--;
  }
}

/** At most `n` jobs compute at once across the queues; the rest wait, holding their locks (which keep being renewed). */
class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}

  async with<T>(f: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
