/**
 * Losses on a forward pass's output [T, B, C] with integer labels, and firing-rate
 * regularisers. Registered by name so trainers and magics can pick them from a string.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Registry } from "../ir/registry.js";
import type { ForwardResult } from "./model.js";

/** A loss: mean over the batch of a per-sample loss, a scalar tensor. */
export type LossFn = (r: ForwardResult, labels: tf.Tensor1D) => tf.Scalar;

/** Class scores [B, C] a loss and the accuracy metric agree on. */
export type LogitsFn = (output: tf.Tensor3D) => tf.Tensor2D;

/** Spike counts over time. */
export const countLogits: LogitsFn = (o) => tf.sum(o, 0);
/** Maximum membrane over time (for LI readouts). */
export const maxMembraneLogits: LogitsFn = (o) => tf.max(o, 0);
/** Mean membrane over time. */
export const meanMembraneLogits: LogitsFn = (o) => tf.mean(o, 0);

function crossEntropy(logits: LogitsFn): LossFn {
  return (r, labels) => {
    const z = logits(r.output);
    const onehot = tf.oneHot(tf.cast(labels, "int32"), z.shape[1]);
    return tf.mean(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(z)), 1))) as tf.Scalar;
  };
}

/** MSE between spike counts and targets: `on` spikes for the label, `off` for the others. */
export function mseCount(on: number, off = 0): LossFn {
  return (r, labels) => {
    const counts = tf.sum(r.output, 0);
    const onehot = tf.oneHot(tf.cast(labels, "int32"), counts.shape[1] ?? 1);
    const target = tf.add(tf.mul(onehot, on - off), off);
    return tf.mean(tf.square(tf.sub(counts, target))) as tf.Scalar;
  };
}

/** A named loss and the class scores its accuracy uses. */
export interface LossEntry {
  loss: LossFn;
  logits: LogitsFn;
  doc: string;
}

/** Built-in losses by name. */
export const losses = new Registry<LossEntry>("loss")
  .register("ce-count", { loss: crossEntropy(countLogits), logits: countLogits, doc: "cross-entropy on spike counts" })
  .register("ce-max-membrane", { loss: crossEntropy(maxMembraneLogits), logits: maxMembraneLogits, doc: "cross-entropy on the maximum membrane over time (LI readout)" })
  .register("ce-mean-membrane", { loss: crossEntropy(meanMembraneLogits), logits: meanMembraneLogits, doc: "cross-entropy on the mean membrane over time" })
  .register("mse-count", { loss: mseCount(10, 0), logits: countLogits, doc: "MSE on spike counts (10 for the label, 0 otherwise)" });

/** Firing-rate regulariser: penalises per-neuron rates (spikes per step) outside [lower, upper]. */
export interface RateRegulariser {
  /** Layers to regularise (default: every spiking layer). */
  layers?: string[];
  lower?: number;
  upper?: number;
  strength: number;
}

/** strength * mean over neurons of squared excursions of the batch-mean rate outside [lower, upper]. */
export function rateRegularisation(r: ForwardResult, reg: RateRegulariser): tf.Scalar {
  const names = reg.layers ?? Object.keys(r.spikes);
  let total: tf.Tensor = tf.scalar(0);
  for (const n of names) {
    const s = r.spikes[n];
    if (!s) continue;
    const rate = tf.mean(tf.mean(s, 0), 0);
    const lo = reg.lower === undefined ? tf.zerosLike(rate) : tf.relu(tf.sub(reg.lower, rate));
    const hi = reg.upper === undefined ? tf.zerosLike(rate) : tf.relu(tf.sub(rate, reg.upper));
    total = tf.add(total, tf.mean(tf.add(tf.square(lo), tf.square(hi))));
  }
  return tf.mul(total, reg.strength) as tf.Scalar;
}

/** Fraction of samples whose highest score is the label. */
export function accuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "float32")).dataSync()[0]);
}
