// Units of the VM: the discrete-event kernel's ordering, the fixed-point arithmetic, the
// figure builders (Pareto front), and abort/progress of long runs.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Node } from "../lib/ir/graph.js";
import { compile } from "../lib/compiler/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { Kernel, Port, VmSession, runProgram } from "../lib/vm/index.js";
import { paretoFront, latencyPerStep } from "../lib/plot/cycles.js";
import { powerByLayer } from "../lib/plot/power.js";

describe("discrete-event kernel", () => {
  test("activations run in time order, ties in scheduling order; ports deliver after their delay", () => {
    const k = new Kernel(), log: string[] = [];
    const p = new Port<string>(k, "p");
    p.bind((m) => log.push(`${k.now}:${m}`));
    k.schedule(5, () => log.push("5:a"));
    k.schedule(2, () => { log.push("2:b"); p.write("msg", 3); });
    k.schedule(5, () => log.push("5:c"));
    k.schedule(0, () => log.push("0:d"));
    expect(k.run()).toBe(5);
    expect(log).toEqual(["0:d", "2:b", "5:a", "5:c", "5:msg"]);
    expect(k.executed).toBe(5);
    expect(() => new Port<number>(k, "loose").write(1)).toThrow(/not bound/);
  });
});

const lif = (n: number, tau: number, th: number): Node => ({ type: "LIF", tau: tensor(new Float64Array(n).fill(tau)), r: tensor(new Float64Array(n).fill(1)), v_leak: tensor(new Float64Array(n)), v_threshold: tensor(new Float64Array(n).fill(th)) });

describe("fixed-point arithmetic", () => {
  const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("n", lif(1, 1e-3, Infinity)).output("o").build();
  const one = (steps: number) => ({ data: Float64Array.from({ length: steps }, (_, t) => (t === 0 ? 1 : 0)), shape: [steps, 1] });

  test("multiplicative decay truncates toward zero (Loihi): v = trunc(v d / 2^12)", () => {
    const p = compile(g, genericMesh({ width: 1, height: 1 }));
    const d = p.blobs[p.layers[1].params!.decayV][0];
    const r = runProgram(p, { input: one(4), record: ["n"] });
    const codes = Array.from(r.records.n.v, (x) => Math.round(x / p.layers[1].params!.scale));
    expect(codes[0]).toBe(127);
    expect(codes[1]).toBe(Math.trunc((127 * d) / 4096));
    expect(codes[2]).toBe(Math.trunc((codes[1] * d) / 4096));
  });

  test("shift decay is i - max(i >> dash, 1) (Xylo); state saturates at the state width at run time", () => {
    const cuba = { size: 1, tau_syn: 8e-3, tau_mem: 16e-3, r: 1, v_leak: 0, v_threshold: 1, w_in: 1, v_reset: 0 };
    const two = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).cubaLIF("n", cuba).linear("w2", tensor([1], [1, 1])).cubaLIF("m", cuba).output("o").build();
    const p = compile(two, "xylo-audio2", { dt: 1e-3, reset: "subtract" });
    const dash = p.blobs[p.layers[1].params!.decayI[0]][0];
    expect(dash).toBe(3); // round(log2(8 ms / 1 ms))
    const i = Array.from(runProgram(p, { input: one(40), record: ["n"] }).records.n.i_int);
    for (let t = 1; t < 40; t++) expect(i[t]).toBe(i[t - 1] - Math.max(Math.floor(i[t - 1] / 2 ** dash), i[t - 1] > 0 ? 1 : 0));
    expect(i[0]).toBeGreaterThan(8); // both the shift and the one-LSB steps are exercised
    expect(i[39]).toBe(0);
    const big = { data: new Float64Array(400).fill(1), shape: [400, 1] };
    const sat = runProgram(compile(graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("n", { type: "IF", r: tensor([1e4]), v_threshold: tensor([Infinity]) }).output("o").build(), genericMesh({ width: 1, height: 1, stateBits: 10 })), { input: big, record: ["n"] });
    expect(Array.from(sat.records.n.v_int).slice(-3)).toEqual([511, 511, 511]);
  });

  test("a threshold the state cannot hold is refused at compile time, naming the field, the limit and a scaling that fits", () => {
    const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("n", { type: "IF", r: tensor([1]), v_threshold: tensor([1e9]) }).output("o").build();
    expect(() => compile(g, genericMesh({ width: 1, height: 1, stateBits: 10 }))).toThrow(/n: v_threshold 1\.000e\+9 needs code \d+ at .* per LSB \(set by the largest weight\); generic-mesh's 10-bit state holds \+-511, so v_threshold must stay within \+-/);
  });
});

describe("figures, abort and progress", () => {
  test("the Pareto front keeps exactly the non-dominated points", () => {
    const pts = [{ label: "a", energy: 1, latency: 5, cores: 4 }, { label: "b", energy: 2, latency: 2, cores: 4 }, { label: "c", energy: 2, latency: 6, cores: 4 }, { label: "d", energy: 9, latency: 9, cores: 1 }, { label: "e", energy: 0, latency: 0, cores: 0, error: "x" }];
    expect(paretoFront(pts)).toEqual([0, 1, 3]);
    expect(latencyPerStep([100, 300], 1e8).layout.meta!.phasor!.summary).toMatch(/mean 2\.000 µs/);
    const f = powerByLayer({ target: "t", perInference: 3e-6, averagePower: 1e-3, byLayer: { a: { synOp: 1e-6, hop: 0 }, b: { synOp: 1e-6, hop: 1e-6 } }, byCore: {} });
    expect(f.data.map((d) => d.name)).toEqual(["synOp", "hop"]);
  });

  test("an aborted run throws AbortError; progress reaches the end", async () => {
    const g = graph().input("in", [1]).linear("w", tensor([1], [1, 1])).node("n", lif(1, 1e-2, 1)).output("o").build();
    const p = compile(g, "generic-mesh");
    const ac = new AbortController(), seen: number[] = [];
    const s = new VmSession(p, { steps: 5000, input: { data: new Float64Array(5000), shape: [5000, 1] }, signal: ac.signal, onProgress: (t) => { seen.push(t); if (t >= 1000) ac.abort(); } });
    await expect(s.runAsync(100)).rejects.toThrow(/aborted/);
    expect(s.t).toBeLessThan(5000);
    const done: number[] = [];
    runProgram(p, { steps: 300, input: { data: new Float64Array(300), shape: [300, 1] }, onProgress: (t) => done.push(t) });
    expect(done[done.length - 1]).toBe(300);
  });
});

describe("batching", () => {
  test("each batch entry equals its own batch-1 run, on both engines", async () => {
    const { ifNet, randomSpikes } = await import("./vm-networks.js");
    const p = compile(ifNet(), "generic-mesh", { reset: "zero" });
    const xs = [1, 2, 3].map((seed) => randomSpikes([16], 30, 0.3, seed));
    const data = new Float64Array(30 * 3 * 16);
    for (let t = 0; t < 30; t++) xs.forEach((x, b) => data.set(x.data.subarray(t * 16, t * 16 + 16), (t * 3 + b) * 16));
    for (const engine of ["behavioural", "cycle"] as const) {
      const r = runProgram(p, { input: { data, shape: [30, 3, 16] }, engine });
      expect(r.batch).toBe(3);
      xs.forEach((x, b) => {
        const one = runProgram(p, { input: x });
        expect(r.spikes.out.filter((s) => s[1] === b).map((s) => [s[0], s[2]])).toEqual(one.spikes.out);
      });
    }
  });
});

describe("specialised kernels", () => {
  test("the written-out two-current multiply kernel equals the general fixed-point kernel", async () => {
    const { cubaNetwork } = await import("../lib/ir/models/cuba.js");
    const m = cubaNetwork({ seed: 2, n: 300, nExc: 240, p: 0.1 });
    const p = compile(m.graph, "generic-mesh");
    const fast = new VmSession(p, { steps: 400, init: m.init, record: ["P"] });
    const general = new VmSession(p, { steps: 400, init: m.init, record: ["P"] });
    general.model.layers.forEach((l) => (l.integralInput = false)); // forces the general kernel (rounding is exact on integers)
    const a = fast.run(), b = general.run();
    expect(a.spikes.P.length).toBeGreaterThan(50);
    expect(b.spikes).toEqual(a.spikes);
    expect(b.records.P.v).toEqual(a.records.P.v);
  });
});
