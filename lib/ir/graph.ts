/**
 * The Graph: one typed, serialisable spiking-network description that every stage shares.
 * Node types and parameter names are NIR's (continuous-time ODE semantics, SI units:
 * seconds, and whatever unit the model's state uses). Phasor extensions are marked.
 */
import type { ProceduralSpec } from "./procedural.js";

/** Float parameters keep the precision they were read or built with (NIR files hold both). */
export type FloatArray = Float32Array | Float64Array;

/** A dense n-d array in row-major (C) order. */
export interface Tensor {
  shape: number[];
  data: FloatArray;
}

/** Free-form metadata, as NIR stores it (strings, numbers, arrays, nested groups). */
export type Metadata = { [key: string]: MetadataValue };
export type MetadataValue = string | number | boolean | number[] | string[] | FloatArray | Metadata;

interface NodeCommon {
  metadata?: Metadata;
  /** NIR >= 1.0 stores each node's port shapes; kept for a faithful round trip. */
  input_type?: Record<string, number[]>;
  output_type?: Record<string, number[]>;
}

export interface InputNode extends NodeCommon { type: "Input"; shape: number[] }
export interface OutputNode extends NodeCommon { type: "Output"; shape: number[] }
export interface AffineNode extends NodeCommon { type: "Affine"; weight: Tensor; bias: Tensor }
export interface LinearNode extends NodeCommon { type: "Linear"; weight: Tensor }
export interface ScaleNode extends NodeCommon { type: "Scale"; scale: Tensor }
export interface Conv1dNode extends NodeCommon {
  type: "Conv1d";
  /** [out_channels, in_channels / groups, kernel] */
  weight: Tensor;
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  bias: Tensor;
  /** Spatial input length [L]; NIR 0.2 files carry it. */
  input_shape?: number[];
}
export interface Conv2dNode extends NodeCommon {
  type: "Conv2d";
  /** [out_channels, in_channels / groups, kh, kw] */
  weight: Tensor;
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  bias: Tensor;
  /** Spatial input size [H, W]; NIR 0.2 files carry it. */
  input_shape?: number[];
}
export interface SumPool2dNode extends NodeCommon { type: "SumPool2d"; kernel_size: number[]; stride: number[]; padding: number[] }
export interface AvgPool2dNode extends NodeCommon { type: "AvgPool2d"; kernel_size: number[]; stride: number[]; padding: number[] }
export interface FlattenNode extends NodeCommon {
  type: "Flatten";
  start_dim: number;
  end_dim: number;
  /** Shape of the input (NIR 0.1/0.2 store it as `input_type`, a plain dataset). */
  input_shape?: number[];
}
/** Delays each element by `delay` seconds. */
export interface DelayNode extends NodeCommon { type: "Delay"; delay: Tensor }
export interface ThresholdNode extends NodeCommon { type: "Threshold"; threshold: Tensor }
/** Integrator: dv/dt = r * I. */
export interface INode extends NodeCommon { type: "I"; r: Tensor }

/** Phasor extension fields that neurons may carry; the NIR writer refuses them. */
export interface NeuronExtensions {
  /** Reset potential (NIR 1.0 names it v_reset; absent means 0). */
  v_reset?: Tensor;
  /** Phasor extension: refractory period in seconds (membrane clamped to v_reset). */
  t_ref?: Tensor;
}
/** Integrate-and-fire: dv/dt = r * I, spike and reset when v > v_threshold. */
export interface IFNode extends NodeCommon, NeuronExtensions { type: "IF"; r: Tensor; v_threshold: Tensor }
/** Leaky integrator: tau dv/dt = (v_leak - v) + r * I. */
export interface LINode extends NodeCommon { type: "LI"; tau: Tensor; r: Tensor; v_leak: Tensor }
/** Leaky integrate-and-fire: tau dv/dt = (v_leak - v) + r * I. */
export interface LIFNode extends NodeCommon, NeuronExtensions {
  type: "LIF"; tau: Tensor; r: Tensor; v_leak: Tensor; v_threshold: Tensor;
}
/** Current-based LI: tau_syn di/dt = -i + w_in * I; tau_mem dv/dt = (v_leak - v) + r * i. */
export interface CubaLINode extends NodeCommon {
  type: "CubaLI"; tau_syn: Tensor; tau_mem: Tensor; r: Tensor; v_leak: Tensor; w_in: Tensor;
}
/** Current-based LIF: CubaLI plus threshold and reset. */
export interface CubaLIFNode extends NodeCommon, NeuronExtensions {
  type: "CubaLIF"; tau_syn: Tensor; tau_mem: Tensor; r: Tensor; v_leak: Tensor; v_threshold: Tensor; w_in: Tensor;
}

/**
 * Phasor extension: LIF with several synaptic currents (e.g. excitatory and inhibitory).
 * tau_syn has shape [ports, ...neuron shape] (or [ports]); an edge's `port` picks the current:
 * tau_syn[p] di_p/dt = -i_p + I_p;  tau_mem dv/dt = (v_leak - v) + r * sum_p i_p.
 */
export interface MultiCubaLIFNode extends NodeCommon, NeuronExtensions {
  type: "MultiCubaLIF"; tau_syn: Tensor; tau_mem: Tensor; r: Tensor; v_leak: Tensor; v_threshold: Tensor;
}

/**
 * Phasor extension: sparse projection from `pre` to `post` neurons in CSR form (rows are
 * presynaptic neurons). Optional per-synapse delays in seconds.
 */
export interface SparseProjectionNode extends NodeCommon {
  type: "SparseProjection";
  pre: number;
  post: number;
  /** Row pointers, length pre + 1. */
  indptr: Int32Array;
  /** Postsynaptic index per synapse, length nnz. */
  indices: Int32Array;
  weight: FloatArray;
  delay?: FloatArray;
}

/**
 * Phasor extension: a procedural sparse projection (a connection rule, weight and delay
 * distributions and a seed; see procedural.ts). Rows are generated when a spike needs them,
 * identical to the CSR that materialise() makes of the same description.
 */
export interface ProceduralProjectionNode extends NodeCommon, ProceduralSpec {
  type: "ProceduralProjection";
}

/** A nested graph (NIR's NIRGraph). Its Input and Output nodes are its ports. */
export interface GraphNode extends NodeCommon {
  type: "NIRGraph";
  nodes: Record<string, Node>;
  edges: Edge[];
}

/** A directed edge; names refer to nodes of the same graph. */
export interface Edge {
  src: string;
  dst: string;
  /** Phasor extension: which synaptic current of a MultiCubaLIF this edge feeds (default 0). */
  port?: number;
}

export type Node =
  | InputNode | OutputNode | AffineNode | LinearNode | ScaleNode | Conv1dNode | Conv2dNode
  | SumPool2dNode | AvgPool2dNode | FlattenNode | DelayNode | ThresholdNode | INode | IFNode
  | LINode | LIFNode | CubaLINode | CubaLIFNode | MultiCubaLIFNode | SparseProjectionNode
  | ProceduralProjectionNode | GraphNode;

export type NodeType = Node["type"];
export type NodeOf<T extends NodeType> = Extract<Node, { type: T }>;

/** The top-level graph is a nested graph at the root. */
export type Graph = GraphNode;

/** Product of a shape's dimensions. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
