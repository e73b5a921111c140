/** The Vogels–Abbott CUBA network (4000 MultiCubaLIF neurons, 2% sparse recurrent, refractory) on the reference simulator. */
import { describe, expect, it } from "vitest";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import { simulate } from "../lib/ir/sim/index.js";

describe("Vogels–Abbott CUBA", () => {
  const model = cubaNetwork({ seed: 1 });
  const dt = 1e-4;
  const steps = 10_000; // 1 s of biological time

  it("simulates 1 s (10000 steps) with a sustained, refractory-limited rate", () => {
    const started = performance.now();
    const r = simulate(model.graph, { dt, steps, init: model.init, integrator: "exact", record: [] });
    const seconds = (performance.now() - started) / 1000;
    const spikes = r.spikes.P as Array<[number, number]>;
    const rate = spikes.length / 4000 / (steps * dt);
    console.log(`CUBA: ${steps} steps in ${seconds.toFixed(2)} s, ${spikes.length} spikes, mean rate ${rate.toFixed(2)} Hz`);
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(50);
    // Activity lasts the whole second rather than dying out after the initial transient.
    expect(spikes.some(([t]) => t > steps - 1000)).toBe(true);
    // No neuron fires twice within its 5 ms (50-step) refractory period.
    const last = new Int32Array(4000).fill(-1000);
    let tooSoon = 0;
    for (const [t, k] of spikes) {
      if (t - last[k] <= 50) tooSoon++;
      last[k] = t;
    }
    expect(tooSoon).toBe(0);
  });

  it("Euler and exact integration give similar rates at dt = 0.1 ms", () => {
    const rate = (integrator: "euler" | "exact") => simulate(model.graph, { dt, steps: 3000, init: model.init, integrator }).spikes.P.length;
    const [e, x] = [rate("euler"), rate("exact")];
    expect(Math.abs(e - x) / x).toBeLessThan(0.15);
  });
});
