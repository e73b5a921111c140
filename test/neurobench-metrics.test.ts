/**
 * NeuroBench's metrics as NeuroBench's code defines them (NeuroBench/neurobench,
 * neurobench/metrics/), on three small networks fed binary, graded and signed input; every
 * expected value is worked out by hand below. One network, in -> W1 -> h -> W2 -> o, all IF
 * neurons (v += W x, spike when v > threshold, reset to 0), batch 2:
 *   W1 (h x in) = [[1,0,0], [1,1,0], [0,0,1], [0,0,0]]: 12 weights, 4 nonzero; nonzero per input
 *   column: in0 -> 2 (h0, h1), in1 -> 1 (h1), in2 -> 1 (h2).
 *   W2 (o x h) = [[1,1,0,0], [0,0,1,0]]: 8 weights, 3 nonzero; one per h0, h1, h2, none for h3.
 */
import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../lib/ir/graph.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile } from "../lib/compiler/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { floatProgram } from "../lib/vm/float.js";
import { round4 } from "../lib/vm/neurobench.js";
import { runProgram } from "../lib/vm/index.js";

const IF = (n: number, th: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(th)) });
const W1 = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0], W2 = [1, 1, 0, 0, 0, 0, 1, 0];

function net(hThreshold: number): Graph {
  return graph().input("in", [3]).linear("W1", tensor(W1, [4, 3])).node("h", IF(4, hThreshold)).linear("W2", tensor(W2, [2, 4])).node("o", IF(2, 0.5)).output("out").build();
}

/** Input [T, B=2, 3] from per-batch-entry rows. */
function input(b0: number[][], b1: number[][]): { data: Float64Array; shape: number[] } {
  return { data: Float64Array.from(b0.flatMap((row, t) => [...row, ...b1[t]])), shape: [b0.length, 2, 3] };
}

const mesh = genericMesh({ width: 4, height: 4, neuronsPerCore: 8 });

describe("NeuroBench metrics equal NeuroBench's definitions", () => {
  it("binary input, fixed point (generic mesh, 8-bit weights, 24-bit state)", () => {
    const r = runProgram(compile(net(1.5), mesh, { placer: "greedy" }), {
      membraneUpdates: true,
      input: input([[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1]], [[0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 0]]),
    });
    // h (threshold 1.5). b0: t0 h0=1, h1=2 spikes; t1 h0=2 spikes, h1=1, h2=1; t2 -; t3 h0=1, h1=3 and h2=2 spike.
    // b1: t0 h2=1; t1 h2=2 spikes; t2 h0=1, h1=1; t3 -. o (threshold 0.5) spikes on every input.
    expect(r.spikes.h).toEqual([[0, 0, 1], [1, 0, 0], [1, 1, 2], [3, 0, 1], [3, 0, 2]]);
    expect(r.spikes.o).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 1], [3, 0, 0], [3, 0, 1]]);
    const nb = r.neurobench;
    // Dense (macs.py, total=True): every weight, every call (4 steps), per sample: (12 + 8) * 4.
    // Effective (binary input and weights): W1 per input event its column's nonzeros:
    // b0 t0 2+1, t1 2+1, t3 2+1+1; b1 t0 1, t1 1, t2 2 -> 14; W2: 5 h spikes, one nonzero each -> 5.
    // Every call's input is 0/1 -> AC; per sample (2): (14 + 5) / 2.
    expect(nb.SynapticOperations).toEqual({ Dense: 80, Effective_ACs: 9.5, Effective_MACs: 0 });
    expect(nb.byProjection.W1).toEqual({ Dense: 48, Effective_ACs: 7, Effective_MACs: 0 });
    // connection_sparsity.py: zeros / weights = (8 + 5) / 20, rounded to 4 decimals.
    expect(nb.ConnectionSparsity).toBe(0.65);
    // activation_sparsity.py: spiking outputs h (4) and o (2) x 4 steps x 2 = 48 slots, 10 spikes.
    expect(nb.ActivationSparsity).toBeCloseTo(1 - 10 / 48, 12);
    // membrane_updates.py: all 6 neurons x 2 at the first step; then v changes: h b0 t1 h0, h1, h2, t3 h0, h1, h2;
    // b1 t1 h2, t2 h0, h1 (9); o spikes and resets to the same 0 (no change). (12 + 9) / 2.
    expect(nb.MembraneUpdates).toBe(10.5);
    // footprint.py: 20 weights x 1 byte (8 bits) + h 4 x 4 parameter arrays and o 2 x 4 (decayV, threshold,
    // vReset, vRest) x 4 bytes (24-bit state in a 32-bit integer).
    expect(nb.Footprint).toBe(20 + 16 * 4 + 8 * 4);
    // Phasor's hardware-centric figures: 7 stored synapses x 4 steps; stored weights 7 bytes + 6 neurons x 6 words x 3 bytes.
    expect(nb.hardware).toEqual({ memoryBytes: 7 + 6 * 6 * 3, storedSynOps: 28, binaryEventSynOps: 9.5, gradedEventSynOps: 0 });
    expect(nb.caveats).toEqual([]);
  });

  it("graded input: a call holding any value other than 0 and +-1 is MAC for the whole batch (float64)", () => {
    const r = runProgram(floatProgram(net(1.2)), { membraneUpdates: true, input: input([[1, 0, 0], [0.5, 0, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0], [0, 0, 2]]) });
    // h (threshold 1.2). b0: t0 h0=1, h1=1; t1 h0=h1=1.5 spike; t2 h2=1. b1: t0 h1=1; t1 h0=1, h1=2 spikes; t2 h2=2 spikes.
    expect(r.spikes.h).toEqual([[1, 0, 0], [1, 0, 1], [1, 1, 1], [2, 1, 2]]);
    const nb = r.neurobench;
    // W1 calls: t0 inputs {0, 1} -> AC: b0 in0 2 + b1 in1 1 = 3. t1 holds 0.5 -> MAC, b1's 1 included: 2 + 2 = 4.
    // t2 holds 2 -> MAC: 1 + 1 = 2. W2: 4 spikes -> AC 4. Per sample: AC (3 + 4) / 2, MAC (4 + 2) / 2.
    expect(nb.SynapticOperations).toEqual({ Dense: 60, Effective_ACs: 3.5, Effective_MACs: 3 });
    // Event by event (Phasor's, not NeuroBench's): +1 events reach 2+1+2+1 (W1) + 4 (W2), the others 2 + 1.
    expect(nb.hardware.binaryEventSynOps).toBe(5);
    expect(nb.hardware.gradedEventSynOps).toBe(1.5);
    // 7 spikes (h 4, o 3) of 6 x 3 x 2 = 36.
    expect(nb.ActivationSparsity).toBeCloseTo(1 - 7 / 36, 12);
    // 12 at t0; h: b0 t1 h0, h1, t2 h2; b1 t1 h0, h1 (h2 at t2 goes 0 -> spike -> 0); o never changes. (12 + 5) / 2.
    expect(nb.MembraneUpdates).toBe(8.5);
    // Float layers hold 8-byte elements: 20 weights + 24 parameter values.
    expect(nb.Footprint).toBe((20 + 24) * 8);
    expect(nb.ConnectionSparsity).toBe(0.65);
  });

  it("signed input: -1 spikes keep a call AC, as NeuroBench's binary test allows (0, 1, -1)", () => {
    const r = runProgram(floatProgram(net(1.2)), { membraneUpdates: true, input: input([[1, -1, 0], [0, 0, -1], [1, 1, 0]], [[-1, 0, 0], [1, 0, 1], [0, 0, 0]]) });
    // h: b0 t0 h0=1, h1=0; t1 h2=-1; t2 h0=2, h1=2 spike. b1: t0 h0=h1=-1; t1 h0=h1=0, h2=1; t2 -.
    expect(r.spikes.h).toEqual([[2, 0, 0], [2, 0, 1]]);
    const nb = r.neurobench;
    // W1: t0 b0 2+1, b1 2; t1 b0 1, b1 2+1; t2 b0 2+1 -> 12, all AC; W2: 2. (12 + 2) / 2.
    expect(nb.SynapticOperations).toEqual({ Dense: 60, Effective_ACs: 7, Effective_MACs: 0 });
    // Event by event, -1 events count as graded: +1 events 2+2+1+2+1 + 2 = 10, -1 events 1+2+1 = 4.
    expect(nb.hardware.binaryEventSynOps).toBe(5);
    expect(nb.hardware.gradedEventSynOps).toBe(2);
    expect(nb.ActivationSparsity).toBeCloseTo(1 - 3 / 36, 12);
    // 12 at t0; b0 t1 h2, t2 h0 (h1: 0 -> spike -> 0); b1 t1 h0, h1, h2. (12 + 5) / 2.
    expect(nb.MembraneUpdates).toBe(8.5);
  });

  it("a bias is no synaptic operation (macs.py zeroes it) but is a parameter (Footprint)", () => {
    const g = graph().input("in", [3]).affine("W1", tensor(W1, [4, 3]), [0, 0, 0, 0.25]).node("h", IF(4, 1.5))
      .linear("W2", tensor(W2, [2, 4])).node("o", IF(2, 0.5)).output("out").build();
    const r = runProgram(compile(g, mesh, { placer: "greedy" }), {
      membraneUpdates: true,
      input: input([[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1]], [[0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 0]]),
    });
    // As the binary case: h3 (no weights) climbs 0.25 a step and never reaches 1.5.
    expect(r.spikes.h).toEqual([[0, 0, 1], [1, 0, 0], [1, 1, 2], [3, 0, 1], [3, 0, 2]]);
    expect(r.neurobench.SynapticOperations).toEqual({ Dense: 80, Effective_ACs: 9.5, Effective_MACs: 0 });
    // h3's v changes at t1, t2, t3 in both entries: (21 + 6) / 2.
    expect(r.neurobench.MembraneUpdates).toBe(13.5);
    // The binary case's 116 bytes plus h's bias array (4 x 4 bytes).
    expect(r.neurobench.Footprint).toBe(116 + 16);
  });

  it.each(["weight-shared", "expand"] as const)("a convolution after sum pooling takes the pooled input, as its Conv layer does (%s)", (lowering) => {
    // in [1,4,4] -> SumPool 2x2 stride 2 -> [1,2,2] -> Conv2d 1->1, kernel [[1,0],[1,1]] -> [1,1,1] -> IF.
    const g = graph().input("in", [1, 4, 4])
      .add("pool", { type: "SumPool2d", kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] })
      .add("conv", { type: "Conv2d", weight: { shape: [1, 1, 2, 2], data: Float64Array.from([1, 0, 1, 1]) }, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: { shape: [1], data: new Float64Array(1) } })
      .node("o", IF(1, 100)).output("out").build();
    const p = compile(g, genericMesh({ width: 4, height: 4, neuronsPerCore: 8, weightShared: true }), { placer: "greedy", lowering });
    expect((p.projections[0].conv ?? p.projections[0].csr?.from)?.pool).toBeDefined();
    const x = new Float64Array(2 * 16);
    // t0: pixels (0,0) and (1,1) -> pooled cell (0,0) = 2; pixel (0,3) -> cell (0,1) = 1. t1: (2,0) -> (1,0), (3,3) -> (1,1).
    for (const [t, y, xx] of [[0, 0, 0], [0, 1, 1], [0, 0, 3], [1, 2, 0], [1, 3, 3]]) x[t * 16 + y * 4 + xx] = 1;
    const nb = runProgram(p, { input: { data: x, shape: [2, 1, 1, 4, 4] } }).neurobench;
    // t0's call holds a 2 -> MAC: cell (0,0) meets tap 1 (1 op), cell (0,1) meets the zero tap (0 ops).
    // t1's call holds only 0/1 -> AC: cells (1,0), (1,1), taps 1 and 1 (2 ops). Dense: 4 taps x 2 steps.
    expect(nb.SynapticOperations).toEqual({ Dense: 8, Effective_ACs: 2, Effective_MACs: 1 });
    // Event by event on the composed synapses: 4 pixels reach one nonzero synapse each, (0,3) none.
    expect(nb.hardware.binaryEventSynOps).toBe(4);
    expect(nb.ConnectionSparsity).toBe(0.25);
    // The kernel's 4 weights (1 byte) + o's 4 parameter arrays (4 bytes), expanded or not.
    expect(nb.Footprint).toBe(4 + 4 * 4);
    expect(nb.caveats).toEqual([]);
    // Not asked for (membraneUpdates: true): not counted, rather than a number.
    expect(nb.MembraneUpdates).toBeNull();
  });

  it.each(["weight-shared", "expand"] as const)("a padded convolution: Dense counts the taps inside the input, Effective the nonzero ones (%s)", (lowering) => {
    // in [1,3,3] -> Conv2d 1->1, 3x3 kernel of 1s with a 0 in the middle, padding 1 -> [1,3,3] -> IF.
    const kernel = Float64Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const g = graph().input("in", [1, 3, 3])
      .add("conv", { type: "Conv2d", weight: { shape: [1, 1, 3, 3], data: kernel }, stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: { shape: [1], data: new Float64Array(1) } })
      .node("o", IF(9, 100)).output("out").build();
    const p = compile(g, genericMesh({ width: 4, height: 4, neuronsPerCore: 16, weightShared: true }), { placer: "greedy", lowering });
    const x = new Float64Array(9);
    x[4] = 1; // the centre pixel
    x[0] = 1; // the top-left corner
    const nb = runProgram(p, { input: { data: x, shape: [1, 1, 1, 3, 3] } }).neurobench;
    // Dense: the taps that land inside the 3x3 input for each output: 4 corners x 4 + 4 edges x 6 + 9 = 49.
    // Effective: the centre pixel reaches the 9 outputs through the 9 taps, the zero one excluded (8); the corner
    // reaches 4 outputs through taps (1,1) (zero), (1,0), (0,1), (0,0) (3). One call, binary: AC.
    expect(nb.SynapticOperations).toEqual({ Dense: 49, Effective_ACs: 11, Effective_MACs: 0 });
    expect(nb.ConnectionSparsity).toBe(0.1111);
    expect(nb.Footprint).toBe(9 + 4 * 9 * 4);
  });

  it("a recurrent projection's call at step t takes step t-1's spikes: the last step's spikes take part in no call", () => {
    // in -> W [[1]] -> h (IF, threshold 0.5) with h -> R [[1]] -> h. The input's spike at t0 makes h spike at t0;
    // R carries it to t1, and so on: h spikes at t0, t1, t2.
    const g = graph().input("in", [1]).linear("W", tensor([1], [1, 1])).node("h", IF(1, 0.5))
      .linear("R", tensor([1], [1, 1]), { from: "h" }).connect("R", "h").output("out", { from: "h" }).build();
    const r = runProgram(floatProgram(g), { input: { data: Float64Array.from([1, 0, 0]), shape: [3, 1] } });
    expect(r.spikes.h).toEqual([[0, 0], [1, 0], [2, 0]]);
    // W: calls t0..t2, one input event (1). R: calls t0 (no input), t1 (h's t0 spike), t2 (h's t1 spike) -> 2.
    // Dense: 1 weight x 3 calls each. Event by event, the chip still scatters all 3 of h's spikes.
    expect(r.neurobench.SynapticOperations).toEqual({ Dense: 6, Effective_ACs: 3, Effective_MACs: 0 });
    expect(r.neurobench.byProjection.R).toEqual({ Dense: 3, Effective_ACs: 2, Effective_MACs: 0 });
    expect(r.neurobench.hardware.binaryEventSynOps).toBe(4);
  });

  it("rounds ConnectionSparsity as Python's round(x, 4): ties to even on the exact quotient", () => {
    expect(round4(1, 32)).toBe(0.0312); // 0.03125 exactly: even
    expect(round4(3, 32)).toBe(0.0938); // 0.09375: to even 0.0938
    expect(round4(1, 3)).toBe(0.3333);
    expect(round4(2, 3)).toBe(0.6667);
    expect(round4(0, 0)).toBe(0);
  });
});
