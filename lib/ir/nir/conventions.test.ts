// Each convention against its framework's own discrete update, written out by hand below from the
// framework's source (docs/conventions.md): the converted graph, simulated with the settings the
// convention names, must follow that update step by step.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { haveNirPaper, nirPaper } from "../../../test/support.js";
import { tensor } from "../builders.js";
import { PhasorError } from "../errors.js";
import type { Graph, Node, NodeOf } from "../graph.js";
import { simulate } from "../sim/index.js";
import {
  CONVENTIONS, applyConvention, compileReset, compileResetNote, conventionLine, conventionNames, conventionOf,
  readNir, readNirWithInfo, simulationOptions, writeNir, type ConventionName,
} from "./index.js";

const dt = 1e-4;
const lifOf = (g: Graph, name: string) => g.nodes[name] as NodeOf<"LIF">;

/** in(1) -> n -> out. */
function single(n: Node): Graph {
  return {
    type: "NIRGraph",
    nodes: { in: { type: "Input", shape: [1] }, n, out: { type: "Output", shape: [1] } },
    edges: [{ src: "in", dst: "n" }, { src: "n", dst: "out" }],
  };
}
/** in(1) -> w (a 1x1 Linear of weight `w`) -> n -> out. */
function weighted(n: Node, w: number): Graph {
  const g = single(n);
  const edges = [{ src: "in", dst: "w" }, { src: "w", dst: "n" }, { src: "n", dst: "out" }];
  return { ...g, nodes: { ...g.nodes, w: { type: "Linear", weight: tensor([w], [1, 1]) } }, edges };
}
/** A spike train with a burst strong enough for two spikes in one step under the multiple-spike rule. */
const INPUT = [0, 1, 0, 0, 3, 0, 1, 1, 1, 0, 0, 5, 0, 0, 2, 0, 0, 0, 1, 0];

/** Converts `g` with `name` at `at`, simulates with the convention's settings, returns v and the spike counts. */
function runConverted(g: Graph, name: ConventionName, at = dt): { v: number[]; n: number[] } {
  const c = applyConvention(g, name, at);
  const opts = simulationOptions(c.record, { dt: at });
  const r = simulate(c.graph, { dt: at, input: { data: INPUT, shape: [INPUT.length, 1] }, record: ["n"], ...opts });
  return { v: Array.from(r.records.n.v), n: Array.from(r.records.n.spike ?? []) };
}

/** Asserts two traces agree to `digits` decimals at every step. */
function expectTrace(got: number[], want: number[], digits = 12): void {
  expect(got).toHaveLength(want.length);
  got.forEach((x, t) => expect(x, `step ${t}`).toBeCloseTo(want[t], digits));
}

describe("rockpool: its own updates (LIFNeuronTorch, LIFTorch, ExpSynTorch) step by step", () => {
  const tau = 2e-3, tauSyn = 1e-3, th = 0.5;
  const a = Math.exp(-dt / tau), b = Math.exp(-dt / tauSyn);
  // What Rockpool's exporter writes: r = tau e^(-dt/tau) / dt, v_leak = 0, w_in left at 1.
  const lifNode: Node = { type: "LIF", tau: tensor(tau), r: tensor((tau * a) / dt), v_leak: tensor(0), v_threshold: tensor(th) };

  it("LIF: v = a v + x, n = floor(v/thr) spikes when v >= thr, v -= n thr", () => {
    const v: number[] = [], n: number[] = [];
    let x = 0;
    for (const s of INPUT) {
      x = a * x + 0.4 * s;
      const k = x >= th ? Math.floor(x / th) : 0;
      x -= k * th;
      v.push(x);
      n.push(k);
    }
    expect(Math.max(...n)).toBeGreaterThan(1); // the rule that gives several spikes in one step is exercised
    const got = runConverted(weighted(lifNode, 0.4), "rockpool");
    expectTrace(got.v, v);
    expect(got.n).toEqual(n);
  });

  it("CubaLIF: i = b (i + x), v = a v + i (this step's i), same spikes and reset", () => {
    const node: Node = {
      type: "CubaLIF", tau_mem: tensor(tau), tau_syn: tensor(tauSyn), r: tensor((tau * a) / dt), v_leak: tensor(0),
      v_threshold: tensor(th), w_in: tensor(1),
    };
    const v: number[] = [], n: number[] = [];
    let i = 0, x = 0;
    for (const s of INPUT) {
      i = b * (i + 0.3 * s);
      x = a * x + i;
      const k = x >= th ? Math.floor(x / th) : 0;
      x -= k * th;
      v.push(x);
      n.push(k);
    }
    const got = runConverted(weighted(node, 0.3), "rockpool");
    expectTrace(got.v, v);
    expect(got.n).toEqual(n);
  });

  it("LI: i = b (i + x)", () => {
    const node: Node = { type: "LI", tau: tensor(tauSyn), r: tensor((tauSyn * b) / dt), v_leak: tensor(0) };
    const want: number[] = [];
    let i = 0;
    for (const s of INPUT) want.push((i = b * (i + s)));
    const c = applyConvention(single(node), "rockpool", dt);
    const input = { data: INPUT, shape: [INPUT.length, 1] };
    const r = simulate(c.graph, { dt, input, record: ["n"], ...simulationOptions(c.record, { dt }) });
    expectTrace(Array.from(r.records.n.v), want);
  });

  it("tau becomes the Euler time constant with Rockpool's decay; a file whose r does not match dt gets a note", () => {
    const c = applyConvention(single(lifNode), "rockpool", dt);
    const lif = c.graph.nodes.n as NodeOf<"LIF">;
    expect(lif.tau.data[0]).toBeCloseTo(dt / (1 - a), 15);
    expect(lif.r.data[0]).toBeCloseTo(1 / (1 - a), 9);
    expect(c.notes).toEqual([]);
    const other = applyConvention(single(lifNode), "rockpool", 2 * dt);
    expect(other.notes.join()).toMatch(/n: r is 2\.10\d* times what Rockpool writes at dt 0\.0002 s/);
  });
});

describe("sinabs: time constants in steps, inputs with unit gain", () => {
  it("LIF as from_nir builds it (norm_input off): v = e^(-1/tau) v + x, trunc(v/thr) spikes, subtract", () => {
    const tauSteps = 8, th = 1;
    const a = Math.exp(-1 / tauSteps);
    const v: number[] = [], n: number[] = [];
    let x = 0;
    for (const s of INPUT) {
      x = a * x + 0.6 * s;
      const k = x >= th ? Math.trunc(x / th) : 0;
      x -= k * th;
      v.push(x);
      n.push(k);
    }
    expect(Math.max(...n)).toBeGreaterThan(1);
    const w = weighted({ type: "LIF", tau: tensor(tauSteps), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(th) }, 0.6);
    for (const at of [1e-4, 1e-3]) {
      const got = runConverted(w, "sinabs", at);
      expectTrace(got.v, v);
      expect(got.n).toEqual(n);
    }
  });

  it("IAF: v = v + x; a tau below one step gets a note", () => {
    const iaf: Node = { type: "IF", r: tensor([1], [1], "float32"), v_threshold: tensor(1) };
    const out = applyConvention(single(iaf), "sinabs", 1e-3);
    expect(Array.from((out.graph.nodes.n as NodeOf<"IF">).r.data)).toEqual([1000]);
    const lif: Node = { type: "LIF", tau: tensor(2.5e-3), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(1) };
    const small = applyConvention(single(lif), "sinabs", dt);
    expect(small.notes.join()).toMatch(/tau 0\.0025 is in Sinabs' unit of time steps/);
  });
});

describe("frameworks that step with forward Euler", () => {
  const tauMem = 5e-4, tauSyn = 2e-4, th = 1.5;
  // snnTorch's export at its dt 1e-4: tau = dt/(1 - beta), r = tau/dt, w_in = tau_syn/dt.
  const beta = 1 - dt / tauMem, alpha = 1 - dt / tauSyn;
  const snnNode: Node = {
    type: "CubaLIF", tau_mem: tensor(tauMem), tau_syn: tensor(tauSyn), r: tensor(tauMem / dt), v_leak: tensor(0),
    v_threshold: tensor(th), w_in: tensor(tauSyn / dt),
  };
  /** snnTorch Synaptic / lava-dl CUBA: syn = alpha syn + x; U = beta U + syn (this step's); spike U > thr, U = 0. */
  function synaptic(): { v: number[]; n: number[] } {
    const v: number[] = [], n: number[] = [];
    let syn = 0, u = 0;
    for (const s of INPUT) {
      syn = alpha * syn + s;
      u = beta * u + syn;
      const k = u > th ? 1 : 0;
      if (k) u = 0;
      v.push(u);
      n.push(k);
    }
    return { v, n };
  }

  it("snntorch and lava: Synaptic/CUBA with this step's current, at the export dt and, rescaled, at another", () => {
    const want = synaptic();
    expect(want.n.filter(Boolean).length).toBeGreaterThan(1);
    for (const name of ["snntorch", "lava"] as const) {
      const got = runConverted(single(snnNode), name);
      expectTrace(got.v, want.v, 10);
      expect(got.n).toEqual(want.n);
      // At dt = 1e-3 the time constants scale by 10, so the per-step decays stay alpha and beta.
      const slow = runConverted(single(snnNode), name, 1e-3);
      expectTrace(slow.v, want.v, 10);
    }
  });

  it("norse: LIFCell's v uses i of the previous step, and i = (1 - dt/tau_syn) i + x", () => {
    const node: Node = { ...snnNode, r: tensor(1), w_in: tensor(1) } as Node;
    const v: number[] = [];
    let i = 0, u = 0;
    for (const s of INPUT) {
      u = u + (dt / tauMem) * (-u + i);
      i = (1 - dt / tauSyn) * i + s;
      if (u > th) u = 0;
      v.push(u);
    }
    const got = runConverted(single(node), "norse");
    expectTrace(got.v, v);
    expect(() => applyConvention(single(node), "norse")).toThrow(/needs dt .* n/);
  });
});

describe("the NIR paper's single LIF neuron", () => {
  it.runIf(haveNirPaper())("norse: r = 1 is already canonical; the parameters stay, the graph records the convention", async () => {
    const raw = await readNir(resolve(nirPaper, "lif_norse.nir"));
    const norse = await readNirWithInfo(resolve(nirPaper, "lif_norse.nir"), { convention: "norse", dt });
    expect(norse.graph.nodes).toStrictEqual(raw.nodes);
    expect(norse.notes[0]).toBe("convention: norse (dt 0.0001 s; reset zero, spikes single, current previous)");
    expect(conventionOf(norse.graph)).toEqual({ name: "norse", dt, reset: "zero", spikes: "single", current: "previous" });
    expect(conventionOf(raw)).toEqual({ name: "raw", reset: "zero", spikes: "single", current: "previous" });
  });

  it.runIf(haveNirPaper())("rockpool: its stored r = tau e^(-dt/tau)/dt matches dt 1e-4; without dt it is an error naming the node", async () => {
    const rock = await readNirWithInfo(resolve(nirPaper, "lif_rockpool.nir"), { convention: "rockpool", dt });
    expect(rock.notes).toHaveLength(1);
    expect(lifOf(rock.graph, "1_LIFNeuronTorch").r.data[0]).toBeCloseTo(1 / -Math.expm1(-dt / 2.5e-3), 4);
    const e: unknown = await readNir(resolve(nirPaper, "lif_rockpool.nir"), { convention: "rockpool" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PhasorError);
    expect((e as PhasorError).code).toBe("missing-dt");
    expect((e as PhasorError).message).toContain("1_LIFNeuronTorch");
  });

  it.runIf(haveNirPaper())("snntorch: canonical at its export dt 1e-4; another dt rescales time constants only", async () => {
    const path = resolve(nirPaper, "braille_noDelay_bias_zero.nir");
    const raw = await readNir(path);
    expect((await readNir(path, { convention: "snntorch" })).nodes).toStrictEqual(raw.nodes);
    const slow = await readNir(path, { convention: "snntorch", dt: 1e-3 });
    const [a, b] = [raw.nodes.lif2 as NodeOf<"CubaLIF">, slow.nodes.lif2 as NodeOf<"CubaLIF">];
    expect(b.tau_mem.data[0]).toBeCloseTo(a.tau_mem.data[0] * 10, 12);
    expect(b.tau_syn.data[0]).toBeCloseTo(a.tau_syn.data[0] * 10, 12);
    expect(b.r).toStrictEqual(a.r);
    expect(b.w_in).toStrictEqual(a.w_in);
  });
});

describe("records and simulator settings", () => {
  const g = single({ type: "LIF", tau: tensor(1e-3), r: tensor(1), v_leak: tensor(0), v_threshold: tensor(1) });

  it("a converted graph is not converted again; read raw it keeps its record", () => {
    const once = applyConvention(g, "sinabs", dt);
    expect(() => applyConvention(once.graph, "rockpool", dt)).toThrow(/already converted from sinabs/);
    expect(applyConvention(once.graph, "raw").record).toMatchObject({ name: "sinabs", dt, reset: "subtract" });
    expect(g.metadata).toBeUndefined(); // the input graph is never mutated
  });

  it("a converted graph written to NIR and read back raw keeps its record; converting it again is refused", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "phasor-conv-")), "rock.nir");
    await writeNir(applyConvention(g, "rockpool", dt).graph, file);
    const back = await readNirWithInfo(file);
    expect(back.record).toEqual({ name: "rockpool", dt, reset: "subtract", spikes: "multiple", current: "updated" });
    expect(back.notes[0]).toBe("convention: rockpool (dt 0.0001 s; reset subtract, spikes multiple, current updated)");
    await expect(readNir(file, { convention: "rockpool", dt })).rejects.toThrow(/already converted from rockpool/);
  });

  it("the convention's reset is the default, an explicit one wins; exact and another dt are refused for a converted graph", () => {
    const rec = applyConvention(g, "rockpool", dt).record;
    expect(simulationOptions(rec, { dt })).toEqual({ integrator: "euler", reset: "subtract", spikes: "multiple", current: "updated" });
    expect(simulationOptions(rec, { dt, reset: "zero" }).reset).toBe("zero");
    expect(() => simulationOptions(rec, { dt, integrator: "exact" })).toThrow(/forward Euler reproduces rockpool's own update/);
    expect(() => simulationOptions(rec, { dt: 2e-4 })).toThrow(/converted from rockpool for dt 0.0001 s/);
    const raw = applyConvention(g, "raw", 5e-4).record;
    const free = simulationOptions(raw, { dt: 1e-3, integrator: "exact" });
    expect(free).toEqual({ integrator: "exact", reset: "zero", spikes: "single", current: "previous" });
    expect(conventionLine(raw)).toBe("convention: raw (dt 0.0005 s)");
  });

  it("a compile takes the convention's reset where the framework only resets that way, else the target's", () => {
    const rock = applyConvention(g, "rockpool", dt).record, snn = applyConvention(g, "snntorch", dt).record;
    expect(compileReset(rock)).toBe("subtract");
    expect(compileReset(rock, "zero")).toBe("zero");
    expect(compileReset(snn)).toBeUndefined(); // snnTorch's file does not say how it was trained to reset
    expect(compileReset(conventionOf(g))).toBeUndefined();
    expect(compileResetNote(snn, "subtract", "xylo-audio2")).toBe("compiled with reset subtract (xylo-audio2's); convention snntorch simulates with reset zero");
    expect(compileResetNote(rock, "subtract", "speck")).toBeUndefined();
  });

  it("rejects a non-positive dt and an unknown name; documents every convention, raw first as the default", () => {
    expect(() => applyConvention(g, "sinabs", 0)).toThrow(/dt must be a positive number/);
    expect(() => applyConvention(g, "brian" as ConventionName)).toThrow(/unknown NIR convention "brian"; known: raw, snntorch/);
    expect(conventionNames).toEqual(["raw", "snntorch", "lava", "norse", "sinabs", "rockpool"]);
    for (const c of CONVENTIONS) expect(c.summary.length && c.update.length && c.dt.length).toBeTruthy();
  });
});
