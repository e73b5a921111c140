/**
 * Fusion: Graph -> Netlist. Every neuron becomes a layer; every path of stateless linear
 * nodes from a source (Input or neuron) to a neuron becomes one projection whose ops are
 * the path's nodes (Flatten dropped); constant biases along the way are folded into the
 * destination layer. Outputs fed through linear nodes become readout layers.
 */
import type { Edge, Node } from "../../ir/graph.js";
import { numel } from "../../ir/graph.js";
import { PhasorError } from "../../ir/errors.js";
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
  const biasMemo = new Map<string, Float64Array>();
  for (const name of g.order) {
    const n = g.nodes[name];
    const size = numel(g.shapes[name].output);
    if (n.type === "Input") layers.push({ name, kind: "input", model: "Input", shape: g.shapes[name].output, size, output: false, host: false, bias: new Float64Array(size) });
    else if (isNeuron(n)) {
      const bias = new Float64Array(size);
      for (const { e } of incoming.get(name) ?? []) addInto(bias, biasOf(g, e.src, incoming, biasMemo));
      layers.push({ name, kind: "neuron", model: n.type, shape: g.shapes[name].output, size, node: n, output: false, host: false, bias });
      for (const { e, recurrent } of incoming.get(name) ?? []) collectPaths(g, e.src, name, e.port ?? 0, recurrent, [], incoming, projections);
    }
  }
  for (const name of g.order) {
    if (g.nodes[name].type !== "Output") continue;
    for (const { e } of incoming.get(name) ?? []) {
      const src = g.nodes[e.src];
      if (src.type === "Input" || isNeuron(src)) { const l = layers.find((x) => x.name === e.src)!; l.output = true; continue; }
      const size = numel(g.shapes[name].output);
      layers.push({ name, kind: "readout", model: "Output", shape: g.shapes[name].output, size, output: true, host: false, bias: biasOf(g, e.src, incoming, biasMemo).slice() });
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
    const only = ops.length === 1 && ops[0].kind === "sparse" ? ops[0].csr : undefined;
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
    case "Scale": return { kind: "scale", node: name, scale: n.scale.data };
    case "Conv2d": return { kind: "conv", node: name, weight: n.weight.data, wShape: n.weight.shape, stride: n.stride, padding: n.padding, dilation: n.dilation, groups: n.groups, inShape: input, outShape: output };
    case "SumPool2d": return { kind: "pool", node: name, kernel: n.kernel_size, stride: n.stride, padding: n.padding, inShape: input, outShape: output };
    default:
      throw new PhasorError([{ code: "unsupported-node", path: [name], message: `${n.type} nodes cannot be compiled yet (supported between neurons: Affine, Linear, Scale, Conv2d, SumPool2d, AvgPool2d, Flatten, SparseProjection)` }]);
  }
}

/** The constant output of a stateless node when every source is silent (its folded bias). */
function biasOf(g: AnalysedGraph, name: string, incoming: Incoming, memo: Map<string, Float64Array>): Float64Array {
  const hit = memo.get(name);
  if (hit) return hit;
  const n = g.nodes[name];
  const size = numel(g.shapes[name].output);
  let out = new Float64Array(size);
  if (n.type !== "Input" && !isNeuron(n)) {
    const inSize = numel(g.shapes[name].input);
    const x = new Float64Array(inSize);
    for (const { e } of incoming.get(name) ?? []) addInto(x, biasOf(g, e.src, incoming, memo));
    const op = toOp(g, name, n);
    out = Float64Array.from(op ? applyDense(op, x) : x);
    if (n.type === "Affine") addInto(out, Float64Array.from(n.bias.data));
    if (n.type === "Conv2d") { const per = size / n.bias.data.length; for (let i = 0; i < size; i++) out[i] += n.bias.data[Math.floor(i / per)]; }
  }
  memo.set(name, out);
  return out;
}

function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}
