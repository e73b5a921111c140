/** Admission of a run request: the program is known, inputs fit its input layers dimension by dimension, and steps, batch and work are within the limits. */
import { PhasorError, type Issue } from "../../ir/errors.js";
import type { Program } from "../../compiler/program.js";
import type { DenseInput } from "../../ir/sim/types.js";
import type { Limits, RequestOf } from "../protocol/messages.js";

/** A job admitted to the queue. */
export interface Job {
  job: string;
  /** The client key it is queued under (fairness and limits are per key). */
  client: string;
  /** The connection its replies go to. */
  conn: string;
  /** The run request's id: every event of the job echoes it. */
  id: string;
  program: Program;
  sha256: string;
  inputs: Record<string, DenseInput>;
  /** Input bytes held while it waits. */
  bytes: number;
  steps: number;
  batch: number;
  record?: string[];
}

/** Checks a run against the program and the limits; throws one PhasorError naming each problem. */
export function admit(r: RequestOf<"run">, program: Program, inputs: Record<string, DenseInput>, limits: Limits): { steps: number; batch: number } {
  const issues: Issue[] = [];
  const layers = program.layers.filter((l) => l.kind === "input");
  const names = layers.map((x) => x.name).join(", ") || "none";
  for (const [name, d] of Object.entries(inputs)) {
    const l = layers.find((x) => x.name === name);
    const dims = d.shape.slice(2);
    if (!l) issues.push({ code: "unknown-input", path: ["inputs", name], message: `the program has no input layer "${name}" (it has ${names})` });
    else if (dims.length !== l.shape.length || dims.some((x, k) => x !== l.shape[k])) {
      issues.push({ code: "input-shape", path: ["inputs", name], message: `input ${name} has shape [${d.shape}]; layer ${name} needs [T, B, ${l.shape.join(", ")}]` });
    }
  }
  const all = program.layers.map((l) => l.name);
  for (const name of r.record ?? []) {
    if (!all.includes(name)) issues.push({ code: "unknown-layer", path: ["record", name], message: `no layer "${name}" to record; layers: ${all.join(", ")}` });
  }
  if (layers.length && !r.inputs?.length) issues.push({ code: "missing-input", path: ["inputs"], message: `the program has input layer(s) ${names}` });
  const given = Object.values(inputs), B = given[0]?.shape[1];
  if (given.some((d) => d.shape[1] !== B)) issues.push({ code: "input-batch", path: ["inputs"], message: `inputs disagree on B: [${given.map((d) => d.shape[1])}]` });
  const steps = r.steps ?? Math.max(0, ...given.map((d) => d.shape[0]));
  const batch = r.batch ?? B ?? 1;
  if (B !== undefined && batch !== B && B !== 1) {
    const message = `batch ${batch} with inputs of B = ${B}; give batch ${B}, or inputs of B = 1 (sent to every batch entry)`;
    issues.push({ code: "input-batch", path: ["batch"], message });
  }
  if (!steps) issues.push({ code: "steps", path: ["steps"], message: "give steps (a program without inputs needs them)" });
  const neurons = program.layers.reduce((n, l) => n + (l.kind === "neuron" ? l.size : 0), 0);
  const over = (what: string, value: number, limit: number) =>
    issues.push({ code: "over-limit", path: [what], message: `${what} ${value} exceeds this server's limit of ${limit}` });
  if (steps > limits.maxSteps) over("steps", steps, limits.maxSteps);
  if (batch > limits.maxBatch) over("batch", batch, limits.maxBatch);
  if (steps * batch * neurons > limits.maxWork) over("work", steps * batch * neurons, limits.maxWork);
  if (issues.length) throw new PhasorError(issues);
  return { steps, batch };
}
