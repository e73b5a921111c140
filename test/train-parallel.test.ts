/**
 * Data-parallel training over worker threads: with the same seed and global batch, 1 and 2
 * workers (and the in-process trainer) follow the same loss trajectory. The losses are batch
 * means of per-sample terms and the shard gradients are averaged weighted by shard size, so
 * the trajectories agree exactly up to float summation order; we assert 1e-4 relative (the
 * observed gap is ~1e-6). Needs a build (the worker runs dist/lib/train/worker.js).
 */
import { describe, expect, it } from "vitest";
import { arrayDataset, events, type EventSample } from "../lib/data/events.js";
import { Rng } from "../lib/ir/random.js";
import { useBackend } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { spikingModel } from "../lib/train/model.js";
import { shardOf, shardSizes } from "../lib/train/parallel.js";
import { fit, type FitOptions } from "../lib/train/trainer.js";

/** 4 classes, each firing its own band of 10 channels at random times over 30 ms. */
function bands(n: number, seed: number): EventSample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = i % 4;
    const t = Array.from({ length: 60 }, () => Math.floor(rng.random() * 30_000)).sort((a, b) => a - b);
    return { label: c, events: events({ t, x: t.map(() => c * 10 + Math.floor(rng.random() * 10)) }) };
  });
}

const cfg: ModelConfig = {
  inputs: 40, dt: 1e-3,
  layers: [{ name: "h", kind: "LIF", units: 32, tau: 10e-3, v_threshold: 0.5, recurrent: true }, { name: "o", kind: "LI", units: 4, tau: 20e-3 }],
};

function expectSameTrajectory(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]) / Math.abs(b[i])).toBeLessThan(1e-4);
}

describe("data-parallel training over worker threads", () => {
  const ds = arrayDataset(bands(60, 1), [40, 1, 1]);
  // Batch 15 over 2 workers shards 8 + 7: an unweighted average would give a different gradient.
  const opts: FitOptions = { batchSize: 15, steps: 30, dtUs: 1000, epochs: 3, seed: 2, optimizer: { name: "adam", lr: 1e-2 } };
  const run = (workers: number) => fit(spikingModel(cfg, { seed: 3, scale: 4 }), ds, { ...opts, workers });

  it("shards a batch into contiguous, size-balanced pieces along the batch axis", () => {
    expect(shardSizes(15, 2)).toEqual([8, 7]);
    expect(shardSizes(3, 4)).toEqual([1, 1, 1, 0]);
    const b = { x: Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i), shape: [2, 3, 2] as [number, number, number], labels: Float32Array.from([7, 8, 9]) };
    const s = shardOf(b, 1, 2);
    expect(s.shape).toEqual([2, 2, 2]);
    expect(Array.from(s.x)).toEqual([2, 3, 4, 5, 8, 9, 10, 11]);
    expect(Array.from(s.labels)).toEqual([8, 9]);
  });

  it("2 workers follow the 1-worker (and in-process) loss trajectory for the same seed and global batch", async () => {
    await useBackend("cpu");
    const inProcess = await run(0);
    const one = await run(1);
    const two = await run(2);
    expect(one.where).toBe("1 worker (cpu)");
    expect(two.where).toBe("2 workers (cpu, cpu)");
    expect(two.stepLosses.length).toBe(12);
    expectSameTrajectory(two.stepLosses, one.stepLosses);
    expectSameTrajectory(one.stepLosses, inProcess.stepLosses);
    // The weights after training agree too, so the model returned is usable as is.
    const w1 = one.model.getWeights()["h.weight"].data, w2 = two.model.getWeights()["h.weight"].data;
    let worst = 0;
    for (let i = 0; i < w1.length; i++) worst = Math.max(worst, Math.abs(w1[i] - w2[i]));
    expect(worst).toBeLessThan(1e-4);
    // And it learns (not a trajectory that trivially stays put).
    expect(two.stepLosses[11]).toBeLessThan(two.stepLosses[0]);
  }, 120_000);

  it("rejects a bad worker count", async () => {
    await useBackend("cpu");
    await expect(run(-1)).rejects.toThrow(/workers: must be a positive integer/);
  });
});
