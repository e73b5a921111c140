// Constant biases in the Program: a bias reaches a neuron from step 0 on port 0 (the layer's
// bias) unless a recurrent edge lies between it and the neuron, or it feeds another port; then
// it rides on a projection and is delivered with that projection's delay, as in the reference
// simulator (a recurrent edge delivers W·x + b of step t-1, so nothing at t = 0).
import { describe, expect, test } from "vitest";
import { graph } from "../lib/ir/builders.js";
import type { Graph } from "../lib/ir/graph.js";
import { simulate } from "../lib/ir/sim/index.js";
import { compile, compileUntil, programToGraph } from "../lib/compiler/index.js";
import { floatProgram, genericMeshFloat, runProgram } from "../lib/vm/index.js";

const steps = 6;
const silent = (n: number) => ({ data: new Float64Array(steps * n), shape: [steps, n] });
const firstSteps = (spikes: number[][]) => [...new Set(spikes.map((s) => s[0]))].sort((a, b) => a - b);

/** in -> fc (bias 0.5) -> h (LIF, gain 1) and h -> rec (bias 2) -> h: rec's bias alone crosses threshold, but only from step 1. */
function recurrentBias(): Graph {
  const lif = { tau: 1e-3, r: 10, v_threshold: 1 };
  return graph().input("in", [2]).affine("fc", [[0.1, 0], [0, 0.1]], [0.5, 0.5]).lif("h", lif)
    .affine("rec", [[0, 0], [0, 0]], [2, 0], { from: "h" }).connect("rec", "h").output("o", { from: "h" }).build();
}

/** in -> y (bias 2) -> h, h -> y: the loop closes on y's input, so y's bias is there from step 0. */
function biasBeforeLoop(): Graph {
  return graph().input("in", [2]).affine("y", [[0, 0], [0, 0]], [2, 0]).lif("h", { tau: 1e-3, r: 10, v_threshold: 1 }).connect("h", "y").output("o", { from: "h" }).build();
}

/** A bias on port 1 of a MultiCubaLIF (its own synaptic current), not port 0. */
function portBias(): Graph {
  const b = graph().input("in", [2]).affine("a0", [[1, 0], [0, 1]], [0, 0]);
  b.multiCubaLIF("m", { size: 2, tau_syn: [2e-4, 1e-3], tau_mem: 1e-3, r: 10, v_threshold: 1 });
  return b.affine("a1", [[1, 0], [0, 1]], [30, 0], { from: "in" }).connect("a1", "m", 1).output("o", { from: "m" }).build();
}

describe("biases in the Program", () => {
  test("a recurrent Affine's bias is carried by its recurrent projection, not folded into the layer", () => {
    const s = compileUntil(recurrentBias(), genericMeshFloat(), {}, "fuse");
    const h = s.netlist!.layers.find((l) => l.name === "h")!;
    expect(Array.from(h.bias)).toEqual([0.5, 0.5]);
    const rec = s.netlist!.projections.find((p) => p.name === "rec")!;
    expect(rec.recurrent).toBe(true);
    expect(Array.from(rec.bias!)).toEqual([2, 0]);
    expect(s.netlist!.projections.find((p) => p.name === "fc")!.bias).toBeUndefined();
    const p = floatProgram(recurrentBias());
    const pr = p.projections.find((x) => x.name === "rec")!;
    expect(pr.bias).toBe("proj/rec/bias");
    expect(Array.from(p.blobs[pr.bias!])).toEqual([2, 0]); // gain dt r / tau = 1
    expect(p.semantics).toMatch(/projection's bias, delivered with the projection's delay/);
  });

  test("float target: spikes identical to the reference (none at t = 0, the bias arrives at t = 1)", () => {
    const g = recurrentBias(), input = silent(2);
    const ref = simulate(g, { dt: 1e-4, steps, input }).spikes.h;
    expect(firstSteps(ref)[0]).toBe(1);
    expect(runProgram(floatProgram(g), { steps, input }).spikes.h).toEqual(ref);
  });

  test("fixed point: behavioural == cycle bit for bit, same timing as the reference, and the dequantised graph keeps the delay", () => {
    const g = recurrentBias(), input = silent(2);
    const ref = simulate(g, { dt: 1e-4, steps, input }).spikes.h;
    const p = compile(g, "generic-mesh", { reset: "zero" });
    expect(p.blobs[p.projections.find((x) => x.name === "rec")!.bias!]).toBeInstanceOf(Int32Array);
    const beh = runProgram(p, { steps, input }), cyc = runProgram(p, { steps, input, engine: "cycle" });
    expect(cyc.spikes.h).toEqual(beh.spikes.h);
    expect(cyc.counters).toEqual(beh.counters);
    expect(beh.spikes.h).toEqual(ref);
    expect(simulate(programToGraph(p), { dt: 1e-4, steps, input }).spikes.h).toEqual(ref);
  });

  test("a bias upstream of the loop-closing edge is present from step 0 (layer bias)", () => {
    const g = biasBeforeLoop(), input = silent(2);
    const s = compileUntil(g, genericMeshFloat(), {}, "fuse");
    expect(Array.from(s.netlist!.layers.find((l) => l.name === "h")!.bias)).toEqual([2, 0]);
    expect(s.netlist!.projections.every((p) => !p.bias)).toBe(true);
    const ref = simulate(g, { dt: 1e-4, steps, input }).spikes.h;
    expect(firstSteps(ref)[0]).toBe(0);
    expect(runProgram(floatProgram(g), { steps, input }).spikes.h).toEqual(ref);
  });

  test("a bias into port 1 goes into port 1's current", () => {
    const g = portBias(), input = silent(2);
    const s = compileUntil(g, genericMeshFloat(), {}, "fuse");
    expect(Array.from(s.netlist!.layers.find((l) => l.name === "m")!.bias)).toEqual([0, 0]);
    const a1 = s.netlist!.projections.find((p) => p.name === "a1")!;
    expect([a1.port, a1.recurrent, Array.from(a1.bias!)]).toEqual([1, false, [30, 0]]);
    const ref = simulate(g, { dt: 1e-4, steps, input }).spikes.m;
    expect(ref.length).toBeGreaterThan(0);
    expect(runProgram(floatProgram(g), { steps, input }).spikes.m).toEqual(ref);
  });
});
