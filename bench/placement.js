#!/usr/bin/env node
// Placement: total spike-hops of the optimising placer against the greedy (PACMAN-like, fill
// cores in order) baseline. Part 1: four small networks, traffic weighted by spike counts from the
// reference simulator, and the CUBA network's lower bound. Part 2: placement where placement
// matters, a topographic E/I network of 103,680 neurons (goal: >= 45% fewer spike-hops than
// greedy, SpiNeMap's figure). Part 3: the full-scale Potjans-Diesmann microcircuit (77,169
// neurons, ~0.3 billion procedural synapses) compiled onto a multi-chip system, each compile in a
// fresh process: chips used, inter-chip packets, compile time, peak memory, optimising vs greedy;
// and onto the spinnaker2-48 board preset.
// Needs `npm run build` and ../shared/nir-paper. usage: node bench/placement.js [--steps 500] [--seed 1] [--part all|small|topographic|microcircuit]
"use strict";
const { resolve } = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");
const phasor = require("../dist/lib/index.js");

const { values } = parseArgs({
  options: { steps: { type: "string", default: "500" }, seed: { type: "string", default: "1" }, part: { type: "string", default: "all" }, child: { type: "string" } },
});
const steps = Number(values.steps), seed = Number(values.seed), dt = 1e-4;
const red = (a, b) => `${(100 * (1 - b / a)).toFixed(1)}%`;

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

/** Multicast lower bound: every source core's tree needs >= 1 link per destination router other than its own. */
function multicastBound(program, spikesOfCore) {
  const per = program.target.mesh.coresPerRouter;
  let bound = 0, dests = 0;
  for (const r of program.routes) {
    const routers = new Set(r.dstCores.map((d) => Math.floor(d / per)));
    routers.delete(Math.floor(r.srcCore / per));
    bound += spikesOfCore(r.srcCore) * routers.size; dests += r.dstCores.length;
  }
  return { bound, dests };
}

async function small() {
  const nets = [feedForward(), await conv(), recurrent(), cuba()];
  const target = phasor.genericMesh({ width: 16, height: 16, neuronsPerCore: 128, fanIn: 8192, synapsesPerCore: 1 << 20 });
  console.log(`generic-mesh 16x16, 128 neurons per core, multicast; spike counts from the reference simulator (${steps} steps at dt ${dt} s, seed ${seed})`);
  console.log("network".padEnd(58) + "cores  greedy hops    optimised hops  reduction | unicast greedy -> optimised, reduction");
  for (const net of nets) {
    const sim = phasor.simulate(net.graph, { dt, steps, input: net.input, init: net.init, reset: net.reset });
    const spikeCounts = counts(sim, sim.shapes);
    const opts = { dt, spikeCounts, reset: net.reset, seed };
    const gp = phasor.compile(net.graph, target, { ...opts, placer: "greedy" }), gr = gp.report;
    const t0 = performance.now();
    const op = phasor.compile(net.graph, target, { ...opts, placer: "optimise" }).report;
    const secs = (performance.now() - t0) / 1e3;
    console.log(`${net.name.padEnd(58)}${String(op.coresUsed).padEnd(7)}${String(gr.traffic.spikeHops).padEnd(15)}${String(op.traffic.spikeHops).padEnd(16)}${red(gr.traffic.spikeHops, op.traffic.spikeHops).padEnd(10)}| ${gr.traffic.unicastHops} -> ${op.traffic.unicastHops}, ${red(gr.traffic.unicastHops, op.traffic.unicastHops)}   (compile ${secs.toFixed(2)} s)`);
    if (!net.name.startsWith("CUBA")) continue;
    const coreSpikes = (core) => { const c = gp.cores.find((x) => x.id === core); let s = 0; for (let i = c.start; i < c.start + c.count; i++) s += spikeCounts[c.layer][i]; return s; };
    const { bound, dests } = multicastBound(gp, coreSpikes);
    console.log(`CUBA: each core sends to ${(dests / gp.routes.length).toFixed(1)} of ${gp.routes.length} cores on average (random 2% connectivity), so every placement needs >= ${bound} spike-hops: at most ${red(gr.traffic.spikeHops, bound)} below greedy`);
  }
  const m = phasor.cubaNetwork({ seed, dt });
  const t0 = performance.now();
  const p = phasor.compile(m.graph, "generic-mesh", { dt });
  console.log(`CUBA onto generic-mesh (default 8x8, 256 neurons per core): ${((performance.now() - t0) / 1e3).toFixed(2)} s, ${p.report.coresUsed} cores (goal < 5 s)`);
}

function topographicPart() {
  const t0 = performance.now();
  const m = phasor.topographic({ seed });
  console.log(`\ntopographic E/I network: ${m.sizes.E} E + ${m.sizes.I} I = ${m.sizes.E + m.sizes.I} neurons, ${m.synapses} synapses (Gaussian kernel, sigma 4 cells), built in ${((performance.now() - t0) / 1e3).toFixed(1)} s; traffic: 1 spike per neuron`);
  console.log("mesh (32x32, 128 neurons per core)".padEnd(40) + "cores  greedy spike-hops  optimised   reduction (goal >= 45%)  compile (greedy / optimising)");
  for (const multicast of [true, false]) {
    const target = phasor.genericMesh({ width: 32, height: 32, neuronsPerCore: 128, fanIn: 8192, synapsesPerCore: 1 << 20, multicast, name: "topo-mesh" });
    const time = (placer) => { const s = performance.now(); const p = phasor.compile(m.graph, target, { placer, seed }); return [p, (performance.now() - s) / 1e3]; };
    const [g, tg] = time("greedy"), [o, to] = time("optimise");
    const gh = g.report.traffic.spikeHops, oh = o.report.traffic.spikeHops;
    console.log(`${(multicast ? "multicast" : "unicast").padEnd(40)}${String(o.report.coresUsed).padEnd(7)}${String(gh).padEnd(19)}${String(oh).padEnd(12)}${red(gh, oh).padEnd(25)}${tg.toFixed(1)} s / ${to.toFixed(1)} s`);
  }
}

/** The multi-chip system the microcircuit is compiled onto: generic-mesh chips (an architecture-search system, not a product). */
function microcircuitSystem(chips = { width: 4, height: 2 }) {
  const chip = phasor.genericMesh({ width: 8, height: 8, neuronsPerCore: 256, fanIn: 1 << 17, synapsesPerCore: 1 << 16, tableEntries: 4096, name: "generic-chip64" });
  const none = (unit) => ({ value: 0, unit, source: "no published figure: a generic chip's link (architecture search)", kind: "unpublished" });
  return phasor.systemTarget(chip, {
    name: `generic-${chips.width * chips.height}chip`, description: `${chips.width * chips.height} generic-mesh chips of 64 cores, 256 neurons and 131072 inputs per core`,
    chips, chipLink: { energy: none("pJ"), latency: none("ns"), bandwidth: none("packet/s") },
  });
}

/** One full-scale microcircuit compile (run in a child process): prints one JSON line. */
function microcircuitChild(spec) {
  const [targetName, placer] = spec.split(":");
  const m = phasor.microcircuit({ seed, connectivity: "procedural" });
  // Traffic of 1 s of biological time at the published full-scale rates (spikes per neuron).
  const spikeCounts = {};
  phasor.POPULATIONS.forEach((p, a) => { spikeCounts[p] = new Float64Array(m.sizes[a]).fill(phasor.REFERENCE_RATES[a]); });
  const target = targetName === "generic-8chip" ? microcircuitSystem() : targetName === "generic-2chip" ? microcircuitSystem({ width: 2, height: 1 }) : targetName;
  const t0 = performance.now();
  try {
    const p = phasor.compile(m.graph, target, { placer, seed, spikeCounts, connectivity: "procedural" });
    const r = p.report, secs = (performance.now() - t0) / 1e3;
    const busiest = r.system.links.reduce((a, l) => (l.packets > a.packets ? l : a), { packets: 0 });
    const coreSpikes = (core) => { const c = p.cores.find((x) => x.id === core); return c.count * phasor.REFERENCE_RATES[phasor.POPULATIONS.indexOf(c.layer)]; };
    const { bound } = multicastBound(p, coreSpikes);
    // Every chip a source reaches other than its own takes at least one chip-link crossing per spike.
    let chipBound = 0;
    for (const rt of p.routes) {
      const chips = new Set(rt.dstCores.map((d) => phasor.chipOfCore(p.target, d)));
      chips.delete(phasor.chipOfCore(p.target, rt.srcCore));
      chipBound += coreSpikes(rt.srcCore) * chips.size;
    }
    console.log(JSON.stringify({ ok: true, secs, rss: process.resourceUsage().maxRSS / 2 ** 20, cores: r.coresUsed, chips: r.system.chipsUsed, chipsTotal: r.system.chipsTotal,
      inter: r.system.interChipPackets, links: r.system.links.length, busiest, hops: r.traffic.spikeHops, unicast: r.traffic.unicastHops, bound, chipBound,
      util: r.system.chips.map((c) => c.utilisation.cores) }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, secs: (performance.now() - t0) / 1e3, rss: process.resourceUsage().maxRSS / 2 ** 20, error: e.message }));
  }
}

function microcircuitPart() {
  console.log("\nfull-scale microcircuit (77,169 neurons, procedural synapses), each compile in its own process; traffic: 1 s at the published rates");
  const run = (spec) => {
    const r = spawnSync(process.execPath, [__filename, "--child", spec, "--seed", String(seed)], { encoding: "utf8", maxBuffer: 1 << 24 });
    const line = r.stdout.trim().split("\n").pop();
    try { return JSON.parse(line); } catch { return { ok: false, error: (r.stderr || r.stdout).slice(-400) }; }
  };
  const rows = {};
  for (const placer of ["greedy", "optimise"]) {
    const x = (rows[placer] = run(`generic-8chip:${placer}`));
    if (!x.ok) { console.log(`${placer}: ${x.error}`); continue; }
    console.log(`${placer.padEnd(9)} onto generic-8chip: ${x.cores} cores on ${x.chips} of ${x.chipsTotal} chips (cores used per chip ${x.util.map((u) => `${Math.round(100 * u)}%`).join(" ")}), ` +
      `${Math.round(x.inter)} packets/s across ${x.links} chip links (busiest ${x.busiest.from}->${x.busiest.to}: ${Math.round(x.busiest.packets)}), ${Math.round(x.hops)} spike-hops/s; ` +
      `compile ${x.secs.toFixed(1)} s (goal < 60 s), peak RSS ${x.rss.toFixed(2)} GB`);
  }
  const g = rows.greedy, o = rows.optimise;
  if (g?.ok && o?.ok) {
    console.log(`optimising vs greedy: inter-chip packets ${red(g.inter, o.inter)} fewer, spike-hops ${red(g.hops, o.hops)} fewer; ` +
      `every placement needs >= ${Math.round(o.bound)} spike-hops/s (one link per destination router; each core reaches nearly every other): at most ${red(g.hops, o.bound)} below greedy; ` +
      `on ${o.chips} chips each spike crosses at least one chip link per other chip it reaches: >= ${Math.round(o.chipBound)} inter-chip packets/s (greedy: ${Math.round(g.inter)})`);
  }
  const small = run("generic-2chip:optimise");
  console.log(`onto generic-2chip (2 of the same chips): ${small.ok ? "fits?" : small.error}`);
  const s2 = run("spinnaker2-48:optimise");
  console.log(`onto spinnaker2-48 (48 SpiNNaker2 chips, 7296 PEs): ${s2.ok ? `${s2.cores} cores on ${s2.chips} chips, ${s2.secs.toFixed(1)} s` : s2.error}`);
}

async function main() {
  if (values.child) return microcircuitChild(values.child);
  const part = values.part;
  if (part === "all" || part === "small") await small();
  if (part === "all" || part === "topographic") topographicPart();
  if (part === "all" || part === "microcircuit") microcircuitPart();
}
main();
