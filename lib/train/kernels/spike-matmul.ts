/** Event-sparse product for binary spike inputs: PhasorSpikeMatMul (forward) and PhasorSpikeMatMulWGrad (weight gradient). */
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { withArrays } from "./memory.js";
import { sparseMatMul, sparseWeightGrad } from "./scan.js";

export const SPIKE_MATMUL = "PhasorSpikeMatMul";
export const SPIKE_MATMUL_WGRAD = "PhasorSpikeMatMulWGrad";

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: object };

function forwardFunc({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { x, w } = inputs;
  const [M, K] = x.shape;
  const N = w.shape[1];
  return withArrays(backend, [x, w], [[M, N]], ([xv, wv], [y]) => sparseMatMul(xv, wv, y, M, K, N));
}

function weightGradFunc({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { x, dy } = inputs;
  const [M, K] = x.shape;
  const N = dy.shape[1];
  return withArrays(backend, [x, dy], [[K, N]], ([xv, d], [dw]) => sparseWeightGrad(xv, d, dw, M, K, N));
}

/** Kernel configs of the sparse product for one backend. */
export function spikeMatMulKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: SPIKE_MATMUL, backendName, kernelFunc: ((a: KernelArgs) => forwardFunc(a)[0]) as KernelConfig["kernelFunc"] },
    { kernelName: SPIKE_MATMUL_WGRAD, backendName, kernelFunc: ((a: KernelArgs) => weightGradFunc(a)[0]) as KernelConfig["kernelFunc"] },
  ];
}

/** Gradient: dW by the sparse kernel; dx = dy W^T densely (only computed when x needs it). */
export const spikeMatMulGrad: GradConfig = {
  kernelName: SPIKE_MATMUL,
  inputsToSave: ["x", "w"],
  gradFunc: (dy, saved) => {
    const d = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor2D;
    const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
    return {
      x: () => tf.matMul(d, w, false, true),
      w: () => tf.engine().runKernel(SPIKE_MATMUL_WGRAD, { x, dy: d }) as tf.Tensor,
    };
  },
};

/** y = x W for x [M, K] of mostly-zero (spike) entries, W [K, N]. */
export function spikeMatMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(SPIKE_MATMUL, { x, w }) as tf.Tensor2D;
}
