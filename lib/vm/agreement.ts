/** Spike agreement between two runs: exact (step, batch, index) matches over the union, and per-neuron count agreement. */
import type { SpikeList } from "./types.js";

/** Agreement of two spike lists. */
export interface Agreement { exact: number; counts: number; a: number; b: number; identical: boolean }

/** Compares spike lists a (reference) and b. */
export function spikeAgreement(a: SpikeList, b: SpikeList): Agreement {
  const key = (s: readonly number[]) => s.join(",");
  const A = new Set(a.map(key)), B = new Set(b.map(key));
  let common = 0;
  for (const k of A) if (B.has(k)) common++;
  const cnt = (l: SpikeList) => { const m = new Map<string, number>(); for (const s of l) { const k = s.slice(1).join(","); m.set(k, (m.get(k) ?? 0) + 1); } return m; };
  const ca = cnt(a), cb = cnt(b);
  let diff = 0;
  for (const k of new Set([...ca.keys(), ...cb.keys()])) diff += Math.abs((ca.get(k) ?? 0) - (cb.get(k) ?? 0));
  const union = A.size + B.size - common;
  return { exact: union ? common / union : 1, counts: 1 - diff / Math.max(1, a.length, b.length), a: a.length, b: b.length, identical: union === common && a.length === b.length };
}
