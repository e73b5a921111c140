/**
 * NeuroBench's metrics of a run, defined as NeuroBench's code defines them (NeuroBench/neurobench,
 * neurobench/metrics/) and named as its results name them, each Linear or Conv layer of
 * NeuroBench being one projection of the Program:
 * - Footprint: bytes of the model's parameters (static/footprint.py: numel x element size of
 *   every parameter and buffer): every weight of every projection, zeros included (pre x post
 *   for a Linear, sparse projections too; the kernel for a convolution, kept or expanded),
 *   projection biases, and the per-neuron parameter arrays the Program holds (decays,
 *   threshold, reset, rest; bias and refractory periods where not all zero); state is not
 *   counted (snnTorch's membrane buffer is empty before a run). Element size: 8 bytes on float
 *   layers, else the smallest whole integer type (1, 2, 4, 8 bytes) holding the target's weight
 *   or state width.
 * - ConnectionSparsity: zero weights over all weights of the projections, rounded to 4 decimals
 *   (static/connection_sparsity.py).
 * - ActivationSparsity: zero outputs over all outputs of the spiking layers, every step and
 *   batch entry (workload/activation_sparsity.py).
 * - SynapticOperations (workload/synaptic_operations.py, utils/layers/macs.py, input.py): a
 *   layer call is one projection at one step over the whole batch; it is AC when every input is
 *   0, 1 or -1, else MAC; its effective operations are the pairs of a nonzero input and a nonzero
 *   weight, Dense all pairs (inputs and weights set to 1: padding excluded, zeros included); bias
 *   excluded; everything divided by the batch (samples). A projection is called every step;
 *   events that arrive after the run (the last `lag` steps of a delayed or recurrent
 *   projection) take part in no call. A convolution after sum pooling takes the pooled input, as
 *   its Conv layer does. A convolution expanded into synapses is still one Conv layer: the
 *   Program keeps its shape, and its kernel is read back from the synapses (sum pooling windows
 *   that do not overlap). Other op chains the compiler composed into one projection (a Linear
 *   after a Linear, average pooling as sum pooling and a scale) count as one Linear.
 *   The counts come from per-neuron event totals; per-event data only where needed: an input
 *   layer's events of its last `lag` steps (Network.inputTail, bounded), every step's events of
 *   a layer feeding a pooled convolution, and the spike log that neuron layers keep anyway.
 * - MembraneUpdates: per neuron layer, every neuron at the first step, then the neurons whose v
 *   changed in a step (workload/membrane_updates.py), over the batch, divided by the batch; v is
 *   the state after the step's reset (snnTorch's `mem` with reset_delay=False; its default keeps
 *   the pre-reset value until the next step). Counted only when the run asks (membraneUpdates:
 *   true), as NeuroBench counts it only when listed: it costs about one more pass over the state.
 * `hardware` holds Phasor's hardware-centric counterparts, which are not NeuroBench's.
 */
import type { LinearOp } from "../compiler/netlist.js";
import { composeCsr } from "../compiler/ops.js";
import type { ConvGeometry } from "../compiler/program.js";
import type { VmModel, VmProjection } from "./model.js";
import type { Network } from "./network.js";
import type { Counters } from "./types.js";
import { proceduralRowStats } from "./row-stats.js";

/** NeuroBench's SynapticOperations result (per sample). */
export interface SynapticOperations {
  Effective_MACs: number;
  Effective_ACs: number;
  Dense: number;
}

/** The metrics of a run: NeuroBench's, under NeuroBench's names, and Phasor's hardware-centric ones. */
export interface NeuroBenchMetrics {
  /** Bytes of parameters, every weight included (NeuroBench's Footprint). */
  Footprint: number;
  /** Zero weights / all weights, rounded to 4 decimals (NeuroBench's ConnectionSparsity). */
  ConnectionSparsity: number;
  /** Zero outputs / all outputs of the spiking layers (NeuroBench's ActivationSparsity). */
  ActivationSparsity: number;
  /** Per sample, layer calls classed AC or MAC from their input (NeuroBench's SynapticOperations). */
  SynapticOperations: SynapticOperations;
  /** Per sample, membrane potential updates (NeuroBench's MembraneUpdates); null unless the run counted them. */
  MembraneUpdates: number | null;
  /** SynapticOperations per projection (per sample), whose sum is SynapticOperations. */
  byProjection: Record<string, SynapticOperations>;
  /** Phasor's hardware-centric figures (not NeuroBench's), per sample where counts. */
  hardware: {
    /** Bytes of stored synapses at the weight width plus per-neuron parameters and state at the state width. */
    memoryBytes: number;
    /** Stored synapses x steps (what the chip would touch if every input were nonzero). */
    storedSynOps: number;
    /** Synapses reached by +1 events, event by event. */
    binaryEventSynOps: number;
    /** Synapses reached by other events (graded or -1), event by event. */
    gradedEventSynOps: number;
  };
  /** Where this network leaves NeuroBench's definitions approximated (empty when exact). */
  caveats: string[];
}

/** Smallest whole integer type, in bytes, holding `bits`. */
const containerBytes = (bits: number) => (bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8);

/** z / w rounded to 4 decimals, ties to even, as Python's round(z / w, 4) on exact quotients. */
export function round4(z: number, w: number): number {
  if (w === 0) return 0;
  const q = Math.floor((z * 10000) / w), r = z * 10000 - q * w;
  return (2 * r > w || (2 * r === w && q % 2 === 1) ? q + 1 : q) / 10000;
}

/** A projection's NeuroBench Conv layer: its shape and kernel (kept, or read back from the expanded synapses). */
interface ConvLayer { g: ConvGeometry; kernel: Float64Array }

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const pair = (a: number[]): [number, number] => (a.length === 1 ? [a[0], a[0]] : [a[0], a[1]]);

/** The compiler's op for a Conv layer (and its sum pooling). */
function convOps(c: ConvLayer): { pool?: LinearOp; conv: LinearOp } {
  const { pool, wShape, stride, padding, dilation, groups, inShape, outShape } = c.g;
  const conv: LinearOp = { kind: "conv", node: "conv", weight: c.kernel, wShape, stride, padding, dilation, groups, inShape, outShape };
  return { conv, ...(pool ? { pool: { kind: "pool", node: "pool", ...pool } } : {}) };
}

/** The Conv layer of a projection, or null for a Linear one. */
function convLayer(m: VmModel, p: VmProjection): ConvLayer | null {
  const pr = m.program.projections[p.index];
  if (pr.conv) return { g: pr.conv, kernel: Float64Array.from(m.program.blobs[pr.conv.weight]) };
  return pr.csr?.from ? { g: pr.csr.from, kernel: kernelOf(p, pr.csr.from, m.layers[p.src].size) } : null;
}

/** A convolution's kernel read back from its expanded synapses: each is one tap at one place (taps never seen are 0). */
function kernelOf(p: VmProjection, g: ConvGeometry, nIn: number): Float64Array {
  const [, H, W] = g.inShape, [F, OH, OW] = g.outShape, [, cpg, KH, KW] = g.wShape;
  const [sy, sx] = pair(g.stride), [py, px] = pair(g.padding), [dy, dx] = pair(g.dilation);
  const pooling = g.pool ? composeCsr([{ kind: "pool", node: "pool", ...g.pool }], nIn) : null;
  const kernel = new Float64Array(size(g.wShape));
  for (let k = 0; k < nIn; k++) {
    // After sum pooling (windows that do not overlap), an input's synapses are those of its pooled cell.
    const cell = pooling ? (pooling.indptr[k + 1] > pooling.indptr[k] ? pooling.indices[pooling.indptr[k]] : -1) : k;
    if (cell < 0) continue;
    const cl = Math.floor(cell / (H * W)) % cpg, y = Math.floor(cell / W) % H, x = cell % W;
    for (let q = p.indptr[k]; q < p.indptr[k + 1]; q++) {
      const j = p.indices[q], f = Math.floor(j / (OH * OW)), oy = Math.floor(j / OW) % OH, ox = j % OW;
      const ky = (y + py - oy * sy) / dy, kx = (x + px - ox * sx) / dx;
      if (f < F) kernel[((f * cpg + cl) * KH + ky) * KW + kx] = p.weight[q];
    }
  }
  return kernel;
}

/** Nonzero weights per row of a CSR. */
function rowNonzeros(indptr: Int32Array, weight: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indptr.length - 1);
  for (let k = 0; k < out.length; k++) for (let q = indptr[k]; q < indptr[k + 1]; q++) if (weight[q] !== 0) out[k]++;
  return out;
}

const csrNonzeros = new WeakMap<VmProjection, Float64Array>();

/** Nonzero weights per row: the CSR's (counted once per projection), or the procedural rows' (shared with the counters). */
function projectionRowNonzeros(m: VmModel, p: VmProjection): Float64Array {
  if (p.rows) return proceduralRowStats(m, p).nonzeros;
  let nz = csrNonzeros.get(p);
  if (!nz) { nz = rowNonzeros(p.indptr, p.weight); csrNonzeros.set(p, nz); }
  return nz;
}

/** Weights and zero weights of a projection as NeuroBench's Linear or Conv layer holds them. */
function weightCounts(m: VmModel, p: VmProjection, c: ConvLayer | null): { weights: number; zeros: number } {
  const w = c ? c.kernel : p.weight;
  let nz = 0;
  if (!c) nz = projectionRowNonzeros(m, p).reduce((a, b) => a + b, 0);
  else for (let q = 0; q < w.length; q++) if (w[q] !== 0) nz++;
  const weights = c ? w.length : m.layers[p.src].size * m.layers[p.dst].size;
  return { weights, zeros: weights - nz };
}

/** Dense operations of one call for one sample: inputs and weights all 1 (macs.py with total=True). */
function denseOps(m: VmModel, p: VmProjection, c: ConvLayer | null): number {
  if (!c) return m.layers[p.src].size * m.layers[p.dst].size;
  const { conv } = convOps({ g: c.g, kernel: new Float64Array(size(c.g.wShape)).fill(1) });
  return composeCsr([conv], size(c.g.inShape)).indices.length;
}

/** A visitor of one event: step, batch entry, index. */
type EventFn = (t: number, b: number, k: number) => void;

/**
 * Calls f(t, b, k) for each event of layer i at steps [from, to), in step order, from the spike
 * log (searched, not grouped: time linear in the events visited) or an input layer's ring of its
 * last steps; false when the layer's events are not logged (a graded layer).
 */
function forEvents(net: Network, i: number, from: number, to: number, f: EventFn): boolean {
  const tail = net.inputTail[i];
  if (tail) {
    for (let t = Math.max(0, from); t < to; t++) {
      const slot = tail.keep ? t % tail.keep : -1, ev = slot >= 0 && tail.steps[slot] === t ? tail.events[slot] : [];
      for (let q = 0; q < ev.length; q += 2) f(t, ev[q], ev[q + 1]);
    }
    return true;
  }
  if (!net.model.layers[i].spiking) return false;
  const log = net.spikeLog[i];
  let lo = 0, hi = log.length / 3;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (log[3 * mid] < from) lo = mid + 1; else hi = mid; }
  for (let q = 3 * lo; q < log.length && log[q] < to; q += 3) f(log[q], log[q + 1], log[q + 2]);
  return true;
}

/** Effective AC and MAC operations of a projection over the run (all batch entries). */
type Ops = { ac: number; mac: number };

function effectiveOps(net: Network, p: VmProjection, c: ConvLayer | null, steps: number, caveats: string[]): Ops {
  const m = net.model, ev = net.events[p.src];
  if (c?.g.pool) return pooledOps(net, p, c, steps, caveats);
  const nz = projectionRowNonzeros(m, p);
  let ac = 0, mac = 0;
  for (let k = 0; k < nz.length; k++) {
    mac += ev.inGradedCall[k] * nz[k];
    ac += (ev.binary[k] + ev.graded[k] - ev.inGradedCall[k]) * nz[k];
  }
  if (p.lag === 0) return { ac, mac };
  // Events of the last `lag` steps would arrive after the run: no call takes them.
  const graded = new Set(ev.gradedSteps);
  const drop: EventFn = (t, _b, k) => { if (graded.has(t)) mac -= nz[k]; else ac -= nz[k]; };
  const logged = forEvents(net, p.src, steps - p.lag, steps, drop);
  if (!logged) {
    const layer = m.layers[p.src].name;
    caveats.push(`${p.name}: events of the last ${p.lag} step(s) of graded layer ${layer} counted, though no call takes them`);
  }
  return { ac, mac };
}

/** Effective operations of a convolution after sum pooling: per call, the pooled nonzeros times their nonzero taps. */
function pooledOps(net: Network, p: VmProjection, c: ConvLayer, steps: number, caveats: string[]): Ops {
  const m = net.model, src = m.layers[p.src], { pool, conv } = convOps(c);
  const B = net.batch;
  if (!src.spiking) {
    caveats.push(`${p.name}: pooled input of graded layer ${src.name} not logged; counted as zero`);
    return { ac: 0, mac: 0 };
  }
  if (src.kind === "input" && net.events[p.src].graded.some((x) => x > 0)) {
    caveats.push(`${p.name}: input values other than 1 pooled as 1 (input events' values are not logged)`);
  }
  const pooling = composeCsr([pool!], src.size), nPooled = size(c.g.inShape);
  const convCsr = composeCsr([conv], nPooled), taps = rowNonzeros(convCsr.indptr, convCsr.weight);
  const graded = new Set(net.events[p.src].gradedSteps), sum = new Float64Array(B * nPooled), touched: number[] = [];
  let ac = 0, mac = 0, step = -1;
  // One call per step: its pooled input summed from the step's events, then its operations counted.
  const call = () => {
    let ops = 0, isGraded = graded.has(step);
    for (const j of touched) {
      if (sum[j] !== 0) { ops += taps[j % nPooled]; if (sum[j] !== 1 && sum[j] !== -1) isGraded = true; }
      sum[j] = 0;
    }
    touched.length = 0;
    if (isGraded) mac += ops; else ac += ops;
  };
  forEvents(net, p.src, 0, steps - p.lag, (t, b, k) => {
    if (t !== step) { call(); step = t; }
    for (let q = pooling.indptr[k]; q < pooling.indptr[k + 1]; q++) {
      const j = b * nPooled + pooling.indices[q];
      if (sum[j] === 0) touched.push(j);
      sum[j] += pooling.weight[q];
    }
  });
  call();
  return { ac, mac };
}

/** Bytes of a model's parameters as NeuroBench's Footprint counts them (see the file comment). */
function footprint(m: VmModel): number {
  const a = m.program.target.arithmetic;
  const wBytes = (i: number) => (m.layers[i].arith === "float" ? 8 : containerBytes(a.weightBits));
  const sBytes = (i: number) => (m.layers[i].arith === "float" ? 8 : containerBytes(a.stateBits));
  let bytes = 0;
  for (const p of m.projections) {
    bytes += weightCounts(m, p, convLayer(m, p)).weights * wBytes(p.dst) + (p.bias ? p.bias.length * sBytes(p.dst) : 0);
  }
  for (const l of m.program.layers) {
    const pr = l.params, i = m.layers.findIndex((x) => x.name === l.name);
    if (!pr || m.layers[i].kind !== "neuron") continue;
    const any = (name: string) => Array.from(m.program.blobs[name] ?? []).some((x) => x !== 0);
    const arrays = 4 + pr.decayI.length + (any(pr.bias) ? 1 : 0) + (any(pr.refractory) ? 1 : 0);
    bytes += arrays * l.size * sBytes(i);
  }
  return bytes;
}

/** Phasor's hardware-centric memory: stored synapses at the weight width, neuron parameters and state at the state width. */
function memoryBytes(m: VmModel): number {
  const a = m.program.target.arithmetic;
  let bytes = 0;
  for (const p of m.projections) {
    const dst = m.layers[p.dst], pr = m.program.projections[p.index], bits = dst.arith === "float" ? 64 : a.weightBits;
    bytes += ((pr.conv ? m.program.blobs[pr.conv.weight].length : p.weight.length) * bits) / 8;
    if (p.bias) bytes += (p.bias.length * (dst.arith === "float" ? 64 : a.stateBits)) / 8;
  }
  for (const l of m.layers) {
    if (l.kind !== "neuron") continue;
    // threshold, reset, rest, bias, decays and v, plus one decay and one current per port
    bytes += (l.size * (6 + (l.cuba ? 2 * l.ports : 0)) * (l.arith === "float" ? 64 : a.stateBits)) / 8;
  }
  return bytes;
}

/** Computes the metrics for a model, its run's counters and the network that ran. */
export function neurobench(m: VmModel, c: Counters, net: Network): NeuroBenchMetrics {
  const B = c.batch, steps = c.steps, caveats: string[] = [];
  let weights = 0, zeros = 0, neurons = 0, spikes = 0, membrane = 0;
  const byProjection: Record<string, SynapticOperations> = {};
  const total: SynapticOperations = { Effective_MACs: 0, Effective_ACs: 0, Dense: 0 };
  for (const p of m.projections) {
    const c = convLayer(m, p), w = weightCounts(m, p, c), { ac, mac } = effectiveOps(net, p, c, steps, caveats);
    weights += w.weights; zeros += w.zeros;
    const s = { Effective_MACs: mac / B, Effective_ACs: ac / B, Dense: denseOps(m, p, c) * steps };
    byProjection[p.name] = s;
    total.Effective_MACs += s.Effective_MACs; total.Effective_ACs += s.Effective_ACs; total.Dense += s.Dense;
  }
  for (const l of m.layers) {
    if (l.kind !== "neuron") continue;
    membrane += net.membraneUpdates?.[l.index] ?? 0;
    if (l.spiking) { neurons += l.size; spikes += c.layers[l.name]?.spikes ?? 0; }
  }
  const slots = neurons * steps * B;
  return {
    Footprint: footprint(m),
    ConnectionSparsity: round4(zeros, weights),
    ActivationSparsity: slots ? 1 - spikes / slots : 0,
    SynapticOperations: total,
    MembraneUpdates: net.membraneUpdates ? membrane / B : null,
    byProjection,
    hardware: {
      memoryBytes: memoryBytes(m), storedSynOps: c.total.synOpsDense / B,
      binaryEventSynOps: c.total.synOpsAC / B, gradedEventSynOps: c.total.synOpsMAC / B,
    },
    caveats,
  };
}
