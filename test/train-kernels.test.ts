/** The fused kernels against the plain TF.js op composition: same outputs and gradients, on cpu and wasm. */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { useBackend, type BackendName } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { losses } from "../lib/train/losses.js";
import { spikingModel } from "../lib/train/model.js";
import { Rng } from "../lib/ir/random.js";

function spikes(T: number, B: number, N: number, p: number, seed: number): tf.Tensor3D {
  const rng = new Rng(seed);
  return tf.tensor3d(Float32Array.from({ length: T * B * N }, () => (rng.random() < p ? 1 : 0)), [T, B, N]);
}

function gradsOf(cfg: ModelConfig, kernels: boolean, truncate = 0, scale = 1): { loss: number; out: Float32Array; grads: Record<string, Float32Array> } {
  const m = spikingModel(cfg, { seed: 3, scale });
  const x = spikes(30, 4, cfg.inputs, 0.2, 9);
  const labels = tf.tensor1d([0, 1, 2, 1]);
  let out = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const r = m.forward(x, { kernels, truncate });
    out = Float32Array.from(r.output.dataSync());
    return losses.get("ce-max-membrane").loss(r, labels);
  }, m.trainable());
  const g: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(m.variables)) g[k] = Float32Array.from(grads[v.name].dataSync());
  const loss = value.dataSync()[0];
  m.dispose();
  return { loss, out, grads: g };
}

function close(a: Float32Array, b: Float32Array, tol: number): void {
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) { worst = Math.max(worst, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  expect(a.length).toBe(b.length);
  expect(worst / scale).toBeLessThan(tol);
}

const base = (kind: "LIF" | "CubaLIF", recurrent: boolean, reset: "zero" | "subtract"): ModelConfig => ({
  inputs: 12, dt: 1e-3, reset,
  layers: [
    { name: "h", kind, units: 10, tau: 5e-3, tau_mem: 5e-3, tau_syn: 3e-3, v_threshold: 0.3, recurrent, bias: true, surrogate: "arctan" },
    { name: "out", kind: "LI", units: 3, tau: 10e-3 },
  ],
});

for (const backend of ["cpu", "wasm"] as BackendName[]) {
  describe(`fused kernels on ${backend}`, () => {
    it("selects the backend", async () => {
      expect((await useBackend(backend)).name).toBe(backend);
    });
    for (const kind of ["LIF", "CubaLIF"] as const) for (const recurrent of [false, true]) for (const reset of ["zero", "subtract"] as const) {
      it(`${kind}${recurrent ? " recurrent" : ""} reset=${reset}: same output, loss and gradients as the op composition`, async () => {
        await useBackend(backend);
        const k = gradsOf(base(kind, recurrent, reset), true);
        const o = gradsOf(base(kind, recurrent, reset), false);
        expect(k.out.some((v) => v !== 0)).toBe(true);
        close(k.out, o.out, 1e-5);
        expect(k.loss).toBeCloseTo(o.loss, 5);
        for (const name of Object.keys(o.grads)) close(k.grads[name], o.grads[name], 1e-4);
      });
    }
    it("truncated BPTT: kernel and ops agree, and differ from full BPTT", async () => {
      await useBackend(backend);
      const cfg = base("LIF", true, "zero");
      // scale 4: enough recurrent spikes that a cut step's s_{t-1}^T dx_t term in dWr matters.
      const k = gradsOf(cfg, true, 5, 4);
      const o = gradsOf(cfg, false, 5, 4);
      const full = gradsOf(cfg, true, 0, 4);
      for (const name of Object.keys(o.grads)) close(k.grads[name], o.grads[name], 1e-4);
      expect(Array.from(k.grads["h.weight"])).not.toEqual(Array.from(full.grads["h.weight"]));
    });
  });
}

describe("event-sparse products (spike index, WebAssembly SIMD and JS paths)", () => {
  // Imported lazily so the module list above stays as it was.
  const load = async () => import("../lib/train/kernels/sparse.js");
  const data = (M: number, K: number, N: number, p: number, binary: boolean) => {
    const rng = new Rng(5);
    const x = Float32Array.from({ length: M * K }, () => (rng.random() < p ? (binary ? 1 : rng.random() * 2 - 1) : 0));
    const w = Float32Array.from({ length: K * N }, () => rng.random() - 0.5);
    const dy = Float32Array.from({ length: M * N }, () => rng.random() - 0.5);
    return { x, w, dy };
  };
  const dense = (x: Float32Array, w: Float32Array, M: number, K: number, N: number) => {
    const y = new Float64Array(M * N);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) y[m * N + n] += x[m * K + k] * w[k * N + n];
    return Float32Array.from(y);
  };
  const transpose = (a: Float32Array, R: number, C: number) => Float32Array.from({ length: R * C }, (_, i) => a[(i % R) * C + Math.floor(i / R)]);
  for (const [N, binary] of [[16, true], [7, true], [16, false]] as const) {
    it(`N=${N}${binary ? "" : ", non-binary x"}: forward and weight gradient equal the dense products, with and without SIMD`, async () => {
      const { spikeIndex, indexedMatMul, indexedWeightGrad } = await load();
      const [M, K] = [37, 29];
      const { x, w, dy } = data(M, K, N, 0.2, binary);
      const wantY = dense(x, w, M, K, N), wantDw = dense(transpose(x, M, K), dy, K, M, N);
      for (const noSimd of ["0", "1"]) {
        process.env.PHASOR_NO_SIMD = noSimd;
        const ix = spikeIndex(x, M, K);
        const y = new Float32Array(M * N).fill(NaN), dw = new Float32Array(K * N).fill(NaN); // outputs may arrive uninitialised
        indexedMatMul(ix, w, y, N);
        indexedWeightGrad(ix, dy, dw, N);
        close(y, wantY, 1e-6);
        close(dw, wantDw, 1e-6);
      }
      delete process.env.PHASOR_NO_SIMD;
    });
  }
  it("the input gradient dy W^T equals the dense product", async () => {
    const { matMulTransposed } = await load();
    for (const N of [3, 20]) {
      const [M, K] = [11, 9];
      const { w, dy } = data(M, K, N, 1, false);
      const dx = new Float32Array(M * K).fill(NaN);
      matMulTransposed(dy, w, dx, M, K, N);
      close(dx, dense(dy, transpose(w, K, N), M, N, K), 1e-6);
    }
  });
});
