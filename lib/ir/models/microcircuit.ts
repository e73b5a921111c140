/**
 * The Potjans & Diesmann (2014) cortical microcircuit, from the paper's tables (Cereb. Cortex
 * 24:785, Tables 4-5): 8 populations (L2/3, L4, L5, L6; excitatory and inhibitory) of current-
 * based LIF neurons with exponential synaptic currents, a fixed total number of synapses per
 * pair of populations (multapses allowed), normal weights and delays, external Poisson drive at
 * 8 Hz x K_ext (or its mean as DC). Scaling: `scale` multiplies neuron numbers and `kScale` the
 * in-degrees; when kScale < 1 the weights grow by 1/sqrt(kScale) and a DC input restores each
 * neuron's mean input (van Albada, Helias & Diesmann 2015). Voltages in mV, currents in pA.
 *
 * Timing as in NEST's iaf_psc_exp: a spike's current jumps round(d / dt) steps after the spike's
 * step, and the membrane sees it from the next step. Phasor's graph adds one step of its own to a
 * projection whose edge closes a loop (the recurrent edge: here every projection onto the same or
 * an earlier population in the evaluation order), so such a projection holds each published delay
 * minus one step (`lags`). Without this those delays are 0.1 ms too long, and L2/3 fires 2-4x the
 * published rate.
 * Weights and delays are normal, redrawn outside their bounds as NEST draws them.
 */
import type { Graph, Node, Edge, Tensor } from "../graph.js";
import { PhasorError } from "../errors.js";
import { Rng } from "../random.js";
import type { StreamInput } from "../sim/types.js";
import { analyseGraph } from "../validate.js";
import { materialise, rowKey, type Distribution, type ProceduralSpec } from "../procedural.js";

export const POPULATIONS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"] as const;

/** Published parameters (PD14 Tables 4-5). Connection probability: row = target, column = source. */
export const PD14 = {
  N: [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948],
  conn: [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
  ],
  Kext: [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100],
  bgRate: 8, w: 87.8, wRelSd: 0.1, g: -4, wL4eL23e: 2,
  delayE: 1.5e-3, delayI: 0.75e-3, delayRelSd: 0.5,
  Cm: 250, tauM: 10e-3, tauSyn: 0.5e-3, tRef: 2e-3, EL: -65, Vth: -50, Vreset: -65, V0mean: -58, V0sd: 10,
};

/**
 * Full-scale reference rates (Hz): `full_mean_rates` of INM-6's reference implementation
 * (microcircuit-PD14-model, PyNEST; also the NEST 3 example's network_params.py), the rates its
 * K-scaling compensation uses. The NEST 2.x example had 0.971, 2.868, 4.746, 5.396, 8.142, 9.078,
 * 0.991, 7.523: two full-scale NEST runs differ by up to 9% per population.
 */
export const REFERENCE_RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829];

/** Per-population initial potentials (mean, sd in mV) of the reference implementation's V0_type "optimized". */
export const V0_OPTIMIZED = {
  mean: [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43],
  sd: [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48],
};

export interface MicrocircuitOptions {
  /** Seed of connectivity, weights, delays and initial potentials. */
  seed: number;
  /** Simulation step in seconds (weights are J tau_syn / dt so that a spike adds J pA to the current). */
  dt?: number;
  /** Fraction of the published neuron numbers (default 1). */
  scale?: number;
  /** Fraction of the published in-degrees (default 1); below 1 the van Albada et al. (2015) correction applies. */
  kScale?: number;
  /** Projections as SparseProjection (CSR) or ProceduralProjection (rule + seed). */
  connectivity?: "materialised" | "procedural";
  /** External drive: Poisson inputs (an Input node per population, see poissonDrive) or their mean current as DC. */
  drive?: "poisson" | "dc";
  /** Initial potentials: PD14's normal(-58, 10) mV ("original", default) or per population ("optimized", shorter transient). */
  v0?: "original" | "optimized";
}

export interface MicrocircuitModel {
  graph: Graph;
  init: Record<string, Record<string, Float64Array>>;
  /** Neurons per population (after scaling). */
  sizes: number[];
  /** Synapses per projection "SRC_DST" (after scaling). */
  synapses: Record<string, number>;
  /** Weight of one external Poisson input spike, in graph units (for poissonDrive). */
  extWeight: number;
  /** Poisson inputs per neuron per population (after scaling). */
  kExt: number[];
  /**
   * Steps the graph itself adds to each projection "SRC_DST" (1 where its edge closes a loop, else 0);
   * its delays are the published ones less this, so a published delay is graph delay + lag x dt.
   */
  lags: Record<string, number>;
}

/** Total synapses from population b to a at full scale (PD14 eq. 1, multapses allowed). */
export function fullSynapses(a: number, b: number): number {
  const c = PD14.conn[a][b], prod = PD14.N[a] * PD14.N[b];
  return c > 0 ? Math.log(1 - c) / Math.log(1 - 1 / prod) : 0;
}

/** Mean PSC amplitude (pA) of synapses from population b onto a, before in-degree scaling. */
export function meanWeight(a: number, b: number): number {
  const exc = b % 2 === 0;
  return exc ? (a === 0 && b === 2 ? PD14.wL4eL23e : 1) * PD14.w : PD14.g * PD14.w;
}

/** Extra DC (pA) per population restoring the mean input lost by scaling in-degrees (van Albada et al. 2015). */
export function dcCompensation(kScale: number, poisson: boolean): number[] {
  const f = 1 - Math.sqrt(kScale);
  return POPULATIONS.map((_, a) => {
    let x = 0;
    for (let b = 0; b < 8; b++) x += meanWeight(a, b) * (fullSynapses(a, b) / PD14.N[a]) * REFERENCE_RATES[b];
    if (poisson) x += PD14.w * PD14.Kext[a] * PD14.bgRate;
    return f * x * PD14.tauSyn;
  });
}

/** Builds the microcircuit and its initial potentials (normal, mean -58 mV, sd 10 mV as in PD14). */
export function microcircuit(opts: MicrocircuitOptions): MicrocircuitModel {
  const { seed, dt = 1e-4, scale = 1, kScale = 1, connectivity = "materialised", drive = "poisson", v0 = "original" } = opts;
  if (!(scale > 0 && scale <= 1) || !(kScale > 0 && kScale <= 1))
    throw new PhasorError(`microcircuit: scale and kScale must lie in (0, 1], got ${scale} and ${kScale}`, "bad-parameter");
  const sizes = PD14.N.map((n) => Math.max(1, Math.round(n * scale)));
  const toGraph = PD14.tauSyn / dt, wScale = 1 / Math.sqrt(kScale);
  const dc = dcCompensation(kScale, drive === "poisson");
  const nodes: Record<string, Node> = {}, edges: Edge[] = [], synapses: Record<string, number> = {};
  const r = (PD14.tauM / (PD14.Cm * 1e-12)) * 1e-9; // tau_m / C_m in ohms, as mV per pA
  POPULATIONS.forEach((name, a) => {
    const meanDrive = drive === "dc" ? PD14.w * PD14.Kext[a] * PD14.bgRate * PD14.tauSyn : 0;
    nodes[name] = neurons(sizes[a], PD14.EL + r * (dc[a] + meanDrive), r);
  });
  const specs: Record<string, { b: number; spec: ProceduralSpec }> = {};
  POPULATIONS.forEach((dst, a) => POPULATIONS.forEach((src, b) => {
    const n = Math.round(fullSynapses(a, b) * scale * kScale);
    if (n === 0) return;
    const name = `${src}_${dst}`;
    specs[name] = { b, spec: projectionSpec(a, b, sizes, n, toGraph * wScale, dt, rowKey(seed, 100 + 8 * a + b, 0)) };
    nodes[name] = { type: "ProceduralProjection", ...specs[name].spec };
    edges.push({ src, dst: name }, { src: name, dst, port: 0 });
    synapses[name] = n;
  }));
  const kExt = PD14.Kext.map((k) => Math.max(1, Math.round(k * kScale)));
  if (drive === "poisson") POPULATIONS.forEach((name, a) => addExternal(nodes, edges, name, sizes[a], PD14.w * toGraph * wScale));
  const lags = recurrentLags({ type: "NIRGraph", nodes, edges }, Object.keys(specs));
  for (const [name, { b, spec }] of Object.entries(specs)) {
    const full = { ...spec, delay: graphDelay(b, dt, lags[name]) };
    nodes[name] = connectivity === "procedural" ? { type: "ProceduralProjection", ...full } : sparseNode(full);
  }
  const rng = new Rng(rowKey(seed, 99, 0)), init: MicrocircuitModel["init"] = {};
  POPULATIONS.forEach((name, a) => {
    const [mean, sd] = v0 === "optimized" ? [V0_OPTIMIZED.mean[a], V0_OPTIMIZED.sd[a]] : [PD14.V0mean, PD14.V0sd];
    init[name] = { v: normals(rng, sizes[a], mean, sd) };
  });
  return { graph: { type: "NIRGraph", nodes, edges }, init, sizes, synapses, extWeight: PD14.w * toGraph * wScale, kExt, lags };
}

/** A population of MultiCubaLIF neurons with one synaptic current (tau_syn 0.5 ms for E and I alike). */
function neurons(n: number, vLeak: number, r: number): Node {
  const t = (x: number): Tensor => ({ shape: [n], data: new Float64Array(n).fill(x) });
  return {
    type: "MultiCubaLIF", tau_syn: { shape: [1], data: Float64Array.of(PD14.tauSyn) }, tau_mem: t(PD14.tauM), r: t(r),
    v_leak: t(vLeak), v_threshold: t(PD14.Vth), v_reset: t(PD14.Vreset), t_ref: t(PD14.tRef),
  };
}

/** The rule of one projection without its delays: n synapses (multapses), normal weights redrawn until they keep their sign. */
function projectionSpec(a: number, b: number, sizes: number[], n: number, toGraph: number, dt: number, seed: number): ProceduralSpec {
  const w = meanWeight(a, b) * toGraph, sd = Math.abs(w) * PD14.wRelSd;
  const weight: Distribution = { kind: "normal", mean: w, sd, redraw: w > 0 ? { min: 0 } : { max: 0 } };
  return { pre: sizes[b], post: sizes[a], rule: { kind: "fixed-total", n, multapses: true }, weight, delay: graphDelay(b, dt, 0), seed };
}

/**
 * Delays of source population b in a graph that adds `lag` steps of its own: the published
 * normal(d, d / 2) redrawn below dt / 2 (NEST: at least one step), less lag steps, at least 0.
 */
export function graphDelay(b: number, dt: number, lag: number): Distribution {
  const d = b % 2 === 0 ? PD14.delayE : PD14.delayI;
  if (lag === 0) return { kind: "normal", mean: d, sd: d * PD14.delayRelSd, redraw: { min: dt / 2 } };
  return { kind: "normal", mean: d - lag * dt, sd: d * PD14.delayRelSd, min: 0, redraw: { min: dt / 2 - lag * dt } };
}

/** 1 for each named projection whose path closes a loop in the graph's evaluation order (a one-step delay), else 0. */
function recurrentLags(graph: Graph, projections: string[]): Record<string, number> {
  const g = analyseGraph(graph), lags: Record<string, number> = Object.fromEntries(projections.map((p) => [p, 0]));
  g.edges.forEach((e, k) => {
    if (!g.recurrent[k]) return;
    const p = e.src in lags ? e.src : e.dst;
    if (p in lags) lags[p] = 1;
  });
  return lags;
}

function sparseNode(spec: ProceduralSpec): Node {
  const c = materialise(spec);
  return { type: "SparseProjection", pre: spec.pre, post: spec.post, indptr: c.indptr, indices: c.indices, weight: c.weight, ...(c.delay ? { delay: c.delay } : {}) };
}

/** An Input node per population and a one-to-one projection carrying each neuron's external spike count. */
function addExternal(nodes: Record<string, Node>, edges: Edge[], name: string, n: number, w: number): void {
  const indptr = Int32Array.from({ length: n + 1 }, (_, k) => k), indices = Int32Array.from({ length: n }, (_, k) => k);
  nodes[`X_${name}`] = { type: "Input", shape: [n] };
  nodes[`X_${name}_w`] = { type: "SparseProjection", pre: n, post: n, indptr, indices, weight: new Float64Array(n).fill(w) };
  edges.push({ src: `X_${name}`, dst: `X_${name}_w` }, { src: `X_${name}_w`, dst: name, port: 0 });
}

function normals(rng: Rng, n: number, mean: number, sd: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = mean + sd * Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  return out;
}

/**
 * External Poisson drive for `steps` steps: per population, each neuron's count of input spikes
 * per step, Poisson with mean K_ext x 8 Hz x dt (the sum of K_ext independent 8 Hz sources), as
 * bytes (a count above 255 has probability below 1e-300 at dt <= 1 ms; larger steps are refused).
 * Step t of population a comes from its own stream (seed, a, t), so any window is reproducible alone.
 * Holds steps x neurons bytes (810 MB for 1.1 s at full scale); poissonStream draws the same counts per step.
 */
export function poissonDrive(m: MicrocircuitModel, steps: number, dt: number, seed: number): Record<string, { data: Uint8Array; shape: number[] }> {
  const out: Record<string, { data: Uint8Array; shape: number[] }> = {};
  POPULATIONS.forEach((name, a) => {
    const n = m.sizes[a], cdf = poissonCdf(m, a, dt, "poissonDrive"), data = new Uint8Array(steps * n);
    for (let t = 0; t < steps; t++) drawCounts(data.subarray(t * n, (t + 1) * n), seed, a, t, cdf);
    out[`X_${name}`] = { data, shape: [steps, n] };
  });
  return out;
}

/**
 * poissonDrive's counts drawn when a step is fed (any step alone, in any order) instead of held:
 * a StreamInput per population, so the run's memory does not grow with its steps.
 */
export function poissonStream(m: MicrocircuitModel, steps: number, dt: number, seed: number): Record<string, StreamInput> {
  const out: Record<string, StreamInput> = {};
  POPULATIONS.forEach((name, a) => {
    const cdf = poissonCdf(m, a, dt, "poissonStream");
    out[`X_${name}`] = { shape: [steps, m.sizes[a]], sample: (t, counts) => drawCounts(counts, seed, a, t, cdf) };
  });
  return out;
}

/**
 * Population a's count per step is Poisson with mean lambda = K_ext x 8 Hz x dt: its cumulative
 * probabilities P(count <= k), k = 0, 1, ... until less than 2^-33 is left (a uniform draw has 2^-32
 * resolution); means past 40 (more than a byte's range) refused.
 */
export function poissonCdf(m: MicrocircuitModel, a: number, dt: number, fn = "poissonCdf"): Float64Array {
  const lambda = m.kExt[a] * PD14.bgRate * dt;
  const why = `${fn}: ${lambda.toFixed(1)} input spikes per step exceed a byte's range; use dt <= 1 ms`;
  if (lambda > 40) throw new PhasorError(why, "bad-parameter");
  const cdf = [];
  for (let k = 0, p = Math.exp(-lambda), sum = p; ; p *= lambda / ++k, sum += p) {
    cdf.push(sum);
    // At least 5 entries, for drawCounts' first four comparisons.
    if ((1 - sum < 2 ** -33 && k >= 4) || k === 255) break;
  }
  return Float64Array.from(cdf);
}

/**
 * Population a's counts at step t, one per neuron, from the step's own generator (seed, a, t): each the
 * smallest k with u < P(count <= k) for one uniform u (inversion; the last k where u is past the table).
 */
function drawCounts(out: Uint8Array | Float64Array | Float32Array, seed: number, a: number, t: number, cdf: Float64Array) {
  const rng = new Rng(rowKey(seed, 98 + a * 0x10000, t)), last = cdf.length - 1, c0 = cdf[0], c1 = cdf[1], c2 = cdf[2], c3 = cdf[3];
  for (let q = 0; q < out.length; q++) {
    const u = rng.random();
    // The table is increasing: k = how many of its first entries u is at or past. The first four are counted
    // without branches (a branch per entry, taken at random, would be mispredicted), the rest in a loop.
    let k = Number(u >= c0) + Number(u >= c1) + Number(u >= c2) + Number(u >= c3);
    if (k === 4) while (k < last && u >= cdf[k]) k++;
    out[q] = k;
  }
}
