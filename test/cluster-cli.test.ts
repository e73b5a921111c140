// The scale-out commands from a shell: `phasor sweep` (here and on a cluster, .json/.csv rows),
// `phasor worker` and `phasor cluster status`, and the clear one-line errors for a user's mistakes
// (a URL that is not Redis, a server that is not there, a batch without --out, ...). Needs a build.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../lib/compiler/pipeline.js";
import { saveProgram } from "../lib/compiler/serialize.js";
import type { Graph } from "../lib/ir/graph.js";
import { writeNir } from "../lib/ir/nir/write.js";
import {
  haveRedis,
  phasorAsync,
  startRedis,
  startWorkers,
  type RedisServer,
  type WorkerProcess,
} from "./cluster-support.js";
import { ifNet } from "./vm-networks.js";
import { runPhasor } from "./support.js";

function net(): Graph {
  return ifNet();
}

const dir = mkdtempSync(join(tmpdir(), "phasor-cluster-cli-"));
const nir = join(dir, "net.nir"),
  prog = join(dir, "prog.json");

beforeAll(async () => {
  await writeNir(net(), nir);
  saveProgram(compile(net(), "generic-mesh", { reset: "zero" }), prog);
});

/** Expects one line on stderr, "phasor: error: ..." or commander's, matching `re`, and exit status 1. */
function refused(args: string[], re: RegExp): void {
  const r = runPhasor(args);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(re);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("scale-out commands: a user's mistakes", () => {
  it("URLs that are not Redis, servers that are not there, unknown queues", () => {
    refused(["worker", "--redis", "http://h:1"], /^phasor: error: --redis: "http:\/\/h:1" is not a Redis URL/);
    refused(["worker", "--redis", "127.0.0.1:6379"], /has no scheme \(write redis:\/\/127\.0\.0\.1:6379\)/);
    refused(
      ["worker", "--redis", "redis://127.0.0.1:1", "--queues", "sweep,render"],
      /--queues: unknown queue "render"; queues: sweep, run, eval, train/,
    );
    refused(
      ["worker", "--redis", "redis://127.0.0.1:1"],
      /^phasor: error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*\); start it/,
    );
    refused(
      ["cluster", "status", "--redis", "redis://:pw@127.0.0.1:1"],
      /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
    );
    refused(
      ["sweep", nir, "--grid", "width=1", "--cluster", "redis://127.0.0.1:1"],
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
    );
  });

  it("batch runs: --inputs needs --out, --cluster needs --inputs, one of --input/--inputs", () => {
    refused(["run", prog, "--inputs", dir], /--out: a batch run needs --out DIR/);
    refused(
      ["run", prog, "--cluster", "redis://127.0.0.1:1", "--input", nir],
      /--cluster: --cluster runs a batch: give --inputs DIR\|GLOB and --out DIR/,
    );
    refused(
      ["run", prog, "--input", nir, "--inputs", dir, "--out", join(dir, "o")],
      /give either --input FILE \(one run\) or --inputs DIR\|GLOB \(a batch\), not both/,
    );
    refused(["run", prog, "--inputs", join(dir, "*.npy"), "--out", join(dir, "o")], /names no input files/);
    refused(["run", prog, "--inputs", dir, "--out", nir], /net\.nir is a file; a batch run writes a folder of results/);
  });

  it("sweeps: bad grid, bad output file", () => {
    refused(["sweep", nir, "--grid", "colour=1"], /--grid: unknown generic-mesh parameter "colour"/);
    refused(
      ["sweep", nir, "--grid", "width=1", "--out", join(dir, "rows.txt")],
      /phasor sweep writes \.json or \.csv; got "\.txt"/,
    );
    refused(["sweep", nir], /required option '--grid <spec>' not specified/);
  });
});

describe.skipIf(!haveRedis())("phasor sweep and cluster status on a redis-server", () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => {
    for (const w of workers) w.stop();
    redis?.stop();
  });

  it("phasor sweep --cluster writes the rows phasor sweep writes here (.csv and .json); status lists the workers", async () => {
    workers = await startWorkers(redis.url, ["c1", "c2"], ["--queues", "sweep", "--concurrency", "2"]);
    const grid = ["--grid", "width=1,2;neuronsPerCore=4,32", "--steps", "40", "--poisson", "800"];
    const here = await phasorAsync(["sweep", nir, ...grid, "--out", join(dir, "here.csv")]);
    const there = await phasorAsync([
      "sweep",
      nir,
      ...grid,
      "--cluster",
      redis.url,
      "--timeout",
      "60",
      "--out",
      join(dir, "there.csv"),
    ]);
    expect(here.status, here.stderr).toBe(0);
    expect(there.status, there.stderr).toBe(0);
    const csv = readFileSync(join(dir, "here.csv"), "utf8");
    expect(readFileSync(join(dir, "there.csv"), "utf8")).toBe(csv);
    expect(csv.split("\n")[0]).toBe("configuration,width,neuronsPerCore,cores,energy_J,latency_s,spikes,pareto,error");
    expect(csv).toMatch(/"width=1, neuronsPerCore=4",1,4,,,,0,false,.*needs \d+ cores; generic-mesh has/);
    expect(there.stdout).toMatch(/4 configurations, 1 failed, \d on the Pareto front \(\*\) \(cluster\)/);
    const json = await phasorAsync([
      "sweep",
      nir,
      ...grid,
      "--cluster",
      redis.url,
      "--json",
      "--out",
      join(dir, "there.json"),
    ]);
    const rows = JSON.parse(readFileSync(join(dir, "there.json"), "utf8"));
    expect(rows).toHaveLength(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ points: 4, failed: 1 });

    let s = { workers: [{ done: 0 }, { done: 0 }] } as {
      workers: Array<{ name: string; done: number }>;
      queues: Record<string, { counts: object }>;
    };
    for (let i = 0; i < 20 && s.workers[0].done + s.workers[1].done < 8; i++) {
      // heartbeats follow a job within 0.5 s
      s = JSON.parse((await phasorAsync(["cluster", "status", "--redis", redis.url, "--json"])).stdout);
    }
    expect(s.workers.map((w) => w.name)).toEqual(["c1", "c2"]);
    expect(s.workers[0]).toMatchObject({ queues: ["sweep"], concurrency: 2 });
    expect(s.workers[0].done + s.workers[1].done).toBe(8);
    expect(s.queues.sweep.counts).toMatchObject({ completed: 8, failed: 0, waiting: 0, active: 0 });
    const text = await phasorAsync(["cluster", "status", "--redis", redis.url]);
    expect(text.stdout).toMatch(
      /^redis redis:\/\/127\.0\.0\.1:\d+\nworkers: 2\n  c1 \(.*\): queues sweep, concurrency 2/,
    );
    expect(text.stdout).toMatch(/sweep: 0 waiting, 0 active, 0 delayed, 8 completed, 0 failed/);
  }, 180_000);

  it("a password in the URL, as BullMQ takes it; a wrong one is named without showing it", async () => {
    const locked = await startRedis({ password: "s3cret" });
    try {
      const port = locked.port;
      const ok = await phasorAsync(["cluster", "status", "--redis", `redis://:s3cret@127.0.0.1:${port}`]);
      expect(ok.stdout).toMatch(new RegExp(`^redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}\nworkers: 0`));
      const bad = await phasorAsync(["cluster", "status", "--redis", `redis://:wrong@127.0.0.1:${port}`]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(
        /^phasor: error: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(WRONGPASS/,
      );
      expect(bad.stderr).not.toMatch(/wrong/);
      const none = await phasorAsync(["cluster", "status", "--redis", `redis://127.0.0.1:${port}`]);
      expect(none.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(NOAUTH/);
    } finally {
      locked.stop();
    }
  }, 60_000);
});
