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
  const C = Math.max(0, ...m.program.cores.map((c) => c.id)) + 2, count = new Int32Array(C), touched: number[] = [];
  return m.layers.map((l) => {
    const N = l.size, outs = m.outgoing[l.index].map((pi) => ({ p: m.projections[pi], core: coreMap(m, m.projections[pi].dst) }));
    const ptr = new Int32Array(N + 1), cores: number[] = [], syn: number[] = [];
    // Stryker disable next-line EqualityOperator: row N is past the CSR (no synapses) and ptr[N + 1] past the array (ignored)
    for (let k = 0; k < N; k++) {
      // Per destination core (index core + 1, the host at 0), the synapses of row k there.
      for (const { p, core } of outs) forEachPost(p, k, (j) => { const c = core[j] + 1; if (count[c]++ === 0) touched.push(c); });
      touched.sort((a, b) => a - b);
      for (const c of touched) { cores.push(c - 1); syn.push(count[c]); count[c] = 0; }
      touched.length = 0;
      ptr[k + 1] = cores.length;
    }
    return { ptr, core: Int32Array.from(cores), syn: Int32Array.from(syn) };
  });
}

const biasCache = new WeakMap<object, Uint8Array>();

/** Per neuron, 1 where a bias in force at step t is non-zero. */
function biasFlags(l: VmLayer, t: number): Uint8Array {
  const key: object = l.biasSchedule.length ? biasAt(l, t) : l.bias;
  let f = biasCache.get(key);
  // Stryker disable next-line ConditionalExpression: a cache; the flags computed again are the same
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
  const P = cur.length, R = rings.length, r0 = rings[0], r1 = R > 1 ? rings[1] : r0, c0 = P > 0 ? cur[0] : r0, c1 = P > 1 ? cur[1] : c0;
  // Stryker disable next-line EqualityOperator: entry B is past the arrays (writes ignored)
  for (let b = 0; b < B; b++)
    for (let k = 0, j = b * N; k < N; k++, j++) {
      let a = v[j] !== rest[k] || biased[k] !== 0 || r0[j] !== 0 || r1[j] !== 0 || c0[j] !== 0 || c1[j] !== 0;
      for (let p = 2; !a && p < R; p++) a = rings[p][j] !== 0;
      for (let p = 2; !a && p < P; p++) a = cur[p][j] !== 0;
      out[j] = a ? 1 : 0;
    }
}
