/** Admission of a run request: the program is known, inputs fit its input layers, and steps, batch and work are within the limits. */
import { PhasorError, type Issue } from "../../ir/errors.js";
import type { Program } from "../../compiler/program.js";
import type { DenseInput } from "../../ir/sim/types.js";
import type { Limits, RequestOf } from "../protocol/messages.js";

/** A job admitted to the queue. */
export interface Job {
  job: string;
  client: string;
  /** The run request's id: every event of the job echoes it. */
  id: string;
  program: Program;
  sha256: string;
  inputs: Record<string, DenseInput>;
  steps: number;
  batch: number;
  record?: string[];
}

/** Checks a run against the program and the limits; throws one PhasorError naming each excess. */
export function admit(r: RequestOf<"run">, program: Program, inputs: Record<string, DenseInput>, limits: Limits): { steps: number; batch: number } {
  const issues: Issue[] = [];
  const layers = program.layers.filter((l) => l.kind === "input");
  for (const [name, d] of Object.entries(inputs)) {
    const l = layers.find((x) => x.name === name);
    const per = d.shape.slice(2).reduce((a, b) => a * b, 1);
    if (!l) issues.push({ code: "unknown-input", path: ["inputs", name], message: `the program has no input layer "${name}" (it has ${layers.map((x) => x.name).join(", ") || "none"})` });
    else if (per !== l.size) issues.push({ code: "input-width", path: ["inputs", name], message: `input has ${per} values per step and batch entry; layer ${name} has ${l.size}` });
  }
  if (layers.length && !r.inputs?.length) issues.push({ code: "missing-input", path: ["inputs"], message: `the program has input layer(s) ${layers.map((l) => l.name).join(", ")}` });
  const first = Object.values(inputs)[0];
  const steps = r.steps ?? first?.shape[0] ?? 0, batch = r.batch ?? first?.shape[1] ?? 1;
  if (!steps) issues.push({ code: "steps", path: ["steps"], message: "give steps (a program without inputs needs them)" });
  const neurons = program.layers.reduce((n, l) => n + (l.kind === "neuron" ? l.size : 0), 0);
  const over = (what: string, value: number, limit: number) => issues.push({ code: "over-limit", path: [what], message: `${what} ${value} exceeds this server's limit of ${limit}` });
  if (steps > limits.maxSteps) over("steps", steps, limits.maxSteps);
  if (batch > limits.maxBatch) over("batch", batch, limits.maxBatch);
  if (steps * batch * neurons > limits.maxWork) over("work", steps * batch * neurons, limits.maxWork);
  if (issues.length) throw new PhasorError(issues);
  return { steps, batch };
}
