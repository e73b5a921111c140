/**
 * Training and evaluation shards as a worker computes them: a model replica per config on the
 * backend the leader asked for, its weights set from the round's blob, and the gradients (or
 * the loss and accuracy) of the shard's mean loss, exactly as parallel.ts's worker threads do.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/batching.js";
import { activeBackend, useBackend, type BackendName } from "../train/backend.js";
import type { ModelConfig } from "../train/config.js";
import { accuracy, losses } from "../train/losses.js";
import { spikingModel, type SpikingModel, type WeightMap } from "../train/model.js";
import { gradients, type ObjectiveOptions } from "../train/step.js";
import { packArrays, unpackArrays } from "./codec.js";

/** A time-major batch shard as one blob. */
export function packShard(b: Pick<Batch, "x" | "shape" | "labels">): Uint8Array {
  return packArrays({ x: { data: b.x, shape: [...b.shape] }, labels: { data: b.labels } });
}

/** The inverse of packShard. */
export function unpackShard(bytes: Uint8Array): Pick<Batch, "x" | "shape" | "labels"> {
  const a = unpackArrays(bytes),
    s = a.x.shape ?? [];
  return { x: a.x.data, shape: [s[0], s[1], s[2]], labels: a.labels.data };
}

/** Weights as one blob (names, shapes, float32 data). */
export function packWeights(w: WeightMap): Uint8Array {
  return packArrays(w);
}

/** The inverse of packWeights. */
export function unpackWeights(bytes: Uint8Array): WeightMap {
  const a = unpackArrays(bytes),
    out: WeightMap = {};
  for (const [k, v] of Object.entries(a)) out[k] = { shape: v.shape ?? [v.data.length], data: v.data };
  return out;
}

let replica: { configSha: string; model: SpikingModel; weightsSha?: string } | undefined;

async function model(
  backend: BackendName,
  configSha: string,
  config: ModelConfig,
  weightsSha: string,
  weights: () => WeightMap,
): Promise<SpikingModel> {
  if (!activeBackend()) await useBackend(backend);
  if (replica?.configSha !== configSha) {
    replica?.model.dispose();
    replica = { configSha, model: spikingModel(config, { weights: weights() }), weightsSha };
  } else if (replica.weightsSha !== weightsSha) {
    replica.model.setWeights(weights());
    replica.weightsSha = weightsSha;
  }
  return replica.model;
}

/** What a shard needs: the decoded config, a way to decode the weights, the shard, the objective. */
export interface ShardTask {
  backend: BackendName;
  configSha: string;
  config: ModelConfig;
  weightsSha: string;
  weights: () => WeightMap;
  shard: Pick<Batch, "x" | "shape" | "labels">;
  objective: ObjectiveOptions;
}

/** Loss, accuracy and packed gradients of a shard's mean loss. */
export async function shardGradients(
  t: ShardTask,
): Promise<{ loss: number; accuracy: number; samples: number; grads: Uint8Array }> {
  const m = await model(t.backend, t.configSha, t.config, t.weightsSha, t.weights);
  const r = gradients(m, t.shard, t.objective);
  const named = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, { data: g }]));
  return { loss: r.loss, accuracy: r.accuracy, samples: t.shard.labels.length, grads: packArrays(named) };
}

/** Loss (without regulariser) and accuracy of a shard, as the trainer's validation computes them. */
export async function shardEvaluation(t: ShardTask): Promise<{ loss: number; accuracy: number; samples: number }> {
  const m = await model(t.backend, t.configSha, t.config, t.weightsSha, t.weights);
  const entry = losses.get(t.objective.loss);
  return tf.tidy(() => {
    const labels = tf.tensor1d(t.shard.labels);
    const r = m.forward(tf.tensor3d(t.shard.x, t.shard.shape), { kernels: t.objective.kernels });
    return {
      loss: entry.loss(r, labels).dataSync()[0],
      accuracy: accuracy(entry.logits(r.output), labels),
      samples: t.shard.labels.length,
    };
  });
}
