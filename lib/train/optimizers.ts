/** Optimisers by name (TF.js's own implementations), with their state as plain weights for checkpoints. */
import * as tf from "@tensorflow/tfjs-core";
import { Registry } from "../ir/registry.js";
import type { WeightMap } from "./model.js";

/** Which optimiser and its learning rate. */
export interface OptimizerSpec {
  name: string;
  lr: number;
}

/** Optimiser factories by name. */
export const optimizers = new Registry<(lr: number) => tf.Optimizer>("optimizer")
  .register("adam", (lr) => tf.train.adam(lr))
  .register("sgd", (lr) => tf.train.sgd(lr))
  .register("momentum", (lr) => tf.train.momentum(lr, 0.9))
  .register("rmsprop", (lr) => tf.train.rmsprop(lr))
  .register("adamax", (lr) => tf.train.adamax(lr));

/** The optimiser's state (slot variables, iteration counters) as plain arrays, keyed in order. */
export async function optimizerState(o: tf.Optimizer): Promise<WeightMap> {
  const out: WeightMap = {};
  (await o.getWeights()).forEach((w, i) => {
    out[`${String(i).padStart(4, "0")}:${w.name}`] = { shape: [...w.tensor.shape], data: Float32Array.from(w.tensor.dataSync()) };
  });
  return out;
}

/** Restores state saved by optimizerState. */
export async function setOptimizerState(o: tf.Optimizer, w: WeightMap): Promise<void> {
  const list = Object.keys(w).sort().map((k) => ({ name: k.slice(5), tensor: tf.tensor(w[k].data, w[k].shape, "float32") }));
  if (list.length) await o.setWeights(list);
}
