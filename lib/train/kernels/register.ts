/** Registers Phasor's custom kernels, in one explicit list, for the cpu and wasm backends. */
import * as tf from "@tensorflow/tfjs-core";
import type { KernelConfig } from "@tensorflow/tfjs-core";
import { neuronScanGrad, neuronScanKernels, recurrentScanGrad } from "./neuron-scan.js";
import { spikeMatMulGrad, spikeMatMulKernels } from "./spike-matmul.js";

/** Backends the JS kernels run on (they read cpu's data store or wasm's heap). */
export const KERNEL_BACKENDS = ["cpu", "wasm"] as const;

const KERNELS: ((backend: string) => KernelConfig[])[] = [neuronScanKernels, spikeMatMulKernels];
const GRADIENTS = [neuronScanGrad, recurrentScanGrad, spikeMatMulGrad];

let done = false;

/** Registers every kernel and gradient once (safe to call again). */
export function registerPhasorKernels(): void {
  if (done) return;
  done = true;
  // tfjs-core's CommonJS build registers no gradients of its own ops; the union package's node
  // bundle does (against this same tfjs-core), so load it once for its side effect.
  if (!tf.getGradient("Mean")) require("@tensorflow/tfjs");
  for (const backend of KERNEL_BACKENDS) for (const make of KERNELS) for (const k of make(backend)) if (!tf.getKernel(k.kernelName, backend)) tf.registerKernel(k);
  for (const g of GRADIENTS) if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
}

/** True when the fused kernels can run on the active backend. */
export function kernelsAvailable(): boolean {
  return (KERNEL_BACKENDS as readonly string[]).includes(tf.getBackend());
}
