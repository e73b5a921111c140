/**
 * What the SystemC generator needs of a loaded Program: the layers and projections as the VM's
 * engines hold them (lib/vm/model.ts loadModel returns a value of this shape; the compiler may
 * not import the VM, so the caller passes it in) and the timing constants in cycles.
 */

/** A layer as the engines run it (the fields of VmLayer the model reads). */
export interface ScLayer {
  index: number;
  name: string;
  kind: "input" | "neuron" | "readout";
  partition: "chip" | "host" | "external";
  arith: "float" | "multiply" | "shift" | "none" | "loihi" | "xylo";
  size: number;
  output: boolean;
  spiking: boolean;
  cuba: boolean;
  ports: number;
  rings: number;
  ringExp: number[];
  decayBits: number;
  smax: number;
  scale: number;
  integralInput: boolean;
  decayV: ArrayLike<number>;
  decayI: ArrayLike<number>[];
  threshold: ArrayLike<number>;
  vReset: ArrayLike<number>;
  vRest: ArrayLike<number>;
  bias: ArrayLike<number>;
  refractory: ArrayLike<number>;
  biasSchedule: Array<{ from: number; ports: ArrayLike<number>[] }>;
  slices: Array<{ core: number; start: number; count: number }>;
}

/** A projection as CSR (rows are presynaptic neurons, indices sorted), with its lag in steps. */
export interface ScProjection {
  index: number;
  name: string;
  src: number;
  dst: number;
  port: number;
  ring: number;
  weightExp: number;
  lag: number;
  indptr: ArrayLike<number>;
  indices: ArrayLike<number>;
  weight: ArrayLike<number>;
  delay?: ArrayLike<number>;
  /** Present on procedural projections, which the model refuses. */
  rows?: unknown;
}

/** The loaded Program. */
export interface ScModel {
  layers: ScLayer[];
  projections: ScProjection[];
}

/** Timing constants of the model, in cycles of the target's clock (fractions allowed) unless named otherwise. */
export type ScTiming = Record<string, number>;
