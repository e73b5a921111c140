/**
 * Data-parallel training over worker_threads. Each worker holds a model replica on its own
 * TF.js backend. Every step the main thread splits the global batch into contiguous shards,
 * sends each worker its shard with the current weights, averages the returned gradients
 * weighted by shard size (in worker order, so the sum is deterministic), and applies one
 * optimiser update to the main model.
 *
 * Equivalence: the losses are means of per-sample terms, so the size-weighted average of the
 * shard gradients is the gradient of the global batch; n workers follow the one-worker
 * trajectory up to float summation order. The firing-rate regulariser is the exception: it is
 * a nonlinear function of the batch-mean rate, and each worker penalises its own shard's rate.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/batching.js";
import { PhasorError } from "../ir/errors.js";
import type { BackendName } from "./backend.js";
import type { ModelConfig } from "./config.js";
import type { SpikingModel, WeightMap } from "./model.js";
import type { ObjectiveOptions, Stepper, StepResult } from "./step.js";

/** Messages to a worker. */
export type ToWorker =
  | { type: "init"; backend: BackendName; config: ModelConfig; weights: WeightMap; objective: ObjectiveOptions }
  | { type: "step"; id: number; weights: WeightMap; batch: Pick<Batch, "x" | "shape" | "labels"> }
  | { type: "close" };

/** Messages from a worker. */
export type FromWorker =
  | { type: "ready"; backend: BackendName }
  | { type: "grads"; id: number; loss: number; accuracy: number; grads: Record<string, Float32Array> }
  | { type: "error"; message: string };

/** The compiled worker script: beside this file in a build, else in dist/ (tests run the sources). */
export function workerScript(): string {
  const here = join(__dirname, "worker.js");
  const built = resolve(__dirname, "..", "..", "dist", "lib", "train", "worker.js");
  const file = existsSync(here) ? here : built;
  if (!existsSync(file)) throw new PhasorError(`data-parallel training needs the compiled worker ${built}; run \`npm run build\``, "no-worker");
  return file;
}

/** Contiguous shard sizes of `total` samples over `n` workers (earlier shards one larger). */
export function shardSizes(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

/** Samples [from, from + size) of a time-major batch, as a new batch. */
export function shardOf(b: Pick<Batch, "x" | "shape" | "labels">, from: number, size: number): Pick<Batch, "x" | "shape" | "labels"> {
  const [T, B, N] = b.shape;
  const x = new Float32Array(T * size * N);
  for (let t = 0; t < T; t++) x.set(b.x.subarray((t * B + from) * N, (t * B + from + size) * N), t * size * N);
  return { x, shape: [T, size, N], labels: b.labels.slice(from, from + size) };
}

class WorkerHandle {
  private pending?: { resolve: (m: FromWorker) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(readonly worker: Worker) {
    worker.on("message", (m: FromWorker) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.type === "error") p?.reject(new Error(`training worker failed: ${m.message}`));
      else p?.resolve(m);
    });
    const fail = (e: Error) => {
      this.failure = e;
      this.pending?.reject(e);
      this.pending = undefined;
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`training worker exited (code ${code})`)));
  }

  /** Sends one message and waits for its reply (one request in flight per worker). */
  request(m: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolveReply, reject) => {
      this.pending = { resolve: resolveReply, reject };
      this.worker.postMessage(m, transfer);
    });
  }
}

/** Starts `n` workers on `backend`, each with a replica of `model`; returns a Stepper that updates `model` with `opt`. */
export async function parallelStepper(model: SpikingModel, opt: tf.Optimizer, n: number, backend: BackendName, objective: ObjectiveOptions): Promise<Stepper> {
  if (!Number.isInteger(n) || n < 1) throw new PhasorError([{ code: "bad-option", path: ["workers"], message: `must be a positive integer, got ${n}` }]);
  const script = workerScript();
  const handles = Array.from({ length: n }, () => new WorkerHandle(new Worker(script)));
  const close = async () => {
    await Promise.all(handles.map(async (h) => {
      h.worker.postMessage({ type: "close" } satisfies ToWorker);
      await h.worker.terminate();
    }));
  };
  try {
    const weights = model.getWeights();
    const ready = await Promise.all(handles.map((h) => h.request({ type: "init", backend, config: model.config, weights, objective })));
    const names = ready.map((r) => (r.type === "ready" ? r.backend : "?"));
    const step = async (b: Batch): Promise<StepResult> => {
      const B = b.shape[1];
      const sizes = shardSizes(B, n);
      const w = model.getWeights();
      let from = 0;
      const replies = await Promise.all(sizes.map((size, i) => {
        const shard = shardOf(b, from, size);
        from += size;
        if (size === 0) return undefined;
        return handles[i].request({ type: "step", id: i, weights: w, batch: shard }, [shard.x.buffer as ArrayBuffer]);
      }));
      return applyAveraged(model, opt, replies, sizes, B);
    };
    return { where: `${n} worker${n === 1 ? "" : "s"} (${names.join(", ")})`, step, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Makes the Stepper of a fit from outside lib/train (lib/cluster computes the shards on other machines). */
export type StepperFactory = (model: SpikingModel, opt: tf.Optimizer, backend: BackendName, objective: ObjectiveOptions) => Promise<Stepper>;

/** Size-weighted average of the shards' gradients, loss and accuracy; one optimiser update. */
export function applyAveraged(model: SpikingModel, opt: tf.Optimizer, replies: (FromWorker | undefined)[], sizes: number[], B: number): StepResult {
  const sum: Record<string, Float32Array> = {};
  let loss = 0, acc = 0;
  replies.forEach((r, i) => {
    if (!r) return;
    if (r.type !== "grads") throw new Error(`training worker sent ${r.type} instead of gradients`);
    const f = sizes[i] / B;
    loss += f * r.loss;
    acc += f * r.accuracy;
    for (const [k, g] of Object.entries(r.grads)) {
      const s = (sum[k] ??= new Float32Array(g.length));
      for (let j = 0; j < g.length; j++) s[j] += f * g[j];
    }
  });
  tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(model.variables)) named[v.name] = tf.tensor(sum[k], v.shape, "float32");
    opt.applyGradients(named);
  });
  return { loss, accuracy: acc };
}
