// A batch run over a packed dataset (issue 20, item 4): `phasor run PROGRAM --inputs PACKED.h5
// [--split S] --out DIR` runs one input per sample, framed at the Program's dt as %train frames
// them, with the dataset's labels in the aggregate; each sample's result equals a single run of
// the same frames given as a .npy file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compile, saveProgram } from "../lib/compiler/index.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { formatNpy } from "../lib/ir/io/index.js";
import { Rng } from "../lib/ir/random.js";
import { openPacked } from "../lib/data/pack-read.js";
import { toFrame } from "../lib/data/transforms.js";
import { writeNmnist } from "./data-warehouse-helpers.js";
import { phasorBin } from "./support.js";

const work = mkdtempSync(join(tmpdir(), "phasor-wh-batch-"));
const run = (args: string[]) => spawnSync(process.execPath, [phasorBin, ...args], { cwd: work, encoding: "utf8", timeout: 120_000 });
const packed = join(work, "pub", "nm-1.h5"), prog = join(work, "prog.json");

beforeAll(() => {
  writeNmnist(join(work, "src"), { classes: 2, perClass: 2, events: [200, 400], seed: 4 });
  const r = run(["data", "pack", "src", "--name", "nm", "--version", "1", "--out", "pub"]);
  expect(r.status, r.stderr).toBe(0);
  // 2312 inputs (34 x 34 x 2) -> 4 IF neurons, dt 10 ms; weights seeded.
  const rng = new Rng(2), w = tensor(Float64Array.from({ length: 4 * 2312 }, () => (rng.random() < 0.1 ? 0.6 : 0)), [4, 2312]);
  const g = graph().input("in", [2312]).linear("fc", w).node("n", { type: "IF", r: tensor(new Float64Array(4).fill(100)), v_threshold: tensor(new Float64Array(4).fill(1)) }).output("o").build();
  saveProgram(compile(g, "generic-mesh", { dt: 1e-2 }), prog);
}, 120_000);

describe("phasor run --inputs PACKED.h5", () => {
  test("one result per sample of the split, the dataset's labels in the aggregate, each equal to a single run", async () => {
    const r = run(["run", prog, "--inputs", packed, "--split", "test", "--steps", "32", "--out", "out"]);
    expect(r.status, r.stderr).toBe(0);
    const agg = JSON.parse(readFileSync(join(work, "out", "aggregate.json"), "utf8"));
    const ds = await openPacked(packed, "test");
    expect(agg.results.map((x: { file: string }) => x.file)).toEqual(Array.from({ length: ds.length }, (_, k) => `nm-1-${k}.npy`));
    expect(agg.results.map((x: { label: number }) => x.label)).toEqual(Array.from({ length: ds.length }, (_, k) => ds.get(k).label));
    expect(agg.accuracy).toMatchObject({ readout: "n", labelled: ds.length });
    for (let k = 0; k < ds.length; k++) {
      // The same frames, written by the test: 10 ms windows from t = 0, 32 steps, counts clipped to 1.
      const s = ds.get(k), f = toFrame(s.events, ds.sensorSize, { time_window: 1e4, start_time: 0, end_time: 1e4 * 32.5 }, true);
      const npy = join(work, `single-${k}.npy`);
      writeFileSync(npy, formatNpy({ shape: [32, 2312], data: Float64Array.from(f.data.subarray(0, 32 * 2312)) }));
      const one = run(["run", prog, "--input", npy, "--out", join(work, `single-${k}.json`)]);
      expect(one.status, one.stderr).toBe(0);
      const a = JSON.parse(readFileSync(join(work, "out", `nm-1-${k}.json`), "utf8")), b = JSON.parse(readFileSync(join(work, `single-${k}.json`), "utf8"));
      expect(a.spikes).toEqual(b.spikes);
      expect(Object.values(b.spikes).flat().length).toBeGreaterThan(0);
    }
  }, 300_000);

  test("a dataset whose sensor does not fit the input layer is refused naming both", () => {
    const small = join(work, "small.json");
    saveProgram(compile(graph().input("in", [10]).linear("fc", [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]).node("n", { type: "IF", r: tensor([100]), v_threshold: tensor([1]) }).output("o").build(), "generic-mesh"), small);
    const r = run(["run", small, "--inputs", packed, "--out", "out2"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/samples of sensor 34 x 34 x 2 \(2312 inputs\) do not fit input layer "in" of shape \[10\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
