#!/usr/bin/env node
// The SystemC model (phasor compile --emit systemc) timed on a Program: emitted, built with CMake
// against libsystemc-dev (one build of the model's C++ cached in the temp folder by its sources'
// hash; a Program relinks one small file), run standalone on the Program's input.
// As bench/cycle.js's hook: node bench/cycle.js --systemc bench/systemc.js [--nets dvs,rec]
// prints the model's steps/s and cycles per step beside the TypeScript cycle engine's.
// Options through the environment: PHASOR_SYSTEMC_ORDER=1 builds with -DPHASOR_ENGINE_ORDER=ON.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { SOURCES } = require("../dist/lib/compiler/systemc/sources.js");
const { denseEvents, inputData } = require("../dist/lib/compiler/systemc/index.js");
const { emitModel } = require("../dist/cli/systemc.js");
const { loadModel } = require("../dist/lib/vm/index.js");

/** Emits and builds the model of `program`; returns the executable and the model's folder. */
function build(program, cmakeOptions) {
  const key = createHash("sha256").update(JSON.stringify([SOURCES, cmakeOptions])).digest("hex").slice(0, 16);
  const root = join(tmpdir(), `phasor-systemc-bench-${key}`);
  const src = join(root, "src"), out = join(root, "build"), dir = join(root, "program");
  emitModel(program, dir);
  mkdirSync(src, { recursive: true });
  for (const f of Object.keys(SOURCES)) if (!existsSync(join(src, f))) copyFileSync(join(dir, f), join(src, f));
  copyFileSync(join(dir, "program_id.cpp"), join(src, "program_id.cpp"));
  const configure = ["-S", src, "-B", out, "-DCMAKE_BUILD_TYPE=Release", ...cmakeOptions];
  if (!existsSync(join(out, "CMakeCache.txt"))) execFileSync("cmake", configure, { stdio: "pipe" });
  execFileSync("cmake", ["--build", out], { stdio: "pipe" });
  return { exe: join(out, "phasor_model"), dir };
}

/** Runs the model on a dense input of the Program's input layer: { steps, seconds, events, stepCycles, spikes, counters }. */
async function run({ program, input, steps }) {
  const { exe, dir } = build(program, process.env.PHASOR_SYSTEMC_ORDER === "1" ? ["-DPHASOR_ENGINE_ORDER=ON"] : []);
  const layer = loadModel(program).layers.find((l) => l.kind === "input");
  writeFileSync(join(dir, "input.txt"), inputData(steps, [denseEvents(layer.name, input.data, input.shape)]));
  const out = join(dir, "out.json");
  const r = spawnSync(exe, ["--program", join(dir, "program.dat"), "--input", join(dir, "input.txt"), "--out", out], {
    encoding: "utf8", env: { ...process.env, SYSC_DISABLE_COPYRIGHT_MESSAGE: "1" },
  });
  if (r.status !== 0) throw new Error(`SystemC model failed: ${r.stderr}`);
  const o = JSON.parse(readFileSync(out, "utf8"));
  return { steps: o.steps, seconds: o.wallSeconds, events: o.events, stepCycles: o.stepCycles, spikes: o.spikes, counters: o.counters };
}

module.exports = { run, build };
