/**
 * The arithmetic oracle: runs a Program neuron by neuron and step by step with the scalar
 * definitions of its target's arithmetic (lib/target/arith: loihi.ts, generic.ts) and nothing
 * else of the engines: its own delivery of events (a projection's events of step t arrive at
 * t + lag + delay, lag 1 on Loihi and on recurrent projections, else 0), its own bias schedule
 * and its own rounding of graded inputs. Slow and plain on purpose: the conformance suite
 * checks every engine against it bit for bit (v, currents, spikes at every step).
 */
import { IssueList, PhasorError } from "../ir/errors.js";
import { resolveInputs, type Feeder } from "../ir/sim/input.js";
import type { Program } from "../compiler/program.js";
import { loadModel, xyloLag, type VmLayer, type VmProjection } from "./model.js";
import type { VmInput, VmInit } from "./types.js";
import { compartmentStep, DENSE_LATENCY, scaleActivation } from "../target/arith/loihi.js";
import { currentsStep, membraneStep, type GenericArith, type GenericNeuron } from "../target/arith/generic.js";
import { MAX_HIDDEN_EVENTS, MAX_OUTPUT_EVENTS, sat16, xyloStep } from "../target/arith/xylo.js";

/** What the oracle records per layer: v, the currents (i, or i0, i1, ...; u on Loihi as i) and spikes, [T][B*N] flattened, in model units. */
export interface OracleResult {
  spikes: Record<string, Array<[number, number, number]>>;
  records: Record<string, Record<string, Float64Array>>;
}

interface LayerRun { l: VmLayer; v: Float64Array; c: Float64Array[]; until: Float64Array; out: Float64Array; spk: number[][] }

/** Runs `program` for `steps` (default: the input's length) with the scalar definitions. */
export function runOracle(program: Program, o: { input?: VmInput; steps?: number; init?: VmInit } = {}): OracleResult {
  const m = loadModel(program), issues = new IssueList();
  const inputs = new Map(m.layers.filter((l) => l.kind === "input").map((l) => [l.name, program.layers[l.index].shape]));
  const feeders = resolveInputs(o.input, inputs, issues);
  issues.throwIfAny();
  const T = o.steps ?? [...feeders.values()][0]?.steps ?? 0, B = Math.max(1, ...[...feeders.values()].map((f) => f.batch));
  if (m.layers.some((l) => l.kind === "readout")) throw new PhasorError("the oracle runs chip and host neuron layers only, not readouts", "oracle");
  const runs: LayerRun[] = m.layers.map((l) => ({
    l, v: Float64Array.from({ length: B * l.size }, (_, j) => l.vRest[j % l.size]), c: Array.from({ length: l.cuba ? l.ports : 0 }, () => new Float64Array(B * l.size)),
    until: new Float64Array(B * l.size), out: new Float64Array(B * l.size), spk: [],
  }));
  if (o.init) applyInit(runs, o.init);
  const pending = new Map<string, Float64Array>(); // `${step}/${projection}` -> [B*N] of its destination
  const records: OracleResult["records"] = {}, spikes: OracleResult["spikes"] = {};
  for (const r of runs) if (r.l.kind === "neuron") {
    records[r.l.name] = { v: new Float64Array(T * B * r.l.size), spike: new Float64Array(T * B * r.l.size) };
    r.c.forEach((_, p) => (records[r.l.name][r.c.length > 1 ? `i${p}` : "i"] = new Float64Array(T * B * r.l.size)));
    spikes[r.l.name] = [];
  }
  const lagOf = (p: VmProjection) => {
    const dst = m.layers[p.dst].arith;
    return dst === "loihi" ? DENSE_LATENCY : dst === "xylo" ? xyloLag(m.layers[p.src]) : program.projections[p.index].recurrent ? 1 : 0;
  };
  for (let t = 0; t < T; t++) {
    for (const r of runs) {
      const l = r.l;
      if (l.kind === "input") feed(r, feeders.get(l.name), t, B);
      else updateLayer(r, m.projections.filter((p) => p.dst === l.index), t, B, pending, lagOf, m.subtract, m.layers);
      if (l.kind === "neuron") record(r, t, B, records[l.name], spikes[l.name]);
      for (const p of m.projections.filter((x) => x.src === l.index)) send(r, p, t, B, runs[p.dst].l.size, lagOf(p), pending);
    }
  }
  return { spikes, records };
}

function feed(r: LayerRun, f: Feeder | undefined, t: number, B: number): void {
  r.out.fill(0);
  if (f && t < f.steps) f.fill(t, r.out, B);
}

/** A projection's events of step t (every nonzero output, ascending neuron, its synapses in order) added to their arrival steps. */
function send(r: LayerRun, p: VmProjection, t: number, B: number, n: number, lag: number, pending: Map<string, Float64Array>): void {
  const N = r.l.size;
  for (let b = 0; b < B; b++) for (let k = 0; k < N; k++) {
    const x = r.out[b * N + k];
    if (x === 0) continue;
    for (let q = p.indptr[k]; q < p.indptr[k + 1]; q++) {
      const key = `${t + lag + (p.delay ? p.delay[q] : 0)}/${p.index}`;
      let a = pending.get(key);
      if (!a) pending.set(key, (a = new Float64Array(B * n)));
      a[b * n + p.indices[q]] += p.weight[q] * x;
    }
  }
}

/** The constant input of each port at step t: the layer's bias on port 0, then each carried bias once its lag has passed. */
function biases(l: VmLayer, into: VmProjection[], t: number, lagOf: (p: VmProjection) => number): Float64Array[] {
  const P = l.cuba ? l.ports : 1, out = Array.from({ length: P }, (_, p) => (p === 0 ? l.bias.slice() : new Float64Array(l.size)));
  for (const p of into) if (p.bias && lagOf(p) <= t) for (let k = 0; k < l.size; k++) out[p.port][k] += p.bias[k];
  return out;
}

function updateLayer(r: LayerRun, into: VmProjection[], t: number, B: number, pending: Map<string, Float64Array>, lagOf: (p: VmProjection) => number, subtract: boolean, layers: VmLayer[]): void {
  const l = r.l, N = l.size, bias = biases(l, into, t, lagOf);
  // Graded inputs (not spikes of a spiking neuron layer) are rounded to the integer grid on arrival.
  const round = l.arith !== "float" && !into.every((p) => layers[p.src].kind === "neuron" && layers[p.src].spiking);
  const arrived = into.map((p) => { const k = `${t}/${p.index}`, a = pending.get(k); pending.delete(k); return a; });
  const a: GenericArith = { float: l.arith === "float", decay: l.arith === "shift" ? "shift" : l.arith === "none" ? "none" : "multiply", decayBits: l.decayBits, smax: l.smax };
  r.out.fill(0);
  for (let b = 0; b < B; b++) for (let k = 0; k < N; k++) {
    const j = b * N + k, c = r.c.map((x) => x[j]);
    const got = (i: number) => { const x = arrived[i]?.[j] ?? 0; return round ? Math.round(x) : x; };
    let v: number, spike: boolean;
    if (l.arith === "xylo") {
      const input = c.map(() => 0);
      into.forEach((p, i) => (input[p.port] += got(i)));
      const s = xyloStep(c.map((x, p) => sat16(x + input[p])), r.v[j], l.decayI.map((d) => d[k]), l.decayV[k], bias[0][k], l.threshold[k], l.output ? MAX_OUTPUT_EVENTS : MAX_HIDDEN_EVENTS);
      s.i.forEach((x, p) => (c[p] = x));
      r.c.forEach((x, p) => (x[j] = c[p]));
      r.v[j] = s.v;
      r.out[j] = s.events;
      continue;
    }
    if (l.arith === "loihi") {
      let act = 0;
      into.forEach((p, i) => (act += scaleActivation(got(i), p.weightExp)));
      const reset = !l.spiking ? "none" : subtract ? "subtract" : "zero";
      const s = compartmentStep(c[0], r.v[j], act, l.decayI[0][k], l.decayV[k], bias[0][k], l.threshold[k], reset);
      c[0] = s.u;
      ({ v, spike } = r.until[j] > t ? { v: l.vReset[k], spike: false } : s);
    } else {
      const input = Array.from({ length: Math.max(1, r.c.length) }, () => 0);
      into.forEach((p, i) => (input[p.port] += got(i)));
      const nrn: GenericNeuron = { decayV: l.decayV[k], decayI: l.decayI.map((d) => d[k]), bias: bias.map((x) => x[k]), vRest: l.vRest[k], threshold: l.threshold[k], vReset: l.vReset[k], spiking: l.spiking, subtract };
      const drive = currentsStep(c, input, nrn, a);
      ({ v, spike } = r.until[j] > t ? { v: l.vReset[k], spike: false } : membraneStep(r.v[j], drive, nrn, a));
    }
    r.c.forEach((x, p) => (x[j] = c[p]));
    r.v[j] = v;
    if (spike) { r.out[j] = 1; r.until[j] = t + 1 + l.refractory[k]; }
    else if (!l.spiking && r.until[j] <= t && v !== 0) r.out[j] = l.arith === "float" ? v : v * l.scale;
  }
}

function record(r: LayerRun, t: number, B: number, rec: Record<string, Float64Array>, spikes: Array<[number, number, number]>): void {
  const n = B * r.l.size, at = t * n, u = r.l.scale;
  for (let j = 0; j < n; j++) {
    rec.v[at + j] = r.v[j] * u;
    rec.spike[at + j] = r.l.spiking ? r.out[j] : 0;
    if (r.l.spiking && r.out[j] !== 0) spikes.push([t, Math.floor(j / r.l.size), j % r.l.size]);
  }
  r.c.forEach((c, p) => { const a = rec[r.c.length > 1 ? `i${p}` : "i"]; for (let j = 0; j < n; j++) a[at + j] = c[j] * u; });
}

function applyInit(runs: LayerRun[], init: VmInit): void {
  for (const [name, vars] of Object.entries(init)) {
    const r = runs.find((x) => x.l.name === name);
    if (!r) throw new PhasorError(`no layer "${name}"`, "unknown-layer");
    for (const [v, values] of Object.entries(vars)) {
      const dst = v === "v" ? r.v : v === "i" ? r.c[0] : r.c[Number(v.slice(1))];
      const code = (x: number) => (r.l.arith === "float" ? x : Math.max(-r.l.smax, Math.min(r.l.smax, Math.round(x / r.l.scale))));
      for (let j = 0; j < dst.length; j++) dst[j] = code(values[j % values.length]);
    }
  }
}
