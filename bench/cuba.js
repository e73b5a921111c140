#!/usr/bin/env node
// Vogels–Abbott CUBA (Brian2's CUBA example): Phasor's reference simulator next to Brian2
// (numpy and cpp_standalone), measured in the same run. Prints both times, both rates and
// the ratios. Needs `npm run build` and Debian's python3-brian.
// usage: node bench/cuba.js [--seconds 1] [--seed 1] [--skip-cpp]
"use strict";
const { execFileSync } = require("node:child_process");
const { resolve } = require("node:path");
const { parseArgs } = require("node:util");
const phasor = require("../dist/lib/index.js");

const { values } = parseArgs({ options: { seconds: { type: "string", default: "1" }, seed: { type: "string", default: "1" }, "skip-cpp": { type: "boolean", default: false } } });
const duration = Number(values.seconds);
const seed = Number(values.seed);
const dt = 1e-4;
const steps = Math.round(duration / dt);

function runPhasor() {
  const t0 = performance.now();
  const model = phasor.cubaNetwork({ seed, dt });
  const t1 = performance.now();
  const r = phasor.simulate(model.graph, { dt, steps, init: model.init, integrator: "euler" });
  const t2 = performance.now();
  const spikes = r.spikes.P.length;
  return { simulator: "phasor reference (euler, float64)", build_seconds: (t1 - t0) / 1e3, seconds: (t2 - t1) / 1e3, rate_hz: spikes / 4000 / duration, spikes };
}

function runBrian(target) {
  const out = execFileSync("/usr/bin/python3", [resolve(__dirname, "cuba_brian2.py"), target, String(duration), String(seed)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return JSON.parse(out.trim().split("\n").pop());
}

const rows = [runPhasor(), runBrian("numpy")];
if (!values["skip-cpp"]) rows.push(runBrian("cpp_standalone"));
const me = rows[0];
console.log(`CUBA, 4000 neurons, ${duration} s of biological time at dt = 0.1 ms, seed ${seed}`);
for (const r of rows) {
  const t = r.run_seconds != null && r.run_seconds !== r.seconds ? `${r.seconds.toFixed(2)} s total, ${r.run_seconds.toFixed(3)} s simulating` : `${r.seconds.toFixed(2)} s`;
  console.log(`  ${r.simulator.padEnd(36)} ${t.padEnd(34)} rate ${r.rate_hz.toFixed(2)} Hz`);
}
for (const r of rows.slice(1)) {
  const sim = r.run_seconds ?? r.seconds;
  console.log(`  phasor / ${r.simulator}: time ratio ${(me.seconds / sim).toFixed(2)} (simulation only), rate ratio ${(me.rate_hz / r.rate_hz).toFixed(3)}`);
}
