#!/usr/bin/env node
// Potjans & Diesmann (2014) cortical microcircuit: Phasor's VM on float with materialised and with
// procedural projections, and Brian2 cpp_standalone on the same synapses, in one run. For each: the
// time to build (model + compile), the loop time (and real-time factor), peak memory (VmHWM of its
// own process), memory per synapse, and the eight population rates next to the published ones.
// Needs `npm run build`, and /usr/bin/python3 with brian2 (skip with --skip-brian2).
// usage: node bench/microcircuit.js [--scale 0.02] [--seconds 1] [--seed 1] [--skip-brian2]
"use strict";
const { execFileSync } = require("node:child_process");
const { mkdtempSync, writeFileSync, readFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { parseArgs } = require("node:util");

const { values } = parseArgs({ options: { scale: { type: "string", default: "0.02" }, seconds: { type: "string", default: "1" }, seed: { type: "string", default: "1" }, "skip-brian2": { type: "boolean", default: false }, child: { type: "string" }, out: { type: "string" } } });
const scale = Number(values.scale), seconds = Number(values.seconds), seed = Number(values.seed), dt = 1e-4;
const steps = Math.round(seconds / dt);

/** Peak resident memory of this process in MB (Linux VmHWM). */
function peakMb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function vmVariant(connectivity) {
  const phasor = require("../dist/lib/index.js");
  const t0 = performance.now();
  const m = phasor.microcircuit({ seed, dt, scale, connectivity: "procedural" });
  const target = phasor.vm.genericMeshFloat({ width: 32, height: 32, synapsesPerCore: 1 << 26, fanIn: 1 << 20 });
  const program = phasor.vm.floatProgram(m.graph, target, { dt, connectivity, placer: "greedy" });
  const t1 = performance.now();
  const input = phasor.poissonDrive(m, steps, dt, seed + 1);
  const t2 = performance.now();
  const r = phasor.vm.runProgram(program, { steps, input, init: m.init });
  const t3 = performance.now();
  const synapses = Object.values(m.synapses).reduce((a, b) => a + b, 0);
  const rates = phasor.POPULATIONS.map((p, a) => r.spikes[p].length / m.sizes[a] / seconds);
  return { variant: `phasor vm ${connectivity}`, build_seconds: (t1 - t0) / 1e3, loop_seconds: (t3 - t2) / 1e3, peak_mb: peakMb(), synapses, rates };
}

/** Writes the materialised synapses (global indices, pA, seconds) for Brian2. */
function exportSynapses(dir) {
  const phasor = require("../dist/lib/index.js");
  const m = phasor.microcircuit({ seed, dt, scale, connectivity: "materialised" });
  const start = {};
  let at = 0;
  phasor.POPULATIONS.forEach((p, a) => { start[p] = at; at += m.sizes[a]; });
  const I = [], J = [], W = [], D = [];
  for (const [name, node] of Object.entries(m.graph.nodes)) {
    if (node.type !== "SparseProjection" || name.startsWith("X_")) continue;
    const [src, dst] = name.split("_");
    const i = new Int32Array(node.indices.length);
    for (let r = 0; r < node.pre; r++) i.fill(start[src] + r, node.indptr[r], node.indptr[r + 1]);
    I.push(i); J.push(Int32Array.from(node.indices, (x) => x + start[dst]));
    W.push(Float64Array.from(node.weight, (w) => (w * dt) / phasor.PD14.tauSyn)); D.push(Float64Array.from(node.delay));
  }
  const cat = (parts, T) => { const n = parts.reduce((a, x) => a + x.length, 0), out = new T(n); let k = 0; for (const x of parts) { out.set(x, k); k += x.length; } return Buffer.from(out.buffer); };
  writeFileSync(join(dir, "i.int32"), cat(I, Int32Array)); writeFileSync(join(dir, "j.int32"), cat(J, Int32Array));
  writeFileSync(join(dir, "w.float64"), cat(W, Float64Array)); writeFileSync(join(dir, "d.float64"), cat(D, Float64Array));
  writeFileSync(join(dir, "sizes.json"), JSON.stringify({ sizes: m.sizes, kExt: m.kExt }));
}

if (values.child) {
  if (values.child === "export") exportSynapses(values.out);
  else console.log(JSON.stringify(vmVariant(values.child)));
  process.exit(0);
}

/** Runs one variant in its own process so that its peak memory is its own. */
function child(name, extra = []) {
  const args = [__filename, "--child", name, "--scale", String(scale), "--seconds", String(seconds), "--seed", String(seed), ...extra];
  const out = execFileSync(process.execPath, ["--max-old-space-size=20000", ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return out.trim() ? JSON.parse(out.trim().split("\n").pop()) : null;
}

const rows = [child("materialised"), child("procedural")];
if (!values["skip-brian2"]) {
  const dir = mkdtempSync(join(tmpdir(), "phasor-mc-"));
  child("export", ["--out", dir]);
  const out = execFileSync("/usr/bin/python3", [resolve(__dirname, "microcircuit_brian2.py"), dir, String(seconds), String(seed)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 26 });
  rows.push(JSON.parse(out.trim().split("\n").pop()));
}
const published = [0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523];
const neurons = Math.round(77169 * scale);
console.log(`Potjans & Diesmann microcircuit at ${scale * 100}% neurons (~${neurons}), full in-degree, ${seconds} s at dt = 0.1 ms, seed ${seed}`);
console.log(`${"".padEnd(26)} build s   loop s   RTF     peak MB  B/synapse  rates L23E L23I L4E L4I L5E L5I L6E L6I (Hz)`);
for (const r of rows) {
  const rtf = r.loop_seconds / seconds;
  console.log(`${r.variant.padEnd(26)} ${r.build_seconds.toFixed(1).padStart(7)} ${r.loop_seconds.toFixed(1).padStart(8)} ${rtf.toFixed(1).padStart(6)} ${r.peak_mb.toFixed(0).padStart(9)} ${((r.peak_mb * 2 ** 20) / r.synapses).toFixed(1).padStart(10)}   ${r.rates.map((x) => x.toFixed(2)).join(" ")}`);
}
console.log(`${"published (full scale)".padEnd(26)} ${"".padEnd(55)}${published.join(" ")}`);
console.log(`  synapses: ${rows[0].synapses}; peak MB / synapse counts the whole process (Node or Brian2), not only synapses.`);
console.log("  published rates: the PyNEST microcircuit example's full-scale NEST rates (close to PD14 Fig. 6).");
console.log("  GeNN's and NEST's published real-time factors are not printed: not verified against their papers yet.");
if (rows[2]) console.log(`  loop-time ratio: VM materialised / Brian2 = ${(rows[0].loop_seconds / rows[2].loop_seconds).toFixed(2)}, procedural / Brian2 = ${(rows[1].loop_seconds / rows[2].loop_seconds).toFixed(2)}`);
