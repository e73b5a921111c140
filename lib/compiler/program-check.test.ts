// The content checks of a Program (lib/compiler/program-check.ts), in process: each check at its
// boundary (accepted) and just past it (refused with the field's path and a message saying what is
// wrong), on small Programs compiled here and then corrupted in one field or blob.
// Convolution and pooling output sizes are PyTorch's (Conv2d / AvgPool2d docs: floor((in + 2p -
// d(k - 1) - 1) / s) + 1); the figures below were computed by hand and agree with torch 2.x.
import { describe, expect, it } from "vitest";
import { graph, tensor } from "../ir/builders.js";
import type { Node } from "../ir/graph.js";
import { compile } from "./index.js";
import { MAX_DELAY_STEPS, contentIssues } from "./program-check.js";
import type { ConvGeometry, Program, ProgramProjection } from "./program.js";

type Edit = (q: Program) => void;
const prod = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const IF = (shape: number[]): Node => {
  const n = prod(shape), fill = (v: number) => tensor(new Float64Array(n).fill(v), shape);
  return { type: "IF", r: fill(1e4), v_threshold: fill(1) };
};
const dense = (a: number, b: number) => tensor(Float64Array.from({ length: a * b }, (_, i) => ((i % 3) - 1) * 0.5), [a, b]);

/** in[3] -> fc1 -> IF h[4] -> fc2 -> IF out[2] on the 64-core mesh: fc1 indptr [0,4,4,8], fc2 indptr [0,1,2,4,5]. */
const tiny = compile(graph().input("in", [3]).linear("fc1", dense(4, 3)).node("h", IF([4])).linear("fc2", dense(2, 4))
  .node("out", IF([2])).output("o").build(), "generic-mesh", { reset: "zero" });

/** Conv2d with 4 out channels, a 3x2 kernel, groups 2, stride [2,1], padding [1,0], dilation [1,2]. */
const conv = { type: "Conv2d", weight: tensor(new Float64Array(24).fill(0.5), [4, 1, 3, 2]), bias: tensor(0, [4]),
  stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 } as Node;
/** in [2,5,7] -> conv -> IF [4,3,5], expanded to CSR (csr.from). */
const expanded = compile(graph().input("in", [2, 5, 7]).node("conv", conv).node("spk", IF([4, 3, 5])).output("o").build(),
  "generic-mesh", { reset: "subtract" });
/** in [2,6,9] -> SumPool (kernel [2,3], stride [2,3], padding [1,0]) -> [2,4,3] -> Conv2d (3x2, groups 2) -> IF [4,2,2]. */
const sumPool = { type: "SumPool2d", kernel_size: [2, 3], stride: [2, 3], padding: [1, 0] } as Node;
const plainConv = { ...conv, stride: [1, 1], padding: [0, 0], dilation: [1, 1] } as Node;
const pooled = compile(graph().input("in", [2, 6, 9]).node("pool", sumPool).node("conv", plainConv).node("spk", IF([4, 2, 2]))
  .output("o").build(), "generic-mesh", { reset: "subtract" });

/** `path: message` of every issue contentIssues finds after `edit` changes a copy of `p` (each issue's code is bad-program). */
function issues(p: Program, edit: Edit = () => {}): string[] {
  const q = structuredClone(p);
  edit(q);
  const found = contentIssues(q);
  expect(found.map((i) => i.code)).toEqual(found.map(() => "bad-program"));
  return found.map((i) => `${i.path.join(".")}: ${i.message}`);
}

/** Asserts exactly the issues `want` (none when empty) after `edit`. */
const expectIssues = (p: Program, edit: Edit, ...want: string[]) => expect(issues(p, edit)).toEqual(want);

/** The same with one blob replaced by `values`. */
const withBlob = (p: Program, name: string, values: Int32Array | Float64Array) => issues(p, (q) => { q.blobs[name] = values; });

const fc1 = (q: Program) => q.projections[0];
const csr1 = (q: Program) => q.projections[0].csr!;

describe("layers", () => {
  it("a compiled Program has no issues; paths are reported under `where`", () => {
    expect(issues(tiny)).toEqual([]);
    expect(issues(expanded)).toEqual([]);
    expect(issues(pooled)).toEqual([]);
    const q = structuredClone(tiny);
    q.layers[1].size = 5;
    const message = "layer h: size 5 is not the product of its shape [4] (4)";
    expect(contentIssues(q, ["p.json"])).toEqual([{ code: "bad-program", path: ["p.json", "layers", 1, "size"], message }]);
  });

  it("size is the product of the shape, compared with every dimension", () => {
    expectIssues(tiny, (q) => { q.layers[1].shape = [2, 2]; });
    expectIssues(tiny, (q) => { q.layers[1].shape = [1, 4]; });
    expectIssues(tiny, (q) => { q.layers[1].shape = [2, 3]; },
      "layers.1.size: layer h: size 4 is not the product of its shape [2,3] (6)");
    // the projections into and out of a broken layer are not checked against it (its core still is)
    expectIssues(tiny, (q) => { q.layers[1].size = 3; },
      "layers.1.size: layer h: size 3 is not the product of its shape [4] (4)",
      "cores.0: core 0 holds neurons 0..3 of h, which has 3");
    expectIssues(tiny, (q) => { q.layers[0].size = 4; },
      "layers.0.size: layer in: size 4 is not the product of its shape [3] (3)");
  });

  it("layer names are unique", () => {
    expectIssues(tiny, (q) => { q.layers[2].name = "h"; },
      'layers.2.name: two layers are named "h"; layer names must be unique',
      'projections.1: projection fc2 joins unknown layers "h" -> "out"',
      'cores.1.layer: core 1 holds unknown layer "out"');
  });

  it("slices lie inside their layer and on cores the target has", () => {
    const cores = tiny.target.cores;
    expect(cores).toBe(64);
    expectIssues(tiny, (q) => { q.layers[1].slices = [{ core: cores - 1, start: 1, count: 3 }]; });
    expectIssues(tiny, (q) => { q.layers[1].slices = [{ core: 0, start: 0, count: 2 }, { core: cores, start: 2, count: 2 }]; },
      "layers.1.slices.1.core: layer h: core 64 does not exist (64 cores)");
    expectIssues(tiny, (q) => { q.layers[1].slices[0] = { core: 0, start: 1, count: 4 }; },
      "layers.1.slices.0: layer h: slice 1..4 lies outside its 4 neurons");
  });

  it("every parameter blob exists, has one value per neuron and no NaN", () => {
    expectIssues(tiny, (q) => { q.layers[1].params!.threshold = "nope"; },
      'layers.1.params.threshold: layer h: blob "nope" is missing from the blob table');
    // only the blob table's own entries count
    for (const name of ["toString", "__proto__", "constructor"]) {
      expectIssues(tiny, (q) => { q.layers[2].params!.vReset = name; },
        `layers.2.params.vReset: layer out: blob ${JSON.stringify(name)} is missing from the blob table`);
    }
    for (const field of ["decayV", "threshold", "vReset", "vRest", "bias", "refractory"] as const) {
      const name = tiny.layers[1].params![field], at = `layers.1.params.${field}: layer h: blob ${name}`;
      expect(withBlob(tiny, name, new Int32Array(3))).toEqual([`${at} has 3 values, expected 4`]);
      expect(withBlob(tiny, name, new Int32Array(5))).toEqual([`${at} has 5 values, expected 4`]);
    }
    const nan = ["layers.1.params.bias: layer h: blob layer/h/bias holds NaN"];
    expect(withBlob(tiny, "layer/h/bias", Float64Array.of(0, 1.5, -2, 1e300))).toEqual([]);
    expect(withBlob(tiny, "layer/h/bias", Float64Array.of(0, 0, 0, NaN))).toEqual(nan);
    expect(withBlob(tiny, "layer/h/bias", Float64Array.of(NaN, 0, 0, 0))).toEqual(nan);
  });

  it("decayI: each synaptic-current blob is checked, with its index in the path", () => {
    expectIssues(tiny, (q) => { q.layers[1].params!.decayI = ["layer/h/decayV"]; });
    expectIssues(tiny, (q) => { q.layers[1].params!.decayI = ["layer/h/decayV", "layer/out/decayV"]; },
      "layers.1.params.decayI.1: layer h: blob layer/out/decayV has 2 values, expected 4");
  });
});

describe("projections", () => {
  it("names are unique, layers exist, exactly one of csr, conv, procedural", () => {
    const twice = 'projections.1.name: two projections are named "fc1"; projection names must be unique';
    expectIssues(tiny, (q) => { q.projections[1].name = "fc1"; }, twice);
    // a duplicate name is still checked in full
    expectIssues(tiny, (q) => { q.projections[1].name = "fc1"; q.projections[1].csr!.post = 3; },
      twice, "projections.1.csr: projection fc1: csr is 4 x 3, its layers are 4 -> 2");
    expectIssues(tiny, (q) => { fc1(q).src = "nowhere"; },
      'projections.0: projection fc1 joins unknown layers "nowhere" -> "h"');
    expectIssues(tiny, (q) => { fc1(q).dst = "nowhere"; },
      'projections.0: projection fc1 joins unknown layers "in" -> "nowhere"');
    const one = "must have exactly one of csr, conv, procedural; it has";
    expectIssues(tiny, (q) => { delete fc1(q).csr; }, `projections.0: projection fc1 ${one} none`);
    const g = expanded.projections[0].csr!.from!;
    expectIssues(expanded, (q) => { q.projections[0].conv = { weight: "proj/conv/weight", ...g }; },
      `projections.0: projection conv ${one} csr, conv`);
    expectIssues(tiny, (q) => { fc1(q).procedural = procedural(3, 4); }, `projections.0: projection fc1 ${one} csr, procedural`);
  });

  it("a projection's bias has one value per destination neuron", () => {
    expectIssues(tiny, (q) => { fc1(q).bias = "layer/h/bias"; });
    expectIssues(tiny, (q) => { fc1(q).bias = "layer/out/bias"; },
      "projections.0.bias: projection fc1: blob layer/out/bias has 2 values, expected 4");
    expectIssues(tiny, (q) => { fc1(q).bias = "none"; },
      'projections.0.bias: projection fc1: blob "none" is missing from the blob table');
  });
});

describe("CSR projections", () => {
  const indptr = (v: number[]) => Int32Array.from(v);

  it("pre and post are the sizes of its layers", () => {
    expectIssues(tiny, (q) => { csr1(q).pre = 4; },
      "projections.0.csr: projection fc1: csr is 4 x 4, its layers are 3 -> 4");
    expectIssues(tiny, (q) => { csr1(q).post = 3; },
      "projections.0.csr: projection fc1: csr is 3 x 3, its layers are 3 -> 4");
  });

  it("indptr: int32, pre + 1 entries, from 0 to nnz, never decreasing", () => {
    const p = "proj/fc1/indptr", at = "projections.0.csr.indptr: projection fc1:";
    const length = [`${at} indptr must be int32 of length 4 (pre + 1)`];
    const ends = [`${at} indptr must start at 0 and end at nnz = 8`];
    expect(withBlob(tiny, p, indptr([0, 8, 8, 8]))).toEqual([]);
    expect(withBlob(tiny, p, indptr([0, 0, 0, 8]))).toEqual([]);
    expect(withBlob(tiny, p, indptr([0, 4, 8]))).toEqual(length);
    expect(withBlob(tiny, p, indptr([0, 4, 4, 8, 8]))).toEqual(length);
    expect(withBlob(tiny, p, Float64Array.of(0, 4, 4, 8))).toEqual(length);
    expect(withBlob(tiny, p, new Int32Array(0))).toEqual(length);
    expect(issues(tiny, (q) => { delete q.blobs[p]; })).toEqual(length);
    expect(withBlob(tiny, p, indptr([1, 4, 4, 8]))).toEqual(ends);
    expect(withBlob(tiny, p, indptr([-1, 4, 4, 8]))).toEqual(ends);
    expect(withBlob(tiny, p, indptr([0, 4, 4, 7]))).toEqual(ends);
    expect(withBlob(tiny, p, indptr([0, 4, 4, 9]))).toEqual(ends);
    expect(withBlob(tiny, p, indptr([0, 4, 3, 8]))).toEqual([`${at} indptr decreases at row 1`]);
    expect(withBlob(tiny, p, indptr([0, 9, 4, 8]))).toEqual([`${at} indptr decreases at row 1`]);
    expect(withBlob(tiny, p, indptr([0, -1, 4, 8]))).toEqual([`${at} indptr decreases at row 0`]);
    expect(withBlob(tiny, p, indptr([0, 4, 9, 8]))).toEqual([`${at} indptr decreases at row 2`]);
    expect(withBlob(tiny, "proj/fc2/indptr", indptr([0, 1, 2, 1, 5]))).toEqual([
      "projections.1.csr.indptr: projection fc2: indptr decreases at row 2",
    ]);
  });

  it("indices: int32, every entry in 0..post - 1, the first one outside named", () => {
    const name = "proj/fc1/indices", at = "projections.0.csr.indices";
    const idx = (k: number, v: number) => { const a = Int32Array.from(tiny.blobs[name]); a[k] = v; return a; };
    const outside = (k: number, v: number) => [`${at}.${k}: projection fc1: synapse ${k} targets neuron ${v}, outside 0..3`];
    expect(withBlob(tiny, name, idx(7, 3))).toEqual([]);
    expect(withBlob(tiny, name, idx(0, 0))).toEqual([]);
    for (const v of [4, -1, 1e6]) expect(withBlob(tiny, name, idx(7, v))).toEqual(outside(7, v));
    expect(withBlob(tiny, name, idx(0, -1))).toEqual(outside(0, -1));
    const twice = idx(2, 9);
    twice[5] = -3;
    expect(withBlob(tiny, name, twice)).toEqual(outside(2, 9));
    const int32 = [`${at}: projection fc1: indices must be int32`];
    expect(withBlob(tiny, name, Float64Array.from(tiny.blobs[name]))).toEqual(int32);
    expect(issues(tiny, (q) => { delete q.blobs[name]; })).toEqual(int32);
  });

  it("weights: one per synapse, no NaN", () => {
    const at = "projections.0.csr.weight: projection fc1: blob proj/fc1/weight";
    expect(withBlob(tiny, "proj/fc1/weight", new Int32Array(7))).toEqual([`${at} has 7 values, expected 8`]);
    expect(withBlob(tiny, "proj/fc1/weight", new Float64Array(8).fill(0.5))).toEqual([]);
    expect(withBlob(tiny, "proj/fc1/weight", Float64Array.of(0, 0, 0, 0, 0, 0, 0, NaN))).toEqual([`${at} holds NaN`]);
  });

  it("delays: int32, one per synapse, in 0..2^20 steps", () => {
    expect(MAX_DELAY_STEPS).toBe(2 ** 20);
    const delayed = (d: Int32Array | Float64Array) => issues(tiny, (q) => { csr1(q).delay = "d"; q.blobs.d = d; });
    const message = ["projections.0.csr.delay: projection fc1: delay must be 8 int32 steps in 0..1048576"];
    expect(delayed(Int32Array.of(0, 1, 2, 3, 4, 5, 6, 2 ** 20))).toEqual([]);
    expect(delayed(Int32Array.of(0, 1, 2, 3, 4, 5, 6, 2 ** 20 + 1))).toEqual(message);
    expect(delayed(Int32Array.of(0, 1, 2, 3, 4, 5, 6, -1))).toEqual(message);
    expect(delayed(Int32Array.of(-1, 0, 0, 0, 0, 0, 0, 0))).toEqual(message);
    expect(delayed(new Int32Array(7))).toEqual(message);
    expect(delayed(new Int32Array(9))).toEqual(message);
    expect(delayed(new Float64Array(8))).toEqual(message);
    expect(issues(tiny, (q) => { csr1(q).delay = "missing"; })).toEqual(message);
  });
});

/** A procedural rule (fixed probability 0.5, constant weight 1) of pre x post, gain `layer/h/bias` (4 values). */
function procedural(pre: number, post: number): NonNullable<ProgramProjection["procedural"]> {
  return {
    spec: { pre, post, rule: { kind: "fixed-probability", p: 0.5 }, weight: { kind: "constant", value: 1 }, seed: 1 },
    gain: "layer/h/bias", codes: false, maxDelay: 0, synapses: 0, reason: "test",
  };
}

describe("procedural projections", () => {
  const rule = (edit: (r: NonNullable<ProgramProjection["procedural"]>) => void) =>
    issues(tiny, (q) => { const r = procedural(3, 4); edit(r); delete fc1(q).csr; fc1(q).procedural = r; });
  const at = "projections.0.procedural";

  it("the rule is pre x post of its layers, its gain one value per destination neuron, maxDelay at most 2^20 steps", () => {
    expect(rule(() => {})).toEqual([]);
    expect(rule((r) => { r.maxDelay = MAX_DELAY_STEPS; })).toEqual([]);
    expect(rule((r) => { r.maxDelay = MAX_DELAY_STEPS + 1; })).toEqual([
      `${at}.maxDelay: projection fc1: maxDelay 1048577 steps; at most 1048576`,
    ]);
    expect(rule((r) => { r.spec.pre = 4; })).toEqual([`${at}.spec: projection fc1: rule is 4 x 4, its layers are 3 -> 4`]);
    expect(rule((r) => { r.spec.post = 2; })).toEqual([`${at}.spec: projection fc1: rule is 3 x 2, its layers are 3 -> 4`]);
    expect(rule((r) => { r.gain = "layer/out/bias"; })).toEqual([
      `${at}.gain: projection fc1: blob layer/out/bias has 2 values, expected 4`,
    ]);
  });

  it("the rule's own problems are named under spec", () => {
    expect(rule((r) => { r.spec.rule = { kind: "fixed-in-degree", k: 4, multapses: false }; })).toEqual([
      `${at}.spec.rule: projection fc1: k = 4 exceeds the 3 candidates without multapses`,
    ]);
    expect(rule((r) => { r.spec.weight = { kind: "uniform", low: 1, high: 0 }; })).toEqual([
      `${at}.spec.weight: projection fc1: uniform needs low <= high, got [1, 0)`,
    ]);
  });
});

describe("convolutions, dimension by dimension", () => {
  /** The expanded convolution's geometry (csr.from) after `edit`. */
  const from = (edit: (g: ConvGeometry) => void) => issues(expanded, (q) => edit(q.projections[0].csr!.from!));
  /** The same geometry as a weight-shared convolution with a 24-value kernel. */
  const shared = (edit: (g: ConvGeometry, q: Program) => void, weight = new Int32Array(24)) => issues(expanded, (q) => {
    const pr = q.projections[0], g = pr.csr!.from!;
    delete pr.csr;
    pr.conv = { weight: "w", ...g };
    edit(pr.conv, q);
    q.blobs.w = weight;
  });
  /** The source layer `in` reshaped. */
  const input = (q: Program, shape: number[]) => Object.assign(q.layers[0], { shape, size: prod(shape) });
  const at = "projections.0.csr.from", out = `${at}.outShape: projection conv:`;
  /** Issues of a convolution given entirely (1-D ones: single stride, padding, dilation). */
  const geometry = (inShape: number[], outShape: number[], wShape: number[]) =>
    from((g) => { Object.assign(g, { inShape, outShape, wShape, stride: [1], padding: [0], dilation: [1] }); });

  it("the expanded geometry: in [2,5,7], kernel 3x2, stride [2,1], padding [1,0], dilation [1,2] gives [4,3,5]", () => {
    const g = expanded.projections[0].csr!.from;
    expect(g).toMatchObject({ inShape: [2, 5, 7], wShape: [4, 1, 3, 2], outShape: [4, 3, 5], groups: 2 });
    expect(from(() => {})).toEqual([]);
    expect(shared(() => {})).toEqual([]);
    expect(shared(() => {}, new Int32Array(23))).toEqual([
      "projections.0.conv.weight: projection conv: blob w has 23 values, expected 24",
    ]);
    expect(shared((g) => { g.outShape = [4, 3, 6]; })).toEqual([
      "projections.0.conv.outShape: projection conv: output [4,3,6] holds 72 neurons; the destination layer has 60",
    ]);
  });

  it("each axis has its own stride, padding and dilation (one entry stands for every axis)", () => {
    const wrong = (hw: string) => [`${out} output [4,3,5] should be [4,${hw}] for input [2,5,7]`];
    expect(from((g) => { g.stride = [2]; })).toEqual(wrong("3,3"));
    expect(from((g) => { g.stride = [1, 2]; })).toEqual(wrong("5,3"));
    expect(from((g) => { g.padding = [0]; })).toEqual(wrong("2,5"));
    expect(from((g) => { g.padding = [0, 1]; })).toEqual(wrong("2,7"));
    expect(from((g) => { g.dilation = [1]; })).toEqual(wrong("3,6"));
    expect(from((g) => { g.dilation = [2, 1]; })).toEqual(wrong("2,6"));
    expect(from((g) => { g.wShape = [4, 1, 2, 3]; })).toEqual(wrong("3,3"));
    const entries = (f: string, got: string) => [`${at}.${f}: projection conv: ${f} needs 1 or 2 entries, got [${got}]`];
    expect(from((g) => { g.stride = [2, 1, 1]; })).toEqual(entries("stride", "2,1,1"));
    expect(from((g) => { g.padding = []; })).toEqual(entries("padding", ""));
    expect(from((g) => { g.dilation = [1, 2, 1]; })).toEqual(entries("dilation", "1,2,1"));
  });

  it("stride 2: the last output row is the last whole window (floor)", () => {
    // [2,6,7]: rows (6 + 2 - 2 - 1) / 2 + 1 = 3.5 -> 3, the output of [2,5,7]; [2,7,7]: 4 rows
    expect(shared((g, q) => { g.inShape = [2, 6, 7]; input(q, g.inShape); })).toEqual([]);
    expect(shared((g, q) => { g.inShape = [2, 7, 7]; input(q, g.inShape); })).toEqual([
      "projections.0.conv.outShape: projection conv: output [4,3,5] should be [4,4,5] for input [2,7,7]",
    ]);
  });

  it("inShape, outShape and wShape have rank r + 1, r + 1, r + 2 with r >= 1", () => {
    const rank = (i: string, o: string, w: string, r: number) => [`${at}.wShape: projection conv: a ${r}-D convolution needs `
      + `inShape and outShape of ${r + 1} and wShape of ${r + 2} dimensions; got [${i}], [${o}], [${w}]`];
    expect(from((g) => { g.inShape = [70]; })).toEqual(rank("70", "4,3,5", "4,1,3,2", 0));
    // a 0-D "convolution" whose ranks agree with r = 0 is refused too
    expect(geometry([70], [60], [4, 1])).toEqual(rank("70", "60", "4,1", 0));
    expect(from((g) => { g.outShape = [4, 15]; })).toEqual(rank("2,5,7", "4,15", "4,1,3,2", 2));
    expect(from((g) => { g.wShape = [4, 1, 3]; })).toEqual(rank("2,5,7", "4,3,5", "4,1,3", 2));
    expect(from((g) => { g.wShape = [4, 1, 3, 2, 1]; })).toEqual(rank("2,5,7", "4,3,5", "4,1,3,2,1", 2));
    // a 1-D convolution: [2,35] with a kernel of 21 gives [4,15] (60 neurons, as the layer has)
    expect(geometry([2, 35], [4, 15], [4, 1, 21])).toEqual([]);
    expect(geometry([2, 35], [4, 15], [4, 1, 20])).toEqual([`${out} output [4,15] should be [4,16] for input [2,35]`]);
  });

  it("input and output hold as many neurons as the layers they join", () => {
    expect(from((g) => { g.inShape = [2, 5, 8]; })).toEqual([
      `${at}.inShape: projection conv: input [2,5,8] holds 80 neurons; the source layer has 70`,
    ]);
    expect(from((g) => { g.inShape = [2, 7, 5]; })).toEqual([`${out} output [4,3,5] should be [4,4,3] for input [2,7,5]`]);
    expect(from((g) => { g.outShape = [4, 5, 3]; })).toEqual([`${out} output [4,5,3] should be [4,3,5] for input [2,5,7]`]);
    expect(from((g) => { g.outShape = [2, 6, 5]; })).toEqual([
      `${at}.wShape: projection conv: weight [4,1,3,2] with groups 2 does not map 2 to 2 channels`,
    ]);
    expect(from((g) => { g.outShape = [4, 3, 4]; })).toEqual([`${out} output [4,3,4] holds 48 neurons; the destination layer has 60`]);
  });

  it("channels: wShape[0] = out channels, wShape[1] x groups = in channels, groups divide the out channels", () => {
    const map = (w: string, groups: number, o = 4) =>
      [`${at}.wShape: projection conv: weight [${w}] with groups ${groups} does not map 2 to ${o} channels`];
    expect(from((g) => { g.wShape = [2, 1, 3, 2]; })).toEqual(map("2,1,3,2", 2));
    expect(from((g) => { g.wShape = [4, 2, 3, 2]; })).toEqual(map("4,2,3,2", 2));
    expect(from((g) => { g.groups = 1; })).toEqual(map("4,1,3,2", 1));
    expect(from((g) => { g.groups = 1; g.wShape = [4, 2, 3, 2]; })).toEqual([]);
    // 2 in channels in 2 groups, 3 out channels: 3 % 2 != 0
    expect(from((g) => { Object.assign(g, { wShape: [3, 1, 3, 2], outShape: [3, 4, 5] }); })).toEqual(map("3,1,3,2", 2, 3));
  });
});

describe("sum pooling before a convolution", () => {
  const pool = (edit: (p: NonNullable<ConvGeometry["pool"]>, g: ConvGeometry) => void) =>
    issues(pooled, (q) => { const g = q.projections[0].csr!.from!; edit(g.pool!, g); });
  const at = "projections.0.csr.from.pool: projection conv:";
  const gives = (src: string, to: string, stored: string, read: string) =>
    [`${at} pooling [${src}] gives [${to}], stored as [${stored}], feeding a convolution of input [${read}]`];

  it("[2,6,9] with kernel [2,3], stride [2,3], padding [1,0] gives [2,4,3], the convolution's input", () => {
    const stored = { kernel: [2, 3], stride: [2, 3], padding: [1, 0], inShape: [2, 6, 9], outShape: [2, 4, 3] };
    expect(pooled.projections[0].csr!.from!.pool).toEqual(stored);
    expect(pool(() => {})).toEqual([]);
    const to = (hw: string) => gives("2,6,9", `2,${hw}`, "2,4,3", "2,4,3");
    expect(pool((p) => { p.kernel = [3]; })).toEqual(to("3,3"));
    expect(pool((p) => { p.stride = [3]; })).toEqual(to("3,3"));
    expect(pool((p) => { p.padding = [0]; })).toEqual(to("3,3"));
    expect(pool((p) => { p.padding = [0, 3]; })).toEqual(to("3,5"));
    expect(pool((p) => { p.kernel = [2, 6]; })).toEqual(to("4,2"));
  });

  it("the pooled shape must be what is stored and what the convolution reads", () => {
    expect(pool((p) => { p.outShape = [2, 4, 4]; })).toEqual(gives("2,6,9", "2,4,3", "2,4,4", "2,4,3"));
    expect(pool((p, g) => { g.inShape = [2, 4, 4]; g.wShape = [4, 1, 3, 3]; })).toEqual(gives("2,6,9", "2,4,3", "2,4,3", "2,4,4"));
    expect(pool((p) => { p.inShape = [2, 6, 8]; })).toEqual([
      "projections.0.csr.from.inShape: projection conv: input [2,6,8] holds 96 neurons; the source layer has 108",
    ]);
  });

  it("pooling keeps the channels and the rank; kernel, stride and padding have 1 or r entries", () => {
    const form = (i: string, o: string, k: string) => [`${at} pooling from [${i}] to [${o}] with kernel [${k}] is not well formed`];
    expect(pool((p) => { p.outShape = [2, 12]; })).toEqual(form("2,6,9", "2,12", "2,3"));
    expect(pool((p) => { p.outShape = [1, 4, 3]; })).toEqual(form("2,6,9", "1,4,3", "2,3"));
    expect(pool((p) => { p.kernel = [2, 3, 1]; })).toEqual(form("2,6,9", "2,4,3", "2,3,1"));
    expect(pool((p) => { p.stride = []; })).toEqual(form("2,6,9", "2,4,3", "2,3"));
    expect(pool((p) => { p.padding = [1, 0, 0]; })).toEqual(form("2,6,9", "2,4,3", "2,3"));
    const oneD = { inShape: [2, 54], kernel: [2], stride: [2], padding: [0], outShape: [2, 27] };
    expect(pool((p) => { Object.assign(p, oneD); })).toEqual(gives("2,54", "2,27", "2,27", "2,4,3"));
    expect(pool((p) => { p.inShape = [3, 6, 6]; })).toEqual(form("3,6,6", "2,4,3", "2,3"));
  });
});

describe("cores", () => {
  it("a core exists on the target and holds neurons inside its layer", () => {
    const none = "cores.1.id: core 64 does not exist: generic-mesh has cores 0..63";
    expectIssues(tiny, (q) => { q.cores[1].id = 63; });
    expectIssues(tiny, (q) => { q.cores[1].id = 64; }, none);
    expectIssues(tiny, (q) => { q.cores[0].layer = "nope"; }, 'cores.0.layer: core 0 holds unknown layer "nope"');
    expectIssues(tiny, (q) => { q.cores[0].start = 1; q.cores[0].count = 3; });
    expectIssues(tiny, (q) => { q.cores[0].start = 1; }, "cores.0: core 0 holds neurons 1..4 of h, which has 4");
    expectIssues(tiny, (q) => { q.cores[1].count = 3; }, "cores.1: core 1 holds neurons 0..2 of out, which has 2");
    expectIssues(tiny, (q) => { q.cores[0].id = 64; q.cores[0].layer = "x"; },
      none.replace("cores.1", "cores.0"), 'cores.0.layer: core 64 holds unknown layer "x"');
  });
});
