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

const flagCache = new WeakMap<object, Uint8Array>();

/** Per neuron, 1 where a port's bias in force at step t is non-zero (cached per bias schedule entry). */
function biasFlags(l: VmLayer, t: number): Uint8Array {
  const key: object = l.biasSchedule.length ? biasAt(l, t) : l.bias;
  let f = flagCache.get(key);
  if (!f) {
    f = new Uint8Array(l.size);
    for (const b of Array.isArray(key) ? key : [l.bias]) for (let k = 0; k < l.size; k++) if (b[k] !== 0) f[k] = 1;
    flagCache.set(key, f);
  }
  return f;
}

/** Whether element j holds a non-zero value in any array from index `from` on. */
function anyFrom(arrays: Float64Array[], from: number, j: number): boolean {
  for (let p = from; p < arrays.length; p++) if (arrays[p][j] !== 0) return true;
  return false;
}

/** Counts the active (neuron, batch entry) pairs among neurons [start, end) at step t, before their update. */
export function countActive(l: VmLayer, s: LayerState, t: number, start: number, end: number): number {
  const slot = t % s.D, biased = biasFlags(l, t), rest = l.vRest, { B, N, v, cur } = s;
  const rings = s.ring.map((r) => r[slot]), P = cur.length, R = rings.length;
  const c0 = P > 0 ? cur[0] : rings[0], c1 = P > 1 ? cur[1] : c0, r0 = rings[0], r1 = R > 1 ? rings[1] : r0;
  let n = 0;
  for (let b = 0; b < B; b++)
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      if (v[j] !== rest[k]) { n++; continue; }
      if (biased[k] !== 0 || r0[j] !== 0 || r1[j] !== 0 || c0[j] !== 0 || c1[j] !== 0 || (P > 2 && anyFrom(cur, 2, j)) || (R > 2 && anyFrom(rings, 2, j))) n++;
    }
  return n;
}

/** Whether a target prices (or times) an inactive neuron update apart from an active one. */
export function distinguishesActivity(t: { energy: { neuronUpdateInactive?: unknown }; timing: { neuronUpdateInactive?: unknown } }): boolean {
  return t.energy.neuronUpdateInactive !== undefined || t.timing.neuronUpdateInactive !== undefined;
}

/** Units of a layer for activity counts: its slices on the chip, or the whole layer on the host. */
export function activityUnits(l: VmLayer): Array<{ start: number; count: number }> {
  return l.partition === "chip" ? l.slices : [{ start: 0, count: l.size }];
}

/** Adds the active counts of neurons [start, end) at step t to `into`, one entry per unit (activityUnits). */
export function addActive(l: VmLayer, s: LayerState, t: number, start: number, end: number, into: Float64Array): void {
  const units = activityUnits(l);
  for (let i = 0; i < units.length; i++) {
    const a = Math.max(start, units[i].start), b = Math.min(end, units[i].start + units[i].count);
    if (a < b) into[i] += countActive(l, s, t, a, b);
  }
}
