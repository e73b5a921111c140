/**
 * A network given in Lava's own integer parameters (as `LIF(...)` and `Dense(...)` take them
 * for the bit-accurate Loihi models) becomes a Program for loihi or loihi2. The structure
 * (cores, routes, report) comes from the compiler; every integer is the one given, after
 * Lava's own weight preparation (sign mode, clipping, truncation to num_weight_bits).
 */
import { IssueList, PhasorError } from "../ir/errors.js";
import { GraphBuilder } from "../ir/builders.js";
import type { Graph } from "../ir/graph.js";
import { effectiveWeights, LOIHI_FIELDS, signModeOf, type SignMode } from "../target/arith/loihi.js";
import { compile } from "./pipeline.js";
import type { Program } from "./program.js";

/** One LIF population as Lava's `LIF(shape=(size,), du, dv, vth, bias_mant, bias_exp)`. */
export interface LavaLif {
  name: string;
  size: number;
  du: number;
  dv: number;
  vth: number;
  /** Per neuron or one for all (default 0). */
  bias_mant?: number | number[];
  bias_exp?: number | number[];
}

/** One Dense as Lava's `Dense(weights, weight_exp, num_weight_bits, sign_mode)`; weights are dst x src. */
export interface LavaDense {
  name: string;
  src: string;
  dst: string;
  weights: number[][];
  weight_exp?: number;
  num_weight_bits?: number;
  /** Default: chosen from the weights as Lava does. */
  sign_mode?: SignMode;
}

/** A whole network: input sizes by name, LIF populations, Dense processes. */
export interface LavaNetwork {
  inputs: Record<string, number>;
  lif: LavaLif[];
  dense: LavaDense[];
}

const perNeuron = (x: number | number[] | undefined, n: number): number[] => (Array.isArray(x) ? x : Array.from({ length: n }, () => x ?? 0));

/** Checks every field against Loihi's range; one PhasorError listing all that do not fit. */
function checkFields(net: LavaNetwork): void {
  const issues = new IssueList();
  const check = (field: keyof typeof LOIHI_FIELDS, value: number, path: string[]) => {
    const f = LOIHI_FIELDS[field];
    if (!Number.isInteger(value) || value < f.min || value > f.max) issues.add("field-range", path, `${path.join(".")}: ${f.what} is ${value}; Loihi holds integers ${f.min}..${f.max}`);
  };
  const sizes = new Map<string, number>(Object.entries(net.inputs));
  for (const l of net.lif) {
    if (sizes.has(l.name)) issues.add("duplicate", [l.name], `${l.name} is defined twice`);
    sizes.set(l.name, l.size);
    check("du", l.du, [l.name, "du"]); check("dv", l.dv, [l.name, "dv"]); check("vth", l.vth, [l.name, "vth"]);
    perNeuron(l.bias_mant, l.size).forEach((m, i) => check("biasMant", m, [l.name, `bias_mant[${i}]`]));
    perNeuron(l.bias_exp, l.size).forEach((e, i) => check("biasExp", e, [l.name, `bias_exp[${i}]`]));
  }
  for (const d of net.dense) {
    const [src, dst] = [sizes.get(d.src), sizes.get(d.dst)];
    if (src === undefined || !net.lif.some((l) => l.name === d.dst)) { issues.add("unknown-node", [d.name], `${d.name} joins ${d.src} -> ${d.dst}; a Dense runs from an input or LIF to a LIF`); continue; }
    if (d.weights.length !== dst || d.weights.some((r) => r.length !== src)) issues.add("bad-shape", [d.name, "weights"], `${d.name}.weights must be ${dst} x ${src} (dst x src)`);
    check("weightExp", d.weight_exp ?? 0, [d.name, "weight_exp"]);
    check("weightBits", d.num_weight_bits ?? 8, [d.name, "num_weight_bits"]);
  }
  issues.throwIfAny();
}

/** The float graph with the same structure (the compiler maps it; its numbers are replaced). */
function structure(net: LavaNetwork, eff: Map<string, Int32Array>): Graph {
  const g = new GraphBuilder();
  for (const [name, n] of Object.entries(net.inputs)) g.input(name, n);
  for (const l of net.lif) g.add(l.name, { type: "CubaLIF", tau_syn: t(l.size, 2), tau_mem: t(l.size, 2), r: t(l.size, 1), v_leak: t(l.size, 0), v_threshold: t(l.size, 1), w_in: t(l.size, 1), v_reset: t(l.size, 0) }, { from: null });
  for (const d of net.dense) {
    const w = eff.get(d.name)!, rows = d.weights.length, cols = rows ? d.weights[0].length : 0;
    g.add(d.name, { type: "Linear", weight: { shape: [rows, cols], data: Float64Array.from(w) } }, { from: d.src });
    g.connect(d.name, d.dst);
  }
  for (const l of net.lif) g.add(`${l.name}_out`, { type: "Output", shape: [l.size] }, { from: l.name });
  return g.build();
}

function t(n: number, x: number) {
  return { shape: [n], data: new Float64Array(n).fill(x) };
}

/** Compiles a network given in Lava's integers for loihi (or loihi2); state in the Program is in Lava's units (scale 1). */
export function lavaProgram(net: LavaNetwork, target: "loihi" | "loihi2" = "loihi"): Program {
  checkFields(net);
  const eff = new Map(net.dense.map((d) => [d.name, effectiveWeights(d.weights.flat(), d.num_weight_bits ?? 8, d.sign_mode ?? signModeOf(d.weights.flat()))]));
  const p = compile(structure(net, eff), target, { dt: 1e-3, reset: "zero", placer: "greedy" });
  for (const l of net.lif) {
    const pr = p.layers.find((x) => x.name === l.name)?.params;
    if (!pr) throw new PhasorError(`lavaProgram: ${l.name} was not mapped to the chip`, "internal");
    const mant = perNeuron(l.bias_mant, l.size), exp = perNeuron(l.bias_exp, l.size);
    const fill = (name: string, f: (i: number) => number) => { p.blobs[name] = Int32Array.from({ length: l.size }, (_, i) => f(i)); };
    pr.scale = 1;
    fill(pr.decayV, () => 4096 - l.dv);
    fill(pr.decayI[0], () => 4095 - l.du);
    fill(pr.threshold, () => l.vth * 64);
    fill(pr.bias, (i) => mant[i] * 2 ** exp[i]);
    fill(pr.vReset, () => 0); fill(pr.vRest, () => 0); fill(pr.refractory, () => 0);
  }
  for (const d of net.dense) {
    const pp = p.projections.find((x) => x.name === d.name);
    if (!pp?.csr) throw new PhasorError(`lavaProgram: ${d.name} was not mapped as synapses`, "internal");
    const w = eff.get(d.name)!, cols = d.weights[0]?.length ?? 0;
    const indptr = p.blobs[pp.csr.indptr], indices = p.blobs[pp.csr.indices], out = new Int32Array(indices.length);
    for (let i = 0; i + 1 < indptr.length; i++) for (let m = indptr[i]; m < indptr[i + 1]; m++) out[m] = w[indices[m] * cols + i];
    p.blobs[pp.csr.weight] = out;
    pp.weightExp = d.weight_exp ?? 0;
    pp.scale = 2 ** (6 + pp.weightExp);
  }
  for (const r of p.report.layers) { r.weightError = 0; r.decayError = 0; }
  return p;
}
