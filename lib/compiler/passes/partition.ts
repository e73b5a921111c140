/**
 * Partitioning: each chip layer is cut, in neuron order, into core-sized slices that respect
 * the core's neuron, synapse-memory and fan-in limits (as SpiNNaker's PACMAN splits
 * populations). Speck-style targets take one whole layer per core.
 */
import { IssueList } from "../../ir/errors.js";
import type { Csr, Layer, Netlist } from "../netlist.js";
import type { CompileState, Slice } from "../state.js";
import { speckLayerMemory } from "./speck-memory.js";
import { tooFewCores } from "../../target/system.js";

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
  const off = offsets(n);
  const total = n.layers.reduce((a, l) => a + l.size, 0);
  const stamp = new Int32Array(total).fill(-1);
  for (const l of n.layers) {
    if (l.kind !== "neuron" || l.host) continue;
    if (t.mapping === "single-core") { slices.push({ layer: l.name, start: 0, count: l.size, synapses: n.projections.filter((p) => p.dst === l.name).reduce((a, p) => a + (p.connectivity?.mode === "procedural" ? 0 : p.csr?.indices.length ?? 0), 0), fanIn: 0 }); continue; }
    if (t.mapping === "layer-per-core") {
      const p = n.projections.find((x) => x.dst === l.name);
      const m = p ? speckLayerMemory(p, n.layers.find((x) => x.name === p.src)!) : "no input";
      if (typeof m !== "string") slices.push({ layer: l.name, start: 0, count: l.size, synapses: m.kernelMemory, fanIn: 0, kernelMemory: m.kernelMemory, neuronMemory: m.neuronMemory });
      continue;
    }
    cutLayer(n, l, off, stamp, slices, s, issues);
  }
  if (t.mapping !== "single-core" && slices.length > t.cores) issues.add("too-many-cores", [], tooFewCores(t, slices.length));
  issues.throwIfAny();
  return { ...s, slices };
}

function cutLayer(n: Netlist, l: Layer, off: Map<string, number>, stamp: Int32Array, slices: Slice[], s: CompileState, issues: IssueList): void {
  const core = s.target.core, tn = s.target.name;
  const inc = n.projections.filter((p) => p.dst === l.name);
  // A procedural projection's synapses take no synapse memory (only its rule), but count towards fan-in.
  const cols = inc.filter((p) => p.csr).map((p) => ({ t: transpose(p.csr!), base: off.get(p.src)!, stored: p.connectivity?.mode !== "procedural" }));
  const shared = inc.filter((p) => !p.csr).map((p) => ({ weights: p.ops[p.ops.length - 1].kind === "conv" ? (p.ops[p.ops.length - 1] as { weight: ArrayLike<number> }).weight.length : 0, fanIn: n.layers.find((x) => x.name === p.src)!.size }));
  const sharedSyn = shared.reduce((a, x) => a + x.weights, 0), sharedIn = shared.reduce((a, x) => a + x.fanIn, 0);
  let cur: Slice | undefined;
  let id = slices.length;
  for (let j = 0; j < l.size; j++) {
    let syn = 0, fresh = 0;
    const mark = cur ? id : -2;
    for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) { if (c.stored) syn++; if (stamp[c.base + c.t.indices[k]] !== mark) fresh++; }
    const alone = { syn: syn + sharedSyn, fanIn: countDistinct(cols, j) + sharedIn };
    if (alone.fanIn > core.fanIn) { issues.add("fan-in", [l.name], `${l.name}[${j}] needs fan-in ${alone.fanIn}; ${tn} allows ${core.fanIn} inputs per core`); return; }
    if (alone.syn > core.synapses) { issues.add("synapse-memory", [l.name], `${l.name}[${j}] needs ${alone.syn} synapses; ${tn} stores ${core.synapses} per core`); return; }
    if (!cur || cur.count + 1 > core.neurons || cur.synapses + syn > core.synapses || cur.fanIn + fresh > core.fanIn) {
      if (cur) slices.push(cur);
      id = slices.length;
      cur = { layer: l.name, start: j, count: 0, synapses: sharedSyn, fanIn: sharedIn };
      fresh = 0;
      for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) if (stamp[c.base + c.t.indices[k]] !== id) { stamp[c.base + c.t.indices[k]] = id; fresh++; }
    } else for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) stamp[c.base + c.t.indices[k]] = id;
    cur.count++;
    cur.synapses += syn;
    cur.fanIn += fresh;
  }
  if (cur) slices.push(cur);
}

function countDistinct(cols: Array<{ t: Csr; base: number }>, j: number): number {
  const seen = new Set<number>();
  for (const c of cols) for (let k = c.t.indptr[j]; k < c.t.indptr[j + 1]; k++) seen.add(c.base + c.t.indices[k]);
  return seen.size;
}

/** CSR transpose: rows become postsynaptic neurons, indices presynaptic ones (weights dropped). */
export function transpose(c: Csr): Csr {
  const indptr = new Int32Array(c.post + 1);
  for (let k = 0; k < c.indices.length; k++) indptr[c.indices[k] + 1]++;
  for (let j = 0; j < c.post; j++) indptr[j + 1] += indptr[j];
  const fill = indptr.slice(0, c.post);
  const indices = new Int32Array(c.indices.length);
  for (let i = 0; i < c.pre; i++) for (let k = c.indptr[i]; k < c.indptr[i + 1]; k++) indices[fill[c.indices[k]]++] = i;
  return { pre: c.post, post: c.pre, indptr, indices, weight: new Float64Array(0) };
}
