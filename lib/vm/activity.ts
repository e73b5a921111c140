/**
 * Which neurons are active in a step, for targets that price an active neuron update apart
 * from an inactive one (Loihi: 81 pJ vs 52 pJ, Davies 2018 Table 2). Davies names the two
 * figures without defining them in the text; Phasor counts a neuron as active in step t when,
 * before its update, it has synaptic input arriving at t, a state off rest (v != vRest or a
 * non-zero current) or a non-zero bias: the test SANA-FE's Loihi model applies before it
 * charges a compartment's update (src/models.cpp, LoihiLifModel::update).
 */
import type { VmLayer } from "./model.js";
import { biasAt, type LayerState } from "./neurons.js";

/** Counts the active (neuron, batch entry) pairs among neurons [start, end) at step t, before their update; adds per-neuron counts to `into`. */
export function countActive(l: VmLayer, s: LayerState, t: number, start: number, end: number, into?: Float64Array): number {
  const slot = t % s.D, bias = biasAt(l, t), { B, N, v, cur, ring } = s;
  let n = 0;
  for (let k = start; k < end; k++) {
    const biased = bias.some((b) => b[k] !== 0), rest = l.vRest[k] ?? 0;
    for (let b = 0; b < B; b++) {
      const j = b * N + k;
      let active = biased || v[j] !== rest;
      for (let p = 0; !active && p < cur.length; p++) active = cur[p][j] !== 0;
      for (let r = 0; !active && r < ring.length; r++) active = ring[r][slot][j] !== 0;
      if (active) { n++; if (into) into[k]++; }
    }
  }
  return n;
}

/** Whether a target prices (or times) an inactive neuron update apart from an active one. */
export function distinguishesActivity(t: { energy: { neuronUpdateInactive?: unknown }; timing: { neuronUpdateInactive?: unknown } }): boolean {
  return t.energy.neuronUpdateInactive !== undefined || t.timing.neuronUpdateInactive !== undefined;
}
