/**
 * Graph validation: fields, edges, shapes and loops, with every issue reported at once.
 * `analyseGraph` also returns what later stages need: the flat graph, each node's shapes,
 * an evaluation order, and which edges are recurrent (they carry a one-step delay).
 */
import type { Edge, Graph, GraphNode, Node, Tensor } from "./graph.js";
import { numel } from "./graph.js";
import { IssueList, PhasorError } from "./errors.js";
import { flattenGraph, type FlatGraph } from "./flatten.js";
import { nodeTypes, portCount, specOf, type FieldSpec } from "./nodes.js";
import { specProblems } from "./procedural.js";

/** A validated flat graph with shapes and an evaluation order. */
export interface AnalysedGraph extends FlatGraph {
  shapes: Record<string, { input: number[]; output: number[] }>;
  /** Evaluation order: every non-recurrent edge goes from an earlier to a later node. */
  order: string[];
  /** recurrent[k] is true when edges[k] closes a loop (its value arrives one step later). */
  recurrent: boolean[];
}

/** Throws one PhasorError listing every problem in the graph; returns the analysis when valid. */
export function analyseGraph(g: Graph): AnalysedGraph {
  const issues = new IssueList();
  checkFields(g, [], issues);
  issues.throwIfAny();
  const flat = flattenGraph(g, issues);
  issues.throwIfAny();
  checkPorts(flat, issues);
  const shapes = inferShapes(flat, issues);
  const { order, recurrent } = orderNodes(flat);
  checkLoops(flat, issues);
  issues.throwIfAny();
  return { ...flat, shapes, order, recurrent };
}

/** Throws one PhasorError listing every problem in the graph. */
export function validateGraph(g: Graph): void {
  analyseGraph(g);
}

/** Like validateGraph, but returns the issues instead of throwing. */
export function safeValidateGraph(g: Graph): { ok: true } | { ok: false; error: PhasorError } {
  try {
    analyseGraph(g);
    return { ok: true };
  } catch (e) {
    if (e instanceof PhasorError) return { ok: false, error: e };
    throw e;
  }
}

function checkFields(g: GraphNode, path: string[], issues: IssueList): void {
  if (!g.nodes || typeof g.nodes !== "object") return issues.add("missing-field", [...path, "nodes"], "graph has no nodes");
  for (const [name, node] of Object.entries(g.nodes)) {
    const p = [...path, name];
    const spec = specOf((node as { type: string }).type);
    if (!spec) {
      issues.add("unknown-type", [...p, "type"], `unknown node type "${(node as { type: string }).type}"; known types: ${nodeTypes().join(", ")}`);
      continue;
    }
    if (node.type === "NIRGraph") checkFields(node, p, issues);
    for (const f of spec.fields) checkField(node, f, p, issues);
    if (node.type === "SparseProjection") checkCsr(node, p, issues);
    if (node.type === "ProceduralProjection") for (const [f, m] of specProblems(node)) issues.add("bad-rule", [...p, f], m);
  }
  if (!Array.isArray(g.edges)) issues.add("missing-field", [...path, "edges"], "graph has no edge list");
}

function checkField(node: Node, f: FieldSpec, path: string[], issues: IssueList): void {
  const v = (node as unknown as Record<string, unknown>)[f.name];
  const at = [...path, f.name];
  if (v === undefined || v === null) {
    if (!f.optional) issues.add("missing-parameter", at, `${node.type} needs parameter "${f.name}"`);
    return;
  }
  switch (f.kind) {
    case "tensor": {
      const t = v as Tensor;
      if (!(t.data instanceof Float32Array || t.data instanceof Float64Array) || !Array.isArray(t.shape))
        issues.add("bad-parameter", at, `must be a float tensor {shape, data}`);
      else if (numel(t.shape) !== t.data.length)
        issues.add("bad-parameter", at, `shape [${t.shape}] has ${numel(t.shape)} elements but data has ${t.data.length}`);
      else if (t.data.some((x) => Number.isNaN(x))) issues.add("bad-parameter", at, "contains NaN");
      return;
    }
    case "ints":
      if (!Array.isArray(v) || !v.every(Number.isInteger)) issues.add("bad-parameter", at, `must be a list of integers, got ${JSON.stringify(v)}`);
      return;
    case "int":
      if (!Number.isInteger(v)) issues.add("bad-parameter", at, `must be an integer, got ${JSON.stringify(v)}`);
      return;
    case "int32array":
      if (!(v instanceof Int32Array)) issues.add("bad-parameter", at, "must be an Int32Array");
      return;
    case "floatarray":
      if (!(v instanceof Float32Array || v instanceof Float64Array)) issues.add("bad-parameter", at, "must be a Float32Array or Float64Array");
      return;
    case "object":
      if (typeof v !== "object") issues.add("bad-parameter", at, `must be an object, got ${JSON.stringify(v)}`);
  }
}

function checkCsr(n: Extract<Node, { type: "SparseProjection" }>, path: string[], issues: IssueList): void {
  if (!(n.indptr instanceof Int32Array) || !(n.indices instanceof Int32Array)) return;
  if (n.indptr.length !== n.pre + 1) issues.add("bad-csr", [...path, "indptr"], `has length ${n.indptr.length}, expected pre + 1 = ${n.pre + 1}`);
  const nnz = n.indices.length;
  if (n.indptr[0] !== 0 || n.indptr[n.indptr.length - 1] !== nnz) issues.add("bad-csr", [...path, "indptr"], `must start at 0 and end at nnz = ${nnz}`);
  for (let k = 1; k < n.indptr.length; k++)
    if (n.indptr[k] < n.indptr[k - 1]) { issues.add("bad-csr", [...path, "indptr"], `decreases at row ${k - 1}`); break; }
  const bad = n.indices.findIndex((j) => j < 0 || j >= n.post);
  if (bad >= 0) issues.add("bad-csr", [...path, "indices"], `synapse ${bad} targets neuron ${n.indices[bad]}, outside 0..${n.post - 1}`);
  if (n.weight && n.weight.length !== nnz) issues.add("bad-csr", [...path, "weight"], `has ${n.weight.length} entries for ${nnz} synapses`);
  if (n.delay && n.delay.length !== nnz) issues.add("bad-csr", [...path, "delay"], `has ${n.delay.length} entries for ${nnz} synapses`);
  if (n.delay && n.delay.some((d) => d < 0)) issues.add("bad-csr", [...path, "delay"], "delays must be >= 0 seconds");
}

function checkPorts(g: FlatGraph, issues: IssueList): void {
  for (const e of g.edges) {
    if (e.port === undefined || e.port === 0) continue;
    const ports = portCount(g.nodes[e.dst]);
    if (!Number.isInteger(e.port) || e.port < 0 || e.port >= ports)
      issues.add("bad-port", [e.dst], `edge ${e.src} -> ${e.dst} uses port ${e.port}, but ${e.dst} has ${ports} synaptic current(s)`);
  }
}

function inferShapes(g: FlatGraph, issues: IssueList): AnalysedGraph["shapes"] {
  const out = new Map<string, number[]>();
  const inp = new Map<string, number[]>();
  const failed = new Set<string>();
  const incoming = groupBy(g.edges, (e) => e.dst);
  const names = Object.keys(g.nodes);
  for (let pass = 0, changed = true; changed && pass <= names.length; pass++) {
    changed = false;
    for (const n of names) {
      if (out.has(n) || failed.has(n)) continue;
      const src = (incoming.get(n) ?? []).find((e) => out.has(e.src));
      const r = specOf(g.nodes[n].type)!.shapes(g.nodes[n], src ? out.get(src.src) : undefined);
      if (typeof r === "string") {
        failed.add(n);
        issues.add("shape-mismatch", [n], src ? `edge ${src.src} -> ${n}: ${r}` : r);
      } else if (r.output) {
        out.set(n, r.output);
        inp.set(n, r.input ?? r.output);
        changed = true;
      }
    }
  }
  for (const e of g.edges) {
    const s = out.get(e.src);
    if (!s || failed.has(e.dst) || !out.has(e.dst)) continue;
    const r = specOf(g.nodes[e.dst].type)!.shapes(g.nodes[e.dst], s);
    if (typeof r === "string") issues.add("shape-mismatch", [e.dst], `edge ${e.src} -> ${e.dst}: ${r}`);
  }
  for (const n of names)
    if (!out.has(n) && !failed.has(n))
      issues.add("unknown-shape", [n], `cannot infer the shape of ${g.nodes[n].type} node "${n}": connect an input to it${g.nodes[n].type.startsWith("Conv") ? " or give input_shape" : ""}`);
  const shapes: AnalysedGraph["shapes"] = {};
  for (const [n, o] of out) shapes[n] = { input: inp.get(n)!, output: o };
  return shapes;
}

/** Depth-first from the Input nodes; reverse postorder is the evaluation order, back edges are recurrent. */
function orderNodes(g: FlatGraph): { order: string[]; recurrent: boolean[] } {
  const outgoing = groupBy(g.edges, (e) => e.src);
  const names = Object.keys(g.nodes);
  const roots = [...names.filter((n) => g.nodes[n].type === "Input"), ...names];
  const state = new Map<string, 1 | 2>();
  const post: string[] = [];
  for (const r of roots) {
    if (state.has(r)) continue;
    // Iterative DFS so that deep chains do not overflow the stack.
    const stack: [string, number][] = [[r, 0]];
    state.set(r, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = (outgoing.get(top[0]) ?? [])[top[1]++];
      if (!next) {
        state.set(top[0], 2);
        post.push(top[0]);
        stack.pop();
      } else if (!state.has(next.dst)) {
        state.set(next.dst, 1);
        stack.push([next.dst, 0]);
      }
    }
  }
  const order = post.reverse();
  const pos = new Map(order.map((n, i) => [n, i]));
  return { order, recurrent: g.edges.map((e) => pos.get(e.src)! >= pos.get(e.dst)!) };
}

/** A loop is algebraic when it has no stateful node: nothing delays the signal around it. */
function checkLoops(g: FlatGraph, issues: IssueList): void {
  const stateless = Object.keys(g.nodes).filter((n) => !specOf(g.nodes[n].type)!.stateful);
  const keep = new Set(stateless);
  const sub: FlatGraph = {
    nodes: Object.fromEntries(stateless.map((n) => [n, g.nodes[n]])),
    edges: g.edges.filter((e) => keep.has(e.src) && keep.has(e.dst)),
  };
  const seen = new Set<string>();
  orderNodes(sub).recurrent.forEach((back, k) => {
    if (!back) return;
    const e = sub.edges[k];
    const loop = pathBetween(sub, e.dst, e.src) ?? [e.dst];
    const key = [...loop].sort().join(",");
    if (seen.has(key)) return;
    seen.add(key);
    issues.add("algebraic-loop", [e.src], `loop ${[...loop, loop[0]].join(" -> ")} has no stateful node (neuron or Delay), so its value would depend on itself within one step`);
  });
}

/** A shortest path from a to b along edges (breadth-first), or undefined. */
function pathBetween(g: FlatGraph, a: string, b: string): string[] | undefined {
  const outgoing = groupBy(g.edges, (e) => e.src);
  const prev = new Map<string, string>([[a, ""]]);
  const queue = [a];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === b) {
      const path = [n];
      for (let p = prev.get(n)!; p; p = prev.get(p)!) path.unshift(p);
      return path;
    }
    for (const e of outgoing.get(n) ?? []) if (!prev.has(e.dst)) { prev.set(e.dst, n); queue.push(e.dst); }
  }
  return undefined;
}

function groupBy(edges: Edge[], key: (e: Edge) => string): Map<string, Edge[]> {
  const m = new Map<string, Edge[]>();
  for (const e of edges) {
    const k = key(e);
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  }
  return m;
}
