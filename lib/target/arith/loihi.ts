/**
 * Loihi's compartment and Dense arithmetic, written once: the order of operations of Lava's
 * bit-accurate LIF and Dense models (PyLifModelBitAcc, PyDenseModelBitAcc), which are Intel's
 * open reference for Loihi 1 and, for this neuron, Loihi 2. The VM's Loihi update calls these
 * functions; the conformance suite checks it against them and against vectors Lava produced.
 *
 * One step of a compartment, with `a` the summed Dense outputs it received this step:
 *   u' = wrap24(tz(u, 4096 - (du + 1)) + (a << 6))
 *   v' = sat24(tz(v, 4096 - dv) + u' + (bias_mant << bias_exp))
 *   spike when v' > vth << 6, then v' = 0 (u untouched, no refractory period).
 * A Dense adds the effective weights of the presynaptic neurons that spiked at step t, shifts
 * the sum by weight_exp (floor for a negative exponent) and delivers it at step t + 1.
 */

/** Bits of the decay multipliers (du, dv are numerators' complements over 2^12). */
export const DECAY_BITS = 12;
/** Activation and threshold are moved up by this many bits into the 24-bit state. */
export const ACT_SHIFT = 6;
/** Largest |v| (v saturates here); u wraps past +-2^23. */
export const V_MAX = 2 ** 23 - 1;
const U_WRAP = 2 ** 23, U_SPAN = 2 ** 24;
/** Steps a Dense adds between a presynaptic spike and the compartment seeing it. */
export const DENSE_LATENCY = 1;

/** The documented range of every field a Loihi compartment or synapse holds. */
export const LOIHI_FIELDS = {
  du: { min: 0, max: 4095, what: "current decay du (12 bits)" },
  dv: { min: 0, max: 4095, what: "voltage decay dv (12 bits)" },
  vth: { min: 0, max: 131071, what: "threshold mantissa vth (17 bits, compared as vth << 6)" },
  biasMant: { min: -4096, max: 4095, what: "bias mantissa (13 bits, signed)" },
  biasExp: { min: 0, max: 7, what: "bias exponent (3 bits)" },
  weightExp: { min: -8, max: 7, what: "weight exponent" },
  weightBits: { min: 1, max: 8, what: "weight bits" },
  delay: { min: 0, max: 62, what: "synaptic delay (6 bits)" },
} as const;

/** x * m / 2^12 rounded toward zero (the sign put back on the magnitude's right shift). */
export function tz(x: number, m: number): number {
  const p = x * m;
  return p < 0 ? -Math.floor(-p / 4096) : Math.floor(p / 4096);
}

/** u after one correction into Loihi's 24-bit range: (-2^23, 2^23]. */
export function wrapU(u: number): number {
  return u > U_WRAP ? u - U_SPAN : u <= -U_WRAP ? u + U_SPAN : u;
}

/** v saturated to +-(2^23 - 1). */
export function satV(v: number): number {
  return v > V_MAX ? V_MAX : v < -V_MAX ? -V_MAX : v;
}

/** The current multiplier 4096 - (du + 1) (Loihi 1's current decay has an offset of 1). */
export function uFactor(du: number): number {
  return 4095 - du;
}

/** The voltage multiplier 4096 - dv. */
export function vFactor(dv: number): number {
  return 4096 - dv;
}

/** A Dense's summed activation scaled by its weight exponent (floor for a negative one). */
export function scaleActivation(acc: number, weightExp: number): number {
  return weightExp >= 0 ? acc * 2 ** weightExp : Math.floor(acc / 2 ** -weightExp);
}

/** The compartment's bias per step, bias_mant << bias_exp. */
export function biasValue(mant: number, exp: number): number {
  return mant * 2 ** exp;
}

/**
 * One compartment step (the scalar definition): new u and v (v after reset) and whether it
 * spiked, from u, v, the step's summed activation a, the multipliers uf = 4095 - du and
 * vf = 4096 - dv, the bias and the threshold in v's LSBs (vth << 6). `reset` "none" is a
 * compartment that never spikes (a readout).
 */
export function compartmentStep(u: number, v: number, a: number, uf: number, vf: number, bias: number, vth64: number, reset: "zero" | "subtract" | "none" = "zero"): { u: number; v: number; spike: boolean } {
  const u1 = wrapU(tz(u, uf) + a * 64);
  const v1 = satV(tz(v, vf) + u1 + bias);
  if (reset !== "none" && v1 > vth64) return { u: u1, v: reset === "subtract" ? v1 - vth64 : 0, spike: true };
  return { u: u1, v: v1, spike: false };
}

/** How Lava's Dense treats the sign of its weights. */
export type SignMode = "MIXED" | "EXCITATORY" | "INHIBITORY";

/** Lava's choice when no sign mode is given: excitatory if no weight is negative, inhibitory if none is positive. */
export function signModeOf(weights: ArrayLike<number>): SignMode {
  let neg = false, pos = false;
  for (let k = 0; k < weights.length; k++) { if (weights[k] < 0) neg = true; else if (weights[k] > 0) pos = true; }
  return neg && pos ? "MIXED" : neg ? "INHIBITORY" : "EXCITATORY";
}

/** The weights a Dense actually sums: clipped to the sign mode's 8-bit range, low bits truncated to num_weight_bits. */
export function effectiveWeights(weights: ArrayLike<number>, numWeightBits = 8, mode: SignMode = signModeOf(weights)): Int32Array {
  const [lo, hi] = mode === "EXCITATORY" ? [0, 255] : mode === "INHIBITORY" ? [-255, 0] : [-256, 255];
  const t = 8 - numWeightBits + (mode === "MIXED" ? 1 : 0), step = 2 ** t;
  return Int32Array.from(weights as ArrayLike<number>, (w) => {
    const c = Math.min(hi, Math.max(lo, w));
    return mode === "INHIBITORY" ? -Math.floor(-c / step) * step : Math.floor(c / step) * step;
  });
}
