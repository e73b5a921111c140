/**
 * Population rates of the Potjans & Diesmann (2014) microcircuit at reduced scale against the
 * full-scale reference rates: `full_mean_rates` of INM-6's reference implementation
 * (microcircuit-PD14-model; NEST 3's example has the same), 0.903, 2.965, 4.414, 5.876, 7.569,
 * 8.633, 1.105, 7.829 Hz. No per-population tolerance is published; two published full-scale NEST
 * runs (that one and the NEST 2.x example's 0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523)
 * differ by up to 11.5% (L6E), so 15% is the bound here.
 *
 * 20% of the neurons with the full in-degrees (no correction applies: K is not scaled), procedural
 * projections in the reference simulator (memory grows with neurons: ~0.9 GB), 0.6 s of which the
 * first 0.1 s is a transient. L2/3 keeps a finite-size excess that shrinks as N grows (L2/3E
 * measured 2.5x at 5%, 1.6x at 10%, 1.24-1.37x at 20%, 1.01x at full scale over 0.5 s;
 * docs/microcircuit.md); it is bounded, not matched, here.
 */
import { describe, expect, it } from "vitest";
import { microcircuit, poissonDrive, POPULATIONS, REFERENCE_RATES } from "../lib/ir/models/microcircuit.js";
import { simulate } from "../lib/ir/sim/index.js";

const dt = 1e-4;

describe("microcircuit rates, 20% neurons, full in-degree, 0.6 s (reference simulator, procedural)", () => {
  it("L4, L5 and L6 within 15% of the full-scale rates; L2/3E and L2/3I above them, by less than 1.6x", () => {
    const steps = 6000, from = 1000, m = microcircuit({ seed: 1, dt, scale: 0.2, connectivity: "procedural" });
    const r = simulate(m.graph, { dt, steps, input: poissonDrive(m, steps, dt, 2), init: m.init });
    const ratio = POPULATIONS.map((p, a) => r.spikes[p].filter((s) => s[0] >= from).length / m.sizes[a] / 0.5 / REFERENCE_RATES[a]);
    const report = POPULATIONS.map((p, a) => `${p} ${ratio[a].toFixed(2)}`).join(", ");
    for (let a = 2; a < 8; a++) expect(Math.abs(ratio[a] - 1), report).toBeLessThan(0.15);
    for (const a of [0, 1]) {
      expect(ratio[a], report).toBeGreaterThan(1);
      expect(ratio[a], report).toBeLessThan(1.6);
    }
  }, 600_000);
});
