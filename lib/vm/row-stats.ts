/**
 * What the result's counters and NeuroBench metrics need from a procedural projection's rows,
 * from one generation of each row (cached per projection): its synapses per destination unit
 * (core slice, or the whole host layer; the routes' destination cores follow from them) and its
 * nonzero weights as the scatter weighs them. Without it each reader regenerated every row on its own.
 */
import type { VmModel, VmProjection } from "./model.js";
import { roundHalfUp } from "../ir/procedural.js";

/** The host's unit id (lib/vm/noc/routes.ts HOST; not imported, as routes.ts reads these counts). */
const HOST = -1;

/** Per-row counts of one procedural projection. */
export interface RowStats {
  /** Destination units (slices of a chip layer, or one unit for a host layer). */
  units: Array<{ core: number; start: number; count: number }>;
  /** Synapses of row k in unit u at counts[k * units.length + u] (16-bit while every count fits). */
  counts: Uint16Array | Int32Array;
  /** Nonzero weights of row k. */
  nonzeros: Float64Array;
}

const cache = new WeakMap<VmProjection, RowStats>();

/** The destination units a projection's synapses are counted by (as the counters split them). */
export function destUnits(m: VmModel, p: VmProjection): RowStats["units"] {
  const dl = m.layers[p.dst];
  return dl.partition === "chip" ? dl.slices : [{ core: HOST, start: 0, count: dl.size }];
}

/** Row counts of a procedural projection, each row generated once (then cached). */
export function proceduralRowStats(m: VmModel, p: VmProjection): RowStats {
  const hit = cache.get(p);
  if (hit) return hit;
  const { gen, gain, codes, scale, unit } = p.rows!, units = destUnits(m, p), U = units.length;
  const N = m.layers[p.src].size, nonzeros = new Float64Array(N), row = new Int32Array(U);
  let counts: RowStats["counts"] = new Uint16Array(N * U);
  const unitOf = new Int32Array(m.layers[p.dst].size).fill(-1);
  units.forEach((s, u) => unitOf.fill(u, s.start, s.start + s.count));
  for (let k = 0; k < N; k++) {
    const n = gen.row(k), post = gen.post, w = gen.weight;
    row.fill(0);
    for (let q = 0; q < n; q++) {
      const u = unitOf[post[q]], g = w[q] * gain[post[q]];
      if (u >= 0) row[u]++;
      if ((codes ? roundHalfUp(g / scale) * unit : g) !== 0) nonzeros[k]++;
    }
    // A count past 16 bits (a row with more than 65,535 synapses on one core) widens the whole table once.
    if (counts instanceof Uint16Array && row.some((c) => c > 0xffff)) counts = Int32Array.from(counts);
    counts.set(row, k * U);
  }
  const stats = { units, counts, nonzeros };
  cache.set(p, stats);
  return stats;
}
