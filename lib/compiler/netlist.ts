/**
 * The compiler's intermediate form after fusion: layers (neuron groups, graph inputs, host
 * readouts) joined by projections. A projection is a chain of linear ops until lowering
 * turns it into CSR synapses (or keeps a weight-shared convolution).
 */
import type { FloatArray, Node, NodeOf } from "../ir/graph.js";
import { IssueList } from "../ir/errors.js";
import type { ProceduralSpec } from "../ir/procedural.js";
import type { RuleStats } from "./passes/rule-stats.js";

/** One linear, stateless step between two layers. Flatten is a reshape and never appears. */
export type LinearOp =
  | { kind: "dense"; node: string; weight: FloatArray; out: number; in: number }
  | { kind: "sparse"; node: string; csr: NodeOf<"SparseProjection">; rule?: ProceduralSpec }
  | { kind: "conv"; node: string; weight: FloatArray; wShape: number[]; stride: number[]; padding: number[]; dilation: number[]; groups: number; inShape: number[]; outShape: number[] }
  | { kind: "pool"; node: string; kernel: number[]; stride: number[]; padding: number[]; inShape: number[]; outShape: number[] }
  | { kind: "scale"; node: string; scale: FloatArray };

/** Synapses in compressed sparse rows: row = presynaptic neuron. */
export interface Csr {
  pre: number;
  post: number;
  indptr: Int32Array;
  indices: Int32Array;
  weight: Float64Array;
  /** Per-synapse delay in steps (after discretisation). */
  delay?: Int32Array;
}

/** A connection from one layer to another (one synaptic current `port` of the destination). */
export interface Projection {
  name: string;
  src: string;
  dst: string;
  port: number;
  /** Closes a loop: arrives one step later (the reference simulator's convention). */
  recurrent: boolean;
  ops: LinearOp[];
  /** Expanded synapses (after lowering), or absent while the projection is still an op chain / weight-shared. */
  csr?: Csr;
  /**
   * A projection from a ProceduralProjection: materialised (CSR stored) or procedural (the rule
   * and seed stored, rows generated per spike), decided by lowering from the target's memory.
   */
  connectivity?: { mode: "materialised" | "procedural"; reason: string; spec: ProceduralSpec };
  /** A procedural projection kept as its rule (no `csr`): its largest weight (times the port's gain after discretisation) and delay. */
  ruleStats?: RuleStats;
  /** Per-synapse delays in seconds, from a SparseProjection. */
  delaySeconds?: FloatArray;
  /** Quantised weights (CSR order, or the kept convolution's kernel order) and model units per LSB. */
  qweight?: Int32Array;
  scale?: number;
  /** Loihi profile: the weight exponent that scales the projection's summed activation. */
  weightExp?: number;
  /**
   * Constant input per destination neuron carried by this projection (the folded biases of its
   * stateless nodes that lie upstream of a recurrent edge), delivered with the projection's
   * delay: from step 1 on for a recurrent projection (the reference simulator's W·x + b of step
   * t-1 arrives at t, so nothing at t = 0), from step 0 otherwise. Continuous units after fusion,
   * per step (times the destination port's gain) after discretisation.
   */
  bias?: Float64Array;
  /** The bias quantised in the destination's state units (`scale` per LSB). */
  qbias?: Int32Array;
}

/** What a layer is: a graph input, a neuron group, or a non-spiking readout summed into an Output (host only). */
export type LayerKind = "input" | "neuron" | "readout";

/** A group of neurons of one model (or an input port). */
export interface Layer {
  name: string;
  kind: LayerKind;
  /** NIR node type of the neurons (LIF, CubaLIF, ...), "Input" or "Output". */
  model: string;
  shape: number[];
  size: number;
  /** The original neuron node (parameters in continuous time). */
  node?: Node;
  /** Feeds a graph Output. */
  output: boolean;
  /** Runs on the host CPU instead of the chip. */
  host: boolean;
  /** Why it runs on the host. */
  hostReason?: string;
  /** Constant input per step into port 0 from step 0 on (folded Affine/Conv biases), before discretisation; biases that arrive late or on another port ride on a projection (`Projection.bias`). */
  bias: Float64Array;
}

/** Layers in evaluation order plus projections. */
export interface Netlist {
  layers: Layer[];
  projections: Projection[];
}

/** Structural invariants, checked between passes: names resolve, sizes agree, CSR is well formed. */
export function checkNetlist(n: Netlist): void {
  const issues = new IssueList();
  const byName = new Map(n.layers.map((l) => [l.name, l]));
  if (byName.size !== n.layers.length) issues.add("netlist", ["layers"], "duplicate layer names");
  for (const l of n.layers) if (l.bias.length !== l.size) issues.add("netlist", [l.name, "bias"], `has ${l.bias.length} entries for ${l.size} neurons`);
  for (const p of n.projections) {
    const s = byName.get(p.src), d = byName.get(p.dst);
    if (!s || !d) { issues.add("netlist", [p.name], `connects unknown layers ${p.src} -> ${p.dst}`); continue; }
    if (p.bias && p.bias.length !== d.size) issues.add("netlist", [p.name, "bias"], `has ${p.bias.length} entries for ${d.size} neurons of ${d.name}`);
    if (!p.csr) continue;
    const c = p.csr;
    if (c.pre !== s.size || c.post !== d.size) issues.add("netlist", [p.name], `CSR is ${c.pre}x${c.post} between layers of ${s.size} and ${d.size} neurons`);
    if (c.indptr.length !== c.pre + 1 || c.indptr[c.pre] !== c.indices.length || c.weight.length !== c.indices.length) issues.add("netlist", [p.name], "malformed CSR");
  }
  issues.throwIfAny();
}
