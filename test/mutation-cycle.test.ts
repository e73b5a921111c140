// The cycle engine's exact time base (lib/vm/cycle/time.ts) by hand: a latency's denominator in
// cycles by continued fractions, ticks per cycle as the least common multiple of them, and the
// fallback to 2^20 ticks per cycle (rounding) when no exact base fits.
import { describe, expect, test } from "vitest";
import { MAX_R, denominator, ticksPerCycle, toTicks } from "../lib/vm/cycle/time.js";
import type { Node } from "../lib/ir/graph.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { moveLayer } from "./support.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { c } from "../lib/target/presets/constant.js";
import type { Constant, Target } from "../lib/target/types.js";
import { runProgram } from "../lib/vm/index.js";
import { isPhasorError } from "../lib/ir/errors.js";
import { microcircuit } from "../lib/ir/models/microcircuit.js";

describe("exact ticks", () => {
  test("denominators: 3.5 -> 2, 1/3 -> 3, 9.7 -> 10, 0.125 -> 8, whole numbers -> 1", () => {
    expect([denominator(3.5), denominator(1 / 3), denominator(9.7), denominator(0.125), denominator(2), denominator(0)]).toEqual([2, 3, 10, 8, 1, 1]);
    expect(denominator(-2.25)).toBe(4);
  });

  test("the tolerance is relative: 1000.5000001 is 2001/2 within 1e-9 x 1000.5 (1.0e-6), not within 1e-9", () => {
    expect(denominator(1000.5000001)).toBe(2);
    // Below 1 it is absolute (1e-9): 0.5000001 is 1e-7 from 1/2, so a finer fraction is needed.
    expect(denominator(0.5000001)).not.toBe(2);
  });

  test("sqrt 2: the first convergent within 1e-9 relative, 47321/33461 (19601/13860 is 1.8e-9 off)", () => {
    expect(denominator(Math.SQRT2)).toBe(33461);
  });

  test("no denominator up to 2^20: 0 (1e-7 cycles needs 10^7)", () => {
    expect(MAX_R).toBe(2 ** 20);
    expect(denominator(1e-7)).toBe(0);
    expect(denominator(1 / 1048576)).toBe(1048576);
    expect(denominator(1 / 1048577)).toBe(0);
  });

  test("ticks per cycle: the lcm of the denominators; zero and non-finite latencies ignored", () => {
    expect(ticksPerCycle([3.5, 9.7, 1])).toEqual({ R: 10, rounded: false });
    expect(ticksPerCycle([1 / 3, 0.25, 0.5])).toEqual({ R: 12, rounded: false });
    expect(ticksPerCycle([0, Infinity, NaN, 2])).toEqual({ R: 1, rounded: false });
    expect(ticksPerCycle([])).toEqual({ R: 1, rounded: false });
  });

  test("when no exact base fits (a denominator above 2^20, or an lcm above it), 2^20 ticks per cycle and rounded", () => {
    expect(ticksPerCycle([1e-7, 0.5])).toEqual({ R: MAX_R, rounded: true });
    expect(ticksPerCycle([1 / 1021, 1 / 1031])).toEqual({ R: MAX_R, rounded: true }); // 1021 x 1031 = 1052651 > 2^20
    expect(ticksPerCycle([1 / 1021, 1 / 1021])).toEqual({ R: 1021, rounded: false });
    // Exactly 2^20 still fits.
    expect(ticksPerCycle([2 ** -20, 0.5])).toEqual({ R: 2 ** 20, rounded: false });
  });

  test("toTicks: cycles x R, rounded to a whole tick", () => {
    expect([toTicks(3.5, 2), toTicks(1 / 3, 12), toTicks(1e-7, MAX_R), toTicks(2.4, 1), toTicks(2.6, 1)]).toEqual([7, 4, 0, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// The cycle engine (lib/vm/cycle/engine.ts) on small networks, each time worked out by hand from
// docs/cycle-models.md's rules and the test target's constants (1 GHz: 1 ns = 1 cycle).

/** IF neurons that spike when their input reaches `th` (r = 1e4 as in test/vm-cycle-pipeline.test.ts). */
const IF = (n: number, th: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(th)) });
const ns = (v: number) => c(v, "ns", "test figure", "pre-silicon");
const spikesAt = (n: number, rows: number[][]) => ({ data: Float64Array.from(rows.flat()), shape: [rows.length, n] });

/** A 1 GHz mesh, one core per router, width x height, with the given latencies in ns. */
function chip(o: { width?: number; height?: number; neuronsPerCore?: number; multicast?: boolean; timing?: Partial<Record<string, number>>; barrier?: Target["timing"]["barrier"] }): Target {
  const g = genericMesh({ width: o.width ?? 2, height: o.height ?? 1, neuronsPerCore: o.neuronsPerCore ?? 1024, multicast: o.multicast ?? true });
  const timing: Target["timing"] = { clock: c(1e9, "Hz", "test clock", "pre-silicon"), synOp: ns(1), neuronUpdate: ns(1), hop: ns(1), withinTile: ns(1) };
  for (const [k, v] of Object.entries(o.timing ?? {})) (timing as unknown as Record<string, Constant>)[k] = ns(v!);
  if (o.barrier) timing.barrier = o.barrier;
  return { ...g, timing };
}

describe("cycle engine: the soma's costs", () => {
  test("active and inactive updates, the spike cost, axon in and synapses, and the token that frees the layer", () => {
    // in(1) -> A(3), weight 1 to A0 only (threshold 0.5), reset to zero. Update 10 active / 4 inactive, spike 3,
    // receive 7, synOp 2, within tile 1; the input and A's core 0 share router (0, 0).
    const t = chip({ timing: { neuronUpdate: 10, neuronUpdateInactive: 4, spike: 3, receive: 7, synOp: 2 } });
    const g = graph().input("in", [1]).linear("w", tensor([1, 0, 0], [3, 1])).node("A", IF(3, 0.5)).output("o").build();
    const p = compile(g, t, { placer: "greedy", reset: "zero" });
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1], [0]]) });
    expect(r.spikes.A).toEqual([[0, 0]]);
    // Step 0: the host's message enters the local port at 0 and reaches core 0 at 1: axon in 1..8, synapse 8..10.
    // The host's token follows it (same port, 1) and passes the dendrite at 10: A starts at 10. A0 has input
    // (active): 10 + 3 for its spike; A1, A2 are at rest (inactive): 4 + 4. The soma ends at 10 + 21 = 31; the
    // barrier (no table: 1 cycle a hop, no sync) adds nothing on router (0, 0).
    // Step 1 (T0 = 31): no input; the token arrives at 32; A0 is back at rest: 3 x 4 = 12: 32 + 12 - 31 = 13.
    expect(r.cycles!.stepCycles).toEqual([31, 13]);
    expect(r.cycles!.totalCycles).toBe(44);
    expect(r.cycles!.coreDone[0]).toEqual([31, 44]);
    // Busy: soma 21 + 12, axon in 7, synapse 2 (one synapse).
    expect(r.cycles!.coreBusy).toEqual({ 0: 21 + 12 + 7 + 2 });
    expect([r.cycles!.messages, r.cycles!.selfMessages, r.cycles!.packets, r.cycles!.hops]).toEqual([1, 0, 0, 0]);
  });
});

describe("cycle engine: axon out, multicast and the end-of-phase tokens", () => {
  // in(1) -> A(1) on core 0 (spikes once) -> B(1) on core 1 and C(1) on core 3 (two projections, weight 1, never
  // spike); a 4 x 1 mesh, packet 5, every other latency 1 (axon in and synapse 1, hop 1, within tile 1, link 1).
  const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5))
    .linear("wb", tensor([1], [1, 1])).node("B", IF(1, 1e4)).linear("wc", tensor([1], [1, 1]), { from: "A" }).node("C", IF(1, 1e4))
    .output("ob", { from: "B" }).output("oc", { from: "C" }).build();
  const place = (t: Target) => moveLayer(moveLayer(moveLayer(compile(g, t, { placer: "greedy", reset: "zero" }), "A", 0), "B", 1), "C", 3);
  const run = (multicast: boolean) => runProgram(place(chip({ width: 4, multicast, timing: { packet: 5 } })), { engine: "cycle", input: spikesAt(1, [[1]]) });

  test("multicast: one packet for both remote cores, one axon-out cost, branching at router (1, 0)", () => {
    // Host message at core 0 at 1: axon in 1..2, synapse 2..3; the host's token passes at 3. A0 updates 3..4 and
    // spikes; axon out takes it at 4, spends 5 and hands one packet for cores 1 and 3 to the east link at 9 (at (1, 0)
    // at 10); A's token follows (link free at 10, arrives 11). Core 1: the message at 10 (axon in 10..11, synapse
    // 11..12), the token passes at 12, B updates 12..13. Core 3: two more hops, the message at 12 (13, 14), the token
    // at 13 passes at 14, C updates 14..15. Core 0 is done at 9 (axon out). Barrier (1 cycle a hop, no sync):
    // max(9 + 0, 13 + 1, 15 + 3) = 18 at the root, the release reaches router (3, 0) at 18 + 3 = 21.
    const r = run(true).cycles!;
    expect(r.coreDone).toEqual({ 0: [9], 1: [13], 3: [15] });
    expect(r.stepCycles).toEqual([21]);
    // One packet left its router (the host's message stays on router (0, 0)), 3 messages, 3 hops (the tree's links).
    expect([r.packets, r.messages, r.selfMessages, r.hops]).toEqual([1, 3, 0, 3]);
    // Core 0 busy: soma 1, axon out 5, axon in 1, synapse 1.
    expect(r.coreBusy[0]).toBe(8);
  });

  test("no multicast: one message per remote core, each costing axon out; tokens one per core too", () => {
    // A's spike: messages to core 1 (handed over at 9, at (1, 0) at 10) and core 3 (at 14, after 5 more of axon out;
    // the link sends it at 14, at (1, 0) at 15, (2, 0) at 16, (3, 0) at 17). Tokens at 14 to core 1 (the link starts
    // it at 15: arrives 16) and core 3 (starts 16, then 17, 18: arrives 19). Core 1: the message passes at 12, the
    // token at 16, B 16..17. Core 3: the message at 17 (18, 19), the token at 19, C 19..20. Core 0 done at 14.
    // Barrier: max(14, 17 + 1, 20 + 3) = 23, the release at router (3, 0) at 26.
    const r = run(false).cycles!;
    expect(r.coreDone).toEqual({ 0: [14], 1: [17], 3: [20] });
    expect(r.stepCycles).toEqual([26]);
    expect([r.packets, r.messages, r.selfMessages, r.hops]).toEqual([2, 3, 0, 4]);
    expect(r.coreBusy[0]).toBe(1 + 10 + 2);
  });
});

describe("cycle engine: stalls add up", () => {
  test("a neuron after a stalled spike starts late by the stall so far; the soma's end carries every stall", () => {
    // in(4) -> A(44) on core 0, in_i to A_i (A0..A3 spike, A4..A43 do not) -> B(1) on core 1; packet 10, queues of
    // one (coreQueueDepth 1), every other latency 1. The host's four messages and token reach core 0 at 1; its input
    // queue of one lets them in at 1, 1, 2, 3, 4 (three stalls): the token passes at 6. A's spikes are ready at 7, 8,
    // 9, 10; axon out takes them at 7, 17, 27, 37 (10 each). Spike 2 waits until spike 1 is taken (17): the soma
    // stalls 8; spike 3 is ready at 6 + 4 + 8 = 18 and waits until 27: 9 more. The soma ends at 6 + 44 + 17 = 67,
    // when A's token leaves (the last message left at 47). Core 1: the token at 68, B 68..69. Barrier: 70 + 1.
    const w = tensor(Float64Array.from({ length: 44 * 4 }, (_, k) => (k < 16 && Math.floor(k / 4) === k % 4 ? 1 : 0)), [44, 4]);
    const g = graph().input("in", [4]).linear("w", w).node("A", IF(44, 0.5)).linear("wb", tensor(new Float64Array(44).fill(1), [1, 44]))
      .node("B", IF(1, 1e4)).output("o").build();
    const p = moveLayer(moveLayer(compile(g, chip({ timing: { packet: 10 } }), { placer: "greedy", reset: "zero" }), "A", 0), "B", 1);
    const r = runProgram(p, { engine: "cycle", input: spikesAt(4, [[1, 1, 1, 1]]), coreQueueDepth: 1 }).cycles!;
    expect(r.coreDone).toEqual({ 0: [67], 1: [69] });
    expect(r.stepCycles).toEqual([71]);
    expect(r.overflows).toBe(3 + 2);
  });
});

describe("cycle engine: a spike that reaches no synapse", () => {
  test("sends no message and costs axon out nothing; the unit's token still goes to the next layer's core", () => {
    // in(1) -> A(1) on core 0 (spikes) -> B(1) on core 1 through a zero weight (no synapse, but the layer still waits
    // for A's token); packet 5, every other latency 1. The host's message and token pass core 0 at 3; A 3..4 spikes,
    // with nothing to send: its token leaves at 4 (not 4 + 5), reaches core 1 at 5: B 5..6. Barrier: max(4, 6 + 1) + 1.
    const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5))
      .linear("wb", tensor([0], [1, 1])).node("B", IF(1, 1e4)).output("o").build();
    const p = moveLayer(moveLayer(compile(g, chip({ timing: { packet: 5 } }), { placer: "greedy", reset: "zero" }), "A", 0), "B", 1);
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1]]) });
    expect(r.spikes.A).toEqual([[0, 0]]);
    expect(r.cycles!.coreDone).toEqual({ 0: [4], 1: [6] });
    expect(r.cycles!.stepCycles).toEqual([8]);
    expect([r.cycles!.messages, r.cycles!.coreBusy[0]]).toEqual([1, 3]);
  });
});

describe("cycle engine: bounded queues stall the soma and the host", () => {
  // in(3) -> A(33) on core 0, in_i to A_i (weight 1): A0..A2 spike, A3..A32 do not; A -> B(1) on core 1, weight 1
  // each. Packet (axon out) 10 per message; every other latency 1; a 2 x 1 mesh.
  const w = tensor(Float64Array.from({ length: 33 * 3 }, (_, k) => (Math.floor(k / 3) === k % 3 && k < 9 ? 1 : 0)), [33, 3]);
  const g = graph().input("in", [3]).linear("w", w).node("A", IF(33, 0.5)).linear("wb", tensor(new Float64Array(33).fill(1), [1, 33]))
    .node("B", IF(1, 1e4)).output("o").build();
  const p = moveLayer(moveLayer(compile(g, chip({ timing: { packet: 10 } }), { placer: "greedy", reset: "zero" }), "A", 0), "B", 1);
  const run = (coreQueueDepth?: number) => runProgram(p, { engine: "cycle", input: spikesAt(3, [[1, 1, 1]]), coreQueueDepth }).cycles!;

  test("queues of 16: nothing waits", () => {
    // The host's three messages and its token reach core 0 at 1 (local port): axon in and synapse one cycle each,
    // pipelined: the messages pass at 3, 4, 5 and the token at 5. A starts at 5: A0, A1, A2 end at 6, 7, 8 and spike;
    // axon out takes them at 6, 16, 26 and hands each over 10 later (16, 26, 36; at core 1 at 17, 27, 37). The soma
    // ends at 5 + 33 = 38; A's token leaves then (arrives 39). Core 1: the messages pass at 19, 29, 39, the token at
    // 39, B updates 39..40. Done: core 0 at 38 (its soma), core 1 at 40; barrier max(38, 40 + 1) + 1 = 42.
    const r = run();
    expect(r.coreDone).toEqual({ 0: [38], 1: [40] });
    expect(r.stepCycles).toEqual([42]);
    expect(r.overflows).toBe(0);
    expect(r.coreQueueDepth).toBe(16);
    expect(r.bufferDepth).toBe(16);
  });

  test("queues of 1: the input queue refuses the host's third message and token, the soma stalls on its third spike", () => {
    // Core 0's input queue holds one message: the second message enters at 1 (S1 of the first is 1), the third
    // waits until 2 (a stall), the token until 3 (a stall): it passes the dendrite at 5 as before. Spike 2 (soma at 8)
    // may enter the axon-out queue only when axon out took spike 1, at 16: the soma stalls 8 cycles (a stall) and
    // ends at 5 + 33 + 8 = 46; A's token leaves at 46 (arrives 47). Core 1 (its queue of one lets each message in,
    // S1 of the one before being past): the token passes at 47, B 47..48. Barrier max(46, 48 + 1) + 1 = 50.
    const r = run(1);
    expect(r.coreDone).toEqual({ 0: [46], 1: [48] });
    expect(r.stepCycles).toEqual([50]);
    expect(r.overflows).toBe(3);
    expect(r.coreQueueDepth).toBe(1);
    // Busy is service, not waiting: soma 33, axon out 3 x 10, axon in and synapse 3 x 2.
    expect(r.coreBusy[0]).toBe(33 + 30 + 6);
  });
});

describe("cycle engine: the barrier and the report", () => {
  // in(1) -> A(1) -> B(1), no input: nothing spikes; A waits for the host's token, B for A's.
  const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5)).linear("wb", tensor([1], [1, 1]))
    .node("B", IF(1, 1e4)).output("o").build();
  const none = spikesAt(1, [[0]]);
  const at = (t: Target, a: number, b: number) => moveLayer(moveLayer(compile(g, t, { placer: "greedy" }), "A", a), "B", b);

  test("SANA-FE-style step table: sync by tiles in use (largest key not above), no hop cost", () => {
    const t = chip({ width: 4, barrier: { lookup: "step", points: [{ tiles: 3, time: ns(700) }, { tiles: 1, time: ns(100) }, { tiles: 2, time: ns(300) }] } });
    // A on core 0, B on core 1 (two tiles): the host's token reaches core 0 at 1, A updates 1..2, its token leaves at 2
    // and reaches core 1 at 3, B updates 3..4. The root waits for the last core (4) and spends 300 (2 tiles).
    const two = runProgram(at(t, 0, 1), { engine: "cycle", input: none }).cycles!;
    expect(two.coreDone).toEqual({ 0: [2], 1: [4] });
    expect(two.stepCycles).toEqual([304]);
    expect(two.barrier).toEqual({ hopCycles: 0, syncCycles: 300, tiles: 2 });
    // Both on core 0 (one tile): A's token goes through core 0's local port (1): B updates 3..4; sync 100.
    expect(runProgram(at(t, 0, 0), { engine: "cycle", input: none }).cycles!.stepCycles).toEqual([104]);
    // Tiles are the routers of the cores in use: B on core 2 is still two tiles (its token at 4, B 4..5): 300.
    expect(runProgram(at(t, 0, 2), { engine: "cycle", input: none }).cycles!.stepCycles).toEqual([305]);
  });

  test("Davies-style linear table: sync = the first point, (last - first) / (2 H) per hop each way", () => {
    // 4 x 1 mesh: H = 3; points 100 ns at 1 tile, 220 ns at 4: sync 100, (220 - 100) / 6 = 20 cycles a hop.
    const t = chip({ width: 4, barrier: { lookup: "linear", points: [{ tiles: 4, time: ns(220) }, { tiles: 1, time: ns(100) }] } });
    // A and B on core 3 (router (3, 0)): the host's token crosses 3 links (1 each), reaching core 3 at 3: A 3..4;
    // A's token through the local port at 5, B 5..6. Barrier: 6 + 3 x 20 = 66 at the root, + 100, + 60 back = 226.
    const far = runProgram(at(t, 3, 3), { engine: "cycle", input: none }).cycles!;
    expect(far.stepCycles).toEqual([226]);
    expect(far.barrier).toEqual({ hopCycles: 20, syncCycles: 100, tiles: 1 });
    // On core 0: the token at 1, A 1..2, B 3..4: 4 + 100.
    expect(runProgram(at(t, 0, 0), { engine: "cycle", input: none }).cycles!.stepCycles).toEqual([104]);
    // A linear table with one point is looked up as a step table: sync 100, no hop cost.
    const one = chip({ width: 4, barrier: { lookup: "linear", points: [{ tiles: 1, time: ns(100) }] } });
    expect(runProgram(at(one, 3, 3), { engine: "cycle", input: none }).cycles!.stepCycles).toEqual([106]);
  });

  test("a 1 x 1 mesh with a linear table: no hops to pay (H = 0)", () => {
    const t = chip({ width: 1, barrier: { lookup: "linear", points: [{ tiles: 1, time: ns(100) }, { tiles: 2, time: ns(300) }] } });
    const g1 = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5)).output("o").build();
    const r = runProgram(compile(g1, t, { placer: "greedy" }), { engine: "cycle", input: none }).cycles!;
    // The token at 1, A 1..2, then sync 100.
    expect([r.barrier, r.stepCycles]).toEqual([{ hopCycles: 0, syncCycles: 100, tiles: 1 }, [102]]);
  });

  test("the report: ticks per cycle, rounding flagged only when needed, the run's constants", () => {
    const r = runProgram(at(chip({ timing: { synOp: 3.5 } }), 0, 1), { engine: "cycle", input: none, steps: 2 });
    expect(r.cycles!.ticksPerCycle).toBe(2);
    expect("roundedLatencies" in r.cycles!).toBe(false);
    expect([r.cycles!.clockHz, r.cycles!.coreModel, r.cycles!.na, r.cycles!.clockNa]).toEqual([1e9, "compartment", undefined, undefined]);
    expect(r.cycles!.stepCycles).toHaveLength(2);
    expect(r.cycles!.events).toBeGreaterThan(0);
    // 1e-7 ns at 1 GHz is 1e-7 cycles: no denominator up to 2^20, so every latency is rounded to 1/2^20 cycle.
    const q = runProgram(at(chip({ timing: { synOp: 1e-7 } }), 0, 1), { engine: "cycle", input: none }).cycles!;
    expect([q.ticksPerCycle, q.roundedLatencies]).toEqual([2 ** 20, true]);
    // A 1..2 on core 0, its token at core 1 at 3, B 3..4; the barrier: 1 hop there (5) and 1 back: 6.
    expect(q.stepCycles).toEqual([6]);
  });

  test("a target whose clock or constants have no published figure says so", () => {
    const g1 = graph().input("in", [2]).linear("w", tensor([1, 0, 0, 1], [2, 2])).node("h", IF(2, 0.5)).output("o").build();
    const r = runProgram(compile(g1, "truenorth", { reset: "zero" }), { engine: "cycle", input: spikesAt(2, [[1, 1]]) }).cycles!;
    expect(r.clockNa).toMatch(/^timing\.clock has no published figure: TrueNorth's cores are asynchronous/);
    expect(r.clockNa).not.toMatch(/figure: no published figure/);
    expect(r.na).toMatch(/^cycle counts rest on timing\.\w+.*, with no published figure$/);
    expect(r.coreModel).toBe("crossbar");
  });
});

describe("cycle engine: options refused with a clear error", () => {
  const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5)).output("o").build();
  const p = compile(g, chip({}), { placer: "greedy" });
  const run = (o: object) => () => runProgram(p, { engine: "cycle", input: spikesAt(1, [[1]]), ...o });

  test("buffer and queue depths must be whole numbers of packets, at least 1", () => {
    expect(run({ bufferDepth: 0 })).toThrow(/^bufferDepth must be a whole number of packets, at least 1 \(got 0\): a buffer that holds nothing would stop every message$/);
    expect(run({ bufferDepth: 2.5 })).toThrow(/bufferDepth must be a whole number of packets, at least 1 \(got 2\.5\)/);
    expect(run({ coreQueueDepth: 0 })).toThrow(/^coreQueueDepth must be a whole number of packets, at least 1 \(got 0\)/);
    expect(run({ coreQueueDepth: 1.5 })).toThrow(/coreQueueDepth must be/);
    try { run({ coreQueueDepth: -1 })(); expect.unreachable(); } catch (e) { expect(isPhasorError(e) && e.code).toBe("coreQueueDepth"); }
    expect(run({ bufferDepth: 1, coreQueueDepth: 1 })).not.toThrow();
  });

  test("link cycles: a finite number of cycles, 0 or more", () => {
    for (const v of [-1, NaN, Infinity]) expect(run({ linkCycles: v })).toThrow(new RegExp(`^linkCycles must be a number of cycles, 0 or more \\(got ${v}\\)$`));
    try { run({ linkCycles: -1 })(); expect.unreachable(); } catch (e) { expect(isPhasorError(e) && e.code).toBe("linkCycles"); }
    // 0 cycles per packet: a link sends any number at once; the step is as with 1 when nothing queues.
    expect(run({ linkCycles: 0 })().cycles!.stepCycles).toEqual(run({ linkCycles: 1 })().cycles!.stepCycles);
  });

  test("a procedural projection runs as its materialised form: the same spikes and cycles per step", () => {
    // Rows are generated from the rule when a neuron spikes; the messages and synapse counts per core are those of
    // the stored rows, so nothing in the step's timing may differ.
    const m = microcircuit({ seed: 1, dt: 1e-4, scale: 0.002, kScale: 0.2, connectivity: "procedural", drive: "dc" });
    const [mat, pro] = (["materialised", "procedural"] as const).map((connectivity) => {
      // greedy placement: the optimising placer weighs a rule's expected traffic, not its rows, and may place apart
      const q = compile(m.graph, "generic-mesh", { dt: 1e-4, connectivity, allowHost: true, placer: "greedy" });
      expect(q.projections.some((x) => x.procedural)).toBe(connectivity === "procedural");
      return runProgram(q, { engine: "cycle", steps: 30, init: m.init });
    });
    expect(pro.cycles!.stepCycles).toEqual(mat.cycles!.stepCycles);
    expect(pro.spikes).toEqual(mat.spikes);
    expect(Object.values(mat.spikes).reduce((n, s) => n + s.length, 0)).toBeGreaterThan(0);
  });
});

describe("cycle engine: which neurons are active (the soma's inactive cost)", () => {
  test("input arriving, a state off rest, or a bias make a neuron active; the rest pay the inactive cost", () => {
    // in(1) -> A(4) LIF (tau 0.1 s at dt 1 ms: v decays slowly, threshold 1), weights 0.3 to A0 and A1, bias 0.1 on
    // A2; update 10 active / 4 inactive, every other latency 1. One input spike, at step 0.
    const t = chip({ timing: { neuronUpdate: 10, neuronUpdateInactive: 4 } });
    const g = graph().input("in", [1]).affine("w", tensor([0.3, 0.3, 0, 0], [4, 1]), [0, 0, 0.1, 0])
      .lif("A", { size: 4, tau: 0.1, v_threshold: 1 }).output("o").build();
    const p = compile(g, t, { placer: "greedy", dt: 1e-3 });
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1], [0], [0]]) });
    expect(r.spikes.A).toEqual([]);
    // Step 0: the message reaches core 0 at 1 (axon in 1..2, synapse 2..4: two synapses), the token passes at 4.
    // A0, A1 have input, A2 a bias: 3 x 10; A3 is at rest with nothing: 4. Soma 4..38.
    // Step 1 (T0 38): the token at 39; A0, A1 are off rest, A2 too (and biased): 3 x 10 + 4 = 34: 39 + 34 - 38 = 35.
    expect(r.cycles!.stepCycles.slice(0, 2)).toEqual([38, 35]);
  });
});

describe("cycle engine: currents, batches", () => {
  test("Xylo: a neuron's update costs neuronUpdate per synaptic current; input to hidden within the step", () => {
    // xylo-audio2 (cycles: synOp 7, neuronUpdate 19; no receive figure: axon in 0; within tile 1 cycle by default).
    // in(1) -> H(2), two synaptic currents -> O(1), one current. Input -> hidden arrives within the step (the
    // hidden units wait for the host's token), hidden -> output one step later (O does not wait).
    const g = graph().input("in", [1]).linear("w", tensor([1, 0], [2, 1]))
      .multiCubaLIF("H", { size: 2, tau_syn: [8e-3, 16e-3], tau_mem: 16e-3, v_threshold: 1e4 })
      .linear("wo", tensor([1, 1], [1, 2])).cubaLIF("O", { size: 1, tau_syn: 8e-3, tau_mem: 16e-3, v_threshold: 1e4 }).output("o").build();
    const p = compile(g, "xylo-audio2", { dt: 1e-3 });
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1], [0]]) }).cycles!;
    // Step 0: the message reaches the core at 1, one synapse: 1..8; the token passes at 8. H: 2 neurons x 19 x 2
    // currents = 76 (8..84), then O: 19 x 1 (84..103). Step 1: the token at 1: H 1..77, O 77..96.
    expect(r.stepCycles).toEqual([103, 96]);
    expect(r.coreBusy).toEqual({ 0: 7 + 2 * (76 + 19) });
    expect(r.coreModel).toBe("xylo");
  });

  test("a batch of B runs as B passes of the soma over the unit's neurons", () => {
    // in(1) -> A(2), weight 1 to A0; batch of 2: entry 0 gets a spike, entry 1 none. Update 10 active / 4
    // inactive, spike 3. The message (entry 0) reaches core 0 at 1, axon in 1..2, synapse 2..3; the token at 3.
    // Entry 0: A0 active and spiking (13), A1 inactive (4); entry 1: both inactive (8). Soma 3..28.
    const t = chip({ timing: { neuronUpdate: 10, neuronUpdateInactive: 4, spike: 3 } });
    const g = graph().input("in", [1]).linear("w", tensor([1, 0], [2, 1])).node("A", IF(2, 0.5)).output("o").build();
    const p = compile(g, t, { placer: "greedy", reset: "zero" });
    const r = runProgram(p, { engine: "cycle", input: { data: Float64Array.from([1, 0]), shape: [1, 2, 1] } });
    expect(r.spikes.A).toEqual([[0, 0, 0]]);
    expect(r.cycles!.stepCycles).toEqual([28]);
    expect(r.cycles!.coreBusy).toEqual({ 0: 25 + 2 });
  });
});

describe("cycle engine: layers on the host", () => {
  test("a host layer costs nothing and the messages it receives are not counted as messages between cores", () => {
    // speck (no published latencies: every stage 0 except the compartment model's axon in and axon out of 1 cycle and
    // the within-tile default of 1). in(1) -> A(2) on core 0 (both spike) -> O(1), a CubaLIF Speck lacks: on the host.
    const g = graph().input("in", [1]).linear("w", tensor([1, 1], [2, 1])).node("A", IF(2, 0.5))
      .linear("wo", tensor([1, 1], [1, 2])).cubaLIF("O", { size: 1, tau_syn: 8e-3, tau_mem: 16e-3, v_threshold: 1e4 }).output("o").build();
    const p = compile(g, "speck", { dt: 1e-3, allowHost: true, reset: "zero" });
    expect(p.layers.find((l) => l.name === "O")!.partition).toBe("host");
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1], [0]]) });
    expect(r.spikes.A).toEqual([[0, 0], [0, 1]]);
    // Step 0: the host's message reaches core 0 at 1 (axon in 1..2), the token passes at 2; A costs 0 and both spike;
    // axon out takes them at 2 and 3, handing each to the host 1 later (3, 4); A's token to the host leaves at 4.
    // Step 1: the token at 1, nothing spikes, A's token leaves at 1.
    const c = r.cycles!;
    expect(c.stepCycles).toEqual([4, 1]);
    // One message between cores (the host's to core 0); A's two messages go to the host.
    expect([c.messages, c.selfMessages, c.packets]).toEqual([1, 0, 0]);
    expect(c.coreBusy).toEqual({ 0: 1 + 2 });
  });
});

describe("cycle engine: the time base holds every latency exactly", () => {
  // in(1) -> A(1) on core 0 at (0, 0) -> B(1) on core 1 at (0, 1) (a 1 x 2 mesh), no input: only tokens move.
  const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5)).linear("wb", tensor([1], [1, 1]))
    .node("B", IF(1, 1e4)).output("o").build();
  const run = (timing: Record<string, number>, o: object = {}) => {
    const p = moveLayer(moveLayer(compile(g, chip({ width: 1, height: 2, timing }), { placer: "greedy" }), "A", 0), "B", 1);
    return runProgram(p, { engine: "cycle", input: spikesAt(1, [[0]]), ...o }).cycles!;
  };

  test("north-south hops cost hopNS (2.5: R = 2); the barrier's hops cost hop", () => {
    // The host's token reaches core 0 at 1 (local port), A 1..2, A's token goes north: 2 + 2.5, B 4.5..5.5.
    // Barrier (no table): 5.5 + 1 hop = 6.5 at the root, + 1 back: 7.5.
    const r = run({ hopNS: 2.5 });
    expect([r.ticksPerCycle, r.coreDone[1][0], r.stepCycles[0]]).toEqual([2, 5.5, 7.5]);
    // Without hopNS, north-south is hop: B 3..4, step 6.
    expect(run({}).stepCycles).toEqual([6]);
  });

  test("the within-tile latency (0.25: R = 4) and the link's cycles per packet (0.5: R = 2)", () => {
    // Host token at 0.25, A 0.25..1.25, north 1 hop: B 2.25..3.25, barrier + 2: 5.25.
    const w = run({ withinTile: 0.25 });
    expect([w.ticksPerCycle, w.stepCycles[0]]).toEqual([4, 5.25]);
    // linkCycles 0.5 changes nothing here but the time base (one packet per link).
    expect(run({}, { linkCycles: 0.5 }).ticksPerCycle).toBe(2);
  });
});

describe("cycle engine: activity with several synaptic currents", () => {
  test("each current and each port's arriving input makes a neuron active on its own", () => {
    // in(3) -> A(1), a MultiCubaLIF with three currents (tau_syn 1 ms at dt 1 ms: a current dies out in a few steps),
    // in_k feeding port k; threshold 0.01 and reset to zero, so A spikes while any current flows and v is at rest
    // after every step: only the rule's other clauses (input arriving on a port, a current off zero) make it active.
    // Update 10 active / 4 inactive; the k input messages of a step reach core 0 at 1 and pass axon in and synapse
    // (1 each) one after the other, so the host's token passes at k + 2 (1 with none): a step is that + A's cost.
    const t = chip({ timing: { neuronUpdate: 10, neuronUpdateInactive: 4 } });
    const g = graph().input("in", [3]).linear("w0", tensor([1, 0, 0], [1, 3]), { from: "in" })
      .linear("w1", tensor([0, 1, 0], [1, 3]), { from: "in" }).linear("w2", tensor([0, 0, 1], [1, 3]), { from: "in" })
      .multiCubaLIF("A", { size: 1, tau_syn: [1e-3, 1e-3, 1e-3], tau_mem: 2e-3, v_threshold: 0.01 }, { from: "w0" })
      .connect("w1", "A", 1).connect("w2", "A", 2).output("o", { from: "A" }).build();
    const p = compile(g, t, { dt: 1e-3, reset: "zero", placer: "greedy" });
    const rows = Array.from({ length: 30 }, (_, s) => [s === 0 ? 1 : 0, s === 10 ? 1 : 0, s === 20 ? 1 : 0]);
    const r = runProgram(p, { engine: "cycle", input: spikesAt(3, rows), record: ["A"] });
    const rec = r.records.A, v = rec.v_int, cur = [rec.i0_int, rec.i1_int, rec.i2_int];
    const why: string[] = [];
    const expected = rows.map((row, s) => {
      const k = row.reduce((a, b) => a + b, 0);
      const reasons = [...row.map((x, q) => (x ? `in${q}` : "")), ...cur.map((c, q) => (s > 0 && c[s - 1] !== 0 ? `i${q}` : "")),
        s > 0 && v[s - 1] !== 0 ? "v" : ""].filter(Boolean);
      why.push(reasons.join("+"));
      return (k ? k + 2 : 1) + (reasons.length ? 10 : 4);
    });
    expect(r.cycles!.stepCycles).toEqual(expected);
    // The run exercises every clause alone, and steps with nothing.
    for (const one of ["in0", "in1", "in2", "i0", "i1", "i2", ""]) expect(why).toContain(one);
  });
});

describe("cycle engine: a bias counts from the step it is in force", () => {
  test("a recurrent Affine's bias arrives with its projection, one step late: active from step 1", () => {
    // in(1) -> A(2) LIF (tau 0.1 s, threshold 1), and A -> A through an Affine with zero weights and bias 0.1 on A1
    // (recurrent: one step late). Update 10 active / 4 inactive; no input. The host's token reaches core 0 at 1.
    // Step 0: the bias is not yet in force: both inactive, 1 + 2 x 4 = 9. Step 1: A1's bias makes it active though
    // its v is still at rest: 1 + 4 + 10 = 15. Step 2: as step 1 (and v is off rest).
    const t = chip({ timing: { neuronUpdate: 10, neuronUpdateInactive: 4 } });
    const g = graph().input("in", [1]).linear("w", tensor([1, 1], [2, 1])).lif("A", { size: 2, tau: 0.1, v_threshold: 1 })
      .affine("rec", tensor([0, 0, 0, 0], [2, 2]), [0, 0.1]).connect("rec", "A").output("o", { from: "A" }).build();
    const p = compile(g, t, { dt: 1e-3, reset: "zero", placer: "greedy" });
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[0], [0], [0]]), record: ["A"] });
    // v after each step (A0, A1): A1 leaves rest at step 1, when the bias first acts.
    expect(Array.from(r.records.A.v_int).map((x) => x !== 0)).toEqual([false, false, false, true, false, true]);
    expect(r.cycles!.stepCycles).toEqual([9, 15, 15]);
  });
});

describe("cycle engine: units", () => {
  test("a core's soma serves its units by layer, then first neuron; a unit waits for every source unit's token", () => {
    // in(1) -> A(4) (weight 1 to A3 only) -> B(2) (weights 1, never spikes); A's slices: [0, 2) on core 1, [2, 4) on
    // core 0; B on core 0 too. Every latency 1. Core 0 serves A[2, 4) (layer 1, first neuron 2) before B (layer 2,
    // first neuron 0); B waits for the tokens of both A units.
    const g = graph().input("in", [1]).linear("w", tensor([0, 0, 0, 1], [4, 1])).node("A", IF(4, 0.5))
      .linear("wb", tensor(new Float64Array(8).fill(1), [2, 4])).node("B", IF(2, 1e4)).output("o").build();
    const p: Program = JSON.parse(JSON.stringify({ ...compile(g, chip({ width: 3, neuronsPerCore: 2 }), { placer: "greedy" }), blobs: {} }));
    p.blobs = compile(g, chip({ width: 3, neuronsPerCore: 2 }), { placer: "greedy" }).blobs;
    const remap = [1, 0, 0]; // compiled: A[0, 2) on 0, A[2, 4) on 1, B on 2
    for (const l of p.layers) l.slices = l.slices.map((s) => ({ ...s, core: remap[s.core] }));
    for (const x of p.cores) x.id = remap[x.id];
    expect(p.layers.map((l) => l.slices.map((s) => [s.core, s.start]))).toEqual([[], [[1, 0], [0, 2]], [[0, 0]]]);
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1]]) });
    expect(r.spikes.A).toEqual([[0, 3]]);
    // Core 0: the host's message (to A3) and token arrive at 1 and pass at 3: A[2, 4) 3..5, A3 spikes at 5; axon out
    // hands its message (to B, on core 0 itself) over at 6, and the unit's token after it; both arrive at 7.
    // Core 1: the host's token at 1, A[0, 2) 1..3, its token to core 0 leaves at 3, arrives at 4 and passes at 4.
    // Core 0's input side: A3's message 7..8..10 (two synapses), the token at 10: B 10..12. Barrier: max(12, 3 + 1)
    // at the root, 1 hop back to router (1, 0): 13.
    // (Core 0 is listed twice in this hand-made Program's cores, once per layer: coreDone[0] holds it twice.)
    expect([r.cycles!.coreDone[0][0], r.cycles!.coreDone[1]]).toEqual([12, [3]]);
    expect(r.cycles!.stepCycles).toEqual([13]);
    expect([r.cycles!.messages, r.cycles!.selfMessages]).toEqual([2, 1]);
  });
});

describe("cycle engine: a layer's slices on one core", () => {
  test("are served by first neuron whatever their order in the Program", () => {
    // in(1) -> A(4) (weight 1 to A0) -> B(1) on core 1 (weights 1); A's slices [2, 4) and [0, 2) both on core 0, listed
    // in that order; packet 5, every other latency 1. The host's message and token pass core 0 at 3: A[0, 2) 3..5
    // (A0 spikes at 4: its message leaves at 9, at core 1 at 10; the unit's token at 9, sent at 10, there at 11), then
    // A[2, 4) 5..7 (its token at 9, sent at 11, there at 12). Core 1: the message passes at 12, the tokens at 12:
    // B 12..13. Core 0 is done at 9 (axon out). Barrier: max(9, 13 + 1) + 1 = 15.
    const g = graph().input("in", [1]).linear("w", tensor([1, 0, 0, 0], [4, 1])).node("A", IF(4, 0.5))
      .linear("wb", tensor(new Float64Array(4).fill(1), [1, 4])).node("B", IF(1, 1e4)).output("o").build();
    const t = chip({ width: 3, neuronsPerCore: 2, timing: { packet: 5 } });
    const c = compile(g, t, { placer: "greedy", reset: "zero" });
    const p: Program = { ...JSON.parse(JSON.stringify({ ...c, blobs: {} })), blobs: c.blobs };
    const remap = [0, 0, 1]; // compiled: A[0, 2) on 0, A[2, 4) on 1, B on 2
    for (const l of p.layers) l.slices = l.slices.map((s) => ({ ...s, core: remap[s.core] })).reverse();
    for (const x of p.cores) x.id = remap[x.id];
    expect(p.layers[1].slices.map((s) => [s.core, s.start])).toEqual([[0, 2], [0, 0]]);
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1]]) }).cycles!;
    expect([r.coreDone[0][0], r.coreDone[1]]).toEqual([9, [13]]);
    expect(r.stepCycles).toEqual([15]);
  });
});

describe("cycle engine: message order and fractional barrier constants", () => {
  test("a spike's messages leave in ascending destination core, whatever the order of the neurons they reach", () => {
    // in(1) -> A(1) on core 0 -> B(2), weight 1 each, with B0 on core 3 and B1 on core 1 (a 4 x 1 mesh, no multicast,
    // packet 5, every other latency 1). As in "no multicast" above: the message to core 1 leaves first (9, there at
    // 10), the one to core 3 5 later (14, there at 17); the tokens follow in the same order (arriving 16 and 19).
    // Core 1: B1 16..17; core 3: B0 19..20; core 0 done at 14. Barrier: max(14, 17 + 1, 20 + 3) + 3 = 26.
    const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5))
      .linear("wb", tensor([1, 1], [2, 1])).node("B", IF(2, 1e4)).output("o").build();
    const t = chip({ width: 4, neuronsPerCore: 1, multicast: false, timing: { packet: 5 } });
    const c = compile(g, t, { placer: "greedy", reset: "zero" });
    const p: Program = { ...JSON.parse(JSON.stringify({ ...c, blobs: {} })), blobs: c.blobs };
    const remap = [0, 3, 1]; // compiled: A on 0, B0 on 1, B1 on 2
    for (const l of p.layers) l.slices = l.slices.map((s) => ({ ...s, core: remap[s.core] }));
    for (const x of p.cores) x.id = remap[x.id];
    expect(p.layers[2].slices.map((s) => [s.start, s.core])).toEqual([[0, 3], [1, 1]]);
    const r = runProgram(p, { engine: "cycle", input: spikesAt(1, [[1]]) }).cycles!;
    expect(r.coreDone).toEqual({ 0: [14], 1: [17], 3: [20] });
    expect(r.stepCycles).toEqual([26]);
  });

  test("barrier constants that are fractions of a cycle enter the time base", () => {
    const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5)).output("o").build();
    const none = spikesAt(1, [[0]]);
    const run = (barrier: Target["timing"]["barrier"], core: number) =>
      runProgram(moveLayer(compile(g, chip({ width: 4, barrier }), { placer: "greedy" }), "A", core), { engine: "cycle", input: none }).cycles!;
    // Linear, 4 x 1 (H = 3): 100 ns at 1 tile, 115 ns at 4: 2.5 cycles a hop (R = 2). A on core 3: the host's token
    // crosses 3 links (at 3), A 3..4; barrier 4 + 3 x 2.5 = 11.5 at the root, + 100 + 7.5 = 119.
    const lin = run({ lookup: "linear", points: [{ tiles: 1, time: ns(100) }, { tiles: 4, time: ns(115) }] }, 3);
    expect([lin.ticksPerCycle, lin.stepCycles[0], lin.totalCycles, lin.barrier]).toEqual([2, 119, 119, { hopCycles: 2.5, syncCycles: 100, tiles: 1 }]);
    // Busy cycles are reported in cycles, not ticks: A's one update.
    expect(lin.coreBusy).toEqual({ 3: 1 });
    // Linear, sync 100.25 ns (R = 4), 24 more at 4 tiles: 4 a hop. A on core 0: 2 + 100.25.
    const frac = run({ lookup: "linear", points: [{ tiles: 1, time: ns(100.25) }, { tiles: 4, time: ns(124.25) }] }, 0);
    expect([frac.ticksPerCycle, frac.stepCycles[0], frac.barrier!.syncCycles]).toEqual([4, 102.25, 100.25]);
    // Step table, 100.25 ns at 1 tile (R = 4): A on core 0 (token at 1, A 1..2): 102.25.
    const step = run({ lookup: "step", points: [{ tiles: 1, time: ns(100.25) }] }, 0);
    expect([step.ticksPerCycle, step.stepCycles[0]]).toEqual([4, 102.25]);
  });
});
