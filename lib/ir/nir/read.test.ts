import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { haveNirPaper, nirPaper } from "../../../test/support.js";
import { PhasorError } from "../errors.js";
import type { NodeOf } from "../graph.js";
import { readNir, readNirWithInfo, writeNir } from "./index.js";
import { buildH5Bytes, loadH5, type H5Group } from "./h5.js";

/** The six well-formed NIR files of the NIR paper. */
const WELL_FORMED = [
  "braille_noDelay_bias_zero.nir",
  "braille_noDelay_noBias_subtract.nir",
  "cnn_sinabs.nir",
  "lif_norse.nir",
  "lif_rockpool.nir",
  "two_lif_neurons.nir",
];

async function issuesOf(p: Promise<unknown>): Promise<PhasorError> {
  const e: unknown = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(PhasorError);
  return e as PhasorError;
}

type Spec = { [name: string]: string | string[][] | Float32Array | Float64Array | bigint[] | Spec };

/** Builds a small HDF5 file from a nested description (strings, string pairs, floats, int64s). */
async function h5File(spec: Spec): Promise<Uint8Array> {
  const h5 = await loadH5();
  const fill = (g: H5Group, s: Spec): void => {
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === "string") g.create_dataset({ name: k, data: v, shape: [], dtype: "S" });
      else if (v instanceof Float32Array || v instanceof Float64Array) g.create_dataset({ name: k, data: v, shape: [v.length] });
      else if (Array.isArray(v) && typeof v[0] === "bigint") g.create_dataset({ name: k, data: BigInt64Array.from(v as bigint[]), shape: [v.length], dtype: "<q" });
      else if (Array.isArray(v)) g.create_dataset({ name: k, data: (v as string[][]).flat(), shape: [v.length, 2], dtype: "S" });
      else fill(g.create_group(k), v);
    }
  };
  return buildH5Bytes(h5, (f) => fill(f, spec));
}

const lifGroup = (): Spec => ({
  type: "LIF", tau: new Float32Array([0.01]), r: new Float32Array([1]), v_leak: new Float32Array([0]), v_threshold: new Float32Array([1]),
});
const oneNode = (node: Spec): Spec => ({
  version: "0.2.0",
  node: {
    type: "NIRGraph",
    edges: [["input", "x"], ["x", "output"]],
    nodes: { input: { type: "Input", shape: [1n] }, x: node, output: { type: "Output", shape: [1n] } },
  },
});

/** Input [1, 5] -> Conv1d (kernel 3, padding given as a string) -> Output [1, out]. */
async function conv1dFile(padding: string, out: bigint): Promise<Uint8Array> {
  const h5 = await loadH5();
  const str = (g: H5Group, name: string, data: string) => g.create_dataset({ name, data, shape: [], dtype: "S" });
  const int64 = (g: H5Group, name: string, v: bigint[], shape = [v.length]) => g.create_dataset({ name, data: BigInt64Array.from(v), shape, dtype: "<q" });
  return buildH5Bytes(h5, (f) => {
    str(f, "version", "1.0.0");
    const n = f.create_group("node");
    str(n, "type", "NIRGraph");
    n.create_dataset({ name: "edges", data: ["input", "x", "x", "output"], shape: [2, 2], dtype: "S" });
    const nodes = n.create_group("nodes");
    for (const [name, shape] of [["input", [1n, 5n]], ["output", [1n, out]]] as const) {
      const g = nodes.create_group(name);
      str(g, "type", name === "input" ? "Input" : "Output");
      int64(g, "shape", [...shape]);
    }
    const x = nodes.create_group("x");
    str(x, "type", "Conv1d");
    str(x, "padding", padding);
    x.create_dataset({ name: "weight", data: new Float32Array(3), shape: [1, 1, 3] });
    x.create_dataset({ name: "bias", data: new Float32Array(1), shape: [1] });
    int64(x, "stride", [1n]);
    int64(x, "dilation", [1n]);
    int64(x, "groups", [1n], []);
  });
}

describe("readNir: the NIR paper's files", () => {
  it.runIf(haveNirPaper())("loads all six well-formed files", async () => {
    for (const f of WELL_FORMED) {
      const g = await readNir(resolve(nirPaper, f));
      expect(g.type).toBe("NIRGraph");
      expect(Object.keys(g.nodes).length).toBeGreaterThan(2);
    }
  });

  it.runIf(haveNirPaper())("keeps float dtypes and reads ints, versions and edges (cnn_sinabs, 0.2.0)", async () => {
    const r = await readNirWithInfo(resolve(nirPaper, "cnn_sinabs.nir"));
    expect(r.version).toBe("0.2.0");
    const conv = r.graph.nodes["0"] as NodeOf<"Conv2d">;
    expect(conv.weight.data).toBeInstanceOf(Float32Array);
    expect(conv.weight.shape).toEqual([16, 2, 5, 5]);
    expect([conv.stride, conv.padding, conv.dilation, conv.groups, conv.input_shape]).toEqual([[2, 2], [1, 1], [1, 1], 1, [34, 34]]);
    const flat = r.graph.nodes["8"] as NodeOf<"Flatten">;
    expect([flat.start_dim, flat.end_dim, flat.input_shape]).toEqual([0, -1, [8, 4, 4]]);
    expect(r.graph.edges).toContainEqual({ src: "input", dst: "0" });
    expect(r.notes[0]).toBe("convention: raw (no dt)");
    expect(r.record).toMatchObject({ name: "raw", reset: "zero", spikes: "single", current: "previous" });
  });

  it.runIf(haveNirPaper())("reads NIR 0.1.1 (lif_norse) and float64 parameters (two_lif_neurons)", async () => {
    const norse = await readNirWithInfo(resolve(nirPaper, "lif_norse.nir"));
    expect(norse.version).toBe("0.1.1");
    const lif = norse.graph.nodes["1"] as NodeOf<"LIF">;
    expect(lif.tau.data).toEqual(new Float32Array([0.0025]));
    expect(lif.v_reset).toBeUndefined();
    const two = await readNir(resolve(nirPaper, "two_lif_neurons.nir"));
    expect((two.nodes.lif1 as NodeOf<"LIF">).v_leak.data).toEqual(new Float64Array([1.2]));
  });

  it.runIf(haveNirPaper())("refuses the broken Braille export, naming the nested graph, the edge and the nodes", async () => {
    const e = await issuesOf(readNir(resolve(nirPaper, "braille_noDelay_bias_zero_subgraph.nir")));
    expect(e.issues.every((i) => i.code === "dangling-edge" && i.path[0] === "lif1")).toBe(true);
    expect(e.message).toContain('nested graph "lif1"');
    expect(e.message).toContain("input -> lif");
    expect(e.message).toContain("nodes that exist: input, lif1, lin, output");
  });

  it.runIf(haveNirPaper())("reads from bytes as from a path", async () => {
    const path = resolve(nirPaper, "lif_rockpool.nir");
    expect(await readNir(new Uint8Array(readFileSync(path)))).toEqual(await readNir(path));
  });
});

describe("readNir: bad input, one PhasorError each", () => {
  it("a truncated file", async () => {
    const whole = await writeNir((await readNir(await h5File(oneNode(lifGroup())))));
    const e = await issuesOf(readNir(whole.subarray(0, whole.length - 100)));
    expect(e.code).toBe("truncated");
    expect(e.message).toMatch(/truncated HDF5 file: \d+ bytes on disk, the file header says \d+/);
  });

  it("a file that is not HDF5", async () => {
    const e = await issuesOf(readNir(new TextEncoder().encode("input,0\n0,1\n")));
    expect(e.code).toBe("not-hdf5");
    expect(e.message).toContain("not an HDF5 file");
  });

  it("a file that does not exist", async () => {
    expect((await issuesOf(readNir("/nonexistent/x.nir"))).message).toContain("no such file");
  });

  it("an unknown node type, listing the known ones", async () => {
    const e = await issuesOf(readNir(await h5File(oneNode({ type: "LIFF", tau: new Float32Array([1]) }))));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ code: "unknown-type", path: ["x", "type"] });
    expect(e.message).toContain('unknown node type "LIFF"');
    expect(e.message).toContain("CubaLIF");
  });

  it("missing parameters, all reported at once with node and field", async () => {
    const spec = oneNode({ type: "LIF", tau: new Float32Array([0.01]), r: new Float32Array([1]) });
    (spec.node as Spec).nodes = { ...((spec.node as Spec).nodes as Spec), y: { type: "Affine", weight: new Float32Array([1]) } };
    const e = await issuesOf(readNir(await h5File(spec)));
    const where = e.issues.map((i) => `${i.code} ${i.path.join(".")}`);
    expect(where).toEqual(expect.arrayContaining(["missing-param x.v_leak", "missing-param x.v_threshold", "missing-param y.bias", "wrong-rank y.weight"]));
    expect(e.message).toContain('LIF node is missing parameter "v_leak"');
  });

  it("a parameter of the wrong rank", async () => {
    const e = await issuesOf(readNir(await h5File(oneNode({ type: "Linear", weight: new Float32Array([1, 2]) }))));
    expect(e.issues[0]).toMatchObject({ code: "wrong-rank", path: ["x", "weight"] });
    expect(e.message).toContain("Linear.weight must have rank >= 2, found shape [2]");
  });

  it("an edge dataset that is not (E, 2) strings", async () => {
    const spec = oneNode(lifGroup());
    (spec.node as Spec).edges = new Float32Array([1, 2]);
    const e = await issuesOf(readNir(await h5File(spec)));
    expect(e.issues[0]).toMatchObject({ code: "wrong-rank", path: ["edges"] });
  });
});

describe("readNir: NIR 1.0 entries", () => {
  it("reads v_reset, metadata groups and input_type/output_type groups", async () => {
    const lif = { ...lifGroup(), v_reset: new Float32Array([0.5]), metadata: { origin: "test", gains: new Float64Array([1, 2]) } };
    const spec = oneNode(lif);
    ((spec.node as Spec).nodes as Spec).input = { type: "Input", shape: [1n], input_type: { input: [1n] } };
    const g = await readNir(await h5File(spec));
    const x = g.nodes.x as NodeOf<"LIF">;
    expect(x.v_reset?.data).toEqual(new Float32Array([0.5]));
    expect(x.metadata).toEqual({ origin: "test", gains: new Float64Array([1, 2]) });
    expect(g.nodes.input.input_type).toEqual({ input: [1] });
  });

  it("reads Conv padding 'same' and 'valid' as explicit padding, and notes it", async () => {
    for (const [mode, want, out] of [["same", [1], 5n], ["valid", [0], 3n]] as const) {
      const r = await readNirWithInfo(await conv1dFile(mode, out));
      expect((r.graph.nodes.x as NodeOf<"Conv1d">).padding).toEqual(want);
      if (mode === "same") expect(r.notes.join("\n")).toContain("padding 'same' read as [1]");
    }
  });
});
