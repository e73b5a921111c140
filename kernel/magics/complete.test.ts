// Completion of magic lines from the magics' own declarations: names, flags, choices, targets,
// node and layer names of bound variables, files.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { graph } from "../../lib/ir/builders.js";
import { compile } from "../../lib/compiler/index.js";
import { completeMagicLine, type CompletionEnv } from "./complete.js";
import { MAGICS } from "./index.js";

const net = graph().input("in", [4]).linear("fc", [[1, 1, 1, 1], [2, 2, 2, 2]]).lif("lif", { tau: 20e-3, r: 1, v_leak: 0, v_threshold: 1 }).output("out").build();
const cwd = mkdtempSync(join(tmpdir(), "phasor-complete-"));
mkdirSync(join(cwd, "data"));
for (const f of ["data/in.csv", "data/in.npy", "net.nir", "prog.json", ".hidden"]) writeFileSync(join(cwd, f), "");

const vars: Record<string, unknown> = { net, answer: 42 };
const env: CompletionEnv = {
  spec: (n) => MAGICS.find((m) => m.name === n),
  names: () => MAGICS.map((m) => m.name),
  variables: () => vars,
  cwd,
};
const complete = (text: string) => completeMagicLine(text, env);
const matches = (text: string) => complete(text)?.matches;

describe("magic line completion", () => {
  it("leaves lines that are not magics to TypeScript", () => {
    expect(complete("phasor.gr")).toBeUndefined();
    expect(complete("const x = 50 % 3")).toBeUndefined();
  });

  it("completes magic names, keeping the % and the indentation", () => {
    expect(complete("  %s")).toEqual({ matches: ["%sim", "%sweep"], start: 2 });
    expect(matches("%%ti")).toEqual(["%%time", "%%timeit"]);
  });

  it("completes a flag from the spec: `%sim net --rec` gives --record", () => {
    expect(complete("%sim net --rec")).toEqual({ matches: ["--record"], start: "%sim net ".length });
    expect(matches("%sim net --no")).toEqual(["--no-raster"]);
    expect(matches("%vm step prog --no")).toEqual(["--no-plot"]);
    expect(matches("%sim net --a")).toEqual(["--as"]);
  });

  it("leaves out flags already given", () => {
    expect(matches("%sim net --record lif --re")).toEqual(["--reset"]);
  });

  it("completes --target from the target registry", () => {
    expect(new Set(matches("%compile net --target l"))).toEqual(new Set(["loihi", "loihi2", "loihi-sanafe"]));
    expect(matches("%compile net -t xy")).toEqual(["xylo-audio2"]);
    expect(matches("%compile net --target=sp")).toEqual(["speck", "spinnaker2", "spinnaker2-48"]);
    // A path completes as a file once it looks like one.
    expect(matches("%compile net --target ./pr")).toEqual(["./prog.json"]);
  });

  it("completes node names of the Graph bound to the positional variable, item by item in a list", () => {
    expect(new Set(matches("%sim net --record "))).toEqual(new Set(["in", "fc", "lif", "out"]));
    expect(matches("%sim net --record fc,l")).toEqual(["fc,lif"]);
    expect(matches("%sim nothing --record l")).toEqual([]);
  });

  it("completes layer names of a bound Program for %vm --layer and --record", () => {
    vars.prog = compile(net, "generic-mesh", { reset: "zero" });
    expect(matches("%vm inspect prog --layer ")).toEqual(["lif"]);
    expect(matches("%vm step prog --record l")).toEqual(["lif"]);
    expect(matches("%vm s")).toEqual(["step"]);
    expect(matches("%vm step p")).toEqual(["prog", "prog.json"]);
  });

  it("completes the actions %nir, %hw and %target declare, and a result's recorded layers for %trace", () => {
    expect(matches("%nir l")).toEqual(["load"]);
    expect(matches("%hw c")).toEqual(["connect", "cancel"]);
    expect(matches("%target s")).toEqual(["show"]);
    expect(matches("%target show xy")).toEqual(["xylo-audio2"]);
    vars.r = { engine: "behavioural", counters: {}, spikes: { lif: [], out2: [] }, records: { lif: { v: [] }, h2: { v: [] } } };
    expect(matches("%trace r --layer ")).toEqual(["lif", "h2"]);
    expect(matches("%trace r --layer lif,")).toEqual(["lif,h2"]);
  });

  it("completes choices, and nothing for numbers", () => {
    expect(matches("%sim net --integrator ")).toEqual(["euler", "exact"]);
    expect(matches("%sim net --steps ")).toEqual([]);
  });

  it("completes file names relative to the notebook, folders with a slash, no hidden files", () => {
    expect(matches("%sim net --input data/")).toEqual(["data/in.csv", "data/in.npy"]);
    expect(matches("%sim net --input d")).toEqual(["data/"]);
    expect(matches("%nir load ne")).toEqual(["net", "net.nir"]);
    expect(matches("%nir load .h")).toEqual([".hidden"]);
    expect(matches("%sim \"data/in")).toEqual(["data/in.csv", "data/in.npy"]);
  });

  it("offers nothing inside a # comment or in the TypeScript of a code magic", () => {
    expect(matches("%sim net # --rec")).toEqual([]);
    expect(matches("%time phasor.gr")).toEqual([]);
    expect(matches("%timeit -")).toContain("--number");
  });
});
