/** External input: dense arrays, event lists and per-step samplers, checked against the Input nodes and turned into feeders. */
import { IssueList, PhasorError } from "../errors.js";
import { numel } from "../graph.js";
import type { Buf, DenseInput, EventInput, NodeInput, SimInput, StreamInput } from "./types.js";

/** Writes sample t of one Input node into a [B, N] buffer (a batch-1 input is broadcast to every batch). */
export interface Feeder {
  steps: number;
  batch: number;
  fill(t: number, out: Buf, batch: number): void;
}

/** True for one node's input (dense, events or stream) rather than a record keyed by node name. */
export function isNodeInput(x: SimInput): x is NodeInput {
  return ("data" in x && "shape" in x) || ("events" in x && "steps" in x) || ("sample" in x && "shape" in x);
}

/** Maps the input onto the Input nodes (name -> shape); problems go to `issues`. */
export function resolveInputs(input: SimInput | undefined, nodes: Map<string, number[]>, issues: IssueList): Map<string, Feeder> {
  const feeders = new Map<string, Feeder>();
  if (input === undefined) {
    if (nodes.size) issues.add("missing-input", ["input"], `the graph has Input node(s) ${[...nodes.keys()].join(", ")}; pass input (or a record keyed by these names)`);
    return feeders;
  }
  let byName: Record<string, NodeInput>;
  if (isNodeInput(input)) {
    if (nodes.size !== 1) {
      issues.add("bad-input", ["input"], nodes.size ? `the graph has ${nodes.size} Input nodes (${[...nodes.keys()].join(", ")}); pass a record keyed by their names` : "the graph has no Input node; drop input and give steps");
      return feeders;
    }
    byName = { [[...nodes.keys()][0]]: input };
  } else byName = input;
  for (const [name, x] of Object.entries(byName)) {
    const shape = nodes.get(name);
    if (!shape) issues.add("unknown-input", ["input", name], `no Input node named "${name}"; Input nodes: ${[...nodes.keys()].join(", ") || "(none)"}`);
    else if (typeof x === "object" && x !== null && isNodeInput(x)) {
      const f = nodeFeeder(name, x, shape, issues);
      if (f) feeders.set(name, f);
    } else issues.add("bad-input", ["input", name], "must be { data, shape }, { events, steps } or { shape, sample }");
  }
  for (const name of nodes.keys()) if (!(name in byName)) issues.add("missing-input", ["input", name], `no input given for Input node "${name}"`);
  return feeders;
}

function nodeFeeder(name: string, x: NodeInput, shape: number[], issues: IssueList): Feeder | undefined {
  if ("events" in x) return eventFeeder(name, x, numel(shape), issues);
  return "sample" in x ? streamFeeder(name, x, shape, issues) : denseFeeder(name, x, shape, issues);
}

/** Batch of a dense or stream input's shape [T, ...] or [T, B, ...] against the node's shape; undefined (an issue) if neither. */
function batchOf(name: string, s: number[], nodeShape: number[], issues: IssueList): number | undefined {
  const n = numel(nodeShape), path = ["input", name];
  if (!Array.isArray(s) || s.length < 2 || !s.every((d) => Number.isInteger(d) && d >= 0)) {
    const got = JSON.stringify(s);
    issues.add("bad-input", path, `shape must be [T, ...input shape] or [T, B, ...input shape] of non-negative integers, got ${got}`);
    return undefined;
  }
  if (numel(s.slice(1)) === n && (s.length === 2 || s.length - 1 === nodeShape.length)) return 1;
  if (s.length >= 3 && numel(s.slice(2)) === n) return s[1];
  const expected = `[T, ${nodeShape}] or [T, B, ${nodeShape}]`;
  issues.add("input-shape", path, `Input node "${name}" has shape [${nodeShape}] (${n} elements per step): expected input shape ${expected}, got [${s}]`);
  return undefined;
}

function denseFeeder(name: string, x: DenseInput, nodeShape: number[], issues: IssueList): Feeder | undefined {
  const n = numel(nodeShape), s = x.shape, path = ["input", name];
  const batch = batchOf(name, s, nodeShape, issues);
  if (batch === undefined) return undefined;
  if (x.data.length !== numel(s)) {
    issues.add("bad-input", path, `data has ${x.data.length} values but shape [${s}] needs ${numel(s)}`);
    return undefined;
  }
  const data = Array.isArray(x.data) ? Float64Array.from(x.data) : x.data;
  const size = batch * n;
  return {
    steps: s[0],
    batch,
    fill(t, out, simBatch) {
      const sample = data.subarray(t * size, (t + 1) * size);
      for (let b = 0; b < simBatch; b += batch) out.set(sample, b * n);
    },
  };
}

function eventFeeder(name: string, x: EventInput, n: number, issues: IssueList): Feeder | undefined {
  const path = ["input", name];
  const { events, steps, values } = x;
  if (!Number.isInteger(steps) || steps < 0) issues.add("bad-input", [...path, "steps"], `must be a non-negative integer, got ${steps}`);
  if (values !== undefined && values.length !== events.length) issues.add("bad-input", [...path, "values"], `has ${values.length} entries for ${events.length} events`);
  const triples = events.some((e) => e.length === 3);
  const batch = x.batch ?? (triples ? events.reduce((m, e) => Math.max(m, e.length === 3 ? e[1] + 1 : 1), 1) : 1);
  const count = new Int32Array(Math.max(0, steps) + 1);
  let bad = 0;
  events.forEach((e, k) => {
    const [t, b, i] = e.length === 3 ? e : [e[0], 0, e[1]];
    const ok = Number.isInteger(t) && t >= 0 && t < steps && Number.isInteger(b) && b >= 0 && b < batch && Number.isInteger(i) && i >= 0 && i < n;
    if (!ok && bad++ < 3) issues.add("bad-input", [...path, "events", k], `event ${JSON.stringify(e)} is outside steps 0..${steps - 1}, batch 0..${batch - 1}, index 0..${n - 1} (Input node "${name}" has ${n} elements)`);
    else if (ok) count[t + 1]++;
  });
  if (bad) return undefined;
  for (let t = 0; t < steps; t++) count[t + 1] += count[t];
  const at = new Int32Array(events.length);
  const val = new Float64Array(events.length);
  const fillPos = count.slice(0, steps);
  events.forEach((e, k) => {
    const [t, b, i] = e.length === 3 ? e : [e[0], 0, e[1]];
    const p = fillPos[t]++;
    at[p] = b * n + i;
    val[p] = values ? values[k] : 1;
  });
  return {
    steps,
    batch,
    fill(t, out, simBatch) {
      out.fill(0, 0, batch * n);
      for (let p = count[t]; p < count[t + 1]; p++) out[at[p]] += val[p];
      for (let b = batch; b < simBatch; b += batch) out.copyWithin(b * n, 0, batch * n);
    },
  };
}

/** Calls the user's sample(t, out) into a zeroed view of B x N values; its failure names the input and the step. */
function streamFeeder(name: string, x: StreamInput, nodeShape: number[], issues: IssueList): Feeder | undefined {
  if (typeof x.sample !== "function") {
    const got = typeof x.sample;
    issues.add("bad-input", ["input", name, "sample"], `must be a function (t, out) writing step t's values into out, got ${got}`);
    return undefined;
  }
  const batch = batchOf(name, x.shape, nodeShape, issues);
  if (batch === undefined) return undefined;
  const n = numel(nodeShape), size = batch * n, sample = x.sample.bind(x);
  let last: Buf | undefined, view: Buf | undefined;
  return {
    steps: x.shape[0],
    batch,
    fill(t, out, simBatch) {
      if (out !== last) { last = out; view = out.subarray(0, size); }
      out.fill(0, 0, size);
      let r: unknown;
      try { r = sample(t, view!); } catch (e) { throw sampleError(name, t, size, e); }
      if (isThenable(r)) throw sampleError(name, t, size, new Error("it returned a promise; sample must fill out before returning"));
      for (let b = batch; b < simBatch; b += batch) out.copyWithin(b * n, 0, size);
    },
  };
}

function isThenable(r: unknown): boolean {
  return typeof r === "object" && r !== null && typeof (r as { then?: unknown }).then === "function";
}

function sampleError(name: string, t: number, size: number, e: unknown): PhasorError {
  const why = e instanceof Error ? e.message : String(e);
  const message = `sample(${t}, out) failed at step ${t}: ${why} (it must write step ${t}'s ${size} values into out)`;
  return new PhasorError([{ code: "input-sample", path: ["input", name, "sample"], message }]);
}

/** A stream input drawn whole into a dense one, [T, B, ...node shape] (for a runner that takes arrays). */
export function drawStream(name: string, x: StreamInput, nodeShape: number[]): DenseInput {
  const issues = new IssueList(), f = streamFeeder(name, x, nodeShape, issues);
  if (!f) throw new PhasorError(issues.issues);
  const size = f.batch * numel(nodeShape), data = new Float64Array(f.steps * size);
  for (let t = 0; t < f.steps; t++) f.fill(t, data.subarray(t * size, (t + 1) * size), f.batch);
  return { data, shape: [f.steps, f.batch, ...nodeShape] };
}
