/**
 * Trained model <-> Graph. Export writes NIR's continuous-time parameters, canonical in
 * Phasor's sense (the `raw` NIR convention, as Norse writes LIF/LI): the reference simulator
 * run with forward Euler at the training dt and the model's reset mode reproduces the TF.js
 * forward pass. The graph's metadata records { dt, integrator: "euler", reset } so a reader
 * knows the step; NIR itself has no dt. Weights go to Linear (or Affine with a bias) as
 * [out, in]; a recurrent matrix becomes a Linear from the layer back to itself (the
 * simulator's one-step delay on loops is exactly the layer's s_{t-1} @ Wr).
 */
import type { Graph, Node, Tensor } from "../ir/graph.js";
import { PhasorError } from "../ir/errors.js";
import { isSpiking, isSynaptic, type LayerConfig, type ModelConfig, type NeuronKind, type PerNeuron } from "./config.js";
import { SpikingModel, type WeightMap } from "./model.js";
import { quantizeArray } from "./quant.js";

const t = (v: PerNeuron | undefined, n: number, fb: number): Tensor => {
  const arr = v === undefined ? [fb] : typeof v === "number" ? [v] : v;
  const data = Float64Array.from(arr.length === 1 ? new Array<number>(n).fill(arr[0]) : arr);
  return { shape: [n], data };
};

function transpose(w: { shape: number[]; data: Float32Array }, bits?: number): Tensor {
  const [rows, cols] = w.shape;
  const src = bits ? quantizeArray(w.data, bits) : w.data;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = src[i * cols + j];
  return { shape: [cols, rows], data: out };
}

function neuronNode(l: LayerConfig): Node {
  const n = l.units;
  const common = { r: t(l.r, n, 1), v_leak: t(l.v_leak, n, 0) };
  const reset = l.v_reset !== undefined ? { v_reset: t(l.v_reset, n, 0) } : {};
  switch (l.kind) {
    case "LIF": return { type: "LIF", tau: t(l.tau, n, NaN), v_threshold: t(l.v_threshold, n, 1), ...common, ...reset };
    case "LI": return { type: "LI", tau: t(l.tau, n, NaN), ...common };
    case "CubaLIF": return { type: "CubaLIF", tau_mem: t(l.tau_mem, n, NaN), tau_syn: t(l.tau_syn, n, NaN), w_in: t(l.w_in, n, 1), v_threshold: t(l.v_threshold, n, 1), ...common, ...reset };
    case "CubaLI": return { type: "CubaLI", tau_mem: t(l.tau_mem, n, NaN), tau_syn: t(l.tau_syn, n, NaN), w_in: t(l.w_in, n, 1), ...common };
  }
}

/** The model as a Graph (weights fake-quantised as in training when the model has weightBits). */
export function modelToGraph(model: SpikingModel): Graph {
  const c = model.config;
  const w = model.getWeights();
  const nodes: Record<string, Node> = { input: { type: "Input", shape: [c.inputs] } };
  const edges: Graph["edges"] = [];
  let prev = "input";
  for (const l of c.layers) {
    const W = transpose(w[`${l.name}.weight`], c.weightBits);
    const proj = `${l.name}_syn`;
    const b = w[`${l.name}.bias`];
    nodes[proj] = b ? { type: "Affine", weight: W, bias: { shape: [l.units], data: Float64Array.from(b.data) } } : { type: "Linear", weight: W };
    nodes[l.name] = neuronNode(l);
    edges.push({ src: prev, dst: proj }, { src: proj, dst: l.name });
    if (l.recurrent) {
      nodes[`${l.name}_rec`] = { type: "Linear", weight: transpose(w[`${l.name}.recurrent`], c.weightBits) };
      edges.push({ src: l.name, dst: `${l.name}_rec` }, { src: `${l.name}_rec`, dst: l.name });
    }
    prev = l.name;
  }
  const last = c.layers[c.layers.length - 1];
  nodes.output = { type: "Output", shape: [last.units] };
  edges.push({ src: prev, dst: "output" });
  return { type: "NIRGraph", nodes, edges, metadata: { dt: c.dt, integrator: "euler", reset: c.reset ?? "zero", exporter: "phasor.train" } };
}

const KINDS: readonly string[] = ["LIF", "CubaLIF", "LI", "CubaLI"];

function perNeuron(x: unknown): PerNeuron | undefined {
  if (typeof x !== "object" || x === null || !("data" in x) || !(x.data instanceof Float64Array || x.data instanceof Float32Array)) return undefined;
  const a = Array.from(x.data);
  return a.every((v) => v === a[0]) ? a[0] : a;
}

/** A chain Input -> (Linear|Affine -> neuron [+ recurrent Linear])* -> Output as a trainable model. */
export function graphToModel(g: Graph, opts: { dt?: number; reset?: "zero" | "subtract"; seed?: number } = {}): SpikingModel {
  const meta = g.metadata ?? {};
  const dt = opts.dt ?? (typeof meta.dt === "number" ? meta.dt : undefined);
  if (dt === undefined) throw new PhasorError([{ code: "missing-dt", path: ["dt"], message: "pass { dt } (seconds): the graph's metadata does not record the step it was trained with" }]);
  const out = (src: string) => g.edges.filter((e) => e.src === src).map((e) => e.dst);
  const input = Object.keys(g.nodes).find((k) => g.nodes[k].type === "Input");
  if (!input) throw new PhasorError("graph has no Input node", "bad-graph");
  const inNode = g.nodes[input];
  const layers: LayerConfig[] = [];
  const weights: WeightMap = {};
  const toW = (x: Tensor) => transposeBack(x);
  let at = input;
  for (;;) {
    const proj = out(at).find((d) => (g.nodes[d].type === "Linear" || g.nodes[d].type === "Affine") && !out(d).includes(at));
    if (!proj) break;
    const p = g.nodes[proj];
    const neuronName = out(proj)[0];
    const nn = g.nodes[neuronName];
    if (!nn || !KINDS.includes(nn.type) || (p.type !== "Linear" && p.type !== "Affine")) throw new PhasorError([{ code: "unsupported", path: [proj], message: "trainable import needs Linear/Affine followed by LIF, CubaLIF, LI or CubaLI" }]);
    const kind = nn.type as NeuronKind;
    const f: Record<string, unknown> = { ...nn };
    const l: LayerConfig = {
      name: neuronName, kind, units: p.weight.shape[0],
      tau: perNeuron(f.tau), tau_mem: perNeuron(f.tau_mem), tau_syn: perNeuron(f.tau_syn), r: perNeuron(f.r), v_leak: perNeuron(f.v_leak),
      v_threshold: isSpiking(kind) ? perNeuron(f.v_threshold) : undefined, w_in: isSynaptic(kind) ? perNeuron(f.w_in) : undefined, v_reset: perNeuron(f.v_reset),
    };
    weights[`${neuronName}.weight`] = toW(p.weight);
    if (p.type === "Affine") { l.bias = true; weights[`${neuronName}.bias`] = { shape: [l.units], data: Float32Array.from(p.bias.data) }; }
    const rec = out(neuronName).find((d) => { const r = g.nodes[d]; return r.type === "Linear" && out(d).includes(neuronName); });
    if (rec) { const r = g.nodes[rec]; if (r.type === "Linear") { l.recurrent = true; weights[`${neuronName}.recurrent`] = toW(r.weight); } }
    for (const k of Object.keys(l) as (keyof LayerConfig)[]) if (l[k] === undefined) delete l[k];
    layers.push(l);
    at = neuronName;
  }
  if (!layers.length || inNode.type !== "Input") throw new PhasorError("no trainable layer found after the Input node", "bad-graph");
  const reset = opts.reset ?? (meta.reset === "subtract" ? "subtract" : "zero");
  const config: ModelConfig = { inputs: inNode.shape.reduce((a, b) => a * b, 1), dt, reset, layers };
  return new SpikingModel(config, weights, opts.seed ?? 0);
}

function transposeBack(x: Tensor): { shape: number[]; data: Float32Array } {
  const [rows, cols] = x.shape;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x.data[i * cols + j];
  return { shape: [cols, rows], data: out };
}
