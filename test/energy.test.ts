// Energy from counts x the target's constants, checked against values computed by hand on a
// small network: active and inactive neuron updates priced apart (Davies 2018's 81 and 52 pJ),
// east-west, north-south and within-tile traffic priced apart, static power x chip time x
// cores in use, SANA-FE's spike and message terms; and the chip time both engines use.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Node } from "../lib/ir/graph.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { moveLayer } from "./support.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { loihiSanafe } from "../lib/target/presets/loihi-sanafe.js";
import type { Target } from "../lib/target/types.js";
import { runProgram, type RunResult } from "../lib/vm/index.js";
import { barrierSeconds } from "../lib/vm/chip-time.js";
import { getTarget } from "../lib/target/index.js";

const IF = (n: number, th = 0.5): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(th)) });
/**
 * 4 x 4 routers, 2 cores each: core 1 shares the host's router (0, 0), core 2 is one hop east,
 * core 8 one hop north; Loihi's constants, inactive updates included (generic-mesh leaves them out).
 */
const generic = genericMesh({ width: 4, height: 4, coresPerRouter: 2, neuronsPerCore: 16, name: "energy-mesh" });
const mesh: Target = {
  ...generic,
  timing: { ...generic.timing, neuronUpdateInactive: getTarget("loihi").timing.neuronUpdateInactive },
  energy: { ...generic.energy, neuronUpdateInactive: getTarget("loihi").energy.neuronUpdateInactive },
};
const pJ = 1e-12;

/**
 * in(2) -> h(3), weights [[1, 0], [1, 1], [0, 1]], threshold 0.5, over 4 steps of input
 * [1, 0], [0, 0], [0, 1], [1, 1]. By hand: h spikes h0 h1 | - | h1 h2 | h0 h1 h2 (7 spikes);
 * 8 synaptic ops (2 + 0 + 2 + 4); 4 input events. A neuron is active when it has input, a
 * state off rest or a bias: 2 + 0 + 2 + 3 = 7 of the 12 updates (it resets to 0 when it
 * spikes, and h2 has nothing before step 2); 5 are inactive. Traffic: the 4 input events go
 * from the host's router to h's core (the host's readout takes h's output without traffic).
 */
const small = () => graph().input("in", [2]).linear("w", tensor([1, 0, 1, 1, 0, 1], [3, 2])).node("h", IF(3)).output("o").build();
const input = { data: Float64Array.from([1, 0, 0, 0, 0, 1, 1, 1]), shape: [4, 2] };

const at = (core: number, t: Target = mesh, o: Parameters<typeof runProgram>[1] = {}) =>
  runProgram(moveLayer(compile(small(), t, { placer: "greedy" }), "h", core), { input, ...o });

describe("dynamic energy: counts x constants", () => {
  test("active and inactive neuron updates are priced apart (81 and 52 pJ), synaptic ops at 23.6 pJ", () => {
    const r = at(2);
    expect(r.spikes.h).toEqual([[0, 0], [0, 1], [2, 1], [2, 2], [3, 0], [3, 1], [3, 2]]);
    expect(r.counters.total.neuronUpdates).toBe(12);
    expect(r.energy.byOp.neuronUpdate).toBeCloseTo(7 * 81 * pJ, 22);
    expect(r.energy.byOp.neuronUpdateInactive).toBeCloseTo(5 * 52 * pJ, 22);
    expect(r.energy.byOp.synOp).toBeCloseTo(8 * 23.6 * pJ, 22);
    expect(r.energy.byLayer.h.neuronUpdate).toBeCloseTo(7 * 81 * pJ, 22);
  });

  test("east-west hops at 3.0 pJ, north-south at 4.0 pJ, within a tile at 1.7 pJ", () => {
    const ew = at(2).energy, ns = at(8).energy, tile = at(1).energy;
    expect(at(2).counters.total.hops).toBe(4);
    expect(ew.byOp.hop).toBeCloseTo(4 * 3.0 * pJ, 22);
    expect(ew.byOp.hopNS ?? 0).toBe(0);
    expect(ns.byOp.hopNS).toBeCloseTo(4 * 4.0 * pJ, 22);
    expect(ns.byOp.hop ?? 0).toBe(0);
    expect(tile.byOp.withinTile).toBeCloseTo(4 * 1.7 * pJ, 22);
    const rest = 8 * 23.6 + 7 * 81 + 5 * 52;
    expect(ew.dynamicPerInference).toBeCloseTo((rest + 4 * 3.0) * pJ, 22);
    expect(ns.dynamicPerInference).toBeCloseTo((rest + 4 * 4.0) * pJ, 22);
  });

  test("SANA-FE's profile adds 69.3 pJ per spike and 111 pJ per message a core sends, prices an update 72.8 / 51.2 pJ", () => {
    // in -> h -> g(1) with weights 1: g spikes whenever h does (steps 0, 2, 3); h's 7 spikes are 7 messages to g's core.
    const g = graph().input("in", [2]).linear("w", tensor([1, 0, 1, 1, 0, 1], [3, 2])).node("h", IF(3)).linear("w2", tensor([1, 1, 1], [1, 3])).node("g", IF(1)).output("o").build();
    const t: Target = { ...mesh, name: "sanafe-mesh", energy: loihiSanafe().energy };
    const r = runProgram(compile(g, t, { placer: "greedy" }), { input });
    expect(r.spikes.g).toEqual([[0, 0], [2, 0], [3, 0]]);
    const e = r.energy;
    expect(e.byOp.spike).toBeCloseTo(10 * 69.3 * pJ, 22);
    expect(e.byOp.packet).toBeCloseTo(7 * 111 * pJ, 22);
    expect(e.byOp.synOp).toBeCloseTo((8 + 7) * 35.5 * pJ, 22);
    // g: active at steps 0, 2, 3 (input), inactive at step 1 (reset to 0, no input).
    expect(e.byOp.neuronUpdate).toBeCloseTo((7 + 3) * (51.2 + 21.6) * pJ, 22);
    expect(e.byOp.neuronUpdateInactive).toBeCloseTo((5 + 1) * 51.2 * pJ, 22);
  });

  test("the loihi preset counts activity under Lava's model: inputs arrive a step later, a current left over is activity", () => {
    const r = runProgram(compile(small(), "loihi", { reset: "zero" }), { input, steps: 5 });
    expect(r.spikes.h).toEqual([[1, 0], [1, 1], [3, 1], [3, 2], [4, 0], [4, 1], [4, 2]]);
    // Active: step 1 h0 h1 (input), step 2 h0 h1 (their current u, set at step 1, decays to 0 now), step 3 h1 h2,
    // step 4 all three: 9 of 15 updates; v is 0 throughout (reset in the step it crosses).
    expect(r.energy.byOp.neuronUpdate).toBeCloseTo(9 * 81 * pJ, 22);
    expect(r.energy.byOp.neuronUpdateInactive).toBeCloseTo(6 * 52 * pJ, 22);
  });
});

describe("static energy and the chip time", () => {
  const P = 3.34 / 32 / 128; // Frady 2020: board static power / chips / cores

  test("static energy = static power per core x cores in use x chip time; real time is steps x dt", () => {
    const r = at(2, mesh, { timeBase: "real-time" }), dt = r.dt;
    expect(r.energy.timeBase).toBe("real-time");
    expect(r.energy.seconds).toBeCloseTo(4 * dt, 18);
    expect(r.energy.staticPerInference).toBeCloseTo(P * 1 * 4 * dt, 20);
    expect(r.energy.byCore["2"].static).toBeCloseTo(P * 4 * dt, 20);
    const rest = (8 * 23.6 + 7 * 81 + 5 * 52 + 4 * 3.0) * pJ;
    expect(r.energy.perInference).toBeCloseTo(rest + P * 4 * dt, 20);
    expect(r.energy.averagePower).toBeCloseTo((rest + P * 4 * dt) / (4 * dt), 12);
  });

  test("chip time on the cycle engine is its cycles at the clock; static energy follows it, dynamic does not", () => {
    const beh = at(2), cyc = at(2, mesh, { engine: "cycle" });
    expect(cyc.energy.timeBase).toBe("chip");
    expect(cyc.energy.seconds).toBeCloseTo(cyc.cycles!.totalCycles / 1e9, 18);
    expect(cyc.energy.staticPerInference).toBeCloseTo(P * cyc.energy.seconds!, 20);
    expect(cyc.energy.dynamicPerInference).toBe(beh.energy.dynamicPerInference);
    // The behavioural engine estimates: the busiest core's work plus a barrier per step (the mesh formula, 2 x (4 + 4 - 2) hops of 4.1 ns).
    const work = 8 * 3.5e-9 + 7 * 8.4e-9 + 5 * 5.3e-9;
    expect(beh.energy.seconds).toBeCloseTo(work + 4 * 2 * 6 * 4.1e-9, 18);
    expect(beh.energy.staticPerInference).toBeCloseTo(P * beh.energy.seconds!, 20);
  });

  test("Loihi's barrier: 113 ns on one tile, 465 ns on 32, linear between (Davies 2018 Table 2); SANA-FE's is a step table", () => {
    const l = getTarget("loihi"), s = getTarget("loihi-sanafe");
    expect(barrierSeconds(l, 1)).toBeCloseTo(113e-9, 18);
    expect(barrierSeconds(l, 32)).toBeCloseTo(465e-9, 18);
    expect(barrierSeconds(l, 16.5)).toBeCloseTo(289e-9, 18);
    expect([1, 2, 3, 4, 28, 29, 32].map((n) => Math.round(barrierSeconds(s, n) * 1e9))).toEqual([600, 1000, 1000, 1400, 1400, 1800, 1800]);
  });
});

/** Spikes of every layer, for comparing runs. */
const spikes = (r: RunResult) => JSON.stringify(r.spikes);

describe("targets without a published figure", () => {
  test("Speck: resting power 0.42 mW for the whole chip over real time; per-event energy n/a", () => {
    const g = graph().input("in", [2, 8, 8]).node("conv", { type: "Conv2d", weight: tensor(new Float64Array(4 * 2 * 9).fill(1), [4, 2, 3, 3]), stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: tensor(new Float64Array(4), [4]) })
      .node("spk", { type: "IF", r: tensor([1e4]), v_threshold: tensor([2]) }).output("y").build();
    const p = compile(g, "speck");
    const data = Float64Array.from({ length: 5 * 128 }, (_, k) => (k % 7 === 0 ? 1 : 0));
    const beh = runProgram(p, { input: { data, shape: [5, 2, 8, 8] } }), cyc = runProgram(p, { input: { data, shape: [5, 2, 8, 8] }, engine: "cycle" });
    expect(spikes(cyc)).toBe(spikes(beh));
    for (const e of [beh.energy, cyc.energy]) {
      expect(e.seconds).toBeCloseTo(5 * p.options.dt, 18);
      expect(e.staticPerInference).toBeCloseTo(0.42e-3 * 5 * p.options.dt, 20);
      expect(e.dynamicPerInference).toBeNull();
      expect(e.perInference).toBeNull();
      expect(e.na.dynamic).toBe("energy.synOp, energy.neuronUpdate and energy.hop have no published figure");
    }
    expect(cyc.cycles!.na).toMatch(/timing\.synOp, timing\.neuronUpdate, timing\.hop/);
  });
});
