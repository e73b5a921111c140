/** `phasor cluster status`: the workers that reported recently, each queue's jobs by state, and the latest failures. */
import { Queue } from "bullmq";
import { closeRedis, connectRedis, PREFIX, QUEUES, redisTarget, type QueueName } from "./connection.js";
import type { WorkerInfo } from "./worker.js";

/** A snapshot of the cluster. */
export interface ClusterStatus {
  redis: string;
  workers: WorkerInfo[];
  queues: Record<QueueName, { counts: Record<string, number>; connected: number }>;
  failures: Array<{ queue: QueueName; id: string; reason: string; at: number }>;
}

/** Reads the status from the Redis server at `url`. */
export async function clusterStatus(url: string, what = "--redis"): Promise<ClusterStatus> {
  const t = redisTarget(url, what);
  const redis = await connectRedis(t, { name: "phasor-status" });
  const queues = QUEUES.map((q) => new Queue(q, { connection: redis, prefix: PREFIX }));
  try {
    const workers: WorkerInfo[] = [];
    for (const key of await scan(redis, `${PREFIX}:worker:*`)) {
      const text = await redis.get(key);
      if (text) workers.push(JSON.parse(text) as WorkerInfo);
    }
    workers.sort((a, b) => a.name.localeCompare(b.name));
    const status: ClusterStatus = { redis: t.shown, workers, queues: {} as ClusterStatus["queues"], failures: [] };
    for (const [i, q] of queues.entries()) {
      const counts = await q.getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized");
      status.queues[QUEUES[i]] = { counts, connected: await q.getWorkersCount().catch(() => 0) };
      for (const j of await q.getFailed(0, 4))
        status.failures.push({ queue: QUEUES[i], id: String(j.id), reason: j.failedReason, at: j.finishedOn ?? 0 });
    }
    status.failures.sort((a, b) => b.at - a.at).splice(5);
    return status;
  } finally {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    await closeRedis(redis);
  }
}

async function scan(redis: import("ioredis").Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  for (let i = 0; i < 10_000; i++) {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    out.push(...keys);
    if ((cursor = next) === "0") break;
  }
  return out;
}

/** The status as lines for a terminal. */
export function formatStatus(s: ClusterStatus): string {
  const lines = [`redis ${s.redis}`, `workers: ${s.workers.length}`];
  for (const w of s.workers) {
    const age = ((Date.now() - w.seen) / 1000).toFixed(0);
    lines.push(
      `  ${w.name} (${w.host}, pid ${w.pid}): queues ${w.queues.join(",")}, concurrency ${w.concurrency}, ` +
        `running ${w.running}, done ${w.done}, failed ${w.failed}, blobs fetched ${w.blobs.fetched}, seen ${age} s ago`,
    );
  }
  lines.push("queues:");
  for (const [q, v] of Object.entries(s.queues)) {
    const c = v.counts;
    lines.push(
      `  ${q}: ${c.waiting + (c.prioritized ?? 0)} waiting, ${c.active} active, ${c.delayed} delayed, ` +
        `${c.completed} completed, ${c.failed} failed; ${v.connected} worker connection(s)`,
    );
  }
  lines.push(s.failures.length ? "recent failures:" : "recent failures: none");
  for (const f of s.failures) lines.push(`  ${new Date(f.at).toISOString()} ${f.queue}:${f.id}: ${f.reason}`);
  return lines.join("\n");
}
