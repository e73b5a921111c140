// Published limits: the Xylo design rules (Rockpool's DRC and mapper limits) and Speck's
// memory formulas (Sinabs), plus target validation.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, formatReport } from "../lib/compiler/index.js";
import { speckKernelMemory, speckNeuronMemory, parseTarget, getTarget, defineTarget, genericMesh } from "../lib/target/index.js";
import type { Constant } from "../lib/target/types.js";

const dt = 1e-4;
/** Input(nIn) -> Affine -> CubaLIF(nHid) [-> recurrent] -> Affine -> CubaLIF(nOut) -> Output. */
function net(nIn: number, nHid: number, nOut: number, o: { recurrentOut?: boolean; recurrentHidden?: boolean; tau?: number; dense?: boolean } = {}) {
  const w = (r: number, c: number) => tensor(Array.from({ length: r * c }, (_, k) => (o.dense === false ? (k % 97 === 0 ? 0.5 : 0) : ((k * 37) % 11) / 10 - 0.5)), [r, c]);
  const b = graph().input("in", nIn)
    .affine("fc1", w(nHid, nIn), 0)
    .cubaLIF("hid", { tau_syn: 2 ** 5 * dt, tau_mem: o.tau ?? 2e-2, v_threshold: 1 })
    .affine("fc2", w(nOut, nHid), 0)
    .cubaLIF("out", { tau_syn: 2 ** 5 * dt, tau_mem: 2 ** 7 * dt, v_threshold: 1 });
  if (o.recurrentHidden) b.affine("hrec", w(nHid, nHid), 0, { from: "hid" }).connect("hrec", "hid");
  if (o.recurrentOut) b.affine("rec", w(nOut, nOut), 0, { from: "out" }).connect("rec", "out");
  return b.output("y", { from: "out" }).build();
}

describe("xylo-audio2 design rules", () => {
  test("a 16-1000-8 network fits", () => expect(compile(net(16, 1000, 8, { dense: false }), "xylo-audio2").report.coresUsed).toBe(1));
  test("17 inputs are refused", () => expect(() => compile(net(17, 10, 2), "xylo-audio2")).toThrow(/in needs 17 input channels; xylo-audio2 allows 16 inputs/));
  test("1001 hidden neurons are refused", () => expect(() => compile(net(4, 1001, 2, { dense: false }), "xylo-audio2")).toThrow(/need 1001 neurons; xylo-audio2 allows 1000 hidden neurons/));
  test("9 outputs are refused", () => expect(() => compile(net(4, 10, 9), "xylo-audio2")).toThrow(/need 9 output neurons; xylo-audio2 allows 8/));
  test("recurrent output neurons are refused", () => expect(() => compile(net(4, 10, 2, { recurrentOut: true }), "xylo-audio2")).toThrow(/output_neurons_cannot_be_recurrent/));
  test("recurrent fan-out above 64 is refused", () => expect(() => compile(net(4, 100, 2, { recurrentHidden: true }), "xylo-audio2")).toThrow(/hid\[\d+\] needs recurrent fan-out \d+ \(hidden targets; readout weights are not counted\); xylo-audio2 allows 64/));
  test("dash = log2(tau/dt) above 15 is refused", () => expect(() => compile(net(4, 10, 2, { tau: 2 ** 16 * dt }), "xylo-audio2")).toThrow(/hid needs dash 16 .*allows at most 15/));
  test("decays are bit shifts: tau = 2^k dt is exact", () => {
    const p = compile(net(4, 10, 2, { tau: 2 ** 5 * dt }), "xylo-audio2");
    expect(Array.from(p.blobs["layer/hid/decayV"])).toEqual(new Array(10).fill(5));
    expect(p.report.layers.find((l) => l.name === "hid")!.decayError).toBeLessThan(1e-12);
  });
});

describe("speck memory (Sinabs' formulas)", () => {
  test("kernel memory c * 2^(ceil log2(kx ky) + ceil log2 f): Sinabs' example 16->32, 3x3 needs 8Ki", () => {
    expect(speckKernelMemory(16, 32, 3, 3)).toBe(8192);
    expect(speckKernelMemory(2, 16, 5, 5)).toBe(2 * 2 ** (5 + 4));
  });
  test("neuron memory f * 2^(ceil log2 fy + ceil log2 fx): 32 x 64 x 64 needs 128Ki and cannot be deployed", () => {
    expect(speckNeuronMemory(32, 64, 64)).toBe(131072);
    const g = graph().input("in", [16, 64, 64])
      .add("conv", { type: "Conv2d", weight: { shape: [32, 16, 3, 3], data: new Float64Array(32 * 16 * 9).fill(0.1) }, stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: { shape: [32], data: new Float64Array(32) } })
      .add("spk", { type: "IF", r: { shape: [1], data: Float64Array.of(1e4) }, v_threshold: { shape: [1], data: Float64Array.of(1) } })
      .build();
    expect(() => compile(g, "speck")).toThrow(/spk needs kernel memory 8192 and neuron memory 131072; the largest speck core has 65536 kernel and 65536 neuron entries/);
  });
  test("stride 3 and 17x17 kernels are refused", () => {
    const g = graph().input("in", [1, 40, 40])
      .add("conv", { type: "Conv2d", weight: { shape: [2, 1, 17, 17], data: new Float64Array(2 * 289).fill(0.1) }, stride: [3, 3], padding: [0, 0], dilation: [1, 1], groups: 1, bias: { shape: [2], data: new Float64Array(2) } })
      .add("spk", { type: "IF", r: { shape: [1], data: Float64Array.of(1) }, v_threshold: { shape: [1], data: Float64Array.of(1) } })
      .build();
    expect(() => compile(g, "speck")).toThrow(/spk needs a 17x17 kernel; speck allows at most 16x16[\s\S]*stride 3x3; speck allows 1, 2, 4, 8/);
  });
});

describe("targets as data", () => {
  test("every preset validates and every constant carries value, unit, source and kind", () => {
    for (const name of ["loihi", "loihi2", "loihi-sanafe", "truenorth", "spinnaker2", "xylo-audio2", "speck", "generic-mesh"]) {
      const t = parseTarget(getTarget(name));
      const consts = Object.values({ ...t.timing, ...t.energy }).filter((k) => typeof k === "object" && "source" in k) as Constant[];
      for (const k of consts) expect(k.source.length > 0 && ["silicon", "pre-silicon", "all-in", "fitted", "unpublished"].includes(k.kind)).toBe(true);
    }
    expect(getTarget("speck").energy.staticPerChip).toMatchObject({ value: 0.42e-3, unit: "W", kind: "silicon" });
    expect(getTarget("loihi").energy.synOp).toMatchObject({ value: 23.6, unit: "pJ", kind: "pre-silicon" });
    expect(getTarget("truenorth").energy.synOp).toMatchObject({ value: 26, kind: "all-in" });
  });
  test("a constant without a published figure is 0, says so, and is a caveat of every report", () => {
    for (const name of ["loihi2", "spinnaker2", "xylo-audio2", "speck"]) {
      const t = getTarget(name);
      const missing = Object.entries({ ...t.timing, ...t.energy }).filter(([, k]) => k!.kind === "unpublished");
      expect(missing.length).toBeGreaterThan(0);
      for (const [, k] of missing) expect(k).toMatchObject({ value: 0, source: expect.stringMatching(/^no published figure: /) });
    }
    expect(getTarget("loihi2").energy.synOp.source).toMatch(/Loihi 1 .* has 23\.6 pJ/);
    const r = compile(net(4, 10, 2, { dense: false }), "xylo-audio2").report;
    expect(r.unverifiedConstants).toEqual(["timing.clock", "energy.staticPerCore"]);
    expect(formatReport(r)).toContain("caveat: no published figure (0 used) for timing.clock, energy.staticPerCore");
    expect(compile(net(4, 10, 2), "loihi").report.unverifiedConstants).toEqual([]);
  });
  test("a bad target lists every problem with its path", () => {
    const bad = { ...getTarget("loihi"), cores: 0, arithmetic: { ...getTarget("loihi").arithmetic, decay: "exp" }, extra: 1 } as unknown;
    const msg = (() => { try { parseTarget(bad); return ""; } catch (e) { return (e as Error).message; } })();
    expect(msg).toMatch(/^3 problems:/);
    expect(msg).toContain("target.cores: must be >= 1");
    expect(msg).toContain('target.arithmetic.decay: must be one of "multiply", "shift", "none"');
    expect(msg).toContain("target.extra: is not a Target field");
    const e = { ...getTarget("loihi"), energy: { ...getTarget("loihi").energy, synOp: { value: 1, unit: "pJ" } } };
    expect(() => parseTarget(e)).toThrow(/target\.energy\.synOp\.source: is required/);
  });
  test("user targets from JSON register by name; generic-mesh takes every dimension as a parameter", () => {
    const t = JSON.parse(JSON.stringify(genericMesh({ name: "tiny-mesh", width: 2, height: 2, neuronsPerCore: 16 })));
    defineTarget(t);
    expect(getTarget("tiny-mesh").core.neurons).toBe(16);
    expect(() => getTarget("loihi3")).toThrow(/unknown target "loihi3".*Known: .*loihi2/);
    expect(() => compile(net(4, 100, 2), "tiny-mesh")).toThrow(/the network needs 8 cores; tiny-mesh has 4/);
  });
});
