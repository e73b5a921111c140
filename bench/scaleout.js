#!/usr/bin/env node
// Scale-out on BullMQ/Redis: sweep throughput (points/s) with 1, 2 and 4 `phasor worker`
// processes against the local worker-thread sweep measured in the same run (the peer), the
// per-job overhead of the queue (ms per empty job, one worker), Redis's own time per job
// (INFO commandstats) and loopback round trip, and from these a model of the throughput of N
// machines. It starts its own redis-server on a free loopback port and stops it at the end.
// On a 2-core machine the curve flattens at 2 workers: the per-worker efficiency says so.
// Needs a build (`npm run build`) and redis-server.
// usage: node bench/scaleout.js [--points 24] [--steps 300] [--workers 1,2,4] [--empty 300]
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const { createServer } = require("node:net");
const { mkdtempSync, rmSync } = require("node:fs");
const os = require("node:os");
const { join, resolve } = require("node:path");
const { parseArgs } = require("node:util");
const dist = process.env.PHASOR_DIST ?? resolve(__dirname, "../dist");
const cluster = require(`${dist}/lib/cluster/index.js`);
const { sweep, gridPoints } = require(`${dist}/lib/vm/sweep.js`);
const { poissonInput } = require(`${dist}/kernel/magics/sweep.js`);
const { graph, tensor } = require(`${dist}/lib/ir/builders.js`);
const { Rng } = require(`${dist}/lib/ir/random.js`);
const bin = resolve(__dirname, "../bin/phasor.js");

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "24" },
    steps: { type: "string", default: "300" },
    workers: { type: "string", default: "1,2,4" },
    empty: { type: "string", default: "300" },
  },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** in(64) -> 256 IF -> 16 IF, the network of test/cluster-sweep.test.ts. */
function net() {
  const rng = new Rng(3);
  const w = (o, i) =>
    tensor(
      Float64Array.from({ length: o * i }, () => (rng.random() < 0.5 ? 0.4 : -0.1)),
      [o, i],
    );
  const IF = (n) => ({
    type: "IF",
    r: tensor(new Float64Array(n).fill(1e4)),
    v_threshold: tensor(new Float64Array(n).fill(1)),
  });
  return graph()
    .input("in", [64])
    .linear("fc1", w(256, 64))
    .node("h", IF(256))
    .linear("fc2", w(16, 256))
    .node("out", IF(16))
    .output("o")
    .build();
}

/** A grid of about `n` points that all fit (width 2..) and differ in neurons per core and multicast. */
function grid(n) {
  const npc = [64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416];
  const g = { width: [2, 4], multicast: [true, false], neuronsPerCore: npc.slice(0, Math.max(1, Math.ceil(n / 4))) };
  return g;
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startRedis() {
  const port = await freePort(),
    dir = mkdtempSync(join(os.tmpdir(), "phasor-bench-redis-"));
  const p = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  const stop = () => {
    p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG")
      return { url: `redis://127.0.0.1:${port}`, port, stop };
    await sleep(100);
  }
  stop();
  throw new Error("redis-server did not start");
}

async function startWorkers(url, n) {
  const ws = Array.from({ length: n }, (_, i) => {
    const p = spawn(
      process.execPath,
      [bin, "worker", "--redis", url, "--name", `bench${i + 1}`, "--queues", "sweep", "--quiet"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    p.ready = new Promise((res, rej) => {
      let out = "";
      p.stdout.on("data", (d) => {
        out += d;
        if (/ready/.test(out)) res();
      });
      p.on("exit", (code) => rej(new Error(`worker exited (${code})`)));
    });
    return p;
  });
  await Promise.race([
    Promise.all(ws.map((w) => w.ready)),
    sleep(60_000).then(() => {
      throw new Error("workers not ready in 60 s");
    }),
  ]);
  return ws;
}

function stopWorkers(ws) {
  for (const w of ws) w.kill("SIGTERM");
}

/** Redis's own microseconds per call, summed over every command since the last reset. */
function redisUsec(port) {
  const text = spawnSync("redis-cli", ["-p", String(port), "info", "commandstats"], { encoding: "utf8" }).stdout;
  let usec = 0,
    calls = 0;
  for (const m of text.matchAll(/calls=(\d+),usec=(\d+)/g)) {
    calls += Number(m[1]);
    usec += Number(m[2]);
  }
  return { usec, calls };
}

(async () => {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
    console.log("bench/scaleout.js needs redis-server (apt-get install redis-server)");
    process.exit(1);
  }
  const g = net(),
    steps = Number(values.steps),
    input = poissonInput(g, steps, 500, 1);
  const grd = grid(Number(values.points)),
    n = gridPoints(grd).length;
  const run = { input, steps, engine: "cycle" };
  console.log(
    `sweep of ${n} points: 64 -> 256 IF -> 16 IF, ${steps} steps, cycle engine; ${os.availableParallelism()} CPUs (1-min load ${os.loadavg()[0].toFixed(1)}); node ${process.version}`,
  );

  let t0 = performance.now();
  const local = await sweep(g, grd, { ...run, workers: Math.min(2, os.availableParallelism()) });
  const localRate = n / ((performance.now() - t0) / 1000);
  console.log(
    `local worker-thread sweep (${Math.min(2, os.availableParallelism())} threads, started by the sweep as %sweep does): ${localRate.toFixed(2)} points/s`,
  );

  const redis = await startRedis();
  try {
    const rates = [];
    for (const k of values.workers.split(",").map(Number)) {
      const ws = await startWorkers(redis.url, k);
      try {
        // Warm every worker (compute thread, blobs, JIT) with 2 points each: the timed sweep measures steady state.
        const warm = { width: [2], neuronsPerCore: Array.from({ length: 2 * k }, (_, i) => 64 + 8 * i) };
        await cluster.clusterSweep(g, warm, { ...run, cluster: redis.url });
        t0 = performance.now();
        const rows = await cluster.clusterSweep(g, grd, { ...run, cluster: redis.url });
        const rate = n / ((performance.now() - t0) / 1000);
        const same = JSON.stringify(rows) === JSON.stringify(local);
        rates.push({ k, rate });
        const eff = rate / k / rates[0].rate;
        console.log(
          `${k} worker process${k === 1 ? "" : "es"}: ${rate.toFixed(2)} points/s (${(rate / localRate).toFixed(2)}x the local sweep; per-worker efficiency ${(eff * 100).toFixed(0)}% of 1 worker); rows ${same ? "equal" : "DIFFER from"} the local sweep's`,
        );
      } finally {
        stopWorkers(ws);
        await sleep(500);
      }
    }

    // Per-job overhead: empty jobs through one worker, and Redis's own time per job.
    const ws = await startWorkers(redis.url, 1);
    const client = await cluster.ClusterClient.connect(redis.url);
    try {
      const m = Number(values.empty),
        jobs = (k) => Array.from({ length: k }, (_, i) => ({ kind: "noop", index: i }));
      await client.run("sweep", jobs(20));
      spawnSync("redis-cli", ["-p", String(redis.port), "config", "resetstat"]);
      t0 = performance.now();
      await client.run("sweep", jobs(m));
      const msPerJob = (performance.now() - t0) / m;
      const s = redisUsec(redis.port);
      const serverMsPerJob = s.usec / 1000 / m,
        callsPerJob = s.calls / m;
      const rtt = (() => {
        const r = spawnSync("redis-cli", ["-p", String(redis.port), "--latency", "-i", "1", "--raw"], {
          encoding: "utf8",
          timeout: 1500,
        });
        return Number((r.stdout || "").trim().split(/\s+/)[2]) || NaN;
      })();
      console.log(
        `queue overhead: ${msPerJob.toFixed(2)} ms per empty job with 1 worker (${m} jobs); Redis itself ${serverMsPerJob.toFixed(3)} ms and ${callsPerJob.toFixed(1)} commands per job; loopback round trip ${Number.isFinite(rtt) ? rtt.toFixed(3) : "n/a"} ms`,
      );

      // Model: N machines each run one point at a time; a point costs its compute time plus the
      // per-job overhead; Redis serves every job's commands on one thread, so it caps the total.
      const tPoint = (1 / rates[0].rate) * 1000; // ms per point on one warm worker, overhead included
      const capacity = 1000 / serverMsPerJob; // jobs/s one Redis thread can serve
      const lan = 0.2; // ms, a typical LAN round trip
      const roundTrips = Number.isFinite(rtt) && rtt > 0 ? msPerJob / rtt : callsPerJob;
      const tLan = tPoint + roundTrips * Math.max(0, lan - (Number.isFinite(rtt) ? rtt : 0));
      console.log(
        `model, throughput of N machines = min(N / t_job, Redis capacity): t_job ${tPoint.toFixed(1)} ms here (${tLan.toFixed(1)} ms over a ${lan} ms LAN), capacity ${capacity.toFixed(0)} jobs/s`,
      );
      const line = [1, 2, 4, 8, 16, 64, 256, 1024]
        .map((N) => `N=${N}: ${Math.min((N * 1000) / tLan, capacity).toFixed(1)}/s`)
        .join(", ");
      console.log(`  ${line}`);
      const knee = (capacity * tLan) / 1000;
      console.log(
        `  Redis becomes the limit near N = ${knee.toFixed(0)} machines for points of this size; points ${(1000 / capacity).toFixed(2)} ms long would saturate it with one machine`,
      );
    } finally {
      await client.close();
      stopWorkers(ws);
    }
  } finally {
    await sleep(300);
    redis.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
