/** Stateless and simple nodes: Input, Output, Flatten, Scale, Threshold, Affine, Linear, and Delay. */
import type { NodeOf } from "../../graph.js";
import { numel } from "../../graph.js";
import { param, toDtype } from "../params.js";
import type { Buf } from "../types.js";
import type { KernelFactory } from "./kernel.js";

/** Input: the external sample of step t. */
export const inputKernel: KernelFactory<NodeOf<"Input">> = (ctx) => {
  const { source, out } = ctx;
  return { step: source ? (t) => source(t, out) : () => undefined, state: {} };
};

/** Output and Flatten: identity (Flatten only reinterprets the shape). */
export const copyKernel: KernelFactory<NodeOf<"Output"> | NodeOf<"Flatten">> = (ctx) => {
  const { out } = ctx;
  const inp = ctx.inputs[0];
  return { step: () => out.set(inp), state: {} };
};

/** Scale: y = s * x elementwise. */
export const scaleKernel: KernelFactory<NodeOf<"Scale">> = (ctx) => {
  const n = numel(ctx.outShape);
  const s = toDtype(ctx.dtype, param(ctx, "scale", ctx.node.scale, n));
  const { out, batch } = ctx;
  const inp = ctx.inputs[0];
  return {
    step: () => {
      for (let b = 0, j = 0; b < batch; b++) for (let k = 0; k < n; k++, j++) out[j] = s[k] * inp[j];
    },
    state: {},
  };
};

/** Threshold: y = 1 where x > threshold, else 0. */
export const thresholdKernel: KernelFactory<NodeOf<"Threshold">> = (ctx) => {
  const n = numel(ctx.outShape);
  const th = toDtype(ctx.dtype, param(ctx, "threshold", ctx.node.threshold, n));
  const { out, batch } = ctx;
  const inp = ctx.inputs[0];
  return {
    step: () => {
      for (let b = 0, j = 0; b < batch; b++) for (let k = 0; k < n; k++, j++) out[j] = inp[j] > th[k] ? 1 : 0;
    },
    state: {},
  };
};

/** Affine (y = W x + b) and Linear (y = W x); W is [out, in]. Sums accumulate in float64. */
export const matmulKernel: KernelFactory<NodeOf<"Affine"> | NodeOf<"Linear">> = (ctx) => {
  const node = ctx.node;
  const [rows, cols] = node.weight.shape;
  const w = toDtype(ctx.dtype, node.weight.data);
  const bias = toDtype(ctx.dtype, node.type === "Affine" ? param(ctx, "bias", node.bias, rows) : new Float64Array(rows));
  const { out, batch } = ctx;
  const inp = ctx.inputs[0];
  return {
    step: () => {
      for (let b = 0; b < batch; b++) {
        const xo = b * cols;
        const yo = b * rows;
        for (let i = 0; i < rows; i++) {
          let s = bias[i];
          const wo = i * cols;
          for (let c = 0; c < cols; c++) s += w[wo + c] * inp[xo + c];
          out[yo + i] = s;
        }
      }
    },
    state: {},
  };
};

/** Delay: y[t] = x[t - round(delay / dt)] per element, zero before the first sample arrives. */
export const delayKernel: KernelFactory<NodeOf<"Delay">> = (ctx) => {
  const n = numel(ctx.outShape);
  const d = Int32Array.from(param(ctx, "delay", ctx.node.delay, n), (x) => Math.round(x / ctx.dt));
  if (d.some((x) => !(x >= 0))) ctx.issues.add("bad-parameter", [ctx.name, "delay"], "delays must be >= 0 seconds");
  const len = d.reduce((a, x) => Math.max(a, x), 0) + 1;
  const { out, batch } = ctx;
  const size = batch * n;
  const ring: Buf = toDtype(ctx.dtype, new Float64Array(len * size));
  const inp = ctx.inputs[0];
  return {
    step: (t) => {
      ring.set(inp, (t % len) * size);
      for (let b = 0, j = 0; b < batch; b++)
        for (let k = 0; k < n; k++, j++) out[j] = ring[((t - d[k] + len) % len) * size + j];
    },
    state: {},
  };
};
