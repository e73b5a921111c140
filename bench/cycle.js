#!/usr/bin/env node
// The cycle-level engine on two networks compiled for Loihi, under Davies 2018's pre-silicon
// profile (target "loihi") and SANA-FE's fitted profile ("loihi-sanafe"): cycles and energy per
// step, the engine's speed (steps/s, simulated events/s) and the process's peak memory.
// - dvs: SANA-FE's DVS-gesture network (1x32x32 input, four 3x3 convolutions 16/32/64/11
//   channels, the first with stride 2, a dense layer of 11; 18,678 neurons, 3.56 M synapses),
//   built as sparse projections numbered channel-last (--order channel-first for the other
//   numbering). Weights, thresholds and input rates from SANA-FE's sanafe/examples/dvs_challenge.npz
//   when --npz PATH is given (figures read, nothing else), else seeded random weights of the same
//   shapes. The input layer is driven as SANA-FE drives it: neuron k spikes whenever a running sum
//   of its rate passes 255.
// - rec: a recurrent network (200 inputs, 1000 LIF neurons with 10% recurrent synapses, on one
//   core, 10 outputs): every recurrent spike is a message from a core to itself.
// Hook for the SystemC model: --systemc MODULE (a .js file exporting `async run({ program, input,
// steps })` that returns { steps, seconds, events, stepCycles }) is timed in the same run.
// --compare DIR runs the same networks on another build's dist/ (e.g. a worktree of an older
// commit) and prints its engine's speed and cycles per step beside this one's; --repeats N runs
// each engine N times, alternating the two, and reports the medians (for a loaded machine).
// usage: node bench/cycle.js [--steps 128] [--order channel-last|channel-first] [--npz PATH]
//        [--nets dvs,rec] [--targets loihi,loihi-sanafe] [--systemc MODULE] [--compare DIR] [--repeats N] [--json]
"use strict";
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");
const { parseArgs } = require("node:util");
const phasor = require("../dist/lib/index.js");
const { compile } = require("../dist/lib/compiler/index.js");
const { runProgram } = require("../dist/lib/vm/index.js");
const { graph, tensor } = require("../dist/lib/ir/builders.js");
const { getTarget } = require("../dist/lib/target/index.js");

const opts = {
  steps: { type: "string", default: "128" }, order: { type: "string", default: "channel-last" }, npz: { type: "string" },
  nets: { type: "string", default: "dvs,rec" }, targets: { type: "string", default: "loihi,loihi-sanafe" },
  systemc: { type: "string" }, json: { type: "boolean", default: false }, behavioural: { type: "boolean", default: true },
  compare: { type: "string" }, repeats: { type: "string", default: "1" },
};
const { values } = parseArgs({ options: opts, args: require.main === module ? process.argv.slice(2) : [] });
const steps = Number(values.steps);

/** A small seeded generator (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** Reads the arrays of an uncompressed .npz (a stored zip of .npy files): little-endian f4/f8/i8 only. */
function readNpz(path) {
  const buf = readFileSync(path), out = {};
  for (let at = 0; buf.readUInt32LE(at) === 0x04034b50; ) {
    const method = buf.readUInt16LE(at + 8), size = buf.readUInt32LE(at + 18), nameLen = buf.readUInt16LE(at + 26), extra = buf.readUInt16LE(at + 28);
    const name = buf.toString("utf8", at + 30, at + 30 + nameLen), data = buf.subarray(at + 30 + nameLen + extra, at + 30 + nameLen + extra + size);
    if (method !== 0) throw new Error(`${path}: ${name} is compressed; only stored entries are read`);
    const hlen = data.readUInt16LE(8), header = data.toString("latin1", 10, 10 + hlen), body = data.subarray(10 + hlen);
    const descr = /'descr':\s*'([^']+)'/.exec(header)[1], shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").filter((s) => s.trim()).map(Number);
    const n = shape.reduce((a, b) => a * b, 1), vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = descr === "<f4" ? body.readFloatLE(4 * i) : descr === "<f8" ? body.readDoubleLE(8 * i) : descr === "<i8" ? Number(body.readBigInt64LE(8 * i)) : NaN;
    out[name.replace(/\.npy$/, "")] = { shape, data: vals };
    at += 30 + nameLen + extra + size;
  }
  return out;
}

/** SANA-FE's DVS-gesture weights (HWIO convolutions, dense [in, out]) or seeded random ones of the same shapes. */
function dvsParameters() {
  if (values.npz) {
    const z = readNpz(values.npz);
    return { conv: ["conv1", "conv2", "conv3", "conv4"].map((k) => z[k].data), dense: z.dense1.data, thresholds: Array.from(z.thresholds.data), rates: z.inputs.data, source: `SANA-FE ${values.npz}` };
  }
  const r = rng(7), chans = [1, 16, 32, 64, 11], conv = [];
  for (let i = 0; i < 4; i++) conv.push(Float64Array.from({ length: 9 * chans[i] * chans[i + 1] }, () => Math.round((r() - 0.45) * 300)));
  const dense = Float64Array.from({ length: 891 * 11 }, () => Math.round((r() - 0.45) * 300));
  const rates = Float64Array.from({ length: 1024 }, () => (r() < 0.3 ? 6 * Math.ceil(r() * 8) : 0));
  return { conv, dense, thresholds: [255, 420, 351, 276, 371, 341], rates, source: "seeded random weights (seed 7) of the same shapes" };
}

/** Index of (c, y, x) in a C x H x W map numbered channel-first or channel-last. */
const idx = (order, C, H, W) => (c, y, x) => (order === "channel-first" ? (c * H + y) * W + x : (y * W + x) * C + c);

/** A 3x3 convolution (HWIO weights, no padding) as sparse synapses between two numbered maps. */
function convSynapses(w, Ci, Hi, Wi, Co, stride, order) {
  const Ho = Math.floor((Hi - 3) / stride) + 1, Wo = Math.floor((Wi - 3) / stride) + 1;
  const src = idx(order, Ci, Hi, Wi), dst = idx(order, Co, Ho, Wo), i = [], j = [], weight = [];
  for (let o = 0; o < Co; o++) for (let y = 0; y < Ho; y++) for (let x = 0; x < Wo; x++)
    for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) for (let c = 0; c < Ci; c++) {
      const v = w[((ky * 3 + kx) * Ci + c) * Co + o];
      if (v === 0) continue;
      i.push(src(c, y * stride + ky, x * stride + kx)); j.push(dst(o, y, x)); weight.push(v);
    }
  return { pre: Ci * Hi * Wi, post: Co * Ho * Wo, i, j, weight, shape: [Co, Ho, Wo] };
}

const IF = (n, th) => ({ type: "IF", r: tensor(new Float64Array(n).fill(1000)), v_threshold: tensor(new Float64Array(n).fill(th)) });

/** SANA-FE's DVS-gesture topology, numbered as asked. */
function dvsNetwork(order) {
  const P = dvsParameters(), g = graph().input("in", [1024]);
  let prev = "in", C = 1, H = 32, W = 32, neurons = 1024, synapses = 0;
  const strides = [2, 1, 1, 1], chans = [16, 32, 64, 11];
  for (let l = 0; l < 4; l++) {
    const s = convSynapses(P.conv[l], C, H, W, chans[l], strides[l], order);
    g.sparse(`conv${l}`, { pre: s.pre, post: s.post, i: s.i, j: s.j, weight: s.weight }).node(`L${l}`, IF(s.post, P.thresholds[l + 1]));
    [C, H, W] = s.shape; prev = `L${l}`; neurons += s.post; synapses += s.i.length;
  }
  // Dense over the 9x9x11 map flattened channel-last (Keras' order), whatever the numbering.
  const src = idx(order, C, H, W), di = [], dj = [], dw = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) for (let o = 0; o < 11; o++) {
    const v = P.dense[((y * W + x) * C + c) * 11 + o];
    if (v !== 0) { di.push(src(c, y, x)); dj.push(o); dw.push(v); }
  }
  g.sparse("dense", { pre: C * H * W, post: 11, i: di, j: dj, weight: dw }).node("out", IF(11, P.thresholds[5]));
  g.output("o");
  neurons += 11; synapses += di.length;
  // Input neuron k spikes whenever its running sum of rate passes 255 (SANA-FE's bias-driven inputs).
  const data = new Float64Array(steps * 1024), acc = new Float64Array(1024);
  for (let t = 0; t < steps; t++) for (let k = 0; k < 1024; k++) { acc[k] += P.rates[k]; if (acc[k] > 255) { acc[k] = 0; data[t * 1024 + k] = 1; } }
  return { graph: g.build(), input: { data, shape: [steps, 1024] }, neurons, synapses, source: P.source };
}

/** 200 inputs -> 1000 recurrent LIF neurons (10% recurrent, 10% from the inputs) -> 10 outputs. */
function recNetwork() {
  const r = rng(11), N = 1000, I = 200, O = 10;
  const pick = (pre, post, p, w) => { const i = [], j = [], weight = []; for (let a = 0; a < pre; a++) for (let b = 0; b < post; b++) if (r() < p) { i.push(a); j.push(b); weight.push(w()); } return { pre, post, i, j, weight }; };
  const inp = pick(I, N, 0.1, () => 0.4 + 0.2 * r()), rec = pick(N, N, 0.1, () => (r() < 0.8 ? 0.05 : -0.2)), out = pick(N, O, 0.2, () => 0.1);
  const lif = (n, th) => ({ type: "LIF", tau: tensor(new Float64Array(n).fill(0.02)), r: tensor(new Float64Array(n).fill(10)), v_leak: tensor(new Float64Array(n)), v_threshold: tensor(new Float64Array(n).fill(th)) });
  const g = graph().input("in", [I]).sparse("win", inp).node("rec", lif(N, 1)).sparse("wrec", rec).connect("wrec", "rec")
    .sparse("wout", out, { from: "rec" }).node("out", lif(O, 1)).output("o").build();
  const data = new Float64Array(steps * I);
  for (let k = 0; k < data.length; k++) data[k] = r() < 0.05 ? 1 : 0;
  return { graph: g, input: { data, shape: [steps, I] }, neurons: I + N + O, synapses: inp.i.length + rec.i.length + out.i.length, source: "seeded (seed 11)" };
}

const now = () => performance.now() / 1e3;
/** CPU seconds of this process (user + system): less sensitive than wall time to other jobs on the machine. */
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** Runs one network on one target with both engines; the cycle engine timed. */
async function measure(netName, net, targetName) {
  const t = getTarget(targetName), t0 = now();
  const p = compile(net.graph, t, { dt: 1e-3 });
  const tc = now() - t0, cores = p.cores.length;
  let behavioural = null;
  if (values.behavioural) { const a = now(); runProgram(p, { input: net.input, steps }); behavioural = steps / (now() - a); }
  const a = now(), a0 = cpu(), r = runProgram(p, { input: net.input, steps, engine: "cycle" }), secs = now() - a, csecs = cpu() - a0, c = r.cycles;
  const row = {
    net: netName, target: targetName, neurons: net.neurons, synapses: net.synapses, cores, compileSeconds: +tc.toFixed(2),
    spikes: Object.values(r.spikes).reduce((s, l) => s + l.length, 0) / steps,
    cyclesPerStep: c.totalCycles / steps, usPerStep: (c.totalCycles / c.clockHz / steps) * 1e6,
    energyPerStepUJ: r.energy.total === null ? null : (r.energy.total / steps) * 1e6,
    stepsPerSecond: steps / secs, stepsPerCpuSecond: steps / csecs, eventsPerSecond: c.events / secs, behaviouralStepsPerSecond: behavioural,
    packets: c.packets / steps, messages: c.messages === undefined ? null : c.messages / steps,
    packing: p.report && p.report.partition ? p.report.partition : undefined,
  };
  if (values.compare) {
    const dir = resolve(values.compare), old = { compile: require(`${dir}/lib/compiler/index.js`).compile, run: require(`${dir}/lib/vm/index.js`).runProgram, target: require(`${dir}/lib/target/index.js`).getTarget };
    try {
      const q = old.compile(net.graph, old.target(targetName), { dt: 1e-3 }), mine = [steps / secs], theirs = [], mineCpu = [steps / csecs], theirsCpu = [];
      let o;
      for (let k = 0; k < Number(values.repeats); k++) {
        const b = now(), b0 = cpu();
        o = old.run(q, { input: net.input, steps, engine: "cycle" }).cycles;
        theirs.push(steps / (now() - b)); theirsCpu.push(steps / (cpu() - b0));
        if (k + 1 < Number(values.repeats)) {
          const d = now(), d0 = cpu();
          runProgram(p, { input: net.input, steps, engine: "cycle" });
          mine.push(steps / (now() - d)); mineCpu.push(steps / (cpu() - d0));
        }
      }
      const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
      Object.assign(row, { stepsPerSecond: median(mine), stepsPerCpuSecond: median(mineCpu), beforeStepsPerSecond: median(theirs), beforeStepsPerCpuSecond: median(theirsCpu),
        beforeCyclesPerStep: o.totalCycles / steps, beforeCores: q.cores.length });
    } catch (e) { row.beforeRefused = e.message.split("\n")[0]; }
  }
  if (values.systemc) {
    const sc = require(resolve(values.systemc)), s = await sc.run({ program: p, input: net.input, steps });
    Object.assign(row, { systemcStepsPerSecond: s.steps / s.seconds, systemcEventsPerSecond: s.events / s.seconds, systemcCyclesPerStep: s.stepCycles.reduce((x, y) => x + y, 0) / s.steps });
  }
  return row;
}

async function main() {
  const rows = [], nets = values.nets.split(",");
  for (const n of nets) {
    const net = n === "dvs" ? dvsNetwork(values.order) : recNetwork();
    if (!values.json) console.log(`${n}: ${net.neurons} neurons, ${net.synapses} synapses, ${n === "dvs" ? values.order + ", " : ""}${net.source}`);
    for (const t of values.targets.split(",")) {
      const row = await measure(n, net, t);
      rows.push(row);
      if (!values.json) {
        const e = row.energyPerStepUJ === null ? "n/a" : `${row.energyPerStepUJ.toFixed(3)} µJ`;
        console.log(`  ${t.padEnd(13)} ${row.cores} cores, ${row.spikes.toFixed(0)} spikes/step: ${row.cyclesPerStep.toFixed(1)} cycles/step (${row.usPerStep.toFixed(2)} µs), ${e}/step;` +
          ` cycle engine ${row.stepsPerSecond.toFixed(0)} steps/s (${row.stepsPerCpuSecond.toFixed(0)} per CPU-second), ${(row.eventsPerSecond / 1e6).toFixed(2)} M events/s` +
          (row.behaviouralStepsPerSecond ? `; behavioural ${row.behaviouralStepsPerSecond.toFixed(0)} steps/s` : "") +
          (row.beforeRefused ? `; before (${values.compare}): refused: ${row.beforeRefused}` : "") +
          (row.beforeStepsPerSecond ? `; before (${values.compare}): ${row.beforeCores} cores, ${row.beforeCyclesPerStep.toFixed(1)} cycles/step, ${row.beforeStepsPerSecond.toFixed(0)} steps/s (${row.beforeStepsPerCpuSecond.toFixed(0)} per CPU-second)` : "") +
          (row.systemcStepsPerSecond ? `; SystemC ${row.systemcStepsPerSecond.toFixed(0)} steps/s, ${row.systemcCyclesPerStep.toFixed(1)} cycles/step` : ""));
      }
    }
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  if (values.json) console.log(JSON.stringify({ steps, peakMiB: peak, rows }, null, 1));
  else console.log(`peak resident memory ${peak.toFixed(0)} MiB`);
}

if (require.main === module) main().catch((e) => { console.error(e.message); process.exit(1); });
else module.exports = { dvsNetwork, recNetwork, readNpz, values };
