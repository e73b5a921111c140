// The SystemC model (`phasor compile --emit systemc`): built with CMake against libsystemc-dev,
// run standalone (its main drives the model through the TLM-2.0 socket) on the networks of the
// arithmetic conformance suite (every profile) and the VM's networks (every target): its spikes
// must equal the behavioural engine's. Skipped with a message without SystemC, cmake or g++
// (PHASOR_REQUIRE_ALL=1 makes that a failure).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { compile, lavaProgram, type Program } from "../lib/compiler/index.js";
import { denseEvents, inputData, programSha256, stateCodes, systemcFiles } from "../lib/compiler/systemc/index.js";
import { cycleConstants, emitModel } from "../cli/systemc.js";
import { SOURCES } from "../lib/compiler/systemc/sources.js";
import { floatProgram, loadModel, runProgram, type VmInit } from "../lib/vm/index.js";
import { programHash } from "../lib/hw/index.js";
import type { DenseInput } from "../lib/ir/sim/index.js";
import { haveNirPaper, need, nirPaper, runPhasor } from "./support.js";
import { cases, ifNet, randomSpikes } from "./vm-networks.js";
import { goldenFiles, haveGolden, lavaNetwork, readGolden } from "./lava-golden.js";
import { conformanceNetwork, conformanceProgram, PROFILES, SHAPES } from "./conformance-networks.js";

const SYSTEMC_HEADER = existsSync(join(process.env.SYSTEMC_HOME ?? "/usr", "include", "systemc"));
const tool = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const haveSystemC = need("SystemC (libsystemc-dev), cmake and g++", SYSTEMC_HEADER && tool("cmake") && tool("g++"),
  "apt-get install libsystemc-dev cmake g++");

/**
 * One build of the model's C++ (the same for every Program), cached in the temp folder by the
 * sources' hash; each Program swaps in its program_id.cpp (one small file recompiled, relinked) and keeps its executable.
 */
function builder(cmakeOptions: string[] = []) {
  const key = createHash("sha256").update(JSON.stringify([SOURCES, cmakeOptions])).digest("hex").slice(0, 16);
  const root = join(tmpdir(), `phasor-systemc-${key}`), src = join(root, "src"), build = join(root, "build");
  return (p: Program, name: string) => {
    const dir = join(root, "programs", name.replace(/[^a-z0-9]+/gi, "-")), exe = join(dir, "phasor_model");
    const id = join(dir, "program_id.cpp"), before = existsSync(id) ? readFileSync(id, "utf8") : "";
    emitModel(p, dir);
    // The executable linked for this Program earlier in the run (or a past run) serves again.
    if (existsSync(exe) && readFileSync(id, "utf8") === before) return { exe, dir };
    mkdirSync(src, { recursive: true });
    for (const f of Object.keys(SOURCES)) if (!existsSync(join(src, f))) copyFileSync(join(dir, f), join(src, f));
    copyFileSync(id, join(src, "program_id.cpp"));
    const configure = ["-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release", ...cmakeOptions];
    if (!existsSync(join(build, "CMakeCache.txt"))) execFileSync("cmake", configure, { stdio: "pipe" });
    execFileSync("cmake", ["--build", build], { stdio: "pipe" });
    copyFileSync(join(build, "phasor_model"), exe);
    chmodSync(exe, 0o755);
    return { exe, dir };
  };
}

interface ModelRun {
  program: string; steps: number; spikes: Record<string, number[][]>; stepCycles: number[];
  counters: Record<string, number>; events: number; wallSeconds: number;
}

function runModel(exe: string, args: string[]): { status: number; stderr: string } {
  const r = spawnSync(exe, args, { encoding: "utf8", env: { ...process.env, SYSC_DISABLE_COPYRIGHT_MESSAGE: "1" } });
  return { status: r.status ?? -1, stderr: r.stderr };
}

/** Runs the model of `p` (built by `build`) on a dense input of its one input layer (and initial state). */
function model(build: ReturnType<typeof builder>, p: Program, name: string, input: DenseInput | undefined, steps: number,
  init?: VmInit, flags: string[] = []): ModelRun {
  const { exe, dir } = build(p, name), m = loadModel(p);
  const inputLayer = m.layers.find((l) => l.kind === "input")!;
  const codes = Object.entries(init ?? {}).flatMap(([layer, vars]) => Object.entries(vars).map(([variable, values]) => ({
    layer, variable, codes: stateCodes(m.layers.find((l) => l.name === layer)!, values),
  })));
  writeFileSync(join(dir, "input.txt"), inputData(steps, input ? [denseEvents(inputLayer.name, input.data, input.shape)] : [], codes));
  const out = join(dir, "out.json");
  const r = runModel(exe, ["--program", join(dir, "program.dat"), "--input", join(dir, "input.txt"), "--out", out, ...flags]);
  if (r.status !== 0) throw new Error(`model of ${name} failed: ${r.stderr}`);
  return JSON.parse(readFileSync(out, "utf8"));
}

const spikeCount = (s: Record<string, unknown[]>) => Object.values(s).reduce((a, x) => a + x.length, 0);

describe.skipIf(!haveSystemC)("SystemC model", () => {
  const build = builder();

  test("spikes equal the behavioural engine's on every conformance network and profile", () => {
    const STEPS = 120;
    for (const p of PROFILES) for (const s of SHAPES) {
      const { g, inputs } = conformanceNetwork(s, p), prog = conformanceProgram(g, p), input = randomSpikes([inputs], STEPS, 0.35, 5);
      const want = runProgram(prog, { input, steps: STEPS });
      expect(spikeCount(want.spikes), `${p} ${s} spikes`).toBeGreaterThan(5);
      const got = model(build, prog, `${p} ${s}`, input, STEPS);
      expect(got.spikes, `${p} ${s}`).toEqual(want.spikes);
      expect(got.program).toBe(programSha256(prog));
    }
  }, 900_000);

  test("cycles per step equal the TypeScript cycle engine's on every conformance network", () => {
    const STEPS = 60;
    for (const p of PROFILES) for (const s of SHAPES) {
      const { g, inputs } = conformanceNetwork(s, p), prog = conformanceProgram(g, p), input = randomSpikes([inputs], STEPS, 0.35, 5);
      const want = runProgram(prog, { input, steps: STEPS, engine: "cycle" }).cycles!;
      const got = model(build, prog, `${p} ${s}`, input, STEPS);
      expect(got.stepCycles, `${p} ${s}`).toEqual(want.stepCycles);
      const counts = [got.counters.packets, got.counters.hops, got.counters.messages, got.counters.stalls];
      expect(counts, `${p} ${s}`).toEqual([want.packets, want.hops, want.messages, want.overflows]);
    }
  }, 900_000);

  test("cycles per step equal the engine's with SANA-FE's fitted Loihi profile (spike, message and sync costs)", () => {
    const STEPS = 60;
    for (const s of SHAPES) {
      const { g, inputs } = conformanceNetwork(s, "loihi"), input = randomSpikes([inputs], STEPS, 0.35, 5);
      const prog = compile(g, "loihi-sanafe", { dt: 1e-3, reset: "zero" });
      const want = runProgram(prog, { input, steps: STEPS, engine: "cycle" });
      const got = model(build, prog, `sanafe ${s}`, input, STEPS);
      expect(got.spikes, s).toEqual(want.spikes);
      expect(got.stepCycles, s).toEqual(want.cycles!.stepCycles);
    }
  }, 900_000);

  test.skipIf(!haveNirPaper())("spikes equal the behavioural engine's on the VM's networks, every target", async () => {
    for (const c of cases) for (const t of c.targets) {
      const prog = compile(await c.graph(), t.target, t.options);
      const want = runProgram(prog, { input: c.input, steps: c.steps, init: c.init });
      const got = model(build, prog, `${c.name} ${t.target}`, c.input as DenseInput | undefined, c.steps, c.init);
      expect(got.spikes, `${c.name} on ${t.target}`).toEqual(want.spikes);
      // Under heavy contention (the convolution on the multicast mesh), events of several routers at one tick may run in
      // another order than the TypeScript kernel's: cycle counts there are compared with PHASOR_ENGINE_ORDER (next test).
      if (c.name === "cnn_sinabs" && t.target === "generic-mesh") continue;
      const cyc = runProgram(prog, { input: c.input, steps: c.steps, init: c.init, engine: "cycle" }).cycles!;
      expect(got.stepCycles, `${c.name} on ${t.target}`).toEqual(cyc.stepCycles);
      const counts = [got.counters.packets, got.counters.hops, got.counters.messages];
      expect(counts, `${c.name} on ${t.target}`).toEqual([cyc.packets, cyc.hops, cyc.messages]);
    }
  }, 900_000);
});

describe.skipIf(!haveSystemC)("SystemC model timing", () => {
  test.skipIf(!haveNirPaper())("built with PHASOR_ENGINE_ORDER, cycles per step equal the engine's under contention", async () => {
    const c = cases.find((x) => x.name === "cnn_sinabs")!, prog = compile(await c.graph(), "generic-mesh", { reset: "subtract" });
    const cyc = runProgram(prog, { input: c.input, steps: c.steps, engine: "cycle" }).cycles!;
    expect(cyc.overflows).toBeGreaterThan(1000);
    const got = model(builder(["-DPHASOR_ENGINE_ORDER=ON"]), prog, "cnn ordered", c.input as DenseInput, c.steps);
    expect(got.stepCycles).toEqual(cyc.stepCycles);
    expect([got.counters.packets, got.counters.hops, got.counters.stalls]).toEqual([cyc.packets, cyc.hops, cyc.overflows]);
  }, 600_000);

  test("backpressure: one-packet buffers and queues slow the steps as in the engine, with the same spikes", () => {
    const build = builder(), prog = compile(ifNet({ inputs: 64, hidden: 128, outputs: 32, weight: 0.6 }), "truenorth", { reset: "zero" });
    const input = randomSpikes([64], 30, 0.5, 9), narrow = { bufferDepth: 1, coreQueueDepth: 1 };
    const wide = runProgram(prog, { input, steps: 30, engine: "cycle" });
    const tight = runProgram(prog, { input, steps: 30, engine: "cycle", ...narrow });
    const a = model(build, prog, "if wide", input, 30);
    const b = model(build, prog, "if narrow", input, 30, undefined, ["--depth", "1", "--queue", "1"]);
    expect(b.spikes).toEqual(a.spikes);
    expect(a.stepCycles).toEqual(wide.cycles!.stepCycles);
    expect(b.stepCycles).toEqual(tight.cycles!.stepCycles);
    const sum = (x: number[]) => x.reduce((s, y) => s + y, 0);
    expect(sum(b.stepCycles)).toBeGreaterThan(sum(a.stepCycles));
    expect(b.counters.stalls).toBeGreaterThan(a.counters.stalls);
  }, 600_000);
});

describe.skipIf(!haveSystemC || !haveGolden())("SystemC model against Lava", () => {
  test("spikes of every Loihi vector Lava's bit-accurate models produced", () => {
    const build = builder(), files = goldenFiles();
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const g = readGolden(f), prog = lavaProgram(lavaNetwork(g)), m = loadModel(prog);
      const { exe, dir } = build(prog, `lava ${f}`);
      const events = Object.entries(g.inputs).map(([layer, v]) => denseEvents(layer, v.spikes.flat(), [g.num_steps, v.size]));
      const init = g.lif.flatMap((l) => {
        const layer = m.layers.find((x) => x.name === l.name)!;
        return [{ layer: l.name, variable: "v", codes: stateCodes(layer, l.v_init) }, { layer: l.name, variable: "i", codes: stateCodes(layer, l.u_init) }];
      });
      writeFileSync(join(dir, "input.txt"), inputData(g.num_steps, events, init));
      const r = runModel(exe, ["--program", join(dir, "program.dat"), "--input", join(dir, "input.txt"), "--out", join(dir, "out.json")]);
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as ModelRun;
      for (const l of g.lif) {
        const want = g.expected[l.name].spikes.flatMap((row, t) => row.flatMap((x, k) => (x ? [[t, k]] : [])));
        expect(got.spikes[l.name], `${f} ${l.name}`).toEqual(want);
      }
    }
  }, 600_000);
});

describe("SystemC model files", () => {
  const prog = () => conformanceProgram(conformanceNetwork("two layers", "loihi").g, "loihi");

  test("emitting twice gives identical bytes; program_id.cpp and program.dat carry the Program's sha256", () => {
    const files = (q: Program) => systemcFiles(q, loadModel(q), cycleConstants(q));
    const p = prog(), a = files(p), b = files(prog());
    expect(a).toEqual(b);
    const tmp = mkdtempSync(join(tmpdir(), "phasor-systemc-emit-")), dirs = [join(tmp, "a"), join(tmp, "b")];
    try {
      for (const d of dirs) emitModel(p, d);
      for (const f of Object.keys(a)) expect(readFileSync(join(dirs[1], f)), f).toEqual(readFileSync(join(dirs[0], f)));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const hash = programHash(p);
    expect(a["program_id.cpp"]).toContain(`phasor_program_hash = "${hash}"`);
    expect(a["program.dat"].split("\n")[1]).toBe(`hash ${hash}`);
    // One file per module kind, the same C++ for every Program; only program_id.cpp, program.dat and README.md differ.
    expect(Object.keys(a).sort()).toEqual(["CMakeLists.txt", "README.md", "main.cpp", "phasor_arith.h", "phasor_barrier.h", "phasor_core.h",
      "phasor_host.h", "phasor_neurons.h",
      "phasor_packet.h", "phasor_program.h", "phasor_router.h", "phasor_system.h", "program.dat", "program_id.cpp"]);
    const c = files(conformanceProgram(conformanceNetwork("single", "loihi").g, "loihi"));
    const perProgram = ["program.dat", "program_id.cpp", "README.md"];
    for (const f of Object.keys(a)) if (!perProgram.includes(f)) expect(c[f], f).toBe(a[f]);
    expect(a["README.md"]).toContain(`Program sha256 ${hash}`);
    expect(a["README.md"]).toMatch(/- 0: in \(8 neurons\)/);
    expect(c["program_id.cpp"]).not.toBe(a["program_id.cpp"]);
  });

  test("program.dat holds the loaded model's numbers so that strtod reads them back exactly", () => {
    const p = conformanceProgram(conformanceNetwork("population", "float64").g, "float64"), m = loadModel(p);
    const dat = systemcFiles(p, m, cycleConstants(p, m))["program.dat"].split("\n");
    const decay = dat.find((l) => l.startsWith("decayV "))!.split(" ").slice(2).map(Number);
    expect(decay).toEqual(Array.from(m.layers.find((l) => l.kind === "neuron")!.decayV));
    expect(decay.some((x) => !Number.isInteger(x))).toBe(true);
  });

  const refusals = "the model refuses another Program's program.dat; names a missing input file, a non-input layer, a neuron past the end";
  test.skipIf(!haveSystemC)(refusals, () => {
    const build = builder();
    const a = prog(), other = conformanceProgram(conformanceNetwork("single", "loihi").g, "loihi");
    const { dir: otherDir } = build(other, "refuse other");
    const { exe, dir } = build(a, "refuse");
    writeFileSync(join(dir, "input.txt"), inputData(3, []));
    let r = runModel(exe, ["--program", join(otherDir, "program.dat"), "--input", join(dir, "input.txt"), "--out", join(dir, "o.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`this model was generated for ${programSha256(a).slice(0, 12)}`);
    r = runModel(exe, ["--program", join(dir, "program.dat"), "--input", join(dir, "missing.txt"), "--out", join(dir, "o.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read input file");
    // Through the TLM socket: an input of a layer that is not an input layer, and a neuron past the layer's end
    // (INJECT answers an address error).
    writeFileSync(join(dir, "bad.txt"), inputData(3, [{ layer: "n", events: [[0, 1]] }]));
    r = runModel(exe, ["--program", join(dir, "program.dat"), "--input", join(dir, "bad.txt"), "--out", join(dir, "o.json")]);
    expect(r.stderr).toContain("the input file names n, which is not an input layer of the Program");
    writeFileSync(join(dir, "bad.txt"), inputData(3, [{ layer: "in", events: [[1, 8]] }]));
    r = runModel(exe, ["--program", join(dir, "program.dat"), "--input", join(dir, "bad.txt"), "--out", join(dir, "o.json")]);
    expect(r.stderr).toContain("TLM access failed at address 16: TLM_ADDRESS_ERROR_RESPONSE");
  }, 300_000);
});

describe.skipIf(!haveNirPaper())("phasor compile --emit systemc", () => {
  test("writes the model beside the Program and names a kind it does not know", () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-systemc-cli-")), nir = join(nirPaper, "braille_noDelay_noBias_subtract.nir");
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const flags = ["--out", join(dir, "p.json"), "--emit", "systemc", join(dir, "model"), "--json"];
    const r = runPhasor(["compile", nir, "--target", "loihi", ...flags]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.systemc.files).toContain("phasor_core.h");
    expect(readFileSync(join(dir, "model", "program_id.cpp"), "utf8")).toContain(out.systemc.hash);
    const bad = runPhasor(["compile", nir, "--target", "loihi", "--emit", "verilog", join(dir, "x")]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--emit: expected a kind and a folder (--emit systemc DIR)");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
