/**
 * Fusion: Graph -> Netlist. Every neuron becomes a layer; every path of stateless linear
 * nodes from a source (Input or neuron) to a neuron becomes one projection whose ops are
 * the path's nodes (Flatten dropped). Constant biases along the way are folded: into the
 * destination layer when they reach its port 0 from step 0 on, otherwise onto a projection
 * into that port with the same delay (a bias upstream of a recurrent edge arrives one step
 * late, as in the reference simulator: the recurrent edge delivers W·x + b of step t-1).
 * Outputs fed through linear nodes become readout layers.
 */
import type { Edge, Node } from "../../ir/graph.js";
import { numel } from "../../ir/graph.js";
import { PhasorError } from "../../ir/errors.js";
import { lazyCsr } from "./rule-stats.js";
import type { AnalysedGraph } from "../../ir/validate.js";
import { specOf } from "../../ir/nodes.js";
import type { Layer, LinearOp, Netlist, Projection } from "../netlist.js";
import { applyDense } from "../ops.js";
import type { CompileState } from "../state.js";

/** A node that holds neuron state (declares a membrane `v`). */
export function isNeuron(n: Node): boolean {
  return specOf(n.type)!.state.includes("v");
}

/** Builds the netlist from the analysed graph. */
export function fuse(s: CompileState): CompileState {
  const g = s.analysed!;
  const incoming = new Map<string, Array<{ e: Edge; recurrent: boolean }>>();
  g.edges.forEach((e, k) => incoming.set(e.dst, [...(incoming.get(e.dst) ?? []), { e, recurrent: g.recurrent[k] }]));
  const layers: Layer[] = [];
  const projections: Projection[] = [];
  const biasMemo = new Map<string, Float64Array[]>();
  for (const name of g.order) {
    const n = g.nodes[name];
    const size = numel(g.shapes[name].output);
    if (n.type === "Input") layers.push({ name, kind: "input", model: "Input", shape: g.shapes[name].output, size, output: false, host: false, bias: new Float64Array(size) });
    else if (isNeuron(n)) {
      const bias = new Float64Array(size);
      const late: LateBias[] = [];
      for (const { e, recurrent } of incoming.get(name) ?? []) {
        const first = projections.length, port = e.port ?? 0;
        collectPaths(g, e.src, name, port, recurrent, [], incoming, projections);
        lagged(biasOf(g, e.src, incoming, biasMemo), recurrent ? 1 : 0).forEach((b, from) => {
          if (!b || !b.some((x) => x !== 0)) return;
          if (from === 0 && port === 0) addInto(bias, b);
          else late.push({ bias: b, from, port, edge: projections.slice(first) });
        });
      }
      layers.push({ name, kind: "neuron", model: n.type, shape: g.shapes[name].output, size, node: n, output: false, host: false, bias });
      for (const l of late) attachBias(name, l, projections);
    }
  }
  for (const name of g.order) {
    if (g.nodes[name].type !== "Output") continue;
    for (const { e } of incoming.get(name) ?? []) {
      const src = g.nodes[e.src];
      if (src.type === "Input" || isNeuron(src)) { const l = layers.find((x) => x.name === e.src)!; l.output = true; continue; }
      const size = numel(g.shapes[name].output);
      const bias = new Float64Array(size);
      for (const b of biasOf(g, e.src, incoming, biasMemo)) if (b) addInto(bias, b);
      layers.push({ name, kind: "readout", model: "Output", shape: g.shapes[name].output, size, output: true, host: false, bias });
      collectPaths(g, e.src, name, 0, false, [], incoming, projections);
    }
  }
  const netlist: Netlist = { layers, projections: projections.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
  return { ...s, netlist };
}

type Incoming = Map<string, Array<{ e: Edge; recurrent: boolean }>>;

/** Walks back from `node` to sources, prepending each stateless node as an op. */
function collectPaths(g: AnalysedGraph, node: string, dst: string, port: number, recurrent: boolean, ops: LinearOp[], incoming: Incoming, out: Projection[]): void {
  const n = g.nodes[node];
  if (n.type === "Input" || isNeuron(n)) {
    const base = ops.length ? ops[ops.length - 1].node : `${node}->${dst}`;
    let name = base;
    for (let k = 2; out.some((p) => p.name === name); k++) name = `${base}#${k}`;
    const p: Projection = { name, src: node, dst, port, recurrent, ops };
    // A rule's synapses (and delays) stay unbuilt here: lowering materialises them only if it keeps the CSR form.
    const only = ops.length === 1 && ops[0].kind === "sparse" && !ops[0].rule ? ops[0].csr : undefined;
    if (only?.delay) p.delaySeconds = only.delay;
    out.push(p);
    return;
  }
  const op = toOp(g, node, n);
  const next = op ? [op, ...ops] : ops;
  for (const { e, recurrent: r } of incoming.get(node) ?? []) collectPaths(g, e.src, dst, port, recurrent || r, next, incoming, out);
}

/** The linear op of a stateless node, or undefined for a reshape; unsupported nodes are an error naming them. */
function toOp(g: AnalysedGraph, name: string, n: Node): LinearOp | undefined {
  const { input, output } = g.shapes[name];
  switch (n.type) {
    case "Flatten": case "Output": return undefined;
    case "Affine": return { kind: "dense", node: name, weight: n.weight.data, out: n.weight.shape[0], in: n.weight.shape[1] };
    case "SparseProjection": return { kind: "sparse", node: name, csr: n };
    case "ProceduralProjection": return { kind: "sparse", node: name, csr: lazyCsr(n), rule: n };
    case "Scale": return { kind: "scale", node: name, scale: n.scale.data };
    case "Conv2d": return { kind: "conv", node: name, weight: n.weight.data, wShape: n.weight.shape, stride: n.stride, padding: n.padding, dilation: n.dilation, groups: n.groups, inShape: input, outShape: output };
    case "SumPool2d": return { kind: "pool", node: name, kernel: n.kernel_size, stride: n.stride, padding: n.padding, inShape: input, outShape: output };
    default:
      throw new PhasorError([{ code: "unsupported-node", path: [name], message: `${n.type} nodes cannot be compiled yet (supported between neurons: Affine, Linear, Scale, Conv2d, SumPool2d, AvgPool2d, Flatten, SparseProjection, ProceduralProjection)` }]);
  }
}

/** A bias that must ride on a projection into `port` delivered from step `from` on; `edge` holds the projections of the edge it came through. */
interface LateBias { bias: Float64Array; from: number; port: number; edge: Projection[] }

/**
 * Puts a late (or non-port-0) bias on a projection into `dst` with the same port and delay
 * (lag 1 when recurrent, else 0): preferably one of the edge it came through, the first by name.
 */
function attachBias(dst: string, l: LateBias, projections: Projection[]): void {
  const fits = (p: Projection) => p.dst === dst && p.port === l.port && (p.recurrent ? 1 : 0) === l.from;
  const byName = (a: Projection, b: Projection) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const p = l.edge.filter(fits).sort(byName)[0] ?? projections.filter(fits).sort(byName)[0];
  if (!p) {
    throw new PhasorError([{ code: "unsupported-bias", path: [dst], message: `a constant bias reaches ${dst} (port ${l.port}) from step ${l.from} on, but no projection into that port has a delay of ${l.from} step${l.from === 1 ? "" : "s"} to carry it` }]);
  }
  p.bias = p.bias ? p.bias.slice() : new Float64Array(l.bias.length);
  addInto(p.bias, l.bias);
}

/** Parts of a constant signal by the step from which each is present, delayed by `lag` steps (sparse: missing entries are zero). */
function lagged(parts: Float64Array[], lag: number): Float64Array[] {
  const out: Float64Array[] = [];
  parts.forEach((b, k) => { if (b) out[k + lag] = b; });
  return out;
}

/**
 * The constant output of a stateless node when every source is silent (its folded bias), split
 * by arrival: entry k is present from step k on, k being the recurrent edges between the biased
 * node and this one (each delivers its source's output of the previous step, zero at t = 0).
 */
function biasOf(g: AnalysedGraph, name: string, incoming: Incoming, memo: Map<string, Float64Array[]>): Float64Array[] {
  const hit = memo.get(name);
  if (hit) return hit;
  const n = g.nodes[name];
  const size = numel(g.shapes[name].output);
  const out: Float64Array[] = [];
  if (n.type !== "Input" && !isNeuron(n)) {
    const inSize = numel(g.shapes[name].input);
    const xs: Float64Array[] = [];
    for (const { e, recurrent } of incoming.get(name) ?? [])
      lagged(biasOf(g, e.src, incoming, memo), recurrent ? 1 : 0).forEach((b, k) => { if (b) addInto((xs[k] ??= new Float64Array(inSize)), b); });
    const op = toOp(g, name, n);
    xs.forEach((x, k) => { if (x) out[k] = Float64Array.from(op ? applyDense(op, x) : x); });
    if (n.type === "Affine") addInto((out[0] ??= new Float64Array(size)), Float64Array.from(n.bias.data));
    if (n.type === "Conv2d") { const o = (out[0] ??= new Float64Array(size)), per = size / n.bias.data.length; for (let i = 0; i < size; i++) o[i] += n.bias.data[Math.floor(i / per)]; }
  }
  memo.set(name, out);
  return out;
}

function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}
