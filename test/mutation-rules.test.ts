// Design rules, each refusal with its code, path and whole message, at the limit (compiles) and one
// past it: chip limits on a generic target given limits, Xylo's rules (Rockpool's mapper and DRC)
// and Speck's (Sinabs' dynapcnn backend). Every count below is worked out by hand in the comments.
import { describe, expect, test } from "vitest";
import { graph, sparseFromCoo, tensor } from "../lib/ir/builders.js";
import { compile } from "../lib/compiler/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import type { Target } from "../lib/target/types.js";
import type { Node } from "../lib/ir/graph.js";
import type { PhasorError } from "../lib/ir/errors.js";

const dt = 1e-3;
type Issue = { code: string; path: (string | number)[]; message: string };
function issuesOf(fn: () => unknown): Issue[] {
  try { fn(); return []; } catch (e) { return (e as PhasorError).issues; }
}
const IF = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1 / dt)), v_threshold: tensor(new Float64Array(n).fill(0.5)) });
const ones = (r: number, c: number) => tensor(new Float64Array(r * c).fill(0.5), [r, c]);
/** A generic mesh with chip limits (and rule sets) of our choosing. */
const limited = (name: string, limits: Target["limits"], extra: Partial<Target> = {}): Target => ({ ...genericMesh({ name }), limits, ...extra } as Target);

describe("chip limits: inputs, outputs and hidden neurons, each layer named", () => {
  /** a(3) -> h1(2) -> o1(2) and b(3) -> h2(3) -> o2(2): 6 inputs, 5 hidden and 4 output neurons. */
  const net = () => {
    const g = graph().input("a", [3]).linear("wa", ones(2, 3)).node("h1", IF(2)).linear("w1", ones(2, 2)).node("o1", IF(2)).output("y1");
    g.input("b", [3]).linear("wb", ones(3, 3)).node("h2", IF(3)).linear("w2", ones(2, 3)).node("o2", IF(2)).output("y2");
    return g.build();
  };

  test("at the limits (6, 4, 5) it compiles; one below each, all three are refused at once", () => {
    expect(issuesOf(() => compile(net(), limited("lim-a", { inputs: 6, outputs: 4, hidden: 5 }), { dt }))).toEqual([]);
    // The layers are named in the netlist's order (here b's branch first): the path joins them with commas, the message with ", ".
    const both = (x: string, y: string) => new RegExp(`^(${x}|${y})$`);
    expect(issuesOf(() => compile(net(), limited("lim-b", { inputs: 5, outputs: 3, hidden: 4 }), { dt }))).toEqual([
      { code: "too-many-inputs", path: [expect.stringMatching(both("a,b", "b,a"))],
        message: expect.stringMatching(/^(a, b|b, a) needs 6 input channels; lim-b allows 5 inputs$/) },
      { code: "too-many-outputs", path: [expect.stringMatching(both("o1,o2", "o2,o1"))],
        message: expect.stringMatching(/^output layer\(s\) (o1, o2|o2, o1) need 4 output neurons; lim-b allows 3$/) },
      { code: "too-many-neurons", path: [expect.stringMatching(both("h1,h2", "h2,h1"))],
        message: expect.stringMatching(/^hidden layers (h1, h2|h2, h1) need 5 neurons; lim-b allows 4 hidden neurons$/) },
    ]);
  });

  test("an input that feeds only a layer on the host takes no input channel of the chip", () => {
    // c(4) -> CubaLIF hh, which this target does not run: hh goes to the host, so only a and b (6 channels) count.
    const g = graph().input("a", [3]).linear("wa", ones(2, 3)).node("h1", IF(2)).linear("w1", ones(2, 2)).node("o1", IF(2)).output("y1");
    g.input("b", [3]).linear("wb", ones(3, 3)).node("h2", IF(3)).linear("w2", ones(2, 3)).node("o2", IF(2)).output("y2");
    g.input("c", [4]).linear("wc", ones(2, 4)).cubaLIF("hh", { tau_syn: 2e-3, tau_mem: 4e-3, v_threshold: 1 }).output("y3");
    const t = limited("lim-h", { inputs: 6, outputs: 4, hidden: 5 }, { models: ["IF"] });
    expect(issuesOf(() => compile(g.build(), t, { dt, allowHost: true }))).toEqual([]);
  });

  test("synaptic currents per neuron: 2 on a limit of 2 compile, 3 are refused", () => {
    const multi = (k: number) => graph().input("in", [2]).linear("w", ones(2, 2))
      .multiCubaLIF("m", { tau_syn: Array.from({ length: k }, (_, i) => (i + 2) * 1e-3), tau_mem: 5e-3, v_threshold: 1 }).output("y").build();
    expect(issuesOf(() => compile(multi(2), limited("cur-a", { synapsesPerNeuron: 2 }), { dt }))).toEqual([]);
    expect(issuesOf(() => compile(multi(3), limited("cur-b", { synapsesPerNeuron: 2 }), { dt }))).toEqual([
      { code: "too-many-currents", path: ["m"], message: "m needs 3 synaptic currents; cur-b allows 2" },
    ]);
  });
});

describe("neuron fan-out: every stored target of a chip neuron", () => {
  /** in(1) -> h(3) -> g(3): h0 reaches g0 only, h1 and h2 all three; in0 reaches all three h (an input, not counted). */
  const net = (host = false) => {
    const b = graph().input("in", [1]).linear("w", tensor([1, 1, 1], [3, 1])).node("h", IF(3))
      .linear("w2", tensor([1, 1, 1, 0, 1, 1, 0, 1, 1], [3, 3])).node("g", IF(3)).output("o");
    if (host) b.linear("w3", ones(4, 3), { from: "h" }).cubaLIF("hh", { tau_syn: 2e-3, tau_mem: 4e-3, v_threshold: 1 }).output("o2");
    return b.build();
  };
  test("3 targets on a limit of 3 compile; on 2, the first neuron with the most is named", () => {
    expect(issuesOf(() => compile(net(), limited("fo-a", { neuronFanOut: 3 }), { dt }))).toEqual([]);
    expect(issuesOf(() => compile(net(), limited("fo-b", { neuronFanOut: 2 }), { dt }))).toEqual([
      { code: "fan-out", path: ["h"], message: "h[1] needs fan-out 3; fo-b allows 2 targets per neuron" },
    ]);
  });
  test("targets on the host are not counted (4 more per h neuron into a host layer)", () => {
    const t = limited("fo-c", { neuronFanOut: 3 }, { models: ["IF"] });
    expect(issuesOf(() => compile(net(true), t, { dt, allowHost: true }))).toEqual([]);
  });
});

describe("Xylo's rule set on a generic target (limits given one at a time)", () => {
  const cuba = { tau_syn: 2e-3, tau_mem: 4e-3, v_threshold: 1 };
  const xylo = (name: string, limits: Target["limits"], extra: Partial<Target> = {}) => limited(name, limits, { rules: ["xylo"], ...extra });
  /** in(2) -> hid(3) with recurrent weights `rec` ([pre, post] pairs) -> out(1). */
  const rnn = (rec: Array<[number, number]>) => graph().input("in", [2]).linear("win", ones(3, 2)).cubaLIF("hid", cuba)
    .add("rec", sparseFromCoo({ pre: 3, post: 3, i: rec.map((r) => r[0]), j: rec.map((r) => r[1]), weight: 0.1 }), { from: "hid" }).connect("rec", "hid")
    .linear("wout", ones(1, 3), { from: "hid" }).cubaLIF("out", cuba).output("y").build();
  // hid0 -> hid0, hid1, hid2; hid1 -> hid0; hid2 -> nothing: 4 connections, the widest fan-out 3 (hid0).
  const rec: Array<[number, number]> = [[0, 0], [0, 1], [0, 2], [1, 0]];

  test("recurrent fan-out alone: 3 on 3 compiles, on 2 refused naming hid[0]; no memory limit checked", () => {
    expect(issuesOf(() => compile(rnn(rec), xylo("xf-a", { recurrentFanOut: 3 }), { dt }))).toEqual([]);
    expect(issuesOf(() => compile(rnn(rec), xylo("xf-b", { recurrentFanOut: 2 }), { dt }))).toEqual([
      { code: "fan-out", path: ["hid"], message: "hid[0] needs recurrent fan-out 3 (hidden targets; readout weights are not counted); xf-b allows 2" },
    ]);
  });

  test("recurrent memory alone: 4 connections on 4 compile, on 3 refused naming the hidden layers", () => {
    expect(issuesOf(() => compile(rnn(rec), xylo("xm-a", { recurrentSynapses: 4 }), { dt }))).toEqual([]);
    expect(issuesOf(() => compile(rnn(rec), xylo("xm-b", { recurrentSynapses: 3 }), { dt }))).toEqual([
      { code: "recurrent-memory", path: ["hid"], message: "hidden layers hid need 4 recurrent connections; xm-b's recurrent weight memory holds 3" },
    ]);
  });

  test("targets first reached by hid1 count (none of hid0's): 2 connections on a memory of 1 are refused", () => {
    // hid0 -> nothing; hid1 -> hid1, hid2: 2 connections, fan-out 2.
    expect(issuesOf(() => compile(rnn([[1, 1], [1, 2]]), xylo("xn-a", { recurrentSynapses: 2, recurrentFanOut: 2 }), { dt }))).toEqual([]);
    expect(issuesOf(() => compile(rnn([[1, 1], [1, 2]]), xylo("xn-b", { recurrentSynapses: 1, recurrentFanOut: 1 }), { dt }))).toEqual([
      { code: "fan-out", path: ["hid"], message: "hid[1] needs recurrent fan-out 2 (hidden targets; readout weights are not counted); xn-b allows 1" },
      { code: "recurrent-memory", path: ["hid"], message: "hidden layers hid need 2 recurrent connections; xn-b's recurrent weight memory holds 1" },
    ]);
  });

  test("hidden-to-hidden weights between two hidden layers are recurrent memory too, both layers named", () => {
    // in(2) -> h1(2) -> h2(2) dense (4 connections) -> out(1).
    const g = graph().input("in", [2]).linear("w1", ones(2, 2)).cubaLIF("h1", cuba).linear("w2", ones(2, 2)).cubaLIF("h2", cuba)
      .linear("wout", ones(1, 2)).cubaLIF("out", cuba).output("y").build();
    expect(issuesOf(() => compile(g, xylo("xh", { recurrentSynapses: 3 }), { dt }))).toEqual([{
      code: "recurrent-memory", path: [expect.stringMatching(/^(h1,h2|h2,h1)$/)],
      message: expect.stringMatching(/^hidden layers (h1, h2|h2, h1) need 4 recurrent connections; xh's recurrent weight memory holds 3$/),
    }]);
  });

  test("output neurons feeding a hidden layer: refused naming the projection", () => {
    const g = graph().input("in", [2]).linear("win", ones(3, 2)).cubaLIF("hid", cuba).linear("wout", ones(1, 3)).cubaLIF("out", cuba)
      .linear("fb", ones(3, 1), { from: "out" }).connect("fb", "hid").output("y", { from: "out" }).build();
    expect(issuesOf(() => compile(g, xylo("xb", {}), { dt }))).toEqual([{
      code: "xylo-rule", path: ["fb"],
      message: "output neurons out feed hid; xb's output neurons have no outgoing weights (Rockpool mapper: w_rec and w_out take hidden neurons as sources)",
    }]);
  });

  test("output neurons that are recurrent: one refusal naming them (not also as feeding a neuron layer)", () => {
    const g = graph().input("in", [2]).linear("win", ones(3, 2)).cubaLIF("hid", cuba).linear("wout", ones(1, 3)).cubaLIF("out", cuba)
      .linear("self", ones(1, 1), { from: "out" }).connect("self", "out").output("y", { from: "out" }).build();
    expect(issuesOf(() => compile(g, xylo("xr", {}), { dt }))).toEqual([
      { code: "xylo-rule", path: ["out"], message: "output neurons out are recurrent; xr forbids it (Rockpool DRC output_neurons_cannot_be_recurrent)" },
    ]);
  });

  test("time constants: the smallest must exceed dt and the largest give a dash within maxShift, each named", () => {
    // Per-neuron tau_mem [2 dt, 16 dt]: dash log2(16) = 4 > maxShift 3, reported with the largest (0.01600 s);
    // per-neuron tau_syn [dt, 4 dt]: the smallest is not above dt, reported with it (0.001000 s).
    const g = graph().input("in", [2]).linear("win", ones(2, 2))
      .cubaLIF("hid", { tau_syn: tensor([dt, 4 * dt]), tau_mem: tensor([2 * dt, 16 * dt]), v_threshold: 1 }).linear("wout", ones(1, 2)).cubaLIF("out", cuba)
      .output("y").build();
    const t = xylo("xd", {}, { arithmetic: { ...genericMesh().arithmetic, maxShift: 3 } });
    expect(issuesOf(() => compile(g, t, { dt }))).toEqual([
      { code: "decay-range", path: ["hid", "tau_mem"],
        message: "hid needs dash 4 (tau_mem 0.01600 s at dt 0.001 s); xd allows at most 3 (a 4-bit dash: tau_mem below 2^3.5 dt = 0.01131 s)" },
      { code: "decay-range", path: ["hid", "tau_syn"],
        message: "hid needs tau_syn > dt: tau_syn 0.001000 s at dt 0.001 s has no dash (dash = round(log2(tau_syn/dt))); " +
          "xd refuses tau_syn <= dt, as Rockpool's mapper does" },
    ]);
    // Without maxShift any dash is held: 2^20 dt compiles.
    const long = graph().input("in", [2]).linear("win", ones(2, 2)).cubaLIF("hid", { ...cuba, tau_mem: 2 ** 20 * dt, r: 2 ** 20, w_in: 2 })
      .linear("wout", ones(1, 2)).cubaLIF("out", cuba)
      .output("y").build();
    expect(issuesOf(() => compile(long, xylo("xe", {}), { dt }))).toEqual([]);
  });
});

describe("Speck rules (Sinabs' dynapcnn backend): each refusal's code and path", () => {
  const sdt = 1e-3;
  const spk = (): Node => ({ type: "IF", r: tensor([1 / sdt]), v_threshold: tensor([2]) });
  const conv = (shape: number[], o: { stride?: number[]; bias?: number } = {}): Node => ({
    type: "Conv2d", weight: tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape), stride: o.stride ?? [1, 1],
    padding: [0, 0], dilation: [1, 1], groups: 1, bias: tensor(new Float64Array(shape[0]).fill(o.bias ?? 0), [shape[0]]),
  });
  const one = (input: number[], c: Node, pool?: number) => {
    const b = graph().input("in", input);
    if (pool) b.node("pool", { type: "SumPool2d", kernel_size: [pool, pool], stride: [pool, pool], padding: [0, 0] });
    return b.node("conv", c).node("spk", spk()).output("y").build();
  };
  const speck = (g: ReturnType<typeof one>) => issuesOf(() => compile(g, "speck", { dt: sdt }));

  test("a 17x17 kernel (16x16 the most) and 3x3 pooling (1, 2 or 4)", () => {
    expect(speck(one([1, 17, 17], conv([2, 1, 16, 16])))).toEqual([]);
    expect(speck(one([1, 17, 17], conv([2, 1, 17, 17])))).toEqual([
      { code: "speck-kernel", path: ["spk"], message: "spk needs a 17x17 kernel; speck allows at most 16x16" },
    ]);
    expect(speck(one([1, 12, 12], conv([2, 1, 1, 1]), 3))).toEqual([
      { code: "speck-pool", path: ["spk"], message: "spk is fed from in through 3x3 sum pooling (pool); speck pools by 1, 2, 4" },
    ]);
  });

  test("1025 input channels into 2 outputs are too many channels; 1025 unbiased outputs need no bias memory", () => {
    // Kernel memory of [2, 1025, 1, 1]: 1025 x 2^(0 + 1) = 2050 entries, well within a core.
    expect(speck(one([1025, 2, 2], conv([2, 1025, 1, 1])))).toEqual([
      { code: "speck-channels", path: ["spk"], message: "spk has 1025 channels; speck allows 1024" },
    ]);
    expect(speck(one([1, 2, 2], conv([1025, 1, 1, 1])))).toEqual([
      { code: "speck-channels", path: ["spk"], message: "spk has 1025 channels; speck allows 1024" },
    ]);
    expect(speck(one([1, 2, 2], conv([1025, 1, 1, 1], { bias: 0.5 }))).map((i) => i.code)).toEqual(["speck-channels", "core-memory"]);
  });

  test("every dimension is checked, not only the first: a 17x3 kernel, stride 1x3, padding 0x8, dilation 1x2", () => {
    const at = (o: Partial<Record<"stride" | "padding" | "dilation", number[]>>, shape = [2, 1, 3, 3]): Node =>
      ({ ...conv(shape), ...o }) as Node;
    expect(speck(one([1, 20, 20], at({}, [2, 1, 17, 3]))).map((i) => [i.code, i.message])).toEqual([
      ["speck-kernel", "spk (conv) needs a 17x3 kernel; speck needs square kernels (Sinabs DynapcnnLayer: kernel height == width)"],
      ["speck-kernel", "spk needs a 17x3 kernel; speck allows at most 16x16"],
    ]);
    expect(speck(one([1, 24, 24], at({ stride: [1, 3] })))).toEqual([
      { code: "speck-stride", path: ["spk"], message: "spk uses stride 1x3; speck allows 1, 2, 4, 8" },
    ]);
    expect(speck(one([1, 8, 8], at({ padding: [0, 8] })))).toEqual([
      { code: "speck-padding", path: ["spk"], message: "spk (conv) uses padding 0x8; speck allows 0 to 7" },
    ]);
    expect(speck(one([1, 8, 8], at({ dilation: [1, 2] })))).toEqual([
      { code: "speck-dilation", path: ["spk"], message: "spk (conv) uses dilation 1x2; a speck core has none (its configuration has no dilation)" },
    ]);
  });

  test("maps of 129 x 4 are too tall to read (128) and to produce (64); 1024 input channels are allowed", () => {
    expect(speck(one([1, 129, 4], conv([1, 1, 1, 1])))).toEqual([
      { code: "speck-input", path: ["spk"], message: "spk reads a 129x4 map; speck allows at most 128x128" },
      { code: "speck-output", path: ["spk"], message: "spk produces a 129x4 map; speck allows at most 64x64" },
    ]);
    expect(speck(one([1024, 2, 2], conv([2, 1024, 1, 1])))).toEqual([]);
  });

  test("pooling with stride 2x1 or padding 0x1 (either dimension) is refused", () => {
    const pooled = (stride: number[], padding: number[]) => graph().input("in", [1, 16, 16])
      .node("pool", { type: "SumPool2d", kernel_size: [2, 2], stride, padding }).node("conv", conv([2, 1, 1, 1])).node("spk", spk()).output("y").build();
    const from = "spk is fed from in through 2x2 sum pooling (pool)";
    expect(speck(pooled([2, 1], [0, 0]))).toEqual([
      { code: "speck-pool", path: ["spk"], message: `${from} with stride 2x1; speck pools with stride = kernel (Sinabs)` },
    ]);
    expect(speck(pooled([2, 2], [0, 1]))).toEqual([
      { code: "speck-pool", path: ["spk"], message: `${from} with padding 0x1; speck pools without padding` },
    ]);
  });

  test("a bias on one channel of 1025 takes the bias memory of all 1025", () => {
    const b = { ...conv([1025, 1, 1, 1]), bias: tensor(Float64Array.from({ length: 1025 }, (_, k) => (k === 0 ? 0.5 : 0)), [1025]) } as Node;
    expect(speck(one([1, 2, 2], b)).map((i) => [i.code, i.path, i.message])).toEqual([
      ["speck-channels", ["spk"], "spk has 1025 channels; speck allows 1024"],
      ["core-memory", ["spk"], "spk needs bias memory 1025 (one entry per output channel); a speck core holds 1024"],
    ]);
  });

  test("two weight layers into one destination, and a path of two convolutions, are refused naming the layer", () => {
    const merge = graph().input("in", [1, 8, 8]).node("c1", conv([2, 1, 3, 3])).node("s1", spk())
      .node("ca", conv([2, 2, 1, 1])).node("s3", spk()).node("cb", conv([2, 1, 3, 3]), { from: "in" }).connect("cb", "s3")
      .output("y", { from: "s3" }).build();
    expect(speck(merge)).toEqual([{
      code: "speck-merge", path: ["s3"], message: expect.stringMatching(new RegExp("^s3 is fed through 2 weight layers \\((ca, cb|cb, ca)\\); " +
        "a speck core holds one kernel, so layers merge into one destination through one shared convolution \\(Sinabs: Merge before the weight layer\\)$")),
    }]);
    const twice = graph().input("in", [1, 8, 8]).node("c1", conv([2, 1, 3, 3])).node("c2", conv([2, 2, 1, 1])).node("spk", spk()).output("y").build();
    expect(speck(twice)).toEqual([
      { code: "speck-rule", path: ["spk"], message: "spk: the path from in must be [sum pooling] then one convolution or dense layer, got [conv, conv]" },
    ]);
  });
});
