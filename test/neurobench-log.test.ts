/**
 * The VM keeps an input layer's events only for the steps NeuroBench's metrics need them: the last
 * `lag` steps of its projections (whose events arrive after the run and take part in no call), or
 * every step where the layer feeds a convolution after sum pooling. The metrics stay as NeuroBench
 * defines them (worked out by hand below) while the log no longer grows with the steps.
 * Network: in (3) -> W1 -> h (4 IF neurons, threshold 0.5) on Loihi, whose dense projections
 * deliver one step late (lag 1). W1 (h x in) = [[1,0,0], [1,1,0], [0,0,1], [0,0,0]]: nonzero
 * weights per input column: in0 -> 2, in1 -> 1, in2 -> 1.
 */
import { describe, expect, it } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Graph, Node } from "../lib/ir/graph.js";
import { compile } from "../lib/compiler/index.js";
import { loihi } from "../lib/target/presets/loihi.js";
import { floatProgram } from "../lib/vm/float.js";
import { runProgram, VmSession } from "../lib/vm/index.js";

const fill = (n: number, x: number) => tensor(new Float64Array(n).fill(x));
const IF = (n: number, th: number): Node => ({ type: "IF", r: fill(n, 1e4), v_threshold: fill(n, th) });
const W1 = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0];
const g = () => graph().input("in", [3]).linear("W1", tensor(W1, [4, 3])).node("h", IF(4, 0.5)).output("out").build();
const onLoihi = () => compile(g(), loihi(), { placer: "greedy" });
/** Five steps of input: t0 in0, in1; t1 in0, in2; t2 none; t3 all three; t4 in1, in2. */
const ROWS = [[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 1]];
const input = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), shape: [rows.length, 3] });
/** Numbers the network holds for the input layer's events (full log and ring). */
const logged = (s: VmSession) =>
  s.net.spikeLog[0].length + (s.net.inputTail[0]?.events.reduce((a, e) => a + e.length, 0) ?? 0);

describe("the input event log is bounded and NeuroBench's metrics are unchanged", () => {
  it("excludes the last lag step's input events from the calls (binary input, lag 1)", () => {
    const s = new VmSession(onLoihi(), { input: input(ROWS) });
    expect(s.model.projections[0].lag).toBe(1);
    const nb = s.run().neurobench;
    // Ops per step (column nonzeros of the events): t0 2+1, t1 2+1, t2 0, t3 2+1+1, t4 1+1. The last step's
    // events (t4) arrive after the run: 3 + 3 + 0 + 4 = 10 AC. Dense: 12 weights x 5 calls.
    expect(nb.SynapticOperations).toEqual({ Dense: 60, Effective_ACs: 10, Effective_MACs: 0 });
    expect(nb.caveats).toEqual([]);
  });

  it("a graded input step is a MAC call, and a graded last step is excluded from the MACs", () => {
    const rows = [[1, 1, 0], [2, 0, 1], [0, 0, 0], [1, 1, 1], [0, 3, 1]];
    const nb = new VmSession(onLoihi(), { input: input(rows) }).run().neurobench;
    // t1 (holds 2) is MAC: 3; t4 (holds 3) would be MAC but is excluded; AC: t0 3 + t3 4.
    expect(nb.SynapticOperations).toEqual({ Dense: 60, Effective_ACs: 7, Effective_MACs: 3 });
  });

  it("a result taken mid-run excludes the events of the last step run so far", () => {
    const s = new VmSession(onLoihi(), { input: input(ROWS) });
    for (let t = 0; t < 4; t++) s.step();
    // Four steps: t0 3, t1 3, t2 0 count; t3's 4 excluded. Dense 12 x 4.
    expect(s.result().neurobench.SynapticOperations).toEqual({ Dense: 48, Effective_ACs: 6, Effective_MACs: 0 });
  });

  it("keeps only the last lag steps of input events: the log's size does not grow with the steps", () => {
    const sizes = [5, 50, 500].map((T) => {
      const s = new VmSession(onLoihi(), { input: input(Array.from({ length: T }, () => [1, 1, 1])) });
      const nb = s.run().neurobench;
      // Every step: 4 ops; the last step's excluded.
      expect(nb.SynapticOperations.Effective_ACs).toBe(4 * (T - 1));
      return logged(s);
    });
    // One step (lag 1) of three events, as (batch entry, index) pairs.
    expect(sizes).toEqual([6, 6, 6]);
  });

  it("keeps no input events where no projection lags (float, lag 0), and counts every event", () => {
    const s = new VmSession(floatProgram(g()), { input: input(ROWS) });
    const nb = s.run().neurobench;
    expect(nb.SynapticOperations).toEqual({ Dense: 60, Effective_ACs: 12, Effective_MACs: 0 });
    expect(logged(s)).toBe(0);
  });

  it("counts a procedural projection's rows as its materialised form (not as an empty CSR)", () => {
    // 20 inputs -> fixed probability 0.3, weights uniform in [0.5, 1.5] (never 0) -> 10 IF neurons.
    const proc = { pre: 20, post: 10, seed: 3, rule: { kind: "fixed-probability", p: 0.3 } as const,
      weight: { kind: "uniform", low: 0.5, high: 1.5 } as const,
      delay: { kind: "uniform", low: 1e-4, high: 1e-3 } as const };
    const pg: Graph = {
      type: "NIRGraph",
      nodes: {
        inp: { type: "Input", shape: [20] }, proj: { type: "ProceduralProjection", ...proc },
        h: IF(10, 1), out: { type: "Output", shape: [10] },
      },
      edges: [{ src: "inp", dst: "proj" }, { src: "proj", dst: "h" }, { src: "h", dst: "out" }],
    };
    const data = Float64Array.from({ length: 5 * 20 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const [mat, pro] = (["materialised", "procedural"] as const).map((connectivity) =>
      runProgram(floatProgram(pg, undefined, { dt: 1e-4, connectivity }), { input: { data, shape: [5, 20] } })
        .neurobench);
    // Binary input, no lag, no zero weight: every synapse an event reaches is one effective AC.
    expect(pro.SynapticOperations.Effective_ACs).toBe(pro.hardware.binaryEventSynOps);
    expect(pro.SynapticOperations.Effective_ACs).toBeGreaterThan(0);
    expect(pro.SynapticOperations).toEqual(mat.SynapticOperations);
    expect(pro.ConnectionSparsity).toBe(mat.ConnectionSparsity);
    expect(pro.ConnectionSparsity).toBeLessThan(1);
  });
});
