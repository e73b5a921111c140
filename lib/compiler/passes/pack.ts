/**
 * Neuron orders for partitioning. Cutting a layer in its own neuron order packs well only when
 * neighbours in that order share inputs: a convolution numbered channel-last (all channels of a
 * position together) does, the same numbered channel-first (one channel's whole map, then the
 * next) does not, and its slices then reach most of the input layer and hit the fan-in limit.
 * The receptive-field order groups neurons by the inputs they read: by their first input, then
 * their last, then index (for a convolution: position-major, whatever the numbering), so that a
 * core's neurons share their receptive fields. The partitioner cuts both orders and keeps the one
 * that needs fewer cores (ties keep the neuron order).
 */
import type { Csr } from "../netlist.js";

/** A layer's inputs per neuron (transposed CSRs of its incoming projections, with the sources' global offsets). */
export interface Inputs { t: Csr; base: number }

/** The receptive-field order of n neurons, or undefined when it equals the neuron order. */
export function receptiveOrder(n: number, cols: readonly Inputs[]): Int32Array | undefined {
  const lo = new Float64Array(n).fill(Infinity), hi = new Float64Array(n).fill(-Infinity);
  for (const c of cols)
    for (let j = 0; j < n; j++)
      for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) {
        const g = c.base + c.t.indices[k];
        if (g < lo[j]) lo[j] = g;
        if (g > hi[j]) hi[j] = g;
      }
  const order = Int32Array.from({ length: n }, (_, j) => j).sort((a, b) => lo[a] - lo[b] || hi[a] - hi[b] || a - b);
  return order.every((j, q) => j === q) ? undefined : order;
}

/** The neurons order[from..to) as ascending runs of consecutive indices. */
export function runsOf(order: Int32Array, from: number, to: number): Array<{ start: number; count: number }> {
  const ks = Array.from(order.subarray(from, to)).sort((a, b) => a - b), runs: Array<{ start: number; count: number }> = [];
  for (const k of ks) {
    const last = runs[runs.length - 1];
    if (last && last.start + last.count === k) last.count++;
    else runs.push({ start: k, count: 1 });
  }
  return runs;
}
