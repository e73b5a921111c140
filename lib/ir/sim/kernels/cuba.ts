/** Current-based neurons: CubaLI, CubaLIF and (Phasor extension) MultiCubaLIF with P synaptic currents. */
import type { NodeOf, Tensor } from "../../graph.js";
import { numel } from "../../graph.js";
import { coupledCoefficient, decay, leakCoefficient } from "../exact.js";
import { alloc, checkPositive, fire, param, portParam, spikeParams, toDtype, type SpikeParams } from "../params.js";
import type { Buf } from "../types.js";
import type { Kernel, KernelContext, KernelFactory } from "./kernel.js";

type Cuba = NodeOf<"CubaLI"> | NodeOf<"CubaLIF"> | NodeOf<"MultiCubaLIF">;

/** Parameters after broadcasting; arrays per port are indexed [p][k]. */
interface CubaParams {
  n: number;
  ports: number;
  vl: Buf;
  r: Buf;
  w: Buf;
  /** Euler: dt/tau_mem; exact: exp(-dt/tau_mem). */
  cm: Buf;
  /** Euler: dt/tau_syn; exact: exp(-dt/tau_syn). */
  cs: Buf[];
  /** Exact only: coupling K per port. */
  kc: Buf[];
  spike: SpikeParams | undefined;
}

/** tau_syn di_p/dt = -i_p + w_in I_p;  tau_mem dv/dt = (v_leak - v) + r sum_p i_p; then threshold. */
export const cubaKernel: KernelFactory<Cuba> = (ctx) => {
  const p = readParams(ctx);
  const v = alloc(ctx.dtype, ctx.batch * p.n);
  for (let b = 0; b < ctx.batch; b++) v.set(p.vl, b * p.n); // start at rest
  const cur = Array.from({ length: p.ports }, () => alloc(ctx.dtype, ctx.batch * p.n));
  const state: Record<string, Buf> = { v };
  if (ctx.node.type === "MultiCubaLIF") cur.forEach((c, q) => (state[`i${q}`] = c));
  else state.i = cur[0];
  const update = ctx.integrator === "exact" ? exactStep(ctx, p, v, cur) : eulerStep(ctx, p, v, cur);
  const out = ctx.out;
  // A non-spiking neuron (CubaLI) outputs v.
  const step: Kernel["step"] = p.spike ? update : (t) => (update(t), out.set(v));
  return { step, state };
};

function readParams(ctx: KernelContext<Cuba>): CubaParams {
  const node = ctx.node;
  const n = numel(ctx.outShape);
  const ports = node.type === "MultiCubaLIF" ? node.tau_syn.shape[0] ?? 1 : 1;
  const { dt, dtype, integrator } = ctx;
  const tm = param(ctx, "tau_mem", node.tau_mem, n);
  const ts = node.type === "MultiCubaLIF" ? portParam(ctx, "tau_syn", node.tau_syn, ports, n) : [param(ctx, "tau_syn", node.tau_syn, n)];
  checkPositive(ctx, "tau_mem", tm);
  ts.forEach((a) => checkPositive(ctx, "tau_syn", a));
  const exact = integrator === "exact";
  const wIn: Tensor | undefined = node.type === "MultiCubaLIF" ? undefined : node.w_in;
  return {
    n,
    ports,
    vl: toDtype(dtype, param(ctx, "v_leak", node.v_leak, n)),
    r: toDtype(dtype, param(ctx, "r", node.r, n)),
    w: toDtype(dtype, param(ctx, "w_in", wIn, n, 1)),
    cm: toDtype(dtype, tm.map((x) => (exact ? decay(dt, x) : leakCoefficient(dt, x, "euler")))),
    cs: ts.map((a) => toDtype(dtype, a.map((x) => (exact ? decay(dt, x) : leakCoefficient(dt, x, "euler"))))),
    kc: exact ? ts.map((a) => toDtype(dtype, a.map((x, k) => coupledCoefficient(dt, tm[k], x)))) : [],
    spike: node.type === "CubaLI" ? undefined : spikeParams(ctx, node, n),
  };
}

function eulerStep(ctx: KernelContext, p: CubaParams, v: Buf, cur: Buf[]): Kernel["step"] {
  const { n, ports, vl, r, w, cm, cs, spike } = p;
  const inputs = ctx.inputs;
  const out = ctx.out;
  const B = ctx.batch;
  const updated = ctx.current === "updated";
  return () => {
    for (let b = 0, j = 0; b < B; b++)
      for (let k = 0; k < n; k++, j++) {
        let isum = 0; // the membrane sees the currents of the previous step, or this step's with current 'updated'
        for (let q = 0; q < ports; q++) {
          const i = cur[q];
          if (!updated) isum += i[j];
          i[j] = i[j] + cs[q][k] * (-i[j] + w[k] * inputs[q][j]);
          if (updated) isum += i[j];
        }
        if (spike !== undefined && spike.refc !== undefined && spike.refc[j] > 0) {
          spike.refc[j]--;
          v[j] = spike.vr[k];
          out[j] = 0;
          continue;
        }
        v[j] = v[j] + cm[k] * ((vl[k] - v[j]) + r[k] * isum);
        if (spike !== undefined) fire(spike, v, out, j, k);
      }
  };
}

function exactStep(ctx: KernelContext, p: CubaParams, v: Buf, cur: Buf[]): Kernel["step"] {
  const { n, ports, vl, r, w, cm, cs, kc, spike } = p;
  const inputs = ctx.inputs;
  const out = ctx.out;
  const B = ctx.batch;
  return () => {
    for (let b = 0, j = 0; b < B; b++)
      for (let k = 0; k < n; k++, j++) {
        let drive = 0;
        let acc = 0;
        for (let q = 0; q < ports; q++) {
          const i = cur[q];
          const iInf = w[k] * inputs[q][j];
          const j0 = i[j] - iInf;
          acc += kc[q][k] * j0;
          i[j] = iInf + j0 * cs[q][k];
          drive += iInf;
        }
        if (spike !== undefined && spike.refc !== undefined && spike.refc[j] > 0) {
          spike.refc[j]--;
          v[j] = spike.vr[k];
          out[j] = 0;
          continue;
        }
        const vss = vl[k] + r[k] * drive;
        v[j] = vss + (v[j] - vss) * cm[k] + r[k] * acc;
        if (spike !== undefined) fire(spike, v, out, j, k);
      }
  };
}

