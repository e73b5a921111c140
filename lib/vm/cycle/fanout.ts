/**
 * Per neuron of every layer, the cores its events reach and the synapses they reach on each
 * (the cycle engine's messages: one per destination core), and per neuron whether it is
 * active in a step (activity.ts's rule, per neuron rather than counted).
 */
import type { VmLayer, VmModel } from "../model.js";
import { biasAt, type LayerState } from "../neurons.js";
import { coreMap, forEachPost } from "../noc/routes.js";

/** Destinations of one layer's neurons as CSR: neuron k's entries are [ptr[k], ptr[k+1]) of core and syn. */
export interface LayerFanout { ptr: Int32Array; core: Int32Array; syn: Int32Array }

/** The fan-out tables of every layer (destination cores ascending; the host is core -1). */
export function fanoutTables(m: VmModel): LayerFanout[] {
  return m.layers.map((l) => {
    const N = l.size, per: Array<Map<number, number>> = Array.from({ length: N }, () => new Map());
    for (const pi of m.outgoing[l.index]) {
      const p = m.projections[pi], core = coreMap(m, p.dst);
      for (let k = 0; k < N; k++) { const row = per[k]; forEachPost(p, k, (j) => row.set(core[j], (row.get(core[j]) ?? 0) + 1)); }
    }
    const ptr = new Int32Array(N + 1);
    for (let k = 0; k < N; k++) ptr[k + 1] = ptr[k] + per[k].size;
    const core = new Int32Array(ptr[N]), syn = new Int32Array(ptr[N]);
    for (let k = 0; k < N; k++) [...per[k]].sort((a, b) => a[0] - b[0]).forEach(([c, n], i) => { core[ptr[k] + i] = c; syn[ptr[k] + i] = n; });
    return { ptr, core, syn };
  });
}

const biasCache = new WeakMap<object, Uint8Array>();

/** Per neuron, 1 where a bias in force at step t is non-zero. */
function biasFlags(l: VmLayer, t: number): Uint8Array {
  const key: object = l.biasSchedule.length ? biasAt(l, t) : l.bias;
  let f = biasCache.get(key);
  if (!f) {
    f = new Uint8Array(l.size);
    for (const b of Array.isArray(key) ? key : [l.bias]) for (let k = 0; k < l.size; k++) if (b[k] !== 0) f[k] = 1;
    biasCache.set(key, f);
  }
  return f;
}

/** Writes into `out` (batch x neurons) 1 for each neuron active at step t, before its update: input arriving, state off rest, or a bias. */
export function markActive(l: VmLayer, s: LayerState, t: number, out: Uint8Array): void {
  const slot = t % s.D, biased = biasFlags(l, t), rest = l.vRest, { B, N, v, cur } = s, rings = s.ring.map((r) => r[slot]);
  for (let b = 0; b < B; b++)
    for (let k = 0, j = b * N; k < N; k++, j++) {
      let a = v[j] !== rest[k] || biased[k] !== 0;
      for (let p = 0; !a && p < rings.length; p++) a = rings[p][j] !== 0;
      for (let p = 0; !a && p < cur.length; p++) a = cur[p][j] !== 0;
      out[j] = a ? 1 : 0;
    }
}
