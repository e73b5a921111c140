#!/usr/bin/env node
// The VM's two ways of delivering scattered events (VmOptions.delivery, lib/vm/slot-queue.ts) on the
// Potjans & Diesmann microcircuit: one build, one session per mode on the same Program and input,
// stepped alternately in chunks of 50 steps so that both see the same machine load; the steps after
// the transient are timed. Prints each mode's loop time, the ratio ring / queue (above 1: queuing is
// faster), the rings' and the queues' bytes, and checks that both made the same spikes.
// usage: node bench/vm-delivery.js [--scale 0.25] [--steps 2500] [--skip 500] [--connectivity materialised]
// (needs `npm run build`; --scale 1 needs about 8 GB: node --max-old-space-size=12000 bench/vm-delivery.js --scale 1)
"use strict";
const { parseArgs } = require("node:util");
const mc = require("../dist/lib/ir/models/microcircuit.js"), vm = require("../dist/lib/vm/index.js");

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "0.25" }, steps: { type: "string", default: "2500" }, skip: { type: "string", default: "500" },
    connectivity: { type: "string", default: "materialised" }, seed: { type: "string", default: "1" },
  },
});
const scale = Number(values.scale), steps = Number(values.steps), skip = Number(values.skip), seed = Number(values.seed), dt = 1e-4, chunk = 50;
const t0 = performance.now();
const m = mc.microcircuit({ seed, dt, scale, connectivity: "procedural" });
const target = vm.genericMeshFloat({ width: 32, height: 32, synapsesPerCore: 1 << 26, fanIn: 1 << 20 });
const program = vm.floatProgram(m.graph, target, { dt, connectivity: values.connectivity, placer: "greedy" });
const input = mc.poissonStream(m, steps, dt, seed + 1);
console.log(`microcircuit at ${scale} (${m.sizes.reduce((a, b) => a + b, 0)} neurons), ${values.connectivity}, built in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
const modes = ["ring", "queue"], sessions = modes.map((delivery) => new vm.VmSession(program, { steps, input, init: m.init, delivery }));
const time = modes.map(() => 0);
for (let t = 0; t < steps; t += chunk)
  sessions.forEach((s, k) => { const a = performance.now(); s.step(Math.min(chunk, steps - t)); if (t >= skip) time[k] += performance.now() - a; });
const spikes = sessions.map((s) => s.net.spikesSoFar.reduce((a, b) => a + b, 0));
const ringMb = sessions[0].net.states.reduce((a, s) => a + s.flat.reduce((b, r) => b + r.byteLength, 0), 0) / 2 ** 20;
for (const [k, d] of modes.entries())
  console.log(`  ${d.padEnd(5)} steps ${skip}..${steps}: ${(time[k] / 1e3).toFixed(2)} s${k ? `, queues ${(sessions[k].net.queueBytes / 2 ** 20).toFixed(0)} MB, ${sessions[k].net.queueFlushes} flushes` : ""}`);
console.log(`  ratio ring / queue: ${(time[0] / time[1]).toFixed(2)}; rings ${ringMb.toFixed(1)} MB (auto queues above ${(vm.QUEUE_RING_BYTES / 2 ** 20).toFixed(0)} MB)`);
console.log(`  same spikes: ${spikes[0] === spikes[1] ? "yes" : "NO"} (${spikes[0]} events counted in each)`);
if (spikes[0] !== spikes[1]) process.exitCode = 1;
