import { describe, expect, test } from "vitest";
import { materialise, type ProceduralSpec } from "../../ir/procedural.js";
import { expectedFanIn, isBuilt, lazyCsr, ruleStats } from "./rule-stats.js";
import { compileUntil } from "../pipeline.js";
import { genericMesh } from "../../target/presets/generic.js";
import type { Graph } from "../../ir/graph.js";

/** Largest |weight| and delay of the materialised form: what ruleStats must find without storing it. */
function truth(s: ProceduralSpec): { w: number; d: number } {
  const c = materialise(s);
  return { w: c.weight.reduce((a, x) => Math.max(a, Math.abs(x)), 0), d: c.delay ? c.delay.reduce((a, x) => Math.max(a, x), 0) : 0 };
}

const base = { pre: 300, post: 200, seed: 7 } as const;
const exc = { kind: "normal", mean: 87.8, sd: 8.78, min: 0 } as const;
const inh = { kind: "normal", mean: -351, sd: 35.1, max: 0 } as const;
const delay = { kind: "normal", mean: 1.5e-3, sd: 0.75e-3, min: 1e-4 } as const;

describe("ruleStats: a rule's largest weight and delay without storing its synapses", () => {
  const cases: Array<[string, ProceduralSpec]> = [
    ["fixed total with multapses, clipped normals", { ...base, rule: { kind: "fixed-total", n: 9000, multapses: true }, weight: exc, delay }],
    ["fixed total without multapses, inhibitory", { ...base, rule: { kind: "fixed-total", n: 5000, multapses: false }, weight: inh, delay }],
    ["fixed probability, redrawn normals", { ...base, rule: { kind: "fixed-probability", p: 0.1 }, weight: { ...exc, redraw: { min: 0 } }, delay: { ...delay, redraw: { min: 1e-4 } } } as ProceduralSpec],
    ["fixed out-degree, odd rows, redraw on both sides", { ...base, rule: { kind: "fixed-out-degree", k: 7, multapses: true }, weight: { kind: "normal", mean: 1, sd: 2, redraw: { min: -1, max: 4 } }, delay } as ProceduralSpec],
  ];
  for (const [name, spec] of cases) test(`${name}: equal to the materialised form's maxima`, () => {
    const t = truth(spec), r = ruleStats(spec);
    expect(r.maxAbsWeight).toBe(t.w);
    expect(r.maxDelay).toBe(t.d);
  });

  test("uniform weights and a constant delay: the materialised maxima too, and the synapse count", () => {
    const spec: ProceduralSpec = { ...base, rule: { kind: "fixed-out-degree", k: 3, multapses: true }, weight: { kind: "uniform", low: -2, high: 1 }, delay: { kind: "constant", value: 3e-3 } };
    const t = truth(spec);
    expect(ruleStats(spec)).toEqual({ maxAbsWeight: t.w, maxDelay: 3e-3, synapses: 900 });
  });

  test("expected fan-in: rows of mean length L reach c of n targets with chance 1 - (1 - c/n)^L (by hand)", () => {
    const spec: ProceduralSpec = { ...base, rule: { kind: "fixed-total", n: 600, multapses: true }, weight: exc };
    // L = 600 / 300 = 2; c = 50 of 200: 300 x (1 - 0.75^2) = 131.25.
    expect(expectedFanIn(spec, 50)).toBeCloseTo(131.25, 10);
    expect(expectedFanIn(spec, 200)).toBe(300);
  });

  test("the lazy CSR is the materialised form, built only when read", () => {
    const spec: ProceduralSpec = { ...base, rule: { kind: "fixed-total", n: 600, multapses: true }, weight: exc, delay };
    const c = lazyCsr(spec), m = materialise(spec);
    expect(c.pre).toBe(300);
    expect(isBuilt(c)).toBe(false);
    expect(c.indices).toEqual(m.indices);
    expect(c.delay).toEqual(m.delay);
    expect(isBuilt(c)).toBe(true);
  });

  test("compiling keeps a procedural projection's synapses unbuilt: no CSR, the rule's maxima instead", () => {
    const spec: ProceduralSpec = { pre: 400, post: 300, seed: 3, rule: { kind: "fixed-total", n: 4000, multapses: true }, weight: { kind: "normal", mean: 0.4, sd: 0.1, min: 0 }, delay };
    const lif = (n: number) => ({ type: "LIF", tau: { shape: [n], data: new Float64Array(n).fill(0.02) }, r: { shape: [n], data: new Float64Array(n).fill(1) }, v_leak: { shape: [n], data: new Float64Array(n) }, v_threshold: { shape: [n], data: new Float64Array(n).fill(1) } });
    const g = { type: "NIRGraph", nodes: { in: { type: "Input", shape: [400] }, a: lif(400), p: { type: "ProceduralProjection", ...spec }, b: lif(300) },
      edges: [{ src: "in", dst: "a" }, { src: "a", dst: "p" }, { src: "p", dst: "b" }] } as unknown as Graph;
    const mesh = genericMesh({ neuronsPerCore: 64, name: "lazy-mesh" });
    const proc = compileUntil(g, mesh, { connectivity: "procedural" }, "emit"), mat = compileUntil(g, mesh, { connectivity: "materialised" }, "emit");
    const pp = proc.netlist!.projections.find((p) => p.name === "p")!, pm = mat.netlist!.projections.find((p) => p.name === "p")!;
    expect(pp.csr).toBeUndefined();
    expect(isBuilt((pp.ops[0] as { csr: Parameters<typeof isBuilt>[0] }).csr)).toBe(false);
    expect(pm.csr!.indices.length).toBe(4000);
    // Same largest weight, so the same weight scale; the same longest delay.
    expect(pp.scale).toBe(pm.scale);
    const steps = Array.from(pm.csr!.delay!);
    expect(proc.program!.projections.find((p) => p.name === "p")!.procedural!.maxDelay).toBe(Math.max(...steps));
  });
});
