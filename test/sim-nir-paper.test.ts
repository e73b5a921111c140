/** The reference simulator on the NIR paper's graphs (../shared/nir-paper, see its README.md). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Graph } from "../lib/ir/graph.js";
import { readNir } from "../lib/ir/nir/index.js";
import { columns, simulate } from "../lib/ir/sim/index.js";
import { haveNirPaper, nirPaper } from "./support.js";

const DIR = nirPaper + "/";
// Skips with a message when ../shared/nir-paper is missing; fails under PHASOR_REQUIRE_ALL=1.
const present = haveNirPaper();

/** Deterministic binary input [T, ...shape] with about `p` of the elements set. */
function spikes(T: number, n: number, p: number, seed = 1): Float64Array {
  return Float64Array.from({ length: T * n }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 < p ? 1 : 0));
}

describe.skipIf(!present)("NIR paper graphs", () => {
  it("lif_norse.nir reproduces Norse's trace: the same 4 spike steps, max |v - v_norse| < 1e-6", async () => {
    // README: forward Euler, reset to zero, parameters as stored (readNir's default 'raw' convention).
    const g = await readNir(DIR + "lif_norse.nir", {});
    const rows = readFileSync(DIR + "lif_norse.csv", "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
    const T = rows.length;
    const r = simulate(g, { dt: 1e-4, input: { data: rows.map((x) => x[0]), shape: [T, 1] }, record: ["1"], integrator: "euler", reset: "zero" });
    const v = r.records["1"].v;
    const maxErr = rows.reduce((m, row, t) => Math.max(m, Math.abs(row[1] - v[t])), 0);
    expect(maxErr).toBeLessThan(1e-6);
    const norseSpikes = rows.flatMap((row, t) => (row[2] ? [t] : []));
    expect(norseSpikes).toHaveLength(4);
    expect(r.spikes["1"].map((s) => s[0])).toEqual(norseSpikes);
    expect(columns(r).map((c) => c.name)).toEqual(["1.v", "1.spike"]);
  });

  it("cnn_sinabs.nir takes a 2x34x34 input; its first Conv2d+IF layer (node 1) outputs 16x16x16 per step", async () => {
    const g = await readNir(DIR + "cnn_sinabs.nir", { convention: "sinabs", dt: 1e-4 });
    const T = 12;
    const r = simulate(g, { dt: 1e-4, input: { data: spikes(T, 2 * 34 * 34, 0.2), shape: [T, 2, 34, 34] }, record: ["1"] });
    expect(r.shapes["1"].output).toEqual([16, 16, 16]);
    expect(r.records["1"].spike).toHaveLength(T * 16 * 16 * 16);
    expect(r.spikes["1"].length).toBeGreaterThan(0);
    expect(r.outputs.output).toHaveLength(T * 10);
  });

  for (const file of ["braille_noDelay_bias_zero.nir", "braille_noDelay_noBias_subtract.nir"]) {
    it(`${file} simulates 256 steps of 12 inputs`, async () => {
      const g = await readNir(DIR + file, { convention: "snntorch", dt: 1e-4 });
      const reset = file.includes("subtract") ? "subtract" : "zero";
      const r = simulate(g, { dt: 1e-4, reset, input: { data: spikes(256, 12, 0.3), shape: [256, 12] }, record: ["lif1"] });
      expect(r.steps).toBe(256);
      expect(r.shapes.input.output).toEqual([12]);
      expect(Object.keys(r.records).sort()).toEqual(["lif1.lif", "lif1.w_rec"]);
      expect(r.spikes["lif1.lif"].length).toBeGreaterThan(0);
      expect(r.outputs.output).toHaveLength(256 * 7);
    });
  }

  it("the recurrent layer as a nested graph simulates to the same spikes as the flat file", async () => {
    // The file stores the layer flat, as nodes "lif1.lif" and "lif1.w_rec"; nest it by hand.
    const flat = await readNir(DIR + "braille_noDelay_bias_zero.nir", { convention: "snntorch", dt: 1e-4 });
    const { "lif1.lif": lif, "lif1.w_rec": rec, ...rest } = flat.nodes;
    const lif1: Graph = {
      type: "NIRGraph",
      nodes: { input: { type: "Input", shape: [38] }, lif, w_rec: rec, output: { type: "Output", shape: [38] } },
      edges: [{ src: "input", dst: "lif" }, { src: "lif", dst: "w_rec" }, { src: "w_rec", dst: "lif" }, { src: "lif", dst: "output" }],
    };
    const nested: Graph = {
      type: "NIRGraph",
      nodes: { ...rest, lif1 },
      edges: [{ src: "input", dst: "fc1" }, { src: "fc1", dst: "lif1" }, { src: "lif1", dst: "fc2" }, { src: "fc2", dst: "lif2" }, { src: "lif2", dst: "output" }],
    };
    expect(flat.edges).toHaveLength(7);
    const opts = { dt: 1e-4, input: { data: spikes(256, 12, 0.3, 7), shape: [256, 12] } };
    const a = simulate(flat, opts);
    const b = simulate(nested, opts);
    expect(a.spikes["lif1.lif"].length).toBeGreaterThan(0);
    expect(b.spikes).toEqual(a.spikes);
    expect(b.outputs).toEqual(a.outputs);
  });
});
