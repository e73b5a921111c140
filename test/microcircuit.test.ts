/**
 * The Potjans & Diesmann (2014) microcircuit at reduced scale: the builder's published numbers,
 * procedural == materialised spike for spike (reference simulator and VM), VM == simulator on float.
 */
import { describe, expect, it } from "vitest";
import { fullSynapses, microcircuit, poissonDrive, POPULATIONS, PD14, dcCompensation } from "../lib/ir/models/microcircuit.js";
import { simulate } from "../lib/ir/sim/index.js";
import { floatProgram, genericMeshFloat, runProgram } from "../lib/vm/index.js";
import { checkNirExpressible } from "../lib/ir/nir/write.js";

const dt = 1e-4;

describe("microcircuit builder", () => {
  it("has the published sizes and about 0.3 billion synapses at full scale (PD14: 77,169 neurons)", () => {
    expect(PD14.N.reduce((a, n) => a + n, 0)).toBe(77169);
    let total = 0;
    for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) total += fullSynapses(a, b);
    expect(total).toBeGreaterThan(2.9e8);
    expect(total).toBeLessThan(3.0e8);
    // PD14 eq. 1 by hand for L2/3E -> L2/3E: ln(1 - 0.1009) / ln(1 - 1 / 20683^2).
    expect(fullSynapses(0, 0)).toBeCloseTo(Math.log(0.8991) / Math.log(1 - 1 / 20683 ** 2), 3);
  });

  it("scales neurons and synapses; in-degree scaling adds the DC compensation, none at full in-degree", () => {
    const m = microcircuit({ seed: 1, dt, scale: 0.01, kScale: 0.5, connectivity: "procedural" });
    expect(m.sizes).toEqual([207, 58, 219, 55, 49, 11, 144, 29]);
    expect(m.synapses.L4E_L23E).toBe(Math.round(fullSynapses(0, 2) * 0.01 * 0.5));
    expect(dcCompensation(1, true).every((x) => x === 0)).toBe(true);
    // (1 - sqrt(0.5)) of each population's mean input restored as DC: L2/3E's exceeds 0 (net excitatory drive).
    expect(dcCompensation(0.5, true)[0]).toBeGreaterThan(0);
    // A weight of J pA as J tau_syn / dt in the graph, times 1/sqrt(kScale).
    expect(m.extWeight).toBeCloseTo((87.8 * 0.5e-3) / dt / Math.sqrt(0.5), 9);
  });

  it("draws the published weights and delays: L4E -> L2/3E at twice 87.8 pA, inhibition at -4x, delays clipped at dt", () => {
    const m = microcircuit({ seed: 2, dt: 2e-4, scale: 0.01, connectivity: "procedural" });
    const spec = (name: string) => m.graph.nodes[name] as Extract<(typeof m.graph.nodes)[string], { type: "ProceduralProjection" }>;
    const toPa = 2e-4 / 0.5e-3;
    const mean = (name: string) => { const w = spec(name).weight; return w.kind === "normal" ? w.mean * toPa : NaN; };
    expect(mean("L4E_L23E")).toBeCloseTo(2 * 87.8, 9);
    expect(mean("L23E_L4E")).toBeCloseTo(87.8, 9);
    expect(mean("L23I_L23E")).toBeCloseTo(-4 * 87.8, 9);
    expect(spec("L23I_L23E").delay).toEqual({ kind: "normal", mean: 0.75e-3, sd: 0.375e-3, min: 2e-4 });
    expect(spec("L4E_L23E").delay).toEqual({ kind: "normal", mean: 1.5e-3, sd: 0.75e-3, min: 2e-4 });
  });

  it("is a Phasor extension graph: the NIR writer refuses it", () => {
    expect(() => checkNirExpressible(microcircuit({ seed: 1, dt, scale: 0.002 }).graph)).toThrow(/Phasor extension/);
  });
});

describe("procedural == materialised (reference simulator), 5% neurons, full in-degree, 200 ms", () => {
  it("gives the same spikes, and every population fires", () => {
    const steps = 2000, spikes: Record<string, unknown>[] = [];
    for (const connectivity of ["materialised", "procedural"] as const) {
      const m = microcircuit({ seed: 3, dt, scale: 0.05, connectivity });
      const r = simulate(m.graph, { dt, steps, input: poissonDrive(m, steps, dt, 4), init: m.init });
      spikes.push(r.spikes);
    }
    for (const p of POPULATIONS) {
      expect((spikes[0][p] as unknown[]).length).toBeGreaterThan(0);
      expect(spikes[1][p]).toEqual(spikes[0][p]);
    }
  }, 120_000);
});

describe("VM on float: procedural == materialised == reference simulator, 1% neurons, full in-degree, 50 ms", () => {
  it("gives the same spikes in every population, and the report says which form and why", () => {
    const steps = 500, m = microcircuit({ seed: 5, dt, scale: 0.01, connectivity: "procedural" });
    const input = poissonDrive(m, steps, dt, 6);
    const ref = simulate(m.graph, { dt, steps, input, init: m.init }).spikes;
    const target = genericMeshFloat({ synapsesPerCore: 1 << 24, fanIn: 1 << 16 });
    const runs = (["materialised", "procedural"] as const).map((connectivity) => {
      const p = floatProgram(m.graph, target, { dt, connectivity, placer: "greedy" });
      const rows = p.report.connectivity ?? [];
      expect(rows.length).toBe(Object.keys(m.synapses).length);
      expect(rows.every((r) => r.mode === connectivity && r.reason.includes(connectivity))).toBe(true);
      expect(p.projections.filter((x) => x.procedural).length).toBe(connectivity === "procedural" ? rows.length : 0);
      const r = runProgram(p, { steps, input, init: m.init });
      return { spikes: r.spikes, synOps: r.counters.total.synOpsAC, packets: r.counters.total.packets };
    });
    // Counters see a procedural row as the stored one: the same synaptic operations and packets.
    expect(runs[1].synOps).toBe(runs[0].synOps);
    expect(runs[1].synOps).toBeGreaterThan(0);
    expect(runs[1].packets).toBe(runs[0].packets);
    for (const p of POPULATIONS) {
      expect(ref[p].length).toBeGreaterThan(0);
      expect(runs[0].spikes[p]).toEqual(ref[p]);
      expect(runs[1].spikes[p]).toEqual(runs[0].spikes[p]);
    }
  }, 120_000);

  it("auto: procedural only where the synapses exceed the target's synapse memory", () => {
    const m = microcircuit({ seed: 5, dt, scale: 0.005, connectivity: "procedural" });
    const big = floatProgram(m.graph, genericMeshFloat({ synapsesPerCore: 1 << 24, fanIn: 1 << 16 }), { dt, placer: "greedy" });
    expect(big.report.connectivity!.every((r) => r.mode === "materialised" && /fit/.test(r.reason))).toBe(true);
    const small = floatProgram(m.graph, genericMeshFloat({ width: 16, height: 8, synapsesPerCore: 8000, fanIn: 1 << 16 }), { dt, placer: "greedy" });
    const proc = small.report.connectivity!.filter((r) => r.mode === "procedural");
    expect(proc.length).toBeGreaterThan(0);
    expect(proc.length).toBeLessThan(small.report.connectivity!.length);
    expect(proc[0].reason).toMatch(/exceed half generic-mesh-float's synapse memory \(128 cores x 8000\)/);
  }, 120_000);
});
