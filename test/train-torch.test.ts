/**
 * Gradients against PyTorch (Debian's python3-torch): a two-layer LIF network (LIF hidden,
 * LIF output) with fixed weights and input, fast-sigmoid surrogate written in torch as an
 * autograd.Function, detached reset; loss = cross-entropy on spike counts. The loss and
 * every gradient must agree within 1e-4 relative, for the fused kernels and the op path.
 */
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { Rng } from "../lib/ir/random.js";
import { useBackend } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { losses } from "../lib/train/losses.js";
import { initWeights, spikingModel } from "../lib/train/model.js";
import { havePython, systemPython } from "./support.js";

const hasTorch = havePython("torch", "python3-torch");

const SCRIPT = `
import json, sys, torch
d = json.load(sys.stdin)
T, B = d["T"], d["B"]
class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).to(x.dtype)
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (d["slope"] * x.abs() + 1) ** 2
x = torch.tensor(d["x"], dtype=torch.float64).reshape(T, B, d["nin"])
W = [torch.tensor(w["data"], dtype=torch.float64).reshape(w["shape"]).requires_grad_() for w in d["w"]]
h = x
for li, Wl in enumerate(W):
    beta = 1 - d["dt"] / d["tau"][li]
    thr = d["thr"][li]
    cur = h @ Wl
    v = torch.zeros(B, Wl.shape[1], dtype=torch.float64)
    outs = []
    for t in range(T):
        vp = beta * v + (1 - beta) * cur[t]
        s = Spike.apply(vp - thr)
        v = vp * (1 - s.detach())
        outs.append(s)
    h = torch.stack(outs)
counts = h.sum(0)
loss = torch.nn.functional.cross_entropy(counts, torch.tensor(d["labels"]))
loss.backward()
print(json.dumps({"loss": loss.item(), "grads": [w.grad.flatten().tolist() for w in W], "counts": counts.flatten().tolist()}))
`;

describe.skipIf(!hasTorch)("gradients against PyTorch", () => {
  const cfg: ModelConfig = {
    inputs: 20, dt: 1e-3,
    layers: [
      { name: "fc1", kind: "LIF", units: 16, tau: 5e-3, v_threshold: 0.2, surrogate: "fast-sigmoid", slope: 10 },
      { name: "fc2", kind: "LIF", units: 4, tau: 8e-3, v_threshold: 0.2, surrogate: "fast-sigmoid", slope: 10 },
    ],
  };
  const [T, B] = [40, 3];
  const rng = new Rng(5);
  const x = Float32Array.from({ length: T * B * cfg.inputs }, () => (rng.random() < 0.3 ? 1 : 0));
  const labels = [1, 3, 0];
  const weights = initWeights(cfg, 11, 3);
  const py = () => {
    const input = { T, B, nin: cfg.inputs, x: Array.from(x), labels, dt: cfg.dt, tau: [5e-3, 8e-3], thr: [0.2, 0.2], slope: 10,
      w: ["fc1.weight", "fc2.weight"].map((k) => ({ shape: weights[k].shape, data: Array.from(weights[k].data) })) };
    const r = spawnSync(systemPython, ["-c", SCRIPT], { input: JSON.stringify(input), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { loss: number; grads: number[][]; counts: number[] };
  };

  for (const kernels of [true, false]) {
    it(`loss and every gradient match within 1e-4 relative (${kernels ? "fused kernels" : "op composition"})`, async () => {
      await useBackend("cpu");
      const want = py();
      const m = spikingModel(cfg, { weights });
      const { value, grads } = tf.variableGrads(() => losses.get("ce-count").loss(m.forward(tf.tensor3d(x, [T, B, cfg.inputs]), { kernels }), tf.tensor1d(labels)), m.trainable());
      expect(want.counts.some((c) => c > 0)).toBe(true);
      expect(Math.abs(value.dataSync()[0] - want.loss) / Math.abs(want.loss)).toBeLessThan(1e-4);
      ["fc1.weight", "fc2.weight"].forEach((k, li) => {
        const got = grads[m.variables[k].name].dataSync();
        const ref = want.grads[li];
        const scale = Math.max(...ref.map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]) / scale);
        expect(worst).toBeLessThan(1e-4);
      });
      m.dispose();
    });
  }
});
