/**
 * Trainable model description: plain JSON (saved in checkpoints, sent to workers). A layer is
 * a weight projection followed by a population of neurons. Neuron parameters are NIR's
 * continuous-time ones (tau in seconds, r, v_leak, v_threshold, w_in) and stay fixed while
 * the weights train; `dt` turns them into per-step coefficients exactly as the reference
 * simulator's forward-Euler step does.
 */
import { PhasorError } from "../ir/errors.js";
import type { ScanAttrs } from "./kernels/neuron-scan.js";
import { surrogates } from "./surrogates.js";

/** Neuron models a layer can use (NIR node types). */
export type NeuronKind = "LIF" | "CubaLIF" | "LI" | "CubaLI";

/** A scalar (broadcast) or one value per neuron. */
export type PerNeuron = number | number[];

/** One layer: projection [inputs -> units] (+ optional bias, recurrent matrix) and neurons. */
export interface LayerConfig {
  name: string;
  kind: NeuronKind;
  units: number;
  /** LIF/LI membrane time constant (s). */
  tau?: PerNeuron;
  /** CubaLIF/CubaLI time constants (s). */
  tau_mem?: PerNeuron;
  tau_syn?: PerNeuron;
  r?: PerNeuron;
  v_leak?: PerNeuron;
  v_threshold?: PerNeuron;
  w_in?: PerNeuron;
  v_reset?: PerNeuron;
  /** Adds a recurrent weight matrix [units, units] (spikes of step t-1 feed step t). */
  recurrent?: boolean;
  bias?: boolean;
  /** Surrogate name (see `surrogates`) and slope; default fast-sigmoid. */
  surrogate?: string;
  slope?: number;
}

/** A feed-forward stack of layers. */
export interface ModelConfig {
  inputs: number;
  /** Time step in seconds. */
  dt: number;
  reset?: "zero" | "subtract";
  layers: LayerConfig[];
  /** Quantisation-aware training: weights fake-quantised to this many bits (straight-through). */
  weightBits?: number;
}

/** True for neuron kinds that spike. */
export function isSpiking(kind: NeuronKind): boolean {
  return kind === "LIF" || kind === "CubaLIF";
}

/** True for neuron kinds with a synaptic current. */
export function isSynaptic(kind: NeuronKind): boolean {
  return kind === "CubaLIF" || kind === "CubaLI";
}

function expand(v: PerNeuron | undefined, n: number, fallback: number, field: string, layer: string): number[] {
  if (v === undefined) return new Array<number>(n).fill(fallback);
  if (typeof v === "number") return new Array<number>(n).fill(v);
  if (v.length === 1) return new Array<number>(n).fill(v[0]);
  if (v.length !== n) throw new PhasorError([{ code: "bad-parameter", path: [layer, field], message: `has ${v.length} values; expected 1 or ${n}` }]);
  return v;
}

/** Per-step scan coefficients of a layer at dt (forward Euler, as the reference simulator). */
export function scanAttrs(l: LayerConfig, dt: number, reset: "zero" | "subtract", truncate = 0): ScanAttrs {
  const n = l.units;
  const e = (v: PerNeuron | undefined, fb: number, f: string) => expand(v, n, fb, f, l.name);
  const syn = isSynaptic(l.kind);
  const tauM = syn ? e(l.tau_mem, NaN, "tau_mem") : e(l.tau, NaN, "tau");
  if (tauM.some((t) => !(t > 0))) throw new PhasorError([{ code: "missing-parameter", path: [l.name, syn ? "tau_mem" : "tau"], message: "needs a positive time constant in seconds" }]);
  const r = e(l.r, 1, "r");
  const vl = e(l.v_leak, 0, "v_leak");
  const k = tauM.map((t) => dt / t);
  const tauS = syn ? e(l.tau_syn, NaN, "tau_syn") : tauM;
  if (tauS.some((t) => !(t > 0))) throw new PhasorError([{ code: "missing-parameter", path: [l.name, "tau_syn"], message: "needs a positive synaptic time constant in seconds" }]);
  const win = e(l.w_in, 1, "w_in");
  return {
    a: k.map((x) => 1 - x), c: k.map((x, j) => x * r[j]), b: k.map((x, j) => x * vl[j]),
    as: syn ? tauS.map((t) => 1 - dt / t) : new Array<number>(n).fill(0),
    cs: syn ? tauS.map((t, j) => (dt / t) * win[j]) : new Array<number>(n).fill(1),
    thr: e(l.v_threshold, 1, "v_threshold"), v0: vl, vr: e(l.v_reset, 0, "v_reset"),
    spiking: isSpiking(l.kind), synaptic: syn, reset, truncate,
    surrogate: l.surrogate ?? "fast-sigmoid", slope: l.slope ?? surrogates.get(l.surrogate ?? "fast-sigmoid").defaultSlope,
  };
}

/** Shapes of a layer's trainable tensors, keyed `<layer>.weight` etc. */
export function weightShapes(cfg: ModelConfig): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  let fanIn = cfg.inputs;
  for (const l of cfg.layers) {
    out[`${l.name}.weight`] = [fanIn, l.units];
    if (l.bias) out[`${l.name}.bias`] = [l.units];
    if (l.recurrent) out[`${l.name}.recurrent`] = [l.units, l.units];
    fanIn = l.units;
  }
  return out;
}
