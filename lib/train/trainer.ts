/**
 * The training loop: shuffled seeded batches, BPTT (or truncated BPTT) through the model,
 * loss + firing-rate regulariser, a named optimiser, accuracy, validation, early stopping,
 * atomic checkpoints after every epoch and on interrupt, resume from a checkpoint. Steps run
 * in process or data-parallel over worker threads (parallel.ts). Every result names the
 * backend it ran on.
 */
import * as tf from "@tensorflow/tfjs-core";
import { existsSync } from "node:fs";
import { batches, type BatchOptions } from "../data/batching.js";
import type { EventDataset } from "../data/events.js";
import { PhasorError } from "../ir/errors.js";
import { activeBackend, describeBackend, useBackend, type BackendName } from "./backend.js";
import { loadCheckpoint, saveCheckpoint, type EpochLog } from "./checkpoint.js";
import { checkWritable } from "../ir/io/files.js";
import { accuracy, losses, type RateRegulariser } from "./losses.js";
import type { SpikingModel } from "./model.js";
import { optimizers, optimizerState, setOptimizerState, type OptimizerSpec } from "./optimizers.js";
import { parallelStepper, type StepperFactory } from "./parallel.js";
import { localStepper, type ObjectiveOptions, type Stepper } from "./step.js";

/** Options of `fit`. */
export interface FitOptions extends Omit<BatchOptions, "shuffle" | "seed" | "indices"> {
  epochs: number;
  /** Loss name (see `losses`); default ce-count for a spiking readout, ce-max-membrane for LI. */
  loss?: string;
  optimizer?: OptimizerSpec;
  /** Seeds shuffling (epoch e uses seed + e, so a resumed run continues the same sequence). */
  seed?: number;
  regularise?: RateRegulariser;
  /** Truncated BPTT window in steps (0 or absent: full BPTT). */
  truncate?: number;
  /** Fused kernels (default: when the backend supports them). */
  kernels?: boolean;
  /** Rematerialisation over time: store neuron state every `remat` steps, recompute the rest in the backward pass. */
  remat?: number;
  /** Data-parallel: shard each batch over this many worker threads (absent or 0: in process). */
  workers?: number;
  /** Backend of the workers (default: the main thread's). */
  workerBackend?: BackendName;
  /** Steps computed elsewhere, e.g. lib/cluster's data-parallel training on other machines (replaces `workers`). */
  stepper?: StepperFactory;
  trainIndices?: number[];
  validation?: { dataset?: EventDataset; indices?: number[] };
  earlyStopping?: { patience: number; minDelta?: number; monitor?: "valLoss" | "valAccuracy" | "loss" };
  /** Checkpoint file, rewritten atomically after every epoch and on interrupt. */
  checkpoint?: string;
  /** Continue from `checkpoint` when it exists. */
  resume?: boolean;
  signal?: AbortSignal;
  onStep?: (s: { epoch: number; step: number; loss: number; accuracy: number }) => void;
  onEpoch?: (e: EpochLog, backend: string) => void;
}

/** What `fit` returns. */
export interface FitResult {
  model: SpikingModel;
  history: EpochLog[];
  /** The backend that ran the training, e.g. "wasm". */
  backend: string;
  /** Where the steps ran: "in process" or e.g. "2 workers (wasm, wasm)". */
  where: string;
  interrupted: boolean;
  stoppedEarly: boolean;
  /** Per-step training losses, in order (for curves and reproducibility checks). */
  stepLosses: number[];
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Trains `model` on `ds`. Aborting `signal` stops after the current step, checkpoints, and returns. */
export async function fit(model: SpikingModel, ds: EventDataset, o: FitOptions): Promise<FitResult> {
  const backend = (activeBackend() ?? (await useBackend())).name;
  const last = model.config.layers[model.config.layers.length - 1];
  const lossName = o.loss ?? (last.kind === "LIF" || last.kind === "CubaLIF" ? "ce-count" : "ce-max-membrane");
  losses.get(lossName); // an unknown name fails before any work
  if (o.checkpoint) checkWritable(o.checkpoint, "checkpoint"); // so does a checkpoint that could not be written
  const optSpec = o.optimizer ?? { name: "adam", lr: 1e-3 };
  const opt = optimizers.get(optSpec.name)(optSpec.lr);
  const seed = o.seed ?? 0;
  let history: EpochLog[] = [];
  let start = 0;
  if (o.resume && o.checkpoint && existsSync(o.checkpoint)) {
    const c = loadCheckpoint(o.checkpoint);
    if (JSON.stringify(c.config) !== JSON.stringify(model.config)) throw new PhasorError([{ code: "checkpoint-mismatch", path: [o.checkpoint], message: "checkpoint was written for a different model config" }]);
    model.setWeights(c.weights);
    await setOptimizerState(opt, c.optimizer.weights);
    history = c.history;
    start = c.epoch;
  }
  const save = async (epoch: number) => {
    if (o.checkpoint) saveCheckpoint(o.checkpoint, { version: 1, config: model.config, weights: model.getWeights(), optimizer: { name: optSpec.name, weights: await optimizerState(opt) }, epoch, history, seed, backend });
  };
  const objective: ObjectiveOptions = { loss: lossName, regularise: o.regularise, truncate: o.truncate, kernels: o.kernels, remat: o.remat };
  const stepper: Stepper = o.stepper ? await o.stepper(model, opt, o.workerBackend ?? backend, objective) : o.workers ? await parallelStepper(model, opt, o.workers, o.workerBackend ?? backend, objective) : localStepper(model, opt, objective);
  const stepLosses: number[] = [];
  let interrupted = false, stoppedEarly = false, best = Infinity, waited = 0;
  try {
    for (let epoch = start; epoch < o.epochs && !interrupted && !stoppedEarly; epoch++) {
      const t0 = performance.now();
      let sumLoss = 0, sumAcc = 0, n = 0;
      for (const b of batches(ds, { ...o, shuffle: true, seed: seed + epoch, indices: o.trainIndices })) {
        if (o.signal?.aborted) { interrupted = true; break; }
        const { loss, accuracy: acc } = await stepper.step(b);
        stepLosses.push(loss);
        sumLoss += loss * b.labels.length; sumAcc += acc * b.labels.length; n += b.labels.length;
        o.onStep?.({ epoch, step: stepLosses.length, loss, accuracy: acc });
        await tick();
      }
      if (interrupted && n === 0) break;
      const log: EpochLog = { epoch: epoch + 1, loss: sumLoss / Math.max(1, n), accuracy: sumAcc / Math.max(1, n), seconds: (performance.now() - t0) / 1000 };
      if (o.validation) Object.assign(log, evaluate(model, o.validation.dataset ?? ds, { ...o, indices: o.validation.indices, loss: lossName }));
      if (!interrupted) history.push(log);
      o.onEpoch?.(log, backend);
      await save(interrupted ? epoch : epoch + 1);
      const es = o.earlyStopping;
      if (es && !interrupted) {
        const m = es.monitor ?? (o.validation ? "valLoss" : "loss");
        const v = m === "valAccuracy" ? -(log.valAccuracy ?? 0) : m === "valLoss" ? log.valLoss ?? log.loss : log.loss;
        if (v < best - (es.minDelta ?? 0)) { best = v; waited = 0; } else if (++waited >= es.patience) stoppedEarly = true;
      }
    }
  } finally {
    await stepper.close();
  }
  return { model, history, backend, where: stepper.where, interrupted, stoppedEarly, stepLosses };
}

/** Loss and accuracy on a dataset (no gradients). */
export function evaluate(model: SpikingModel, ds: EventDataset, o: Omit<BatchOptions, "shuffle"> & { loss?: string; kernels?: boolean }): { valLoss: number; valAccuracy: number } {
  const entry = losses.get(o.loss ?? "ce-count");
  let sl = 0, sa = 0, n = 0;
  for (const b of batches(ds, { ...o, shuffle: false })) {
    tf.tidy(() => {
      const labels = tf.tensor1d(b.labels);
      const r = model.forward(tf.tensor3d(b.x, b.shape), { kernels: o.kernels });
      sl += entry.loss(r, labels).dataSync()[0] * b.labels.length;
      sa += accuracy(entry.logits(r.output), labels) * b.labels.length;
      n += b.labels.length;
    });
  }
  return { valLoss: sl / Math.max(1, n), valAccuracy: sa / Math.max(1, n) };
}

/** A one-line summary of a fit for printing (names the backend). */
export function describeFit(r: FitResult): string {
  const h = r.history[r.history.length - 1];
  const what = h ? `epoch ${h.epoch}: loss ${h.loss.toFixed(4)}, accuracy ${(h.accuracy * 100).toFixed(1)}%${h.valAccuracy !== undefined ? `, val ${(h.valAccuracy * 100).toFixed(1)}%` : ""}` : "no epoch completed";
  return `${what} (${describeBackend()}, ${r.where}${r.interrupted ? ", interrupted" : r.stoppedEarly ? ", stopped early" : ""})`;
}
