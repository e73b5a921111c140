/**
 * Xylo's neuron arithmetic (Xylo Audio 2, SYNS61201), written once, in the order of
 * SynSense's bit-exact simulator that Rockpool's XyloSim runs (xylosim.v2: XyloLayer::evolve,
 * XyloIAFNeuron::evolve) and as Rockpool's Xylo overview documents it. Per step:
 *
 *   1. Input events of this step and hidden-layer events of the last step are added to the
 *      synaptic currents (weight << weight_shift per event; 16-bit saturating).
 *   2. Each current decays: i -= max(i >> dash_syn, sign(i))  (bit shift, at least 1 LSB).
 *   3. v += sat16(sat16(-max(v >> dash_mem, sign(v)) + sum i) + bias), saturating at 16 bits.
 *   4. While v >= threshold and fewer than the maximum (31 hidden, 1 output): one more event,
 *      v -= threshold. The neuron emits that many events.
 *
 * Phasor adds a step's inputs to a current and saturates once; the chip saturates after
 * each event: the two differ only when a step's partial sums leave the 16-bit range.
 */

/** Most events a hidden neuron emits in one step; an output neuron emits at most one. */
export const MAX_HIDDEN_EVENTS = 31;
export const MAX_OUTPUT_EVENTS = 1;
/** Most input events one input channel delivers per step. */
export const MAX_INPUT_EVENTS = 15;
const HI = 2 ** 15 - 1, LO = -(2 ** 15);

/** x saturated to the signed 16-bit range. */
export function sat16(x: number): number {
  return x > HI ? HI : x < LO ? LO : x;
}

/** The decrement of a bit-shift decay: x >> dash, or one LSB towards zero when that is 0. */
export function bitshiftDecrement(x: number, dash: number): number {
  const d = Math.floor(x / 2 ** dash);
  return d !== 0 ? d : x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** One neuron's step from its currents (inputs of this step already added) and v: new currents, v and the events emitted. */
export function xyloStep(i: number[], v: number, dashSyn: number[], dashMem: number, bias: number, threshold: number, maxEvents: number): { i: number[]; v: number; events: number } {
  const cur = i.map((x, p) => x - bitshiftDecrement(x, dashSyn[p]));
  let total = 0;
  for (const x of cur) total += x;
  const dv = sat16(sat16(-bitshiftDecrement(v, dashMem) + total) + bias);
  let v1 = sat16(v + dv), events = 0;
  while (v1 >= threshold && events < maxEvents) { events++; v1 -= threshold; }
  return { i: cur, v: v1, events };
}
