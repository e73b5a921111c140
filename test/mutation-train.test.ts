// Surrogate gradients and the fused neuron scan against values worked out by hand: each
// surrogate's derivative at chosen points (snnTorch's fast_sigmoid 1/(k|x|+1)^2 and atan
// (k/2)/(1+(pi/2 k x)^2), snntorch/surrogate.py), the scan's forward dynamics, resets, recurrent
// input and batch, and its backward pass (BPTT, truncation, detached reset, recurrent weights).
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import { useBackend } from "../lib/train/backend.js";
import { registerSurrogate, spikeFn, stopGradient, surrogateDerivative, surrogates } from "../lib/train/surrogates.js";
import { scanBackward, scanForward, type ScanParams, type ScanSpec } from "../lib/train/kernels/scan.js";
import { neuronScan, NEURON_SCAN, type ScanAttrs } from "../lib/train/kernels/neuron-scan.js";

const near = (a: ArrayLike<number>, b: number[], digits = 5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i], digits);
};
const d = (name: string, x: number, k?: number) => { const s = surrogates.get(name); return s.derivative(x, k ?? s.defaultSlope); };

beforeAll(async () => { await useBackend("cpu"); });

describe("surrogate derivatives", () => {
  test("fast sigmoid 1/(k|x|+1)^2, default k = 25 (snnTorch's)", () => {
    expect(surrogates.get("fast-sigmoid").defaultSlope).toBe(25);
    expect([d("fast-sigmoid", 0), d("fast-sigmoid", 0.04), d("fast-sigmoid", -0.04), d("fast-sigmoid", 0.12)]).toEqual([1, 0.25, 0.25, 1 / 16]);
    expect(d("fast-sigmoid", 0.5, 2)).toBeCloseTo(0.25, 12);
  });

  test("arctan (k/2)/(1+(pi/2 k x)^2), default k = 2 (snnTorch's atan alpha)", () => {
    expect(surrogates.get("arctan").defaultSlope).toBe(2);
    expect(d("arctan", 0)).toBe(1);
    expect(d("arctan", 1 / Math.PI)).toBeCloseTo(0.5, 12);
    expect(d("arctan", -1 / Math.PI)).toBeCloseTo(0.5, 12);
    expect(d("arctan", 0, 4)).toBe(2);
    expect(d("arctan", 1 / Math.PI, 4)).toBeCloseTo(2 / 5, 12);
  });

  test("triangle k max(0, 1 - k|x|), default k = 1; straight-through 1 everywhere", () => {
    expect(surrogates.get("triangle").defaultSlope).toBe(1);
    expect([d("triangle", 0), d("triangle", 0.5), d("triangle", -0.25), d("triangle", 2), d("triangle", -2)]).toEqual([1, 0.5, 0.75, 0, 0]);
    expect(d("triangle", 0.25, 2)).toBe(1);
    expect(surrogates.get("straight-through").defaultSlope).toBe(1);
    expect([d("straight-through", -3), d("straight-through", 0), d("straight-through", 7)]).toEqual([1, 1, 1]);
  });

  test("the tensor form of each built-in equals its scalar form", () => {
    const xs = [-2, -0.3, -0.04, 0, 0.04, 0.3, 2];
    for (const name of ["fast-sigmoid", "arctan", "triangle", "straight-through"]) for (const k of [1, 3]) {
      const got = surrogateDerivative(name, tf.tensor2d(xs, [7, 1]), k);
      expect(got.shape).toEqual([7, 1]);
      near(got.dataSync(), xs.map((x) => d(name, x, k)));
    }
  });

  test("a user surrogate without a tensor form is mapped element by element, shape kept; a duplicate name is refused", () => {
    registerSurrogate("mutation-linear", { doc: "k x + 1", defaultSlope: 3, derivative: (x, k) => k * x + 1 });
    const got = surrogateDerivative("mutation-linear", tf.tensor2d([1, 2, -1, 0], [2, 2]), 3);
    expect(got.shape).toEqual([2, 2]);
    expect(got.dtype).toBe("float32");
    near(got.dataSync(), [4, 7, -2, 1]);
    expect(() => registerSurrogate("fast-sigmoid", { doc: "", defaultSlope: 1, derivative: () => 0 }))
      .toThrow('surrogate gradient "fast-sigmoid" is already registered');
  });
});

describe("spikeFn and stopGradient", () => {
  test("forward: H(x) with H(0) = 0; backward: dy times the surrogate at the given or default slope", () => {
    const x = tf.tensor1d([-1, 0, 0.04, 0.5]);
    near(spikeFn("fast-sigmoid")(x).dataSync(), [0, 0, 1, 1]);
    const dy = tf.tensor1d([1, 2, 3, 4]);
    const grad = (f: (x: tf.Tensor) => tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(x).dataSync();
    near(grad(spikeFn("fast-sigmoid")), [1 / 26 ** 2, 2, 3 * 0.25, 4 / 13.5 ** 2]);
    near(grad(spikeFn("fast-sigmoid", 1)), [1 / 4, 2, 3 / 1.04 ** 2, 4 / 2.25]);
    near(grad(spikeFn("straight-through")), [1, 2, 3, 4]);
  });

  test("one spike function per name and slope", () => {
    expect(spikeFn("arctan", 2)).toBe(spikeFn("arctan"));
    expect(spikeFn("arctan", 3)).not.toBe(spikeFn("arctan"));
    expect(spikeFn("triangle", 2)).not.toBe(spikeFn("arctan", 2));
  });

  test("stopGradient: identity forward, zero gradient", () => {
    const x = tf.tensor1d([1.5, -2]);
    near(stopGradient(x).dataSync(), [1.5, -2]);
    near(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), 3)))(x).dataSync(), [0, 0]);
  });
});

/** Per-neuron coefficients from plain numbers (one value each, or a list per neuron). */
function params(N: number, o: Partial<Record<keyof ScanParams, number | number[]>>): ScanParams {
  const f = (k: keyof ScanParams, dflt: number) => {
    const v = o[k] ?? dflt;
    return Float32Array.from(Array.isArray(v) ? v : new Array(N).fill(v));
  };
  return { a: f("a", 1), c: f("c", 1), b: f("b", 0), as: f("as", 0), cs: f("cs", 1), thr: f("thr", 1), v0: f("v0", 0), vr: f("vr", 0) };
}
const spec = (T: number, B: number, N: number, o: Partial<ScanSpec> = {}): ScanSpec =>
  ({ T, B, N, spiking: true, synaptic: false, reset: "zero", truncate: 0, surrogate: () => 1, ...o });
function forward(p: ScanParams, s: ScanSpec, x: number[], wr?: number[]) {
  const out = new Float32Array(x.length), vpre = new Float32Array(x.length);
  scanForward(p, s, Float32Array.from(x), wr && Float32Array.from(wr), out, vpre);
  return { out, vpre };
}
function backward(p: ScanParams, s: ScanSpec, x: number[], dOut: number[], wr?: number[]) {
  const { out, vpre } = forward(p, s, x, wr);
  const dx = new Float32Array(x.length).fill(NaN), dwr = wr ? new Float32Array(wr.length).fill(NaN) : undefined;
  scanBackward(p, s, Float32Array.from(dOut), out, vpre, wr && Float32Array.from(wr), dx, dwr);
  return { dx, dwr };
}

describe("scan forward", () => {
  // v'_t = 0.5 v + x_t + 0.1, threshold 1, from v0 = 0.2; x = 1, 0.2, 0.9, 0.
  const lif = params(1, { a: 0.5, b: 0.1, v0: 0.2, vr: -0.5 });
  const x = [1, 0.2, 0.9, 0];

  test("LIF, reset to v_reset: v' 1.2 (spike, v = -0.5), 0.05, 1.025 (spike), -0.15", () => {
    const r = forward(lif, spec(4, 1, 1), x);
    near(r.out, [1, 0, 1, 0]);
    near(r.vpre, [1.2, 0.05, 1.025, -0.15]);
  });

  test("LIF, reset by subtraction: v' 1.2 (spike, v = 0.2), 0.4, 1.2 (spike), 0.2", () => {
    const r = forward(lif, spec(4, 1, 1, { reset: "subtract" }), x);
    near(r.out, [1, 0, 1, 0]);
    near(r.vpre, [1.2, 0.4, 1.2, 0.2]);
  });

  test("a membrane exactly at threshold does not spike; a non-spiking layer outputs its membrane", () => {
    near(forward(params(1, { a: 0 }), spec(2, 1, 1), [1, 1.5]).out, [0, 1]);
    const li = forward(lif, spec(4, 1, 1, { spiking: false }), x);
    near(li.out, [1.2, 0.9, 1.45, 0.825]);
    near(li.vpre, [1.2, 0.9, 1.45, 0.825]);
  });

  test("synaptic: v' = a v + c i_(t-1) + b, then i = as i + cs x (the current reaches v a step later)", () => {
    const p = params(1, { a: 0.5, as: 0.5, cs: 2, thr: 10 });
    near(forward(p, spec(3, 1, 1, { synaptic: true }), [1, 0, 0]).vpre, [0, 2, 2]);
    // With a bias of 0.5: 0.5, then 0.25 + 2 + 0.5, then 1.375 + 1 + 0.5.
    near(forward(params(1, { a: 0.5, as: 0.5, cs: 2, thr: 10, b: 0.5 }), spec(3, 1, 1, { synaptic: true }), [1, 0, 0]).vpre, [0.5, 2.75, 2.875]);
  });

  test("per-neuron coefficients and per-batch-entry state: B = 2, N = 2, each from its own v0", () => {
    const p = params(2, { a: [0.5, 1], c: [1, 2], b: [0, 0.25], thr: [0.9, 10], v0: [1, 2] });
    // batch 0: x = (0, 0) then (1, 1); batch 1: x = (0.5, 0) then (0, 0). Layout [T, B, N].
    const r = forward(p, spec(2, 2, 2), [0, 0, 0.5, 0, 1, 1, 0, 0]);
    // t0: n0 0.5 | 1.0 (spike -> 0); n1 2.25 | 2.25. t1: n0 0.25 + 1 = 1.25 (spike) | 0; n1 2.25 + 2 + 0.25 | 2.5.
    near(r.vpre, [0.5, 2.25, 1, 2.25, 1.25, 4.5, 0, 2.5]);
    near(r.out, [0, 0, 1, 0, 1, 0, 0, 0]);
  });

  test("recurrent input: last step's spikes add their rows of Wr (row k: from neuron k), per batch entry", () => {
    const p = params(2, { a: 0, thr: 0.5 });
    const wr = [0, 2, 3, 0];
    // Batch 0: x (1, 0) at t0 -> s (1, 0); t1 gets row 0 = (0, 2) -> s (0, 1); t2 gets row 1 = (3, 0) -> s (1, 0).
    // Batch 1: no input, never spikes.
    const r = forward(p, spec(3, 2, 2), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], wr);
    near(r.vpre, [1, 0, 0, 0, 0, 2, 0, 0, 3, 0, 0, 0]);
    near(r.out, [1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
  });
});

describe("scan backward", () => {
  test("non-spiking, non-synaptic: dx_t = c sum_(s >= t) a^(s-t) dOut_s; a truncation window cuts the sum", () => {
    const p = params(1, { a: 0.5, c: 2 }), s = spec(3, 1, 1, { spiking: false });
    near(backward(p, s, [0, 0, 0], [1, 1, 1]).dx, [3.5, 3, 2]);
    near(backward(p, { ...s, truncate: 2 }, [0, 0, 0], [1, 1, 1]).dx, [3, 2, 2]);
  });

  test("synaptic: x_t reaches the output through i_t one step later (dx_0 = c cs, dx_last = 0); a cut at t stops x_(t-1) too", () => {
    const p = params(1, { a: 0.5, c: 1, as: 0.5, cs: 2 }), s = spec(2, 1, 1, { spiking: false, synaptic: true });
    near(backward(p, s, [0, 0], [1, 1]).dx, [2, 0]);
    near(backward(p, spec(3, 1, 1, { spiking: false, synaptic: true }), [0, 0, 0], [0, 0, 1]).dx, [2, 2, 0]);
    near(backward(p, spec(3, 1, 1, { spiking: false, synaptic: true, truncate: 2 }), [0, 0, 0], [0, 0, 1]).dx, [0, 0, 0]);
  });

  test("spiking: the surrogate at v' - thr; the reset to zero is detached, subtraction passes the gradient on", () => {
    // x = 1.2, 0: spike at t0 (v' 1.2), none at t1 (v' 0 after reset to 0, or 0.1 after subtracting 1).
    const p = params(1, { a: 0.5 }), fast = (u: number) => d("fast-sigmoid", u, 1);
    near(backward(p, spec(2, 1, 1), [1.2, 0], [0, 1]).dx, [0, 1]);
    near(backward(p, spec(2, 1, 1, { reset: "subtract" }), [1.2, 0], [0, 1]).dx, [0.5, 1]);
    near(backward(p, spec(2, 1, 1, { surrogate: fast }), [1.2, 0], [1, 0]).dx, [1 / 1.44, 0]);
    near(backward(p, spec(2, 1, 1, { surrogate: fast }), [1.2, 0], [0, 1]).dx, [0, 1 / 4]);
    near(backward(p, spec(2, 1, 1, { surrogate: fast, reset: "subtract" }), [1.2, 0], [0, 1]).dx, [0.5 / 1.9 ** 2, 1 / 1.9 ** 2]);
  });

  test("recurrent: dWr = sum_t s_(t-1)^T dx_t; the spike at t-1 gets dx_t . Wr row; truncation stops only the latter", () => {
    // One neuron, Wr = 0.5, threshold 0.5: x = 1 spikes at t0; t1 gets 0.5 (no spike). dOut = (0, 1).
    const p = params(1, { a: 0, thr: 0.5 });
    const full = backward(p, spec(2, 1, 1), [1, 0], [0, 1], [0.5]);
    near(full.dx, [0.5, 1]);
    near(full.dwr!, [1]);
    const cut = backward(p, spec(2, 1, 1, { truncate: 1 }), [1, 0], [0, 1], [0.5]);
    near(cut.dx, [0, 1]);
    near(cut.dwr!, [1]);
    // Without a buffer for dWr the input gradient is the same.
    const { out, vpre } = forward(p, spec(2, 1, 1), [1, 0], [0.5]), dx = new Float32Array(2);
    scanBackward(p, spec(2, 1, 1), Float32Array.of(0, 1), out, vpre, Float32Array.of(0.5), dx, undefined);
    near(dx, [0.5, 1]);
  });

  test("recurrent with two neurons and two batch entries: each entry's spikes and gradients kept apart", () => {
    const p = params(2, { a: 0, thr: 0.5 }), wr = [0, 2, 3, 0];
    // Batch 0 spikes (1, 0) at t0 only matters; batch 1 spikes (0, 1) at t0. dOut at t1 = (1, 0) and (0, 1).
    const x = [1, 0, 0, 1, 0, 0, 0, 0], dOut = [0, 0, 0, 0, 1, 0, 0, 1];
    const r = backward(p, spec(2, 2, 2), x, dOut, wr);
    // t1: dx = dOut (straight-through, no later step); dWr row 0 += (1, 0) from batch 0, row 1 += (0, 1) from batch 1.
    // t0: batch 0 neuron 0 gets dx_1 . Wr row 0 = (1, 0).(0, 2) = 0; batch 1 neuron 1 gets (0, 1).(3, 0) = 0;
    // batch 0 neuron 1 gets (1, 0).(3, 0) = 3; batch 1 neuron 0 gets (0, 1).(0, 2) = 2.
    near(r.dx, [0, 3, 2, 0, 1, 0, 0, 1]);
    near(r.dwr!, [1, 0, 0, 1]);
  });
});

describe("the scan as a TF.js kernel", () => {
  const attrs = (o: Partial<ScanAttrs> = {}): ScanAttrs => ({
    a: [0.5], c: [1], b: [0], as: [0], cs: [1], thr: [1], v0: [0], vr: [0],
    spiking: true, synaptic: false, reset: "zero", truncate: 0, surrogate: "fast-sigmoid", slope: 1, ...o,
  });
  const x = () => tf.tensor3d([1.2, 0], [2, 1, 1]);
  const gradOf = (a: ScanAttrs, dOut: number[]) =>
    tf.grad((v: tf.Tensor) => tf.sum(tf.mul(neuronScan(v as tf.Tensor3D, a)[0], tf.tensor3d(dOut, [2, 1, 1]))))(x()).dataSync();

  test("forward through the kernel: spikes and the membrane before reset", () => {
    const [out, vpre] = neuronScan(x(), attrs());
    near(out.dataSync(), [1, 0]);
    near(vpre.dataSync(), [1.2, 0]);
    near(neuronScan(x(), attrs({ reset: "subtract" }))[1].dataSync(), [1.2, 0.1]);
    near(neuronScan(x(), attrs({ spiking: false }))[0].dataSync(), [1.2, 0.6]);
    near(neuronScan(x(), attrs({ synaptic: true, spiking: false, as: [0.5] }))[0].dataSync(), [0, 1.2]);
  });

  test("the gradient uses the named surrogate at the layer's slope (the registry's one definition)", () => {
    near(gradOf(attrs(), [1, 0]), [1 / 1.44, 0]);
    near(gradOf(attrs({ slope: 2 }), [1, 0]), [1 / 1.4 ** 2, 0]);
    near(gradOf(attrs({ surrogate: "straight-through" }), [0, 1]), [0, 1]);
    near(gradOf(attrs({ surrogate: "arctan", slope: 2 }), [1, 0]), [1 / (1 + (Math.PI * 0.2) ** 2), 0]);
    near(gradOf(attrs({ surrogate: "straight-through", reset: "subtract" }), [0, 1]), [0.5, 1]);
    near(gradOf(attrs({ surrogate: "straight-through", truncate: 1, reset: "subtract" }), [0, 1]), [0, 1]);
  });

  test("recurrent kernel: gradients for x and Wr", () => {
    const a = attrs({ a: [0], thr: [0.5], surrogate: "straight-through" });
    const xs = tf.tensor3d([1, 0], [2, 1, 1]), wr = tf.tensor2d([0.5], [1, 1]), dOut = tf.tensor3d([0, 1], [2, 1, 1]);
    const [gx, gw] = tf.grads((v: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(neuronScan(v as tf.Tensor3D, a, w as tf.Tensor2D)[0], dOut)))([xs, wr]);
    near(gx.dataSync(), [0.5, 1]);
    near(gw.dataSync(), [1]);
  });

  test("attributes: defaults (no spikes, reset to zero, full BPTT, fast sigmoid at 25) and a bad coefficient named", () => {
    const bare = { a: [0.5], c: [1], b: [0], as: [0], cs: [1], thr: [1], v0: [0], vr: [0] };
    const run = (o: object) => tf.engine().runKernel(NEURON_SCAN, { x: x() }, o as never) as tf.Tensor[];
    near(run(bare)[0].dataSync(), [1.2, 0.6]); // not spiking unless spiking: true
    near(run({ ...bare, spiking: true })[1].dataSync(), [1.2, 0]); // reset to zero
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul((tf.engine().runKernel(NEURON_SCAN, { x: v }, { ...bare, spiking: true } as never) as tf.Tensor[])[0],
      tf.tensor3d([1, 0], [2, 1, 1]))))(x()).dataSync();
    near(g, [1 / 6 ** 2, 0]);
    const syn = run({ ...bare, synaptic: true, as: [0.5] })[0].dataSync();
    near(syn, [0, 1.2]);
    expect(() => run({ ...bare, a: undefined })).toThrow("scan attribute a must be a number array");
    expect(() => tf.engine().runKernel(NEURON_SCAN, { x: x() })).toThrow("scan attribute a must be a number array");
    expect(() => run({ ...bare, vr: [0, "1"] })).toThrow("scan attribute vr must be a number array");
  });
});
