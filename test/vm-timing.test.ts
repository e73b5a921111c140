// Must-show timing: latency grows with hop distance; a hotspot link shows contention; the
// barrier waits for the slowest core. Also: NeuroBench metrics of a small network equal
// hand-computed values, and the debugging conditions stop where they should.
import { describe, expect, test } from "vitest";
import type { Graph, Node } from "../lib/ir/graph.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { moveLayer } from "./support.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { runProgram, VmSession } from "../lib/vm/index.js";

const IF = (n: number, th = 0.5): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(th)) });
const ones = (o: number, i: number, w = 1) => tensor(new Float64Array(o * i).fill(w), [o, i]);
const always = (n: number, steps: number) => ({ data: new Float64Array(steps * n).fill(1), shape: [steps, n] });

/** in(n) -> A(n) -> B(n), all-to-all; every neuron spikes every step. */
function chain(n: number): Graph {
  return graph().input("in", [n]).linear("w1", ones(n, n)).node("A", IF(n)).linear("w2", ones(n, n)).node("B", IF(n)).output("o").build();
}

const mesh = genericMesh({ width: 8, height: 8, neuronsPerCore: 16 });

describe("cycle-accurate timing", () => {
  test("per-step latency grows with the hop distance between two layers", () => {
    const p = compile(chain(8), mesh, { placer: "greedy" });
    const lat = [1, 3, 7].map((x) => {
      const r = runProgram(moveLayer(moveLayer(p, "A", 0), "B", x), { engine: "cycle", input: always(8, 5) });
      return r.cycles!.stepCycles[2];
    });
    console.log(`step latency at 1, 3, 7 hops: ${lat.join(", ")} cycles`);
    expect(lat[1]).toBeGreaterThan(lat[0]);
    expect(lat[2]).toBeGreaterThan(lat[1]);
  });

  test("a hotspot link shows contention; narrower links make it worse", () => {
    // 64 neurons over 4 source cores all feeding one destination core 6 hops away.
    const g = graph().input("in", [64]).linear("w1", tensor(Float64Array.from({ length: 64 * 64 }, (_, k) => (Math.floor(k / 64) === k % 64 ? 1 : 0)), [64, 64])).node("A", IF(64)).linear("w2", ones(4, 64)).node("B", IF(4, Infinity)).output("o").build();
    const p = compile(g, mesh, { placer: "greedy" });
    const run = (linkCycles: number) => runProgram(p, { engine: "cycle", input: always(64, 4), linkCycles, bufferDepth: 4 });
    const fast = run(1), slow = run(4);
    const hot = [...slow.cycles!.links].sort((a, b) => b.waitCycles - a.waitCycles)[0];
    console.log(`hotspot link router ${hot.router} ${hot.port}: ${hot.packets} packets, ${hot.waitCycles} wait cycles, queue up to ${hot.maxQueue}; step latency ${fast.cycles!.stepCycles[1]} -> ${slow.cycles!.stepCycles[1]} cycles at 1 -> 4 cycles per packet`);
    expect(hot.waitCycles).toBeGreaterThan(0);
    expect(slow.cycles!.overflows).toBeGreaterThan(0);
    expect(slow.cycles!.stepCycles[1]).toBeGreaterThan(fast.cycles!.stepCycles[1]);
    expect(slow.spikes).toEqual(fast.spikes);
  });

  test("the barrier waits for the slowest core", () => {
    const p = compile(chain(8), mesh, { placer: "greedy" });
    const r = runProgram(p, { engine: "cycle", input: always(8, 4) });
    const c = r.cycles!;
    let start = 0;
    c.stepCycles.forEach((cyc, t) => {
      const lastDone = Math.max(...Object.values(c.coreDone).map((d) => d[t]));
      expect(start + cyc).toBeGreaterThanOrEqual(lastDone);
      start += cyc;
    });
    // Making B's core slow (16 neurons instead of 8) lengthens every step.
    const slow = runProgram(compile(graph().input("in", [8]).linear("w1", ones(8, 8)).node("A", IF(8)).linear("w2", ones(16, 8)).node("B", IF(16)).output("o").build(), mesh, { placer: "greedy" }), { engine: "cycle", input: always(8, 4) });
    expect(slow.cycles!.stepCycles[2]).toBeGreaterThan(c.stepCycles[2]);
  });
});

describe("NeuroBench metrics and debugging", () => {
  test("metrics of a small network equal hand-computed values", () => {
    // in(2) -> 3 IF neurons, weights [[1, 0], [1, 1], [0, 1]] (4 nonzero of 6), threshold 0.5.
    const g = graph().input("in", [2]).linear("w", tensor([1, 0, 1, 1, 0, 1], [3, 2])).node("h", IF(3)).output("o").build();
    const p = compile(g, mesh, { placer: "greedy" });
    // step 0: in0 -> h0, h1 spike; step 1: nothing; step 2: in1 -> h1, h2; step 3: both -> all three
    const input = { data: Float64Array.from([1, 0, 0, 0, 0, 1, 1, 1]), shape: [4, 2] };
    const r = runProgram(p, { input });
    expect(r.spikes.h).toEqual([[0, 0], [0, 1], [2, 1], [2, 2], [3, 0], [3, 1], [3, 2]]);
    // NeuroBench's definitions (test/neurobench-metrics.test.ts covers them in depth): Dense over all 6 weights.
    const nb = r.neurobench;
    expect(nb.SynapticOperations).toEqual({ Dense: 6 * 4, Effective_ACs: 2 + 2 + 4, Effective_MACs: 0 });
    expect(nb.ConnectionSparsity).toBe(0.3333);
    expect(nb.ActivationSparsity).toBeCloseTo(1 - 7 / 12, 12);
    // Phasor's hardware-centric figures: 4 stored synapses; 4 weights at 8 bits + 3 neurons x 6 words at 24 bits.
    expect(nb.hardware.storedSynOps).toBe(4 * 4);
    expect(nb.hardware.memoryBytes).toBe(4 + (3 * 6 * 24) / 8);
    const e = r.energy;
    expect(e.byOp.synOp).toBeCloseTo(8 * 23.6e-12, 20);
    expect(e.byOp.neuronUpdate).toBeCloseTo(12 * 81e-12, 20);
    expect(e.constants["energy.synOp"].source).toMatch(/Davies/);
  });

  test("run until a neuron spikes, step, inspect; until a counter passes a value; until a buffer overflows", () => {
    const g = graph().input("in", [2]).linear("w", tensor([0.2, 0, 0, 0.2], [2, 2])).node("h", IF(2, 0.5)).output("o").build();
    const p = compile(g, mesh, { placer: "greedy" });
    const s = new VmSession(p, { input: always(2, 20) });
    expect(s.until({ spike: { layer: "h", index: 1 } })).toEqual({ met: true, step: 2 });
    expect(s.inspect({ layer: "h" }).v.every((v) => Math.abs(v) < 1e-2)).toBe(true);
    s.step();
    expect(s.inspect({ core: p.cores[0].id }).v[0]).toBeCloseTo(0.2, 2);
    expect(s.until({ counter: "spikes", layer: "h", above: 6 }).step).toBe(11);
    // Input enters at router (0, 0); with h 2 hops away and one-packet buffers, the second input spike finds the first link full.
    const far = moveLayer(p, "h", 9 * mesh.mesh.coresPerRouter);
    expect(new VmSession(far, { input: always(2, 20), engine: "cycle", bufferDepth: 1 }).until({ overflow: true })).toEqual({ met: true, step: 0 });
    expect(() => new VmSession(far, { input: always(2, 20), engine: "cycle", bufferDepth: 0 })).toThrow(/bufferDepth must be a whole number of packets, at least 1/);
    expect(new VmSession(far, { input: always(2, 20), engine: "cycle", bufferDepth: 4 }).until({ overflow: true }).met).toBe(false);
    expect(() => new VmSession(p, { input: always(2, 20) }).until({ overflow: true })).toThrow(/cycle-accurate engine only/);
  });
});
