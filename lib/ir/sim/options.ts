/** Checks SimOptions against the analysed graph and resolves defaults (steps, batch, record list). */
import { IssueList } from "../errors.js";
import type { AnalysedGraph } from "../validate.js";
import { resolveInputs, type Feeder } from "./input.js";
import type { SimOptions } from "./types.js";

/** Options with every default applied. */
export interface ResolvedOptions {
  dt: number;
  steps: number;
  batch: number;
  integrator: "euler" | "exact";
  reset: "zero" | "subtract";
  spikes: "single" | "multiple";
  current: "previous" | "updated";
  dtype: "float64" | "float32";
  /** Flat names of the recorded nodes. */
  record: string[];
  feeders: Map<string, Feeder>;
}

const isPosInt = (x: unknown): x is number => Number.isInteger(x) && (x as number) > 0;

/** Resolves options or throws one PhasorError listing every problem. */
export function resolveOptions(opts: SimOptions, g: AnalysedGraph): ResolvedOptions {
  const issues = new IssueList();
  if (typeof opts !== "object" || opts === null) {
    issues.add("bad-option", [], "simulate needs an options object with at least dt");
    issues.throwIfAny();
  }
  const { dt } = opts;
  if (typeof dt !== "number" || !(dt > 0) || !Number.isFinite(dt)) issues.add("bad-option", ["dt"], `dt must be a positive number of seconds, got ${String(dt)}`);
  const integrator = opts.integrator ?? "euler";
  if (integrator !== "euler" && integrator !== "exact") issues.add("bad-option", ["integrator"], `must be "euler" or "exact", got ${JSON.stringify(integrator)}`);
  const reset = opts.reset ?? "zero";
  if (reset !== "zero" && reset !== "subtract") issues.add("bad-option", ["reset"], `must be "zero" or "subtract", got ${JSON.stringify(reset)}`);
  const spikes = opts.spikes ?? "single";
  if (spikes !== "single" && spikes !== "multiple")
    issues.add("bad-option", ["spikes"], `must be "single" or "multiple", got ${JSON.stringify(spikes)}`);
  const current = opts.current ?? "previous";
  if (current !== "previous" && current !== "updated")
    issues.add("bad-option", ["current"], `must be "previous" or "updated", got ${JSON.stringify(current)}`);
  if (current === "updated" && integrator === "exact")
    issues.add("bad-option", ["current"],
      `"updated" orders forward Euler's updates; the exact integrator couples the current and v over the step itself`);
  const dtype = opts.dtype ?? "float64";
  if (dtype !== "float64" && dtype !== "float32") issues.add("bad-option", ["dtype"], `must be "float64" or "float32", got ${JSON.stringify(dtype)}`);
  if (opts.steps !== undefined && !(Number.isInteger(opts.steps) && opts.steps >= 0)) issues.add("bad-option", ["steps"], `must be a non-negative integer, got ${opts.steps}`);
  if (opts.batch !== undefined && !isPosInt(opts.batch)) issues.add("bad-option", ["batch"], `must be a positive integer, got ${opts.batch}`);

  const inputs = new Map(Object.keys(g.nodes).filter((n) => g.nodes[n].type === "Input").map((n) => [n, g.shapes[n].output]));
  const feeders = resolveInputs(opts.input, inputs, issues);
  const batch = resolveBatch(opts.batch, feeders, issues);
  const steps = resolveSteps(opts.steps, feeders, issues);
  const record = resolveRecord(opts.record ?? [], g, issues);
  checkInit(opts, g, issues);
  issues.throwIfAny();
  return { dt, steps, batch, integrator, reset, spikes, current, dtype, record, feeders };
}

function resolveBatch(batch: number | undefined, feeders: Map<string, Feeder>, issues: IssueList): number {
  const sizes = [...feeders.values()].map((f) => f.batch);
  const b = batch ?? Math.max(1, ...sizes);
  for (const [name, f] of feeders)
    if (f.batch !== 1 && f.batch !== b) issues.add("bad-input", ["input", name], `has batch ${f.batch} but the simulation runs batch ${b} (an input of batch 1 is broadcast)`);
  return b;
}

function resolveSteps(steps: number | undefined, feeders: Map<string, Feeder>, issues: IssueList): number {
  if (!feeders.size) {
    if (steps === undefined) issues.add("bad-option", ["steps"], "give steps: the network has no input to take its length from");
    return steps ?? 0;
  }
  const lengths = [...feeders.entries()];
  const shortest = Math.min(...lengths.map(([, f]) => f.steps));
  if (steps === undefined && lengths.some(([, f]) => f.steps !== shortest))
    issues.add("bad-input", ["input"], `inputs have different lengths (${lengths.map(([n, f]) => `${n}: ${f.steps}`).join(", ")}); give steps`);
  const s = steps ?? shortest;
  for (const [name, f] of lengths)
    if (f.steps < s) issues.add("bad-input", ["input", name], `has ${f.steps} steps but the simulation runs ${s}`);
  return s;
}

/** Flat node names to record: a name is a node, or a nested graph standing for all its nodes. */
function resolveRecord(names: string[], g: AnalysedGraph, issues: IssueList): string[] {
  if (!Array.isArray(names)) {
    issues.add("bad-option", ["record"], "must be a list of node names");
    return [];
  }
  const all = Object.keys(g.nodes);
  const out = new Set<string>();
  for (const name of names) {
    const hits = name in g.nodes ? [name] : all.filter((n) => n.startsWith(name + "."));
    if (hits.length) hits.forEach((h) => out.add(h));
    else issues.add("unknown-node", ["record", name], `no node named "${name}"; nodes: ${all.join(", ")}`);
  }
  return [...out];
}

function checkInit(opts: SimOptions, g: AnalysedGraph, issues: IssueList): void {
  for (const [name, vars] of Object.entries(opts.init ?? {})) {
    if (!(name in g.nodes)) issues.add("unknown-node", ["init", name], `no node named "${name}"; nodes: ${Object.keys(g.nodes).join(", ")}`);
    else if (typeof vars !== "object" || vars === null) issues.add("bad-option", ["init", name], "must map state variables (v, i, ...) to arrays");
  }
}
