/**
 * A Program back to a Graph the reference simulator runs: dequantised weights and decays,
 * with parameters chosen so forward Euler at the program's dt reproduces the program's
 * update (r = tau/dt, w_in = tau_syn/dt, so gains are 1). Used to measure what quantisation
 * does to the spikes. Constant biases enter through a zero-weight Affine from a silent one-element source
 * (a projection's bias through a one-step Delay when the projection is recurrent).
 */
import type { Edge, Graph, Node } from "../ir/graph.js";
import { PhasorError } from "../ir/errors.js";
import type { Program, ProgramLayer, ProgramProjection } from "./program.js";
import { decayValue } from "./passes/quantise.js";

const T = (data: Float64Array, shape?: number[]) => ({ shape: shape ?? [data.length], data });

/** A silent one-element source (an integrator with r = 0) drives the bias Affines without adding loops. */
const biasSource = "__bias_source";

/** The dequantised graph of a program (host layers keep float parameters). */
export function programToGraph(p: Program): Graph {
  const nodes: Record<string, Node> = {}, edges: Edge[] = [];
  nodes[biasSource] = { type: "I", r: T(Float64Array.of(0)) };
  for (const l of p.layers) {
    if (l.kind === "input") nodes[l.name] = { type: "Input", shape: l.shape };
    else if (l.kind === "readout") { nodes[l.name] = { type: "Output", shape: l.shape }; }
    else {
      nodes[l.name] = neuron(p, l);
      const bias = values(p, l.params!.bias, l);
      if (bias.some((b) => b !== 0)) {
        nodes[`${l.name}.bias`] = { type: "Affine", weight: T(new Float64Array(l.size), [l.size, 1]), bias: T(bias) };
        edges.push({ src: biasSource, dst: `${l.name}.bias` }, { src: `${l.name}.bias`, dst: l.name });
      }
      if (l.output) { nodes[`${l.name}.out`] = { type: "Output", shape: l.shape }; edges.push({ src: l.name, dst: `${l.name}.out` }); }
    }
  }
  for (const pr of p.projections) projection(p, pr, nodes, edges);
  return { type: "NIRGraph", nodes, edges };
}

/** A layer's parameter in model units (chip codes times scale; host floats as they are). */
function values(p: Program, blob: string, l: ProgramLayer): Float64Array {
  const a = p.blobs[blob];
  return l.partition === "chip" ? Float64Array.from(a, (v) => (Math.abs(v) >= 2 ** (p.target.arithmetic.stateBits - 1) - 1 && blob.endsWith("threshold") ? Infinity : v * l.params!.scale)) : Float64Array.from(a);
}

function decays(p: Program, blob: string, l: ProgramLayer): Float64Array {
  const a = p.blobs[blob];
  if (l.partition !== "chip") return Float64Array.from(a);
  return Float64Array.from(a, (c) => (p.target.arithmetic.decay === "none" ? 1 : decayValue(p.target, c)));
}

function neuron(p: Program, l: ProgramLayer): Node {
  const dt = p.options.dt, pr = l.params!;
  const dv = decays(p, pr.decayV, l);
  const tau = dv.map((d) => (d >= 1 ? Infinity : dt / (1 - d)));
  const th = values(p, pr.threshold, l), vReset = values(p, pr.vReset, l), vRest = values(p, pr.vRest, l);
  const tRef = Float64Array.from(p.blobs[pr.refractory], (k) => k * dt);
  const ext = { v_reset: T(vReset), ...(tRef.some((x) => x > 0) ? { t_ref: T(tRef) } : {}) };
  const shape = l.shape;
  const S = (x: Float64Array) => T(x, shape);
  switch (l.model) {
    case "IF": return { type: "IF", r: S(new Float64Array(l.size).fill(1 / dt)), v_threshold: S(th), ...ext };
    case "LIF": return { type: "LIF", tau: S(tau), r: S(tau.map((x) => x / dt)), v_leak: S(vRest), v_threshold: S(th), ...ext };
    case "CubaLIF": case "CubaLI": {
      const ts = decays(p, pr.decayI[0], l).map((d) => dt / (1 - d));
      const base = { tau_syn: S(ts), tau_mem: S(tau), r: S(tau.map((x) => x / dt)), v_leak: S(vRest), w_in: S(ts.map((x) => x / dt)) };
      return l.model === "CubaLI" ? { type: "CubaLI", ...base } : { type: "CubaLIF", ...base, v_threshold: S(th), ...ext };
    }
    case "MultiCubaLIF": {
      const ports = pr.decayI.map((b) => decays(p, b, l).map((d) => dt / (1 - d)));
      const data = new Float64Array(ports.length * l.size);
      ports.forEach((x, k) => data.set(x, k * l.size));
      return { type: "MultiCubaLIF", tau_syn: T(data, [ports.length, ...shape]), tau_mem: S(tau), r: S(tau.map((x) => x / dt)), v_leak: S(vRest), v_threshold: S(th), ...ext };
    }
    default: throw new PhasorError(`programToGraph: ${l.name} has model ${l.model}, which cannot be rebuilt yet`, "unsupported-model");
  }
}

function projection(p: Program, pr: ProgramProjection, nodes: Record<string, Node>, edges: Edge[]): void {
  const scale = pr.partition === "host" || !pr.scale ? 1 : pr.scale;
  const w = (b: string) => Float64Array.from(p.blobs[b], (v) => (pr.partition === "host" ? v : v * scale));
  const to = (src: string): Edge => (pr.port ? { src, dst: pr.dst, port: pr.port } : { src, dst: pr.dst });
  if (pr.bias) {
    // The bias arrives with the projection's delay: a recurrent projection's from step 1 on.
    const b = w(pr.bias), name = `${pr.name}.bias`;
    nodes[name] = { type: "Affine", weight: T(new Float64Array(b.length), [b.length, 1]), bias: T(b) };
    edges.push({ src: biasSource, dst: name });
    let src = name;
    if (pr.recurrent) { nodes[`${name}.delay`] = { type: "Delay", delay: T(new Float64Array(b.length).fill(p.options.dt)) }; edges.push({ src, dst: `${name}.delay` }); src = `${name}.delay`; }
    edges.push(to(src));
  }
  if (pr.csr) {
    const c = pr.csr;
    const delay = c.delay ? Float64Array.from(p.blobs[c.delay], (k) => k * p.options.dt) : undefined;
    nodes[pr.name] = { type: "SparseProjection", pre: c.pre, post: c.post, indptr: p.blobs[c.indptr] as Int32Array, indices: p.blobs[c.indices] as Int32Array, weight: w(c.weight), ...(delay ? { delay } : {}) };
    edges.push({ src: pr.src, dst: pr.name }, to(pr.name));
    return;
  }
  if (pr.procedural) throw new PhasorError(`projection ${pr.name} is procedural; compile with connectivity: "materialised" to turn the Program back into a Graph`, "procedural");
  const cv = pr.conv!;
  let src = pr.src;
  if (cv.pool) { nodes[`${pr.name}.pool`] = { type: "SumPool2d", kernel_size: cv.pool.kernel, stride: cv.pool.stride, padding: cv.pool.padding }; edges.push({ src, dst: `${pr.name}.pool` }); src = `${pr.name}.pool`; }
  nodes[pr.name] = { type: "Conv2d", weight: T(w(cv.weight), cv.wShape), stride: cv.stride, padding: cv.padding, dilation: cv.dilation, groups: cv.groups, bias: T(new Float64Array(cv.wShape[0])), input_shape: cv.inShape.slice(1) };
  edges.push({ src, dst: pr.name }, to(pr.name));
}
