// Generic quantisation by hand: one scale per destination layer (largest |weight| over 2^(bits-1) - 1),
// weights and state rounded to the nearest code (not truncated), decays as 12-bit multipliers or
// shifts with their error, values the state cannot hold refused with the numbers, never clipped.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { decayValue, dequantLayer } from "../lib/compiler/passes/quantise.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import type { Target } from "../lib/target/types.js";
import type { QuantLayer } from "../lib/compiler/state.js";
import type { Node } from "../lib/ir/graph.js";
import type { PhasorError } from "../lib/ir/errors.js";

const dt = 1e-3;
const blob = (p: Program, key: string) => Array.from(p.blobs[key] as ArrayLike<number>);
const layer = (p: Program, name: string) => p.layers.find((l) => l.name === name)!;
const errorOf = (fn: () => unknown): string => { try { fn(); return ""; } catch (e) { return (e as Error).message; } };
/** A generic mesh with another decay encoding (shift: at most `maxShift`; none: no leak). */
const withDecay = (decay: "shift" | "none", name: string): Target => {
  const g = genericMesh({ name });
  return { ...g, arithmetic: { ...g.arithmetic, decay, ...(decay === "shift" ? { maxShift: 3 } : {}) } } as Target;
};

/**
 * in(2) -> W [[1, -0.303], [0.269, 0.5], [0, -1.27]] -> LIF h (tau 3 ms, r 3: input gain dt r / tau = 1;
 * threshold 0.7, v_leak 0.1, v_reset -0.2), dt 1 ms. Scale 1.27 / 127 = 0.01 per LSB.
 */
const lifNet = (o: { threshold?: number; reset?: number; tau?: number; weights?: number[] } = {}) => graph().input("in", [2])
  .linear("w", tensor(o.weights ?? [1, -0.303, 0.269, 0.5, 0, -1.27], [3, 2]))
  .lif("h", { tau: o.tau ?? 3e-3, r: (o.tau ?? 3e-3) / dt, v_threshold: o.threshold ?? 0.7, v_leak: 0.1, v_reset: o.reset ?? -0.2 })
  .output("o").build();

describe("generic quantisation (8-bit weights, 24-bit state, 12-bit decays)", () => {
  // Compiled inside each test, neither while the file loads nor cached between tests (so each mutant is compiled).
  const compiled = () => compile(lifNet(), "generic-mesh", { dt });

  test("one scale per layer: the largest |weight| over 127; weights rounded to the nearest code", () => {
    const p = compiled();
    expect(layer(p, "h").params!.scale).toBeCloseTo(0.01, 15);
    expect(p.projections[0].scale).toBeCloseTo(0.01, 15);
    // Stored by input row (CSR): in0 -> h0 1, h1 0.269 (26.9 -> 27); in1 -> h0 -0.303 (-30.3 -> -30), h1 0.5, h2 -1.27.
    expect(blob(p, "proj/w/indices")).toEqual([0, 1, 0, 1, 2]);
    expect(blob(p, "proj/w/weight")).toEqual([100, 27, -30, 50, -127]);
  });

  test("state at the same scale, rounded: threshold 70, v_reset -20, v_leak 10; the weight error reported", () => {
    const p = compiled();
    expect(blob(p, "layer/h/threshold")).toEqual([70, 70, 70]);
    expect(blob(p, "layer/h/vReset")).toEqual([-20, -20, -20]);
    expect(blob(p, "layer/h/vRest")).toEqual([10, 10, 10]);
    expect(blob(p, "layer/h/bias")).toEqual([0, 0, 0]);
    // Errors 0.269 - 0.27 and -0.303 + 0.30; relative to the weights' norm.
    const norm = 1 + 0.303 ** 2 + 0.269 ** 2 + 0.25 + 1.27 ** 2;
    const r = p.report.layers.find((l) => l.name === "h")!;
    expect(r.weightError).toBeCloseTo(Math.sqrt((0.001 ** 2 + 0.003 ** 2) / norm), 10);
  });

  test("decay 1 - dt/tau = 2/3 as a multiplier over 4096: 2731 (rounded), error |2731/4096 - 2/3|", () => {
    const p = compiled();
    expect(blob(p, "layer/h/decayV")).toEqual([2731, 2731, 2731]);
    expect(p.report.layers.find((l) => l.name === "h")!.decayError).toBeCloseTo(Math.abs(2731 / 4096 - 2 / 3), 12);
  });

  test("a current's decay and a bias carried by a recurrent projection: same scale, rounded, the worst decay error", () => {
    // CubaLIF, tau_syn 3 ms, tau_mem 4 ms: input gain (dt/tau_syn)(dt/tau_mem) = 1/12, so the scale is (1/12)/127;
    // W 1 -> 127, 0.6 -> 76.2 -> 76; recurrent 0.3 -> 38.1 -> 38, its bias +-0.25 -> +-31.75 -> +-32; threshold 0.5 -> 762.
    const g = graph().input("in", [2]).linear("w", tensor([1, 0, 0, 0.6], [2, 2]))
      .cubaLIF("h", { tau_syn: 3e-3, tau_mem: 4e-3, v_threshold: 0.5 })
      .affine("rec", tensor([0, 0.3, 0.3, 0], [2, 2]), tensor([0.25, -0.25]), { from: "h" }).connect("rec", "h")
      .output("o", { from: "h" }).build();
    const q = compile(g, "generic-mesh", { dt });
    expect(layer(q, "h").params!.scale).toBeCloseTo(1 / 12 / 127, 15);
    expect(blob(q, "proj/w/weight")).toEqual([127, 76]);
    expect(blob(q, "proj/rec/weight")).toEqual([38, 38]);
    expect(blob(q, "proj/rec/bias")).toEqual([32, -32]);
    expect(blob(q, "layer/h/threshold")).toEqual([762, 762]);
    expect(blob(q, "layer/h/decayV")).toEqual([3072, 3072]);
    expect(blob(q, "layer/h/decayI0")).toEqual([2731, 2731]);
    expect(q.report.layers.find((l) => l.name === "h")!.decayError).toBeCloseTo(Math.abs(2731 / 4096 - 2 / 3), 12);
  });

  test("a layer whose weights are all zero keeps scale 1; an infinite threshold is the largest code", () => {
    const z = compile(lifNet({ weights: [0, 0, 0, 0, 0, 0], threshold: 1.6 }), "generic-mesh", { dt });
    expect(layer(z, "h").params!.scale).toBe(1);
    expect(blob(z, "layer/h/threshold")).toEqual([2, 2, 2]);
    expect(z.report.layers.find((l) => l.name === "h")!.weightError).toBe(0);
    const inf = compile(lifNet({ threshold: Infinity, reset: -Infinity }), "generic-mesh", { dt });
    expect(blob(inf, "layer/h/threshold")).toEqual([2 ** 23 - 1, 2 ** 23 - 1, 2 ** 23 - 1]);
    expect(blob(inf, "layer/h/vReset")).toEqual([-(2 ** 23 - 1), -(2 ** 23 - 1), -(2 ** 23 - 1)]);
  });

  test("a decay below 0 (tau < dt) is code 0", () => {
    const q = compile(lifNet({ tau: 0.5e-3 }), "generic-mesh", { dt });
    expect(blob(q, "layer/h/decayV")).toEqual([0, 0, 0]);
    expect(q.report.layers.find((l) => l.name === "h")!.decayError).toBeCloseTo(1, 12);
  });
});

describe("values the target cannot hold are refused, with the numbers", () => {
  test("a threshold beyond an 8-bit state: field, value, code, scale, range and the way out; one issue per layer", () => {
    const t = genericMesh({ name: "narrow", stateBits: 8 });
    const msg = errorOf(() => compile(lifNet({ threshold: 2, reset: -3 }), t, { dt }));
    expect(msg).toContain("h: v_threshold 2.000 needs code 200 at 0.01000 per LSB (set by the largest weight); " +
      "narrow's 8-bit state holds +-127, so v_threshold must stay within +-1.270 at these weights " +
      "(or scale the weights into h up by 2x)");
    expect(msg).not.toContain("v_reset");
    expect(() => compile(lifNet({ threshold: 1.27, reset: -1.27 }), t, { dt })).not.toThrow();
    expect(errorOf(() => compile(lifNet({ threshold: 1.28 }), t, { dt }))).toContain("needs code 128");
    expect(errorOf(() => compile(lifNet({ reset: -1.28 }), t, { dt }))).toContain("h: v_reset -1.280 needs code -128");
    expect(issuesOf(() => compile(lifNet({ threshold: 2, reset: -3 }), t, { dt })).map((i) => [i.code, i.path])).toEqual([["field-range", ["h", "v_threshold"]]]);
    // v_leak 0.1 at 0.01 per LSB is code 10; with weights 100 times smaller it needs 1000.
    const small = lifNet({ weights: [0.01, -0.00303, 0.00269, 0.005, 0, -0.0127], threshold: 0.0127, reset: 0 });
    expect(issuesOf(() => compile(small, t, { dt })).map((i) => [i.code, i.path, i.message.slice(0, 40)]))
      .toEqual([["field-range", ["h", "v_leak"], "h: v_leak 0.1000 needs code 1000 at 0.00"]]);
  });

  test("a bias carried by a recurrent projection beyond the state is refused as that projection's bias", () => {
    const t = genericMesh({ name: "narrow-b", stateBits: 8 });
    // CubaLIF as above (scale (1/12)/127): a recurrent bias of 2 enters the current at gain 1/12 (0.1667), code 254 > 127.
    const g = graph().input("in", [2]).linear("w", tensor([1, 0, 0, 0.6], [2, 2]))
      .cubaLIF("h", { tau_syn: 3e-3, tau_mem: 4e-3, v_threshold: 0.5 })
      .affine("rec", tensor([0, 0.3, 0.3, 0], [2, 2]), tensor([2, 0]), { from: "h" }).connect("rec", "h")
      .output("o", { from: "h" }).build();
    expect(issuesOf(() => compile(g, t, { dt })).map((i) => [i.code, i.path, i.message.slice(0, 42)]))
      .toEqual([["field-range", ["h", "bias"], "h: bias 0.1667 needs code 254 at 0.0006562"]]);
  });

  test("shift decays: code round(-log2(1 - d)), at most maxShift; beyond it the dash, tau and dt are named", () => {
    const t = withDecay("shift", "shift-mesh");
    const q = compile(lifNet({ tau: 4e-3 }), t, { dt }); // d = 0.75: shift 2, exact
    expect(blob(q, "layer/h/decayV")).toEqual([2, 2, 2]);
    expect(q.report.layers.find((l) => l.name === "h")!.decayError).toBe(0);
    const r = compile(lifNet({ tau: 3e-3 }), t, { dt }); // d = 2/3: -log2(1/3) = 1.58 -> 2, error 1/12
    expect(blob(r, "layer/h/decayV")).toEqual([2, 2, 2]);
    expect(r.report.layers.find((l) => l.name === "h")!.decayError).toBeCloseTo(0.75 - 2 / 3, 12);
    expect(blob(compile(lifNet({ tau: 0.5e-3 }), t, { dt }), "layer/h/decayV")).toEqual([0, 0, 0]); // d = -1
    expect(() => compile(lifNet({ tau: 8e-3 }), t, { dt })).not.toThrow(); // shift 3
    expect(issuesOf(() => compile(lifNet({ tau: 16e-3 }), t, { dt }))).toEqual([
      { code: "decay-range", path: ["h", "tau"], message: "h needs dash 4 (tau 0.0160 s at dt 0.001 s); shift-mesh allows at most 3" },
    ]);
    const syn = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).cubaLIF("h", { tau_syn: 16e-3, tau_mem: 4e-3, v_threshold: 0.5 }).output("o").build();
    expect(issuesOf(() => compile(syn, t, { dt }))).toEqual([
      { code: "decay-range", path: ["h", "tau_syn"], message: "h needs dash 4 (tau_syn 0.0160 s at dt 0.001 s); shift-mesh allows at most 3" },
    ]);
  });

  test("a target without leak runs IF neurons (its schema refuses leaky models)", () => {
    const t = { ...withDecay("none", "noleak-mesh"), models: ["IF"] } as Target;
    expect(errorOf(() => compile(lifNet({ tau: 4e-3 }), withDecay("none", "leaky-mesh"), { dt }))).toContain('decay "none" can only run IF/I neurons');
    const g = graph().input("in", [2]).linear("w", tensor([1, 0.5], [1, 2]))
      .node("h", { type: "IF", r: tensor([1 / dt]), v_threshold: tensor([0.5]) }).output("o").build();
    const q = compile(g, t, { dt });
    expect(blob(q, "layer/h/decayV")).toEqual([0]);
    expect(q.report.layers.find((l) => l.name === "h")!.decayError).toBe(0);
  });
});

describe("decay codes back to values", () => {
  const multiply = genericMesh({ name: "m" }), shift = withDecay("shift", "s"), none = withDecay("none", "n");

  test("decayValue: code / 2^bits, 1 - 2^-code, or 1", () => {
    expect([decayValue(multiply, 2048), decayValue(multiply, 4096), decayValue(multiply, 0)]).toEqual([0.5, 1, 0]);
    expect([decayValue(shift, 0), decayValue(shift, 2), decayValue(shift, 3)]).toEqual([0, 0.75, 0.875]);
    expect(decayValue(none, 7)).toBe(1);
  });

  test("dequantLayer: state codes times the scale, decays as values (1 where the target has no leak)", () => {
    const q: QuantLayer = {
      scale: 0.5, decayV: Int32Array.of(2048, 1024), decayI: [Int32Array.of(1024, 0)], threshold: Int32Array.of(4, 6),
      vReset: Int32Array.of(-2, 0), vRest: Int32Array.of(0, 2), bias: Int32Array.of(1, -1), weightError: 0, decayError: 0,
    } as QuantLayer;
    const d = dequantLayer(multiply, q);
    expect(Array.from(d.decayV)).toEqual([0.5, 0.25]);
    expect(d.decayI.map((x) => Array.from(x))).toEqual([[0.25, 0]]);
    expect([d.threshold, d.vReset, d.vRest, d.bias].map((x) => Array.from(x))).toEqual([[2, 3], [-1, 0], [0, 1], [0.5, -0.5]]);
    expect(d.refractory.length).toBe(0);
    expect(Array.from(dequantLayer(none, q).decayV)).toEqual([1, 1]);
  });
});

// ---- Design rules: each refusal's code, path and whole message ----

/** The issues a compile raises (code, path, message), or [] when it compiles. */
function issuesOf(fn: () => unknown): Array<{ code: string; path: (string | number)[]; message: string }> {
  try { fn(); return []; } catch (e) { return (e as PhasorError).issues; }
}
const xdt = 1e-4;
const cuba = () => ({ tau_syn: 2 ** 5 * xdt, tau_mem: 2 ** 7 * xdt, v_threshold: 1 });
const ones = (r: number, c: number) => tensor(new Float64Array(r * c).fill(0.5), [r, c]);

describe("Xylo rules (Rockpool's DRC and mapper)", () => {
  test("one neuron layer: input straight into output neurons, and fewer than two neuron layers", () => {
    const g = graph().input("in", 4).affine("fc1", ones(2, 4), 0).cubaLIF("out", cuba()).output("y").build();
    expect(issuesOf(() => compile(g, "xylo-audio2", { dt: xdt }))).toEqual([
      { code: "xylo-rule", path: ["fc1"], message: "input in feeds output neurons out directly; xylo-audio2's input weights reach hidden neurons only (Rockpool mapper: w_in is inputs x hidden)" },
      { code: "xylo-rule", path: [], message: "xylo-audio2 needs at least two neuron layers, hidden and output (Rockpool DRC at_least_two_neuron_layers_needed)" },
    ]);
  });

  test("an input without a weight layer first", () => {
    const g = graph().input("in", 4).cubaLIF("h", cuba()).affine("fc2", ones(2, 4), 0).cubaLIF("out", cuba()).output("y").build();
    expect(issuesOf(() => compile(g, "xylo-audio2", { dt: xdt }))).toEqual([
      { code: "xylo-rule", path: ["in->h"], message: "input in feeds h without weights; xylo-audio2 needs a weight layer first (Rockpool DRC first_module_is_a_weight)" },
    ]);
  });
});

describe("Xylo limits, each with its code and path", () => {
  const w = (r: number, c: number) => tensor(new Float64Array(r * c).fill(0.01), [r, c]);
  test("chip limits: 17 inputs, 9 outputs, 1001 hidden neurons, 3 currents per hidden neuron", () => {
    const g = graph().input("in", 17).affine("fc1", w(1001, 17), 0)
      .multiCubaLIF("h", { tau_syn: [2 ** 5 * xdt, 2 ** 6 * xdt, 2 ** 4 * xdt], tau_mem: 2 ** 7 * xdt, v_threshold: 1 })
      .affine("fc2", w(9, 1001), 0).multiCubaLIF("out", { tau_syn: [2 ** 5 * xdt, 2 ** 6 * xdt], tau_mem: 2 ** 7 * xdt, v_threshold: 1 })
      .output("y").build();
    expect(issuesOf(() => compile(g, "xylo-audio2", { dt: xdt }))).toEqual([
      { code: "too-many-inputs", path: ["in"], message: "in needs 17 input channels; xylo-audio2 allows 16 inputs" },
      { code: "too-many-outputs", path: ["out"], message: "output layer(s) out need 9 output neurons; xylo-audio2 allows 8" },
      { code: "too-many-neurons", path: ["h"], message: "hidden layers h need 1001 neurons; xylo-audio2 allows 1000 hidden neurons" },
      { code: "too-many-currents", path: ["h"], message: "h needs 3 synaptic currents; xylo-audio2 allows 2" },
    ]);
  });

  test("rule set: output currents, recurrent fan-out, a dash above 15 and a tau not above dt, all at once", () => {
    // tau_mem 2^16 dt: dash 16 (6.554 s; the 4-bit field ends below 2^15.5 dt = 4.634 s); tau_syn = dt has no dash.
    const g = graph().input("in", 4).affine("fc1", w(100, 4), 0)
      .multiCubaLIF("hid", { tau_syn: [xdt, 2 ** 5 * xdt], tau_mem: 2 ** 16 * xdt, v_threshold: 1 })
      .affine("fc2", w(2, 100), 0).multiCubaLIF("out", { tau_syn: [2 ** 5 * xdt, 2 ** 6 * xdt], tau_mem: 2 ** 7 * xdt, v_threshold: 1 });
    g.affine("hrec", w(100, 100), 0, { from: "hid" }).connect("hrec", "hid");
    expect(issuesOf(() => compile(g.output("y", { from: "out" }).build(), "xylo-audio2", { dt: xdt }))).toEqual([
      { code: "too-many-currents", path: ["out"], message: "output neurons out need 2 synaptic currents; xylo-audio2 gives output neurons 1" },
      { code: "fan-out", path: ["hid"], message: "hid[0] needs recurrent fan-out 100 (hidden targets; readout weights are not counted); xylo-audio2 allows 64" },
      { code: "decay-range", path: ["hid", "tau_mem"], message: "hid needs dash 16 (tau_mem 6.554 s at dt 0.0001 s); xylo-audio2 allows at most 15 (a 4-bit dash: tau_mem below 2^15.5 dt = 4.634 s)" },
      { code: "decay-range", path: ["hid", "tau_syn"], message: "hid needs tau_syn > dt: tau_syn 0.0001000 s at dt 0.0001 s has no dash (dash = round(log2(tau_syn/dt))); xylo-audio2 refuses tau_syn <= dt, as Rockpool's mapper does" },
    ]);
  });
});

describe("TrueNorth's neuron fan-out (every target counts)", () => {
  const IFn = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e3)), v_threshold: tensor(new Float64Array(n).fill(0.5)) });
  /** in -> h(3) -> g(n): h1 reaches all n targets, h0 five, h2 none. */
  const fan = (n: number) => {
    const w2 = new Float64Array(3 * n);
    for (let j = 0; j < n; j++) { w2[j * 3 + 1] = 1; if (j < 5) w2[j * 3] = 1; }
    return graph().input("in", [1]).linear("w", tensor([1, 1, 1], [3, 1])).node("h", IFn(3)).linear("w2", tensor(w2, [n, 3])).node("g", IFn(n)).output("o").build();
  };
  test("256 targets compile; 257 are refused naming the neuron that needs the most", () => {
    expect(issuesOf(() => compile(fan(256), "truenorth", { dt, reset: "zero" }))).toEqual([]);
    expect(issuesOf(() => compile(fan(257), "truenorth", { dt, reset: "zero" }))).toEqual([
      { code: "fan-out", path: ["h"], message: "h[1] needs fan-out 257; truenorth allows 256 targets per neuron" },
    ]);
  });
});

describe("Speck rules (Sinabs' dynapcnn backend)", () => {
  const sdt = 1e-3;
  const spkIF = (): Node => ({ type: "IF", r: tensor([1 / sdt]), v_threshold: tensor([2]) });
  const conv = (shape: number[], o: { stride?: number[]; padding?: number[]; dilation?: number[]; groups?: number } = {}): Node => ({
    type: "Conv2d", weight: tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape), stride: o.stride ?? [1, 1],
    padding: o.padding ?? [0, 0], dilation: o.dilation ?? [1, 1], groups: o.groups ?? 1, bias: tensor(new Float64Array(shape[0]), [shape[0]]),
  });

  test("every broken rule of one core is reported at once: kernel, stride, padding, groups, dilation, pooling", () => {
    const g = graph().input("in", [2, 20, 20]).node("pool", { type: "SumPool2d", kernel_size: [2, 4], stride: [1, 1], padding: [1, 1] })
      .node("conv", conv([2, 1, 3, 5], { stride: [3, 3], padding: [8, 8], groups: 2, dilation: [2, 2] })).node("spk", spkIF()).output("y").build();
    const from = "spk is fed from in through 2x4 sum pooling (pool)";
    expect(issuesOf(() => compile(g, "speck", { dt: sdt }))).toEqual([
      { code: "speck-kernel", path: ["spk"], message: "spk (conv) needs a 3x5 kernel; speck needs square kernels (Sinabs DynapcnnLayer: kernel height == width)" },
      { code: "speck-stride", path: ["spk"], message: "spk uses stride 3x3; speck allows 1, 2, 4, 8" },
      { code: "speck-padding", path: ["spk"], message: "spk (conv) uses padding 8x8; speck allows 0 to 7" },
      { code: "speck-groups", path: ["spk"], message: "spk (conv) uses 2 groups; a speck core convolves all input channels (its configuration has no groups)" },
      { code: "speck-dilation", path: ["spk"], message: "spk (conv) uses dilation 2x2; a speck core has none (its configuration has no dilation)" },
      { code: "speck-pool", path: ["spk"], message: `${from}; speck pools with square kernels only` },
      { code: "speck-pool", path: ["spk"], message: `${from} with stride 1x1; speck pools with stride = kernel (Sinabs)` },
      { code: "speck-pool", path: ["spk"], message: `${from} with padding 1x1; speck pools without padding` },
    ]);
  });

  test("map sizes, channels and bias memory: a 1x1 convolution from 129x129 to 1025 channels with a bias", () => {
    const b = conv([1025, 2, 1, 1]);
    const g = graph().input("in", [2, 129, 129]).node("conv", { ...b, bias: tensor(new Float64Array(1025).fill(0.5), [1025]) } as Node)
      .node("spk", spkIF()).output("y").build();
    expect(issuesOf(() => compile(g, "speck", { dt: sdt }))).toEqual([
      { code: "speck-input", path: ["spk"], message: "spk reads a 129x129 map; speck allows at most 128x128" },
      { code: "speck-output", path: ["spk"], message: "spk produces a 129x129 map; speck allows at most 64x64" },
      { code: "speck-channels", path: ["spk"], message: "spk has 1025 channels; speck allows 1024" },
      { code: "core-memory", path: ["spk"], message: "spk needs bias memory 1025 (one entry per output channel); a speck core holds 1024" },
    ]);
  });

  test("a layer with three destinations (a core has two)", () => {
    const g = graph().input("in", [1, 8, 8]).node("c1", conv([2, 1, 3, 3])).node("s1", spkIF()).node("c2", conv([2, 2, 1, 1])).node("s2", spkIF())
      .node("c3", conv([2, 2, 1, 1]), { from: "s1" }).node("s3", spkIF()).node("c4", conv([2, 2, 1, 1]), { from: "s1" }).node("s4", spkIF())
      .output("y", { from: "s2" }).build();
    expect(issuesOf(() => compile(g, "speck", { dt: sdt }))).toEqual([
      { code: "speck-fan-out", path: ["s1"], message: "s1 feeds 3 destinations (s2, s3, s4); a speck core has 2" },
    ]);
  });
});

// ---- Partitioning into core-sized slices (neuron, synapse-memory and fan-in limits) ----

describe("partitioning by hand", () => {
  const IFh = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1 / dt)), v_threshold: tensor(new Float64Array(n).fill(0.5)) });
  /** in(4) -> W -> IF h(3); dense: every h neuron has 4 inputs; band: h_j <- in_j, in_(j+1). */
  const net = (band: boolean) => graph().input("in", [4])
    .linear("w", tensor(band ? [1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1] : new Array(12).fill(1), [3, 4])).node("h", IFh(3)).output("o").build();
  const mesh = (name: string, o: { neurons?: number; fanIn?: number; synapses?: number; width?: number }) =>
    genericMesh({ name, neuronsPerCore: o.neurons ?? 2, fanIn: o.fanIn ?? 4, synapsesPerCore: o.synapses ?? 8, width: o.width ?? 4, height: o.width ?? 4 });
  const cut = (p: Program) => p.cores.map((c) => [c.start, c.count, c.synapses, c.fanIn]);

  test("2 neurons per core: h0 h1 (8 synapses, 4 inputs), then h2; 7 synapses per core: one neuron each", () => {
    expect(cut(compile(net(false), mesh("p-a", {}), { dt, placer: "greedy" }))).toEqual([[0, 2, 8, 4], [2, 1, 4, 4]]);
    expect(cut(compile(net(false), mesh("p-b", { synapses: 7 }), { dt, placer: "greedy" }))).toEqual([[0, 1, 4, 4], [1, 1, 4, 4], [2, 1, 4, 4]]);
  });

  test("fan-in counts distinct sources: h0 and h1 share in1 (3 inputs); h2 would make 4 of 3", () => {
    expect(cut(compile(net(true), mesh("p-c", { neurons: 4, fanIn: 3 }), { dt, placer: "greedy" }))).toEqual([[0, 2, 4, 3], [2, 1, 2, 2]]);
  });

  test("a neuron that cannot fit one core alone, and more slices than cores, are refused with the numbers", () => {
    expect(issuesOf(() => compile(net(false), mesh("p-d", { fanIn: 3 }), { dt }))).toEqual([
      { code: "fan-in", path: ["h"], message: "h[0] needs fan-in 4; p-d allows 3 inputs per core" },
    ]);
    expect(issuesOf(() => compile(net(false), mesh("p-e", { synapses: 3 }), { dt }))).toEqual([
      { code: "synapse-memory", path: ["h"], message: "h[0] needs 4 synapses; p-e stores 3 per core" },
    ]);
    expect(cut(compile(net(false), genericMesh({ name: "p-g", width: 2, height: 1, neuronsPerCore: 2, synapsesPerCore: 8 }), { dt }))).toHaveLength(2);
    const few = issuesOf(() => compile(net(false), mesh("p-f", { width: 1 }), { dt }));
    expect(few.map((i) => [i.code, i.path])).toEqual([["too-many-cores", []]]);
    expect(few[0].message).toMatch(/needs 2 cores; p-f has 1/);
  });
});

describe("single-core and layer-per-core mappings", () => {
  test("Xylo: one slice per layer on its one core, holding the layer's stored (nonzero) synapses", () => {
    // fc1 10x4 and fc2 2x10 with every third weight 0: 40 - 14 = 26 and 20 - 7 = 13 stored synapses.
    const w = (r: number, c: number) => tensor(Array.from({ length: r * c }, (_, k) => (k % 3 === 0 ? 0 : 0.5)), [r, c]);
    const g = graph().input("in", 4).affine("fc1", w(10, 4), 0).cubaLIF("hid", cuba()).affine("fc2", w(2, 10), 0).cubaLIF("out", cuba())
      .output("y").build();
    const p = compile(g, "xylo-audio2", { dt: xdt });
    expect(p.cores.map((c) => [c.id, c.layer, c.start, c.count, c.synapses, c.fanIn])).toEqual([[0, "hid", 0, 10, 26, 0], [0, "out", 0, 2, 13, 0]]);
  });
});
