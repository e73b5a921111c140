/**
 * A Program loaded for execution: per layer the neuron parameters as float64 arrays (integer
 * codes on fixed-point chip layers, model units elsewhere) and per projection CSR synapses
 * (weight-shared convolutions expanded once), plus the order in which spikes are scattered.
 */
import { PhasorError } from "../ir/errors.js";
import type { LinearOp } from "../compiler/netlist.js";
import type { DiscreteLayer } from "../compiler/state.js";
import { composeCsr } from "../compiler/ops.js";
import type { Program, ProgramLayer, ProgramProjection } from "../compiler/program.js";
import { decayValue } from "../compiler/passes/quantise.js";
import { RowGenerator } from "../ir/procedural.js";
import { DENSE_LATENCY } from "../target/arith/loihi.js";

/** How a layer's state is updated. */
export type Arith = "float" | "multiply" | "shift" | "none" | "loihi" | "xylo";

/** A layer as the engines run it: the compiler's per-step factors plus what execution needs. */
export interface VmLayer extends DiscreteLayer {
  index: number;
  name: string;
  kind: ProgramLayer["kind"];
  partition: ProgramLayer["partition"];
  model: string;
  size: number;
  output: boolean;
  /** Integer state with the target's decay encoding, or float64 in model units. */
  arith: Arith;
  decayBits: number;
  /** Largest state magnitude (fixed point), Infinity for float. */
  smax: number;
  /** Model units per state LSB (1 for float layers). */
  scale: number;
  /** Has synaptic currents (CubaLIF, CubaLI, MultiCubaLIF); number of current ports. */
  cuba: boolean;
  ports: number;
  /**
   * Input rings: one per current port, or (Loihi) one per incoming projection, whose sum the
   * update shifts by that projection's weight exponent (`ringExp`) before adding it.
   */
  rings: number;
  ringExp: number[];
  /** Emits binary spikes (else outputs v, a graded value). */
  spiking: boolean;
  /** Every input is a binary spike times an integer weight, so sums need no rounding. */
  integralInput: boolean;
  /** The layer's own constant input (port 0, from step 0 on). */
  bias: Float64Array;
  /**
   * Constant input per port in force from step `from` on (until the next entry; sorted, the
   * first from step 0): the layer's bias on port 0 plus the biases of incoming projections,
   * each delivered with its projection's delay (a recurrent projection's from step 1 on).
   */
  biasSchedule: Array<{ from: number; ports: Float64Array[] }>;
  slices: Array<{ core: number; start: number; count: number }>;
}

/** One projection as CSR (rows = presynaptic neurons, indices sorted). */
export interface VmProjection {
  index: number;
  name: string;
  src: number;
  dst: number;
  port: number;
  /** Which of the destination's input rings the projection adds to. */
  ring: number;
  /** Loihi: the exponent its summed activation is shifted by (0 elsewhere). */
  weightExp: number;
  /** Steps added to every synapse: 1 for a recurrent projection (and for every projection on Loihi). */
  lag: number;
  partition: ProgramProjection["partition"];
  indptr: Int32Array;
  indices: Int32Array;
  weight: Float64Array;
  /** Steps per synapse, in the narrowest unsigned type that holds the longest (a byte per synapse below 256 steps). */
  delay?: Uint8Array | Uint16Array | Int32Array;
  maxDelay: number;
  /** Constant input per destination neuron delivered with the projection's delay (from step `lag` on), in the destination's units. */
  bias?: Float64Array;
  /** Weight-shared on the chip (a kernel in memory) rather than expanded synapses. */
  shared: boolean;
  /**
   * What the scatter reads per synapse, compact: `indices` as 16-bit integers when the
   * destination has at most 65536 neurons, and the weight when every synapse has the same
   * one (bit for bit), so that a spike's row costs 2 bytes per synapse instead of 12.
   */
  fast: { post: Uint16Array | Int32Array; uniformWeight: number | null };
  /**
   * A procedural projection: rows regenerated per spike (indptr all zero, no stored synapses).
   * A row's weight is w gain[post] (float), or round(w gain[post] / scale) codes (times `unit`).
   */
  rows?: { gen: RowGenerator; gain: Float64Array; codes: boolean; scale: number; unit: number; dt: number };
}

/** The loaded Program. */
export interface VmModel {
  program: Program;
  layers: VmLayer[];
  projections: VmProjection[];
  /** Outgoing projections of each layer in scatter order. */
  outgoing: number[][];
  subtract: boolean;
  dt: number;
}

const SPIKING = new Set(["IF", "LIF", "CubaLIF", "MultiCubaLIF"]);
const CUBA = new Set(["CubaLIF", "CubaLI", "MultiCubaLIF"]);

/** Loads a Program for the engines. */
export function loadModel(p: Program): VmModel {
  const layers = p.layers.map((l, i) => loadLayer(p, l, i));
  const index = new Map(layers.map((l) => [l.name, l.index]));
  const projections = p.projections.map((pr, i) => loadProjection(p, pr, i, index, layers));
  for (const pr of projections) {
    const d = layers[pr.dst];
    if (d.arith !== "loihi") continue;
    pr.ring = d.ringExp.length;
    d.ringExp.push(pr.weightExp);
    d.rings = d.ringExp.length;
  }
  const outgoing = layers.map((l) => projections.filter((pr) => pr.src === l.index).map((pr) => pr.index));
  for (const l of layers) l.integralInput = projections.every((pr) => pr.dst !== l.index || (layers[pr.src].kind === "neuron" && layers[pr.src].spiking));
  for (const l of layers) l.biasSchedule = biasSchedule(l, projections.filter((pr) => pr.dst === l.index && pr.bias));
  return { program: p, layers, projections, outgoing, subtract: p.options.reset === "subtract", dt: p.options.dt };
}

function loadLayer(p: Program, l: ProgramLayer, index: number): VmLayer {
  const a = p.target.arithmetic;
  const base = { index, name: l.name, kind: l.kind, partition: l.partition, model: l.model, size: l.size, output: l.output, slices: l.slices };
  const empty = new Float64Array(l.size);
  if (!l.params) {
    return { ...base, arith: "float", decayBits: 0, smax: Infinity, scale: 1, cuba: false, ports: 1, rings: 1, ringExp: [], spiking: l.kind === "input", integralInput: false, decayV: empty, decayI: [], threshold: empty, vReset: empty, vRest: empty, bias: empty, biasSchedule: [], refractory: new Int32Array(l.size) };
  }
  const pr = l.params;
  const blob = (name: string) => {
    const b = p.blobs[name];
    if (!b || b.length !== l.size) throw new PhasorError(`program layer ${l.name}: blob ${name} is missing or has the wrong length`, "bad-program");
    return b;
  };
  const coded = l.partition === "chip" && blob(pr.threshold) instanceof Int32Array;
  const integer = coded && a.fixedPoint;
  const units = (name: string) => Float64Array.from(blob(name), (v) => (coded && !integer ? v * pr.scale : v));
  const decay = (name: string) => Float64Array.from(blob(name), (c) => (coded && !integer ? (a.decay === "none" ? 1 : decayValue(p.target, c)) : c));
  const smax = integer ? 2 ** (a.stateBits - 1) - 1 : Infinity;
  const threshold = units(pr.threshold);
  const loihi = integer && a.profile === "loihi", xylo = integer && a.profile === "xylo";
  const ports = Math.max(1, pr.decayI.length), cuba = loihi || xylo || CUBA.has(l.model);
  if (coded && !integer) for (let k = 0; k < l.size; k++) if (Math.abs(blob(pr.threshold)[k]) >= 2 ** (a.stateBits - 1) - 1) threshold[k] = Infinity;
  return {
    ...base, arith: loihi ? "loihi" : xylo ? "xylo" : integer ? a.decay : "float", decayBits: a.decayBits ?? 0, smax, scale: coded ? pr.scale : 1,
    cuba, ports, rings: cuba ? ports : 1, ringExp: [], spiking: SPIKING.has(l.model), integralInput: false,
    decayV: decay(pr.decayV), decayI: pr.decayI.map(decay), threshold, vReset: units(pr.vReset), vRest: units(pr.vRest), bias: units(pr.bias), biasSchedule: [],
    refractory: Int32Array.from(blob(pr.refractory)),
  };
}

/** The layer's constant input per port by step: its own bias, plus each projection's from the step its delay delivers it. */
function biasSchedule(l: VmLayer, carried: VmProjection[]): VmLayer["biasSchedule"] {
  const P = l.cuba ? l.ports : 1;
  const starts = [...new Set([0, ...carried.map((pr) => pr.lag)])].sort((a, b) => a - b);
  return starts.map((from) => {
    const ports = Array.from({ length: P }, (_, p) => (p === 0 ? l.bias.slice() : new Float64Array(l.size)));
    for (const pr of carried) {
      if (pr.lag > from) continue;
      if (pr.port >= P) throw new PhasorError(`program projection ${pr.name} carries a bias into port ${pr.port} of ${l.name}, which has ${P}`, "bad-program");
      const b = ports[pr.port];
      for (let k = 0; k < l.size; k++) b[k] += pr.bias![k];
    }
    return { from, ports };
  });
}

function loadProjection(p: Program, pr: ProgramProjection, index: number, at: Map<string, number>, layers: VmLayer[]): VmProjection {
  const src = at.get(pr.src), dst = at.get(pr.dst);
  if (src === undefined || dst === undefined) throw new PhasorError(`program projection ${pr.name} joins unknown layers ${pr.src} -> ${pr.dst}`, "bad-program");
  const d = layers[dst];
  const codes = (name: string) => {
    const w = p.blobs[name];
    const toUnits = w instanceof Int32Array && d.arith === "float" && d.partition === "chip";
    const shift = d.arith === "xylo" && !!pr.weightExp;
    // Float64 values used as they are: the VM reads the Program's array (no engine writes synapse arrays).
    if (w instanceof Float64Array && !toUnits && !shift) return w;
    // Codes stay codes on integer layers; a float layer fed by integer codes works in model units.
    const out = Float64Array.from(w);
    if (toUnits) for (let q = 0; q < out.length; q++) out[q] *= pr.scale;
    // Xylo shifts each weight left by its matrix's weight shift as it delivers an event.
    if (shift) for (let q = 0; q < out.length; q++) out[q] *= 2 ** pr.weightExp!;
    return out;
  };
  const bias = pr.bias && p.blobs[pr.bias] ? codes(pr.bias) : undefined;
  if (pr.bias && bias?.length !== d.size) throw new PhasorError(`program projection ${pr.name}: bias blob ${pr.bias} is missing or has the wrong length`, "bad-program");
  const lag = d.arith === "loihi" ? DENSE_LATENCY : d.arith === "xylo" ? xyloLag(layers[src]) : pr.recurrent ? 1 : 0;
  const base = { index, name: pr.name, src, dst, port: pr.port, ring: pr.port, weightExp: pr.weightExp ?? 0, lag, partition: pr.partition, ...(bias ? { bias } : {}) };
  if (pr.procedural) {
    const q = pr.procedural, gen = new RowGenerator(q.spec), gain = Float64Array.from(p.blobs[q.gain]);
    const unit = q.codes && d.arith === "float" && d.partition === "chip" ? pr.scale : 1;
    const rows = { gen, gain, codes: q.codes, scale: pr.scale, unit, dt: p.options.dt };
    const none = { indptr: new Int32Array(q.spec.pre + 1), indices: new Int32Array(0), weight: new Float64Array(0) };
    return { ...base, ...none, maxDelay: q.maxDelay, shared: false, fast: { post: none.indices, uniformWeight: null }, rows };
  }
  if (pr.csr) {
    const c = pr.csr;
    const delay = c.delay ? compactSteps(p.blobs[c.delay]) : undefined;
    const indices = int32(p.blobs[c.indices]), weight = codes(c.weight);
    return { ...base, indptr: int32(p.blobs[c.indptr]), indices, weight, delay, maxDelay: delay ? maxOf(delay) : 0, shared: false, fast: compact(indices, weight, d.size) };
  }
  const cv = pr.conv!;
  const ops: LinearOp[] = [];
  if (cv.pool) ops.push({ kind: "pool", node: pr.name + ".pool", ...cv.pool });
  ops.push({ kind: "conv", node: pr.name, weight: codes(cv.weight), wShape: cv.wShape, stride: cv.stride, padding: cv.padding, dilation: cv.dilation, groups: cv.groups, inShape: cv.inShape, outShape: cv.outShape });
  const csr = composeCsr(ops, layers[src].size);
  return { ...base, indptr: csr.indptr, indices: csr.indices, weight: csr.weight, maxDelay: 0, shared: true, fast: compact(csr.indices, csr.weight, d.size) };
}

/** Delay steps in a Uint8Array where the longest is below 256, a Uint16Array below 65536, else an Int32Array. */
export function compactSteps(steps: ArrayLike<number>): Uint8Array | Uint16Array | Int32Array {
  const max = maxOf(steps);
  return max < 256 ? Uint8Array.from(steps) : max < 65536 ? Uint16Array.from(steps) : Int32Array.from(steps);
}

/** A Program's integer blob as it is (shared with the Program, never written), or converted when stored as float64. */
function int32(a: Int32Array | Float64Array): Int32Array {
  return a instanceof Int32Array ? a : Int32Array.from(a);
}

function maxOf(a: ArrayLike<number>): number {
  let max = 0;
  for (let q = 0; q < a.length; q++) max = Math.max(max, a[q]);
  return max;
}

/** Xylo delivers input events in their own step and hidden-layer events in the next (its recurrent buffer). */
export function xyloLag(src: VmLayer): number {
  return src.kind === "neuron" ? 1 : 0;
}

/** The scatter's compact copy of a projection's synapses (see VmProjection.fast). */
function compact(indices: Int32Array, weight: Float64Array, dstSize: number): VmProjection["fast"] {
  let u: number | null = weight.length ? weight[0] : null;
  for (let q = 1; q < weight.length && u !== null; q++) if (!Object.is(weight[q], u)) u = null;
  return { post: dstSize <= 65536 ? Uint16Array.from(indices) : indices, uniformWeight: u };
}
