// Must-show: for every compiled network, the behavioural engine matches the reference
// simulator exactly on a float target and within the quantisation bound on fixed-point
// targets (agreement printed), and the cycle-accurate engine's spikes equal the behavioural
// engine's bit for bit. Energy reports name every constant without a published figure and
// give null, not 0, for what rests on one; both engines charge a run the same dynamic energy.
import { describe, expect, test } from "vitest";
import { simulate } from "../lib/ir/sim/index.js";
import { compile } from "../lib/compiler/index.js";
import { runProgram, floatProgram, spikeAgreement } from "../lib/vm/index.js";
import { haveNirPaper } from "./support.js";
import { cases, ifNet, randomSpikes } from "./vm-networks.js";

const ok = haveNirPaper();
const runnable = cases.filter((c) => ok || !c.nir);

describe("VM conformance", () => {
  test.each(runnable.map((c) => [c.name, c] as const))("%s: float target == reference simulator, identical spikes", async (_, c) => {
    const g = await c.graph();
    const reset = c.targets[0].options.reset ?? "zero";
    const opts = { steps: c.steps, input: c.input, init: c.init };
    const ref = simulate(g, { dt: 1e-4, reset, ...opts });
    const vm = runProgram(floatProgram(g, undefined, { reset, allowHost: c.targets[0].options.allowHost }), opts);
    for (const [layer, spikes] of Object.entries(vm.spikes)) {
      const a = spikeAgreement(ref.spikes[layer], spikes);
      console.log(`${c.name} generic-mesh-float ${layer}: ${a.a} reference spikes, ${a.b} VM spikes, identical ${a.identical}`);
      // No exceptions: a recurrent Affine's bias rides on its recurrent projection and arrives from step 1, as in the reference.
      expect(spikes).toEqual(ref.spikes[layer]);
    }
  });

  test.each(runnable.flatMap((c) => c.targets.map((t) => [`${c.name} on ${t.target}`, c, t] as const)))("%s: fixed point within the quantisation bound; cycle == behavioural bit for bit", async (_, c, t) => {
    const g = await c.graph();
    const p = compile(g, t.target, t.options);
    const opts = { steps: c.steps, input: c.input, init: c.init };
    const ref = simulate(g, { dt: 1e-4, reset: p.options.reset, ...opts });
    const beh = runProgram(p, opts);
    const cyc = runProgram(p, { ...opts, engine: "cycle" });
    for (const [layer, spikes] of Object.entries(beh.spikes)) {
      const rep = p.report.layers.find((l) => l.name === layer);
      const a = spikeAgreement(ref.spikes[layer], spikes);
      console.log(`${c.name} ${t.target} ${layer}: weight error ${rep?.weightError?.toExponential(2) ?? "-"}, decay error ${rep?.decayError?.toExponential(2) ?? "-"}; ${a.a} reference / ${a.b} VM spikes, exact agreement ${(100 * a.exact).toFixed(1)}%, count agreement ${(100 * a.counts).toFixed(1)}%`);
      if (a.a >= 20 && (rep?.weightError ?? 0) < 0.05) expect(a.counts).toBeGreaterThan(0.5);
      expect(cyc.spikes[layer]).toEqual(spikes);
    }
    expect(cyc.counters).toEqual(beh.counters);
    expect(cyc.cycles!.packets).toBe(beh.counters.total.packets);
    expect(cyc.cycles!.hops).toBe(beh.counters.total.hops);
  });
});

describe("energy provenance", () => {
  test("a figure resting on an unpublished constant is null with its reason; published constants carry values", () => {
    const p2 = compile(ifNet(), "loihi2", { reset: "zero" }), p1 = compile(ifNet(), "loihi", { reset: "zero" });
    const input = randomSpikes([16], 20, 0.3, 6);
    const e2 = runProgram(p2, { steps: 20, input }).energy, e1 = runProgram(p1, { steps: 20, input }).energy;
    expect([e2.total, e2.perInference, e2.dynamicPerInference, e2.staticPerInference, e2.averagePower, e2.seconds]).toEqual([null, null, null, null, null, null]);
    expect(e2.byOp.synOp).toBeNull();
    expect(e2.constants["energy.synOp"]).toMatchObject({ value: null, kind: "unpublished" });
    expect(e2.na.dynamic).toMatch(/^energy\.synOp, .* have no published figure$/);
    expect(e2.na.time).toMatch(/chip time rests on timing\.clock, timing\.synOp/);
    expect(e2.caveats.some((c) => c.startsWith("energy.synOp has no published figure: ") && c.includes("Loihi 1"))).toBe(true);
    expect(JSON.parse(JSON.stringify(e2)).perInference).toBeNull();
    expect(e1.perInference).toBeGreaterThan(0);
    expect(Object.values(e1.constants).every((k) => k.value !== null)).toBe(true);
    expect(e1.caveats.filter((c) => c.includes("no published figure"))).toEqual([]);
    expect(e1.constants["energy.staticPerCore"]).toMatchObject({ kind: "fitted", source: expect.stringMatching(/3\.34 W .* \/ 32 chips \/ 128 cores/) });
  });

  test.each(runnable.flatMap((c) => c.targets.map((t) => [`${c.name} on ${t.target}`, c, t] as const)))("%s: both engines charge the same dynamic energy; static differs only with the chip time", async (_, c, t) => {
    const p = compile(await c.graph(), t.target, t.options);
    const opts = { steps: c.steps, input: c.input, init: c.init };
    const beh = runProgram(p, opts).energy, cyc = runProgram(p, { ...opts, engine: "cycle" }).energy;
    const { static: sb, ...dynB } = beh.byOp, { static: sc, ...dynC } = cyc.byOp;
    expect(dynC).toEqual(dynB);
    expect(cyc.dynamicPerInference).toBe(beh.dynamicPerInference);
    expect(cyc.byLayer).toEqual(beh.byLayer);
    if (sb !== null && sb !== undefined && beh.seconds) expect((sc as number) / cyc.seconds!).toBeCloseTo(sb / beh.seconds, 15);
    else expect(sc === null || sc === 0).toBe(true);
  });
});
