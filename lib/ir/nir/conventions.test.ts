import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { haveNirPaper, nirPaper } from "../../../test/support.js";
import { tensor } from "../builders.js";
import { PhasorError } from "../errors.js";
import type { Graph, NodeOf } from "../graph.js";
import { CONVENTIONS, applyConvention, conventionNames, readNir, readNirWithInfo } from "./index.js";

const dt = 1e-4;
const lifOf = (g: Graph, name: string) => g.nodes[name] as NodeOf<"LIF">;

describe("conventions on the NIR paper's single LIF neuron", () => {
  it.runIf(haveNirPaper())("norse: r = 1 is already canonical; nothing changes, with or without dt", async () => {
    const raw = await readNir(resolve(nirPaper, "lif_norse.nir"));
    const norse = await readNirWithInfo(resolve(nirPaper, "lif_norse.nir"), { convention: "norse", dt });
    expect(norse.graph).toStrictEqual(raw);
    expect(norse.notes[0]).toMatch(/^convention norse at dt 0.0001 s/);
    expect(await readNir(resolve(nirPaper, "lif_norse.nir"), { convention: "norse" })).toStrictEqual(raw);
  });

  it.runIf(haveNirPaper())("rockpool: r = tau*exp(-dt/tau)/dt becomes tau/dt, so its input gain equals Norse's", async () => {
    const rock = await readNir(resolve(nirPaper, "lif_rockpool.nir"), { convention: "rockpool", dt });
    const lif = lifOf(rock, "1_LIFNeuronTorch");
    expect(lif.r.data).toBeInstanceOf(Float32Array);
    expect(lif.r.data[0]).toBeCloseTo(25, 4); // tau / dt = 2.5e-3 / 1e-4
    // Per-step input gain dt/tau * r * w: Rockpool's w = 0.04 with r = 25 equals Norse's w = 1 with r = 1.
    const w = (rock.nodes["0_LinearTorch"] as NodeOf<"Linear">).weight.data[0];
    const norse = await readNir(resolve(nirPaper, "lif_norse.nir"));
    const norseGain = lifOf(norse, "1").r.data[0] * (norse.nodes["0"] as NodeOf<"Affine">).weight.data[0];
    expect(w * lif.r.data[0]).toBeCloseTo(norseGain, 5);
    // raw keeps the stored value exactly.
    const raw = await readNir(resolve(nirPaper, "lif_rockpool.nir"));
    expect(lifOf(raw, "1_LIFNeuronTorch").r.data[0]).toBe(Math.fround(24.019737243652344));
  });

  it.runIf(haveNirPaper())("rockpool without dt is an error naming the nodes that need it", async () => {
    const e: unknown = await readNir(resolve(nirPaper, "lif_rockpool.nir"), { convention: "rockpool" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PhasorError);
    expect((e as PhasorError).code).toBe("missing-dt");
    expect((e as PhasorError).message).toContain("convention rockpool needs dt");
    expect((e as PhasorError).message).toContain("1_LIFNeuronTorch");
  });

  it.runIf(haveNirPaper())("snntorch: canonical at its export dt 1e-4; another dt rescales time constants only", async () => {
    const path = resolve(nirPaper, "braille_noDelay_bias_zero.nir");
    const raw = await readNir(path);
    expect(await readNir(path, { convention: "snntorch" })).toStrictEqual(raw);
    const slow = await readNir(path, { convention: "snntorch", dt: 1e-3 });
    const [a, b] = [raw.nodes.lif2 as NodeOf<"CubaLIF">, slow.nodes.lif2 as NodeOf<"CubaLIF">];
    expect(b.tau_mem.data[0]).toBeCloseTo(a.tau_mem.data[0] * 10, 12);
    expect(b.tau_syn.data[0]).toBeCloseTo(a.tau_syn.data[0] * 10, 12);
    expect(b.r).toStrictEqual(a.r);
    expect(b.w_in).toStrictEqual(a.w_in);
  });
});

describe("applyConvention", () => {
  const g: Graph = {
    type: "NIRGraph",
    nodes: {
      in: { type: "Input", shape: [2] },
      iaf: { type: "IF", r: tensor([1, 1], [2], "float32"), v_threshold: tensor([1, 1], [2], "float32") },
      syn: { type: "CubaLIF", tau_syn: tensor([5e-3, 5e-3], [2]), tau_mem: tensor([1e-2, 1e-2], [2]), r: tensor([1, 1], [2]), v_leak: tensor([0, 0], [2]), v_threshold: tensor([1, 1], [2]), w_in: tensor([1, 1], [2]) },
      out: { type: "Output", shape: [2] },
    },
    edges: [{ src: "in", dst: "iaf" }, { src: "iaf", dst: "syn" }, { src: "syn", dst: "out" }],
  };

  it("sinabs: IF r becomes r/dt (IAF adds its input once per step), dtype kept", () => {
    const out = applyConvention(g, "sinabs", 1e-3).graph;
    expect((out.nodes.iaf as NodeOf<"IF">).r.data).toEqual(new Float32Array([1000, 1000]));
    expect(out.nodes.syn).toBe(g.nodes.syn);
  });

  it("norse: CubaLIF w_in becomes tau_syn/dt (LIFCell adds input to i with unit gain)", () => {
    const out = applyConvention(g, "norse", 1e-3).graph;
    expect(Array.from((out.nodes.syn as NodeOf<"CubaLIF">).w_in.data)).toEqual([5, 5]);
    expect(() => applyConvention(g, "norse")).toThrow(/needs dt .* syn/);
  });

  it("never mutates its input and rejects a non-positive dt", () => {
    applyConvention(g, "rockpool", 1e-3);
    expect((g.nodes.syn as NodeOf<"CubaLIF">).r.data[0]).toBe(1);
    expect(() => applyConvention(g, "sinabs", 0)).toThrow(/dt must be a positive number/);
  });

  it("documents every convention, raw first as the default", () => {
    expect(conventionNames).toEqual(["raw", "snntorch", "lava", "norse", "sinabs", "rockpool"]);
    for (const c of CONVENTIONS) expect(c.summary.length && c.doc.length && c.dt.length).toBeTruthy();
  });
});
