/**
 * NeuroBench's static and workload metrics of a run (Yik et al., NeuroBench, 2023/2025):
 * footprint (bytes of parameters and state at the target's bit widths), connection sparsity
 * (fraction of zero weights over all connections the projections could hold), activation
 * sparsity (fraction of zero neuron outputs over neurons x steps) and SynOps per inference.
 */
import type { VmModel } from "./model.js";
import type { Counters } from "./types.js";

/** The metrics NeuroBench reports with every run. */
export interface NeuroBenchMetrics {
  /** Bytes: weights at weightBits (float64 on float layers) + per-neuron parameters and state at stateBits. */
  footprint: number;
  /** 1 - nonzero weights / possible connections (pre x post for synapses, the kernel for weight-shared convolutions). */
  connectionSparsity: number;
  /** 1 - spikes / (spiking neurons x steps x batch). */
  activationSparsity: number;
  /** Per inference (one batch entry): dense, effective AC and effective MAC synaptic operations. */
  synOps: { dense: number; effectiveAC: number; effectiveMAC: number };
}

/** Computes the metrics for a model and its run's counters. */
export function neurobench(m: VmModel, c: Counters): NeuroBenchMetrics {
  const a = m.program.target.arithmetic;
  let bytes = 0, nonzero = 0, possible = 0, neurons = 0, spikes = 0;
  for (const p of m.projections) {
    const dst = m.layers[p.dst], bits = dst.arith === "float" ? 64 : a.weightBits;
    let nz = 0;
    for (let q = 0; q < p.weight.length; q++) if (p.weight[q] !== 0) nz++;
    const pr = m.program.projections[p.index];
    const stored = pr.conv ? m.program.blobs[pr.conv.weight].length : p.weight.length;
    const storedNz = pr.conv ? Array.from(m.program.blobs[pr.conv.weight]).filter((w) => w !== 0).length : nz;
    bytes += (stored * bits) / 8;
    // A bias carried by the projection is state of the destination (its width).
    if (p.bias) bytes += (p.bias.length * (dst.arith === "float" ? 64 : a.stateBits)) / 8;
    nonzero += storedNz;
    possible += pr.conv ? stored : m.layers[p.src].size * dst.size;
  }
  for (const l of m.layers) {
    if (l.kind !== "neuron") continue;
    const bits = l.arith === "float" ? 64 : a.stateBits;
    // threshold, reset, rest, bias, decays and v, plus one decay and one current per port
    bytes += (l.size * (6 + (l.cuba ? 2 * l.ports : 0)) * bits) / 8;
    if (l.spiking) { neurons += l.size; spikes += c.layers[l.name]?.spikes ?? 0; }
  }
  const slots = neurons * c.steps * c.batch;
  return {
    footprint: bytes,
    connectionSparsity: possible ? 1 - nonzero / possible : 0,
    activationSparsity: slots ? 1 - spikes / slots : 0,
    synOps: { dense: c.total.synOpsDense / c.batch, effectiveAC: c.total.synOpsAC / c.batch, effectiveMAC: c.total.synOpsMAC / c.batch },
  };
}
