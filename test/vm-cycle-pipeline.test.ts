// The cycle-level model's rules (docs/cycle-models.md), each against a time worked out by hand
// from the rules: fractional latencies accumulate exactly; a message to the sender's own core
// costs a message; a narrowed, full link buffer delays the sender; the barrier grows with the
// distance to router (0, 0) as Davies 2018's two points say, and by tiles as SANA-FE's table says.
import { describe, expect, test } from "vitest";
import type { Graph, Node } from "../lib/ir/graph.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { moveLayer } from "./support.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { loihi } from "../lib/target/presets/loihi.js";
import { loihiSanafe } from "../lib/target/presets/loihi-sanafe.js";
import { c } from "../lib/target/presets/constant.js";
import type { Target } from "../lib/target/types.js";
import { runProgram } from "../lib/vm/index.js";
import { barrierModel, barrierTicks } from "../lib/vm/cycle/barrier.js";
import { ticksPerCycle } from "../lib/vm/cycle/time.js";

const IF = (n: number, th: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(th)) });
const always = (n: number, steps: number) => ({ data: new Float64Array(steps * n).fill(1), shape: [steps, n] });
const ns = (v: number) => c(v, "ns", "test figure", "pre-silicon");

/** A 1 GHz mesh (one core per router) with the given latencies; no receive/spike/packet figures, no barrier table. */
function mesh(width: number, timing: { synOp: number; neuronUpdate?: number }): Target {
  const g = genericMesh({ width, height: 1, neuronsPerCore: 1024 });
  return { ...g, timing: { clock: c(1e9, "Hz", "test clock", "pre-silicon"), synOp: ns(timing.synOp), neuronUpdate: ns(timing.neuronUpdate ?? 1), hop: ns(1), withinTile: ns(1) } };
}

describe("cycle-level model", () => {
  test("fractional latencies accumulate exactly: 1000 synaptic ops of 3.5 ns at 1 GHz take 3500 cycles", () => {
    // in(1) -> A(1000), weight 1, threshold 100: no spike. Compartment defaults: axon in 1 cycle, dendrite 0.
    // Step 0: the input's message leaves the host at 0 through router (0, 0)'s local port (1 cycle) to core 0:
    // axon in 1..2, synapse 2..3502 (1000 x 3.5), dendrite 3502. Its token follows and passes the dendrite at
    // 3502; A (lag 0) then updates 1000 neurons x 1 cycle: done at 4502. Core 0 is at router (0, 0): the
    // barrier (no table: 1 cycle per hop, no sync) adds nothing. 3.5 rounded to 4 would give 5002.
    const g = graph().input("in", [1]).linear("w", tensor(new Float64Array(1000).fill(1), [1000, 1])).node("A", IF(1000, 100)).output("o").build();
    const p = compile(g, mesh(2, { synOp: 3.5 }), { placer: "greedy" });
    const r = runProgram(p, { engine: "cycle", input: always(1, 2) });
    expect(r.cycles!.ticksPerCycle).toBe(2);
    expect(r.cycles!.stepCycles[0]).toBe(4502);
    expect(ticksPerCycle([3.5, 9.7, 1]).R).toBe(10); // lcm of 2 and 10
  });

  test("a spike to its own core costs a message: axon out, the local port, axon in and its synapses", () => {
    // in(1) -> A(1) weight 1 (spikes every step), A -> A weight 0.25 (recurrent: one step later), synOp 2 ns.
    // Step 0: input message at router (0, 0)'s local port 0..1, axon in 1..2, synapse 2..4; the token passes at 4.
    // A updates 4..5 and spikes: axon out takes it at 5, spends 1 cycle and hands the message to its own
    // core's local port at 6; it arrives at 7: axon in 7..8, synapse 8..10. Core 0 is done at 10, not 6.
    const g: Graph = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", IF(1, 0.5))
      .linear("rec", tensor([0.25], [1, 1])).connect("rec", "A").output("o", { from: "A" }).build();
    const p = compile(g, mesh(2, { synOp: 2 }), { placer: "greedy" });
    const r = runProgram(p, { engine: "cycle", input: always(1, 3) });
    expect(r.spikes.A).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(r.cycles!.stepCycles[0]).toBe(10);
    expect(r.cycles!.messages).toBe(3 + 3);
    expect(r.cycles!.selfMessages).toBe(3);
    // Counted as the energy counts them: 3 input deliveries and 3 self deliveries through the local port.
    expect(r.counters.total.localDeliveries).toBe(6);
    expect(r.energy.byOp.withinTile).toBeCloseTo(6 * 1.7e-12, 20);
  });

  test("a narrowed link whose buffer fills delays the sender", () => {
    // in(3) -> A(3) one-to-one (each spikes every step) -> B(1) on core 3, three hops east. Worked out in
    // docs/cycle-models.md's rules; A's soma ends at 8 in both cases, its spikes leave axon out at 7, 8, 9.
    // Wide (16-packet buffers, 1 cycle per packet): the three messages and A's token are handed over at
    // 7, 8, 9, 9: core 0 is done at 9. Narrow (1-packet buffers, 10 cycles per packet): the first link
    // takes the first message at 7 and the second at 8 (its buffer slot freed when the first moved on);
    // the third waits until the second moves on at 18 (7 + 10 + 1 hop), the token until the third moves
    // on at 28: core 0 is done at 28, 19 cycles later. The host's three messages also wait for the local
    // port one by one (1, 2, 3), which here delays nothing: A's token passes its dendrite at 5 in both.
    const g = graph().input("in", [3]).linear("w1", tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])).node("A", IF(3, 0.5))
      .linear("w2", tensor([1, 1, 1], [1, 3])).node("B", IF(1, 1e4)).output("o").build();
    const p = moveLayer(moveLayer(compile(g, mesh(4, { synOp: 1 }), { placer: "greedy" }), "A", 0), "B", 3);
    const wide = runProgram(p, { engine: "cycle", input: always(3, 1) });
    const narrow = runProgram(p, { engine: "cycle", input: always(3, 1), bufferDepth: 1, linkCycles: 10 });
    expect(wide.cycles!.coreDone[0][0]).toBe(9);
    expect(narrow.cycles!.coreDone[0][0]).toBe(28);
    expect(narrow.cycles!.overflows).toBeGreaterThan(0);
    expect(narrow.spikes).toEqual(wide.spikes);
  });

  test("the barrier grows with the mesh as the constants say", () => {
    // Davies 2018: 113 ns at 1 tile, 465 ns at 32 tiles (the whole 8 x 4 mesh, 10 hops from router (0, 0)
    // to (7, 3)): sync 1130 cycles at 10 GHz, (4650 - 1130) / (2 x 10) = 176 cycles per hop each way.
    const d = barrierModel(loihi());
    expect(d.hopCycles).toBe(176);
    expect(d.syncFor(1)).toBe(1130);
    const at = (xy: Record<number, [number, number]>) => (core: number) => xy[core];
    const one = (x: number, y: number) => barrierTicks(new Map([[0, 0]]), at({ 0: [x, y] }), { hop: 176, sync: 1130 }, 0);
    expect(one(0, 0)).toBe(1130);
    expect(one(7, 3)).toBe(4650);
    expect(one(2, 1)).toBe(1130 + 2 * 3 * 176);
    // The barrier waits for the slowest core: done at 100 at (1, 0) and at 50 at (3, 0): max(100 + 176, 50 + 528)
    // reaches the root at 578, the release the farthest router 3 hops later: 578 + 1130 + 528.
    expect(barrierTicks(new Map([[0, 100], [1, 50]]), at({ 0: [1, 0], 1: [3, 0] }), { hop: 176, sync: 1130 }, 0)).toBe(578 + 1130 + 528);
    // SANA-FE's table: 0.6, 1.0, 1.4, 1.8 us at 1, 2, 4, 29 tiles, the largest key not above the tiles in use.
    const s = barrierModel(loihiSanafe());
    expect(s.hopCycles).toBe(0);
    expect([1, 2, 3, 4, 28, 29, 32].map((n) => s.syncFor(n))).toEqual([6000, 10000, 10000, 14000, 14000, 18000, 18000]);
  });

  test("on Loihi the barrier of a run follows where its cores sit", () => {
    // in(1) -> A(1) with no input: A's one compartment is inactive (5.3 ns = 53 cycles), nothing is sent.
    // On a core of tile (0, 0) a step is 53 + 1130 cycles; on a core of tile (7, 3) (core 124), 53 + 4650.
    const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("A", { type: "LIF", tau: tensor([0.01]), r: tensor([1]), v_leak: tensor([0]), v_threshold: tensor([1]) }).output("o").build();
    const p = compile(g, loihi(), { placer: "greedy", dt: 1e-3 });
    const zero = { data: new Float64Array(2), shape: [2, 1] };
    expect(runProgram(moveLayer(p, "A", 0), { engine: "cycle", input: zero }).cycles!.stepCycles).toEqual([53 + 1130, 53 + 1130]);
    expect(runProgram(moveLayer(p, "A", 124), { engine: "cycle", input: zero }).cycles!.stepCycles).toEqual([53 + 4650, 53 + 4650]);
  });
});
