// The Program file format: every Program the compiler writes reads back unchanged through the one
// schema and the content checks; crafted documents (fields, shapes, CSR, NaN, geometry, blobs) are
// refused with the field's path.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { graph, tensor } from "../ir/builders.js";
import { isPhasorError } from "../ir/errors.js";
import type { Graph, Node } from "../ir/graph.js";
import { microcircuit } from "../ir/models/microcircuit.js";
import { readNir } from "../ir/nir/index.js";
import { Rng } from "../ir/random.js";
import { compile, type CompileOptions } from "./index.js";
import type { Program } from "./program.js";
import { checkProgram, decodeProgram, serializeProgram } from "./serialize.js";

/** in[n] -> fc -> IF[h] -> fc2 -> IF[o]; random weights. */
function ifNet(n = 16, h = 32, o = 8, seed = 3): Graph {
  const rng = new Rng(seed);
  const w = (a: number, b: number) => tensor(Float64Array.from({ length: a * b }, () => (rng.random() < 0.5 ? 0.4 : -0.1)), [a, b]);
  const IF = (k: number): Node => ({ type: "IF", r: tensor(new Float64Array(k).fill(1e4)), v_threshold: tensor(new Float64Array(k).fill(1)) });
  return graph().input("in", [n]).linear("fc1", w(h, n)).node("h", IF(h)).linear("fc2", w(o, h)).node("out", IF(o)).output("o").build();
}

/** in[n] -> fc -> LIF[h] -> fc2 -> LIF[o]. */
function lifNet(n = 8, h = 12, o = 4): Graph {
  const rng = new Rng(9);
  const w = (a: number, b: number) => tensor(Float64Array.from({ length: a * b }, () => rng.random() - 0.3), [a, b]);
  const LIF = (k: number): Node => ({
    type: "LIF", tau: tensor(new Float64Array(k).fill(0.02)), r: tensor(new Float64Array(k).fill(1)), v_leak: tensor(new Float64Array(k)),
    v_threshold: tensor(new Float64Array(k).fill(1)),
  });
  return graph().input("in", [n]).linear("fc1", w(h, n)).node("h", LIF(h)).linear("fc2", w(o, h)).node("out", LIF(o)).output("o").build();
}

const nirPaper = resolve(__dirname, "../../../shared/nir-paper");
const nir = async (f: string, convention: "snntorch" | "sinabs") => readNir(resolve(nirPaper, f), { convention, dt: 1e-4 });

/** Serialises, parses back, and checks the round trip is exact. */
function roundTrip(p: Program): Program {
  const { json, bin } = serializeProgram(p);
  const q = decodeProgram(json, bin, ["p.json"]);
  expect(serializeProgram(q).json).toBe(json);
  return q;
}

/** The issues decodeProgram finds after `edit` changes the parsed PROGRAM.json, as "path: message". */
function refusal(p: Program, edit: (doc: any) => void): string[] {
  const { json, bin } = serializeProgram(p);
  const doc = JSON.parse(json);
  edit(doc);
  try {
    decodeProgram(JSON.stringify(doc), bin);
  } catch (e) {
    if (!isPhasorError(e)) throw e;
    expect(e.issues.every((i) => i.code === "bad-program")).toBe(true);
    return e.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  }
  return [];
}

/** The issues for a Program whose blob `name` is replaced by `values` (a consistent checksum). */
function blobRefusal(p: Program, name: string, values: Int32Array | Float64Array): string[] {
  const { json, bin } = serializeProgram({ ...p, blobs: { ...p.blobs, [name]: values } });
  try {
    decodeProgram(json, bin);
  } catch (e) {
    if (!isPhasorError(e)) throw e;
    return e.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  }
  return [];
}

/** in [2, 8, 8] -> 3x3 convolution (padding 1) -> IF [4, 8, 8]. */
function convNet(): Graph {
  const rng = new Rng(5);
  const w = tensor(Float64Array.from({ length: 4 * 2 * 9 }, () => rng.random() - 0.3), [4, 2, 3, 3]);
  const IF: Node = { type: "IF", r: tensor(new Float64Array(256).fill(1e4), [4, 8, 8]), v_threshold: tensor(new Float64Array(256).fill(1), [4, 8, 8]) };
  return graph().input("in", [2, 8, 8])
    .node("conv", { type: "Conv2d", weight: w, bias: tensor(0, [4]), stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 })
    .node("spk", IF).output("o").build();
}

const small = compile(ifNet(), "generic-mesh", { reset: "zero" });
const csrOf = (p: Program) => p.projections.find((x) => x.csr)!.csr!;

describe("every Program the compiler writes is accepted", () => {
  const cases: Array<[string, () => Graph, string, CompileOptions]> = [
    ["IF net", () => ifNet(), "truenorth", { reset: "zero" }],
    ["IF net", () => ifNet(), "generic-mesh", { reset: "zero" }],
    ["IF net (Loihi profile, weightExp)", () => ifNet(), "loihi", { reset: "zero" }],
    ["LIF net (fitted constants)", () => lifNet(), "loihi-sanafe", { reset: "zero" }],
    ["LIF net", () => lifNet(), "loihi2", { reset: "zero" }],
    ["LIF net", () => lifNet(), "spinnaker2", { reset: "zero" }],
  ];
  for (const [what, g, target, o] of cases) {
    it(`${what} on ${target}`, () => {
      const p = compile(g(), target, o);
      const q = roundTrip(p);
      expect(q.target).toEqual(p.target);
      if (target === "loihi") expect(q.projections.some((x) => x.weightExp !== undefined)).toBe(true);
    });
  }

  it("a microcircuit with delays (materialised) and with procedural projections", () => {
    for (const connectivity of ["materialised", "procedural"] as const) {
      const m = microcircuit({ seed: 1, dt: 1e-4, scale: 0.002, kScale: 0.2, connectivity });
      const p = compile(m.graph, "generic-mesh", { dt: 1e-4, connectivity, allowHost: true });
      const q = roundTrip(p);
      expect(q.projections.length).toBeGreaterThan(10);
      if (connectivity === "procedural") expect(q.projections.some((x) => x.procedural)).toBe(true);
      else expect(q.projections.some((x) => x.csr?.delay)).toBe(true);
    }
  });

  const paper = existsSync(nirPaper);
  if (!paper) console.warn(`skipping the NIR-paper Programs: ${nirPaper} is absent (the shared test data)`);
  it.skipIf(!paper)("the NIR paper's networks on Xylo (xylo profile), Loihi, Speck (weight-shared conv, host split) and the mesh (csr.from)", async () => {
    const braille = () => nir("braille_noDelay_noBias_subtract.nir", "snntorch");
    roundTrip(compile(await braille(), "xylo-audio2", { reset: "subtract" }));
    roundTrip(compile(await braille(), "loihi", { reset: "zero" }));
    const host = roundTrip(compile(await nir("braille_noDelay_bias_zero.nir", "snntorch"), "speck", { allowHost: true }));
    expect(host.layers.some((l) => l.partition === "host")).toBe(true);
    const speck = roundTrip(compile(await nir("cnn_sinabs.nir", "sinabs"), "speck", { reset: "subtract" }));
    expect(speck.projections.some((x) => x.conv)).toBe(true);
    const mesh = roundTrip(compile(await nir("cnn_sinabs.nir", "sinabs"), "generic-mesh", { reset: "subtract" }));
    expect(mesh.projections.some((x) => x.csr?.from)).toBe(true);
  });
});

describe("crafted Programs are refused with the field's path", () => {
  it("fields the schema does not list, whatever their name, and fields of the wrong type", () => {
    const { json, bin } = serializeProgram(small);
    const proto = json.replace('"options": {', '"options": { "__proto__": { "dt": 1 },').replace('"name": "h",', '"name": "h", "toString": "x",');
    const issues = (() => { try { decodeProgram(proto, bin); return []; } catch (e) { return (e as Error).message.split("\n"); } })();
    expect(issues).toEqual([
      "2 problems:",
      expect.stringMatching(/^ {2}- options\.__proto__: is not a Program field; remove it \(fields here: dt, seed/),
      expect.stringMatching(/^ {2}- layers\.1\.toString: is not a Program field/),
    ]);
    expect(refusal(small, (d) => { d.extra = 2; })).toEqual([expect.stringMatching(/^extra: is not a Program field; remove it \(fields here: format, version/)]);
    expect(refusal(small, (d) => { d.projections[0].port = "0"; })).toEqual(['projections.0.port: must be an integer (finite, not NaN), got "0"']);
  });

  it("NaN, zero and fractional numbers", () => {
    expect(refusal(small, (d) => { d.projections[0].scale = "NaN"; })).toEqual(['projections.0.scale: must be a number (finite, not NaN), got "NaN"']);
    expect(refusal(small, (d) => { d.options.dt = 0; })).toEqual(["options.dt: must be > 0, got 0"]);
    expect(refusal(small, (d) => { d.projections[0].weightExp = 1.5; })).toEqual(["projections.0.weightExp: must be an integer (finite, not NaN), got 1.5"]);
    const nan = Float64Array.from(small.blobs[csrOf(small).weight]);
    nan[2] = NaN;
    expect(blobRefusal(small, csrOf(small).weight, nan)).toEqual([expect.stringMatching(/^projections\.0\.csr\.weight: projection fc1: blob .* holds NaN/)]);
  });

  it("shapes: every dimension >= 1, size the product, compared dimension by dimension", () => {
    expect(refusal(small, (d) => { d.layers[0].shape = [-4]; })).toEqual(["layers.0.shape.0: must be >= 1, got -4"]);
    expect(refusal(small, (d) => { d.layers[0].shape = [0]; })).toEqual(["layers.0.shape.0: must be >= 1, got 0"]);
    expect(refusal(small, (d) => { d.layers[0].size = 5; })).toEqual(["layers.0.size: layer in: size 5 is not the product of its shape [16] (16)"]);
    expect(refusal(small, (d) => { d.layers[0].slices = [{ core: 0, start: 10, count: 10 }]; })).toEqual([
      "layers.0.slices.0: layer in: slice 10..19 lies outside its 16 neurons",
    ]);
  });

  it("CSR: indices in range and not negative, indptr of pre + 1 entries rising from 0 to nnz, delays >= 0", () => {
    const c = csrOf(small), indices = small.blobs[c.indices] as Int32Array, indptr = small.blobs[c.indptr] as Int32Array;
    for (const bad of [1e6, -1, 32]) {
      const idx = Int32Array.from(indices);
      idx[3] = bad;
      expect(blobRefusal(small, c.indices, idx)).toEqual([`projections.0.csr.indices.3: projection fc1: synapse 3 targets neuron ${bad}, outside 0..31`]);
    }
    const down = Int32Array.from(indptr);
    down[2] = down[1] - 1;
    expect(blobRefusal(small, c.indptr, down)).toEqual(["projections.0.csr.indptr: projection fc1: indptr decreases at row 1"]);
    expect(blobRefusal(small, c.indptr, indptr.slice(1))).toEqual(["projections.0.csr.indptr: projection fc1: indptr must be int32 of length 17 (pre + 1)"]);
    const short = Int32Array.from(indptr);
    short[16] -= 1;
    expect(blobRefusal(small, c.indptr, short)).toEqual([`projections.0.csr.indptr: projection fc1: indptr must start at 0 and end at nnz = ${indices.length}`]);
    expect(blobRefusal(small, c.indices, Float64Array.from(indices))).toEqual(["projections.0.csr.indices: projection fc1: indices must be int32"]);
    expect(refusal(small, (d) => { d.projections[0].csr.post = 33; })).toEqual(["projections.0.csr: projection fc1: csr is 16 x 33, its layers are 16 -> 32"]);
    const withDelay = { ...small, projections: small.projections.map((x, k) => (k ? x : { ...x, csr: { ...x.csr!, delay: "d" } })) };
    expect(blobRefusal(withDelay, "d", new Int32Array(indices.length).fill(-1))).toEqual([
      `projections.0.csr.delay: projection fc1: delay must be ${indices.length} int32 steps in 0..1048576`,
    ]);
  });

  it("convolutions: geometry compared with the layers dimension by dimension, weight-shared and expanded (csr.from)", () => {
    const shared = compile(convNet(), "speck", { reset: "subtract" }), k = shared.projections.findIndex((x) => x.conv);
    expect(k).toBeGreaterThanOrEqual(0);
    roundTrip(shared);
    expect(refusal(shared, (d) => { d.projections[k].conv.outShape = [4, 4, 16]; })).toEqual([
      `projections.${k}.conv.outShape: projection conv: output [4,4,16] should be [4,8,8] for input [2,8,8]`,
    ]);
    expect(refusal(shared, (d) => { d.projections[k].conv.inShape = [2, 16, 4]; })).toEqual([
      `projections.${k}.conv.outShape: projection conv: output [4,8,8] should be [4,16,4] for input [2,16,4]`,
    ]);
    expect(refusal(shared, (d) => { d.projections[k].conv.wShape = [4, 1, 3, 3]; })).toEqual([
      `projections.${k}.conv.weight: projection conv: blob proj/conv/weight has 72 values, expected 36`,
      `projections.${k}.conv.wShape: projection conv: weight [4,1,3,3] with groups 1 does not map 2 to 4 channels`,
    ]);
    const expanded = compile(convNet(), "generic-mesh", { reset: "subtract" }), e = expanded.projections.findIndex((x) => x.csr?.from);
    roundTrip(expanded);
    expect(refusal(expanded, (d) => { d.projections[e].csr.from.padding = [0, 0]; })).toEqual([
      `projections.${e}.csr.from.outShape: projection conv: output [4,8,8] should be [4,6,6] for input [2,8,8]`,
    ]);
  });

  it("blobs: named ones exist, table entries lie inside the blob file, checksum matches", () => {
    expect(refusal(small, (d) => { d.layers[1].params.threshold = "nope"; })).toEqual([
      'layers.1.params.threshold: layer h: blob "nope" is missing from the blob table',
    ]);
    const name = csrOf(small).weight;
    expect(refusal(small, (d) => { d.blobs[name].offset += 4; })).toEqual([expect.stringMatching(/^blobs\..*weight: blob .* must start 8-byte aligned/)]);
    expect(refusal(small, (d) => { d.blobs[name].length = 1e9; })).toEqual([expect.stringMatching(/inside the \d+-byte blob file/)]);
    expect(refusal(small, (d) => { d.blobs[name].dtype = "int64"; })).toEqual([expect.stringMatching(/dtype: must be one of "int32", "float64", got "int64"/)]);
    expect(refusal(small, (d) => { d.blobFile.sha256 = "0".repeat(64); })).toEqual([expect.stringMatching(/^blobFile\.sha256: the blob file .* does not match/)]);
    expect(refusal(small, (d) => { d.blobFile.name = "../../etc/passwd"; })).toEqual([expect.stringMatching(/^blobFile\.name: must match/)]);
  });

  it("projections: exactly one form, layers that exist, procedural rules that fit their layers", () => {
    expect(refusal(small, (d) => { delete d.projections[0].csr; })).toEqual(["projections.0: projection fc1 must have exactly one of csr, conv, procedural; it has none"]);
    expect(refusal(small, (d) => { d.projections[0].dst = "nowhere"; })).toEqual(['projections.0: projection fc1 joins unknown layers "in" -> "nowhere"']);
    const m = microcircuit({ seed: 1, dt: 1e-4, scale: 0.002, kScale: 0.2, connectivity: "procedural" });
    const p = compile(m.graph, "generic-mesh", { dt: 1e-4, connectivity: "procedural", allowHost: true });
    const k = p.projections.findIndex((x) => x.procedural);
    expect(refusal(p, (d) => { d.projections[k].procedural.spec.pre += 1; })[0]).toMatch(new RegExp(`^projections\\.${k}\\.procedural\\.spec: .* rule is \\d+ x \\d+, its layers are`));
    expect(refusal(p, (d) => { d.projections[k].procedural.spec.rule = { kind: "fixed-probability", p: 2 }; })).toEqual([
      `projections.${k}.procedural.spec.rule.p: must be <= 1, got 2`,
    ]);
    expect(refusal(p, (d) => { d.projections[k].procedural.spec.weight = { kind: "lognormal" }; })).toEqual([
      `projections.${k}.procedural.spec.weight: kind must be one of "constant", "uniform", "normal", got "lognormal"`,
    ]);
  });

  it("a format or version it does not read is named, with what to do", () => {
    expect(refusal(small, (d) => { d.version = 1; })).toEqual(["version: program version 1; this Phasor reads version 2: compile the network again"]);
    expect(refusal(small, (d) => { d.format = "onnx"; })).toEqual(['format: not a Phasor program (format "onnx"); expected "phasor-program"']);
  });

  it("the target inside a Program is checked as a Target file is", () => {
    expect(refusal(small, (d) => { d.target.cores = 1e9; })).toEqual([expect.stringMatching(/^target\.cores: 1000000000 cores do not fit/)]);
  });

  it("checkProgram checks a Program in memory the same way", () => {
    expect(() => checkProgram(small)).not.toThrow();
    const bad = { ...small, options: { ...small.options, dt: NaN } };
    expect(() => checkProgram(bad)).toThrow(/options\.dt: must be a number \(finite, not NaN\), got NaN/);
  });
});
