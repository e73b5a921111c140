// Loihi bit for bit against Lava: every vector of ../shared/golden/loihi-lava (produced by Lava's
// own PyLifModelBitAcc and PyDenseModelBitAcc) reproduced on both VM engines, u, v and spikes
// at every step of every neuron.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { lavaProgram } from "../lib/compiler/index.js";
import { runProgram, type RunResult } from "../lib/vm/index.js";
import { need, sharedDir } from "./support.js";
import { goldenFiles, haveGolden, lavaNetwork, readGolden, type Golden } from "./lava-golden.js";

const dir = haveGolden();

function run(g: Golden, engine: "behavioural" | "cycle"): RunResult {
  const input = Object.fromEntries(Object.entries(g.inputs).map(([k, v]) => [k, { shape: [g.num_steps, v.size], data: Float64Array.from(v.spikes.flat()) }]));
  const init = Object.fromEntries(g.lif.map((l) => [l.name, { v: l.v_init, i: l.u_init }]));
  return runProgram(lavaProgram(lavaNetwork(g)), { input, init, steps: g.num_steps, record: g.lif.map((l) => l.name), engine });
}

/** Rows [T][n] of a recorded variable. */
function rows(r: RunResult, layer: string, v: string, n: number): number[][] {
  const a = r.records[layer][v];
  return Array.from({ length: a.length / n }, (_, k) => Array.from(a.subarray(k * n, (k + 1) * n)));
}

const files = goldenFiles();

describe.skipIf(!dir)("Loihi == Lava bit for bit", () => {
  test.each(files.flatMap((f) => (["behavioural", "cycle"] as const).map((e) => [f, e] as const)))("%s on the %s engine", (f, engine) => {
    const g = readGolden(f);
    const r = run(g, engine);
    for (const l of g.lif) {
      const x = g.expected[l.name];
      expect(rows(r, l.name, "spike", l.size)).toEqual(x.spikes);
      expect(rows(r, l.name, "i", l.size)).toEqual(x.u);
      expect(rows(r, l.name, "v", l.size)).toEqual(x.v);
    }
  });
});

describe("Loihi rules that need no shared files", () => {
  test.each(["behavioural", "cycle"] as const)("a spike needs v strictly above vth << 6 (%s engine)", (engine) => {
    // du 4095, dv 0: u is the step's input << 6, v integrates it. One spike of weight 1 puts v exactly on 64 = 1 << 6.
    const p = lavaProgram({ inputs: { in: 1 }, lif: [{ name: "n", size: 1, du: 4095, dv: 0, vth: 1 }], dense: [{ name: "w", src: "in", dst: "n", weights: [[1]] }] });
    const r = runProgram(p, { input: { shape: [4, 1], data: Float64Array.from([1, 1, 0, 0]) }, record: ["n"], engine });
    expect(Array.from(r.records.n.v)).toEqual([0, 64, 0, 0]);
    expect(Array.from(r.records.n.spike)).toEqual([0, 0, 1, 0]);
  });

  test("fields beyond Loihi's ranges are refused, naming field, value and range", () => {
    const net = (lif: object, dense: object = {}) => ({ inputs: { in: 1 }, lif: [{ name: "n", size: 1, du: 0, dv: 0, vth: 10, ...lif }], dense: [{ name: "w", src: "in", dst: "n", weights: [[1]], ...dense }] });
    expect(() => lavaProgram(net({ vth: 131072 }))).toThrow(/n\.vth: threshold mantissa vth \(17 bits, compared as vth << 6\) is 131072; Loihi holds integers 0\.\.131071/);
    expect(() => lavaProgram(net({ du: 4096 }))).toThrow(/n\.du: current decay du \(12 bits\) is 4096; Loihi holds integers 0\.\.4095/);
    expect(() => lavaProgram(net({ dv: -1 }))).toThrow(/n\.dv: .* is -1/);
    expect(() => lavaProgram(net({ bias_mant: 4096 }))).toThrow(/n\.bias_mant\[0\]: bias mantissa \(13 bits, signed\) is 4096; Loihi holds integers -4096\.\.4095/);
    expect(() => lavaProgram(net({ bias_exp: 8 }))).toThrow(/bias_exp\[0\]: bias exponent \(3 bits\) is 8; Loihi holds integers 0\.\.7/);
    expect(() => lavaProgram(net({}, { weight_exp: 8 }))).toThrow(/w\.weight_exp: weight exponent is 8; Loihi holds integers -8\.\.7/);
    expect(() => lavaProgram(net({}, { weights: [[1, 2]] }))).toThrow(/w\.weights must be 1 x 1 \(dst x src\)/);
    expect(() => lavaProgram(net({ vth: 131071, du: 4095, dv: 4095, bias_mant: -4096, bias_exp: 7 }, { weight_exp: -8 }))).not.toThrow();
  });
});

const paper = join(sharedDir, "nir-paper");
const havePaper = need("../shared/nir-paper", existsSync(join(paper, "lif_lava_cpu_fixed.csv")), "place the shared folder beside the repository");

/** Columns input, v, spike of one of the paper's single-LIF traces. */
function trace(file: string): { input: number[]; v: number[]; spike: number[] } {
  const rows = readFileSync(join(paper, file), "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  return { input: rows.map((r) => r[0]), v: rows.map((r) => r[1]), spike: rows.map((r) => r[2]) };
}

/** The paper's Lava experiment (lif_lava.ipynb): w 10, du 4095, dv 163, vth 25, as Lava's integers. */
function paperRun(input: number[], engine: "behavioural" | "cycle") {
  const p = lavaProgram({ inputs: { in: 1 }, lif: [{ name: "lif", size: 1, du: 4095, dv: 163, vth: 25 }], dense: [{ name: "w", src: "in", dst: "lif", weights: [[10]] }] });
  const r = runProgram(p, { input: { shape: [input.length, 1], data: Float64Array.from(input) }, record: ["lif"], engine });
  return { v: Array.from(r.records.lif.v), spike: Array.from(r.records.lif.spike) };
}

describe.skipIf(!havePaper)("the NIR paper's Loihi traces", () => {
  test.each(["behavioural", "cycle"] as const)("lif_lava_cpu_fixed.csv exactly, every step (%s engine)", (engine) => {
    const csv = trace("lif_lava_cpu_fixed.csv"), r = paperRun(csv.input, engine);
    expect(r.v).toEqual(csv.v);
    expect(r.spike).toEqual(csv.spike);
    expect(csv.spike.flatMap((s, k) => (s ? [k] : []))).toEqual([461, 511, 711, 761]);
  });

  test("the Loihi 1 chip's trace except at its four spike steps, where the chip reads 128 and Lava 0", () => {
    const chip = trace("lif_lava_loihi_fixed.csv"), r = paperRun(chip.input, "behavioural");
    const spikes = chip.spike.flatMap((s, k) => (s ? [k] : []));
    expect(r.spike).toEqual(chip.spike);
    expect(spikes.map((k) => chip.v[k])).toEqual([128, 128, 128, 128]);
    expect(spikes.map((k) => r.v[k])).toEqual([0, 0, 0, 0]);
    expect(r.v.filter((_, k) => !spikes.includes(k))).toEqual(chip.v.filter((_, k) => !spikes.includes(k)));
  });
});

describe.skipIf(!havePaper)("a float network compiled for loihi", () => {
  test("lif_norse.nir on loihi spikes where Lava's model and the chip do (one step after the reference: the Dense's latency)", async () => {
    const { readNir } = await import("../lib/ir/nir/index.js");
    const { compile } = await import("../lib/compiler/index.js");
    const { simulate } = await import("../lib/ir/sim/index.js");
    const g = await readNir(join(paper, "lif_norse.nir"));
    const csv = trace("lif_lava_cpu_fixed.csv"), input = { shape: [1000, 1], data: Float64Array.from(csv.input) };
    const r = runProgram(compile(g, "loihi", { dt: 1e-4 }), { input });
    const ref = simulate(g, { dt: 1e-4, input, steps: 1000 });
    const steps = (s: number[][]) => s.map((x) => x[0]);
    expect(steps(Object.values(r.spikes)[0] as number[][])).toEqual([461, 511, 711, 761]);
    expect(steps(Object.values(ref.spikes)[0] as number[][])).toEqual([460, 510, 710, 760]);
  });
});

describe("the compile report names Loihi's fields", () => {
  test("du, dv, vth, bias and each projection's weight_exp, with the unit of v", async () => {
    const { compile } = await import("../lib/compiler/index.js");
    const { graph } = await import("../lib/ir/builders.js");
    // dt/tau = 1/4: dv = 1024; no synaptic current: du = 4095; v_leak 0.5 -> bias (1/4)(0.5) per step.
    const g = graph().input("in", [2]).linear("w", [[1, 0.5]]).lif("n", { tau: 4e-3, v_leak: 0.5, v_threshold: 1 }).output("o").build();
    const p = compile(g, "loihi", { dt: 1e-3 }), rep = p.report.layers.find((l) => l.name === "n")!;
    const unit = p.layers.find((l) => l.name === "n")!.params!.scale;
    expect(rep.codes).toContain(`one LSB of v = ${unit.toPrecision(4)} model units`);
    expect(rep.codes).toMatch(/^du 4095, dv 1024, vth \d+, bias \d+, weight_exp w=\d; one LSB of v = /);
    const vth = Number(/vth (\d+)/.exec(rep.codes!)![1]), bias = Number(/bias (\d+)/.exec(rep.codes!)![1]);
    expect(Math.abs(vth * 64 * unit - 1)).toBeLessThan(64 * unit);
    expect(Math.abs(bias * unit - 0.125)).toBeLessThan(2 * unit);
  });
});
