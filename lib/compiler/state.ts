/** What flows through the pipeline: the inputs plus what each pass has added so far. */
import type { Graph } from "../ir/graph.js";
import type { AnalysedGraph } from "../ir/validate.js";
import type { Target } from "../target/types.js";
import type { Netlist } from "./netlist.js";
import type { Program } from "./program.js";
import type { Routing } from "./passes/route.js";

/** Options of `compile`. */
export interface CompileOptions {
  /** Time step in seconds (default 1e-4, the NIR paper's). */
  dt?: number;
  /** Seed for the optimising placer's search (same seed, same Program). */
  seed?: number;
  /** "optimise" (default) minimises traffic-weighted hops; "greedy" fills cores in order as PACMAN does. */
  placer?: "greedy" | "optimise";
  /** Put nodes the target cannot run (model, readout, size) on a host CPU partition instead of failing. */
  allowHost?: boolean;
  /** Reset after a spike (default: the target's first supported mode). */
  reset?: "zero" | "subtract";
  /** Convolutions: expand into synapses, keep weight-shared, or decide from target support (default). */
  lowering?: "auto" | "expand" | "weight-shared";
  /** ProceduralProjections: keep the CSR, keep the rule (rows generated per spike), or decide from the target's synapse memory (default). */
  connectivity?: "auto" | "materialised" | "procedural";
  /** Spike counts per neuron of each layer (e.g. from the reference simulator) to weight traffic; default 1 per neuron. */
  spikeCounts?: Record<string, ArrayLike<number>>;
  /** Run the invariant checks between passes (default true). */
  check?: boolean;
}

/** Options with defaults applied. */
export type ResolvedCompileOptions = Required<Omit<CompileOptions, "spikeCounts">> & { spikeCounts?: Record<string, ArrayLike<number>> };

/** Continuous parameters turned into per-step factors (Euler at dt), per neuron. */
export interface DiscreteLayer {
  /** Membrane decay per step (1 for IF/I). */
  decayV: Float64Array;
  /** Synaptic-current decays per port (empty for models without a current). */
  decayI: Float64Array[];
  threshold: Float64Array;
  vReset: Float64Array;
  /** Resting potential the membrane decays towards. */
  vRest: Float64Array;
  /** Constant input per step, into the current (port 0) or the membrane. */
  bias: Float64Array;
  refractory: Int32Array;
}

/** Quantised layer: integer codes plus the scales that turn them back into model units. */
export interface QuantLayer {
  /** Model units per weight/state LSB. */
  scale: number;
  /** Decay codes: numerator over 2^decayBits (multiply) or dash (shift); empty for IF. */
  decayV: Int32Array;
  decayI: Int32Array[];
  threshold: Int32Array;
  vReset: Int32Array;
  vRest: Int32Array;
  bias: Int32Array;
  /** Relative RMS weight error over incoming projections, and largest decay error. */
  weightError: number;
  decayError: number;
}

/** A core-sized piece of a layer: neurons [start, start+count). */
export interface Slice {
  layer: string;
  start: number;
  count: number;
  synapses: number;
  fanIn: number;
  /** Speck-style memory use. */
  kernelMemory?: number;
  neuronMemory?: number;
  /** When the slice's neurons are not one range (a packing by receptive fields): ascending runs; start is the first, count the total. */
  runs?: Array<{ start: number; count: number }>;
}

/** The pipeline state. */
export interface CompileState {
  graph: Graph;
  target: Target;
  options: ResolvedCompileOptions;
  analysed?: AnalysedGraph;
  netlist?: Netlist;
  discrete?: Record<string, DiscreteLayer>;
  quant?: Record<string, QuantLayer>;
  slices?: Slice[];
  /** Per chip layer, the neuron order the partitioner cut it in (partition.ts). */
  packing?: Record<string, string>;
  /** Core id of each slice. */
  placement?: Int32Array;
  routing?: Routing;
  program?: Program;
}
