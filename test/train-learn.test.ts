/**
 * End to end on a synthetic dataset in SHD's HDF5 layout (written here with h5py, float16
 * times as the real files): learning well above chance in seconds, identical losses for a
 * fixed seed, the trained model exported to NIR and run by the reference simulator with the
 * same spikes as the TF.js forward pass, and resuming from a checkpoint.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { readNir, writeNir } from "../lib/ir/nir/index.js";
import { simulate } from "../lib/ir/sim/index.js";
import { batches } from "../lib/data/batching.js";
import { readHeidelbergFile } from "../lib/data/shd.js";
import { useBackend } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { graphToModel, modelToGraph } from "../lib/train/export.js";
import { spikingModel } from "../lib/train/model.js";
import { fit } from "../lib/train/trainer.js";
import { havePython, systemPython } from "./support.js";

const hasH5py = havePython("h5py", "python3-h5py");
const dir = mkdtempSync(join(tmpdir(), "phasor-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 4 classes: each fires its own band of 40 channels (odd classes 20 ms later) in an 80 ms sample, plus noise.
const WRITE = `
import sys, h5py, numpy as np
rng = np.random.default_rng(1)
n = int(sys.argv[2])
with h5py.File(sys.argv[1], "w") as f:
    times = f.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.float16))
    units = f.create_dataset("spikes/units", (n,), dtype=h5py.vlen_dtype(np.uint16))
    labels = np.arange(n) % 4
    for i, c in enumerate(labels):
        k = rng.integers(60, 90)
        u = rng.integers(100 + 120 * c, 140 + 120 * c, k)
        t = rng.uniform(0.005, 0.035, k) + 0.02 * (c % 2)
        nu = rng.integers(0, 700, 30); nt = rng.uniform(0, 0.08, 30)
        u = np.concatenate([u, nu]); t = np.concatenate([t, nt]); o = np.argsort(t)
        times[i] = t[o].astype(np.float16); units[i] = u[o].astype(np.uint16)
    f.create_dataset("labels", data=labels.astype(np.uint16))
`;

const cfg: ModelConfig = {
  inputs: 700, dt: 2e-3,
  layers: [
    { name: "hidden", kind: "LIF", units: 48, tau: 10e-3, v_threshold: 0.5 },
    { name: "readout", kind: "LI", units: 4, tau: 20e-3 },
  ],
};
const batchOpts = { batchSize: 16, steps: 40, dtUs: 2000 };

describe.skipIf(!hasH5py)("training on a synthetic SHD-format task", () => {
  const file = join(dir, "shd_train.h5");
  it("writes and reads the SHD layout (float16 times)", async () => {
    const r = spawnSync(systemPython, ["-c", WRITE, file, "96"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const ds = await readHeidelbergFile(file);
    expect(ds.length).toBe(96);
    const s = ds.get(5);
    expect(s.label).toBe(1);
    expect(s.events.t.length).toBeGreaterThan(80);
    expect(Math.max(...s.events.t)).toBeLessThanOrEqual(80_000);
    ds.close();
  });

  it("learns well above chance in seconds; a fixed seed gives identical losses", async () => {
    const backend = await useBackend("cpu");
    const ds = await readHeidelbergFile(file);
    const run = async () => {
      const m = spikingModel(cfg, { seed: 7, scale: 8 });
      const r = await fit(m, ds, { ...batchOpts, epochs: 12, seed: 3, optimizer: { name: "adam", lr: 1e-2 }, trainIndices: range(0, 64), validation: { indices: range(64, 96) } });
      m.dispose();
      return r;
    };
    const a = await run();
    const b = await run();
    expect(a.backend).toBe(backend.name);
    expect(a.stepLosses).toEqual(b.stepLosses);
    const last = a.history[a.history.length - 1];
    expect(last.valAccuracy).toBeGreaterThan(0.75); // chance is 0.25
    ds.close();
  }, 120_000);

  it("exported to NIR and back, the reference simulator gives the TF.js spikes", async () => {
    await useBackend("cpu");
    const ds = await readHeidelbergFile(file);
    const m = spikingModel({ ...cfg, layers: [{ ...cfg.layers[0], recurrent: true }, { name: "out", kind: "LIF", units: 4, tau: 20e-3, v_threshold: 0.05 }] }, { seed: 2, scale: 16 });
    await fit(m, ds, { ...batchOpts, epochs: 1, seed: 1, trainIndices: range(0, 32) });
    const b = batches(ds, { ...batchOpts, batchSize: 4, shuffle: false }).next().value!;
    const r = m.forward(tf.tensor3d(b.x, b.shape));
    const want = { hidden: r.spikes.hidden.arraySync(), out: r.spikes.out.arraySync() };
    const nirFile = join(dir, "model.nir");
    await writeNir(modelToGraph(m), nirFile);
    const g = await readNir(nirFile);
    const sim = simulate(g, { dt: cfg.dt, input: { data: b.x, shape: b.shape }, reset: "zero" });
    let total = 0;
    for (const layer of ["hidden", "out"] as const) {
      const got = new Set(sim.spikes[layer].map((s) => s.join(",")));
      const ref = new Set<string>();
      want[layer].forEach((step, t) => step.forEach((row, bb) => row.forEach((v, n) => { if (v) ref.add(`${t},${bb},${n}`); })));
      expect(got).toEqual(ref);
      total += ref.size;
    }
    expect(total).toBeGreaterThan(10);
    const back = graphToModel(g);
    expect(back.config.dt).toBe(cfg.dt);
    expect(Array.from(back.forward(tf.tensor3d(b.x, b.shape)).output.dataSync())).toEqual(Array.from(r.output.dataSync()));
    ds.close();
  }, 120_000);

  it("resumes from a checkpoint to the same result as an uninterrupted run", async () => {
    await useBackend("cpu");
    const ds = await readHeidelbergFile(file);
    const opts = { ...batchOpts, seed: 5, trainIndices: range(0, 32), optimizer: { name: "adam", lr: 5e-3 } };
    const full = await fit(spikingModel(cfg, { seed: 1, scale: 8 }), ds, { ...opts, epochs: 2 });
    const ckpt = join(dir, "ckpt.json");
    const first = await fit(spikingModel(cfg, { seed: 1, scale: 8 }), ds, { ...opts, epochs: 1, checkpoint: ckpt });
    const rest = await fit(spikingModel(cfg, { seed: 99, scale: 8 }), ds, { ...opts, epochs: 2, checkpoint: ckpt, resume: true });
    expect([...first.stepLosses, ...rest.stepLosses]).toEqual(full.stepLosses);
    ds.close();
  }, 120_000);
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
