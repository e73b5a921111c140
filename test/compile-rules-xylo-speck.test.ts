// Xylo Audio 2's rules as Rockpool's mapper and documentation state them, and Speck's as
// Sinabs' dynapcnn backend enforces them: each rule at its limit (compiles) and one past it
// (refused, naming the rule, the node, the value and the limit). Limits are computed by hand
// from the sources listed in docs/targets.md.
import { describe, expect, test } from "vitest";
import { graph, tensor, sparseFromCoo } from "../lib/ir/builders.js";
import type { Graph, Node } from "../lib/ir/graph.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { roundHalfEven, xyloDashOf } from "../lib/compiler/passes/rules.js";
import { runProgram } from "../lib/vm/index.js";
import { simulate } from "../lib/ir/sim/index.js";
import { randomSpikes } from "./vm-networks.js";

const dt = 1e-4;
const refusal = (f: () => unknown): string => {
  try { f(); } catch (e) { return (e as Error).message; }
  return "";
};

// ---------------------------------------------------------------- Xylo Audio 2

/** Dense weights [out, in] with no zero entry (every pair connected). */
const dense = (out: number, inn: number, v = 0.3) => tensor(Float64Array.from({ length: out * inn }, (_, k) => v + (k % 7) / 100), [out, inn]);
/** CuBa LIF whose input gains are 1 (r = tau_mem/dt, w_in = tau_syn/dt): weights add to the current as on Xylo, so the threshold fits 16 bits. */
const cuba = (tauMem = 2 ** 6 * dt, tauSyn = 2 ** 4 * dt) =>
  ({ tau_mem: tauMem, tau_syn: tauSyn, r: tauMem / dt, w_in: tauSyn / dt, v_threshold: 1 });

/** Each of `pre` neurons targets `k` consecutive neurons of `post` (wrapping): fan-out exactly min(k, post). */
const banded = (pre: number, post: number, k: number) => {
  const f = Math.min(k, post), i: number[] = [], j: number[] = [];
  for (let a = 0; a < pre; a++) for (let b = 0; b < f; b++) { i.push(a); j.push((a + b) % post); }
  return sparseFromCoo({ pre, post, i, j, weight: 0.4 });
};

/** Input(nIn) -> hidden layers in a chain (dense input weights, hidden-to-hidden fan-out `fanOut`, dense when absent) -> Output(nOut). */
function chain(nIn: number, hidden: number[], nOut: number, o: { tauMem?: number; tauSyn?: number; fanOut?: number } = {}): Graph {
  const b = graph().input("in", nIn);
  let prev = nIn;
  hidden.forEach((h, k) => {
    if (k > 0 && o.fanOut !== undefined) b.add(`w${k + 1}`, banded(prev, h, o.fanOut));
    else b.linear(`w${k + 1}`, dense(h, prev));
    b.cubaLIF(`h${k + 1}`, cuba(o.tauMem, o.tauSyn));
    prev = h;
  });
  return b.linear("wout", dense(nOut, prev)).cubaLIF("out", cuba()).output("y").build();
}

/** in(4) -> hid(n) with recurrent sparse weights `rec` (pre -> post pairs) -> out(2); every hidden neuron reads out to both outputs. */
function recurrent(n: number, rec: Array<[number, number]>, ports?: number[]): Graph {
  const b = graph().input("in", 4).linear("win", dense(n, 4));
  if (ports) b.multiCubaLIF("hid", { size: n, tau_mem: 2 ** 6 * dt, r: 2 ** 6, tau_syn: ports.map(() => 2 ** 4 * dt), v_threshold: 1 });
  else b.cubaLIF("hid", cuba());
  const coo = { pre: n, post: n, i: rec.map((r) => r[0]), j: rec.map((r) => r[1]), weight: 0.1 };
  (ports ?? [0]).forEach((port, k) => b.add(`rec${k}`, sparseFromCoo(coo), { from: "hid" }).connect(`rec${k}`, "hid", ports ? port : undefined));
  return b.linear("wout", dense(2, n), { from: "hid" }).cubaLIF("out", cuba()).output("y").build();
}

/** Neuron 0 of a layer of n targets the first k neurons. */
const fan = (k: number): Array<[number, number]> => Array.from({ length: k }, (_, j) => [0, j]);

describe("xylo-audio2: neurons in any number of layers", () => {
  test("16 inputs -> three hidden layers of 1000 neurons in all -> 8 outputs compiles, needs no routing table and runs", () => {
    const p = compile(chain(16, [300, 300, 400], 8, { fanOut: 32 }), "xylo-audio2");
    expect(p.report.coresUsed).toBe(1);
    expect(p.layers.filter((l) => l.kind === "neuron").map((l) => [l.name, l.size])).toEqual([["h1", 300], ["h2", 300], ["h3", 400], ["out", 8]]);
    expect(p.tables).toEqual([]);
    const r = runProgram(p, { input: randomSpikes([16], 200, 0.5, 1) });
    for (const l of ["h1", "h2", "h3"]) expect(r.spikes[l].length).toBeGreaterThan(0);
  });
  test("1001 hidden neurons over three layers are refused, naming the layers", () => {
    expect(refusal(() => compile(chain(16, [300, 300, 401], 8, { fanOut: 32 }), "xylo-audio2")))
      .toMatch(/hidden layers h1, h2, h3 need 1001 neurons; xylo-audio2 allows 1000 hidden neurons/);
  });
  test("17 inputs are refused", () => {
    expect(refusal(() => compile(chain(17, [10, 10], 8), "xylo-audio2")))
      .toMatch(/in needs 17 input channels; xylo-audio2 allows 16 inputs/);
  });
  test("8 outputs compile, 9 are refused", () => {
    expect(compile(chain(4, [10, 10], 8), "xylo-audio2").layers.find((l) => l.name === "out")!.size).toBe(8);
    expect(refusal(() => compile(chain(4, [10, 10], 9), "xylo-audio2")))
      .toMatch(/output layer\(s\) out need 9 output neurons; xylo-audio2 allows 8/);
  });
  test("inputs reach hidden neurons only; output neurons feed nothing and are not recurrent", () => {
    const direct = graph().input("in", 4).linear("w1", dense(10, 4)).cubaLIF("h", cuba()).linear("w2", dense(2, 10)).cubaLIF("out", cuba())
      .linear("skip", dense(2, 4), { from: "in" }).connect("skip", "out").output("y", { from: "out" }).build();
    expect(refusal(() => compile(direct, "xylo-audio2")))
      .toMatch(/skip: input in feeds output neurons out directly; xylo-audio2's input weights reach hidden neurons only/);
    const back = graph().input("in", 4).linear("w1", dense(10, 4)).cubaLIF("h", cuba()).linear("w2", dense(2, 10)).cubaLIF("out", cuba())
      .linear("fb", dense(10, 2), { from: "out" }).connect("fb", "h").output("y", { from: "out" }).build();
    expect(refusal(() => compile(back, "xylo-audio2")))
      .toMatch(/fb: output neurons out feed h; xylo-audio2's output neurons have no outgoing weights/);
  });
});

describe("xylo-audio2: recurrent fan-out counts hidden targets only", () => {
  test("64 recurrent targets plus 2 readout synapses compile (fan-out 64, not 66)", () => {
    const p = compile(recurrent(65, fan(64)), "xylo-audio2");
    const rec = p.projections.find((x) => x.name === "rec0")!;
    expect(p.blobs[rec.csr!.indptr][1]).toBe(64);
  });
  test("65 recurrent targets are refused, naming the neuron, the count and the limit", () => {
    expect(refusal(() => compile(recurrent(65, fan(65)), "xylo-audio2")))
      .toMatch(/hid\[0\] needs recurrent fan-out 65 \(hidden targets; readout weights are not counted\); xylo-audio2 allows 64/);
  });
  test("a target reached on both synapses takes one fan-out entry: 64 targets on two ports compile", () => {
    expect(compile(recurrent(65, fan(64), [0, 1]), "xylo-audio2").report.coresUsed).toBe(1);
    expect(refusal(() => compile(recurrent(65, fan(65), [0, 1]), "xylo-audio2")))
      .toMatch(/hid\[0\] needs recurrent fan-out 65/);
  });
  test("feed-forward hidden-to-hidden weights are recurrent weights on Xylo: a 65-wide dense layer is refused", () => {
    expect(compile(chain(4, [10, 64], 2), "xylo-audio2").report.coresUsed).toBe(1);
    expect(refusal(() => compile(chain(4, [10, 65], 2), "xylo-audio2"))).toMatch(/h1\[0\] needs recurrent fan-out 65/);
  });
  test("the recurrent weight memory holds 32000 connections: 500 x 64 compile, one more is refused", () => {
    const net = (extra: boolean) => {
      const ff = Array.from({ length: 500 * 64 }, (_, k) => [Math.floor(k / 64), k % 64] as [number, number]);
      const b = graph().input("in", 4).linear("win", dense(500, 4)).cubaLIF("a", cuba())
        .add("ab", sparseFromCoo({ pre: 500, post: 500, i: ff.map((x) => x[0]), j: ff.map((x) => x[1]), weight: 0.1 })).cubaLIF("b", cuba());
      if (extra) b.add("bb", sparseFromCoo({ pre: 500, post: 500, i: [0], j: [0], weight: 0.1 }), { from: "b" }).connect("bb", "b");
      return b.linear("wout", dense(2, 500), { from: "b" }).cubaLIF("out", cuba()).output("y").build();
    };
    expect(compile(net(false), "xylo-audio2").report.coresUsed).toBe(1);
    expect(refusal(() => compile(net(true), "xylo-audio2")))
      .toMatch(/hidden layers a, b need 32001 recurrent connections; xylo-audio2's recurrent weight memory holds 32000/);
  });
});

describe("xylo-audio2: synapses, weights, reset", () => {
  test("hidden neurons take 2 synaptic currents, not 3; output neurons take 1, not 2", () => {
    const p = compile(recurrent(8, fan(4), [0, 1]), "xylo-audio2");
    const hid = p.layers.find((l) => l.name === "hid")!.params!;
    expect(hid.decayI.map((b) => p.blobs[b][0])).toEqual([4, 4]);
    expect(runProgram(p, { input: randomSpikes([4], 50, 0.5, 2) }).spikes.hid.length).toBeGreaterThan(0);
    expect(refusal(() => compile(recurrent(8, fan(4), [0, 1, 2]), "xylo-audio2")))
      .toMatch(/hid needs 3 synaptic currents; xylo-audio2 allows 2/);
    const two = graph().input("in", 4).linear("w1", dense(10, 4)).cubaLIF("h", cuba()).linear("w2", dense(2, 10))
      .multiCubaLIF("out", { size: 2, tau_mem: 2 ** 6 * dt, tau_syn: [2 ** 4 * dt, 2 ** 5 * dt], v_threshold: 1 })
      .linear("w3", dense(2, 10), { from: "h" }).connect("w3", "out", 1).output("y", { from: "out" }).build();
    expect(refusal(() => compile(two, "xylo-audio2")))
      .toMatch(/output neurons out need 2 synaptic currents; xylo-audio2 gives output neurons 1/);
  });
  test("weights are 8-bit: every stored weight lies in [-127, 127] and the largest reaches 127", () => {
    const p: Program = compile(chain(16, [40, 30], 8), "xylo-audio2");
    for (const x of p.projections) {
      const w = Array.from(p.blobs[x.csr!.weight]);
      expect(w.every((v) => Number.isInteger(v) && Math.abs(v) <= 127)).toBe(true);
      expect(Math.max(...w.map(Math.abs))).toBe(127);
    }
  });
  test("reset is subtractive only: the default, and reset to zero is refused", () => {
    expect(compile(chain(4, [10], 2), "xylo-audio2").options.reset).toBe("subtract");
    expect(refusal(() => compile(chain(4, [10], 2), "xylo-audio2", { reset: "zero" })))
      .toMatch(/reset "zero" is not supported by xylo-audio2 \(supports subtract\)/);
  });
});

describe("xylo-audio2: dash = round(log2(tau/dt)), tau > dt, at most 15", () => {
  const decays = (p: Program, layer: string) => Array.from(p.blobs[p.layers.find((l) => l.name === layer)!.params!.decayV]);
  test("rounding is numpy's (half to even): 2.5 -> 2, 3.5 -> 4, 14.5 -> 14, 15.5 -> 16", () => {
    expect([2.5, 3.5, 14.5, 15.5, -2.5, 2.4999].map(roundHalfEven)).toEqual([2, 4, 14, 16, -2, 2]);
    expect(xyloDashOf(2 ** 5 * dt, dt)).toBe(5);
    expect(xyloDashOf(25e-3, 1e-3)).toBe(5); // Rockpool's overview: tau 25 ms at dt 1 ms, log2 25 = 4.64
  });
  test("tau_mem = dt and tau_syn = dt are refused (Rockpool: no dash for tau <= dt)", () => {
    expect(refusal(() => compile(chain(4, [10], 2, { tauMem: dt }), "xylo-audio2")))
      .toMatch(/h1\.tau_mem: h1 needs tau_mem > dt: tau_mem 0\.0001000 s at dt 0\.0001 s has no dash/);
    expect(refusal(() => compile(chain(4, [10], 2, { tauSyn: dt }), "xylo-audio2")))
      .toMatch(/h1\.tau_syn: h1 needs tau_syn > dt/);
  });
  test("just above dt compiles with dash 0, as Rockpool rounds it", () => {
    expect(decays(compile(chain(4, [10], 2, { tauMem: 1.0001 * dt }), "xylo-audio2"), "h1")).toEqual(new Array(10).fill(0));
  });
  test("tau = 2^15 dt compiles with dash 15; tau = 2^15.5 dt rounds to dash 16 and is refused", () => {
    expect(decays(compile(chain(4, [10], 2, { tauMem: 2 ** 15 * dt }), "xylo-audio2"), "h1")).toEqual(new Array(10).fill(15));
    expect(refusal(() => compile(chain(4, [10], 2, { tauMem: 2 ** 15.5 * dt }), "xylo-audio2")))
      .toMatch(/h1 needs dash 16 \(tau_mem 4\.634 s at dt 0\.0001 s\); xylo-audio2 allows at most 15/);
  });
});

// ---------------------------------------------------------------- Speck

const IF = (thr = 2): Node => ({ type: "IF", r: tensor([1 / dt]), v_threshold: tensor([thr]) });
/** A Conv2d node [f, c, kh, kw] with constant weights. */
interface ConvOptions { stride?: number[]; padding?: number[]; dilation?: number[]; groups?: number; w?: number; bias?: number }
function conv(shape: number[], o: ConvOptions = {}): Node {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    type: "Conv2d", weight: { shape, data: new Float64Array(n).fill(o.w ?? 1) }, stride: o.stride ?? [1, 1], padding: o.padding ?? [0, 0],
    dilation: o.dilation ?? [1, 1], groups: o.groups ?? 1, bias: { shape: [shape[0]], data: new Float64Array(shape[0]).fill(o.bias ?? 0) },
  };
}
const pool = (k: number[], s = k, p = [0, 0]): Node => ({ type: "SumPool2d", kernel_size: k, stride: s, padding: p });
/** Input [c, h, w] -> (pool) -> conv -> IF. */
function one(input: number[], c: Node, p?: Node): Graph {
  const b = graph().input("in", input);
  if (p) b.node("pool", p);
  return b.node("conv", c).node("spk", IF()).output("y").build();
}
const speck = (g: Graph) => compile(g, "speck");

describe("speck: kernels, strides, padding, pooling (Sinabs' DynapcnnLayer)", () => {
  test("square kernels only: a 3x3 kernel compiles, a [4,2,3,5] kernel is refused", () => {
    expect(speck(one([2, 8, 8], conv([4, 2, 3, 3]))).cores.length).toBe(1);
    expect(refusal(() => speck(one([2, 8, 8], conv([4, 2, 3, 5])))))
      .toMatch(/spk \(conv\) needs a 3x5 kernel; speck needs square kernels/);
  });
  test("a Linear after Flatten is a kernel over the whole map: [2,4,4] compiles, [2,4,8] (a 4x8 kernel) is refused", () => {
    const lin = (h: number, w: number) => graph().input("in", [2, h, w]).node("flat", { type: "Flatten", start_dim: 0, end_dim: -1 })
      .linear("fc", dense(10, 2 * h * w)).node("spk", IF()).output("y").build();
    expect(speck(lin(4, 4)).cores.length).toBe(1);
    expect(refusal(() => speck(lin(4, 8)))).toMatch(/spk \(fc\) needs a 4x8 kernel; speck needs square kernels/);
  });
  test("kernels up to 16x16: 16 compiles, 17 is refused", () => {
    expect(speck(one([1, 17, 17], conv([2, 1, 16, 16]))).cores.length).toBe(1);
    expect(refusal(() => speck(one([1, 17, 17], conv([2, 1, 17, 17])))))
      .toMatch(/spk needs a 17x17 kernel; speck allows at most 16x16/);
  });
  test("strides 1, 2, 4, 8 compile; 3 and 16 are refused", () => {
    for (const s of [1, 2, 4, 8]) expect(speck(one([1, 32, 32], conv([2, 1, 2, 2], { stride: [s, s] }))).cores.length).toBe(1);
    expect(refusal(() => speck(one([1, 32, 32], conv([2, 1, 2, 2], { stride: [3, 3] })))))
      .toMatch(/spk uses stride 3x3; speck allows 1, 2, 4, 8/);
    expect(refusal(() => speck(one([1, 32, 32], conv([2, 1, 2, 2], { stride: [16, 16] })))))
      .toMatch(/spk uses stride 16x16; speck allows 1, 2, 4, 8/);
  });
  test("padding 0 to 7: 7 compiles, 8 is refused", () => {
    expect(speck(one([1, 8, 8], conv([2, 1, 3, 3], { padding: [7, 7] }))).cores.length).toBe(1);
    expect(refusal(() => speck(one([1, 8, 8], conv([2, 1, 3, 3], { padding: [8, 8] })))))
      .toMatch(/spk \(conv\) uses padding 8x8; speck allows 0 to 7/);
  });
  test("groups and dilation are refused (a core convolves every channel, without dilation)", () => {
    expect(refusal(() => speck(one([2, 8, 8], conv([2, 1, 3, 3], { groups: 2 })))))
      .toMatch(/spk \(conv\) uses 2 groups/);
    expect(refusal(() => speck(one([1, 8, 8], conv([2, 1, 3, 3], { dilation: [2, 2] })))))
      .toMatch(/spk \(conv\) uses dilation 2x2/);
  });
  test("square sum pooling by 1, 2 or 4 with stride = kernel compiles; 3, 2x4, stride 1 and padding are refused", () => {
    for (const k of [1, 2, 4]) expect(speck(one([1, 16, 16], conv([2, 1, 1, 1]), pool([k, k]))).cores.length).toBe(1);
    expect(refusal(() => speck(one([1, 16, 16], conv([2, 1, 1, 1]), pool([3, 3])))))
      .toMatch(/spk is fed from in through 3x3 sum pooling \(pool\); speck pools by 1, 2, 4/);
    expect(refusal(() => speck(one([1, 16, 16], conv([2, 1, 1, 1]), pool([2, 4])))))
      .toMatch(/through 2x4 sum pooling \(pool\); speck pools with square kernels only/);
    expect(refusal(() => speck(one([1, 16, 16], conv([2, 1, 1, 1]), pool([2, 2], [1, 1])))))
      .toMatch(/with stride 1x1; speck pools with stride = kernel/);
    expect(refusal(() => speck(one([1, 16, 16], conv([2, 1, 1, 1]), pool([2, 2], [2, 2], [1, 1])))))
      .toMatch(/with padding 1x1; speck pools without padding/);
  });
});

describe("speck: maps, channels and memory per core (Sinabs' formulas)", () => {
  test("input maps up to 128x128: 128 compiles, 129 is refused", () => {
    expect(speck(one([1, 128, 128], conv([1, 1, 2, 2], { stride: [2, 2] }))).cores.length).toBe(1);
    expect(refusal(() => speck(one([1, 129, 129], conv([1, 1, 2, 2], { stride: [2, 2] })))))
      .toMatch(/spk reads a 129x129 map; speck allows at most 128x128/);
  });
  test("output maps up to 64x64: 64 compiles, 65 is refused", () => {
    expect(speck(one([1, 64, 64], conv([1, 1, 1, 1]))).cores.length).toBe(1);
    expect(refusal(() => speck(one([1, 65, 65], conv([1, 1, 1, 1])))))
      .toMatch(/spk produces a 65x65 map; speck allows at most 64x64/);
  });
  test("up to 1024 channels with a bias (bias memory 1024): 1024 compile, 1025 are refused", () => {
    expect(speck(one([1, 1, 1], conv([1024, 1, 1, 1], { bias: 0.1 }))).cores.length).toBe(1);
    const msg = refusal(() => speck(one([1, 1, 1], conv([1025, 1, 1, 1], { bias: 0.1 }))));
    expect(msg).toMatch(/spk has 1025 channels; speck allows 1024/);
    expect(msg).toMatch(/spk needs bias memory 1025 \(one entry per output channel\); a speck core holds 1024/);
  });
  test("kernel memory c 2^(ceil log2(k k) + ceil log2 f): 64 x 2^(4 + 6) = 64Ki fits core 5 or 6; 65 channels (65Ki) fit none", () => {
    // 19x19 input, 4x4 kernel -> 16x16 map: neuron memory 64 x 2^(4 + 4) = 16Ki, what cores 5 and 6 hold beside 64Ki of kernel.
    const p = speck(one([64, 19, 19], conv([64, 64, 4, 4], { w: 0.01 })));
    expect(p.cores[0]).toMatchObject({ kernelMemory: 65536, neuronMemory: 16384 });
    expect([5, 6]).toContain(p.cores[0].id);
    expect(refusal(() => speck(one([65, 19, 19], conv([64, 65, 4, 4], { w: 0.01 })))))
      .toMatch(/spk needs kernel memory 66560 and neuron memory 16384; the largest speck core has 65536 kernel and 65536 neuron entries/);
  });
  test("neuron memory f 2^(ceil log2 fy + ceil log2 fx): 16 x 64 x 64 = 64Ki fits cores 0-2; 17 channels (68Ki) fit none", () => {
    const p = speck(one([1, 64, 64], conv([16, 1, 1, 1])));
    expect(p.cores[0]).toMatchObject({ kernelMemory: 16, neuronMemory: 65536 });
    expect([0, 1, 2]).toContain(p.cores[0].id);
    expect(refusal(() => speck(one([1, 64, 64], conv([17, 1, 1, 1])))))
      .toMatch(/spk needs kernel memory 32 and neuron memory 69632/);
  });
  test("three 64Ki-neuron layers fill cores 0-2; a fourth finds no core", () => {
    const net = (n: number) => {
      const b = graph().input("in", [16, 64, 64]);
      for (let k = 1; k <= n; k++) b.node(`c${k}`, conv([16, 16, 1, 1], { w: 0.1 })).node(`s${k}`, IF());
      return b.output("y").build();
    };
    expect(speck(net(3)).cores.map((c) => c.id)).toEqual([0, 1, 2]);
    expect(refusal(() => speck(net(4))))
      .toMatch(/no speck core left whose memory fits s\d \(kernel 256, neurons 65536\)/);
  });
});

describe("speck: destinations and residual merges", () => {
  /** in -> c1 -> s1 -> c2 -> s2, then s1 and s2 both into c3 -> s3 (a residual merge); `split` sends s1 to `split` more layers. */
  function residual(split = 0): Graph {
    const b = graph().input("in", [1, 8, 8])
      .node("c1", conv([2, 1, 3, 3], { padding: [1, 1] })).node("s1", IF())
      .node("c2", conv([2, 2, 3, 3], { padding: [1, 1], w: 0.5 })).node("s2", IF())
      .node("c3", conv([2, 2, 3, 3], { padding: [1, 1], w: 0.5 })).node("s3", IF());
    b.connect("s1", "c3");
    for (let k = 0; k < split; k++) b.node(`x${k}`, conv([2, 2, 1, 1]), { from: "s1" }).node(`xs${k}`, IF());
    return b.output("y", { from: "s3" }).build();
  }
  test("two layers merging into one destination compile and run on the VM as the reference simulator runs them", () => {
    const g = residual(), p = speck(g);
    expect(p.projections.filter((x) => x.dst === "s3").map((x) => x.src).sort()).toEqual(["s1", "s2"]);
    const input = randomSpikes([1, 8, 8], 40, 0.3, 7);
    const vm = runProgram(p, { input });
    const ref = simulate(g, { dt, input, reset: p.options.reset });
    for (const l of ["s1", "s2", "s3"]) expect(vm.spikes[l]).toEqual(ref.spikes[l]);
    expect(vm.spikes.s3.length).toBeGreaterThan(0);
    // The residual branch counts: without s1 -> c3, s3 spikes differently.
    const plain = { ...g, edges: g.edges.filter((e) => !(e.src === "s1" && e.dst === "c3")) };
    expect(runProgram(speck(plain), { input }).spikes.s3).not.toEqual(vm.spikes.s3);
  });
  test("a layer has two destinations: s1 -> c2 and c3 plus one more is refused", () => {
    expect(refusal(() => speck(residual(1)))).toMatch(/s1 feeds 3 destinations \(s2, s3, xs0\); a speck core has 2/);
  });
  test("layers merge through one shared convolution: two different weight layers into one neuron layer are refused", () => {
    const g = graph().input("in", [1, 8, 8]).node("c1", conv([2, 1, 3, 3], { padding: [1, 1] })).node("s1", IF())
      .node("ca", conv([2, 2, 3, 3], { padding: [1, 1] })).node("s3", IF())
      .node("cb", conv([2, 1, 3, 3], { padding: [1, 1] }), { from: "in" }).connect("cb", "s3").output("y", { from: "s3" }).build();
    expect(refusal(() => speck(g)))
      .toMatch(/s3 is fed through 2 weight layers \((ca, cb|cb, ca)\); a speck core holds one kernel/);
  });
});
