/** Convolutions and pooling on [C, H, W] samples (C order, no batch dim); Conv1d runs as Conv2d with H = 1. */
import type { NodeOf } from "../../graph.js";
import { param, toDtype } from "../params.js";
import type { Buf } from "../types.js";
import type { KernelContext, KernelFactory } from "./kernel.js";

/** Geometry of a 2-D window operation. */
interface Geometry {
  cin: number; h: number; w: number;
  cout: number; oh: number; ow: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
}

/** A list parameter given as one value applies to every dimension. */
function at(list: number[], i: number): number {
  return list.length === 1 ? list[0] : list[i];
}

function geometry2d(ctx: KernelContext, k: number[], stride: number[], padding: number[], dilation: number[]): Geometry {
  const [cin, h, w] = ctx.inShape;
  const [cout, oh, ow] = ctx.outShape;
  return { cin, h, w, cout, oh, ow, kh: k[0], kw: k[1], sh: at(stride, 0), sw: at(stride, 1), ph: at(padding, 0), pw: at(padding, 1), dh: at(dilation, 0), dw: at(dilation, 1) };
}

/** Conv1d: weight [O, C/groups, K] over [C, L]. */
export const conv1dKernel: KernelFactory<NodeOf<"Conv1d">> = (ctx) => {
  const n = ctx.node;
  const [cin, len] = ctx.inShape;
  const [cout, olen] = ctx.outShape;
  const g: Geometry = { cin, h: 1, w: len, cout, oh: 1, ow: olen, kh: 1, kw: n.weight.shape[2], sh: 1, sw: at(n.stride, 0), ph: 0, pw: at(n.padding, 0), dh: 1, dw: at(n.dilation, 0) };
  return convolution(ctx, g, n.groups, toDtype(ctx.dtype, n.weight.data), toDtype(ctx.dtype, param(ctx, "bias", n.bias, cout)));
};

/** Conv2d: weight [O, C/groups, kh, kw] over [C, H, W]. */
export const conv2dKernel: KernelFactory<NodeOf<"Conv2d">> = (ctx) => {
  const n = ctx.node;
  const g = geometry2d(ctx, n.weight.shape.slice(2), n.stride, n.padding, n.dilation);
  return convolution(ctx, g, n.groups, toDtype(ctx.dtype, n.weight.data), toDtype(ctx.dtype, param(ctx, "bias", n.bias, g.cout)));
};

function convolution(ctx: KernelContext, g: Geometry, groups: number, wt: Buf, bias: Buf): ReturnType<KernelFactory> {
  const { out, batch } = ctx;
  const inp = ctx.inputs[0];
  const { cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw } = g;
  const cinG = cin / groups;
  const coutG = cout / groups;
  const inSize = cin * h * w;
  const outSize = cout * oh * ow;
  return {
    step: () => {
      for (let b = 0; b < batch; b++) {
        const xb = b * inSize;
        for (let oc = 0; oc < cout; oc++) {
          const c0 = Math.floor(oc / coutG) * cinG;
          const yb = b * outSize + oc * oh * ow;
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++) {
              let s = bias[oc];
              for (let ic = 0; ic < cinG; ic++) {
                const xc = xb + (c0 + ic) * h * w;
                const wc = (oc * cinG + ic) * kh * kw;
                for (let ky = 0; ky < kh; ky++) {
                  const iy = oy * sh - ph + ky * dh;
                  if (iy < 0 || iy >= h) continue;
                  for (let kx = 0; kx < kw; kx++) {
                    const ix = ox * sw - pw + kx * dw;
                    if (ix >= 0 && ix < w) s += wt[wc + ky * kw + kx] * inp[xc + iy * w + ix];
                  }
                }
              }
              out[yb + oy * ow + ox] = s;
            }
        }
      }
    },
    state: {},
  };
}

/** SumPool2d and AvgPool2d (sum / (kh kw), padding counted as zeros), per channel. */
export const poolKernel: KernelFactory<NodeOf<"SumPool2d"> | NodeOf<"AvgPool2d">> = (ctx) => {
  const n = ctx.node;
  const g = geometry2d(ctx, [at(n.kernel_size, 0), at(n.kernel_size, 1)], n.stride, n.padding, [1]);
  const scale = n.type === "AvgPool2d" ? 1 / (g.kh * g.kw) : 1;
  const { out, batch } = ctx;
  const inp = ctx.inputs[0];
  const { cin, h, w, oh, ow, kh, kw, sh, sw, ph, pw } = g;
  return {
    step: () => {
      for (let bc = 0; bc < batch * cin; bc++) {
        const xc = bc * h * w;
        const yc = bc * oh * ow;
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++) {
            let s = 0;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - ph + ky;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pw + kx;
                if (ix >= 0 && ix < w) s += inp[xc + iy * w + ix];
              }
            }
            out[yc + oy * ow + ox] = s * scale;
          }
      }
    },
    state: {},
  };
};
