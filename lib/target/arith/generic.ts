/**
 * The generic neuron arithmetic of every target without a profile of its own, written once:
 * float64 in model units, or integer state with a multiplicative decay (trunc(x d / 2^bits))
 * or a shift decay (x - floor(x / 2^dash), Xylo's) and saturation at the state width. The VM's
 * JS and WebAssembly updates are checked against these functions, bit for bit, by the
 * conformance suite (test/arith-conformance.test.ts).
 *
 * One step, with `input[p]` what arrived on port p this step and `bias[p]` the port's constant:
 *   drive = sum_p c_p (the currents of the last step), c_p' = dec(c_p, dI_p) + input_p + bias_p
 *   (a model without currents: drive = input_0 + bias_0),
 *   v' = vRest + dec(v - vRest, dV) + drive (integer) or dV v + (1 - dV) vRest + drive (float),
 *   spike when v' > threshold, then v' = vReset (or v' - threshold when subtracting).
 */
import type { DecayEncoding } from "../types.js";

/** How a layer's state is held: float64 in model units, or integers with a decay encoding. */
export interface GenericArith {
  float: boolean;
  decay: DecayEncoding;
  decayBits: number;
  /** Largest state magnitude (integers saturate at +-smax). */
  smax: number;
}

/** Integer x decayed by code d. */
export function decayFixed(x: number, d: number, a: GenericArith): number {
  if (a.decay === "multiply") return Math.trunc((x * d) / 2 ** a.decayBits);
  if (a.decay === "shift") return x - Math.floor(x / 2 ** d);
  return x;
}

/** x saturated to +-smax. */
export function saturate(x: number, smax: number): number {
  return x > smax ? smax : x < -smax ? -smax : x;
}

/** A neuron's parameters for one step (decay codes on integer layers, factors on float ones). */
export interface GenericNeuron {
  decayV: number;
  decayI: number[];
  bias: number[];
  vRest: number;
  threshold: number;
  vReset: number;
  spiking: boolean;
  subtract: boolean;
}

/** The currents' step: returns the drive on v (the old currents) and updates `c` in place. */
export function currentsStep(c: number[], input: number[], n: GenericNeuron, a: GenericArith): number {
  if (!c.length) return input[0] + n.bias[0];
  let drive = c[0];
  for (let p = 0; p < c.length; p++) {
    if (p > 0) drive += c[p];
    c[p] = a.float ? n.decayI[p] * c[p] + (input[p] + n.bias[p]) : saturate(decayFixed(c[p], n.decayI[p], a) + input[p] + n.bias[p], a.smax);
  }
  return drive;
}

/** The membrane's step from v with the drive: new v (after any reset) and whether it spiked. */
export function membraneStep(v: number, drive: number, n: GenericNeuron, a: GenericArith): { v: number; spike: boolean } {
  const x = a.float
    ? n.decayV * v + (1 - n.decayV) * n.vRest + drive
    : saturate(n.vRest + decayFixed(v - n.vRest, n.decayV, a) + drive, a.smax);
  if (n.spiking && x > n.threshold) return { v: n.subtract ? x - n.threshold : n.vReset, spike: true };
  return { v: x, spike: false };
}
