/** External input: dense arrays and event lists, checked against the Input nodes and turned into per-step feeders. */
import type { IssueList } from "../errors.js";
import { numel } from "../graph.js";
import type { Buf, DenseInput, EventInput, NodeInput, SimInput } from "./types.js";

/** Writes sample t of one Input node into a [B, N] buffer (a batch-1 input is broadcast to every batch). */
export interface Feeder {
  steps: number;
  batch: number;
  fill(t: number, out: Buf, batch: number): void;
}

/** True for one node's input (dense or events) rather than a record keyed by node name. */
export function isNodeInput(x: SimInput): x is NodeInput {
  return ("data" in x && "shape" in x) || ("events" in x && "steps" in x);
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
      const f = "events" in x ? eventFeeder(name, x, numel(shape), issues) : denseFeeder(name, x, shape, issues);
      if (f) feeders.set(name, f);
    } else issues.add("bad-input", ["input", name], "must be { data, shape } or { events, steps }");
  }
  for (const name of nodes.keys()) if (!(name in byName)) issues.add("missing-input", ["input", name], `no input given for Input node "${name}"`);
  return feeders;
}

function denseFeeder(name: string, x: DenseInput, nodeShape: number[], issues: IssueList): Feeder | undefined {
  const n = numel(nodeShape);
  const s = x.shape;
  const path = ["input", name];
  if (!Array.isArray(s) || s.length < 2 || !s.every((d) => Number.isInteger(d) && d >= 0)) {
    issues.add("bad-input", path, `shape must be [T, ...input shape] or [T, B, ...input shape] of non-negative integers, got ${JSON.stringify(s)}`);
    return undefined;
  }
  let batch: number;
  if (numel(s.slice(1)) === n && (s.length === 2 || s.length - 1 === nodeShape.length)) batch = 1;
  else if (s.length >= 3 && numel(s.slice(2)) === n) batch = s[1];
  else {
    issues.add("input-shape", path, `Input node "${name}" has shape [${nodeShape}] (${n} elements per step): expected input shape [T, ${nodeShape}] or [T, B, ${nodeShape}], got [${s}]`);
    return undefined;
  }
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
