// The Vogels–Abbott CUBA network, built with the TypeScript builders, simulated for 1 s of
// biological time by the reference simulator: its mean rate matches Brian2's for the same
// network (Brian2's own CUBA example, run here with Debian's python3-brian).
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import { simulate } from "../lib/ir/sim/index.js";
import { havePython, repoRoot, systemPython } from "./support.js";

const hasBrian = havePython("brian2", "python3-brian");

function phasorRate(seed: number): number {
  const dt = 1e-4;
  const m = cubaNetwork({ seed, dt });
  const r = simulate(m.graph, { dt, steps: 10_000, init: m.init });
  return r.spikes.P.length / 4000;
}

describe("CUBA (Vogels–Abbott) against Brian2", () => {
  it("has the published structure: 4000 neurons, 2% connectivity", () => {
    const m = cubaNetwork({ seed: 1 });
    expect(m.graph.nodes.P.type).toBe("MultiCubaLIF");
    expect(m.synapses.exc / (3200 * 4000)).toBeCloseTo(0.02, 3);
    expect(m.synapses.inh / (800 * 4000)).toBeCloseTo(0.02, 2);
  });

  it("is reproducible: the same seed gives the same spikes", () => {
    const run = () => {
      const m = cubaNetwork({ seed: 3, n: 400, nExc: 320, p: 0.1 });
      return simulate(m.graph, { dt: 1e-4, steps: 2000, init: m.init }).spikes.P;
    };
    expect(run()).toEqual(run());
  });

  it.skipIf(!hasBrian)("mean rate over 1 s matches Brian2's within 15%", () => {
    const out = execFileSync(systemPython, [resolve(repoRoot, "bench/cuba_brian2.py"), "numpy", "1", "1"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const brian = JSON.parse(out.trim().split("\n").pop()!).rate_hz as number;
    const ours = (phasorRate(1) + phasorRate(2)) / 2;
    expect(brian).toBeGreaterThan(1);
    expect(Math.abs(ours - brian) / brian).toBeLessThan(0.15);
  }, 300_000);
});
