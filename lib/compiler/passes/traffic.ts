/**
 * Spike traffic between slices: packets per run from slice a to slice b (one per spike per
 * destination core), kept sparse (a row per source slice). Stored synapses are counted exactly;
 * a projection kept as a rule without stored synapses (a procedural projection at scale) is
 * counted from the rule: a row of L synapses drawn uniformly over the destination's n neurons
 * reaches a slice of c of them with probability 1 - (1 - c/n)^L (L its mean row length), so the
 * packets are expected values (the report says so).
 */
import type { ProceduralSpec } from "../../ir/procedural.js";
import { meanRowLength } from "./rule-stats.js";
import type { Netlist, Projection } from "../netlist.js";
import type { CompileState, Slice } from "../state.js";
import { offsets } from "./partition.js";

/** Packets per run between slices: rows[a] maps destination slice b to packets; spikes per source slice. */
export interface SliceTraffic {
  S: number;
  rows: Array<Map<number, number>>;
  spikes: Float64Array;
  /** True when some packets are expectations drawn from a projection's rule. */
  expected: boolean;
}

/** Slice index of every global neuron (-1 when not on a chip slice). */
export function sliceOfNeuron(n: Netlist, slices: Slice[]): Int32Array {
  const off = offsets(n);
  const out = new Int32Array(n.layers.reduce((a, l) => a + l.size, 0)).fill(-1);
  slices.forEach((s, k) => { for (const r of s.runs ?? [s]) out.fill(k, off.get(s.layer)! + r.start, off.get(s.layer)! + r.start + r.count); });
  return out;
}

/** Spike count of each neuron of a layer (options.spikeCounts, default 1). */
export function spikesOf(s: CompileState, layer: string, size: number): Float64Array {
  const given = s.options.spikeCounts?.[layer];
  return given ? Float64Array.from(given) : new Float64Array(size).fill(1);
}

/** The rule of a projection whose synapses are not stored (counted from the rule), if any. */
export function ruleOnly(p: Projection): ProceduralSpec | undefined {
  if (p.csr) return undefined;
  const op = p.ops.length === 1 ? p.ops[0] : undefined;
  return op?.kind === "sparse" && op.rule ? op.rule : undefined;
}

const cache = new WeakMap<CompileState["slices"] & object, SliceTraffic>();

/** Sparse traffic between slices and spikes per source slice (computed once per slicing). */
export function sliceTraffic(s: CompileState): SliceTraffic {
  const hit = cache.get(s.slices!);
  if (hit && hit.spikes.length === s.slices!.length) return hit;
  const n = s.netlist!, slices = s.slices!, S = slices.length;
  const off = offsets(n), of = sliceOfNeuron(n, slices);
  const rows = Array.from({ length: S }, () => new Map<number, number>()), spikes = new Float64Array(S);
  const stamp = new Int32Array(S).fill(-1);
  const add = (a: number, b: number, x: number) => rows[a].set(b, (rows[a].get(b) ?? 0) + x);
  let tick = 0, expected = false;
  for (const l of n.layers) {
    const out = n.projections.filter((p) => p.src === l.name);
    if (!out.length) continue;
    const counts = spikesOf(s, l.name, l.size), base = off.get(l.name)!;
    for (let i = 0; i < l.size; i++) { const a = of[base + i]; if (a >= 0) spikes[a] += counts[i]; }
    const stored = out.filter((p) => !ruleOnly(p));
    for (const p of out.filter((q) => ruleOnly(q))) { expected = true; ruleTraffic(p, ruleOnly(p)!, counts, base, of, slices, add); }
    if (!stored.length) continue;
    for (let i = 0; i < l.size; i++) {
      const a = of[base + i];
      if (a < 0) continue;
      tick++;
      for (const p of stored) {
        const dBase = off.get(p.dst)!;
        if (p.csr) {
          for (let k = p.csr.indptr[i]; k < p.csr.indptr[i + 1]; k++) {
            const b = of[dBase + p.csr.indices[k]];
            if (b >= 0 && stamp[b] !== tick) { stamp[b] = tick; add(a, b, counts[i]); }
          }
        } else for (let b = 0; b < S; b++) if (slices[b].layer === p.dst && stamp[b] !== tick) { stamp[b] = tick; add(a, b, counts[i]); }
      }
    }
  }
  const t: SliceTraffic = { S, rows, spikes, expected };
  cache.set(slices, t);
  return t;
}

/** Expected packets of a rule's projection: a source neuron's row (of the mean length) reaches a destination slice of c neurons with chance 1 - (1 - c/post)^L. */
function ruleTraffic(p: Projection, spec: ProceduralSpec, counts: Float64Array, base: number, of: Int32Array, slices: Slice[], add: (a: number, b: number, x: number) => void): void {
  const dst = slices.map((sl, b) => ({ sl, b })).filter((x) => x.sl.layer === p.dst);
  if (!dst.length) return;
  const L = meanRowLength(spec), reach = dst.map((x) => 1 - Math.exp(L * Math.log1p(-x.sl.count / spec.post)));
  const bySlice = new Map<number, number>();
  for (let i = 0; i < spec.pre; i++) { const a = of[base + i]; if (a >= 0 && counts[i]) bySlice.set(a, (bySlice.get(a) ?? 0) + counts[i]); }
  for (const [a, spikes] of bySlice) for (let q = 0; q < dst.length; q++) add(a, dst[q].b, spikes * reach[q]);
}

/** Packets from slice a to slice b. */
export function packets(t: SliceTraffic, a: number, b: number): number {
  return t.rows[a].get(b) ?? 0;
}

/** Spike events crossing a projection per run: the spikes of every source neuron with at least one synapse in it (all of them for a weight-shared one). */
export function crossingSpikes(s: CompileState, p: Projection): number {
  const size = p.csr ? p.csr.pre : s.netlist!.layers.find((l) => l.name === p.src)!.size;
  const counts = spikesOf(s, p.src, size);
  let n = 0;
  for (let i = 0; i < size; i++) if (!p.csr || p.csr.indptr[i + 1] > p.csr.indptr[i]) n += counts[i];
  return n;
}
