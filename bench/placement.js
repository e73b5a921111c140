#!/usr/bin/env node
// Placement: total spike-hops of the optimising placer against the greedy (PACMAN-like, fill
// cores in order) baseline on four networks, traffic weighted by spike counts from the
// reference simulator; plus the compile time of the CUBA network onto generic-mesh.
// Needs `npm run build` and ../shared/nir-paper. usage: node bench/placement.js [--steps 500] [--seed 1]
"use strict";
const { resolve } = require("node:path");
const { parseArgs } = require("node:util");
const phasor = require("../dist/lib/index.js");

const { values } = parseArgs({ options: { steps: { type: "string", default: "500" }, seed: { type: "string", default: "1" } } });
const steps = Number(values.steps), seed = Number(values.seed), dt = 1e-4;

function poisson(n, p, s) {
  const rng = new phasor.Rng(s), data = new Float64Array(steps * n);
  for (let k = 0; k < data.length; k++) data[k] = rng.random() < p ? 1 : 0;
  return data;
}
function counts(result, shapes) {
  const out = {};
  for (const [name, list] of Object.entries(result.spikes)) {
    const c = new Float64Array(shapes[name].output.reduce((a, b) => a * b, 1));
    for (const s of list) c[s[s.length - 1]]++;
    out[name] = c;
  }
  return out;
}
function randomMatrix(rows, cols, scale, rng) {
  return phasor.tensor(Array.from({ length: rows * cols }, () => (rng.random() - 0.3) * scale), [rows, cols]);
}
function feedForward() {
  const rng = new phasor.Rng(seed);
  const g = phasor.graph().input("in", 256).affine("fc1", randomMatrix(768, 256, 0.6, rng), 0).lif("l1", { tau: 2e-2, r: 200 })
    .affine("fc2", randomMatrix(768, 768, 0.25, rng), 0).lif("l2", { tau: 2e-2, r: 200 })
    .affine("fc3", randomMatrix(10, 768, 0.25, rng), 0).lif("l3", { tau: 2e-2, r: 200 }).output("out").build();
  return { name: "feed-forward 256-768-768-10", graph: g, input: { data: poisson(256, 0.05, seed), shape: [steps, 256] } };
}
function recurrent() {
  const rng = new phasor.Rng(seed + 1), n = 2048, i = [], j = [];
  for (let a = 0; a < n; a++) for (let k = 0; k < 40; k++) { i.push(a); j.push((a + Math.round((rng.random() - 0.5) * 400) + n) % n); }
  const g = phasor.graph().input("in", 64).affine("fc", randomMatrix(n, 64, 0.8, rng), 0).lif("rec", { tau: 2e-2, r: 200 })
    .sparse("w_rec", { pre: n, post: n, i, j, weight: 0.01 }, { from: "rec" }).connect("w_rec", "rec").output("out", { from: "rec" }).build();
  return { name: "recurrent 64->2048 LIF, 40 local recurrent synapses each", graph: g, input: { data: poisson(64, 0.05, seed), shape: [steps, 64] } };
}
async function conv() {
  const g = await phasor.readNir(resolve(__dirname, "../../shared/nir-paper/cnn_sinabs.nir"), { convention: "sinabs", dt });
  return { name: "convolutional cnn_sinabs (expanded)", graph: g, input: { data: poisson(2 * 34 * 34, 0.05, seed), shape: [steps, 2, 34, 34] }, reset: "subtract" };
}
function cuba() {
  const m = phasor.cubaNetwork({ seed, dt });
  return { name: "CUBA 4000 LIF, ~320k synapses", graph: m.graph, init: m.init };
}

async function main() {
  const nets = [feedForward(), await conv(), recurrent(), cuba()];
  const target = phasor.genericMesh({ width: 16, height: 16, neuronsPerCore: 128, fanIn: 8192, synapsesPerCore: 1 << 20 });
  console.log(`generic-mesh 16x16, 128 neurons per core, multicast; spike counts from the reference simulator (${steps} steps at dt ${dt} s, seed ${seed})`);
  console.log("network".padEnd(58) + "cores  greedy hops    optimised hops  reduction | unicast greedy -> optimised, reduction");
  let cubaBound;
  for (const net of nets) {
    const sim = phasor.simulate(net.graph, { dt, steps, input: net.input, init: net.init, reset: net.reset });
    const spikeCounts = counts(sim, sim.shapes);
    const opts = { dt, spikeCounts, reset: net.reset, seed };
    const gr = phasor.compile(net.graph, target, { ...opts, placer: "greedy" }).report;
    const t0 = performance.now();
    const op = phasor.compile(net.graph, target, { ...opts, placer: "optimise" }).report;
    const secs = (performance.now() - t0) / 1e3;
    const red = (a, b) => `${(100 * (1 - b / a)).toFixed(1)}%`;
    if (net.name.startsWith("CUBA")) cubaBound = { program: phasor.compile(net.graph, target, { ...opts, placer: "greedy" }), spikeCounts, greedy: gr.traffic.spikeHops };
    console.log(`${net.name.padEnd(58)}${String(op.coresUsed).padEnd(7)}${String(gr.traffic.spikeHops).padEnd(15)}${String(op.traffic.spikeHops).padEnd(16)}${red(gr.traffic.spikeHops, op.traffic.spikeHops).padEnd(10)}| ${gr.traffic.unicastHops} -> ${op.traffic.unicastHops}, ${red(gr.traffic.unicastHops, op.traffic.unicastHops)}   (compile ${secs.toFixed(2)} s)`);
  }
  if (cubaBound) {
    // Any placement's multicast tree needs >= 1 link per destination router other than the source's: a bound no placer can beat.
    const { program, spikeCounts, greedy } = cubaBound;
    let bound = 0, dests = 0;
    for (const r of program.routes) {
      const core = program.cores.find((c) => c.id === r.srcCore), counts = spikeCounts[core.layer];
      let s = 0;
      for (let i = core.start; i < core.start + core.count; i++) s += counts[i];
      const others = new Set(r.dstCores.map((d) => Math.floor(d / target.mesh.coresPerRouter))).size - (r.dstCores.some((d) => Math.floor(d / target.mesh.coresPerRouter) === Math.floor(r.srcCore / target.mesh.coresPerRouter)) ? 1 : 0);
      bound += s * others; dests += r.dstCores.length;
    }
    console.log(`CUBA: each core sends to ${(dests / program.routes.length).toFixed(1)} of ${program.routes.length} cores on average (random 2% connectivity), so every placement needs >= ${bound} spike-hops: at most ${(100 * (1 - bound / greedy)).toFixed(1)}% below greedy`);
  }
  const m = phasor.cubaNetwork({ seed, dt });
  const t0 = performance.now();
  const p = phasor.compile(m.graph, "generic-mesh", { dt });
  console.log(`CUBA onto generic-mesh (default 8x8, 256 neurons per core): ${((performance.now() - t0) / 1e3).toFixed(2)} s, ${p.report.coresUsed} cores (goal < 5 s)`);
}
main();
