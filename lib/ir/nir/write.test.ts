import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { haveNirPaper, nirPaper } from "../../../test/support.js";
import { graph, sparseFromCoo, tensor } from "../builders.js";
import { PhasorError } from "../errors.js";
import type { Graph, GraphNode, Node, NodeOf, Tensor } from "../graph.js";
import { loadH5, withH5Bytes } from "./h5.js";
import { NIR_VERSION_WRITTEN, readNir, readNirWithInfo, writeNir } from "./index.js";

const WELL_FORMED = [
  "braille_noDelay_bias_zero.nir", "braille_noDelay_noBias_subtract.nir", "cnn_sinabs.nir",
  "lif_norse.nir", "lif_rockpool.nir", "two_lif_neurons.nir",
];

const dir = mkdtempSync(join(tmpdir(), "phasor-nir-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isTensor(v: unknown): v is Tensor {
  return typeof v === "object" && v !== null && "data" in v && (v.data instanceof Float32Array || v.data instanceof Float64Array);
}

/** Every tensor of a graph as "path: dtype shape hex-bytes", to compare parameters bit for bit. */
function tensorBits(g: GraphNode, prefix = ""): string[] {
  const out: string[] = [];
  for (const [name, node] of Object.entries(g.nodes)) {
    if (node.type === "NIRGraph") out.push(...tensorBits(node, `${prefix}${name}.`));
    for (const [field, v] of Object.entries(node)) {
      if (!isTensor(v)) continue;
      const bytes = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString("hex");
      out.push(`${prefix}${name}.${field}: ${v.data.constructor.name} [${v.shape.join(",")}] ${bytes}`);
    }
  }
  return out.sort();
}

async function issuesOf(p: Promise<unknown>): Promise<PhasorError> {
  const e: unknown = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(PhasorError);
  return e as PhasorError;
}

describe("writeNir round trip", () => {
  it.runIf(haveNirPaper())("each well-formed paper graph reads back deep-equal, parameters bit-equal", async () => {
    for (const f of WELL_FORMED) {
      const original = await readNir(resolve(nirPaper, f));
      const back = await readNir(await writeNir(original));
      expect(back, f).toStrictEqual(original);
      expect(tensorBits(back), f).toEqual(tensorBits(original));
      expect(tensorBits(original).length, f).toBeGreaterThan(0);
    }
  });

  it("writes to a path and returns the same bytes; records the NIR version", async () => {
    const g = graph().input("in", 2).affine("fc", tensor([1, 2, 3, 4], [2, 2], "float32"), tensor([0, 1], [2], "float32")).lif("lif", { tau: 0.01, v_threshold: 1 }).output("out").build();
    const path = join(dir, "small.nir");
    const bytes = await writeNir(g, path);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    const r = await readNirWithInfo(path);
    expect(r.version).toBe(NIR_VERSION_WRITTEN);
    expect(r.graph).toStrictEqual(g);
  });

  it("a recurrent layer as a nested NIRGraph round-trips", async () => {
    const layer = graph().input("input", [3]).cubaLIF("lif", { tau_syn: 5e-3, tau_mem: 1e-2, w_in: 2, v_threshold: 1 })
      .linear("w_rec", tensor([0, 1, 0, 0, 0, 1, 1, 0, 0], [3, 3], "float32")).connect("w_rec", "lif").output("output", { from: "lif" }).build();
    const g = graph().input("in", [2]).linear("fc", tensor([1, 0, 0, 1, 1, 1], [3, 2])).build();
    g.nodes.layer = layer;
    g.nodes.out = { type: "Output", shape: [3] };
    g.edges.push({ src: "fc", dst: "layer" }, { src: "layer", dst: "out" });
    const back = await readNir(await writeNir(g));
    expect(back).toStrictEqual(g);
    expect(tensorBits(back)).toEqual(tensorBits(g));
    expect((back.nodes.layer as GraphNode).edges).toContainEqual({ src: "w_rec", dst: "lif" });
  });

  it("writes v_reset only when present, and keeps metadata and port types", async () => {
    const g = graph().input("in", 1).lif("a", { tau: 0.01, v_threshold: 1 }).lif("b", { tau: 0.01, v_threshold: 1, v_reset: -0.5 }).output("out").build();
    g.nodes.a.metadata = { note: "from a test", level: 3, gain: 0.5, tags: ["x", "y"], nested: { k: [1, 2] } };
    g.nodes.b.input_type = { input: [1] };
    const back = await readNir(await writeNir(g));
    expect((back.nodes.a as NodeOf<"LIF">).v_reset).toBeUndefined();
    expect((back.nodes.b as NodeOf<"LIF">).v_reset?.data).toEqual(new Float64Array([-0.5]));
    expect(back.nodes.a.metadata).toEqual(g.nodes.a.metadata);
    expect(back.nodes.b.input_type).toEqual({ input: [1] });
  });

  it("stores ints as int64 and Conv1d input_shape as a scalar, as the reference does", async () => {
    const conv: Node = {
      type: "Conv1d", weight: tensor(0.5, [2, 1, 3], "float32"), bias: tensor(0, [2], "float32"),
      stride: [1], padding: [1], dilation: [1], groups: 1, input_shape: [5],
    };
    const g = graph().input("in", [1, 5]).node("conv", conv).output("out").build();
    const bytes = await writeNir(g);
    const h5 = await loadH5();
    const seen = withH5Bytes(h5, bytes, (f) => ["input_shape", "stride", "groups", "weight"].map((k) => {
      const ds = f.get(`node/nodes/conv/${k}`);
      return ds instanceof h5.Dataset ? `${k} ${String(ds.dtype)} [${(ds.shape ?? []).join(",")}]` : `${k} missing`;
    }));
    expect(seen).toEqual(["input_shape <q []", "stride <q [1]", "groups <q []", "weight <f [2,1,3]"]);
    expect(await readNir(bytes)).toStrictEqual(g);
  });

  it("gzip-compressed files read back the same", async () => {
    const g = graph().input("in", 4).linear("fc", tensor(Array.from({ length: 64 }, (_, i) => i / 7), [16, 4], "float32")).lif("lif", { tau: 0.01, v_threshold: 1 }).output("out").build();
    const plain = await writeNir(g);
    const zipped = await writeNir(g, undefined, { compression: "gzip", compressionLevel: 9 });
    expect(zipped).not.toEqual(plain);
    expect(await readNir(zipped)).toStrictEqual(g);
  });
});

describe("writeNir refuses Phasor extensions, naming node and field", () => {
  it("refuses t_ref, MultiCubaLIF, SparseProjection and edge ports all at once", async () => {
    const multi: Node = {
      type: "MultiCubaLIF", tau_syn: tensor([5e-3, 1e-2], [2]), tau_mem: tensor(0.02, [1]), r: tensor(1, [1]), v_leak: tensor(0, [1]), v_threshold: tensor(1, [1]),
    };
    const g: Graph = graph().input("in", 1).lif("lif", { tau: 0.01, v_threshold: 1, t_ref: 2e-3 }).build();
    g.nodes.syn = sparseFromCoo({ pre: 1, post: 1, i: [0], j: [0], weight: 1 });
    g.nodes.multi = multi;
    g.nodes.out = { type: "Output", shape: [1] };
    g.edges.push({ src: "lif", dst: "syn" }, { src: "syn", dst: "multi", port: 1 }, { src: "multi", dst: "out" });
    const e = await issuesOf(writeNir(g));
    const where = e.issues.map((i) => `${i.code} ${i.path.join(".")}`);
    expect(where).toEqual(expect.arrayContaining(["not-nir lif.t_ref", "not-nir syn", "not-nir multi", "not-nir edges.2"]));
    expect(e.message).toContain("t_ref is a Phasor extension field");
    expect(e.message).toContain("SparseProjection is a Phasor extension");
    expect(e.message).toContain("synaptic port 1");
  });
});
