// energyReport on hand-made counters: every operation priced by the count it names, static power
// per core in use and per chip, the batch, n/a with its reason, caveats, and the one-line summary.
// Constants are small round numbers so each figure below is worked out by hand in the test.
import { describe, expect, test } from "vitest";
import { genericMesh } from "../lib/target/presets/generic.js";
import type { Constant, Target } from "../lib/target/types.js";
import { duration, energyReport, energySummary, fixed, isUnpublished, si } from "../lib/vm/energy.js";
import type { ActivityCounts, EnergyCounts } from "../lib/vm/energy-counts.js";
import type { ChipTime } from "../lib/vm/chip-time.js";
import { zeroCounts, type Counters, type Counts } from "../lib/vm/types.js";
import { directionalHops, energyCounts, linkWait } from "../lib/vm/energy-counts.js";
import { routerOf } from "../lib/vm/noc/routes.js";
import { deriveCounters } from "../lib/vm/counters.js";
import { coreModelFor } from "../lib/vm/cores/index.js";
import { VmSession } from "../lib/vm/session.js";
import { graph, sparseFromCoo, tensor } from "../lib/ir/builders.js";
import type { Node } from "../lib/ir/graph.js";
import { compile } from "../lib/compiler/index.js";
import { getTarget } from "../lib/target/index.js";
import { systemTarget, type LinkSpec } from "../lib/target/system.js";
import { runProgram } from "../lib/vm/index.js";

const pJ = 1e-12;
const k = (value: number, unit: string, kind: Constant["kind"] = "silicon", source = `src ${value}`): Constant =>
  ({ value, unit, source, kind }) as Constant;
/** synOp 2, update 3 (inactive 1), spike 5, packet 7, hop 11 (north-south 13), within a tile 17 pJ; 1 mW per core, 4 mW per chip, 2 mW dynamic. */
const FULL = {
  synOp: k(2, "pJ"), neuronUpdate: k(3, "pJ"), neuronUpdateInactive: k(1, "pJ"), spike: k(5, "pJ"), packet: k(7, "pJ"),
  hop: k(11, "pJ"), hopNS: k(13, "pJ"), withinTile: k(17, "pJ"), staticPerCore: k(1, "mW"), staticPerChip: k(4, "mW"),
  dynamicPower: k(2, "mW"),
};
const target = (energy: Record<string, Constant>): Target => ({ ...genericMesh({ name: "unit" }), energy } as unknown as Target);
const counts = (x: Partial<Counts>): Counts => ({ ...zeroCounts(), ...x });
const act = (x: Partial<ActivityCounts>): ActivityCounts =>
  ({ active: 0, inactive: 0, hopsEW: 0, hopsNS: 0, chipSpikes: 0, messagesOut: 0, messagesIn: 0, chipLinks: 0, boardLinks: 0, ...x }) as ActivityCounts;

/**
 * Layer a on core 0 (synOpsAC 10, synOpsMAC 4, dense 100, 8 updates, 6 hops, 3 within a tile);
 * layer b did nothing; core 3 is in use but idle; the host (-1) sent the hops. Batch 2.
 */
const counters: Counters = {
  total: counts({}), steps: 4, batch: 2,
  layers: { a: counts({ synOpsAC: 10, synOpsMAC: 4, synOpsDense: 100, neuronUpdates: 8, hops: 6, localDeliveries: 3 }), b: counts({}) },
  cores: {
    [-1]: counts({ hops: 6 }), 0: counts({ synOpsAC: 10, synOpsMAC: 4, neuronUpdates: 8, localDeliveries: 3 }), 3: counts({}),
  },
};
/** 5 of the 8 updates active; 4 east-west and 2 north-south links; 6 chip spikes; 9 messages out. */
const activity: EnergyCounts = {
  layers: { a: act({ active: 5, inactive: 3, hopsEW: 4, hopsNS: 2, chipSpikes: 6, messagesOut: 9 }), b: act({}) },
  cores: { [-1]: act({ hopsEW: 4, hopsNS: 2 }), 0: act({ active: 5, inactive: 3, chipSpikes: 6, messagesOut: 9 }), 3: act({}) },
  activityCounted: true, tilesUsed: 2,
};
const chip = (seconds: number | null, na?: string): ChipTime => ({ seconds, base: "chip", source: "by hand", ...(na ? { na } : {}) });
const US = chip(1e-6);

describe("energyReport: each operation priced by its own count", () => {
  // Priced inside each test (not while the file loads, where Stryker cannot tell which test covers it).
  const report = () => energyReport(target(FULL), counters, US, activity);

  test("event terms: AC + MAC synaptic ops (not dense), active and inactive updates, spikes, messages, hops by direction", () => {
    const e = report();
    expect(e.byOp.synOp).toBeCloseTo(14 * 2 * pJ, 24);
    expect(e.byOp.neuronUpdate).toBeCloseTo(5 * 3 * pJ, 24);
    expect(e.byOp.neuronUpdateInactive).toBeCloseTo(3 * 1 * pJ, 24);
    expect(e.byOp.spike).toBeCloseTo(6 * 5 * pJ, 24);
    expect(e.byOp.packet).toBeCloseTo(9 * 7 * pJ, 24);
    expect(e.byOp.hop).toBeCloseTo(4 * 11 * pJ, 24);
    expect(e.byOp.hopNS).toBeCloseTo(2 * 13 * pJ, 24);
    expect(e.byOp.withinTile).toBeCloseTo(3 * 17 * pJ, 24);
    const { static: _s, dynamicPower: _d, ...events } = e.byOp;
    expect(e.byLayer).toEqual({ a: events }); // b did nothing: no entry
  });

  test("static power x chip time x batch for each core in use (core 0 counts, the host does not), the chip's shared", () => {
    const e = report();
    // 2 us of chip time (1 us x batch 2): 2 nJ per core, 8 nJ per chip, 4 nJ of dynamic power.
    expect(e.byOp.static).toBeCloseTo(2 * 2e-9 + 8e-9, 20);
    expect(e.byOp.dynamicPower).toBeCloseTo(4e-9, 20);
    for (const c of ["0", "3"]) {
      expect(e.byCore[c].static).toBeCloseTo(2e-9 + 8e-9 / 2, 20);
      expect(e.byCore[c].dynamicPower).toBeCloseTo(4e-9 / 2, 20);
    }
    expect(e.byCore["-1"]).toEqual({ hop: expect.closeTo(44 * pJ, 24), hopNS: expect.closeTo(26 * pJ, 24) });
    expect(e.byCore["0"].synOp).toBeCloseTo(28 * pJ, 24);
    expect(e.byCore["0"].neuronUpdateInactive).toBeCloseTo(3 * pJ, 24);
    expect(e.byCore["3"].synOp).toBeUndefined();
  });

  test("per inference is the whole run over the batch; average power is that over the chip time", () => {
    const e = report();
    const events = (28 + 15 + 3 + 30 + 63 + 44 + 26 + 51) * pJ;
    expect(e.total).toBeCloseTo(events + 4e-9 + 12e-9, 20);
    expect(e.perInference).toBeCloseTo((events + 16e-9) / 2, 20);
    expect(e.dynamicPerInference).toBeCloseTo((events + 4e-9) / 2, 20);
    expect(e.staticPerInference).toBeCloseTo(6e-9, 20);
    expect(e.averagePower).toBeCloseTo((events + 16e-9) / 2 / 1e-6, 12);
    expect([e.seconds, e.timeBase, e.timeSource, e.target]).toEqual([1e-6, "chip", "by hand", "unit"]);
    expect(Object.keys(e.na)).toEqual([]);
    expect(e.caveats).toEqual([]);
  });

  test("terms name the layer or core, the count, the constant's path and the joules", () => {
    const e = report();
    expect(e.terms).toContainEqual({ op: "synOp", layer: "a", count: 14, constant: "energy.synOp", joules: expect.closeTo(28 * pJ, 24) });
    expect(e.terms).toContainEqual({ op: "hopNS", layer: "a", count: 2, constant: "energy.hopNS", joules: expect.closeTo(26 * pJ, 24) });
    expect(e.terms).toContainEqual({ op: "static", core: 0, count: 2e-6, constant: "energy.staticPerCore", joules: expect.closeTo(2e-9, 20) });
    expect(e.terms).toContainEqual({ op: "static", count: 2e-6, constant: "energy.staticPerChip", joules: expect.closeTo(8e-9, 20) });
    expect(e.terms).toContainEqual({ op: "dynamicPower", count: 2e-6, constant: "energy.dynamicPower", joules: expect.closeTo(4e-9, 20) });
    expect(e.terms.filter((x) => x.layer === "b")).toEqual([]);
    expect(e.terms.filter((x) => x.op === "static").map((x) => x.core)).toEqual([0, 3, undefined]);
    expect(e.terms.filter((x) => x.op !== "static" && x.op !== "dynamicPower" && "core" in x)).toEqual([]);
    expect("core" in e.terms.find((x) => x.constant === "energy.staticPerChip")!).toBe(false);
    expect(e.terms).toHaveLength(8 + 2 + 1 + 1); // 8 event ops of layer a, static per core x 2, per chip, dynamic power
    expect(e.constants["energy.hopNS"]).toEqual({ value: 13, unit: "pJ", source: "src 13", kind: "silicon" });
    expect(Object.keys(e.constants).sort()).toEqual(Object.keys(FULL).map((p) => `energy.${p}`).sort());
  });
});

describe("energyReport: fewer counts or constants", () => {
  test("without activity counts every update is charged as active, hops at one price, and a caveat says so", () => {
    const e = energyReport(target(FULL), counters, US);
    expect(e.byOp.neuronUpdate).toBeCloseTo(8 * 3 * pJ, 24);
    expect(e.byOp.neuronUpdateInactive).toBeUndefined();
    expect(e.byOp.hop).toBeCloseTo(6 * 11 * pJ, 24);
    expect(e.byOp.hopNS).toBeUndefined();
    expect(e.byOp.spike).toBeUndefined(); // nothing counted them
    expect(e.caveats).toEqual(["activity was not counted: every neuron update is charged as active"]);
    const { neuronUpdateInactive: _i, ...noInactive } = FULL;
    expect(energyReport(target(noInactive), counters, US).caveats).toEqual([]);
  });

  test("a target without inactive, north-south or within-tile prices: updates, all hops and local deliveries at the base prices", () => {
    const { neuronUpdateInactive: _i, hopNS: _n, withinTile: _w, spike: _s, packet: _p, staticPerChip: _c, dynamicPower: _d, ...base } = FULL;
    const e = energyReport(target(base), counters, US, activity);
    expect(e.byOp.neuronUpdate).toBeCloseTo(8 * 3 * pJ, 24);
    expect(e.byOp.hop).toBeCloseTo(6 * 11 * pJ, 24);
    expect(e.byOp.withinTile).toBeCloseTo(3 * 11 * pJ, 24);
    expect(e.terms).toContainEqual(expect.objectContaining({ op: "withinTile", constant: "energy.hop", count: 3 }));
    expect(Object.keys(e.byOp).sort()).toEqual(["hop", "neuronUpdate", "static", "synOp", "withinTile"]);
    expect(e.staticPerInference).toBeCloseTo(2e-9, 20);
  });
});

describe("energyReport: n/a, never 0, with the reason", () => {
  const none = (source: string) => k(0, "pJ", "unpublished", `no published figure: ${source}`);

  test("an unpublished event price: its op, the dynamic part and the total are null; one line says why", () => {
    const e = energyReport(target({ ...FULL, synOp: none("not measured") }), counters, US, activity);
    expect(e.byOp.synOp).toBeNull();
    expect(e.byLayer.a.synOp).toBeNull();
    expect(e.byCore["0"].synOp).toBeNull();
    expect([e.total, e.perInference, e.dynamicPerInference, e.averagePower]).toEqual([null, null, null, null]);
    expect(e.staticPerInference).toBeCloseTo(6e-9, 20);
    expect(e.na).toEqual({
      dynamic: "energy.synOp has no published figure", total: "energy.synOp has no published figure",
      power: "the energy is n/a: energy.synOp has no published figure",
    });
    expect(e.caveats).toEqual(["energy.synOp has no published figure: not measured"]);
    expect(e.constants["energy.synOp"].value).toBeNull();
    expect(e.terms).toContainEqual(expect.objectContaining({ op: "synOp", count: 14, joules: null }));
  });

  test("two and three unpublished prices are listed in one line; an unpublished price nothing used is no gap", () => {
    const two = energyReport(target({ ...FULL, synOp: none("a"), packet: none("b") }), counters, US, activity);
    expect(two.na.dynamic).toBe("energy.synOp and energy.packet have no published figure");
    const three = energyReport(target({ ...FULL, synOp: none("a"), spike: none("c"), packet: none("b") }), counters, US, activity);
    expect(three.na.dynamic).toBe("energy.synOp, energy.spike and energy.packet have no published figure");
    const idle = energyReport(target({ ...FULL, spike: none("c") }), counters, US); // no activity counts: no spike counted
    expect(idle.na).toEqual({});
    expect(idle.total).not.toBeNull();
    expect(idle.constants["energy.spike"].value).toBeNull();
  });

  test("an unpublished static power: the static part is null, the dynamic one is not", () => {
    const e = energyReport(target({ ...FULL, staticPerCore: none("no board") }), counters, US, activity);
    expect(e.staticPerInference).toBeNull();
    expect(e.dynamicPerInference).not.toBeNull();
    expect(e.byCore["0"].static).toBeNull();
    expect(e.na.static).toBe("energy.staticPerCore has no published figure");
    expect(e.na.total).toBe("energy.staticPerCore has no published figure");
    expect(e.caveats).toEqual(["energy.staticPerCore has no published figure: no board"]);
    const both = energyReport(target({ ...FULL, staticPerCore: none("no board") }), counters, chip(null, "no clock"), activity);
    expect(both.na.static).toBe("energy.staticPerCore has no published figure; the chip time is n/a: no clock");
  });

  test("a chip time that is n/a makes power terms n/a (a zero power stays 0) and says why", () => {
    const why = "chip time rests on timing.clock, with no published figure";
    const e = energyReport(target(FULL), counters, chip(null, why), activity);
    expect(e.byOp.static).toBeNull();
    expect(e.staticPerInference).toBeNull();
    expect(e.na).toEqual({
      static: `the chip time is n/a: ${why}`, dynamic: `the chip time is n/a: ${why}`, time: why,
      total: `the chip time is n/a: ${why}; the chip time is n/a: ${why}`,
      power: `the energy is n/a: the chip time is n/a: ${why}; the chip time is n/a: ${why}`,
    });
    expect(e.terms).toContainEqual(expect.objectContaining({ op: "static", core: 0, count: 0, joules: null }));
    const { staticPerChip: _c, dynamicPower: _d, ...rest } = FULL;
    const zero = energyReport(target({ ...rest, staticPerCore: k(0, "mW", "silicon", "off") }), counters, chip(null, why), activity);
    expect(zero.byOp.static).toBe(0);
    expect(zero.perInference).not.toBeNull();
    expect(zero.averagePower).toBeNull();
    expect(zero.na).toEqual({ time: why, power: `the chip time is n/a: ${why}` });
    expect(zero.caveats).toEqual(["energy.staticPerCore is 0: off"]);
  });

  test("a chip time of 0: no average power, and the reason", () => {
    const e = energyReport(target(FULL), counters, chip(0), activity);
    expect(e.averagePower).toBeNull();
    expect(e.na).toEqual({ power: "the chip time is 0" });
    expect(e.staticPerInference).toBe(0);
  });

  test("isUnpublished: kind unpublished, or a legacy source that starts with UNVERIFIED", () => {
    expect(isUnpublished(k(1, "pJ", "unpublished"))).toBe(true);
    expect(isUnpublished(k(1, "pJ", "pre-silicon", "UNVERIFIED: a guess"))).toBe(true);
    expect(isUnpublished(k(1, "pJ", "pre-silicon", "a guess, UNVERIFIED"))).toBe(false);
    const legacy = energyReport(target({ ...FULL, synOp: k(2, "pJ", "all-in", "UNVERIFIED: no published figure: a guess"),
      hop: k(11, "pJ", "fitted", "UNVERIFIED: fit") }), counters, US, activity);
    expect(legacy.byOp.synOp).toBeNull();
    // Only a leading "no published figure: " is dropped; no all-in or fitted caveat for a figure that is n/a.
    expect(legacy.caveats).toEqual([
      "energy.synOp has no published figure: UNVERIFIED: no published figure: a guess", "energy.hop has no published figure: UNVERIFIED: fit",
    ]);
  });
});

describe("constants: units and caveats on their kind", () => {
  test("si converts every unit a target may use; an unknown one is an error naming it", () => {
    const cases: Array<[string, number]> = [["J", 1], ["mJ", 1e-3], ["uJ", 1e-6], ["µJ", 1e-6], ["nJ", 1e-9], ["pJ", 1e-12],
      ["fJ", 1e-15], ["W", 1], ["mW", 1e-3], ["uW", 1e-6], ["µW", 1e-6], ["nW", 1e-9]];
    for (const [unit, scale] of cases) expect(si(k(3, unit))).toBeCloseTo(3 * scale, 30);
    expect(() => si(k(3, "kJ"))).toThrow('energy constant in unknown unit "kJ"');
  });

  test("all-in, fitted and zero constants each get a caveat naming value, unit and source", () => {
    const e = energyReport(target({ ...FULL, synOp: k(26, "pJ", "all-in", "TrueNorth"), hop: k(11, "pJ", "fitted", "fit"),
      packet: k(0, "pJ", "silicon", "free") }), counters, US, activity);
    expect(e.caveats).toEqual([
      "energy.synOp is an all-in figure (26 pJ): TrueNorth", "energy.packet is 0: free", "energy.hop is fitted (11 pJ): fit",
    ]);
  });
});

describe("figures for people", () => {
  test("fixed: µJ and mW to 4 significant digits; n/a for null", () => {
    expect(fixed(1.2345678e-6, "µJ")).toBe("1.235 µJ");
    expect(fixed(2e-3, "mW")).toBe("2.000 mW");
    expect(fixed(null, "mW")).toBe("n/a");
  });

  test("duration: the largest unit the time is at least 1 of, ns below that; n/a for null", () => {
    expect([2, 1, 0.0015, 1e-3, 2.5e-6, 3e-9, 1e-12].map(duration))
      .toEqual(["2.000 s", "1.000 s", "1.500 ms", "1.000 ms", "2.500 µs", "3.000 ns", "0.001000 ns"]);
    expect(duration(null)).toBe("n/a");
  });

  test("energySummary: energy per inference, its parts, average power over the chip time, and why a figure is n/a", () => {
    const e = energyReport(target({ ...FULL, spike: k(0, "pJ"), packet: k(0, "pJ"), hopNS: k(0, "pJ"), hop: k(0, "pJ"),
      withinTile: k(0, "pJ"), synOp: k(0, "pJ"), neuronUpdate: k(0, "pJ"), neuronUpdateInactive: k(0, "pJ") }), counters, US, activity);
    // 16 nJ over batch 2: 8 nJ = 0.008 µJ per inference, 2 nJ dynamic, 6 nJ static; 8 mW over 1 µs.
    expect(energySummary(e)).toBe("energy 0.008000 µJ per inference (dynamic 0.002000 µJ, static 0.006000 µJ), " +
      "average power 8.000 mW over 1.000 µs of chip time (by hand)");
    const why = "no clock";
    const na = energyReport(target(FULL), counters, chip(null, why), activity);
    expect(energySummary(na)).toBe("energy n/a per inference (dynamic n/a, static n/a), average power n/a over n/a of chip time " +
      `(by hand); n/a: the chip time is n/a: ${why}; the chip time is n/a: ${why}`);
    const zero = energyReport(target(FULL), counters, chip(0), activity);
    expect(energySummary(zero)).toMatch(/; n\/a: the chip time is 0$/);
    const timeOnly = { ...zero, na: { time: "t" } };
    expect(energySummary(timeOnly)).toMatch(/; n\/a: t$/);
  });
});

// ---- Counters and the counts energy needs, from a run (deriveCounters, energyCounts) ----

const IF = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(0.5)) });
/**
 * in(2) -> w [[1, 0], [1, 1], [0, 1]] -> h IF(3) -> w2 [1, 1, 1] -> g IF(1), threshold 0.5, one neuron per
 * core: h0, h1, h2, g on cores 0-3. Input [T=3, B=2, 2]: t0 (1, 0) | (0, 1); t1 (0, 0) | (1, 1);
 * t2 (0.5, 1) | (0, 0). By hand: in0 sends 2 binary events and 1 graded (0.5), in1 3 binary;
 * h0 spikes twice (b0 t0, b1 t1), h1 4 times, h2 3 times; g 4 times (whenever h does).
 */
const chain = () => graph().input("in", [2]).linear("w", tensor([1, 0, 1, 1, 0, 1], [3, 2])).node("h", IF(3))
  .linear("w2", tensor([1, 1, 1], [1, 3])).node("g", IF(1)).output("o").build();
const chainInput = { data: Float64Array.from([1, 0, 0, 1, 0, 0, 1, 1, 0.5, 1, 0, 0]), shape: [3, 2, 2] };
/** A mesh pricing inactive updates (so activity is counted), one neuron per core. */
function oneNeuronMesh(width: number, multicast = true): Target {
  const g = genericMesh({ width, height: width === 2 ? 2 : 4, neuronsPerCore: 1, multicast, name: `one-${width}-${multicast}` });
  const l = getTarget("loihi");
  return { ...g, timing: { ...g.timing, neuronUpdateInactive: l.timing.neuronUpdateInactive }, energy: { ...g.energy, neuronUpdateInactive: l.energy.neuronUpdateInactive } };
}
function session(t: Target) {
  const p = compile(chain(), t, { placer: "greedy" });
  const s = new VmSession(p, { input: chainInput });
  return { p, s, r: s.run() };
}

describe("counters of a run, worked out by hand (2 x 2 mesh: h0 (0,0), h1 (1,0), h2 (0,1), g (1,1), host at (0,0))", () => {
  // Run afresh inside each test, neither while the file loads nor cached between tests: Stryker then counts the
  // code as covered by these tests and runs it under each mutant (a cached run keeps the first run's counts).
  const run = () => { const made = session(oneNeuronMesh(2)); return { ...made, c: made.r.counters }; };

  test("placement is as the comments say", () => {
    const { p, r } = run();
    expect(p.cores.map((k) => [k.id, k.x, k.y, k.layer, k.start])).toEqual([[0, 0, 0, "h", 0], [1, 1, 0, "h", 1], [2, 0, 1, "h", 2], [3, 1, 1, "g", 0]]);
    expect(r.spikes.h.length).toBe(9);
    expect(r.spikes.g.length).toBe(4);
  });

  test("updates, dense and effective synaptic ops, spikes (inputs' events included), per layer and per core", () => {
    const { c } = run();
    expect(c.layers.h).toMatchObject({ neuronUpdates: 18, synOpsDense: 4 * 6, synOpsAC: 2 * 2 + 3 * 2, synOpsMAC: 1 * 2, spikes: 9 });
    expect(c.layers.g).toMatchObject({ neuronUpdates: 6, synOpsDense: 3 * 6, synOpsAC: 9, synOpsMAC: 0, spikes: 4 });
    expect(c.layers.in).toMatchObject({ neuronUpdates: 0, synOpsDense: 0, spikes: 6 });
    expect(c.cores[1]).toMatchObject({ neuronUpdates: 6, synOpsDense: 2 * 6, synOpsAC: 2 + 3, synOpsMAC: 1, spikes: 4 });
    expect(c.cores[2]).toMatchObject({ synOpsDense: 6, synOpsAC: 3, synOpsMAC: 0, spikes: 3 });
    expect(c.cores[-1]).toMatchObject({ spikes: 6, neuronUpdates: 0 });
    expect(c.total).toMatchObject({ neuronUpdates: 24, synOpsDense: 42, synOpsAC: 19, synOpsMAC: 2, spikes: 19 });
    expect([c.steps, c.batch]).toEqual([3, 2]);
  });

  test("traffic: packets, link traversals (X then Y, multicast tree) and deliveries within the host's router", () => {
    const { c } = run();
    // in0 -> h0 (same router as the host: local) and h1 (1 hop); in1 -> h1 (E) and h2 (N): 2 links, 1 packet.
    // h0 -> g: 2 hops; h1 -> g: 1; h2 -> g: 1. g sends nothing (its output is read on the host, no traffic).
    expect(c.layers.in).toMatchObject({ packets: 6, hops: 3 * 1 + 3 * 2, localDeliveries: 3 });
    expect(c.layers.h).toMatchObject({ packets: 9, hops: 2 * 2 + 4 * 1 + 3 * 1, localDeliveries: 0 });
    expect(c.layers.g).toMatchObject({ packets: 0, hops: 0 });
    expect(c.cores[0]).toMatchObject({ packets: 2, hops: 4 });
    expect(c.cores[-1]).toMatchObject({ packets: 6, hops: 9, localDeliveries: 3 });
    expect(c.total).toMatchObject({ packets: 15, hops: 20, localDeliveries: 3 });
  });

  test("memory accesses of the compartment core: 2n per update of n one-current neurons, 1 read per emitted event, 1 + n reads and n writes per received one", () => {
    const { c } = run();
    // core 1 (h1): 6 updates -> 12 reads, 12 writes; emits 4 events -> 4 reads; receives 6 events of one synapse -> 12 reads, 6 writes.
    expect(c.cores[0]).toMatchObject({ memReads: 12 + 2 + 3 * 2, memWrites: 12 + 3 });
    expect(c.cores[1]).toMatchObject({ memReads: 12 + 4 + 6 * 2, memWrites: 12 + 6 });
    expect(c.cores[2]).toMatchObject({ memReads: 12 + 3 + 3 * 2, memWrites: 12 + 3 });
    expect(c.cores[3]).toMatchObject({ memReads: 12 + 0 + 9 * 2, memWrites: 12 + 9 });
    expect(c.cores[-1]).toMatchObject({ memReads: 6, memWrites: 0 });
    expect(c.total).toMatchObject({ memReads: 20 + 28 + 21 + 30 + 6, memWrites: 15 + 18 + 15 + 21 });
    expect(c.layers.h).toMatchObject({ memReads: 0, memWrites: 0 });
  });

  test("the counts energy prices: active and inactive updates, hops by direction, chip spikes, messages out and in", () => {
    const { s } = run();
    const e = energyCounts(s.net, s.t);
    // Active when it has input: h0 3, h1 4, h2 3 of 6 updates each; g 4 of 6.
    expect(e.layers.h).toMatchObject({ active: 10, inactive: 8, hopsEW: 2 + 3, hopsNS: 2 + 4, chipSpikes: 9, messagesOut: 9, messagesIn: 0 });
    expect(e.layers.g).toMatchObject({ active: 4, inactive: 2, hopsEW: 0, hopsNS: 0, chipSpikes: 4, messagesOut: 0 });
    expect(e.layers.in).toMatchObject({ active: 0, inactive: 0, hopsEW: 3 + 3, hopsNS: 3, chipSpikes: 0, messagesOut: 0 });
    expect(e.cores[-1]).toMatchObject({ hopsEW: 6, hopsNS: 3, chipSpikes: 0, messagesOut: 0, messagesIn: 0 });
    expect(e.cores[0]).toMatchObject({ active: 3, inactive: 3, hopsEW: 2, hopsNS: 2, chipSpikes: 2, messagesOut: 2, messagesIn: 3 });
    expect(e.cores[1]).toMatchObject({ active: 4, inactive: 2, hopsEW: 0, hopsNS: 4, messagesIn: 6 });
    expect(e.cores[3]).toMatchObject({ active: 4, inactive: 2, chipSpikes: 4, messagesOut: 0, messagesIn: 9 });
    expect([e.activityCounted, e.tilesUsed]).toEqual([true, 4]);
  });

  test("counters are those of the steps done so far", () => {
    const { p } = run();
    const part = new VmSession(p, { input: chainInput });
    part.step(1);
    const k = deriveCounters(part.net, coreModelFor(p.target), part.t);
    // Step 0 only: 3 + 1 neurons x 2 batch updates; dense 7 synapses x 2; in: 2 events (b0 in0, b1 in1); h: 4 spikes.
    expect(k.total).toMatchObject({ neuronUpdates: 8, synOpsDense: 14, spikes: 2 + 4 + 2 });
    expect(energyCounts(part.net, part.t).layers.h).toMatchObject({ active: 4, inactive: 2 });
  });
});

describe("unicast and multicast traffic; a mesh without activity pricing", () => {
  test("on a line of routers, in1 -> h1, h2: multicast 1 packet over 2 links, unicast 2 packets over 1 + 2 links", () => {
    const m = session(oneNeuronMesh(4, true)).r.counters.layers.in, u = session(oneNeuronMesh(4, false)).r.counters.layers.in;
    expect(m).toMatchObject({ packets: 3 + 3, hops: 3 * 1 + 3 * 2, localDeliveries: 3 });
    expect(u).toMatchObject({ packets: 3 + 3 * 2, hops: 3 * 1 + 3 * 3, localDeliveries: 3 });
    const t = oneNeuronMesh(4, true);
    expect(directionalHops(t, -1, [0, 1, 2])).toMatchObject({ ew: 2, ns: 0 });
    expect(directionalHops({ ...t, mesh: { ...t.mesh, multicast: false } }, -1, [1, 2])).toMatchObject({ ew: 3, ns: 0 });
    expect(directionalHops(t, 1, [1, 5])).toMatchObject({ ew: 0, ns: 1 });
    // From router (0, 0) (the host's) up column 0 to cores 4 (0, 1) and 8 (0, 2): the tree's two north links,
    // the first shared by both paths and counted once.
    expect(directionalHops(t, -1, [4, 8])).toMatchObject({ ew: 0, ns: 2 });
    expect(directionalHops({ ...t, mesh: { ...t.mesh, multicast: false } }, -1, [4, 8])).toMatchObject({ ew: 0, ns: 3 });
  });

  test("a target that does not price activity counts every update as active", () => {
    const { s } = session(genericMesh({ width: 2, height: 2, neuronsPerCore: 1, name: "plain-2" }));
    const e = energyCounts(s.net, s.t);
    expect(e.activityCounted).toBe(false);
    expect(e.layers.h).toMatchObject({ active: 18, inactive: 0 });
    expect(e.cores[3]).toMatchObject({ active: 6, inactive: 0 });
  });

  test("a neuron layer on the host: its updates and synapses counted on core -1; events to the host are no chip messages", () => {
    // g is LIF, which this target does not run: it goes to the host. h0 shares the host's router, h1 is 1 hop
    // east of it, h2 1 hop north.
    const t = { ...oneNeuronMesh(2), models: ["IF"] } as Target;
    const g = graph().input("in", [2]).linear("w", tensor([1, 0, 1, 1, 0, 1], [3, 2])).node("h", IF(3))
      .linear("w2", tensor([1, 1, 1], [1, 3])).lif("g", { tau: 1, r: 1e4, v_threshold: 0.5 }).output("o").build();
    const p = compile(g, t, { placer: "greedy", allowHost: true });
    expect(p.layers.find((l) => l.name === "g")!.partition).not.toBe("chip");
    const s = new VmSession(p, { input: chainInput }), r = s.run(), c = r.counters;
    // g: tau 1 s, gain dt r / tau = 1, so it spikes whenever h does (4 times), as on the chip.
    expect(c.layers.g).toMatchObject({ neuronUpdates: 6, synOpsDense: 3 * 6, synOpsAC: 9, spikes: 4 });
    expect(c.cores[-1]).toMatchObject({ neuronUpdates: 6, synOpsDense: 18, synOpsAC: 9 });
    expect(c.layers.h).toMatchObject({ packets: 4 + 3, hops: 4 + 3, localDeliveries: 2 });
    const e = energyCounts(s.net, s.t);
    expect(e.layers.h).toMatchObject({ hopsEW: 4, hopsNS: 3, chipSpikes: 9, messagesOut: 0 });
    expect(e.layers.g).toMatchObject({ chipSpikes: 0, messagesOut: 0 }); // spikes of a host layer are no chip spikes
    expect(e.cores[-1].active + e.cores[-1].inactive).toBe(6);
    expect(e.cores[-1]).toMatchObject({ messagesIn: 0, chipSpikes: 0 });
    expect(e.tilesUsed).toBe(3);
  });
});

// ---- Systems: links between chips and between boards (lib/target/system.ts) ----

describe("chip and board links of a system", () => {
  const lk = (energyPJ: number, latencyNs: number): LinkSpec =>
    ({ energy: k(energyPJ, "pJ", "pre-silicon"), latency: k(latencyNs, "ns", "pre-silicon"), bandwidth: k(1e8, "packet/s", "pre-silicon") });
  /** One core per chip; `chips` per board, `boards` boards, along x or y. */
  function sys(name: string, axis: "x" | "y", chips: number, boards: number, board?: LinkSpec, chip = lk(100, 50), o: { noNS?: boolean } = {}): Target {
    let g = genericMesh({ width: 1, height: 1, neuronsPerCore: 1, name: `${name}-chip` });
    if (o.noNS) { const { hopNS: _e, ...energy } = g.energy; g = { ...g, energy } as Target; }
    const grid = (n: number) => (axis === "x" ? { width: n, height: 1 } : { width: 1, height: n });
    return systemTarget(g, { name, description: "test system", chips: grid(chips), boards: grid(boards), chipLink: chip, ...(board ? { boardLink: board } : {}) });
  }

  test("links are told apart along x and y: chip, board, chip from the first chip to the fourth (2 chips per board)", () => {
    const x = sys("sx", "x", 2, 2, lk(300, 200)), y = sys("sy", "y", 2, 2, lk(300, 200));
    expect(directionalHops(x, 0, [3])).toEqual({ ew: 0, ns: 0, chip: 2, board: 1, farChip: 2, farBoard: 1 });
    expect(directionalHops(x, 3, [0])).toEqual({ ew: 0, ns: 0, chip: 2, board: 1, farChip: 2, farBoard: 1 });
    expect(directionalHops(x, 2, [1])).toEqual({ ew: 0, ns: 0, chip: 0, board: 1, farChip: 0, farBoard: 1 });
    // Multicast to chips 1 and 3: the shared first link once; the farthest destination 2 chip links and 1 board link away.
    expect(directionalHops(x, 0, [1, 3])).toEqual({ ew: 0, ns: 0, chip: 2, board: 1, farChip: 2, farBoard: 1 });
    expect(directionalHops(y, 0, [3])).toEqual({ ew: 0, ns: 0, chip: 2, board: 1, farChip: 2, farBoard: 1 });
    expect(directionalHops(y, 3, [1])).toEqual({ ew: 0, ns: 0, chip: 1, board: 1, farChip: 1, farBoard: 1 });
  });

  /** in -> a -> b (one IF neuron each): a on chip 0, b on chip 1, on another board. a spikes at steps 0, 2, 3. */
  const chainAB = () => graph().input("in", [1]).linear("w1", tensor([1], [1, 1])).node("a", IF(1)).linear("w2", tensor([1], [1, 1])).node("b", IF(1)).output("o").build();
  const ab = { data: Float64Array.from([1, 0, 1, 1]), shape: [4, 1] };
  const run = (t: Target) => runProgram(compile(chainAB(), t, { placer: "greedy" }), { input: ab });

  test("a spike crossing boards costs the board link (the chip link's figures where the system gives none), no hop", () => {
    const e = run(sys("b2", "x", 1, 2, lk(300, 200))).energy;
    expect(e.byOp.boardLink).toBeCloseTo(3 * 300 * pJ, 24);
    expect(e.byOp.chipLink ?? 0).toBe(0);
    expect(e.byOp.hop ?? 0).toBe(0);
    expect(e.terms).toContainEqual(expect.objectContaining({ op: "boardLink", layer: "a", count: 3, constant: "system.boardLink.energy" }));
    const f = run(sys("b2c", "x", 1, 2)).energy;
    expect(f.byOp.boardLink).toBeCloseTo(3 * 100 * pJ, 24);
    expect(f.terms).toContainEqual(expect.objectContaining({ op: "boardLink", count: 3, constant: "system.chipLink.energy" }));
    const noNS = run(sys("b2n", "x", 1, 2, lk(300, 200), lk(100, 50), { noNS: true })).energy;
    expect(noNS.byOp.hop ?? 0).toBe(0); // the one link a spike crosses is the board link, not a hop
    expect(noNS.dynamicPerInference).toBeCloseTo(e.dynamicPerInference!, 24);
  });

  test("every step waits for the farthest spike: one board link of 200 ns (the chip link's 50 ns where none is given)", () => {
    const secs = (t: Target) => run(t).energy.seconds!;
    expect(secs(sys("w1", "x", 1, 2, lk(300, 200))) - secs(sys("w0", "x", 1, 2, lk(300, 0)))).toBeCloseTo(4 * 200e-9, 15);
    expect(secs(sys("w2", "x", 1, 2, undefined, lk(100, 50))) - secs(sys("w3", "x", 1, 2, undefined, lk(100, 0)))).toBeCloseTo(4 * 50e-9, 15);
    const ms = { ...sys("wm", "x", 1, 2, { ...lk(300, 0), latency: k(0.0002, "ms", "pre-silicon") }) } as Target;
    expect(secs(ms) - secs(sys("w0b", "x", 1, 2, lk(300, 0)))).toBeCloseTo(4 * 200e-9, 15);
  });
});

describe("links by kind in every direction; the wait for the farthest spike", () => {
  const lk = (energyPJ: number, latencyNs: number, unit = "ns"): LinkSpec =>
    ({ energy: k(energyPJ, "pJ", "pre-silicon"), latency: k(latencyNs, unit, "pre-silicon"), bandwidth: k(1e8, "packet/s", "pre-silicon") });
  /** Chips of `chip.width` x `chip.height` one-core routers, `chips` per board, `boards` boards. */
  const system = (name: string, chip: { width: number; height: number }, chips: { width: number; height: number },
    boards?: { width: number; height: number }, boardLink?: LinkSpec): Target =>
    systemTarget(genericMesh({ ...chip, neuronsPerCore: 1, name: `${name}-chip` }),
      { name, description: "test system", chips, ...(boards ? { boards } : {}), chipLink: lk(100, 50), ...(boardLink ? { boardLink } : {}) });
  /** The core at router (x, y). */
  const at = (t: Target, x: number, y: number) => Array.from({ length: t.cores }, (_, c) => c).find((c) => routerOf(t, c).join() === `${x},${y}`)!;
  const hops = (t: Target, from: [number, number], to: Array<[number, number]>) => directionalHops(t, at(t, ...from), to.map(([x, y]) => at(t, x, y)));

  test("3 one-router chips per board, 2 boards, along x: the board link between x = 2 and 3 whichever way a spike goes", () => {
    // Links x -> x+1 for x = 0..4; the one from chip 2 to chip 3 (x = 2 -> 3) crosses boards, the other four are chip links.
    const t = system("x3", { width: 1, height: 1 }, { width: 3, height: 1 }, { width: 2, height: 1 });
    const far = { ew: 0, ns: 0, chip: 4, board: 1, farChip: 4, farBoard: 1 };
    expect(hops(t, [0, 0], [[5, 0]])).toEqual(far);
    expect(hops(t, [5, 0], [[0, 0]])).toEqual(far);
    expect(hops(t, [3, 0], [[2, 0]])).toEqual({ ew: 0, ns: 0, chip: 0, board: 1, farChip: 0, farBoard: 1 });
    expect(hops(t, [4, 0], [[3, 0]])).toEqual({ ew: 0, ns: 0, chip: 1, board: 0, farChip: 1, farBoard: 0 });
  });

  test("the same along y (north and south), and on a mesh two routers wide (a router's row is its id over the width)", () => {
    const t = system("y3", { width: 1, height: 1 }, { width: 1, height: 3 }, { width: 1, height: 2 });
    expect(hops(t, [0, 3], [[0, 2]])).toEqual({ ew: 0, ns: 0, chip: 0, board: 1, farChip: 0, farBoard: 1 });
    expect(hops(t, [0, 0], [[0, 5]])).toEqual({ ew: 0, ns: 0, chip: 4, board: 1, farChip: 4, farBoard: 1 });
    expect(hops(t, [0, 5], [[0, 4]])).toEqual({ ew: 0, ns: 0, chip: 1, board: 0, farChip: 1, farBoard: 0 });
    // Two boards side by side, 3 chips up each: x = 1's column climbs rows 0 -> 1 -> 2 over two chip links; crossing to x = 0 is the board link.
    const w = system("w2", { width: 1, height: 1 }, { width: 1, height: 3 }, { width: 2, height: 1 });
    expect(hops(w, [1, 0], [[1, 2]])).toEqual({ ew: 0, ns: 0, chip: 2, board: 0, farChip: 2, farBoard: 0 });
    expect(hops(w, [1, 2], [[0, 2]])).toEqual({ ew: 0, ns: 0, chip: 0, board: 1, farChip: 0, farBoard: 1 });
  });

  test("chips two routers wide: links inside a chip are mesh hops, not chip or board links", () => {
    // Routers 0 1 | 2 3 (one board): 0 -> 3 crosses a mesh link, the chip link, a mesh link.
    const t = system("c2", { width: 2, height: 1 }, { width: 2, height: 1 });
    expect(hops(t, [0, 0], [[3, 0]])).toEqual({ ew: 2, ns: 0, chip: 1, board: 0, farChip: 1, farBoard: 0 });
    expect(hops(t, [3, 0], [[0, 0]])).toEqual({ ew: 2, ns: 0, chip: 1, board: 0, farChip: 1, farBoard: 0 });
  });

  test("linkWait: the farthest spike's chip links x 50 ns plus board links x 200 ns, naming only the latencies used", () => {
    const t = system("lw", { width: 1, height: 1 }, { width: 2, height: 1 }, { width: 2, height: 1 }, lk(300, 200));
    const far = (chip: number, board: number) => ({ farthest: { chip, board } }) as EnergyCounts;
    const s = t.system!;
    expect(linkWait(t, far(0, 0))).toEqual({ seconds: 0, used: [] });
    const two = linkWait(t, far(2, 0));
    expect(two.seconds).toBeCloseTo(2 * 50e-9, 20);
    expect(two.used).toEqual([["system.chipLink.latency", s.chipLink.latency]]);
    const one = linkWait(t, far(0, 1));
    expect(one.seconds).toBeCloseTo(200e-9, 20);
    expect(one.used).toEqual([["system.boardLink.latency", s.boardLink!.latency]]);
    const w = linkWait(t, far(3, 2));
    expect(w.seconds).toBeCloseTo(3 * 50e-9 + 2 * 200e-9, 20);
    expect(w.used.map((u) => u[0])).toEqual(["system.chipLink.latency", "system.boardLink.latency"]);
    // Without a board link of its own, a board crossing waits the chip link's 50 ns and names it.
    const c = system("lc", { width: 1, height: 1 }, { width: 2, height: 1 }, { width: 2, height: 1 });
    const viaChip = linkWait(c, far(0, 1));
    expect(viaChip.seconds).toBeCloseTo(50e-9, 20);
    expect(viaChip.used).toEqual([["system.chipLink.latency", c.system!.chipLink.latency]]);
    expect(linkWait(genericMesh({ name: "one-chip" }), far(1, 1))).toEqual({ seconds: 0, used: [] });
    const odd = system("lu", { width: 1, height: 1 }, { width: 2, height: 1 }, { width: 2, height: 1 }, lk(300, 2, "fortnight"));
    expect(() => linkWait(odd, far(0, 1))).toThrow('link latency in unknown unit "fortnight"');
  });

  test("on a 13 x 13 mesh: routes to cores {1, 2} and {12} are not mixed up, and all 169 routers count as tiles", () => {
    // in0 -> h1, h2 (routers (1,0), (2,0)): a multicast east over 2 links from the host's (0,0); in1 -> h12 ((12,0)): 12 links.
    // Each input spikes once: 2 + 12 = 14 east-west links. (Core lists joined without a separator would read "12" for both.)
    const t = genericMesh({ width: 13, height: 13, neuronsPerCore: 1, name: "m13" });
    const g = graph().input("in", [2]).add("w", sparseFromCoo({ pre: 2, post: 169, i: [0, 0, 1], j: [1, 2, 12], weight: 1 })).node("h", IF(169))
      .output("o").build();
    const p = compile(g, t, { placer: "greedy" });
    expect([1, 2, 12].map((k) => routerOf(t, p.cores.find((c) => c.layer === "h" && c.start === k)!.id))).toEqual([[1, 0], [2, 0], [12, 0]]);
    const s = new VmSession(p, { input: { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 2] } });
    expect(s.run().counters.layers.in).toMatchObject({ hops: 14, spikes: 2 });
    const e = energyCounts(s.net, s.t);
    expect(e.layers.in).toMatchObject({ hopsEW: 14, hopsNS: 0 });
    // Routers (1, 12) and (11, 2) both read "112" without the comma.
    expect(e.tilesUsed).toBe(169);
  });
});

describe("counters of a procedural projection", () => {
  test("its rows counted as the materialised form's: 8 synapses x 3 steps dense, per core as the CSR splits them", () => {
    // 4 inputs, fixed out-degree 2 onto 4 IF neurons (2 per core): 8 synapses; every input spikes at every step, so each
    // synapse is reached once per step: 24 dense and 24 effective synaptic ops in all.
    const proc = { pre: 4, post: 4, seed: 5, rule: { kind: "fixed-out-degree", k: 2, multapses: false } as const, weight: { kind: "constant", value: 0.1 } as const };
    const g = graph().input("in", [4]).node("r", { type: "ProceduralProjection", ...proc } as Node).node("h", IF(4)).output("o").build();
    const t = genericMesh({ width: 2, height: 1, neuronsPerCore: 2, name: "proc-2" });
    const input = { data: new Float64Array(12).fill(1), shape: [3, 4] };
    const [mat, pro] = (["materialised", "procedural"] as const).map((connectivity) =>
      new VmSession(compile(g, t, { placer: "greedy", connectivity }), { input }).run().counters);
    expect(pro.layers.h).toMatchObject({ synOpsDense: 24, synOpsAC: 24 });
    expect([pro.cores[0], pro.cores[1]].map((c) => [c.synOpsDense, c.synOpsAC])).toEqual([mat.cores[0], mat.cores[1]].map((c) => [c.synOpsDense, c.synOpsAC]));
    expect(pro.cores[0].synOpsDense + pro.cores[1].synOpsDense).toBe(24);
  });
});
