#!/usr/bin/env node
// Potjans & Diesmann (2014) cortical microcircuit: Phasor's VM on float with materialised and with
// procedural projections, and Brian2 cpp_standalone on the same synapses, in one run. For each: the
// time to build (model + compile), the loop time and real-time factor (wall / biological), peak memory
// (VmHWM of its own process), memory per synapse, and the eight population rates (after a transient)
// next to the published full-scale ones; then published real-time factors of NEST and GeNN, for scale.
// Needs `npm run build`, and /usr/bin/python3 with brian2 (skip with --skip-brian2).
// usage: node bench/microcircuit.js [--scale 1] [--seconds 1] [--transient 0.1] [--seed 1]
//          [--max-loop 3600] [--skip-brian2] [--skip-materialised] [--skip-procedural] [--cycle-steps 0]
// --max-loop: seconds of wall time a VM loop may take; past it the run stops (AbortSignal) and the
// figures are those of the steps done, marked "partial". --heap-procedural: the procedural VM's V8 heap
// cap in MB (default 1024). --cycle-steps N: also run the cycle-accurate engine on the procedural Program for
// the first N steps (a short window: its cycles per step, the chip time they stand for, and its own peak).
"use strict";
const { execFileSync } = require("node:child_process");
const { mkdtempSync, writeSync, openSync, closeSync, readFileSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { parseArgs } = require("node:util");

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" }, seconds: { type: "string", default: "1" }, transient: { type: "string", default: "0.1" },
    seed: { type: "string", default: "1" }, "max-loop": { type: "string", default: "3600" }, "skip-brian2": { type: "boolean", default: false },
    "skip-materialised": { type: "boolean", default: false }, "skip-procedural": { type: "boolean", default: false },
    "heap-procedural": { type: "string", default: "1024" }, "cycle-steps": { type: "string", default: "0" },
    child: { type: "string" }, out: { type: "string" },
  },
});
const scale = Number(values.scale), seconds = Number(values.seconds), transient = Number(values.transient), seed = Number(values.seed), dt = 1e-4;
const steps = Math.round((seconds + transient) / dt), from = Math.round(transient / dt);

/** Peak resident memory of this process in MB (Linux VmHWM). */
function peakMb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Bytes the VM holds per stored synapse (indices, compact indices, weights, delays), summed over projections. */
function storedBytes(model) {
  let bytes = 0;
  for (const p of model.projections) {
    if (p.rows) continue;
    for (const a of new Set([p.indices, p.fast.post, p.weight, p.delay, p.indptr])) bytes += a ? a.byteLength : 0;
  }
  return bytes;
}

async function vmVariant(connectivity) {
  const mc = require("../dist/lib/ir/models/microcircuit.js"), vm = require("../dist/lib/vm/index.js");
  const t0 = performance.now();
  // The graph holds each projection's rule; the compiler stores the synapses when `connectivity` is "materialised"
  // (one projection at a time, delays straight to steps), so no graph-side copy of them lives through the compile.
  const m = mc.microcircuit({ seed, dt, scale, connectivity: "procedural" });
  const target = vm.genericMeshFloat({ width: 32, height: 32, synapsesPerCore: 1 << 26, fanIn: 1 << 20 });
  const program = vm.floatProgram(m.graph, target, { dt, connectivity, placer: "greedy" });
  // The external drive is drawn step by step as the loop feeds it (no steps x neurons array held); its share is timed.
  const drawing = { ms: 0 }, input = timedStream(mc.poissonStream(m, steps, dt, seed + 1), drawing);
  const t1 = performance.now();
  const signal = AbortSignal.timeout(Number(values["max-loop"]) * 1e3);
  let last = 0;
  const onProgress = (t, n) => { if (performance.now() - last > 10e3) { last = performance.now(); process.stderr.write(`  ${connectivity}: step ${t}/${n} (${((performance.now() - t1) / 1e3).toFixed(0)} s)\n`); } };
  const session = new vm.VmSession(program, { steps, input, init: m.init, signal, onProgress });
  const t2 = performance.now(), buildPeak = peakMb(), cpu0 = process.cpuUsage();
  let partial = false;
  // The loop alone (runAsync would also assemble the result, which is timed apart below).
  try { while (session.t < session.steps) { session.step(64); await new Promise((ok) => setImmediate(ok)); } } catch (e) { if (!(e instanceof vm.VmAbortError)) throw e; partial = true; }
  const t3 = performance.now(), cpu = process.cpuUsage(cpu0);
  const r = session.result(), done = session.t, window = Math.max(0, done - from) * dt, t4 = performance.now();
  const synapses = Object.values(m.synapses).reduce((a, b) => a + b, 0);
  const rates = mc.POPULATIONS.map((p, a) => r.spikes[p].filter((s) => s[0] >= from).length / m.sizes[a] / window);
  return {
    variant: `phasor vm ${connectivity}`, build_seconds: (t2 - t0) / 1e3, loop_seconds: (t3 - t2) / 1e3, loop_cpu_seconds: (cpu.user + cpu.system) / 1e6, result_seconds: (t4 - t3) / 1e3,
    input_seconds: drawing.ms / 1e3, simulated_seconds: done * dt, partial, build_peak_mb: buildPeak, peak_mb: peakMb(), synapses, stored_bytes: storedBytes(session.model), rates,
  };
}

/** Each stream's sample wrapped to add its wall time to `into.ms`. */
function timedStream(streams, into) {
  const timed = {};
  for (const [name, s] of Object.entries(streams)) {
    timed[name] = { shape: s.shape, sample(t, out) { const a = performance.now(); s.sample(t, out); into.ms += performance.now() - a; } };
  }
  return timed;
}

/** The cycle-accurate engine on the procedural Program for a short window: set-up, loop, cycles per step. */
function cycleVariant(n) {
  const mc = require("../dist/lib/ir/models/microcircuit.js"), vm = require("../dist/lib/vm/index.js");
  const t0 = performance.now(), m = mc.microcircuit({ seed, dt, scale, connectivity: "procedural" });
  const target = vm.genericMeshFloat({ width: 32, height: 32, synapsesPerCore: 1 << 26, fanIn: 1 << 20 });
  const program = vm.floatProgram(m.graph, target, { dt, connectivity: "procedural", placer: "greedy" });
  const input = mc.poissonStream(m, n, dt, seed + 1), t1 = performance.now();
  const session = new vm.VmSession(program, { steps: n, input, init: m.init, engine: "cycle" }), t2 = performance.now();
  session.step(n);
  const t3 = performance.now(), r = session.result();
  const c = r.cycles.stepCycles, later = c.slice(1), mean = later.reduce((a, x) => a + x, 0) / Math.max(1, later.length);
  return { build_seconds: (t1 - t0) / 1e3, setup_seconds: (t2 - t1) / 1e3, loop_seconds: (t3 - t2) / 1e3, steps: n, cores: program.cores.length,
    clock_hz: r.cycles.clockHz, first_step_cycles: c[0], mean_cycles: mean, max_cycles: Math.max(...later), peak_mb: peakMb() };
}

/** Writes the synapses (global indices, pA, published delays in seconds) for Brian2, one projection at a time. */
function exportSynapses(dir) {
  const mc = require("../dist/lib/ir/models/microcircuit.js"), { materialise } = require("../dist/lib/ir/procedural.js");
  const m = mc.microcircuit({ seed, dt, scale, connectivity: "procedural" });
  const start = {};
  let at = 0;
  mc.POPULATIONS.forEach((p, a) => { start[p] = at; at += m.sizes[a]; });
  const files = Object.fromEntries(["i.int32", "j.int32", "w.float64", "d.float64"].map((f) => [f, openSync(join(dir, f), "w")]));
  const put = (f, a) => writeSync(files[f], new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  for (const name of Object.keys(m.synapses)) {
    const c = materialise(m.graph.nodes[name]), [src, dst] = name.split("_"), lag = m.lags[name] * dt;
    const i = new Int32Array(c.indices.length);
    for (let r = 0; r < c.indptr.length - 1; r++) i.fill(start[src] + r, c.indptr[r], c.indptr[r + 1]);
    // Mapped in place (TypedArray.from with a map function would first hold every element in a temporary list).
    put("i.int32", i); put("j.int32", c.indices.map((x) => x + start[dst]));
    put("w.float64", c.weight.map((w) => (w * dt) / mc.PD14.tauSyn)); put("d.float64", c.delay.map((d) => d + lag));
  }
  Object.values(files).forEach(closeSync);
  require("node:fs").writeFileSync(join(dir, "sizes.json"), JSON.stringify({ sizes: m.sizes, kExt: m.kExt }));
}

/** Runs one variant in its own process so that its peak memory is its own. */
function child(name, extra = []) {
  const args = [__filename, "--child", name, ...["scale", "seconds", "transient", "seed", "max-loop", "cycle-steps"].flatMap((k) => [`--${k}`, String(values[k])]), ...extra];
  // The procedural VM runs under a heap cap (V8 otherwise lets per-row garbage grow the peak to whatever it may use).
  const heap = name === "procedural" || name === "cycle" ? values["heap-procedural"] : "7500";
  const out = execFileSync(process.execPath, [`--max-old-space-size=${heap}`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  const row = out.trim() ? JSON.parse(out.trim().split("\n").pop()) : null;
  if (row) process.stderr.write(`  ${name}: ${JSON.stringify(row)}\n`); // kept in the log should a later variant fail
  return row;
}

/** Published full-scale real-time factors (wall-clock / biological time), figures only, with their papers. */
const PUBLISHED_RTF = [
  ["NEST 2.x, HPC cluster (MPI + threads), dt 0.1 ms", "~3 (saturates)", "van Albada et al. 2018, Front. Neurosci. 12:291"],
  ["SpiNNaker (slowed down for dt 0.1 ms)", "~20", "van Albada et al. 2018, Front. Neurosci. 12:291"],
  ["GeNN, one NVIDIA Tesla V100", "~2 (\"approaching 0.5x real time\")", "Knight & Nowotny 2018, Front. Neurosci. 12:941"],
  ["NEST 2.14, one node (2x AMD EPYC Rome, 128 cores)", "< 1 (sub-realtime)", "Kurth et al. 2022, Neuromorph. Comput. Eng. 2:021001"],
  ["NEST 2.14, two such nodes (InfiniBand)", "~0.6 (1.7x faster than real time)", "Kurth et al. 2021, FZJ-2021-03144 (abstract)"],
];

/** The variants' table, the notes under it, published real-time factors and the ratios to Brian2. */
function printRows(rows) {
  const { REFERENCE_RATES } = require("../dist/lib/ir/models/microcircuit.js");
  const neurons = Math.round(77169 * scale);
  console.log(`Potjans & Diesmann microcircuit at ${scale * 100}% neurons (~${neurons}), full in-degree, ${seconds} s (+${transient} s transient) at dt = 0.1 ms, seed ${seed}`);
  console.log(`${"".padEnd(26)} build s   loop s   RTF  CPU s  CPU RTF   peak MB  B/syn(proc) B/syn(stored)  rates L23E L23I L4E L4I L5E L5I L6E L6I (Hz)`);
  for (const r of rows) {
    const sim = r.simulated_seconds ?? seconds + transient, rtf = r.loop_seconds / sim, cpu = r.loop_cpu_seconds;
    const stored = r.stored_bytes !== undefined ? (r.stored_bytes / r.synapses).toFixed(1) : "-";
    console.log(`${(r.variant + (r.partial ? " (partial)" : "")).padEnd(26)} ${r.build_seconds.toFixed(1).padStart(7)} ${r.loop_seconds.toFixed(1).padStart(8)} ${rtf.toFixed(1).padStart(6)} ${(cpu === undefined ? "-" : cpu.toFixed(1)).padStart(6)} ${(cpu === undefined ? "-" : (cpu / sim).toFixed(1)).padStart(8)} ${r.peak_mb.toFixed(0).padStart(9)} ${((r.peak_mb * 2 ** 20) / r.synapses).toFixed(1).padStart(11)} ${stored.padStart(13)}   ${r.rates.map((x) => x.toFixed(2)).join(" ")}`);
  }
  console.log(`${"published (full scale)".padEnd(26)} ${"".padEnd(74)}${REFERENCE_RATES.join(" ")}`);
  console.log(`  synapses: ${rows[0]?.synapses}; RTF = loop wall time / biological time simulated; build: the model and compile.`);
  console.log("  loop s: wall time (Brian2: CLOCK_MONOTONIC around its run in the compiled binary; its own last_run_time is CPU time).");
  console.log("  CPU s: the loop's CPU time (VM: process.cpuUsage; Brian2: std::clock), less sensitive than wall time to other jobs on a shared machine.");
  console.log("  B/syn(proc): the whole process's peak over the synapses (Node or Brian2); B/syn(stored): the VM's synapse arrays alone.");
  for (const r of rows) if (r.result_seconds !== undefined) console.log(`  ${r.variant}: assembling the result (session.result()) took ${r.result_seconds.toFixed(1)} s, not in the loop time.`);
  for (const r of rows) if (r.input_seconds !== undefined) console.log(`  ${r.variant}: the loop draws the Poisson input step by step (poissonStream, none held): ${r.input_seconds.toFixed(1)} s of it.`);
  for (const r of rows) if (r.build_peak_mb) console.log(`  ${r.variant}: peak by the end of the build (model, compile, VM loaded) ${r.build_peak_mb.toFixed(0)} MB, ${((r.build_peak_mb * 2 ** 20) / r.synapses).toFixed(1)} B/synapse.`);
  console.log("  published rates: full_mean_rates of INM-6's reference implementation (microcircuit-PD14-model).");
  console.log("  Published real-time factors at full scale (not measured here):");
  for (const [what, rtf, src] of PUBLISHED_RTF) console.log(`    ${what.padEnd(52)} RTF ${rtf.padEnd(34)} ${src}`);
  const brian = rows.find((r) => r.variant.startsWith("brian2"));
  for (const r of rows) if (brian && r !== brian) console.log(`  loop-time ratio ${r.variant} / Brian2 = ${(r.loop_seconds / (r.simulated_seconds ?? seconds + transient) / (brian.loop_seconds / (seconds + transient))).toFixed(2)}`);
  for (const r of rows) if (brian?.loop_cpu_seconds && r !== brian) console.log(`  loop CPU-time ratio ${r.variant} / Brian2 = ${(r.loop_cpu_seconds / (r.simulated_seconds ?? seconds + transient) / (brian.loop_cpu_seconds / (seconds + transient))).toFixed(2)}`);
}

async function main() {
  if (values.child) {
    if (values.child === "export") exportSynapses(values.out);
    else if (values.child === "cycle") console.log(JSON.stringify(cycleVariant(Number(values["cycle-steps"]))));
    else console.log(JSON.stringify(await vmVariant(values.child)));
    return;
  }
  const rows = [];
  if (!values["skip-materialised"]) rows.push(child("materialised"));
  if (!values["skip-procedural"]) rows.push(child("procedural"));
  let brianFailed = "";
  if (!values["skip-brian2"]) {
    const dir = mkdtempSync(join(tmpdir(), "phasor-mc-"));
    try {
      child("export", ["--out", dir]);
      const args = [resolve(__dirname, "microcircuit_brian2.py"), dir, String(seconds + transient), String(seed), String(transient)];
      const out = execFileSync("/usr/bin/python3", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
      rows.push(JSON.parse(out.trim().split("\n").pop()));
    } catch (e) {
      // The VM rows measured so far are still printed; Brian2's own last words say why it stopped.
      const said = String(e.stderr ?? e.message).trim().split("\n").slice(-12).join("\n    ");
      brianFailed = `Brian2 did not finish (exit ${e.status ?? e.signal}):\n    ${said}`;
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }
  const cycle = Number(values["cycle-steps"]) > 0 ? child("cycle") : null;
  if (rows.length) printRows(rows);
  if (brianFailed) console.log(brianFailed);
  if (cycle) {
    const us = (x) => ((x / cycle.clock_hz) * 1e6).toFixed(1);
    console.log(`Cycle-accurate engine, procedural Program on generic-mesh-float 32x32 (${cycle.cores} cores, ${cycle.clock_hz / 1e9} GHz), first ${cycle.steps} steps:`);
    console.log(`  build ${cycle.build_seconds.toFixed(1)} s, engine set-up (fan-out tables: every row generated once) ${cycle.setup_seconds.toFixed(1)} s, loop ${cycle.loop_seconds.toFixed(1)} s (${(cycle.loop_seconds / cycle.steps).toFixed(2)} s per step), peak ${cycle.peak_mb.toFixed(0)} MB`);
    console.log(`  cycles per step: step 0 ${cycle.first_step_cycles.toFixed(0)} (${us(cycle.first_step_cycles)} us), later mean ${cycle.mean_cycles.toFixed(0)} (${us(cycle.mean_cycles)} us; ${(cycle.mean_cycles / cycle.clock_hz / dt).toFixed(2)} x real time at dt 0.1 ms), max ${cycle.max_cycles.toFixed(0)}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
