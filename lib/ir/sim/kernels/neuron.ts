/** Single-state neurons: I, IF, LI, LIF (membrane v only). */
import type { NodeOf } from "../../graph.js";
import { numel } from "../../graph.js";
import { leakCoefficient } from "../exact.js";
import { alloc, checkPositive, fire, param, spikeParams, toDtype, type SpikeParams } from "../params.js";
import type { Buf } from "../types.js";
import type { Kernel, KernelContext, KernelFactory } from "./kernel.js";

type OneState = NodeOf<"I"> | NodeOf<"IF"> | NodeOf<"LI"> | NodeOf<"LIF">;

/** I, IF, LI and LIF: v += c ((v_leak - v) + r I) (no leak term for I and IF), then threshold. */
export const membraneKernel: KernelFactory<OneState> = (ctx) => {
  const node = ctx.node;
  const n = numel(ctx.outShape);
  const r = toDtype(ctx.dtype, param(ctx, "r", node.r, n));
  const leaky = node.type === "LI" || node.type === "LIF";
  let c: Buf;
  let vl: Buf;
  if (leaky) {
    const tau = param(ctx, "tau", node.tau, n);
    checkPositive(ctx, "tau", tau);
    c = toDtype(ctx.dtype, tau.map((x) => leakCoefficient(ctx.dt, x, ctx.integrator)));
    vl = toDtype(ctx.dtype, param(ctx, "v_leak", node.v_leak, n));
  } else {
    c = toDtype(ctx.dtype, new Float64Array(n).fill(ctx.dt));
    vl = alloc(ctx.dtype, n);
  }
  const spiking = node.type === "IF" || node.type === "LIF" ? spikeParams(ctx, node, n) : undefined;
  const v = alloc(ctx.dtype, ctx.batch * n);
  for (let b = 0; b < ctx.batch; b++) v.set(vl, b * n); // start at rest
  const step = spiking ? spikingStep(ctx, n, v, c, vl, r, leaky, spiking) : plainStep(ctx, n, v, c, vl, r, leaky);
  return { step, state: { v } };
};

function plainStep(ctx: KernelContext, n: number, v: Buf, c: Buf, vl: Buf, r: Buf, leaky: boolean): Kernel["step"] {
  const inp = ctx.inputs[0];
  const out = ctx.out;
  const B = ctx.batch;
  return () => {
    for (let b = 0, j = 0; b < B; b++)
      for (let k = 0; k < n; k++, j++)
        v[j] = leaky ? v[j] + c[k] * ((vl[k] - v[j]) + r[k] * inp[j]) : v[j] + c[k] * r[k] * inp[j];
    out.set(v); // a non-spiking neuron outputs v
  };
}

function spikingStep(ctx: KernelContext, n: number, v: Buf, c: Buf, vl: Buf, r: Buf, leaky: boolean, s: SpikeParams): Kernel["step"] {
  const inp = ctx.inputs[0];
  const out = ctx.out;
  const B = ctx.batch;
  const { vr, refc } = s;
  return () => {
    for (let b = 0, j = 0; b < B; b++)
      for (let k = 0; k < n; k++, j++) {
        if (refc !== undefined && refc[j] > 0) {
          refc[j]--;
          v[j] = vr[k];
          out[j] = 0;
          continue;
        }
        v[j] = leaky ? v[j] + c[k] * ((vl[k] - v[j]) + r[k] * inp[j]) : v[j] + c[k] * r[k] * inp[j];
        fire(s, v, out, j, k);
      }
  };
}
