// `phasor run --record`: v, the current and spikes per step, in model units and as the chip's
// integers, laid out as `phasor simulate` writes them (CSV `step,NODE.VAR,...`; JSON columns).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compile, lavaProgram, saveProgram } from "../lib/compiler/index.js";
import { graph } from "../lib/ir/builders.js";
import { runPhasor } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "phasor-record-"));
const csvIn = join(dir, "in.csv");
writeFileSync(csvIn, ["0", "0", "1", "0", "0", "0"].join("\n") + "\n");

describe("phasor run --record", () => {
  test("Loihi state in Lava's integers, step by step (values worked out by hand)", () => {
    const prog = join(dir, "lava.json");
    saveProgram(lavaProgram({ inputs: { in: 1 }, lif: [{ name: "lif", size: 1, du: 4095, dv: 163, vth: 25 }], dense: [{ name: "w", src: "in", dst: "lif", weights: [[10]] }] }), prog);
    const r = runPhasor(["run", prog, "--input", csvIn, "--record", "lif", "--out", join(dir, "out.csv")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [head, ...rows] = readFileSync(join(dir, "out.csv"), "utf8").trim().split("\n");
    expect(head).toBe("step,lif.v,lif.i,lif.spike,lif.v_int,lif.i_int");
    // The spike of step 2 arrives at step 3 (one step per Dense): u = 10 << 6 = 640, v = 640;
    // then u = 0 (du 4095) and v decays by (4096 - 163) / 4096, rounded toward zero: 614, 589.
    expect(rows.map((l) => l.split(",").map(Number))).toEqual([
      [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0], [3, 640, 640, 0, 640, 640], [4, 614, 0, 0, 614, 0], [5, 589, 0, 0, 589, 0],
    ]);
  });

  test("a float network on loihi: model units are the integers times the layer's unit; JSON has the columns and the spikes", () => {
    const g = graph().input("in", [1]).linear("w", [[3]]).lif("lif", { tau: 2e-3, v_threshold: 1 }).output("o").build();
    const prog = join(dir, "float.json"), out = join(dir, "out.json");
    const p = compile(g, "loihi", { dt: 1e-3 });
    saveProgram(p, prog);
    const r = runPhasor(["run", prog, "--input", csvIn, "--record", "lif", "--out", out]);
    expect(r.status).toBe(0);
    const j = JSON.parse(readFileSync(out, "utf8"));
    const unit = p.layers.find((l) => l.name === "lif")!.params!.scale;
    expect(j.columns["lif.v"]).toEqual(j.columns["lif.v_int"].map((x: number) => x * unit));
    expect(j.columns["lif.v_int"].every(Number.isInteger)).toBe(true);
    expect(j.columns["lif.spike"]).toEqual([0, 0, 0, 1, 0, 0]);
    expect(j.spikes.lif).toEqual([[3, 0]]);
  });

  test("an unknown layer is refused naming the layers there are", () => {
    const r = runPhasor(["run", join(dir, "lava.json"), "--input", csvIn, "--record", "nope"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no neuron layer "nope"; neuron layers: lif/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("program files a user names", () => {
  test("a missing blob file is named, with how the pair is written, and no stack trace", () => {
    const prog = join(dir, "alone.json");
    saveProgram(lavaProgram({ inputs: { in: 1 }, lif: [{ name: "lif", size: 1, du: 0, dv: 0, vth: 1 }], dense: [{ name: "w", src: "in", dst: "lif", weights: [[1]] }] }), prog);
    writeFileSync(join(dir, "copy.json"), readFileSync(prog)); // the JSON without its .bin
    const r = runPhasor(["run", join(dir, "copy.json"), "--input", csvIn]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/blob file/);
    expect(r.stderr).not.toMatch(/\n\s+at |ENOENT/);
  });
});
