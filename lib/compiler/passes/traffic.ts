/** Spike traffic between slices: packets per run from slice a to slice b (one per spike per destination core). */
import type { Netlist, Projection } from "../netlist.js";
import type { CompileState, Slice } from "../state.js";
import { offsets } from "./partition.js";

/** Slice index of every global neuron (-1 when not on a chip slice). */
export function sliceOfNeuron(n: Netlist, slices: Slice[]): Int32Array {
  const off = offsets(n);
  const out = new Int32Array(n.layers.reduce((a, l) => a + l.size, 0)).fill(-1);
  slices.forEach((s, k) => out.fill(k, off.get(s.layer)! + s.start, off.get(s.layer)! + s.start + s.count));
  return out;
}

/** Spike count of each neuron of a layer (options.spikeCounts, default 1). */
export function spikesOf(s: CompileState, layer: string, size: number): Float64Array {
  const given = s.options.spikeCounts?.[layer];
  return given ? Float64Array.from(given) : new Float64Array(size).fill(1);
}

/** Dense S x S traffic matrix (row = source slice) and spikes per source slice. */
export function sliceTraffic(s: CompileState): { traffic: Float64Array; spikes: Float64Array } {
  const n = s.netlist!, slices = s.slices!, S = slices.length;
  const off = offsets(n), of = sliceOfNeuron(n, slices);
  const traffic = new Float64Array(S * S), spikes = new Float64Array(S);
  const stamp = new Int32Array(S).fill(-1);
  let tick = 0;
  for (const l of n.layers) {
    const out = n.projections.filter((p) => p.src === l.name);
    if (!out.length) continue;
    const counts = spikesOf(s, l.name, l.size), base = off.get(l.name)!;
    for (let i = 0; i < l.size; i++) {
      const a = of[base + i];
      if (a >= 0) spikes[a] += counts[i];
      if (a < 0) continue;
      tick++;
      for (const p of out) {
        const dBase = off.get(p.dst)!;
        if (p.csr) {
          for (let k = p.csr.indptr[i]; k < p.csr.indptr[i + 1]; k++) {
            const b = of[dBase + p.csr.indices[k]];
            if (b >= 0 && stamp[b] !== tick) { stamp[b] = tick; traffic[a * S + b] += counts[i]; }
          }
        } else for (let b = 0; b < S; b++) if (slices[b].layer === p.dst && stamp[b] !== tick) { stamp[b] = tick; traffic[a * S + b] += counts[i]; }
      }
    }
  }
  return { traffic, spikes };
}

/** Spike events crossing a projection per run: the spikes of every source neuron with at least one synapse in it (all of them for a weight-shared one). */
export function crossingSpikes(s: CompileState, p: Projection): number {
  const size = p.csr ? p.csr.pre : s.netlist!.layers.find((l) => l.name === p.src)!.size;
  const counts = spikesOf(s, p.src, size);
  let n = 0;
  for (let i = 0; i < size; i++) if (!p.csr || p.csr.indptr[i + 1] > p.csr.indptr[i]) n += counts[i];
  return n;
}
