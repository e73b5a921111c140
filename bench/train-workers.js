#!/usr/bin/env node
// Data-parallel scaling: the bench model of bench/train.js (700 inputs -> 256 LIF -> 20 LI,
// global batch 32, 100 steps, 5% input spike density, Adam, cross-entropy on max membrane)
// trained by `fit` in process, then sharded over 1 and 2 worker threads (each with its own
// backend, gradients averaged every step). Prints ms per step, samples/s and the speed-up
// of 2 workers over 1 (the peer measured in the same run). Input framing runs on the main
// thread and is included, as in real training. Needs a build (`npm run build`).
// usage: node bench/train-workers.js [--steps 10] [--backend cpu] [--workers 1,2]
"use strict";
const { resolve } = require("node:path");
const { parseArgs } = require("node:util");
const os = require("node:os");
const dist = process.env.PHASOR_DIST ?? resolve(__dirname, "../dist/lib");
const train = require(`${dist}/train/index.js`);
const data = require(`${dist}/data/index.js`);

const { values } = parseArgs({ options: { steps: { type: "string", default: "10" }, backend: { type: "string", default: "cpu" }, workers: { type: "string", default: "1,2" } } });
const [NIN, NH, NOUT, B, T, P] = [700, 256, 20, 32, 100, 0.05];
const cfg = { inputs: NIN, dt: 1e-3, layers: [{ name: "h", kind: "LIF", units: NH, tau: 10e-3, v_threshold: 1 }, { name: "o", kind: "LI", units: NOUT, tau: 20e-3 }] };

/** Random samples at density P: each step of each channel fires with probability P. */
function dataset(n, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = [], x = [];
    for (let step = 0; step < T; step++) for (let c = 0; c < NIN; c++) if (rnd() < P) { t.push(step * 1000 + 500); x.push(c); }
    samples.push({ label: Math.floor(rnd() * NOUT), events: data.events({ t, x }) });
  }
  return data.arrayDataset(samples, [NIN, 1, 1]);
}

async function time(ds, steps, workers) {
  const stamps = [];
  const r = await train.fit(train.spikingModel(cfg, { seed: 1, scale: 4 }), ds, {
    epochs: 1, batchSize: B, steps: T, dtUs: 1000, seed: 1, loss: "ce-max-membrane", workers,
    optimizer: { name: "adam", lr: 1e-3 }, onStep: () => stamps.push(performance.now()),
  });
  // The first step includes worker start-up and warm-up: time the rest.
  const ms = (stamps[stamps.length - 1] - stamps[0]) / (stamps.length - 1);
  return { ms, where: r.where, loss: r.stepLosses };
}

(async () => {
  const steps = Number(values.steps);
  await train.useBackend(values.backend);
  const ds = dataset((steps + 1) * B, 7);
  console.log(`model 700 -> 256 LIF -> 20 LI, global batch ${B}, ${T} steps, ${P * 100}% input density, Adam; ${steps} timed steps; ${os.availableParallelism()} CPUs (1-min load ${os.loadavg()[0].toFixed(1)}); ${train.describeBackend()}`);
  const base = await time(ds, steps, 0);
  console.log(`in process: ${base.ms.toFixed(1)} ms/step, ${(B / base.ms * 1000).toFixed(0)} samples/s`);
  const rows = [];
  for (const n of values.workers.split(",").map(Number)) {
    const r = await time(ds, steps, n);
    rows.push({ n, ...r });
    const same = r.loss.every((v, i) => Math.abs(v - base.loss[i]) <= 1e-4 * Math.abs(base.loss[i]));
    console.log(`${r.where}: ${r.ms.toFixed(1)} ms/step, ${(B / r.ms * 1000).toFixed(0)} samples/s; losses ${same ? "match" : "DIFFER from"} in-process within 1e-4`);
  }
  const one = rows.find((r) => r.n === 1), two = rows.find((r) => r.n === 2);
  if (one && two) console.log(`scaling 1 -> 2 workers: ${(one.ms / two.ms).toFixed(2)}x (ideal 2.00x; parallel efficiency ${(one.ms / two.ms / 2 * 100).toFixed(0)}%)`);
})().catch((e) => { console.error(e); process.exit(1); });
