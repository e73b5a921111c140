/** A trainable spiking model: a ModelConfig plus TF.js variables, with a forward pass over time. */
import * as tf from "@tensorflow/tfjs-core";
import { PhasorError } from "../ir/errors.js";
import { Rng } from "../ir/random.js";
import { isSpiking, scanAttrs, weightShapes, type LayerConfig, type ModelConfig } from "./config.js";
import { layerKernel, layerOps, type LayerWeights } from "./forward.js";
import { kernelsAvailable } from "./kernels/register.js";
import { fakeQuant } from "./quant.js";
import { rematLayer } from "./remat.js";

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Use the fused custom kernels (default: when the backend is cpu or wasm). */
  kernels?: boolean;
  /** Truncated BPTT: gradients flow back at most this many steps (0: full BPTT). */
  truncate?: number;
  /** The first layer's input is spikes (0/1), so the event-sparse product applies; default true. */
  spikeInput?: boolean;
  /**
   * Rematerialisation over time: keep neuron state only every `remat` steps and recompute
   * the rest in the backward pass (remat.ts). Lower peak memory, about one extra forward pass.
   * A spiking layer's membrane is then absent from `membrane`.
   */
  remat?: number;
}

/** Outputs of a forward pass (all [T, B, N]). */
export interface ForwardResult {
  /** The last layer's output: spikes, or membrane for an LI/CubaLI readout. */
  output: tf.Tensor3D;
  /** Spikes of every spiking layer, by layer name (for rate regularisers). */
  spikes: Record<string, tf.Tensor3D>;
  /** Membrane before reset of every layer (under remat: of non-spiking layers only). */
  membrane: Record<string, tf.Tensor3D>;
}

/** Plain weights by name (`<layer>.weight` [in, units], `.bias`, `.recurrent`). */
export type WeightMap = Record<string, { shape: number[]; data: Float32Array }>;

/** A spiking network whose weights are tf.Variables. */
export class SpikingModel {
  readonly variables: Record<string, tf.Variable> = {};

  constructor(readonly config: ModelConfig, weights?: WeightMap, seed = 0, scale = 1) {
    checkConfig(config);
    const shapes = weightShapes(config);
    const init = weights ?? initWeights(config, seed, scale);
    for (const [name, shape] of Object.entries(shapes)) {
      const w = init[name];
      if (!w || w.data.length !== shape.reduce((a, b) => a * b, 1)) throw new PhasorError([{ code: "bad-weights", path: [name], message: `expected shape [${shape}]` }]);
      this.variables[name] = tf.variable(tf.tensor(w.data, shape, "float32"), true, `${name}_${uid++}`);
    }
  }

  /** Runs the network on x [T, B, inputs]. Call inside tf.tidy or dispose the results. */
  forward(x: tf.Tensor3D, opts: ForwardOptions = {}): ForwardResult {
    const kernels = opts.kernels ?? kernelsAvailable();
    const reset = this.config.reset ?? "zero";
    const spikes: Record<string, tf.Tensor3D> = {};
    const membrane: Record<string, tf.Tensor3D> = {};
    let h = x;
    let spikeIn = opts.spikeInput ?? true;
    const remat = opts.remat ?? 0;
    if (!(Number.isInteger(remat) && remat >= 0)) throw new PhasorError([{ code: "bad-option", path: ["remat"], message: `must be a whole number of steps, got ${remat}` }]);
    this.config.layers.forEach((l, index) => {
      const a = scanAttrs(l, this.config.dt, reset, opts.truncate ?? 0);
      const w = this.layerWeights(l);
      const r = remat > 0 ? rematOutput(rematLayer(h, w, a, remat, index > 0), a.spiking) : kernels ? layerKernel(h, w, a, spikeIn) : layerOps(h, w, a);
      if (isSpiking(l.kind)) spikes[l.name] = r.out;
      if (r.vpre) membrane[l.name] = r.vpre;
      h = r.out;
      spikeIn = isSpiking(l.kind);
    });
    return { output: h, spikes, membrane };
  }

  /** The variables in a stable order (for optimisers and gradient exchange). */
  trainable(): tf.Variable[] {
    return Object.keys(this.variables).sort().map((k) => this.variables[k]);
  }

  /** Copies the weights out as plain arrays. */
  getWeights(): WeightMap {
    const out: WeightMap = {};
    for (const [k, v] of Object.entries(this.variables)) out[k] = { shape: [...v.shape], data: Float32Array.from(v.dataSync()) };
    return out;
  }

  /** Overwrites the weights (shapes must match). */
  setWeights(w: WeightMap): void {
    for (const [k, v] of Object.entries(this.variables)) {
      const src = w[k];
      if (!src) throw new PhasorError(`weights lack ${k}`, "bad-weights");
      v.assign(tf.tensor(src.data, v.shape, "float32"));
    }
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of Object.values(this.variables)) v.dispose();
  }

  private layerWeights(l: LayerConfig): LayerWeights {
    const q = (t: tf.Tensor) => (this.config.weightBits ? fakeQuant(t, this.config.weightBits) : t);
    const g = (k: string) => this.variables[`${l.name}.${k}`];
    return {
      weight: q(g("weight")) as tf.Tensor2D,
      bias: l.bias ? (g("bias") as tf.Tensor1D) : undefined,
      recurrent: l.recurrent ? (q(g("recurrent")) as tf.Tensor2D) : undefined,
    };
  }
}

let uid = 0;

/** A remat layer's output; its membrane is the output for a non-spiking layer and absent otherwise. */
function rematOutput(out: tf.Tensor3D, spiking: boolean): { out: tf.Tensor3D; vpre?: tf.Tensor3D } {
  return { out, vpre: spiking ? undefined : out };
}

function checkConfig(c: ModelConfig): void {
  if (!(c.dt > 0)) throw new PhasorError([{ code: "bad-dt", path: ["dt"], message: "dt must be a positive number of seconds" }]);
  if (!c.layers.length) throw new PhasorError("a model needs at least one layer", "no-layers");
  const names = new Set<string>();
  for (const l of c.layers) {
    if (names.has(l.name)) throw new PhasorError([{ code: "duplicate", path: [l.name], message: "layer names must be unique" }]);
    names.add(l.name);
    scanAttrs(l, c.dt, c.reset ?? "zero");
  }
}

/** Seeded initial weights: uniform in +-scale/sqrt(fan-in) (scale 1 feed-forward, 0.5 recurrent). */
export function initWeights(cfg: ModelConfig, seed: number, scale = 1): WeightMap {
  const rng = new Rng(seed);
  const out: WeightMap = {};
  for (const [name, shape] of Object.entries(weightShapes(cfg))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (!name.endsWith(".bias")) {
      const k = (scale * (name.endsWith(".recurrent") ? 0.5 : 1)) / Math.sqrt(shape[0]);
      for (let i = 0; i < n; i++) data[i] = (2 * rng.random() - 1) * k;
    }
    out[name] = { shape, data };
  }
  return out;
}

/** Builds a model from a config (seeded initial weights, uniform +-scale/sqrt(fan-in), unless given). */
export function spikingModel(config: ModelConfig, opts: { seed?: number; weights?: WeightMap; scale?: number } = {}): SpikingModel {
  return new SpikingModel(config, opts.weights, opts.seed ?? 0, opts.scale ?? 1);
}
