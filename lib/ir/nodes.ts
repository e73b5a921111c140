/**
 * Node specs as data: each node type declares its fields, whether it holds state, whether it
 * is a Phasor extension, and its shape rule. Shared code asks the spec, never the type name.
 */
import type { Node, NodeType, NodeOf, Tensor } from "./graph.js";
import { numel } from "./graph.js";

/** How a field is stored: float tensor, int list, scalar int, or (extension) int32/float arrays. */
export type FieldKind = "tensor" | "ints" | "int" | "int32array" | "floatarray" | "object";

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  optional?: boolean;
  /** A Phasor extension field: the NIR writer refuses it. */
  extension?: boolean;
  /** Field added by NIR 1.0 (written only when present). */
  nir1?: boolean;
}

/** Input and output shapes a node implies; `undefined` where it cannot be known yet. */
export interface ShapeInfo {
  input?: number[];
  output?: number[];
}

export interface NodeSpec {
  type: NodeType;
  doc: string;
  fields: FieldSpec[];
  /** Holds state across time steps (so it breaks an algebraic loop). */
  stateful: boolean;
  /** Emits spikes (binary output). */
  spiking: boolean;
  /** Phasor-only node type; NIR cannot express it. */
  extension: boolean;
  /** Recordable variables besides the output (`out`, or `spike` for spiking nodes). */
  state: string[];
  /** Shape rule: given the incoming shape (if known), the shapes this node accepts and emits; a string is an error. */
  shapes(node: Node, input: number[] | undefined): ShapeInfo | string;
}

const t = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: "tensor", ...extra });
const ints = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: "ints", ...extra });
const int = (name: string): FieldSpec => ({ name, kind: "int" });
const obj = (name: string): FieldSpec => ({ name, kind: "object" });
const neuronExt = [t("v_reset", { optional: true, nir1: true }), t("t_ref", { optional: true, extension: true })];

/** A node whose shape is that of one of its parameter tensors; input must have the same number of elements. */
function elementwise(field: string) {
  return (node: Node, input: number[] | undefined): ShapeInfo | string => {
    const p = (node as unknown as Record<string, Tensor>)[field];
    const shape = p.shape.length ? p.shape : [1];
    if (input && numel(input) !== numel(shape) && numel(shape) !== 1)
      return `input has shape [${input}] (${numel(input)} elements) but ${field} has shape [${shape}]`;
    if (numel(shape) === 1 && input) return { input, output: input };
    return { input: shape, output: shape };
  };
}

function matmul(node: Node, input: number[] | undefined): ShapeInfo | string {
  const w = (node as NodeOf<"Affine">).weight;
  if (w.shape.length !== 2) return `weight must be 2-D [out, in], got [${w.shape}]`;
  const [out, inn] = w.shape;
  if (input && numel(input) !== inn) return `input has ${numel(input)} elements [${input}] but weight expects ${inn} (weight is [${w.shape}])`;
  return { input: input ?? [inn], output: [out] };
}

function convOut(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function conv(dims: 1 | 2) {
  return (node: Node, input: number[] | undefined): ShapeInfo | string => {
    const n = node as NodeOf<"Conv2d">;
    const w = n.weight.shape;
    if (w.length !== dims + 2) return `weight must be ${dims + 2}-D [out, in/groups, ${dims === 2 ? "kh, kw" : "k"}], got [${w}]`;
    const cin = w[1] * n.groups;
    const spatial = input ? input.slice(1) : n.input_shape;
    if (input && (input.length !== dims + 1 || input[0] !== cin))
      return `input has shape [${input}] but a ${dims}-D convolution with weight [${w}] and groups ${n.groups} expects [${cin}, ${dims === 2 ? "H, W" : "L"}]`;
    if (!spatial) return {};
    const out = spatial.map((sz, i) => convOut(sz, w[2 + i], at(n.stride, i), at(n.padding, i), at(n.dilation, i)));
    if (out.some((o) => o < 1)) return `output would be empty: input [${spatial}] is smaller than the kernel [${w.slice(2)}]`;
    return { input: [cin, ...spatial], output: [w[0], ...out] };
  };
}

function pool(node: Node, input: number[] | undefined): ShapeInfo | string {
  const n = node as NodeOf<"SumPool2d">;
  if (!input) return {};
  if (input.length !== 3) return `input must be [C, H, W], got [${input}]`;
  const out = [0, 1].map((i) => convOut(input[1 + i], at(n.kernel_size, i), at(n.stride, i), at(n.padding, i), 1));
  if (out.some((o) => o < 1)) return `output would be empty: input [${input}] is smaller than the kernel [${n.kernel_size}]`;
  return { input, output: [input[0], ...out] };
}

function flatten(node: Node, input: number[] | undefined): ShapeInfo | string {
  const n = node as NodeOf<"Flatten">;
  const shape = input ?? n.input_shape;
  if (!shape) return {};
  if (input && n.input_shape && numel(input) !== numel(n.input_shape))
    return `input has shape [${input}] but the node declares input_shape [${n.input_shape}]`;
  const r = shape.length;
  const s = n.start_dim < 0 ? r + n.start_dim : n.start_dim;
  const e = n.end_dim < 0 ? r + n.end_dim : n.end_dim;
  if (s < 0 || e >= r || s > e) return `start_dim ${n.start_dim} / end_dim ${n.end_dim} out of range for input [${shape}]`;
  return { input: shape, output: [...shape.slice(0, s), numel(shape.slice(s, e + 1)), ...shape.slice(e + 1)] };
}

/** A list parameter given as one value applies to every dimension. */
function at(list: number[], i: number): number {
  return list.length === 1 ? list[0] : list[i];
}

function port(node: Node, input: number[] | undefined): ShapeInfo | string {
  const shape = (node as NodeOf<"Input">).shape;
  if (!shape.every((d) => d > 0)) return `${node.type} shape [${shape}] needs dimensions >= 1 (a negative or zero size holds no data)`;
  if (input && numel(input) !== numel(shape)) return `receives shape [${input}] but declares shape [${shape}]`;
  return { input: shape, output: shape };
}

function sparse(node: Node, input: number[] | undefined): ShapeInfo | string {
  const n = node as NodeOf<"SparseProjection" | "ProceduralProjection">;
  if (input && numel(input) !== n.pre) return `input has ${numel(input)} elements but the projection has pre = ${n.pre}`;
  return { input: input ?? [n.pre], output: [n.post] };
}


const specList: NodeSpec[] = [
  { type: "Input", doc: "Graph input port", fields: [ints("shape")], stateful: false, spiking: false, extension: false, state: [], shapes: port },
  { type: "Output", doc: "Graph output port", fields: [ints("shape")], stateful: false, spiking: false, extension: false, state: [], shapes: port },
  { type: "Affine", doc: "y = W x + b", fields: [t("weight"), t("bias")], stateful: false, spiking: false, extension: false, state: [], shapes: matmul },
  { type: "Linear", doc: "y = W x", fields: [t("weight")], stateful: false, spiking: false, extension: false, state: [], shapes: matmul },
  { type: "Scale", doc: "y = s * x", fields: [t("scale")], stateful: false, spiking: false, extension: false, state: [], shapes: elementwise("scale") },
  { type: "Conv1d", doc: "1-D convolution", fields: [t("weight"), ints("stride"), ints("padding"), ints("dilation"), int("groups"), t("bias"), ints("input_shape", { optional: true })], stateful: false, spiking: false, extension: false, state: [], shapes: conv(1) },
  { type: "Conv2d", doc: "2-D convolution", fields: [t("weight"), ints("stride"), ints("padding"), ints("dilation"), int("groups"), t("bias"), ints("input_shape", { optional: true })], stateful: false, spiking: false, extension: false, state: [], shapes: conv(2) },
  { type: "SumPool2d", doc: "2-D sum pooling", fields: [ints("kernel_size"), ints("stride"), ints("padding")], stateful: false, spiking: false, extension: false, state: [], shapes: pool },
  { type: "AvgPool2d", doc: "2-D average pooling", fields: [ints("kernel_size"), ints("stride"), ints("padding")], stateful: false, spiking: false, extension: false, state: [], shapes: pool },
  { type: "Flatten", doc: "Merge dims start_dim..end_dim", fields: [int("start_dim"), int("end_dim"), ints("input_shape", { optional: true })], stateful: false, spiking: false, extension: false, state: [], shapes: flatten },
  { type: "Delay", doc: "y(t) = x(t - delay)", fields: [t("delay")], stateful: true, spiking: false, extension: false, state: [], shapes: elementwise("delay") },
  { type: "Threshold", doc: "y = H(x - threshold)", fields: [t("threshold")], stateful: false, spiking: true, extension: false, state: [], shapes: elementwise("threshold") },
  { type: "I", doc: "dv/dt = r I", fields: [t("r")], stateful: true, spiking: false, extension: false, state: ["v"], shapes: elementwise("r") },
  { type: "IF", doc: "dv/dt = r I; spike and reset at v > v_threshold", fields: [t("r"), t("v_threshold"), ...neuronExt], stateful: true, spiking: true, extension: false, state: ["v"], shapes: elementwise("r") },
  { type: "LI", doc: "tau dv/dt = (v_leak - v) + r I", fields: [t("tau"), t("r"), t("v_leak")], stateful: true, spiking: false, extension: false, state: ["v"], shapes: elementwise("tau") },
  { type: "LIF", doc: "tau dv/dt = (v_leak - v) + r I; spike and reset at v > v_threshold", fields: [t("tau"), t("r"), t("v_leak"), t("v_threshold"), ...neuronExt], stateful: true, spiking: true, extension: false, state: ["v"], shapes: elementwise("tau") },
  { type: "CubaLI", doc: "tau_syn di/dt = -i + w_in I; tau_mem dv/dt = (v_leak - v) + r i", fields: [t("tau_syn"), t("tau_mem"), t("r"), t("v_leak"), t("w_in")], stateful: true, spiking: false, extension: false, state: ["v", "i"], shapes: elementwise("tau_mem") },
  { type: "CubaLIF", doc: "CubaLI with spike and reset at v > v_threshold", fields: [t("tau_syn"), t("tau_mem"), t("r"), t("v_leak"), t("v_threshold"), t("w_in"), ...neuronExt], stateful: true, spiking: true, extension: false, state: ["v", "i"], shapes: elementwise("tau_mem") },
  { type: "MultiCubaLIF", doc: "LIF with several synaptic currents, one per edge port (Phasor extension)", fields: [t("tau_syn"), t("tau_mem"), t("r"), t("v_leak"), t("v_threshold"), ...neuronExt], stateful: true, spiking: true, extension: true, state: ["v", "i"], shapes: elementwise("tau_mem") },
  { type: "SparseProjection", doc: "CSR sparse synapses with optional delays (Phasor extension)", fields: [int("pre"), int("post"), { name: "indptr", kind: "int32array" }, { name: "indices", kind: "int32array" }, { name: "weight", kind: "floatarray" }, { name: "delay", kind: "floatarray", optional: true }], stateful: false, spiking: false, extension: true, state: [], shapes: sparse },
  { type: "ProceduralProjection", doc: "Sparse synapses from a connection rule and a seed, rows generated on demand (Phasor extension)", fields: [int("pre"), int("post"), obj("rule"), obj("weight"), { ...obj("delay"), optional: true }, int("seed")], stateful: false, spiking: false, extension: true, state: [], shapes: sparse },
  { type: "NIRGraph", doc: "Nested graph", fields: [], stateful: false, spiking: false, extension: false, state: [], shapes: () => ({}) },
];

const specs = new Map<string, NodeSpec>(specList.map((s) => [s.type, s]));

/** The spec of a node type, or undefined for an unknown type. */
export function specOf(type: string): NodeSpec | undefined {
  return specs.get(type);
}

/** Every node type, in declaration order. */
export function nodeTypes(): NodeType[] {
  return specList.map((s) => s.type);
}

/** Number of synaptic currents: MultiCubaLIF's tau_syn is [ports] or [ports, ...neuron shape]. */
export function portCount(node: Node): number {
  return node.type === "MultiCubaLIF" ? node.tau_syn.shape[0] : 1;
}
