/** `phasor worker --redis URL [--concurrency N] [--queues LIST]`: takes Phasor jobs from Redis until stopped. */
import { PhasorError } from "../lib/ir/errors.js";
import { QUEUES, startWorker, type QueueName } from "../lib/cluster/index.js";

/** Flags of `phasor worker`. */
export interface WorkerFlags {
  redis: string;
  concurrency: number;
  queues: string;
  name?: string;
  lockMs: number;
  stallCheckMs: number;
  maxStalls: number;
  cacheMb: number;
  quiet?: boolean;
}

/** The queue list of --queues, checked. */
export function queueList(text: string): QueueName[] {
  const list = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((q) => !(QUEUES as readonly string[]).includes(q));
  if (!list.length || bad.length)
    throw new PhasorError([
      {
        code: "bad-option",
        path: ["--queues"],
        message: `${bad.length ? `unknown queue ${bad.map((q) => `"${q}"`).join(", ")}` : "name at least one queue"}; queues: ${QUEUES.join(", ")}`,
      },
    ]);
  return list as QueueName[];
}

/** Starts the worker; SIGINT or SIGTERM lets the running jobs finish and stops it (a second one stops at once). */
export async function workerCommand(o: WorkerFlags): Promise<void> {
  const say = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
  const w = await startWorker({
    redis: o.redis,
    concurrency: o.concurrency,
    queues: queueList(o.queues),
    name: o.name,
    lockMs: o.lockMs,
    stallCheckMs: o.stallCheckMs,
    maxStalls: o.maxStalls,
    cacheMb: o.cacheMb,
    log: o.quiet
      ? (l) => {
          if (l.startsWith("phasor worker")) say(l);
        }
      : say,
  });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      say(`${sig}: finishing the running jobs (send it again to stop at once)`);
      process.once(sig, () => process.exit(130));
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await w.close();
  say(`phasor worker ${w.name} stopped (${w.info().done} jobs done)`);
}
