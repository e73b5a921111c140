/**
 * One training step's pieces shared by the in-process trainer and the data-parallel workers:
 * the objective of a batch (loss + rate regulariser, with its accuracy) and the Stepper
 * interface both implementations of "take one optimiser step on this batch" satisfy.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/batching.js";
import { accuracy, losses, rateRegularisation, type RateRegulariser } from "./losses.js";
import type { SpikingModel } from "./model.js";

/** What a batch objective needs besides the model (plain data: it is sent to workers). */
export interface ObjectiveOptions {
  /** Loss name (see `losses`). */
  loss: string;
  regularise?: RateRegulariser;
  truncate?: number;
  kernels?: boolean;
  /** Rematerialisation: keep state every `remat` steps, recompute the rest in the backward pass. */
  remat?: number;
}

/** The scalar to minimise on (x, labels) and the batch accuracy; call inside a gradient scope. */
export function objective(model: SpikingModel, x: tf.Tensor3D, labels: tf.Tensor1D, o: ObjectiveOptions): { loss: tf.Scalar; accuracy: number } {
  const entry = losses.get(o.loss);
  const r = model.forward(x, { kernels: o.kernels, truncate: o.truncate, remat: o.remat });
  const acc = accuracy(entry.logits(r.output), labels);
  const l = entry.loss(r, labels);
  return { loss: o.regularise ? (tf.add(l, rateRegularisation(r, o.regularise)) as tf.Scalar) : l, accuracy: acc };
}

/** Loss and accuracy of one step (averaged over the batch). */
export interface StepResult {
  loss: number;
  accuracy: number;
}

/** Takes one optimiser step per batch: in process, or sharded over worker threads. */
export interface Stepper {
  /** Where the gradients are computed, e.g. "in process" or "2 workers (wasm)". */
  readonly where: string;
  step(b: Batch): Promise<StepResult>;
  close(): Promise<void>;
}

/** The in-process stepper: forward, backward and update with `opt` on the model's variables. */
export function localStepper(model: SpikingModel, opt: tf.Optimizer, o: ObjectiveOptions): Stepper {
  const vars = model.trainable();
  return {
    where: "in process",
    async step(b) {
      const labels = tf.tensor1d(b.labels);
      const x = tf.tensor3d(b.x, b.shape);
      let acc = 0;
      const lossT = opt.minimize(() => {
        const r = objective(model, x, labels, o);
        acc = r.accuracy;
        return r.loss;
      }, true, vars);
      const loss = lossT ? lossT.dataSync()[0] : NaN;
      tf.dispose([labels, x, lossT ?? []]);
      return { loss, accuracy: acc };
    },
    async close() { /* nothing to release */ },
  };
}

/** Gradients of the objective with respect to every variable, as plain arrays by weight name. */
export function gradients(model: SpikingModel, b: Pick<Batch, "x" | "shape" | "labels">, o: ObjectiveOptions): { loss: number; accuracy: number; grads: Record<string, Float32Array> } {
  const labels = tf.tensor1d(b.labels);
  const x = tf.tensor3d(b.x, b.shape);
  let acc = 0;
  const { value, grads } = tf.variableGrads(() => {
    const r = objective(model, x, labels, o);
    acc = r.accuracy;
    return r.loss;
  }, model.trainable());
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(model.variables)) out[name] = grads[v.name] ? Float32Array.from(grads[v.name].dataSync()) : new Float32Array(v.size);
  const loss = value.dataSync()[0];
  tf.dispose([labels, x, value, ...Object.values(grads)]);
  return { loss, accuracy: acc, grads: out };
}
