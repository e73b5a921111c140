/**
 * The Program: everything a VM needs to run a compiled network without the Graph. Arrays
 * live in `blobs` (named typed arrays) and are referenced by name; on disk the JSON holds
 * the structure and a .bin file holds the blobs, each at an 8-byte aligned offset.
 */
import type { ProceduralSpec } from "../ir/procedural.js";
import type { Target } from "../target/types.js";
import type { RouterTable, Route } from "./passes/route.js";
import type { ResourceReport } from "./report.js";

/** Format tag and version written into every Program. */
export const PROGRAM_FORMAT = "phasor-program";
export const PROGRAM_VERSION = 2;

/** Names a blob; its dtype and length are in `Program.blobs`. */
export type BlobName = string;

/** Neuron state update per step (Euler at dt, integers on chip; see `Program.semantics`). */
export interface LayerParams {
  /** Model units per LSB of weights and state (chip layers); 1 on the host. */
  scale: number;
  decayV: BlobName;
  decayI: BlobName[];
  threshold: BlobName;
  vReset: BlobName;
  vRest: BlobName;
  bias: BlobName;
  refractory: BlobName;
}

/** One layer of the program. */
export interface ProgramLayer {
  name: string;
  kind: "input" | "neuron" | "readout";
  model: string;
  shape: number[];
  size: number;
  partition: "chip" | "host" | "external";
  hostReason?: string;
  output: boolean;
  /** Neurons [start, start+count) on core `core`. */
  slices: Array<{ core: number; start: number; count: number }>;
  params?: LayerParams;
}

/** Synapses between two layers, expanded (csr) or weight-shared (conv, with optional sum pooling before it). */
export interface ProgramProjection {
  name: string;
  src: string;
  dst: string;
  port: number;
  recurrent: boolean;
  /** chip (both ends on chip or external input), host, or a channel crossing between host and chip. */
  partition: "chip" | "host" | "channel";
  /** Model units per weight LSB (chip); weights are float64 on the host. */
  scale: number;
  /** Loihi profile: the Dense's weight exponent (its summed activation is shifted by it, floor when negative). */
  weightExp?: number;
  /** Expanded synapses; `from`: the convolution (after sum pooling) they were expanded from, its kernel not kept. */
  csr?: { pre: number; post: number; indptr: BlobName; indices: BlobName; weight: BlobName; delay?: BlobName; from?: ConvGeometry };
  /**
   * Constant input per destination neuron on `port`, delivered with the projection's delay:
   * added to input_port at every step t >= 1 when recurrent (the bias of a recurrent Affine:
   * its W·x + b of step t-1 arrives at t), at every step otherwise. Codes in units of `scale`
   * on chip layers, float64 on the host.
   */
  bias?: BlobName;
  /**
   * Procedural synapses (instead of csr): the rule, distributions and seed (weights in graph
   * units, delays in seconds) whose rows the VM regenerates per spike; `gain` (per destination
   * neuron) turns a weight into the discretised one, `codes` says whether the chip holds it as
   * round(w gain / scale); `maxDelay` in steps; `reason` why the compiler chose this form.
   */
  procedural?: { spec: ProceduralSpec; gain: BlobName; codes: boolean; maxDelay: number; synapses: number; reason: string };
  conv?: {
    pool?: { kernel: number[]; stride: number[]; padding: number[]; inShape: number[]; outShape: number[] };
    weight: BlobName; wShape: number[]; stride: number[]; padding: number[]; dilation: number[]; groups: number; inShape: number[]; outShape: number[];
  };
}

/** A convolution's shape (and the sum pooling before it), without its kernel. */
export type ConvGeometry = Omit<NonNullable<ProgramProjection["conv"]>, "weight">;

/** A used core and what it holds. */
export interface ProgramCore {
  id: number;
  x: number;
  y: number;
  layer: string;
  start: number;
  count: number;
  synapses: number;
  fanIn: number;
  fanOut: number;
  kernelMemory?: number;
  neuronMemory?: number;
}

/** A compiled network. */
export interface Program {
  format: typeof PROGRAM_FORMAT;
  version: number;
  /** How to execute it, in words (the VM's contract). */
  semantics: string;
  target: Target;
  options: { dt: number; seed: number; placer: string; reset: "zero" | "subtract"; lowering: string; allowHost: boolean };
  layers: ProgramLayer[];
  projections: ProgramProjection[];
  cores: ProgramCore[];
  routes: Route[];
  tables: RouterTable[];
  report: ResourceReport;
  blobs: Record<BlobName, Int32Array | Float64Array>;
}

/** The execution contract stored in every Program. */
export const SEMANTICS = [
  "Per step t: input_p = sum of incoming projections on port p (recurrent ones carry step t-1's spikes; delays in steps) + the layer's bias (port 0) + each such projection's bias, delivered with the projection's delay (a recurrent projection's from step 1 on, none at t = 0).",
  "Models with a synaptic current (CubaLIF, CubaLI, MultiCubaLIF): v = decayV*v + (1-decayV)*vRest + sum_p i_p (old currents); i_p = decayI_p*i_p + input_p.",
  "Others: v = decayV*v + (1-decayV)*vRest + input_0. Spike when v > threshold; reset to vReset ('zero') or v -= threshold ('subtract'); refractory steps hold v at vReset.",
  "Targets with arithmetic profile 'loihi' follow Lava's bit-accurate LIF and Dense instead (lib/target/arith/loihi.ts): every projection delivers one step later, a = sum over projections of (weights of the spikes) shifted by weightExp; u = wrap24(trunc0(u*decayI/4096) + 64a); v = sat24(trunc0(v*decayV/4096) + u + bias) with the new u; spike when v > threshold (a multiple of 64), then v = 0.",
  "Chip layers hold integer codes in units of `scale`; decay codes are numerators over 2^decayBits (multiply) or shifts dash with decay 1 - 2^-dash (shift).",
].join(" ");
