import { describe, expect, it } from "vitest";
import { PhasorError } from "./errors.js";
import { materialise, roundHalfUp, RowGenerator, sortTargets, type ProceduralSpec } from "./procedural.js";
import { validateGraph } from "./validate.js";
import { checkNirExpressible } from "./nir/write.js";
import type { Graph } from "./graph.js";
import { Rng } from "./random.js";

const base = { pre: 60, post: 40, weight: { kind: "normal", mean: 2, sd: 1, min: 0 }, delay: { kind: "uniform", low: 1e-4, high: 3e-3 }, seed: 7 } as const;
const spec = (rule: ProceduralSpec["rule"]): ProceduralSpec => ({ ...base, rule });

/** Row i of a CSR as [post, weight, delay] triples. */
function csrRow(c: ReturnType<typeof materialise>, i: number): number[][] {
  const out: number[][] = [];
  for (let s = c.indptr[i]; s < c.indptr[i + 1]; s++) out.push([c.indices[s], c.weight[s], c.delay![s]]);
  return out;
}

describe("procedural rows", () => {
  const rules: ProceduralSpec["rule"][] = [
    { kind: "fixed-probability", p: 0.1 },
    { kind: "fixed-total", n: 500, multapses: true },
    { kind: "fixed-total", n: 500, multapses: false },
    { kind: "fixed-out-degree", k: 7, multapses: false },
  ];
  for (const rule of rules) {
    it(`${rule.kind}${"multapses" in rule ? ` (multapses ${rule.multapses})` : ""}: a row generated alone, in any order, equals its materialised CSR row`, () => {
      const c = materialise(spec(rule)), gen = new RowGenerator(spec(rule));
      for (let i = base.pre - 1; i >= 0; i -= 3) {
        const n = gen.row(i);
        const row = Array.from({ length: n }, (_, s) => [gen.post[s], gen.weight[s], gen.delay![s]]);
        expect(row).toEqual(csrRow(c, i));
      }
    });
  }

  it("row targets are sorted ascending with every multapse kept (insertion and radix paths, 1 to 4 byte passes)", () => {
    const rng = new Rng(3);
    for (const size of [1, 2, 255, 256, 257, 1034, 65536, 65537, 2 ** 25]) {
      for (const n of [0, 1, 5, 47, 48, 49, 500, 3000]) {
        const a = Int32Array.from({ length: n + 3 }, () => Math.floor(rng.random() * size));
        const want = Array.from(a.subarray(0, n)).sort((x, y) => x - y);
        const tail = Array.from(a.subarray(n));
        sortTargets(a, n, size);
        expect(Array.from(a.subarray(0, n))).toEqual(want);
        expect(Array.from(a.subarray(n))).toEqual(tail);
      }
    }
  });

  it("another seed gives other synapses", () => {
    const a = materialise(spec(rules[1])), b = materialise({ ...spec(rules[1]), seed: 8 });
    expect(Array.from(a.indices)).not.toEqual(Array.from(b.indices));
  });

  it("fixed total: exactly n synapses; without multapses no target twice in a row", () => {
    for (const multapses of [true, false]) {
      const c = materialise(spec({ kind: "fixed-total", n: 500, multapses }));
      expect(c.indptr[base.pre]).toBe(500);
      if (!multapses) for (let i = 0; i < base.pre; i++) expect(new Set(csrRow(c, i).map((r) => r[0])).size).toBe(c.indptr[i + 1] - c.indptr[i]);
    }
  });

  it("fixed total with multapses: row lengths are multinomial with equal cells (sum n; chi-square of 60 rows within 3.7 sd of 59)", () => {
    const c = materialise({ ...spec({ kind: "fixed-total", n: 60000, multapses: true }), pre: 60 });
    const len = Array.from({ length: 60 }, (_, i) => c.indptr[i + 1] - c.indptr[i]);
    expect(len.reduce((a, x) => a + x, 0)).toBe(60000);
    // Counts of 60000 over 60 equal cells: sum (c - 1000)^2 / 1000 is chi-square, 59 degrees (mean 59, sd sqrt(118)).
    const chi2 = len.reduce((a, x) => a + (x - 1000) ** 2 / 1000, 0);
    expect(Math.abs(chi2 - 59)).toBeLessThan(3.7 * Math.sqrt(118));
  });

  it("fixed out-degree: k distinct targets per row; fixed in-degree: k sources per target", () => {
    const out = materialise(spec({ kind: "fixed-out-degree", k: 7, multapses: false }));
    for (let i = 0; i < base.pre; i++) expect(new Set(csrRow(out, i).map((r) => r[0])).size).toBe(7);
    const inn = materialise(spec({ kind: "fixed-in-degree", k: 5, multapses: false }));
    const perPost = new Int32Array(base.post);
    for (const j of inn.indices) perPost[j]++;
    expect(Array.from(perPost)).toEqual(new Array(base.post).fill(5));
  });

  it("fixed probability: the synapse count lies within 4 sd of p pre post", () => {
    const c = materialise({ ...spec({ kind: "fixed-probability", p: 0.1 }), pre: 400, post: 300 });
    const mean = 0.1 * 400 * 300, sd = Math.sqrt(mean * 0.9);
    expect(Math.abs(c.indices.length - mean)).toBeLessThan(4 * sd);
  });

  it("weights follow the clipped normal (mean, sd, nothing below min)", () => {
    const c = materialise({ ...spec({ kind: "fixed-total", n: 20000, multapses: true }), weight: { kind: "normal", mean: 5, sd: 0.5, min: 4.9 } });
    expect(Math.min(...c.weight)).toBeGreaterThanOrEqual(4.9);
    const free = materialise({ ...spec({ kind: "fixed-total", n: 20000, multapses: true }), weight: { kind: "normal", mean: 5, sd: 0.5 } }).weight;
    const m = free.reduce((a, x) => a + x, 0) / free.length;
    const sd = Math.sqrt(free.reduce((a, x) => a + (x - m) ** 2, 0) / free.length);
    expect(Math.abs(m - 5)).toBeLessThan(0.02);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.02);
  });

  it("redraw (NEST's redraw): values outside the range are drawn again, giving the truncated normal's mean", () => {
    const redrawn = { kind: "normal", mean: 1, sd: 1, redraw: { min: 0 } } as const;
    const s = { ...spec({ kind: "fixed-total", n: 40000, multapses: true }), weight: redrawn };
    const w = materialise(s).weight;
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
    // Normal(1, 1) truncated below 0: mean 1 + phi(1) / Phi(1) = 1 + 0.24197 / 0.84134 = 1.28760 (clipping would give 1.08332).
    expect(Math.abs(w.reduce((a, x) => a + x, 0) / w.length - 1.2876)).toBeLessThan(0.015);
    const gen = new RowGenerator(s), c = materialise(s);
    for (const i of [59, 3, 30]) {
      const n = gen.row(i);
      expect(Array.from(gen.weight.subarray(0, n))).toEqual(Array.from(c.weight.subarray(c.indptr[i], c.indptr[i + 1])));
    }
    const bad = { ...s, weight: { kind: "normal", mean: -1, sd: 1, redraw: { min: 0 } } } as const;
    const g: Graph = {
      type: "NIRGraph",
      nodes: { inp: { type: "Input", shape: [60] }, proj: { type: "ProceduralProjection", ...bad }, out: { type: "Output", shape: [40] } },
      edges: [{ src: "inp", dst: "proj" }, { src: "proj", dst: "out" }],
    };
    expect(() => validateGraph(g)).toThrow(/proj.*weight.*redraw range \[0, Infinity\] must contain the mean -1/s);
  });

  it("fixed in-degree has no per-row form: the generator refuses it with a PhasorError", () => {
    expect(() => new RowGenerator(spec({ kind: "fixed-in-degree", k: 3, multapses: true }))).toThrow(PhasorError);
  });
});

describe("roundHalfUp", () => {
  it("is Math.round for every number: halves, their neighbours, 0.5 - 2^-54, negatives, huge values, random delays / dt", () => {
    const xs = [0, -0, 0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999999999994, 0.5000000000000001];
    xs.push(2 ** 52, 2 ** 52 - 0.5, 2 ** 53 + 2, -(2 ** 52) - 0.5, Infinity, -Infinity, NaN);
    for (let k = 0; k < 3000; k++)
      for (const e of [-1, 0, 1]) xs.push(k + 0.5 + e * Number.EPSILON * Math.max(1, k), k + 0.5 + e * 2 ** -54);
    const rng = new Rng(9);
    for (let k = 0; k < 100000; k++)
      xs.push((rng.random() * 0.02 - 0.001) / 1e-4, (rng.random() - 0.5) * 2 ** (rng.random() * 60));
    const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
    expect(xs.filter((x) => !same(roundHalfUp(x), Math.round(x)))).toEqual([]);
  });
});

describe("ProceduralProjection in the Graph", () => {
  const graph = (rule: ProceduralSpec["rule"]): Graph => ({
    type: "NIRGraph",
    nodes: { inp: { type: "Input", shape: [60] }, proj: { type: "ProceduralProjection", ...spec(rule) }, out: { type: "Output", shape: [40] } },
    edges: [{ src: "inp", dst: "proj" }, { src: "proj", dst: "out" }],
  });

  it("validates, and a bad rule is a PhasorError naming the node and field", () => {
    expect(() => validateGraph(graph({ kind: "fixed-total", n: 10, multapses: true }))).not.toThrow();
    expect(() => validateGraph(graph({ kind: "fixed-probability", p: 1.5 }))).toThrow(/proj.*rule.*p must lie in \[0, 1\]/s);
    expect(() => validateGraph(graph({ kind: "fixed-out-degree", k: 50, multapses: false }))).toThrow(/k = 50 exceeds the 40 candidates/);
  });

  it("is a Phasor extension the NIR writer refuses", () => {
    expect(() => checkNirExpressible(graph({ kind: "fixed-total", n: 10, multapses: true }))).toThrow(/ProceduralProjection is a Phasor extension/);
  });
});
