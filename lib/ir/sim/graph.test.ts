import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../graph.js";
import { tensor } from "../builders.js";
import { isPhasorError } from "../errors.js";
import { columns, simulate, simulateAsync } from "./index.js";

const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const li: Node = { type: "LI", tau: tensor(1e-3), r: tensor(1), v_leak: tensor(0) }; // tau = dt: v <- r I

/** Random recurrent CubaLIF network: in(4) -> fc1 -> hid(6, recurrent via rec) -> fc2 -> readout LI(3) -> out. */
function network(seed: number): Graph {
  const r = rng(seed);
  const t = (shape: number[], scale: number) => tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => (r() - 0.3) * scale), shape);
  return {
    type: "NIRGraph",
    nodes: {
      in: { type: "Input", shape: [4] },
      fc1: { type: "Affine", weight: t([6, 4], 3), bias: t([6], 0.2) },
      hid: { type: "CubaLIF", tau_syn: tensor(5e-3), tau_mem: tensor(8e-3), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(0.3), w_in: tensor(2) },
      rec: { type: "Linear", weight: t([6, 6], 1) },
      fc2: { type: "Linear", weight: t([3, 6], 1) },
      readout: { type: "LI", tau: tensor(4e-3), r: tensor(1), v_leak: tensor(0) },
      out: { type: "Output", shape: [3] },
    },
    edges: [
      { src: "in", dst: "fc1" }, { src: "fc1", dst: "hid" }, { src: "hid", dst: "rec" }, { src: "rec", dst: "hid" },
      { src: "hid", dst: "fc2" }, { src: "fc2", dst: "readout" }, { src: "readout", dst: "out" },
    ],
  };
}
const randomInput = (T: number, B: number, N: number, seed: number) => {
  const r = rng(seed);
  return Float64Array.from({ length: T * B * N }, () => (r() < 0.3 ? 1 : 0));
};

describe("graph semantics", () => {
  it("feed-forward edges carry this step's value; recurrent edges the previous step's (zero at t = 0)", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: { in: { type: "Input", shape: [1] }, a: li, fb: { type: "Scale", scale: tensor(0.5) }, out: { type: "Output", shape: [1] } },
      edges: [{ src: "in", dst: "a" }, { src: "a", dst: "fb" }, { src: "fb", dst: "a" }, { src: "a", dst: "out" }],
    };
    // init v = 5 must not leak into t = 0 through the loop: a[t] = in[t] + 0.5 a[t-1].
    const r = simulate(g, { dt: 1e-3, input: { data: [1, 0, 0, 0, 2], shape: [5, 1] }, init: { a: { v: [5] } } });
    expect(Array.from(r.outputs.out)).toEqual([1, 0.5, 0.25, 0.125, 2.0625]);
    const self: Graph = { ...g, edges: [{ src: "in", dst: "a" }, { src: "a", dst: "a" }, { src: "a", dst: "out" }] };
    expect(Array.from(simulate(self, { dt: 1e-3, input: { data: [1, 0, 0], shape: [3, 1] } }).outputs.out)).toEqual([1, 1, 1]);
  });

  it("a batch of B gives the same results as B separate runs", () => {
    const g = network(1);
    const [T, B] = [60, 3];
    const data = randomInput(T, B, 4, 2);
    const all = simulate(g, { dt: 1e-3, input: { data, shape: [T, B, 4] }, record: ["hid"] });
    expect(all.batch).toBe(B);
    expect(all.spikes.hid.length).toBeGreaterThan(10);
    for (let b = 0; b < B; b++) {
      const one = simulate(g, { dt: 1e-3, input: { data: data.filter((_, k) => Math.floor(k / 4) % B === b), shape: [T, 4] }, record: ["hid"] });
      expect(all.spikes.hid.filter((s) => s[1] === b).map((s) => [s[0], s[2]])).toEqual(one.spikes.hid);
      expect(Array.from(all.outputs.out.filter((_, k) => Math.floor(k / 3) % B === b))).toEqual(Array.from(one.outputs.out));
      expect(columns(all, b).map((c) => Array.from(c.values))).toEqual(columns(one).map((c) => Array.from(c.values)));
    }
  });

  it("float32 stays close to float64 and keeps its state in Float32Array", () => {
    const g = network(3);
    const input = { data: randomInput(40, 1, 4, 4), shape: [40, 4] };
    const f64 = simulate(g, { dt: 1e-3, input, record: ["readout", "hid"] });
    const f32 = simulate(g, { dt: 1e-3, input, record: ["readout", "hid"], dtype: "float32" });
    expect(f32.records.hid.v).toBeInstanceOf(Float32Array);
    expect(f32.spikes.hid).toEqual(f64.spikes.hid);
    const err = f64.outputs.out.reduce((m, x, k) => Math.max(m, Math.abs(x - f32.outputs.out[k])), 0);
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(1e-5);
  });

  it("event input gives the same result as the equivalent dense input", () => {
    const g = network(5);
    const [T, B] = [30, 2];
    const data = randomInput(T, B, 4, 6);
    const events: Array<[number, number, number]> = [];
    data.forEach((x, k) => x && events.push([Math.floor(k / (B * 4)), Math.floor(k / 4) % B, k % 4]));
    const dense = simulate(g, { dt: 1e-3, input: { data, shape: [T, B, 4] } });
    const ev = simulate(g, { dt: 1e-3, input: { events, steps: T, batch: B } });
    expect(ev.outputs.out).toEqual(dense.outputs.out);
    // Pairs with values, broadcast to every batch entry.
    const pairs = simulate(g, { dt: 1e-3, batch: 2, input: { events: [[0, 1], [3, 2], [3, 2]], values: [0.5, 1, 2], steps: 5 } });
    const same = simulate(g, { dt: 1e-3, batch: 2, input: { data: [0, 0.5, 0, 0, ...new Array(8).fill(0), 0, 0, 3, 0, ...new Array(4).fill(0)], shape: [5, 4] } });
    expect(pairs.outputs.out).toEqual(same.outputs.out);
  });

  it("Threshold nodes emit 0/1 (x > threshold) and their spikes are listed", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: { in: { type: "Input", shape: [2] }, th: { type: "Threshold", threshold: tensor([0.5, 1]) }, out: { type: "Output", shape: [2] } },
      edges: [{ src: "in", dst: "th" }, { src: "th", dst: "out" }],
    };
    const r = simulate(g, { dt: 1e-3, input: { data: [0.5, 1.5, 0.6, 1], shape: [2, 2] } });
    expect(Array.from(r.outputs.out)).toEqual([0, 1, 1, 0]);
    expect(r.spikes.th).toEqual([[0, 1], [1, 0]]);
  });

  it("init takes N values for every batch entry or B * N values", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: { in: { type: "Input", shape: [2] }, n: { type: "LI", tau: tensor(1e-3), r: tensor(1), v_leak: tensor(0) }, out: { type: "Output", shape: [2] } },
      edges: [{ src: "in", dst: "n" }, { src: "n", dst: "out" }],
    };
    const input = { data: [0, 0], shape: [1, 2] };
    const tau = { ...g, nodes: { ...g.nodes, n: { type: "LI" as const, tau: tensor(2e-3), r: tensor(1), v_leak: tensor(0) } } };
    const a = simulate(tau, { dt: 1e-3, batch: 2, input, init: { n: { v: [2, 4] } } });
    expect(Array.from(a.outputs.out)).toEqual([1, 2, 1, 2]);
    const b = simulate(tau, { dt: 1e-3, batch: 2, input, init: { n: { v: [2, 4, 6, 8] } } });
    expect(Array.from(b.outputs.out)).toEqual([1, 2, 3, 4]);
  });

  it("Delay nodes shift each element by round(delay/dt) steps", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: { in: { type: "Input", shape: [2] }, d: { type: "Delay", delay: tensor([0, 2e-3]) }, out: { type: "Output", shape: [2] } },
      edges: [{ src: "in", dst: "d" }, { src: "d", dst: "out" }],
    };
    const r = simulate(g, { dt: 1e-3, input: { data: [1, 1, 2, 2, 3, 3, 4, 4], shape: [4, 2] } });
    expect(Array.from(r.outputs.out)).toEqual([1, 0, 2, 0, 3, 1, 4, 2]);
  });

  it("nested graphs record all their nodes under dotted names; columns follow NODE.VAR[k]", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: {
        in: { type: "Input", shape: [2] },
        sub: { type: "NIRGraph", nodes: { i: { type: "Input", shape: [2] }, s: { type: "Scale", scale: tensor(2) }, n: li, o: { type: "Output", shape: [2] } }, edges: [{ src: "i", dst: "s" }, { src: "s", dst: "n" }, { src: "n", dst: "o" }] },
        sum: { type: "Linear", weight: tensor([1, 1], [1, 2]) },
        out: { type: "Output", shape: [1] },
      },
      edges: [{ src: "in", dst: "sub" }, { src: "sub", dst: "sum" }, { src: "sum", dst: "out" }],
    };
    const r = simulate(g, { dt: 1e-3, input: { data: [1, 2, 3, 4], shape: [2, 2] }, record: ["sub", "sum"] });
    expect(Object.keys(r.records).sort()).toEqual(["sub.n", "sub.s", "sum"]);
    const cols = columns(r);
    expect(cols.map((c) => c.name)).toEqual(["sub.s.out[0]", "sub.s.out[1]", "sub.n.v[0]", "sub.n.v[1]", "sum.out"]);
    expect(Array.from(cols[4].values)).toEqual([6, 14]);
  });
});

describe("SparseProjection", () => {
  const sparse = (delay?: number[]): Node => ({
    type: "SparseProjection", pre: 3, post: 2,
    indptr: Int32Array.from([0, 1, 2, 4]), indices: Int32Array.from([1, 0, 1, 0]), weight: Float64Array.from([2, -1, 0.5, 4]),
    ...(delay ? { delay: Float64Array.from(delay) } : {}),
  });
  const wrap = (p: Node): Graph => ({
    type: "NIRGraph",
    nodes: { in: { type: "Input", shape: [3] }, p, out: { type: "Output", shape: [2] } },
    edges: [{ src: "in", dst: "p" }, { src: "p", dst: "out" }],
  });

  it("without delays equals the dense product W^T x (rows are presynaptic)", () => {
    const data = [1, 0, 0, 0, 2, 0, 0, 0, 1.5, 1, 1, 1];
    const r = simulate(wrap(sparse()), { dt: 1e-3, input: { data, shape: [4, 3] } });
    expect(Array.from(r.outputs.out)).toEqual([0, 2, -2, 0, 6, 0.75, 3, 2.5]);
  });

  it("delivers each synapse round(delay/dt) steps later", () => {
    // synapses: 0->1 (w 2, 2 ms), 1->0 (w -1, 0), 2->1 (w 0.5, 1 ms), 2->0 (w 4, 3 ms)
    const r = simulate(wrap(sparse([2e-3, 0, 1e-3, 3e-3])), { dt: 1e-3, input: { events: [[0, 0], [1, 2], [1, 1]], steps: 6 } });
    expect(Array.from(r.outputs.out)).toEqual([0, 0, -1, 0, 0, 2.5, 0, 0, 4, 0, 0, 0]);
  });
});

describe("options and errors", () => {
  const g = network(7);
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(isPhasorError(e)).toBe(true);
      return (e as Error).message;
    }
    throw new Error("did not throw");
  };

  it("names the Input node, the expected and the actual shape for an input of the wrong width", () => {
    const m = message(() => simulate(g, { dt: 1e-3, input: { data: new Float64Array(50), shape: [10, 5] } }));
    expect(m).toContain('Input node "in"');
    expect(m).toContain("[T, 4]");
    expect(m).toContain("got [10,5]");
  });

  it("lists the nodes for an unknown record name, and reports every bad option at once", () => {
    expect(message(() => simulate(g, { dt: 1e-3, steps: 1, input: { data: [0, 0, 0, 0], shape: [1, 4] }, record: ["nope"] }))).toContain("nodes: in, fc1, hid, rec, fc2, readout, out");
    const m = message(() => simulate(g, { dt: -1, integrator: "rk4" as "euler", reset: "x" as "zero", input: { data: [0, 0, 0, 0], shape: [1, 4] } }));
    expect(m).toMatch(/3 problems/);
    expect(message(() => simulate(g, { dt: 1e-3 }))).toContain("Input node(s) in");
    expect(message(() => simulate(g, { dt: 1e-3, input: { data: [0, 0, 0, 0], shape: [1, 4] }, init: { hid: { u: [0] } } }))).toContain("it has v, i");
  });

  it("stops promptly with an AbortError", async () => {
    const input = { data: randomInput(20000, 1, 4, 8), shape: [20000, 4] };
    const ac = new AbortController();
    let last = 0;
    const stop = () => simulate(g, { dt: 1e-3, input, signal: ac.signal, onProgress: (s) => ((last = s), s >= 1000 && ac.abort()) });
    expect(stop).toThrow(expect.objectContaining({ name: "AbortError" }));
    expect(last).toBeGreaterThanOrEqual(1000);
    expect(last).toBeLessThan(1400);
    expect(() => simulate(g, { dt: 1e-3, input, signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: "AbortError" }));
  });

  it("simulateAsync yields to the event loop, so a timer can abort it", async () => {
    const T = 1_000_000;
    const input = { events: [] as Array<[number, number]>, steps: T };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    let last = 0;
    await expect(simulateAsync(g, { dt: 1e-3, input, signal: ac.signal, onProgress: (s) => (last = s) })).rejects.toMatchObject({ name: "AbortError" });
    expect(last).toBeLessThan(T);
    const done = await simulateAsync(g, { dt: 1e-3, input: { data: [1, 0, 1, 0], shape: [1, 4] } });
    expect(done.steps).toBe(1);
  });
});
