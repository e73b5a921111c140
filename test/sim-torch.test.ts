/** The reference simulator's convolution and sum pooling against PyTorch on the same random data. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Graph } from "../lib/ir/graph.js";
import { tensor } from "../lib/ir/builders.js";
import { simulate } from "../lib/ir/sim/index.js";
import { havePython, systemPython as PYTHON } from "./support.js";

// Skips with a message naming python3-torch when PyTorch is missing; fails under PHASOR_REQUIRE_ALL=1.
const hasTorch = havePython("torch", "python3-torch");

const SCRIPT = `
import json, sys, torch
import torch.nn.functional as F
d = json.load(sys.stdin)
x = torch.tensor(d["x"], dtype=torch.float64).reshape(d["xshape"])
w = torch.tensor(d["w"], dtype=torch.float64).reshape(d["wshape"])
b = torch.tensor(d["b"], dtype=torch.float64)
y = F.conv2d(x, w, b, stride=d["stride"], padding=d["padding"], dilation=d["dilation"], groups=d["groups"])
k = d["pool"]
z = F.avg_pool2d(y, k, stride=d["pstride"], padding=d["ppad"], count_include_pad=True) * (k[0] * k[1])
print(json.dumps(z.flatten().tolist()))
`;

describe.skipIf(!hasTorch)("PyTorch reference", () => {
  it("Conv2d + SumPool2d match torch.nn.functional on the same data", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);
    const [T, C, H, W, O, groups] = [3, 4, 10, 9, 6, 2];
    const conv = { stride: [1, 2], padding: [1, 2], dilation: [2, 1], groups };
    const pool = { kernel_size: [2, 2], stride: [2, 2], padding: [1, 0] };
    const wshape = [O, C / groups, 3, 3];
    const w = Array.from({ length: wshape.reduce((a, b) => a * b) }, rnd);
    const b = Array.from({ length: O }, rnd);
    const x = Array.from({ length: T * C * H * W }, () => (rnd() > 0.2 ? 1 : 0));
    const g: Graph = {
      type: "NIRGraph",
      nodes: {
        in: { type: "Input", shape: [C, H, W] },
        conv: { type: "Conv2d", weight: tensor(w, wshape), bias: tensor(b), ...conv },
        pool: { type: "SumPool2d", ...pool },
        out: { type: "Output", shape: [O, 5, 3] },
      },
      edges: [{ src: "in", dst: "conv" }, { src: "conv", dst: "pool" }, { src: "pool", dst: "out" }],
    };
    const got = simulate(g, { dt: 1e-3, input: { data: x, shape: [T, C, H, W] } }).outputs.out;
    const py = spawnSync(PYTHON, ["-c", SCRIPT], {
      input: JSON.stringify({ x, xshape: [T, C, H, W], w, wshape, b, ...conv, pool: pool.kernel_size, pstride: pool.stride, ppad: pool.padding }),
      encoding: "utf8",
    });
    expect(py.status, py.stderr).toBe(0);
    const want: number[] = JSON.parse(py.stdout);
    expect(want.length).toBe(got.length);
    expect(Array.from(got)).toEqual(want.map((v) => expect.closeTo(v, 10)));
  });
});
