/**
 * Rematerialisation over time: with `remat: K` the loss and every gradient equal those of
 * plain BPTT (op composition and fused kernels), including truncated BPTT and recurrent,
 * current-based layers; and the peak tensor memory of a forward+backward step is lower.
 * Peak memory is tf.memory().numBytes sampled just before every tensor disposal (memory only
 * falls at a disposal, so that is where its maxima are); tf.profile cannot be used because it
 * fails on kernels nested inside a customGrad.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { Rng } from "../lib/ir/random.js";
import { useBackend } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { losses } from "../lib/train/losses.js";
import { spikingModel, type ForwardOptions } from "../lib/train/model.js";

/** Runs f and returns the highest tf.memory().numBytes above the starting level. */
function peakBytes(f: () => void): number {
  const eng = tf.engine();
  const dispose = eng.disposeTensor;
  const base = tf.memory().numBytes;
  let peak = base;
  eng.disposeTensor = function (t: tf.Tensor) {
    peak = Math.max(peak, tf.memory().numBytes);
    dispose.call(this, t);
  };
  try {
    f();
  } finally {
    eng.disposeTensor = dispose;
  }
  return Math.max(peak, tf.memory().numBytes) - base;
}

function step(cfg: ModelConfig, o: ForwardOptions, T = 30): { loss: number; grads: Record<string, Float32Array>; peak: number } {
  const rng = new Rng(9);
  const x = tf.tensor3d(Float32Array.from({ length: T * 4 * cfg.inputs }, () => (rng.random() < 0.2 ? 1 : 0)), [T, 4, cfg.inputs]);
  const labels = tf.tensor1d([0, 1, 2, 1]);
  const m = spikingModel(cfg, { seed: 3, scale: 4 });
  let loss = 0;
  const grads: Record<string, Float32Array> = {};
  const peak = peakBytes(() => {
    const r = tf.variableGrads(() => losses.get("ce-max-membrane").loss(m.forward(x, o), labels), m.trainable());
    loss = r.value.dataSync()[0];
    for (const [k, v] of Object.entries(m.variables)) grads[k] = Float32Array.from(r.grads[v.name].dataSync());
    tf.dispose([r.value, ...Object.values(r.grads)]);
  });
  tf.dispose([x, labels]);
  m.dispose();
  return { loss, grads, peak };
}

function expectClose(a: Float32Array, b: Float32Array): void {
  let worst = 0, scale = 1e-6;
  for (let i = 0; i < a.length; i++) { worst = Math.max(worst, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  expect(worst / scale).toBeLessThan(1e-5);
}

const cfg = (kind: "LIF" | "CubaLIF", recurrent: boolean, reset: "zero" | "subtract", units = 10): ModelConfig => ({
  inputs: 12, dt: 1e-3, reset,
  layers: [
    { name: "h", kind, units, tau: 5e-3, tau_mem: 5e-3, tau_syn: 3e-3, v_threshold: 0.3, recurrent, bias: true, surrogate: "arctan" },
    { name: "out", kind: "LI", units: 3, tau: 10e-3 },
  ],
});

describe("rematerialisation over time (remat)", () => {
  const cases: [string, ModelConfig, number][] = [
    ["LIF", cfg("LIF", false, "zero"), 0],
    ["recurrent CubaLIF, subtract reset", cfg("CubaLIF", true, "subtract"), 0],
    ["recurrent LIF, truncated BPTT (5)", cfg("LIF", true, "zero"), 5],
  ];
  for (const [name, c, truncate] of cases) {
    it(`${name}: remat 7 gives the loss and gradients of plain BPTT (ops and fused kernels)`, async () => {
      await useBackend("cpu");
      const ops = step(c, { kernels: false, truncate });
      const fused = step(c, { kernels: true, truncate });
      const remat = step(c, { remat: 7, truncate });
      expect(Object.values(ops.grads).some((g) => g.some((v) => v !== 0))).toBe(true);
      expect(remat.loss).toBeCloseTo(ops.loss, 6);
      for (const k of Object.keys(ops.grads)) {
        expectClose(remat.grads[k], ops.grads[k]);
        expectClose(fused.grads[k], ops.grads[k]);
      }
    });
  }

  it("lowers peak tensor memory of a training step", async () => {
    await useBackend("cpu");
    const c = cfg("LIF", true, "zero", 64);
    const ops = step(c, { kernels: false }, 100);
    const fused = step(c, { kernels: true }, 100);
    const remat = step(c, { remat: 10 }, 100);
    // Recorded (cpu, T = 100, B = 4, 64 recurrent units, remat 10): ops 8.21 MB, fused 1.35 MB, remat 0.98 MB.
    expect(remat.peak).toBeLessThan(ops.peak / 4);
    expect(remat.peak).toBeLessThan(fused.peak);
  });

  it("rejects a remat interval that is not a whole number of steps", async () => {
    await useBackend("cpu");
    expect(() => step(cfg("LIF", false, "zero"), { remat: 2.5 })).toThrow(/remat: must be a whole number/);
  });
});
