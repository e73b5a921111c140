/**
 * Partitioning: each chip layer is cut, in neuron order or by receptive fields (pack.ts), into core-sized slices that respect
 * the core's neuron, synapse-memory and fan-in limits (as SpiNNaker's PACMAN splits
 * populations). Speck-style targets take one whole layer per core.
 */
import { IssueList } from "../../ir/errors.js";
import type { Csr, Layer, Netlist, Projection } from "../netlist.js";
import type { CompileState, Slice } from "../state.js";
import { speckLayerMemory, type SpeckLayer } from "./speck-memory.js";
import { receptiveOrder, runsOf, type Inputs } from "./pack.js";
import { tooFewCores } from "../../target/system.js";
import { ruleOnly } from "./traffic.js";
import { expectedFanIn } from "./rule-stats.js";

/** Global neuron offset of each layer (every layer, in netlist order). */
export function offsets(n: Netlist): Map<string, number> {
  const m = new Map<string, number>();
  let o = 0;
  for (const l of n.layers) { m.set(l.name, o); o += l.size; }
  return m;
}

/** Cuts chip layers into slices; fails naming the layer, the constraint and the numbers. */
export function partition(s: CompileState): CompileState {
  const n = s.netlist!, t = s.target, issues = new IssueList();
  const slices: Slice[] = [];
  const packing: Record<string, string> = {};
  const off = offsets(n);
  for (const l of n.layers) {
    if (l.kind !== "neuron" || l.host) continue;
    if (t.mapping === "single-core") { slices.push({ layer: l.name, start: 0, count: l.size, synapses: storedSynapses(n, l), fanIn: 0 }); continue; }
    if (t.mapping === "layer-per-core") {
      // The rules pass (speckLayers) has refused a layer without input or whose path a core cannot run.
      const p = n.projections.find((x) => x.dst === l.name)!;
      const m = speckLayerMemory(p, n.layers.find((x) => x.name === p.src)!) as SpeckLayer;
      slices.push({ layer: l.name, start: 0, count: l.size, synapses: m.kernelMemory, fanIn: 0, kernelMemory: m.kernelMemory, neuronMemory: m.neuronMemory });
      continue;
    }
    packLayer(n, l, off, slices, s, issues, packing);
  }
  // Cores are counted only when every layer could be cut (a layer that failed left no slices to count).
  if (t.mapping !== "single-core" && !issues.issues.length && slices.length > t.cores) issues.add("too-many-cores", [], tooFewCores(t, slices.length));
  issues.throwIfAny();
  return { ...s, slices, packing };
}

function cutLayer(n: Netlist, l: Layer, off: Map<string, number>, stamp: Int32Array, slices: Slice[], s: CompileState, issues: IssueList, order?: Int32Array): void {
  const core = s.target.core, tn = s.target.name;
  const inc = n.projections.filter((p) => p.dst === l.name);
  // Stored synapses (a CSR); a procedural projection has none (its rule takes no synapse memory) but counts towards fan-in.
  const cols = inc.filter((p) => p.csr).map((p) => ({ t: transpose(p.csr!), base: off.get(p.src)! }));
  // Neither CSR nor rule: a kept convolution (lower.ts keeps only conv chains), its kernel stored once per core.
  const shared = inc.filter((p) => !p.csr && !ruleOnly(p)).map((p) => ({ weights: kernelOf(p).length, fanIn: n.layers.find((x) => x.name === p.src)!.size }));
  const sharedSyn = shared.reduce((a, x) => a + x.weights, 0), sharedIn = shared.reduce((a, x) => a + x.fanIn, 0);
  // A procedural projection kept as its rule (no CSR): its expected distinct sources onto c neurons (rule-stats.ts).
  const rules = inc.map(ruleOnly).filter((r) => r !== undefined), rin = (c: number) => rules.reduce((a, r) => a + expectedFanIn(r, c), 0);
  const first = slices.length;
  let cur: Slice | undefined;
  let id = slices.length;
  for (let q = 0; q < l.size; q++) {
    const j = order ? order[q] : q;
    let syn = 0, fresh = 0;
    // Inputs not yet read by the current slice (when a new slice opens, they are counted again below).
    for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) { syn++; if (stamp[c.base + c.t.indices[k]] !== id) fresh++; }
    const alone = { syn: syn + sharedSyn, fanIn: countDistinct(cols, j) + sharedIn + rin(1) };
    if (alone.fanIn > core.fanIn) { issues.add("fan-in", [l.name], `${l.name}[${j}] needs fan-in ${Math.ceil(alone.fanIn)}${rules.length ? " (expected)" : ""}; ${tn} allows ${core.fanIn} inputs per core`); return; }
    if (alone.syn > core.synapses) { issues.add("synapse-memory", [l.name], `${l.name}[${j}] needs ${alone.syn} synapses; ${tn} stores ${core.synapses} per core`); return; }
    const grow = cur ? rin(cur.count + 1) - rin(cur.count) : 0;
    if (!cur || cur.count + 1 > core.neurons || cur.synapses + syn > core.synapses || cur.fanIn + fresh + grow > core.fanIn) {
      if (cur) slices.push(cur);
      id = slices.length;
      cur = { layer: l.name, start: j, count: 0, synapses: sharedSyn, fanIn: sharedIn + rin(1) };
      fresh = 0;
      for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) if (stamp[c.base + c.t.indices[k]] !== id) { stamp[c.base + c.t.indices[k]] = id; fresh++; }
    } else for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) stamp[c.base + c.t.indices[k]] = id;
    cur.count++;
    cur.synapses += syn;
    cur.fanIn += fresh + (cur.count > 1 ? grow : 0);
  }
  // Stryker disable next-line ConditionalExpression: a neuron layer has at least one neuron, so a slice is open here
  if (cur) slices.push(cur);
  for (let k = first; k < slices.length; k++) slices[k].fanIn = Math.ceil(slices[k].fanIn - 1e-9);
}

/** Synapses a layer stores on one core (its CSRs'; a procedural projection keeps only its rule). */
function storedSynapses(n: Netlist, l: Layer): number {
  return n.projections.filter((p) => p.dst === l.name).reduce((a, p) => a + (p.csr?.indices.length ?? 0), 0);
}

/** The kernel of a kept convolution chain (its last op). */
function kernelOf(p: Projection): ArrayLike<number> {
  return (p.ops[p.ops.length - 1] as Extract<Projection["ops"][number], { kind: "conv" }>).weight;
}

function countDistinct(cols: Array<{ t: Csr; base: number }>, j: number): number {
  const seen = new Set<number>();
  for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) seen.add(c.base + c.t.indices[k]);
  return seen.size;
}

/**
 * Cuts a chip layer in its neuron order and in its receptive-field order (pack.ts) and keeps the cut
 * that needs fewer cores (the neuron order on a tie); a slice cut in the other order holds its
 * neurons as ascending runs. `packing` records the order used per layer.
 */
function packLayer(n: Netlist, l: Layer, off: Map<string, number>, slices: Slice[], s: CompileState, issues: IssueList, packing: Record<string, string>): void {
  const total = n.layers.reduce((a, x) => a + x.size, 0);
  const cut = (order?: Int32Array) => {
    const out: Slice[] = [], found = new IssueList();
    cutLayer(n, l, off, new Int32Array(total).fill(-1), out, s, found, order);
    return { out, found };
  };
  let best = cut(), used = "neuron order";
  const order = best.found.ok ? receptiveOrder(l.size, inputsOf(n, l, off)) : undefined;
  // Stryker disable next-line ConditionalExpression: without an order the cut repeats the neuron order's, which is never fewer cores
  if (order) {
    const rf = cut(order);
    if (rf.found.ok && rf.out.length < best.out.length) {
      let q = 0;
      for (const sl of rf.out) {
        const runs = runsOf(order, q, q + sl.count);
        q += sl.count;
        sl.start = runs[0].start;
        if (runs.length > 1) sl.runs = runs;
      }
      used = `receptive fields (${rf.out.length} cores; neuron order needs ${best.out.length})`;
      best = rf;
    }
  }
  for (const i of best.found.issues) issues.add(i.code, i.path, i.message);
  slices.push(...best.out);
  packing[l.name] = used;
}

/** A layer's stored inputs per neuron (transposed CSRs with the sources' global offsets). */
function inputsOf(n: Netlist, l: Layer, off: Map<string, number>): Inputs[] {
  return n.projections.filter((p) => p.dst === l.name && p.csr).map((p) => ({ t: transpose(p.csr!), base: off.get(p.src)! }));
}

/** CSR transpose: rows become postsynaptic neurons, indices presynaptic ones (weights dropped). */
export function transpose(c: Csr): Csr {
  const indptr = new Int32Array(c.post + 1);
  // Stryker disable next-line EqualityOperator: a bound one past the end reads undefined and writes nothing (typed arrays ignore writes outside them)
  for (let k = 0; k < c.indices.length; k++) indptr[c.indices[k] + 1]++;
  // Stryker disable next-line EqualityOperator: a bound one past the end reads undefined and writes nothing (typed arrays ignore writes outside them)
  for (let j = 0; j < c.post; j++) indptr[j + 1] += indptr[j];
  const fill = indptr.slice(0, c.post);
  const indices = new Int32Array(c.indices.length);
  // Stryker disable next-line EqualityOperator: a bound one past the end reads undefined and writes nothing (typed arrays ignore writes outside them)
  for (let i = 0; i < c.pre; i++)
    for (let k = c.indptr[i]; k < c.indptr[i + 1]; k++) indices[fill[c.indices[k]]++] = i;
  return { pre: c.post, post: c.pre, indptr, indices, weight: new Float64Array(0) };
}
