import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../graph.js";
import { tensor } from "../builders.js";
import { simulate } from "./index.js";

const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);
const randoms = (n: number, seed: number) => Array.from({ length: n }, rng(seed));

/** One-node graph in -> node -> out, run for T steps of random input; returns [T, ...out] values. */
function runNode(node: Node, inShape: number[], outShape: number[], data: number[], T: number): Float64Array {
  const g: Graph = {
    type: "NIRGraph",
    nodes: { in: { type: "Input", shape: inShape }, node, out: { type: "Output", shape: outShape } },
    edges: [{ src: "in", dst: "node" }, { src: "node", dst: "out" }],
  };
  return simulate(g, { dt: 1e-3, input: { data, shape: [T, ...inShape] } }).outputs.out;
}

/** Reference 2-D convolution: pad explicitly, then correlate with a dilated kernel. */
function naiveConv2d(x: number[], [c, h, w]: number[], wt: number[], [o, cg, kh, kw]: number[], bias: number[], s: number[], p: number[], d: number[], groups: number): number[] {
  const [hp, wp] = [h + 2 * p[0], w + 2 * p[1]];
  const padded = (ch: number, y: number, xx: number) => {
    const [iy, ix] = [y - p[0], xx - p[1]];
    return iy < 0 || ix < 0 || iy >= h || ix >= w ? 0 : x[(ch * h + iy) * w + ix];
  };
  const oh = Math.floor((hp - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((wp - d[1] * (kw - 1) - 1) / s[1]) + 1;
  const out: number[] = [];
  for (let oc = 0; oc < o; oc++) {
    const g = Math.floor(oc / (o / groups));
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let acc = bias[oc];
        for (let ic = 0; ic < cg; ic++)
          for (let a = 0; a < kh; a++)
            for (let b = 0; b < kw; b++) acc += wt[((oc * cg + ic) * kh + a) * kw + b] * padded(g * cg + ic, y * s[0] + a * d[0], xx * s[1] + b * d[1]);
        out.push(acc);
      }
  }
  return out;
}

describe("convolution and pooling", () => {
  it("Conv2d (stride, padding, dilation, groups, bias) matches a naive reference", () => {
    const [T, C, H, W, O, groups, kh, kw] = [3, 4, 9, 8, 6, 2, 3, 2];
    const [s, p, d] = [[2, 1], [1, 2], [2, 1]];
    const wt = randoms(O * (C / groups) * kh * kw, 1);
    const bias = randoms(O, 2);
    const x = randoms(T * C * H * W, 3);
    const node: Node = { type: "Conv2d", weight: tensor(wt, [O, C / groups, kh, kw]), bias: tensor(bias), stride: s, padding: p, dilation: d, groups };
    const ref = Array.from({ length: T }, (_, t) => naiveConv2d(x.slice(t * C * H * W, (t + 1) * C * H * W), [C, H, W], wt, [O, C / groups, kh, kw], bias, s, p, d, groups)).flat();
    const oh = Math.floor((H + 2 - 2 * 2 - 1) / 2) + 1;
    const ow = Math.floor((W + 4 - 1 - 1) / 1) + 1;
    expect(ref.length).toBe(T * O * oh * ow);
    const got = runNode(node, [C, H, W], [O, oh, ow], x, T);
    expect(Array.from(got)).toEqual(ref.map((v) => expect.closeTo(v, 12)));
  });

  it("Conv1d equals Conv2d with a height of 1", () => {
    const [C, L, O, k] = [2, 11, 3, 3];
    const wt = randoms(O * C * k, 4);
    const bias = randoms(O, 5);
    const x = randoms(2 * C * L, 6);
    const c1: Node = { type: "Conv1d", weight: tensor(wt, [O, C, k]), bias: tensor(bias), stride: [2], padding: [1], dilation: [2], groups: 1 };
    const c2: Node = { type: "Conv2d", weight: tensor(wt, [O, C, 1, k]), bias: tensor(bias), stride: [1, 2], padding: [0, 1], dilation: [1, 2], groups: 1 };
    const ol = Math.floor((L + 2 - 2 * 2 - 1) / 2) + 1;
    expect(Array.from(runNode(c1, [C, L], [O, ol], x, 2))).toEqual(Array.from(runNode(c2, [C, 1, L], [O, 1, ol], x, 2)));
  });

  it("SumPool2d sums windows with zero padding; AvgPool2d divides by the window size", () => {
    const x = Array.from({ length: 2 * 3 * 3 }, (_, k) => k + 1); // two channels of 3x3
    const sum: Node = { type: "SumPool2d", kernel_size: [2, 2], stride: [2, 2], padding: [1, 1] };
    const got = runNode(sum, [2, 3, 3], [2, 2, 2], x, 1);
    expect(Array.from(got)).toEqual([1, 2 + 3, 4 + 7, 5 + 6 + 8 + 9, 10, 11 + 12, 13 + 16, 14 + 15 + 17 + 18]);
    const avg = runNode({ ...sum, type: "AvgPool2d" }, [2, 3, 3], [2, 2, 2], x, 1);
    expect(Array.from(avg)).toEqual(Array.from(got).map((v) => v / 4));
  });

  it("Flatten reshapes and Affine multiplies by W [out, in]", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: {
        in: { type: "Input", shape: [2, 2] },
        f: { type: "Flatten", start_dim: 0, end_dim: -1 },
        a: { type: "Affine", weight: tensor([1, 0, 0, 0, 0, 1, 2, 3], [2, 4]), bias: tensor([0.5, -1]) },
        out: { type: "Output", shape: [2] },
      },
      edges: [{ src: "in", dst: "f" }, { src: "f", dst: "a" }, { src: "a", dst: "out" }],
    };
    const r = simulate(g, { dt: 1e-3, input: { data: [1, 2, 3, 4], shape: [1, 2, 2] } });
    expect(r.shapes.f.output).toEqual([4]);
    expect(Array.from(r.outputs.out)).toEqual([1.5, 2 + 6 + 12 - 1]);
  });
});
