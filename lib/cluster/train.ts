/**
 * Synchronous data-parallel training across processes and machines. The process that runs the
 * fit is the leader (a role: any process can be it); every step it splits the global batch into
 * N contiguous shards as parallel.ts does, puts the weights and shards into Redis as binary
 * blobs and submits one job per shard; workers reply with their shard's gradients as blobs; the
 * leader averages them weighted by shard size, in shard order, and takes one optimiser step.
 * A shard whose worker is lost is computed again by another worker in the same round, so the
 * round's gradient, and the loss curve, equal one-process training up to float summation order.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { batches, type Batch, type BatchOptions } from "../data/batching.js";
import type { EventDataset } from "../data/events.js";
import { PhasorError } from "../ir/errors.js";
import type { BackendName } from "../train/backend.js";
import type { SpikingModel } from "../train/model.js";
import { applyAveraged, shardOf, shardSizes, type FromWorker, type StepperFactory } from "../train/parallel.js";
import type { ObjectiveOptions, Stepper, StepResult } from "../train/step.js";
import { ClusterClient, type ClusterRunOptions } from "./client.js";
import { encodeData, unpackArrays } from "./codec.js";
import type { EvalJob, EvalReply, TrainJob, TrainReply } from "./jobs.js";
import { packShard, packWeights } from "./shard.js";

/** Options of clustered training. */
export interface ClusterTrainOptions extends Pick<ClusterRunOptions, "signal" | "timeoutMs" | "onProgress"> {
  /** Redis URL of the cluster. */
  cluster: string;
  /** Shards per round (one job each; as many workers as this compute a round at once). */
  workers: number;
}

/** Round blobs live an hour at most (the leader deletes them as soon as the round is done). */
const ROUND_TTL_S = 3600;

/** A StepperFactory for `fit` (FitOptions.stepper) that computes each round's shards on the cluster. */
export function clusterStepper(o: ClusterTrainOptions): StepperFactory {
  if (!Number.isInteger(o.workers) || o.workers < 1)
    throw new PhasorError([
      { code: "bad-option", path: ["workers"], message: `must be a positive integer, got ${o.workers}` },
    ]);
  return async (model, opt, backend, objective) => {
    const client = await ClusterClient.connect(o.cluster);
    try {
      const config = await client.blobs.put(Buffer.from(encodeData(model.config), "utf8"));
      let round = 0;
      return {
        where: `${o.workers} cluster shard${o.workers === 1 ? "" : "s"} (${client.target.shown})`,
        step: (b) => step(client, { model, opt, backend, objective, config, round: round++ }, b, o),
        close: () => client.close(),
      } satisfies Stepper;
    } catch (e) {
      await client.close();
      throw e;
    }
  };
}

interface Round {
  model: SpikingModel;
  opt: tf.Optimizer;
  backend: BackendName;
  objective: ObjectiveOptions;
  config: string;
  round: number;
}

/** One round: put the weights and shards, run one job per non-empty shard, average, update. */
async function step(client: ClusterClient, r: Round, b: Batch, o: ClusterTrainOptions): Promise<StepResult> {
  const B = b.shape[1],
    sizes = shardSizes(B, o.workers);
  const weights = await client.blobs.put(packWeights(r.model.getWeights()), ROUND_TTL_S);
  const jobs: TrainJob[] = [],
    blobs = [weights];
  let from = 0;
  for (const [index, size] of sizes.entries()) {
    if (size > 0) {
      const shard = await client.blobs.put(packShard(shardOf(b, from, size)), ROUND_TTL_S);
      blobs.push(shard);
      jobs.push({
        kind: "train",
        config: r.config,
        weights,
        shard,
        objective: r.objective,
        backend: r.backend,
        round: r.round,
        index,
      });
    }
    from += size;
  }
  try {
    const outs = await client.run<TrainReply>("train", jobs, o);
    const replies: Array<FromWorker | undefined> = sizes.map(() => undefined);
    for (const [k, x] of outs.entries()) {
      if (!x.ok)
        throw new PhasorError(
          `training round ${r.round + 1}: shard ${jobs[k].index + 1} of ${o.workers} failed: ${x.error}`,
          "cluster-train",
        );
      blobs.push(x.result.grads);
      const grads = Object.fromEntries(
        Object.entries(unpackArrays(await client.blobs.get(x.result.grads))).map(([n, a]) => [n, a.data]),
      );
      replies[jobs[k].index] = {
        type: "grads",
        id: jobs[k].index,
        loss: x.result.loss,
        accuracy: x.result.accuracy,
        grads,
      };
    }
    return applyAveraged(r.model, r.opt, replies, sizes, B);
  } finally {
    await client.blobs.delete(blobs).catch(() => undefined);
  }
}

/** Options of `clusterEvaluate`: the batching of the trainer's validation, the loss, and where. */
export interface ClusterEvalOptions
  extends Omit<BatchOptions, "shuffle">, Pick<ClusterRunOptions, "signal" | "timeoutMs" | "onProgress"> {
  cluster: string;
  loss: string;
  backend: BackendName;
  kernels?: boolean;
}

/** Loss and accuracy of `model` on `ds` (as the trainer's validation computes them), one evaluation job per batch. */
export async function clusterEvaluate(
  model: SpikingModel,
  ds: EventDataset,
  o: ClusterEvalOptions,
): Promise<{ valLoss: number; valAccuracy: number }> {
  const client = await ClusterClient.connect(o.cluster);
  const blobs: string[] = [];
  try {
    const put = async (bytes: Uint8Array) => {
      const sha = await client.blobs.put(bytes, ROUND_TTL_S);
      blobs.push(sha);
      return sha;
    };
    const config = await put(Buffer.from(encodeData(model.config), "utf8")),
      weights = await put(packWeights(model.getWeights()));
    const objective: ObjectiveOptions = { loss: o.loss, kernels: o.kernels };
    const jobs: EvalJob[] = [];
    for (const b of batches(ds, { ...o, shuffle: false })) {
      jobs.push({
        kind: "eval",
        config,
        weights,
        shard: await put(packShard(b)),
        objective,
        backend: o.backend,
        index: jobs.length,
      });
    }
    const outs = await client.run<EvalReply>("eval", jobs, o);
    let loss = 0,
      acc = 0,
      n = 0;
    for (const [k, x] of outs.entries()) {
      if (!x.ok)
        throw new PhasorError(`evaluation batch ${k + 1} of ${jobs.length} failed: ${x.error}`, "cluster-eval");
      loss += x.result.loss * x.result.samples;
      acc += x.result.accuracy * x.result.samples;
      n += x.result.samples;
    }
    return { valLoss: loss / Math.max(1, n), valAccuracy: acc / Math.max(1, n) };
  } finally {
    await client.blobs.delete(blobs).catch(() => undefined);
    await client.close();
  }
}
