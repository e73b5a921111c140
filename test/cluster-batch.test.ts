// Clustered batch runs: `phasor run PROGRAM --inputs DIR --cluster URL --out DIR` over 50 input
// files on two worker processes writes exactly what 50 local runs write (`phasor run --inputs`
// without --cluster, and `phasor run --input` one file at a time), and the same aggregate.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../lib/compiler/pipeline.js";
import { saveProgram } from "../lib/compiler/serialize.js";
import { formatNpy } from "../lib/ir/io/index.js";
import { Rng } from "../lib/ir/random.js";
import {
  haveRedis,
  phasorAsync,
  startRedis,
  startWorkers,
  type RedisServer,
  type WorkerProcess,
} from "./cluster-support.js";
import { ifNet } from "./vm-networks.js";

const haveIt = haveRedis();

/** in(16) -> 32 IF -> 4 IF on generic-mesh. */
function program(dir: string): string {
  const g = ifNet({ outputs: 4, seed: 5, weight: 0.5 });
  return saveProgram(compile(g, "generic-mesh", { reset: "zero" }), join(dir, "prog.json")).json;
}

/** 50 spike trains [60, 16] (.npy), each with its own rate, and a label per file. */
function inputs(dir: string): { dir: string; labels: string } {
  const rng = new Rng(9),
    inDir = join(dir, "inputs");
  mkdirSync(inDir);
  const labels: string[] = [];
  for (let k = 0; k < 50; k++) {
    const rate = 0.05 + 0.01 * (k % 10),
      data = Float64Array.from({ length: 60 * 16 }, () => (rng.random() < rate ? 1 : 0));
    const name = `sample${String(k).padStart(2, "0")}.npy`;
    writeFileSync(join(inDir, name), formatNpy({ shape: [60, 16], data }));
    labels.push(`${name},${k % 4}`);
  }
  writeFileSync(join(dir, "labels.csv"), labels.join("\n") + "\n");
  return { dir: inDir, labels: join(dir, "labels.csv") };
}

/** A result file without the wall-clock seconds of the simulation loop (the only field that differs run to run). */
function result(path: string): unknown {
  const r = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  delete r.seconds;
  return r;
}

describe.skipIf(!haveIt)("clustered batch run on redis-server with two worker processes", () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), "phasor-batch-"));

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => {
    for (const w of workers) w.stop();
    redis?.stop();
  });

  it("50 input files on 2 workers equal 50 local runs, file by file and in the aggregate", async () => {
    const prog = program(dir),
      ins = inputs(dir);
    workers = await startWorkers(redis.url, ["b1", "b2"], ["--queues", "run"]);
    const local = await phasorAsync([
      "run",
      prog,
      "--inputs",
      ins.dir,
      "--labels",
      ins.labels,
      "--out",
      join(dir, "local"),
      "--json",
    ]);
    expect(local.stderr).toBe("");
    expect(local.status).toBe(0);
    const clustered = await phasorAsync([
      "run",
      prog,
      "--inputs",
      join(ins.dir, "*.npy"),
      "--labels",
      ins.labels,
      "--cluster",
      redis.url,
      "--timeout",
      "120",
      "--out",
      join(dir, "cluster"),
    ]);
    expect(clustered.stderr).toBe("");
    expect(clustered.status).toBe(0);
    expect(clustered.stdout).toMatch(
      /on 50 inputs on the cluster at redis:\/\/127\.0\.0\.1:\d+: 50 succeeded, 0 failed/,
    );

    const names = readdirSync(join(dir, "local"))
      .filter((n) => n !== "aggregate.json")
      .sort();
    expect(names).toHaveLength(50);
    expect(
      readdirSync(join(dir, "cluster"))
        .filter((n) => n !== "aggregate.json")
        .sort(),
    ).toEqual(names);
    for (const n of names) expect(result(join(dir, "cluster", n)), n).toEqual(result(join(dir, "local", n)));

    // A local batch is 50 single runs: the first and last files as `phasor run --input` writes them.
    for (const n of [names[0], names[49]]) {
      const one = await phasorAsync([
        "run",
        prog,
        "--input",
        join(ins.dir, n.replace(".json", ".npy")),
        "--out",
        join(dir, `one-${n}`),
      ]);
      expect(one.status).toBe(0);
      expect(result(join(dir, `one-${n}`))).toEqual(result(join(dir, "local", n)));
    }

    const agg = (d: string) => JSON.parse(readFileSync(join(dir, d, "aggregate.json"), "utf8"));
    const a = agg("local"),
      b = agg("cluster");
    for (const k of ["inputs", "succeeded", "failed", "spikes", "energy", "accuracy"]) expect(b[k], k).toEqual(a[k]);
    expect(a.accuracy.labelled).toBe(50);
    expect(a.spikes.total).toBeGreaterThan(0);
    const perWorker = new Set(b.results.map((r: { worker: string }) => r.worker));
    expect(perWorker).toEqual(new Set(["b1", "b2"])); // both workers took files
  }, 240_000);
});
