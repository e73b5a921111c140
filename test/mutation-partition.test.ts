// Partitioning by hand beyond stored synapses: a kept (weight-shared) convolution and a procedural
// projection kept as its rule, each cut into core-sized slices; the CSR transpose the cut reads.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { transpose } from "../lib/compiler/passes/partition.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import type { Node } from "../lib/ir/graph.js";
import type { PhasorError } from "../lib/ir/errors.js";

const dt = 1e-3;
const IF = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1 / dt)), v_threshold: tensor(new Float64Array(n).fill(0.5)) });
const mesh = (name: string, o: { neurons: number; fanIn: number; synapses: number }) =>
  genericMesh({ name, neuronsPerCore: o.neurons, fanIn: o.fanIn, synapsesPerCore: o.synapses, width: 4, height: 4 });
/** Each slice of `layer` as [start, count, synapses, fan-in]. */
const cut = (p: Program, layer = "h") => p.cores.filter((c) => c.layer === layer).map((c) => [c.start, c.count, c.synapses, c.fanIn]);
function issuesOf(fn: () => unknown): Array<{ code: string; path: (string | number)[]; message: string }> {
  try { fn(); return []; } catch (e) { return (e as PhasorError).issues; }
}

describe("transpose: rows become postsynaptic neurons", () => {
  test("a 3 x 4 CSR by hand, with an empty row and an empty column", () => {
    // Row 0 -> 1, 3; row 1 -> nothing; row 2 -> 0, 1. Columns: 0 <- 2; 1 <- 0, 2; 2 <- nothing; 3 <- 0.
    const c = { pre: 3, post: 4, indptr: Int32Array.of(0, 2, 2, 4), indices: Int32Array.of(1, 3, 0, 1), weight: Float64Array.of(1, 2, 3, 4) };
    const t = transpose(c);
    expect([t.pre, t.post]).toEqual([4, 3]);
    expect(Array.from(t.indptr)).toEqual([0, 1, 3, 3, 4]);
    expect(Array.from(t.indices)).toEqual([2, 0, 2, 0]);
    expect(t.weight.length).toBe(0);
    // Transposed twice: the original pattern, rows in ascending order.
    const back = transpose(t);
    expect([Array.from(back.indptr), Array.from(back.indices)]).toEqual([[0, 2, 2, 4], [1, 3, 0, 1]]);
  });
});

describe("a kept (weight-shared) convolution", () => {
  const conv = (weight: number[], shape: number[]): Node => ({
    type: "Conv2d", weight: tensor(weight, shape), stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: tensor(new Float64Array(shape[0]), [shape[0]]),
  });
  /** in (1 x 3 x 3) -> 2x2 convolution to 2 channels (8 kernel weights) -> 8 IF neurons (2 x 2 x 2). */
  const net = () => graph().input("in", [1, 3, 3]).node("c", conv([1, 2, 3, 4, -1, -2, -3, -4], [2, 1, 2, 2])).node("h", IF(8)).output("o").build();
  const shared = { dt, lowering: "weight-shared" as const, placer: "greedy" as const };

  test("every slice holds the 8 kernel weights and reads all 9 inputs; 3 neurons per core: 3 + 3 + 2", () => {
    const p = compile(net(), mesh("k-a", { neurons: 3, fanIn: 9, synapses: 8 }), shared);
    expect(p.projections[0].conv).toBeDefined();
    expect(cut(p)).toEqual([[0, 3, 8, 9], [3, 3, 8, 9], [6, 2, 8, 9]]);
  });

  test("expanded instead, the same convolution stores its 32 synapses (4 per neuron)", () => {
    // Each of the 8 outputs reads a 2x2 window: 4 synapses; fan-in of h0..h2 (channel 0, positions 0..2): 4, 6, 8 distinct inputs.
    const p = compile(net(), mesh("k-b", { neurons: 3, fanIn: 9, synapses: 12 }), { dt, lowering: "expand", placer: "greedy" });
    expect(p.projections[0].conv).toBeUndefined();
    expect(cut(p).reduce((a, s) => a + s[2], 0)).toBe(32);
  });

  test("a core one input or one weight short refuses the layer, naming the first neuron and the numbers", () => {
    expect(issuesOf(() => compile(net(), mesh("k-c", { neurons: 3, fanIn: 8, synapses: 8 }), shared))).toEqual([
      { code: "fan-in", path: ["h"], message: "h[0] needs fan-in 9; k-c allows 8 inputs per core" },
    ]);
    expect(issuesOf(() => compile(net(), mesh("k-d", { neurons: 3, fanIn: 9, synapses: 7 }), shared))).toEqual([
      { code: "synapse-memory", path: ["h"], message: "h[0] needs 8 synapses; k-d stores 7 per core" },
    ]);
  });

  test("sum pooling before the convolution: the kernel's weights, and the whole unpooled input as fan-in", () => {
    // in (1 x 4 x 4) -> 2x2 sum pooling (1 x 2 x 2) -> 1x1 convolution to 2 channels: 2 weights, 16 inputs, 8 neurons.
    const g = graph().input("in", [1, 4, 4]).node("pool", { type: "SumPool2d", kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] })
      .node("c", conv([1, -1], [2, 1, 1, 1])).node("h", IF(8)).output("o").build();
    expect(cut(compile(g, mesh("k-e", { neurons: 4, fanIn: 16, synapses: 2 }), shared))).toEqual([[0, 4, 2, 16], [4, 4, 2, 16]]);
  });
});

describe("a procedural projection kept as its rule", () => {
  // 4 inputs, fixed out-degree 2 onto 4 neurons: 2 synapses per row, targets uniform. Expected distinct
  // sources onto c of the 4 neurons: 4 (1 - (1 - c/4)^2) = 1.75, 3, 3.75, 4 for c = 1..4 (rule-stats.ts).
  const proc = { pre: 4, post: 4, seed: 1, rule: { kind: "fixed-out-degree", k: 2, multapses: false } as const, weight: { kind: "constant", value: 0.5 } as const };
  const net = (extra: boolean) => {
    const g = graph().input("in", [4]).node("r", { type: "ProceduralProjection", ...proc } as Node).node("h", IF(4));
    if (extra) g.input("in2", [2]).linear("w2", tensor([1, 1, 1, 1, 1, 1, 1, 1], [4, 2])).connect("w2", "h");
    return g.output("o", { from: "h" }).build();
  };
  const opts = { dt, connectivity: "procedural" as const, placer: "greedy" as const };

  test("no synapse memory; the expected fan-in grows 1.75, 3, 3.75, 4 and each slice reports it rounded up", () => {
    const p = compile(net(false), mesh("r-a", { neurons: 4, fanIn: 4, synapses: 1 }), opts);
    expect(p.projections[0].procedural).toBeDefined();
    expect(cut(p)).toEqual([[0, 4, 0, 4]]);
    // At most 3 inputs: h0 + h1 reach 3, a third neuron would make 3.75.
    expect(cut(compile(net(false), mesh("r-b", { neurons: 4, fanIn: 3, synapses: 1 }), opts))).toEqual([[0, 2, 0, 3], [2, 2, 0, 3]]);
    // At most 2: one neuron per core, 1.75 -> 2 each.
    expect(cut(compile(net(false), mesh("r-c", { neurons: 4, fanIn: 2, synapses: 1 }), opts))).toEqual([[0, 1, 0, 2], [1, 1, 0, 2], [2, 1, 0, 2], [3, 1, 0, 2]]);
    // 3 neurons per core: 3.75 -> 4, then h3 alone 1.75 -> 2.
    expect(cut(compile(net(false), mesh("r-d", { neurons: 3, fanIn: 4, synapses: 1 }), opts))).toEqual([[0, 3, 0, 4], [3, 1, 0, 2]]);
  });

  test("one neuron's expected fan-in above the core's is refused as expected, rounded up", () => {
    expect(issuesOf(() => compile(net(false), mesh("r-e", { neurons: 4, fanIn: 1, synapses: 1 }), opts))).toEqual([
      { code: "fan-in", path: ["h"], message: "h[0] needs fan-in 2 (expected); r-e allows 1 inputs per core" },
    ]);
  });

  test("with a stored dense projection from 2 more inputs: its 2 synapses and 2 inputs per neuron add to the rule's", () => {
    // Alone: 2 + 1.75 = 3.75 inputs, 2 synapses. Together: h0 h1 5, h0..h2 5.75, h0..h3 6 (the dense inputs are shared).
    expect(cut(compile(net(true), mesh("r-f", { neurons: 4, fanIn: 6, synapses: 8 }), opts))).toEqual([[0, 4, 8, 6]]);
    expect(cut(compile(net(true), mesh("r-g", { neurons: 4, fanIn: 5, synapses: 8 }), opts))).toEqual([[0, 2, 4, 5], [2, 2, 4, 5]]);
    // 6 synapses per core: 3 neurons.
    expect(cut(compile(net(true), mesh("r-h", { neurons: 4, fanIn: 6, synapses: 6 }), opts))).toEqual([[0, 3, 6, 6], [3, 1, 2, 4]]);
    expect(issuesOf(() => compile(net(true), mesh("r-i", { neurons: 4, fanIn: 3, synapses: 8 }), opts))).toEqual([
      { code: "fan-in", path: ["h"], message: "h[0] needs fan-in 4 (expected); r-i allows 3 inputs per core" },
    ]);
  });
});

describe("each layer cut from its own inputs", () => {
  test("in(4) -> h(3) -> g(2), dense: h's slices hold 4 synapses per neuron, g's 3 (h's projection is not g's)", () => {
    const g = graph().input("in", [4]).linear("w", tensor(new Array(12).fill(1), [3, 4])).node("h", IF(3))
      .linear("w2", tensor(new Array(6).fill(1), [2, 3])).node("g", IF(2)).output("o").build();
    const p = compile(g, mesh("ch-a", { neurons: 2, fanIn: 4, synapses: 8 }), { dt, placer: "greedy" });
    expect(cut(p, "h")).toEqual([[0, 2, 8, 4], [2, 1, 4, 4]]);
    expect(cut(p, "g")).toEqual([[0, 2, 6, 3]]);
  });

  test("a kept convolution reads its own source: 18 inputs from s (2 x 3 x 3), not the 9 of the first layer", () => {
    const conv = (weight: number[], shape: number[]): Node => ({
      type: "Conv2d", weight: tensor(weight, shape), stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: tensor(new Float64Array(shape[0]), [shape[0]]),
    });
    const shapedIF = (shape: number[]): Node => {
      const n = shape.reduce((a, b) => a * b, 1);
      return { type: "IF", r: tensor(new Float64Array(n).fill(1 / dt), shape), v_threshold: tensor(new Float64Array(n).fill(0.5), shape) };
    };
    // in (1 x 3 x 3) -> 1x1 to 2 channels -> s (18) -> 2x2 from 2 to 2 channels (16 weights) -> h (2 x 2 x 2 = 8).
    const g = graph().input("in", [1, 3, 3]).node("c1", conv([1, 2], [2, 1, 1, 1])).node("s", shapedIF([2, 3, 3]))
      .node("c2", conv(Array.from({ length: 16 }, (_, k) => k + 1), [2, 2, 2, 2])).node("h", IF(8)).output("o").build();
    const p = compile(g, mesh("ch-b", { neurons: 8, fanIn: 18, synapses: 16 }), { dt, lowering: "weight-shared", placer: "greedy" });
    expect(cut(p, "s")).toEqual([[0, 8, 2, 9], [8, 8, 2, 9], [16, 2, 2, 9]]);
    expect(cut(p, "h")).toEqual([[0, 8, 16, 18]]);
  });

  test("a single-core target: one slice per layer with its stored synapses; a rule stores none", () => {
    const t = { ...genericMesh({ name: "one-core", width: 1, height: 1 }), mapping: "single-core" } as typeof mesh extends (...a: never[]) => infer T ? T : never;
    const proc = { pre: 4, post: 4, seed: 1, rule: { kind: "fixed-out-degree", k: 2, multapses: false } as const, weight: { kind: "constant", value: 0.5 } as const };
    const g = graph().input("in", [4]).node("r", { type: "ProceduralProjection", ...proc } as Node).node("h", IF(4))
      .linear("w2", tensor(new Array(8).fill(1), [2, 4])).node("g", IF(2)).output("o").build();
    const p = compile(g, t, { dt, connectivity: "procedural" });
    expect(p.cores.map((c) => [c.layer, c.start, c.count, c.synapses])).toEqual([["h", 0, 4, 0], ["g", 0, 2, 8]]);
  });
});

describe("Speck: one core per layer, holding its kernel and neuron memory (Sinabs' formulas)", () => {
  test("in (1 x 8 x 8) -> 3x3 to 2 channels -> s1 (2 x 6 x 6) -> 3x3 to 4 channels -> s2 (4 x 4 x 4)", () => {
    const conv = (shape: number[]): Node => ({
      type: "Conv2d", weight: tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape), stride: [1, 1], padding: [0, 0],
      dilation: [1, 1], groups: 1, bias: tensor(new Float64Array(shape[0]), [shape[0]]),
    });
    const spk = (): Node => ({ type: "IF", r: tensor([1e3]), v_threshold: tensor([2]) });
    const g = graph().input("in", [1, 8, 8]).node("c1", conv([2, 1, 3, 3])).node("s1", spk()).node("c2", conv([4, 2, 3, 3])).node("s2", spk())
      .output("y").build();
    const p = compile(g, "speck", { dt });
    // Kernel memory c 2^(ceil log2(k k) + ceil log2 f): s1 1 x 2^(4 + 1) = 32, s2 2 x 2^(4 + 2) = 128.
    // Neuron memory f 2^(ceil log2 fy + ceil log2 fx): s1 2 x 2^(3 + 3) = 128, s2 4 x 2^(2 + 2) = 64.
    const byLayer = [...p.cores].sort((x, y) => x.layer.localeCompare(y.layer));
    expect(byLayer.map((c) => [c.layer, c.count, c.synapses, c.kernelMemory, c.neuronMemory])).toEqual([
      ["s1", 72, 32, 32, 128], ["s2", 64, 128, 128, 64],
    ]);
  });
});
