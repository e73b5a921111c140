/**
 * Stream input ({ shape, sample }): validated as dense input is, fed as the same data would be,
 * and a failing sample function becomes a PhasorError naming the input and the step.
 */
import { describe, expect, it } from "vitest";
import type { Graph } from "../graph.js";
import { tensor } from "../builders.js";
import { IssueList, isPhasorError, PhasorError } from "../errors.js";
import { drawStream, isNodeInput, resolveInputs, type Feeder } from "./input.js";
import { simulate } from "./index.js";
import type { NodeInput, StreamInput } from "./types.js";

const nodes = new Map([["in", [2, 3]]]);

/** Resolves one input for the node "in" ([2, 3]); returns its feeder and the issues' messages. */
function resolve(x: NodeInput): { f?: Feeder; messages: string[] } {
  const issues = new IssueList(), f = resolveInputs({ in: x }, nodes, issues).get("in");
  return { f, messages: issues.issues.map((i) => `${i.code} ${i.path.join(".")}: ${i.message}`) };
}

/** Every step of a feeder into a fresh [simBatch, 6] buffer, each first filled with garbage. */
function drain(f: Feeder, simBatch: number): number[][] {
  return Array.from({ length: f.steps }, (_, t) => {
    const out = new Float64Array(simBatch * 6).fill(7);
    f.fill(t, out, simBatch);
    return [...out];
  });
}

/** A stream over the values of a dense array of the same shape. */
const streamOf = (data: Float64Array, shape: number[]): StreamInput => {
  const size = data.length / shape[0];
  return { shape, sample: (t, out) => out.set(data.subarray(t * size, (t + 1) * size)) };
};

const values = (n: number) => Float64Array.from({ length: n }, (_, k) => ((k * 7) % 5) - 1);

describe("stream input", () => {
  it("is one node's input, not a record of them", () => {
    expect(isNodeInput({ shape: [1, 6], sample: () => undefined })).toBe(true);
    expect(isNodeInput({ in: { shape: [1, 6], sample: () => undefined } })).toBe(false);
  });

  it("feeds what the same data as dense input feeds: batch 1 broadcast, and [T, B, ...]", () => {
    for (const shape of [[4, 2, 3], [4, 6], [4, 2, 2, 3]]) {
      const data = values(shape.reduce((a, b) => a * b, 1));
      const dense = resolve({ data, shape }), stream = resolve(streamOf(data, shape));
      expect(stream.messages).toEqual([]);
      expect(stream.f!.steps).toBe(4);
      expect(stream.f!.batch).toBe(dense.f!.batch);
      expect(drain(stream.f!, 2)).toEqual(drain(dense.f!, 2));
    }
  });

  it("hands sample a zeroed view of B x N values, step by step in any order", () => {
    const seen: Array<[number, number]> = [];
    const f = resolve({ shape: [5, 2, 6], sample: (t, out) => { seen.push([t, out.length]); out[t] = t + 1; } }).f!;
    const out = new Float64Array(12).fill(9);
    f.fill(3, out, 2);
    f.fill(1, out, 2);
    expect(seen).toEqual([[3, 12], [1, 12]]);
    expect([...out]).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("is checked as dense input is: shape against the node, and sample a function", () => {
    expect(resolve({ shape: [4, 5], sample: () => undefined }).messages).toEqual([
      'input-shape input.in: Input node "in" has shape [2,3] (6 elements per step): expected input shape [T, 2,3] or [T, B, 2,3], got [4,5]',
    ]);
    expect(resolve({ shape: [4], sample: () => undefined }).messages[0]).toMatch(/shape must be \[T, \.\.\.input shape\]/);
    const notFn = { shape: [4, 6], sample: "draw" } as unknown as StreamInput;
    expect(resolve(notFn).messages).toEqual(["bad-input input.in.sample: must be a function (t, out) writing step t's values into out, got string"]);
    expect(resolve(notFn).f).toBeUndefined();
  });

  it("turns a sample that throws (or returns a promise) into a PhasorError naming the input and the step", () => {
    const f = resolve({ shape: [9, 6], sample: (t) => { if (t === 4) throw new RangeError("no data for step 4"); } }).f!;
    f.fill(3, new Float64Array(6), 1);
    let err: unknown;
    try { f.fill(4, new Float64Array(6), 1); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PhasorError);
    expect((err as PhasorError).code).toBe("input-sample");
    expect((err as PhasorError).message).toBe("input.in.sample: sample(4, out) failed at step 4: no data for step 4 (it must write step 4's 6 values into out)");
    const later = resolve({ shape: [2, 6], sample: async () => undefined }).f!;
    expect(() => later.fill(0, new Float64Array(6), 1)).toThrow(/step 0: it returned a promise/);
  });

  it("drives the reference simulator as dense input does; a throwing sample stops it with the PhasorError", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: {
        in: { type: "Input", shape: [3] },
        lif: { type: "LIF", tau: tensor(2e-3), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(0.5) },
        out: { type: "Output", shape: [3] },
      },
      edges: [{ src: "in", dst: "lif" }, { src: "lif", dst: "out" }],
    };
    const data = values(40 * 3).map((x) => Math.abs(x) * 2), shape = [40, 3];
    const dense = simulate(g, { dt: 1e-3, input: { data, shape } });
    const stream = simulate(g, { dt: 1e-3, input: streamOf(data, shape), batch: 2 });
    expect(dense.spikes.lif.length).toBeGreaterThan(5);
    expect(stream.spikes.lif.filter((s) => s[1] === 0).map((s) => [s[0], s[2]])).toEqual(dense.spikes.lif);
    let err: unknown;
    try { simulate(g, { dt: 1e-3, input: { shape, sample: (t) => { if (t === 17) throw new Error("boom"); } } }); } catch (e) { err = e; }
    expect(isPhasorError(err)).toBe(true);
    expect(String((err as Error).message)).toContain("failed at step 17: boom");
  });

  it("draws whole into dense [T, B, ...] for a runner that takes arrays", () => {
    const data = values(24), d = drawStream("in", streamOf(data, [4, 6]), [2, 3]);
    expect(d.shape).toEqual([4, 1, 2, 3]);
    expect([...d.data]).toEqual([...data]);
    expect(() => drawStream("in", { shape: [4, 7], sample: () => undefined }, [2, 3])).toThrow(/expected input shape/);
  });
});
