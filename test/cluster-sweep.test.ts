// Clustered sweeps on a real redis-server (loopback, its own port) and real `phasor worker`
// processes: the rows equal the local worker-thread sweep's, one per grid point, even when a
// worker is killed with SIGKILL in the middle of a job; a worker started late takes jobs; a job
// that loses its worker more often than the stall limit fails with a clear error. Needs a build.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Graph } from "../lib/ir/graph.js";
import { sweep, type SweepGrid, type SweepRow } from "../lib/vm/sweep.js";
import { poissonInput, sweepMagic } from "../kernel/magics/sweep.js";
import { createDisplay, type MimeBundle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import type { MagicContext } from "../kernel/magics/types.js";
import { clusterStatus } from "../lib/cluster/status.js";
import { clusterSweep } from "../lib/cluster/sweep.js";
import type { ClusterProgress } from "../lib/cluster/client.js";
import { haveRedis, startRedis, startWorkers, WorkerProcess, type RedisServer } from "./cluster-support.js";
import { ifNet } from "./vm-networks.js";

/** in(64) -> 256 IF -> 16 IF: a few hundred ms per point on the cycle engine, so a kill lands mid-job. */
function net(): Graph {
  return ifNet({ inputs: 64, hidden: 256, outputs: 16 });
}

const haveIt = haveRedis();
const steps = 200;
// 3 x 4 x 2 = 24 points; width 1 with 32 neurons per core does not fit (a row with an error).
const grid: SweepGrid = { width: [1, 2, 4], neuronsPerCore: [32, 64, 128, 256], multicast: [true, false] };

/** A magic context over a capturing display: what was shown and every progress text it updated to. */
function magicContext(vars: Record<string, unknown>, signal = new AbortController().signal) {
  const updates: string[] = [];
  const text = (b: MimeBundle) => String(b["text/plain"] ?? "");
  const ctx: MagicContext = {
    display: createDisplay({ display: () => {}, update: (b) => updates.push(text(b)), clear: () => {} }),
    cwd: process.cwd(),
    signal,
    setVariable: (n, v) => (vars[n] = v),
    getVariable: (n) => vars[n],
    page: () => {},
    print: () => {},
    magics: () => [],
  };
  return { ctx, updates };
}

describe.skipIf(!haveIt)("clustered sweep on redis-server with worker processes", () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  const g = net(),
    input = poissonInput(g, steps, 500, 1);

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => {
    for (const w of workers) w.stop();
    redis?.stop();
  });

  it("24 points on 3 workers, one killed mid-job, one started late: exactly the local sweep's rows", async () => {
    const local = await sweep(g, grid, { input, steps, engine: "cycle", workers: 2 });
    workers.push(...(await startWorkers(redis.url, ["w1", "w2", "w3"])));
    const progress: ClusterProgress[] = [];
    const rows = clusterSweep(g, grid, {
      input,
      steps,
      engine: "cycle",
      cluster: redis.url,
      timeoutMs: 150_000,
      onProgress: (p) => progress.push(p),
    });
    // Kill w1 as soon as it has started a job, while that job computes.
    const started = /start sweep:(\S+)/.exec(await workers[0].waitFor(/start sweep:/, 60_000))![1];
    workers[0].kill();
    const late = new WorkerProcess("w4", redis.url);
    workers.push(late);
    const got: SweepRow[] = await rows;

    expect(got).toHaveLength(24);
    expect(new Set(got.map((r) => r.label)).size).toBe(24);
    expect(got).toEqual(local); // same rows, same order, errors included
    expect(local.filter((r) => r.error).length).toBeGreaterThan(0);
    // The killed worker never finished its job; another worker did, once it was seen to be stalled.
    expect(workers[0].done("sweep")).not.toContain(started);
    const others = workers.slice(1).flatMap((w) => w.done("sweep"));
    expect(others).toContain(started);
    // The late worker took jobs.
    expect(late.done("sweep").length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    expect(last).toMatchObject({ total: 24, done: 24, failed: 0, running: 0 });
    expect(Object.keys(last.workers)).toContain("w4");
  }, 240_000);

  it("a job that loses its worker more often than --max-stalls fails with a clear error", async () => {
    for (const w of workers) w.stop();
    const ws = await startWorkers(redis.url, ["s1", "s2", "s3"], ["--max-stalls", "1"]);
    workers.push(...ws);
    const slow = { width: [4], neuronsPerCore: [256] };
    const rows = clusterSweep(g, slow, {
      input: poissonInput(g, 3000, 500, 1),
      steps: 3000,
      engine: "cycle",
      cluster: redis.url,
      timeoutMs: 120_000,
    });
    const killed = new Set<WorkerProcess>();
    for (let k = 0; k < 2; k++) {
      const t0 = Date.now();
      let w: WorkerProcess | undefined;
      while (!w && Date.now() - t0 < 60_000) {
        w = ws.find((x) => !killed.has(x) && x.lines.some((l) => /start sweep:/.test(l)));
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(w, "a worker started the job").toBeDefined();
      w!.kill();
      killed.add(w!);
    }
    const [row] = await rows;
    expect(row.error).toMatch(
      /cluster job failed: its worker was lost \(killed, out of memory, or unreachable\) more often than the stall limit allows/,
    );
    expect(Number.isNaN(row.energy)).toBe(true);
  }, 180_000);

  it("%sweep --cluster: the local magic's rows, progress with jobs done and per-worker throughput", async () => {
    for (const w of workers) w.stop();
    workers.push(...(await startWorkers(redis.url, ["m1"])));
    const line = `net --grid "width=1,4;neuronsPerCore=64,256" --steps 100 --poisson 500`;
    const run = (extra: string, c: MagicContext) =>
      sweepMagic.run({ ...parseArgs(sweepMagic, `${line} ${extra}`, false), line }, c);
    const here = magicContext({ net: g }),
      there = magicContext({ net: g });
    const local = (await run("--workers 1", here.ctx)) as SweepRow[];
    const clustered = (await run(`--cluster ${redis.url}`, there.ctx)) as SweepRow[];
    expect(clustered).toEqual(local);
    expect(there.updates.some((u) => /^4 of 4 done, \d running, 0 failed; m1: \d+\.\d\/s/.test(u))).toBe(true);
  }, 120_000);

  it("interrupting a clustered sweep removes the jobs no worker has started", async () => {
    for (const w of workers) w.stop();
    const abort = new AbortController();
    const progress: ClusterProgress[] = [];
    const rows = clusterSweep(g, grid, {
      input,
      steps,
      engine: "cycle",
      cluster: redis.url,
      signal: abort.signal,
      onProgress: (p) => progress.push(p),
    });
    let waiting = 0;
    for (let i = 0; i < 100 && waiting < 24; i++) {
      await new Promise((r) => setTimeout(r, 100));
      waiting = (await clusterStatus(redis.url)).queues.sweep.counts.waiting;
    }
    expect(waiting).toBe(24); // no worker: all 24 wait
    abort.abort();
    await expect(rows).rejects.toThrow(
      /cancelled: 24 queued job\(s\) removed, 0 running job\(s\) finish on their workers and are discarded/,
    );
    expect((await clusterStatus(redis.url)).queues.sweep.counts.waiting).toBe(0);
  }, 60_000);
});
