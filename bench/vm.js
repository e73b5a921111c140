#!/usr/bin/env node
// The VM on the Vogels–Abbott CUBA network (4000 neurons, 2%, 1 s of biological time at
// dt = 0.1 ms), side by side in one run with Phasor's reference simulator and, when Debian's
// python3-brian is there, Brian2 (numpy and cpp_standalone). Prints times, ratios, resident
// memory and the cycle-accurate engine's throughput in simulated events per second.
// The VM's loop is given as the median of --repeats runs of the whole simulation in this
// process (each a fresh session), next to the first run's loop, which includes the JIT's
// warm-up; start-to-result is the first run's, compile and load included. Brian2's loop is
// its compiled binary's own timing of the network run (cpp_standalone).
// usage: node bench/vm.js [--seconds 1] [--seed 1] [--repeats 5] [--skip-brian] [--skip-cpp] [--cycle-steps 200]
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync } = require("node:fs");
const { resolve } = require("node:path");
const { parseArgs } = require("node:util");
const phasor = require("../dist/lib/index.js");

const { values } = parseArgs({ options: { seconds: { type: "string", default: "1" }, seed: { type: "string", default: "1" }, "skip-brian": { type: "boolean", default: false }, "skip-cpp": { type: "boolean", default: false }, "cycle-steps": { type: "string", default: "200" }, repeats: { type: "string", default: "5" }, one: { type: "string" } } });
const duration = Number(values.seconds), seed = Number(values.seed), dt = 1e-4, steps = Math.round(duration / dt);
const now = () => performance.now() / 1e3;

function vm(label, makeProgram) {
  const t0 = now();
  const model = phasor.cubaNetwork({ seed, dt });
  const p = makeProgram(model.graph);
  const t1 = now();
  const s = new phasor.vm.VmSession(p, { steps, init: model.init });
  const t2 = now();
  s.step(steps);
  const t3 = now();
  const r = s.result();
  const t4 = now();
  const memory = process.resourceUsage().maxRSS / 1024; // peak resident memory of this process (one run), before the repeats
  const loops = [t3 - t2];
  for (let k = 1; k < Number(values.repeats); k++) {
    const again = new phasor.vm.VmSession(p, { steps, init: model.init });
    const a = now();
    again.step(steps);
    loops.push(now() - a);
    if (again.result().spikes.P.length !== r.spikes.P.length) throw new Error(`${label}: a repeated run gave different spikes`);
  }
  const median = [...loops].sort((a, b) => a - b)[loops.length >> 1];
  return { label, compile: t1 - t0, load: t2 - t1, firstLoop: t3 - t2, loop: median, total: t4 - t0, spikes: r.spikes.P.length, rate: r.spikes.P.length / 4000 / duration, energy: r.energy.perInference, rss: memory };
}

function reference() {
  const t0 = now();
  const model = phasor.cubaNetwork({ seed, dt });
  const t1 = now();
  const r = phasor.simulate(model.graph, { dt, steps, init: model.init });
  const t2 = now();
  return { label: "reference simulator (float64)", loop: t2 - t1, total: t2 - t0, spikes: r.spikes.P.length, rate: r.spikes.P.length / 4000 / duration };
}

function brian(target) {
  const out = execFileSync("/usr/bin/python3", [resolve(__dirname, "cuba_brian2.py"), target, String(duration), String(seed)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const r = JSON.parse(out.trim().split("\n").pop());
  return { label: r.simulator, loop: r.run_seconds ?? r.seconds, total: r.seconds, rate: r.rate_hz };
}

console.log(`CUBA, 4000 neurons, ${duration} s at dt = 0.1 ms (${steps} steps), seed ${seed}`);
// Each VM configuration runs in a process of its own (`--one fixed|float`), so that its times
// and its peak resident memory are its own, as Brian2's are.
const configs = {
  fixed: ["VM behavioural, generic-mesh (8-bit weights, 24-bit state)", (g) => phasor.compile(g, "generic-mesh")],
  float: ["VM behavioural, generic-mesh-float (float64)", (g) => phasor.vm.floatProgram(g)],
};
if (values.one) {
  process.stdout.write(JSON.stringify(vm(...configs[values.one])) + "\n");
  process.exit(0);
}
const own = (name) => JSON.parse(execFileSync(process.execPath, [__filename, "--one", name, "--seconds", String(duration), "--seed", String(seed), "--repeats", values.repeats], { encoding: "utf8" }).trim().split("\n").pop());
const fixed = own("fixed");
const float = own("float");
const ref = reference();
const rows = [fixed, float, ref];
const haveBrian = !values["skip-brian"] && existsSync("/usr/bin/python3") && (() => { try { execFileSync("/usr/bin/python3", ["-c", "import brian2"], { stdio: "ignore" }); return true; } catch { return false; } })();
if (haveBrian) { rows.push(brian("numpy")); if (!values["skip-cpp"]) rows.push(brian("cpp_standalone")); }
else console.log("  (Brian2 not run: apt-get install python3-brian, or --skip-brian was given)");
for (const r of rows) console.log(`  ${r.label.padEnd(58)} loop ${r.loop.toFixed(3)} s${r.firstLoop ? ` (median of ${values.repeats}; first ${r.firstLoop.toFixed(3)} s)` : ""}, start-to-result ${r.total.toFixed(3)} s, rate ${r.rate.toFixed(2)} Hz${r.rss ? `, rss ${r.rss.toFixed(0)} MB` : ""}`);
for (const peer of rows.slice(2)) {
  console.log(`  ratio VM fixed / ${peer.label}: loop ${(fixed.loop / peer.loop).toFixed(2)}, start-to-result ${(fixed.total / peer.total).toFixed(2)}`);
  console.log(`  ratio VM float / ${peer.label}: loop ${(float.loop / peer.loop).toFixed(2)}, start-to-result ${(float.total / peer.total).toFixed(2)}`);
}
console.log(`  VM float vs reference spikes: ${float.spikes} vs ${ref.spikes}; peak resident memory of a VM run ${(Math.max(fixed.rss, float.rss)).toFixed(0)} MB (limit 200 MB)`);

// Cycle-accurate engine throughput, next to the behavioural engine on the same steps.
const cs = Number(values["cycle-steps"]);
const model = phasor.cubaNetwork({ seed, dt });
const p = phasor.compile(model.graph, "generic-mesh");
let t0 = now();
const c = new phasor.vm.VmSession(p, { steps: cs, init: model.init, engine: "cycle" });
c.step(cs);
const cyc = now() - t0, rep = c.result().cycles;
t0 = now();
const b = new phasor.vm.VmSession(p, { steps: cs, init: model.init });
b.step(cs);
const beh = now() - t0;
console.log(`cycle-accurate engine, ${cs} steps on ${p.report.coresUsed} cores: ${rep.events} simulated events in ${cyc.toFixed(2)} s = ${(rep.events / cyc / 1e6).toFixed(2)} M events/s; ${rep.packets} packets, ${rep.hops} hops, ${rep.totalCycles} cycles (${(rep.totalCycles / cs).toFixed(0)} per step); ${(cyc / beh).toFixed(1)}x the behavioural engine's time on the same steps`);
