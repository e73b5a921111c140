/**
 * A worker process's compute thread: it decodes the blobs a job names (keeping the decoded
 * objects by hash), computes the job, and replies. The process's main thread keeps renewing
 * BullMQ's job locks meanwhile, so a long compile or simulation never looks like a lost worker.
 */
import { parentPort } from "node:worker_threads";
import { isPhasorError } from "../ir/errors.js";
import type { Graph } from "../ir/graph.js";
import type { Program } from "../compiler/program.js";
import { programFromFrames } from "../hw/protocol/codec.js";
import type { SweepRun } from "../vm/sweep.js";
import type { ModelConfig } from "../train/config.js";
import { decodeData, splitParts } from "./codec.js";
import { runInput, sweepPoint, type JobData } from "./jobs.js";
import { encodeResult } from "../hw/protocol/codec.js";

/** A job for the thread with the blobs it names (decoded objects are kept by hash, so decoding happens once). */
export interface ComputeTask {
  id: number;
  job: JobData;
  blobs: Record<string, Uint8Array>;
}

/** The thread's reply: a result (and bytes to store as a blob), or an error (`user` for a PhasorError). */
export type ComputeReply =
  | { id: number; ok: true; result: unknown; bytes?: Uint8Array }
  | { id: number; ok: false; message: string; user: boolean };

let raw = new Map<string, Uint8Array>();
const decoded = new Map<string, unknown>();
const KEEP = 8;

function keep(key: string, value: unknown): void {
  decoded.set(key, value);
  while (decoded.size > KEEP) decoded.delete(decoded.keys().next().value as string);
}

/** The decoded object a blob holds, decoded once per hash and role. */
function object<T>(sha: string, decode: (b: Uint8Array) => T): T {
  const hit = decoded.get(sha);
  if (hit !== undefined) return hit as T;
  const bytes = raw.get(sha);
  if (!bytes) throw new Error(`compute thread lacks blob ${sha.slice(0, 12)}`);
  const v = decode(bytes);
  keep(sha, v);
  return v;
}

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");
const program = (b: Uint8Array): Program => {
  const [j, bin] = splitParts(b);
  return programFromFrames(j, bin).program;
};

async function compute(job: JobData): Promise<{ result: unknown; bytes?: Uint8Array }> {
  switch (job.kind) {
    case "noop":
      return { result: null };
    case "sweep": {
      const g = object(job.graph, (b) => decodeData<Graph>(text(b))),
        run = object(job.run, (b) => decodeData<SweepRun>(text(b)));
      return { result: sweepPoint(g, run, job.params) };
    }
    case "run": {
      const p = object(job.program, program),
        bytes = job.input ? raw.get(job.input) : undefined;
      return { result: encodeResult(runInput(p, bytes, job.file, job)) };
    }
    case "train":
    case "eval": {
      const s = await import("./shard.js");
      const task = {
        backend: job.backend,
        configSha: job.config,
        config: object(job.config, (b) => decodeData<ModelConfig>(text(b))),
        weightsSha: job.weights,
        weights: () => s.unpackWeights(raw.get(job.weights)!),
        shard: s.unpackShard(raw.get(job.shard)!),
        objective: job.objective,
      };
      if (job.kind === "eval") return { result: await s.shardEvaluation(task) };
      const g = await s.shardGradients(task);
      return { result: { loss: g.loss, accuracy: g.accuracy, samples: g.samples }, bytes: g.grads };
    }
  }
}

parentPort?.on("message", (t: ComputeTask) => {
  raw = new Map(Object.entries(t.blobs));
  compute(t.job).then(
    (r) => parentPort!.postMessage({ id: t.id, ok: true, ...r } satisfies ComputeReply),
    (e: unknown) =>
      parentPort!.postMessage({
        id: t.id,
        ok: false,
        message: e instanceof Error ? e.message : String(e),
        user: isPhasorError(e),
      } satisfies ComputeReply),
  );
});
