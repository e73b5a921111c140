/** Quantisation-aware training: symmetric fake quantisation with a straight-through gradient. */
import * as tf from "@tensorflow/tfjs-core";
import { stopGradient } from "./surrogates.js";

/** Bit widths to train for; any Target-like object with `weightBits` fits. */
export interface QuantSpec {
  weightBits: number;
  stateBits?: number;
}

/** Rounds x to `bits`-bit signed levels of a per-tensor scale max|x| / (2^(bits-1) - 1). */
export function quantize(x: tf.Tensor, bits: number): tf.Tensor {
  return tf.tidy(() => {
    const levels = 2 ** (bits - 1) - 1;
    const scale = tf.maximum(tf.div(tf.max(tf.abs(x)), levels), 1e-12);
    return tf.mul(tf.clipByValue(tf.round(tf.div(x, scale)), -levels, levels), scale);
  });
}

/** Forward: quantised x; backward: identity (straight-through estimator). */
export function fakeQuant(x: tf.Tensor, bits: number): tf.Tensor {
  return tf.add(x, stopGradient(tf.sub(quantize(x, bits), x)));
}

/** Same rounding on plain numbers, for export (returns a new array). */
export function quantizeArray(x: Float32Array, bits: number): Float32Array {
  const levels = 2 ** (bits - 1) - 1;
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  const scale = Math.max(max / levels, 1e-12);
  return x.map((v) => Math.max(-levels, Math.min(levels, Math.round(v / scale))) * scale);
}
