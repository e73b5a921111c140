/** Parameter helpers: broadcasting tensors to per-neuron arrays and allocating dtype buffers. */
import type { Tensor } from "../graph.js";
import { numel } from "../graph.js";
import type { KernelContext } from "./kernels/kernel.js";
import type { Buf } from "./types.js";

/** A zeroed buffer of the given dtype. */
export function alloc(dtype: "float64" | "float32", n: number): Buf {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/** Copies values into a buffer of the given dtype (rounding to float32 where asked). */
export function toDtype(dtype: "float64" | "float32", values: ArrayLike<number>): Buf {
  return dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
}

/**
 * A tensor parameter broadcast to `n` values (it must hold 1 or n elements); `fallback` fills
 * an absent optional one. A size mismatch is reported in ctx.issues.
 */
export function param(ctx: KernelContext, field: string, t: Tensor | undefined, n: number, fallback?: number): Float64Array {
  const out = new Float64Array(n);
  if (!t) {
    if (fallback === undefined) ctx.issues.add("missing-parameter", [ctx.name, field], `${ctx.node.type} needs parameter "${field}"`);
    return out.fill(fallback ?? 0);
  }
  const m = t.data.length;
  if (m === 1) return out.fill(t.data[0]);
  if (m === n) {
    out.set(t.data);
    return out;
  }
  ctx.issues.add("bad-parameter", [ctx.name, field], `has ${m} elements (shape [${t.shape}]); expected 1 or ${n} (one per neuron)`);
  return out;
}

/** Per-port parameter of shape [P] or [P, ...neuron shape], as P arrays of n values. */
export function portParam(ctx: KernelContext, field: string, t: Tensor, ports: number, n: number): Float64Array[] {
  const m = numel(t.shape);
  const perPort = m === ports ? 1 : m === ports * n ? n : -1;
  if (perPort < 0) {
    ctx.issues.add("bad-parameter", [ctx.name, field], `has shape [${t.shape}]; expected [${ports}] or [${ports}, ...neuron shape] (${ports * n} elements)`);
    return Array.from({ length: ports }, () => new Float64Array(n));
  }
  return Array.from({ length: ports }, (_, p) => {
    const a = new Float64Array(n);
    if (perPort === 1) a.fill(t.data[p]);
    else a.set(t.data.subarray(p * n, (p + 1) * n));
    return a;
  });
}

/** Reports non-positive or non-finite time constants. */
export function checkPositive(ctx: KernelContext, field: string, values: Float64Array): void {
  if (values.some((x) => !(x > 0))) ctx.issues.add("bad-parameter", [ctx.name, field], "time constants must be > 0 seconds");
}

/** Threshold, reset and refractory settings shared by the spiking neuron kernels. */
export interface SpikeParams {
  th: Buf;
  vr: Buf;
  /** Refractory steps per neuron, round(t_ref / dt). */
  nref: Int32Array;
  /** Remaining refractory steps per [B, N] element; undefined when no neuron is refractory. */
  refc: Int32Array | undefined;
  subtract: boolean;
  /** Several spikes per step: floor(v / v_threshold) when v >= v_threshold (Rockpool, Sinabs). */
  multiple: boolean;
}

interface ThresholdFields {
  v_threshold: Tensor;
  v_reset?: Tensor;
  t_ref?: Tensor;
}

/** Reads v_threshold, v_reset (default 0) and t_ref (default 0) of a spiking neuron. */
export function spikeParams(ctx: KernelContext, node: ThresholdFields, n: number): SpikeParams {
  const th = toDtype(ctx.dtype, param(ctx, "v_threshold", node.v_threshold, n));
  const vr = toDtype(ctx.dtype, param(ctx, "v_reset", node.v_reset, n, 0));
  const tref = param(ctx, "t_ref", node.t_ref, n, 0);
  if (tref.some((x) => !(x >= 0))) ctx.issues.add("bad-parameter", [ctx.name, "t_ref"], "refractory periods must be >= 0 seconds");
  const nref = Int32Array.from(tref, (x) => Math.round(x / ctx.dt));
  const refc = nref.some((x) => x > 0) ? new Int32Array(ctx.batch * n) : undefined;
  const multiple = ctx.spikes === "multiple";
  if (multiple && th.some((x) => !(x > 0)))
    ctx.issues.add("bad-parameter", [ctx.name, "v_threshold"], "multiple spikes per step need v_threshold > 0");
  return { th, vr, nref, refc, subtract: ctx.reset === "subtract", multiple };
}

/**
 * Threshold, reset and start of the refractory period of element j (neuron k). Single: one spike when
 * v > v_threshold (strict). Multiple: n = floor(v / v_threshold) spikes when v >= v_threshold, output n,
 * and 'subtract' takes n * v_threshold off v.
 */
export function fire(s: SpikeParams, v: Buf, out: Buf, j: number, k: number): void {
  const th = s.th[k];
  const n = s.multiple ? (v[j] >= th ? Math.floor(v[j] / th) : 0) : v[j] > th ? 1 : 0;
  out[j] = n;
  if (n === 0) return;
  v[j] = s.subtract ? v[j] - n * th : s.vr[k];
  if (s.refc !== undefined) s.refc[j] = s.nref[k];
}
