/**
 * Job kinds and what a worker computes for each. A job's data names its Program, graph,
 * inputs, weights and shards by sha256 (blobs.ts); these functions take the decoded objects,
 * so the local path (no --cluster) and a worker compute a row or a result the same way.
 */
import { extname } from "node:path";
import type { Graph } from "../ir/graph.js";
import { PhasorError } from "../ir/errors.js";
import { parseCsv, parseNpy } from "../ir/io/index.js";
import { toDenseInput } from "../ir/io/input.js";
import type { GenericMeshParams } from "../target/presets/generic.js";
import type { Program } from "../compiler/program.js";
import { evaluate, type SweepRow, type SweepRun } from "../vm/sweep.js";
import { runProgram } from "../vm/session.js";
import type { EngineName, RunResult } from "../vm/types.js";
import type { BackendName } from "../train/backend.js";
import type { ObjectiveOptions } from "../train/step.js";

/** Version of the job format; a worker refuses jobs of another. */
export const JOB_FORMAT = 1;

/** One sweep point: compile the graph for generic-mesh with `params` and run it. */
export interface SweepJob {
  kind: "sweep";
  graph: string;
  run: string;
  index: number;
  params: GenericMeshParams;
}

/** One input file of a batch run. */
export interface RunJob {
  kind: "run";
  program: string;
  input?: string;
  file: string;
  engine: EngineName;
  steps?: number;
  batch?: number;
  index: number;
}

/** Gradients of one shard of a training round (loss name and options in `objective`). */
export interface TrainJob {
  kind: "train";
  config: string;
  weights: string;
  shard: string;
  objective: ObjectiveOptions;
  backend: BackendName;
  round: number;
  index: number;
}

/** Loss and accuracy of a model on one shard (no gradients). */
export interface EvalJob {
  kind: "eval";
  config: string;
  weights: string;
  shard: string;
  objective: ObjectiveOptions;
  backend: BackendName;
  index: number;
}

/** An empty job: measures what the queue itself costs. */
export interface NoopJob {
  kind: "noop";
  index: number;
}

/** Any job's data. */
export type JobData = SweepJob | RunJob | TrainJob | EvalJob | NoopJob;

/** What a training shard sends back: the gradients travel as a blob. */
export interface TrainReply {
  loss: number;
  accuracy: number;
  samples: number;
  grads: string;
}

/** What an evaluation shard sends back. */
export interface EvalReply {
  loss: number;
  accuracy: number;
  samples: number;
}

/** Every completed job's return value: who computed it, how long it took, and the result. */
export interface Envelope<R> {
  worker: string;
  ms: number;
  result: R;
}

/** The blob hashes a job names, by role. */
export function blobsOf(job: JobData): Record<string, string> {
  switch (job.kind) {
    case "sweep":
      return { graph: job.graph, run: job.run };
    case "run":
      return job.input ? { program: job.program, input: job.input } : { program: job.program };
    case "train":
    case "eval":
      return { config: job.config, weights: job.weights, shard: job.shard };
    case "noop":
      return {};
  }
}

/** Computes one sweep point exactly as the local sweep does. */
export function sweepPoint(graph: Graph, run: SweepRun, params: GenericMeshParams): SweepRow {
  return evaluate(graph, params, run);
}

/** Reads an input file's bytes (.csv or .npy) as the Program's one input, then runs it. */
export function runInput(
  p: Program,
  bytes: Uint8Array | undefined,
  file: string,
  o: { engine: EngineName; steps?: number; batch?: number },
): RunResult {
  const inputs = p.layers.filter((l) => l.kind === "input");
  if (inputs.length > 1)
    throw new PhasorError(
      `a batch run takes one input array per file; the program has ${inputs.length} input layers`,
      "inputs",
    );
  let input;
  if (inputs.length) {
    if (!bytes)
      throw new PhasorError([
        {
          code: "missing-input",
          path: [file],
          message: `the program has input layer "${inputs[0].name}"; the job carries no input`,
        },
      ]);
    const ext = extname(file).toLowerCase();
    if (ext !== ".csv" && ext !== ".npy")
      throw new PhasorError([
        {
          code: "bad-input-file",
          path: [file],
          message: `unsupported input format "${ext || "(none)"}"; give .csv or .npy files`,
        },
      ]);
    const arr = ext === ".csv" ? parseCsv(Buffer.from(bytes).toString("utf8"), file) : parseNpy(bytes, file);
    input = toDenseInput(arr, inputs[0].shape, inputs[0].name, o.batch, file);
  }
  if (!input && o.steps === undefined)
    throw new PhasorError([{ code: "steps", path: ["--steps"], message: "a program without inputs needs --steps N" }]);
  return runProgram(p, { engine: o.engine, input, steps: o.steps, batch: o.batch });
}
