/**
 * Event-sparse product for binary spike inputs: PhasorSpikeMatMul (forward),
 * PhasorSpikeMatMulWGrad (weight gradient) and PhasorMatMulT (the input gradient dy W^T, a
 * plain JS product that beats the cpu backend's generic matMul for the narrow W of a readout).
 * Forward and weight gradient share one spike index of x (sparse.ts), built once per batch:
 * the forward kernel builds it (or finds it by x's dataId, as tensor data never changes, so a
 * batch seen again reuses it) and files it under the call's `index` attribute, which the tape
 * hands to the gradient; the weight-gradient kernel takes it from there (by dataId alone it
 * would miss on wasm, whose Identity kernel copies the saved x to a new dataId).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { withArrays } from "./memory.js";
import { indexedMatMul, indexedWeightGrad, matMulTransposed, spikeIndex, type SpikeIndex } from "./sparse.js";

export const SPIKE_MATMUL = "PhasorSpikeMatMul";
export const SPIKE_MATMUL_WGRAD = "PhasorSpikeMatMulWGrad";
export const MATMUL_T = "PhasorMatMulT";

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: object; attrs?: NamedAttrMap };

/** Indexes by tensor data (reuse across steps on the same batch). */
const byData = new WeakMap<object, SpikeIndex>();
/** Indexes of recent forward calls by their `index` attribute, until their weight gradient takes them. */
const byCall = new Map<number, SpikeIndex>();
/** Forward calls whose gradient never runs (evaluation) leave entries: keep only the newest. */
const MAX_PENDING = 16;
let calls = 0;

const matches = (ix: SpikeIndex | undefined, M: number, K: number): ix is SpikeIndex => ix !== undefined && ix.M === M && ix.K === K;

/** The spike index of x [M, K] (whose values are xv), built once per batch. */
function indexOf(x: TensorInfo, xv: Float32Array, M: number, K: number, call: number | undefined, take: boolean): SpikeIndex {
  let ix = call === undefined ? undefined : byCall.get(call);
  if (take && call !== undefined) byCall.delete(call);
  if (!matches(ix, M, K)) ix = byData.get(x.dataId as object);
  if (!matches(ix, M, K)) ix = spikeIndex(xv, M, K);
  byData.set(x.dataId as object, ix);
  if (!take && call !== undefined) {
    byCall.set(call, ix);
    for (const old of byCall.keys()) if (byCall.size > MAX_PENDING) byCall.delete(old); else break;
  }
  return ix;
}

const callOf = (attrs: NamedAttrMap | undefined): number | undefined => (typeof attrs?.index === "number" ? attrs.index : undefined);

function forwardFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, w } = inputs;
  const [M, K] = x.shape;
  const N = w.shape[1];
  return withArrays(backend, [x, w], [[M, N]], ([xv, wv], [y]) => indexedMatMul(indexOf(x, xv, M, K, callOf(attrs), false), wv, y, N));
}

function weightGradFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, dy } = inputs;
  const [M, K] = x.shape;
  const N = dy.shape[1];
  return withArrays(backend, [x, dy], [[K, N]], ([xv, d], [dw]) => indexedWeightGrad(indexOf(x, xv, M, K, callOf(attrs), true), d, dw, N));
}

function matMulTFunc({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { dy, w } = inputs;
  const [M, N] = dy.shape;
  const K = w.shape[0];
  return withArrays(backend, [dy, w], [[M, K]], ([d, wv], [dx]) => matMulTransposed(d, wv, dx, M, K, N));
}

/** Kernel configs of the sparse product for one backend. */
export function spikeMatMulKernels(backendName: string): KernelConfig[] {
  const k = (kernelName: string, f: (a: KernelArgs) => TensorInfo[]): KernelConfig => ({ kernelName, backendName, kernelFunc: ((a: KernelArgs) => f(a)[0]) as KernelConfig["kernelFunc"] });
  return [k(SPIKE_MATMUL, forwardFunc), k(SPIKE_MATMUL_WGRAD, weightGradFunc), k(MATMUL_T, matMulTFunc)];
}

/** dy W^T: the JS kernel on cpu, the backend's own (SIMD) matMul elsewhere. */
function inputGrad(d: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor {
  return tf.getBackend() === "cpu" ? (tf.engine().runKernel(MATMUL_T, { dy: d, w }) as tf.Tensor) : tf.matMul(d, w, false, true);
}

/** Gradient: dW by the sparse kernel on x's spike index; dx = dy W^T densely (only computed when x needs it). */
export const spikeMatMulGrad: GradConfig = {
  kernelName: SPIKE_MATMUL,
  inputsToSave: ["x", "w"],
  gradFunc: (dy, saved, attrs) => {
    const d = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor2D;
    const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
    return {
      x: () => inputGrad(d, w),
      w: () => tf.engine().runKernel(SPIKE_MATMUL_WGRAD, { x, dy: d }, attrs) as tf.Tensor,
    };
  },
};

/** y = x W for x [M, K] of mostly-zero (spike) entries, W [K, N]. */
export function spikeMatMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(SPIKE_MATMUL, { x, w }, { index: ++calls }) as tf.Tensor2D;
}
