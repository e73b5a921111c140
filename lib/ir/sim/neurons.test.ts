import { describe, expect, it } from "vitest";
import type { Graph, Node } from "../graph.js";
import { tensor } from "../builders.js";
import { simulate } from "./index.js";
import type { SimOptions } from "./types.js";

/** input(1) -> neuron -> out, driven by a constant input for T steps. */
function single(neuron: Node): Graph {
  return {
    type: "NIRGraph",
    nodes: { in: { type: "Input", shape: [1] }, n: neuron, out: { type: "Output", shape: [1] } },
    edges: [{ src: "in", dst: "n" }, { src: "n", dst: "out" }],
  };
}
const constant = (x: number, T: number) => ({ data: new Array(T).fill(x), shape: [T, 1] });
const lif = (extra: Record<string, number> = {}): Node => ({
  type: "LIF", tau: tensor(10e-3), r: tensor(extra.r ?? 1), v_leak: tensor(extra.v_leak ?? 0), v_threshold: tensor(extra.th ?? 1),
  ...(extra.v_reset !== undefined ? { v_reset: tensor(extra.v_reset) } : {}),
  ...(extra.t_ref !== undefined ? { t_ref: tensor(extra.t_ref) } : {}),
});
const run = (g: Graph, o: Omit<SimOptions, "dt"> & { dt?: number }) => simulate(g, { dt: 1e-3, record: ["n"], ...o });
const stepsOf = (r: ReturnType<typeof simulate>, node = "n") => r.spikes[node].map((s) => s[0]);

describe("LIF", () => {
  it("follows the closed-form Euler and exact traces below threshold", () => {
    // tau = 10 dt, r = 1, v_leak = 0.5, I = 2: v_inf = 2.5, v(0) = v_leak.
    const g = single(lif({ v_leak: 0.5, th: 100 }));
    const euler = run(g, { input: constant(2, 30) }).records.n.v;
    const exact = run(g, { input: constant(2, 30), integrator: "exact" }).records.n.v;
    for (let t = 0; t < 30; t++) {
      expect(euler[t]).toBeCloseTo(2.5 - 2 * 0.9 ** (t + 1), 12);
      expect(exact[t]).toBeCloseTo(2.5 - 2 * Math.exp(-(t + 1) / 10), 12);
    }
  });

  it("spikes when v > v_threshold (strict) and resets to zero, to v_reset, or by subtraction", () => {
    // v = 2 (1 - e^{-(t+1)/10}) first exceeds 1 at t = 6 (exact): 1.00683.
    const g = single(lif({ th: 1 }));
    const zero = run(g, { input: constant(2, 21), integrator: "exact" });
    expect(stepsOf(zero)).toEqual([6, 13, 20]);
    expect(zero.records.n.v[6]).toBe(0);
    expect(zero.records.n.spike[6]).toBe(1);
    expect(zero.outputs.out[6]).toBe(1);
    const sub = run(g, { input: constant(2, 8), integrator: "exact", reset: "subtract" });
    expect(sub.records.n.v[6]).toBeCloseTo(2 * (1 - Math.exp(-0.7)) - 1, 12);
    const vr = run(single(lif({ th: 1, v_reset: -0.5 })), { input: constant(2, 8), integrator: "exact" });
    expect(vr.records.n.v[6]).toBe(-0.5);
    // Exactly at threshold does not spike: v_inf = 1 is approached from below, never exceeded.
    expect(stepsOf(run(g, { input: constant(1, 200) }))).toEqual([]);
  });

  it("holds v at v_reset for round(t_ref/dt) steps after a spike", () => {
    const g = single(lif({ th: 1, t_ref: 3e-3, v_reset: 0 }));
    const r = run(g, { input: constant(2, 30), integrator: "exact" });
    expect(stepsOf(r)).toEqual([6, 16, 26]);
    expect(Array.from(r.records.n.v.slice(6, 10))).toEqual([0, 0, 0, 0]);
    expect(r.records.n.v[10]).toBeCloseTo(2 * (1 - Math.exp(-0.1)), 12);
  });

  it("I and IF integrate dt r I; LI leaks without spiking", () => {
    const i = run(single({ type: "I", r: tensor(2) }), { input: constant(3, 4) }).records.n.v;
    expect(Array.from(i)).toEqual([6e-3, 12e-3, 18e-3, 24e-3].map((x) => expect.closeTo(x, 14)));
    const f = run(single({ type: "IF", r: tensor(100), v_threshold: tensor(1) }), { input: constant(3, 10) });
    expect(stepsOf(f)).toEqual([3, 7]); // 0.3 per step: 1.2 > 1 at t = 3, reset, again at t = 7
    const li = run(single({ type: "LI", tau: tensor(10e-3), r: tensor(1), v_leak: tensor(0) }), { input: constant(2, 5) });
    expect(li.outputs.out[4]).toBeCloseTo(2 - 2 * 0.9 ** 5, 12);
    expect(li.spikes).toEqual({});
  });
});

describe("CubaLIF", () => {
  const cuba = (tauSyn: number, th = 100): Node => ({
    type: "CubaLIF", tau_syn: tensor(tauSyn), tau_mem: tensor(10e-3), r: tensor(2), v_leak: tensor(0), v_threshold: tensor(th), w_in: tensor(1.5),
  });

  it("Euler takes v from the old current: the first step leaves v at v_leak", () => {
    const r = run(single(cuba(5e-3)), { input: constant(1, 3) });
    const { v, i } = r.records.n;
    expect(i[0]).toBeCloseTo(0.2 * 1.5, 14);
    expect(v[0]).toBe(0);
    expect(v[1]).toBeCloseTo(0.1 * 2 * 0.3, 14);
  });

  it("exact matches the closed form, including tau_syn == tau_mem", () => {
    // Zero-order hold, i(0) = v(0) = 0, constant drive w I = 1.5, r = 2:
    // i(t) = 1.5 (1 - e^{-t/ts}); v(t) = 3 (1 - (ts e^{-t/ts} - tm e^{-t/tm}) / (ts - tm)), or 3 (1 - (1 + t/tm) e^{-t/tm}) when equal.
    for (const ts of [5e-3, 10e-3, 10e-3 * (1 + 1e-12)]) {
      const r = run(single(cuba(ts)), { input: constant(1, 40), integrator: "exact" });
      for (const t of [0, 5, 39]) {
        const s = (t + 1) * 1e-3;
        const tm = 10e-3;
        const v = Math.abs(ts - tm) < 1e-9 ? 3 * (1 - (1 + s / tm) * Math.exp(-s / tm)) : 3 * (1 - (ts * Math.exp(-s / ts) - tm * Math.exp(-s / tm)) / (ts - tm));
        expect(r.records.n.i[t]).toBeCloseTo(1.5 * (1 - Math.exp(-s / ts)), 12);
        expect(r.records.n.v[t]).toBeCloseTo(v, 10);
      }
    }
  });

  it("Euler converges to exact as dt shrinks", () => {
    const err = (dt: number) => {
      const T = Math.round(0.05 / dt);
      const o = { dt, input: constant(1, T) };
      const e = run(single(cuba(5e-3)), o).records.n.v[T - 1];
      const x = run(single(cuba(5e-3)), { ...o, integrator: "exact" }).records.n.v[T - 1];
      return Math.abs(e - x);
    };
    const [a, b, c] = [1e-3, 1e-4, 1e-5].map(err);
    expect(b).toBeLessThan(a / 5);
    expect(c).toBeLessThan(b / 5);
    expect(c).toBeLessThan(1e-3);
  });

  it("keeps integrating the synaptic current while refractory", () => {
    const base = { ...cuba(5e-3, 0.5) } as Extract<Node, { type: "CubaLIF" }>;
    const plain = run(single(base), { input: constant(1, 40), integrator: "exact" });
    const refr = run(single({ ...base, t_ref: tensor(5e-3), v_reset: tensor(-0.1) }), { input: constant(1, 40), integrator: "exact" });
    expect(Array.from(refr.records.n.i)).toEqual(Array.from(plain.records.n.i));
    const first = stepsOf(refr)[0];
    expect(first).toBe(stepsOf(plain)[0]);
    expect(Array.from(refr.records.n.v.slice(first, first + 6))).toEqual(new Array(6).fill(-0.1));
    expect(stepsOf(refr)[1]).toBeGreaterThan(first + 5);
  });
});

describe("MultiCubaLIF", () => {
  it("routes each edge to its port's current and sums the currents into v", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: {
        a: { type: "Input", shape: [2] },
        b: { type: "Input", shape: [2] },
        n: { type: "MultiCubaLIF", tau_syn: tensor([5e-3, 10e-3]), tau_mem: tensor(20e-3), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(100) },
      },
      edges: [{ src: "a", dst: "n" }, { src: "b", dst: "n", port: 1 }],
    };
    const T = 5;
    const r = run(g, { input: { a: { data: new Array(2 * T).fill(1), shape: [T, 2] }, b: { data: new Array(2 * T).fill(-1), shape: [T, 2] } } });
    const { v, i0, i1 } = r.records.n; // [T, 1, 2]: element 0 of step t is at 2t
    expect(i0[0]).toBeCloseTo(0.2, 14);
    expect(i1[0]).toBeCloseTo(0.1 * -1, 14);
    expect(v[0]).toBe(0);
    expect(v[2]).toBeCloseTo(0.05 * (0.2 - 0.1), 14);
    for (let t = 1; t < T; t++) expect(v[2 * t + 1]).toBeCloseTo(v[2 * t - 1] + 0.05 * (-v[2 * t - 1] + i0[2 * t - 1] + i1[2 * t - 1]), 14);
    expect(r.spikes.n).toEqual([]);
  });

  it("with one port equals CubaLIF with w_in = 1 under both integrators", () => {
    const common = { tau_mem: tensor(10e-3), r: tensor(1.5), v_leak: tensor(0.1), v_threshold: tensor(0.4), t_ref: tensor(2e-3) };
    const multi = single({ type: "MultiCubaLIF", tau_syn: tensor([4e-3]), ...common });
    const cuba = single({ type: "CubaLIF", tau_syn: tensor(4e-3), w_in: tensor(1), ...common });
    const input = { data: Array.from({ length: 80 }, (_, t) => (t % 7 === 0 ? 3 : 0)), shape: [80, 1] };
    for (const integrator of ["euler", "exact"] as const) {
      const a = run(multi, { input, integrator });
      const b = run(cuba, { input, integrator });
      expect(a.spikes.n.length).toBeGreaterThan(2);
      expect(a.spikes).toEqual(b.spikes);
      expect(a.records.n.i0).toEqual(b.records.n.i);
      expect(a.records.n.v).toEqual(b.records.n.v);
    }
  });
});

describe("spike rule and current ordering (options the NIR conventions select)", () => {
  it("spikes 'multiple': n = floor(v / v_th) when v >= v_th, output n, subtract n v_th; one list entry per spike", () => {
    // IF with dt r = 1: v = v + x. Inputs 2.5, 0.5, 1 with v_th 1 give v 2.5 -> 2 spikes (0.5 left), 1 -> 1 spike (>=), 1 -> 1.
    const g = single({ type: "IF", r: tensor(1000), v_threshold: tensor(1) });
    const input = { data: [2.5, 0.5, 1], shape: [3, 1] };
    const multi = run(g, { input, spikes: "multiple", reset: "subtract" });
    expect(Array.from(multi.records.n.spike)).toEqual([2, 1, 1]);
    expect(Array.from(multi.records.n.v)).toEqual([0.5, 0, 0]);
    expect(multi.spikes.n).toEqual([[0, 0], [0, 0], [1, 0], [2, 0]]);
    const single1 = run(g, { input, reset: "subtract" }); // strict >, at most one spike: v 1.5, 1 (not > 1), 1
    expect(Array.from(single1.records.n.spike)).toEqual([1, 1, 1]);
    expect(Array.from(single1.records.n.v)).toEqual([1.5, 1, 1]);
    const zero = run(g, { input, spikes: "multiple", reset: "zero" });
    expect(Array.from(zero.records.n.v)).toEqual([0, 0.5, 0]);
    expect(() => run(single({ type: "IF", r: tensor(1000), v_threshold: tensor(0) }), { input, spikes: "multiple" })).toThrow(/v_threshold > 0/);
  });

  it("current 'updated': the membrane integrates the current of this step (Euler), 'previous' that of the last", () => {
    const node: Node = { type: "CubaLIF", tau_syn: tensor(2e-3), tau_mem: tensor(4e-3), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(100), w_in: tensor(1) };
    const input = { data: [1, 0, 0, 2, 0], shape: [5, 1] };
    const upd = run(single(node), { input, current: "updated" }).records.n;
    const prev = run(single(node), { input }).records.n;
    expect(Array.from(upd.i)).toEqual(Array.from(prev.i)); // the current itself is the same
    let v = 0, w = 0;
    for (let t = 0; t < 5; t++) {
      v += 0.25 * (-v + upd.i[t]); // dt/tau_mem = 0.25, with i after this step's update
      w += 0.25 * (-w + (t ? prev.i[t - 1] : 0));
      expect(upd.v[t]).toBeCloseTo(v, 14);
      expect(prev.v[t]).toBeCloseTo(w, 14);
    }
    expect(() => run(single(node), { input, current: "updated", integrator: "exact" })).toThrow(/orders forward Euler/);
  });
});
