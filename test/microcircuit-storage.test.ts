/**
 * Materialised projections that scale (issue 18 part 3): the VM keeps a destination index per
 * synapse in 16 bits only while the destination has at most 65,536 neurons (32 bits beyond), and
 * delay steps in a byte per synapse while the longest is below 256 steps.
 */
import { describe, expect, it } from "vitest";
import type { Graph } from "../lib/ir/graph.js";
import { floatProgram, genericMeshFloat, VmSession } from "../lib/vm/index.js";
import { compactSteps } from "../lib/vm/model.js";

const dt = 1e-4, N = 70_000;

/** Input (2) -> sparse (targets on both sides of 65,536, delays 0.3 and 2 ms) -> N LIF neurons that fire on one input. */
function wide(): Graph {
  const t = (x: number) => ({ shape: [N], data: new Float64Array(N).fill(x) });
  const targets = [0, 65_535, 65_536, 69_999];
  return {
    type: "NIRGraph",
    nodes: {
      x: { type: "Input", shape: [2] },
      s: { type: "SparseProjection", pre: 2, post: N, indptr: Int32Array.of(0, 4, 4), indices: Int32Array.from(targets), weight: new Float64Array(4).fill(2), delay: Float64Array.of(3e-4, 2e-3, 3e-4, 2e-3) },
      n: { type: "LIF", tau: t(1e-2), r: t(1), v_leak: t(0), v_threshold: t(0.01) },
    },
    edges: [{ src: "x", dst: "s" }, { src: "s", dst: "n" }],
  };
}

describe("VM storage of materialised projections beyond 65,536 neurons", () => {
  it("keeps 32-bit destination indices and byte delays, and delivers to neurons above 65,535 on time", () => {
    const p = floatProgram(wide(), genericMeshFloat({ synapsesPerCore: 1 << 20, neuronsPerCore: 1 << 17, fanIn: 1 << 17 }), { dt, placer: "greedy" });
    const x = new Float64Array(2 * 30);
    x[0] = 1; // input 0 spikes at step 0
    const session = new VmSession(p, { steps: 30, input: { data: x, shape: [30, 2] } });
    const proj = session.model.projections.find((q) => q.name === "s")!;
    expect(proj.fast.post).toBeInstanceOf(Int32Array);
    expect(Array.from(proj.fast.post)).toEqual([0, 65_535, 65_536, 69_999]);
    expect(proj.delay).toBeInstanceOf(Uint8Array);
    const spikes = session.run().spikes.n;
    // Each target fires once its input arrives: 3 steps for 0.3 ms, 20 for 2 ms (no recurrence, no extra step).
    const first = new Map<number, number>();
    for (const [step, k] of spikes) if (!first.has(k)) first.set(k, step);
    expect([...first.entries()].sort((a, b) => a[0] - b[0])).toEqual([[0, 3], [65_535, 20], [65_536, 3], [69_999, 20]]);
  });

  it("chooses the narrowest unsigned array that holds the longest delay", () => {
    expect(compactSteps([0, 255])).toBeInstanceOf(Uint8Array);
    expect(compactSteps([0, 256])).toBeInstanceOf(Uint16Array);
    expect(Array.from(compactSteps([3, 65_535]))).toEqual([3, 65_535]);
    expect(compactSteps([70_000])).toBeInstanceOf(Int32Array);
  });
});
