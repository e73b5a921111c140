/**
 * Training features a user relies on that the end-to-end tests do not pin down: QAT (fake
 * quantisation with a straight-through gradient; exported weights on the grid; still learns),
 * early stopping, the firing-rate regulariser, and the mse-count loss.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { batches } from "../lib/data/batching.js";
import { arrayDataset, events, type EventSample } from "../lib/data/events.js";
import { Rng } from "../lib/ir/random.js";
import type { Graph } from "../lib/ir/graph.js";
import { useBackend } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { modelToGraph } from "../lib/train/export.js";
import { losses, rateRegularisation } from "../lib/train/losses.js";
import { spikingModel, type ForwardResult } from "../lib/train/model.js";
import { fakeQuant } from "../lib/train/quant.js";
import { evaluate, fit } from "../lib/train/trainer.js";

function bands(n: number, seed: number): EventSample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = i % 4;
    const t = Array.from({ length: 60 }, () => Math.floor(rng.random() * 30_000)).sort((a, b) => a - b);
    return { label: c, events: events({ t, x: t.map(() => c * 10 + Math.floor(rng.random() * 10)) }) };
  });
}
const ds = arrayDataset(bands(64, 1), [40, 1, 1]);
const cfg: ModelConfig = { inputs: 40, dt: 1e-3, layers: [{ name: "h", kind: "LIF", units: 24, tau: 10e-3, v_threshold: 0.5 }, { name: "o", kind: "LI", units: 4, tau: 20e-3 }] };
const opts = { batchSize: 16, steps: 30, dtUs: 1000, seed: 2, trainIndices: range(0, 48) };

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

describe("quantisation-aware training", () => {
  it("fake quantisation rounds to 2^(bits-1)-1 levels forward and passes the gradient straight through", async () => {
    await useBackend("cpu");
    const x = tf.tensor1d([0.6, -0.25, 0.13, 0.02]); // 3 bits: levels -3..3 of 0.6 / 3
    expect(Array.from(fakeQuant(x, 3).dataSync()).map((v) => +v.toFixed(5))).toEqual([0.6, -0.2, 0.2, 0]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuant(v, 3), tf.tensor1d([1, 2, 3, 4]))))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
  });

  it("a 4-bit model still learns, and its exported weights lie on the 4-bit grid", async () => {
    await useBackend("cpu");
    const q = { ...cfg, weightBits: 4 };
    const m = spikingModel(q, { seed: 3, scale: 4 });
    const r = await fit(m, ds, { ...opts, epochs: 8, optimizer: { name: "adam", lr: 1e-2 } });
    const acc = evaluate(m, ds, { ...opts, indices: range(48, 64), loss: "ce-max-membrane" }).valAccuracy;
    expect(acc).toBeGreaterThan(0.6); // chance 0.25
    expect(r.stepLosses[r.stepLosses.length - 1]).toBeLessThan(r.stepLosses[0]);
    const g: Graph = modelToGraph(m);
    for (const name of ["h_syn", "o_syn"]) {
      const node = g.nodes[name];
      if (node.type !== "Linear") throw new Error(`${name} is ${node.type}`);
      const w = Array.from(node.weight.data);
      const step = Math.max(...w.map(Math.abs)) / 7;
      const levels = new Set(w.map((v) => Math.round(v / step)));
      for (const v of w) expect(Math.abs(v / step - Math.round(v / step))).toBeLessThan(1e-4);
      expect([...levels].every((l) => Math.abs(l) <= 7)).toBe(true);
      expect(levels.size).toBeGreaterThan(4); // uses the grid, not just 0 and the extremes
    }
  }, 60_000);
});

describe("early stopping", () => {
  it("stops once the monitored value has not improved for `patience` epochs", async () => {
    await useBackend("cpu");
    // lr 0: the loss never improves after the first epoch, so patience 2 stops after epoch 3.
    const r = await fit(spikingModel(cfg, { seed: 3, scale: 4 }), ds, { ...opts, epochs: 20, optimizer: { name: "sgd", lr: 0 }, earlyStopping: { patience: 2, monitor: "loss" } });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBe(3);
    const improving = await fit(spikingModel(cfg, { seed: 3, scale: 4 }), ds, { ...opts, epochs: 3, optimizer: { name: "adam", lr: 1e-2 }, earlyStopping: { patience: 1, minDelta: 0 } });
    expect(improving.stoppedEarly).toBe(false);
  }, 60_000);
});

describe("firing-rate regulariser", () => {
  it("penalises squared excursions of the batch-mean rate outside [lower, upper], times strength", async () => {
    await useBackend("cpu");
    // Neuron rates over T=2, B=2: [1, 0.25, 0] (spikes per step).
    const s = tf.tensor3d([[[1, 1, 0], [1, 0, 0]], [[1, 0, 0], [1, 0, 0]]]);
    const r: ForwardResult = { output: s, spikes: { h: s }, membrane: {} };
    const v = rateRegularisation(r, { lower: 0.1, upper: 0.5, strength: 3 }).dataSync()[0];
    expect(v).toBeCloseTo(3 * ((1 - 0.5) ** 2 + 0 + 0.1 ** 2) / 3, 6);
  });

  it("training with an upper bound lowers the hidden firing rate", async () => {
    await useBackend("cpu");
    const rate = async (strength: number) => {
      const m = spikingModel(cfg, { seed: 3, scale: 8 });
      await fit(m, ds, { ...opts, epochs: 4, optimizer: { name: "adam", lr: 1e-2 }, regularise: { upper: 0.005, strength } });
      const b = batches(ds, { ...opts, batchSize: 64, shuffle: false }).next().value!;
      return tf.mean(m.forward(tf.tensor3d(b.x, b.shape)).spikes.h).dataSync()[0];
    };
    const free = await rate(0), held = await rate(1000);
    // Recorded: 0.0207 spikes per step without the regulariser, 0.0124 with it.
    expect(held).toBeLessThan(free * 0.7);
  }, 60_000);
});

describe("mse-count", () => {
  it("is the mean squared error between spike counts and 10 (label) / 0 (others)", async () => {
    await useBackend("cpu");
    const out = tf.tensor3d([[[1, 0], [0, 1]], [[1, 1], [0, 1]]]); // counts: [[2, 1], [0, 2]]
    const r: ForwardResult = { output: out, spikes: {}, membrane: {} };
    const v = losses.get("mse-count").loss(r, tf.tensor1d([0, 1])).dataSync()[0];
    expect(v).toBeCloseTo(((2 - 10) ** 2 + 1 + 0 + (2 - 10) ** 2) / 4, 5);
  });
});
