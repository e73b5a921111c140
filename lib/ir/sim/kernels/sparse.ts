/** Phasor extension: event-driven CSR sparse projection with optional per-synapse delays. */
import type { NodeOf } from "../../graph.js";
import { alloc, toDtype } from "../params.js";
import type { KernelFactory } from "./kernel.js";

/**
 * For each presynaptic element with a nonzero input x, adds w x to each of its targets,
 * round(delay / dt) steps later (a ring buffer sized to the longest delay holds pending input).
 */
export const sparseKernel: KernelFactory<NodeOf<"SparseProjection">> = (ctx) => {
  const { pre, post, indptr, indices } = ctx.node;
  const w = toDtype(ctx.dtype, ctx.node.weight);
  const { out, batch, dt } = ctx;
  const inp = ctx.inputs[0];
  const delay = ctx.node.delay;
  if (!delay || delay.every((x) => Math.round(x / dt) === 0)) {
    return {
      step: () => {
        out.fill(0);
        for (let b = 0; b < batch; b++) {
          const xo = b * pre;
          const yo = b * post;
          for (let i = 0; i < pre; i++) {
            const x = inp[xo + i];
            if (x === 0) continue;
            for (let s = indptr[i]; s < indptr[i + 1]; s++) out[yo + indices[s]] += w[s] * x;
          }
        }
      },
      state: {},
    };
  }
  const d = Int32Array.from(delay, (x) => Math.round(x / dt));
  const len = d.reduce((a, x) => Math.max(a, x), 0) + 1;
  const size = batch * post;
  const ring = alloc(ctx.dtype, len * size);
  return {
    step: (t) => {
      for (let b = 0; b < batch; b++) {
        const xo = b * pre;
        const yo = b * post;
        for (let i = 0; i < pre; i++) {
          const x = inp[xo + i];
          if (x === 0) continue;
          for (let s = indptr[i]; s < indptr[i + 1]; s++) ring[((t + d[s]) % len) * size + yo + indices[s]] += w[s] * x;
        }
      }
      const slot = (t % len) * size;
      out.set(ring.subarray(slot, slot + size));
      ring.fill(0, slot, slot + size);
    },
    state: {},
  };
};
