/**
 * The scale-out commands: `phasor worker` and `phasor cluster status` (DESIGN.md, "Scale-out").
 * Their modules load inside the actions, so `phasor --help` does not load BullMQ.
 */
import { InvalidArgumentError, type Command } from "commander";
import type { WorkerFlags } from "./worker.js";

function positiveInteger(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${s}"`);
  return n;
}

/** Adds `phasor worker` and `phasor cluster status` to the command line. */
export function registerCluster(p: Command): void {
  p.command("worker")
    .description("take sweep, batch-run, evaluation and training jobs from a Redis server (BullMQ) until stopped")
    .requiredOption("--redis <url>", "redis://[:PASSWORD@]HOST:PORT[/DB] (rediss:// for TLS)")
    .option("--concurrency <n>", "jobs computed at once (one compute thread each)", positiveInteger, 1)
    .option("--queues <list>", "comma-separated queues to take jobs from", "sweep,run,eval,train")
    .option("--name <name>", "worker name in cluster status and on its jobs (default: HOST-PID)")
    .option(
      "--lock-ms <ms>",
      "job lock time; a dead worker's job is retried after about this long",
      positiveInteger,
      30_000,
    )
    .option("--stall-check-ms <ms>", "how often to look for jobs whose worker died", positiveInteger, 30_000)
    .option("--max-stalls <n>", "times a job may lose its worker before it fails", positiveInteger, 1)
    .option("--cache-mb <mb>", "memory for cached blobs (Programs, graphs, inputs)", positiveInteger, 256)
    .option("-q, --quiet", "print only the ready line, not one line per job")
    .action(async (o: WorkerFlags) => (await import("./worker.js")).workerCommand(o));

  const cluster = p.command("cluster").description("the BullMQ/Redis cluster");
  cluster
    .command("status")
    .description("workers, jobs by state per queue, recent failures")
    .requiredOption("--redis <url>", "redis://[:PASSWORD@]HOST:PORT[/DB] (rediss:// for TLS)")
    .option("--json", "print JSON for scripts")
    .action(async (o: { redis: string; json?: boolean }) => {
      const { clusterStatus, formatStatus } = await import("../lib/cluster/index.js");
      const s = await clusterStatus(o.redis);
      console.log(o.json ? JSON.stringify(s) : formatStatus(s));
    });
}
