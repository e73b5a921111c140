// One NIR file through every entry point: the CLI (`phasor simulate`, via bin/phasor.js), `%nir load`
// then `%sim VAR`, `%sim FILE`, `%compile FILE` (its Program run on the VM), and the API (readNirWithInfo
// + simulate). With no --convention each reads the file the same way (the one default, raw); with
// --convention rockpool each runs Rockpool's update. Every result names its convention.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { program } from "../cli/main.js";
import { createDisplay } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { compileMagic } from "../kernel/magics/compile.js";
import { nirMagic } from "../kernel/magics/nir.js";
import { simMagic } from "../kernel/magics/sim.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import type { Program } from "../lib/compiler/index.js";
import type { Graph } from "../lib/ir/graph.js";
import { DEFAULT_CONVENTION, readNirWithInfo, simulationOptions, type ConventionName } from "../lib/ir/nir/index.js";
import { simulate, type SimResult } from "../lib/ir/sim/index.js";
import { genericMesh } from "../lib/target/index.js";
import { runProgram } from "../lib/vm/index.js";
import { haveNirPaper, nirPaper, runPhasor } from "./support.js";

const present = haveNirPaper();
const dir = mkdtempSync(join(tmpdir(), "phasor-conventions-"));
const FILE = resolve(nirPaper, "lif_rockpool.nir");
const NODE = "1_LIFNeuronTorch";
const DT = 1e-4;
let input: number[] = [];

/** A magic context over cell variables, collecting what is printed. */
function context(vars: Record<string, unknown>) {
  let printed = "";
  const ctx: MagicContext = {
    display: createDisplay({ display: () => {}, update: () => {}, clear: () => {} }),
    cwd: dir, signal: new AbortController().signal,
    setVariable: (n, v) => (vars[n] = v), getVariable: (n) => vars[n],
    page: () => {}, print: (t) => (printed += t), magics: () => [],
  };
  return { ctx, printed: () => printed };
}
const magic = (m: MagicSpec, line: string, ctx: MagicContext) => m.run({ ...parseArgs(m, line, false), line, body: undefined }, ctx);
const stepsOf = (spikes: Array<[number, number] | [number, number, number]> | undefined) => (spikes ?? []).map((s) => s[0]);

/** Spike steps of NODE and the printed convention line from each entry point. */
type Outcome = Record<"cli" | "api" | "nirLoad" | "simVar" | "simFile" | "compileFile", { spikes: number[]; line: string }>;

async function throughEveryEntryPoint(convention?: ConventionName): Promise<Outcome> {
  const conv = convention ? ["--convention", convention] : [];
  const dtFlag = ["--dt", String(DT)];
  const line = (text: string) => text.match(/^.*convention: .*$/m)?.[0] ?? "(none)";
  // CLI
  const out = join(dir, `cli-${convention ?? "default"}.json`);
  const r = runPhasor(["simulate", FILE, "--input", join(dir, "in.csv"), "--out", out, ...dtFlag, ...conv]);
  expect(r.stderr).toBe("");
  const cliJson = JSON.parse(readFileSync(out, "utf8")) as { spikes: Record<string, Array<[number, number]>> };
  // API
  const nir = await readNirWithInfo(FILE, { convention, dt: DT });
  const api = simulate(nir.graph, { dt: DT, input: { data: input, shape: [input.length, 1] }, ...simulationOptions(nir.record, { dt: DT }) });
  // %nir load, then %sim on the variable
  const vars: Record<string, unknown> = {};
  const load = context(vars);
  vars.net = await magic(nirMagic, `load ${FILE} ${dtFlag.join(" ")} ${conv.join(" ")}`, load.ctx);
  const simVar = context(vars);
  const a = (await magic(simMagic, `net --input in.csv ${dtFlag.join(" ")} --no-raster`, simVar.ctx)) as SimResult;
  // %sim FILE
  const simFile = context({});
  const b = (await magic(simMagic, `${FILE} --input in.csv ${dtFlag.join(" ")} ${conv.join(" ")} --no-raster`, simFile.ctx)) as SimResult;
  // %compile FILE on a fine-grained mesh (16-bit weights and decays), its Program run on the VM
  const comp = context({ fine: genericMesh({ name: "fine-mesh", weightBits: 16, stateBits: 32, decayBits: 16 }) });
  const p = (await magic(compileMagic, `${FILE} --target fine ${dtFlag.join(" ")} ${conv.join(" ")} --no-plot`, comp.ctx)) as Program;
  const vm = runProgram(p, { steps: input.length, input: { data: input, shape: [input.length, 1] } });
  return {
    cli: { spikes: stepsOf(cliJson.spikes[NODE]), line: line(r.stdout) },
    api: { spikes: stepsOf(api.spikes[NODE]), line: nir.notes[0] },
    nirLoad: { spikes: stepsOf(a.spikes[NODE]), line: line(load.printed()) },
    simVar: { spikes: stepsOf(a.spikes[NODE]), line: line(simVar.printed()) },
    simFile: { spikes: stepsOf(b.spikes[NODE]), line: line(simFile.printed()) },
    compileFile: { spikes: stepsOf(vm.spikes[NODE]), line: line(comp.printed()) },
  };
}

describe.skipIf(!present)("one NIR file through every entry point", () => {
  beforeAll(() => {
    const rows = readFileSync(resolve(nirPaper, "lif_rockpool.csv"), "utf8").trim().split("\n");
    input = rows.map((l) => Number(l.split(",")[0]));
    writeFileSync(join(dir, "in.csv"), input.join("\n") + "\n");
  });

  it("every entry point has the same default convention, raw", () => {
    const opt = (m: MagicSpec) => m.options?.find((o) => o.flags.startsWith("--convention"))?.default;
    expect(DEFAULT_CONVENTION).toBe("raw");
    expect([nirMagic, simMagic, compileMagic].map(opt)).toEqual(["raw", "raw", "raw"]);
    for (const path of [["simulate"], ["compile"], ["nir", "info"]]) {
      let cmd = program();
      for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
      expect(cmd.options.find((o) => o.long === "--convention")?.defaultValue, path.join(" ")).toBe("raw");
    }
  });

  it("without --convention: the same spikes everywhere, each result saying convention raw", async () => {
    const o = await throughEveryEntryPoint();
    const spikes = o.cli.spikes;
    expect(spikes.length).toBeGreaterThan(0);
    for (const [entry, r] of Object.entries(o)) {
      expect(r.spikes, entry).toEqual(spikes);
      expect(r.line, entry).toMatch(/convention: raw \(dt 0\.0001 s\)/);
    }
    // Read raw, Rockpool's stored r = tau e^(-dt/tau)/dt is a plain Euler gain: not Rockpool's spikes.
    expect(spikes).not.toEqual([450, 500, 710, 760]);
  });

  it("with --convention rockpool: Rockpool's spikes (450, 500, 710, 760) everywhere, each result naming it", async () => {
    const o = await throughEveryEntryPoint("rockpool");
    for (const [entry, r] of Object.entries(o)) {
      expect(r.spikes, entry).toEqual([450, 500, 710, 760]);
      expect(r.line, entry).toMatch(/convention: rockpool \(dt 0\.0001 s; reset subtract, spikes multiple, current updated\)/);
    }
  });

  it("JSON results carry the convention: simulate --json, compile --json, nir info --json", () => {
    const json = (args: string[]) => {
      const r = runPhasor(args);
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as { convention: unknown; simulation?: unknown };
    };
    const sim = json(["simulate", FILE, "--input", join(dir, "in.csv"), "--json", "--convention", "rockpool"]);
    expect(sim.convention).toEqual({ name: "rockpool", dt: 1e-4, reset: "subtract", spikes: "multiple", current: "updated" });
    expect(sim.simulation).toEqual({ integrator: "euler", reset: "subtract", spikes: "multiple", current: "updated", dtype: "float64" });
    expect(json(["compile", FILE, "--target", "generic-mesh", "--json"]).convention).toMatchObject({ name: "raw", dt: 1e-4 });
    expect(json(["nir", "info", FILE, "--json"]).convention).toMatchObject({ name: "raw", dt: null });
  });

  it("a graph loaded with a convention keeps it: %sim refuses another --convention and another dt for it", async () => {
    const vars: Record<string, unknown> = {};
    vars.net = (await magic(nirMagic, `load ${FILE} --convention rockpool --dt 1e-4 --quiet`, context(vars).ctx)) as Graph;
    await expect(magic(simMagic, "net --input in.csv --convention sinabs", context(vars).ctx)).rejects.toThrow(/--convention applies to a .nir file/);
    await expect(magic(simMagic, "net --input in.csv --dt 2e-4", context(vars).ctx)).rejects.toThrow(/converted from rockpool for dt 0.0001 s/);
    await expect(magic(simMagic, "net --input in.csv --integrator exact", context(vars).ctx)).rejects.toThrow(/forward Euler reproduces rockpool's own update/);
  });
});
