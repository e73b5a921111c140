#!/usr/bin/env node
// Training step time and memory: Phasor's fused TF.js kernels and the plain TF.js op
// composition against PyTorch CPU (Debian's python3-torch), same model, same run:
// 700 inputs -> 256 LIF -> 20 LI, batch 32, 100 steps, 5% input spike density, Adam,
// cross-entropy on max membrane. Prints ms per step, peak RSS, and the ratios to PyTorch.
// Needs a build (`npm run build`, or PHASOR_DIST=dir of a build of lib/).
// usage: node bench/train.js [--steps 20] [--backends cpu,wasm] [--ops-steps 3] [--threads 1]
"use strict";
const { execFileSync } = require("node:child_process");
const { resolve } = require("node:path");
const { parseArgs } = require("node:util");
const dist = process.env.PHASOR_DIST ?? resolve(__dirname, "../dist/lib");
const train = require(`${dist}/train/index.js`);
const tf = require("@tensorflow/tfjs-core");

const { values } = parseArgs({ options: { steps: { type: "string", default: "20" }, backends: { type: "string", default: "cpu,wasm" }, "ops-steps": { type: "string", default: "3" }, threads: { type: "string", default: "1" } } });
const [NIN, NH, NOUT, B, T, P] = [700, 256, 20, 32, 100, 0.05];
const cfg = { inputs: NIN, dt: 1e-3, layers: [{ name: "h", kind: "LIF", units: NH, tau: 10e-3, v_threshold: 1 }, { name: "o", kind: "LI", units: NOUT, tau: 20e-3 }] };

function input(seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  return { x: Float32Array.from({ length: T * B * NIN }, () => (rnd() < P ? 1 : 0)), y: Float32Array.from({ length: B }, () => Math.floor(rnd() * NOUT)) };
}

async function timeTfjs(backend, kernels, steps) {
  await train.useBackend(backend);
  const m = train.spikingModel(cfg, { seed: 1, scale: 4 });
  const opt = tf.train.adam(1e-3);
  const { x, y } = input(1);
  const xt = tf.tensor3d(x, [T, B, NIN]), yt = tf.tensor1d(y);
  const loss = train.losses.get("ce-max-membrane").loss;
  const step = () => tf.dispose(opt.minimize(() => loss(m.forward(xt, { kernels }), yt), true, m.trainable()));
  step(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = (performance.now() - t0) / steps;
  m.dispose(); opt.dispose(); tf.dispose([xt, yt]);
  return ms;
}

const TORCH = `
import sys, time, resource, torch
torch.set_num_threads(int(sys.argv[1])); steps = int(sys.argv[2])
NIN, NH, NOUT, B, T, P = 700, 256, 20, 32, 100, 0.05
torch.manual_seed(0)
class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x): ctx.save_for_backward(x); return (x > 0).float()
    @staticmethod
    def backward(ctx, g): (x,) = ctx.saved_tensors; return g / (25 * x.abs() + 1) ** 2
W1 = (torch.rand(NIN, NH) * 2 - 1).mul_(4 / NIN ** 0.5).requires_grad_()
W2 = (torch.rand(NH, NOUT) * 2 - 1).mul_(1 / NH ** 0.5).requires_grad_()
opt = torch.optim.Adam([W1, W2], 1e-3)
x = (torch.rand(T, B, NIN) < P).float(); y = torch.randint(0, NOUT, (B,))
a1, a2 = 1 - 1e-3 / 10e-3, 1 - 1e-3 / 20e-3
def step():
    cur = x @ W1
    v = torch.zeros(B, NH); out = []
    for t in range(T):
        vp = a1 * v + (1 - a1) * cur[t]; s = Spike.apply(vp - 1.0); v = vp * (1 - s.detach()); out.append(s)
    h = torch.stack(out) @ W2
    u = torch.zeros(B, NOUT); us = []
    for t in range(T):
        u = a2 * u + (1 - a2) * h[t]; us.append(u)
    loss = torch.nn.functional.cross_entropy(torch.stack(us).max(0).values, y)
    opt.zero_grad(); loss.backward(); opt.step()
step()
t0 = time.perf_counter()
for _ in range(steps): step()
print((time.perf_counter() - t0) / steps * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
`;

(async () => {
  const steps = Number(values.steps);
  let torchMs = NaN, torchMb = NaN;
  try {
    [torchMs, torchMb] = execFileSync("/usr/bin/python3", ["-c", TORCH, values.threads, String(steps)], { encoding: "utf8" }).trim().split(" ").map(Number);
  } catch (e) { console.log(`PyTorch unavailable (apt-get install python3-torch): ${e.message.split("\n")[0]}`); }
  console.log(`model 700 -> 256 LIF -> 20 LI, batch ${B}, ${T} steps, ${P * 100}% input density, Adam; ${steps} timed steps`);
  console.log(`pytorch cpu (${values.threads} thread): ${torchMs.toFixed(1)} ms/step, peak RSS ${torchMb.toFixed(0)} MB`);
  for (const backend of values.backends.split(",")) {
    const fused = await timeTfjs(backend, true, steps);
    const ops = await timeTfjs(backend, false, Number(values["ops-steps"]));
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(`phasor ${backend}: fused kernels ${fused.toFixed(1)} ms/step (ratio to pytorch ${(fused / torchMs).toFixed(2)}), plain tfjs ops ${ops.toFixed(1)} ms/step (ratio ${(ops / torchMs).toFixed(2)}), fused speed-up over ops ${(ops / fused).toFixed(1)}x; node RSS now ${rss.toFixed(0)} MB; ${train.describeBackend()}`);
  }
})();
