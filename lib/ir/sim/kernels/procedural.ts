/** Phasor extension: a procedural sparse projection, each spiking neuron's row generated when its spike needs it. */
import type { NodeOf } from "../../graph.js";
import { RowGenerator } from "../../procedural.js";
import { alloc } from "../params.js";
import type { KernelFactory } from "./kernel.js";

/**
 * The same additions, in the same order, as the sparse kernel on the materialised CSR of the
 * same description: for each presynaptic element with a nonzero input x, w x to each target,
 * round(delay / dt) steps later. Memory holds the ring and one row, never the synapses.
 */
export const proceduralKernel: KernelFactory<NodeOf<"ProceduralProjection">> = (ctx) => {
  const { pre, post } = ctx.node;
  const { out, batch, dt } = ctx;
  const inp = ctx.inputs[0], gen = new RowGenerator(ctx.node);
  const round = ctx.dtype === "float32" ? Math.fround : (x: number) => x;
  const len = maxDelaySteps(gen, dt) + 1, size = batch * post;
  const ring = alloc(ctx.dtype, len * size);
  return {
    step: (t) => {
      for (let i = 0; i < pre; i++) {
        let any = false;
        for (let b = 0; b < batch && !any; b++) any = inp[b * pre + i] !== 0;
        if (!any) continue;
        const n = gen.row(i), cols = gen.post, w = gen.weight, d = gen.delay;
        for (let b = 0; b < batch; b++) {
          const x = inp[b * pre + i], yo = b * post;
          if (x === 0) continue;
          for (let s = 0; s < n; s++) {
            const slot = d ? (t + Math.round(d[s] / dt)) % len : t % len;
            ring[slot * size + yo + cols[s]] += round(w[s]) * x;
          }
        }
      }
      const slot = (t % len) * size;
      out.set(ring.subarray(slot, slot + size));
      ring.fill(0, slot, slot + size);
    },
    state: {},
  };
};

/** The longest delay in steps over all rows (one pass that keeps nothing); 0 without delays. */
export function maxDelaySteps(gen: RowGenerator, dt: number): number {
  if (!gen.spec.delay) return 0;
  let m = 0;
  for (let i = 0; i < gen.spec.pre; i++) {
    const n = gen.row(i), d = gen.delay!;
    for (let s = 0; s < n; s++) m = Math.max(m, Math.round(d[s] / dt));
  }
  return m;
}
