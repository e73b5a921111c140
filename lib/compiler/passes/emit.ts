/** Emission: the placed, routed, quantised netlist becomes a self-contained Program with its resource report. */
import type { Program, ProgramCore, ProgramLayer, ProgramProjection } from "../program.js";
import { PROGRAM_FORMAT, PROGRAM_VERSION, SEMANTICS } from "../program.js";
import { unverified, type ResourceReport } from "../report.js";
import type { Projection } from "../netlist.js";
import type { CompileState } from "../state.js";
import { crossingSpikes } from "./traffic.js";
import { coreXY } from "./place.js";
import { systemOf } from "../../target/system.js";
import { isConvChain } from "./lower.js";
import { loihiCodes } from "./quantise-loihi.js";
import { discreteLayer } from "./discretise.js";

/** Builds the Program (deterministic: names, orders and arrays depend only on the inputs). */
export function emit(s: CompileState): CompileState {
  const t = s.target, n = s.netlist!, slices = s.slices!, at = s.placement!, routing = s.routing!;
  const blobs: Program["blobs"] = {};
  const put = (name: string, a: Int32Array | Float64Array) => { blobs[name] = a; return name; };
  const hostOf = new Map(n.layers.map((l) => [l.name, l.kind === "input" ? "external" : l.host ? "host" : "chip"]));
  const layers: ProgramLayer[] = n.layers.map((l) => {
    const pl: ProgramLayer = { name: l.name, kind: l.kind, model: l.model, shape: l.shape, size: l.size, partition: hostOf.get(l.name) as ProgramLayer["partition"], output: l.output, slices: [] };
    if (l.hostReason) pl.hostReason = l.hostReason;
    slices.forEach((sl, k) => { if (sl.layer === l.name) for (const r of sl.runs ?? [sl]) pl.slices.push({ core: at[k], start: r.start, count: r.count }); });
    const b = `layer/${l.name}/`;
    const q = s.quant![l.name], d = s.discrete![l.name];
    if (q) pl.params = { scale: q.scale, decayV: put(b + "decayV", q.decayV), decayI: q.decayI.map((x, p) => put(`${b}decayI${p}`, x)), threshold: put(b + "threshold", q.threshold), vReset: put(b + "vReset", q.vReset), vRest: put(b + "vRest", q.vRest), bias: put(b + "bias", q.bias), refractory: put(b + "refractory", d.refractory) };
    else if (d) pl.params = { scale: 1, decayV: put(b + "decayV", d.decayV), decayI: d.decayI.map((x, p) => put(`${b}decayI${p}`, x)), threshold: put(b + "threshold", d.threshold), vReset: put(b + "vReset", d.vReset), vRest: put(b + "vRest", d.vRest), bias: put(b + "bias", d.bias), refractory: put(b + "refractory", d.refractory) };
    return pl;
  });
  const projections: ProgramProjection[] = n.projections.map((p) => {
    const sp = hostOf.get(p.src), dp = hostOf.get(p.dst);
    const partition = dp === "host" && sp === "host" ? "host" : (dp === "host") !== (sp === "host") && sp !== "external" ? "channel" : dp === "host" ? "host" : "chip";
    const b = `proj/${p.name}/`;
    const out: ProgramProjection = { name: p.name, src: p.src, dst: p.dst, port: p.port, recurrent: p.recurrent, partition, scale: p.scale ?? 1 };
    if (p.weightExp !== undefined) out.weightExp = p.weightExp;
    const w = p.qweight ?? undefined;
    if (p.connectivity?.mode === "procedural") out.procedural = proceduralOf(s, p, put, b);
    else if (p.csr) {
      out.csr = { pre: p.csr.pre, post: p.csr.post, indptr: put(b + "indptr", p.csr.indptr), indices: put(b + "indices", p.csr.indices), weight: put(b + "weight", w ?? p.csr.weight) };
      if (p.csr.delay) out.csr.delay = put(b + "delay", p.csr.delay);
      const [pool, conv] = p.ops.length === 2 ? p.ops : [undefined, p.ops[0]];
      if (isConvChain(p) && conv.kind === "conv") out.csr.from = { wShape: conv.wShape, stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups, inShape: conv.inShape, outShape: conv.outShape, ...(pool?.kind === "pool" ? { pool: { kernel: pool.kernel, stride: pool.stride, padding: pool.padding, inShape: pool.inShape, outShape: pool.outShape } } : {}) };
    } else {
      const conv = p.ops[p.ops.length - 1], pool = p.ops.length === 2 ? p.ops[0] : undefined;
      if (conv.kind === "conv") out.conv = { weight: put(b + "weight", w ?? Float64Array.from(conv.weight)), wShape: conv.wShape, stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups, inShape: conv.inShape, outShape: conv.outShape };
      if (out.conv && pool?.kind === "pool") out.conv.pool = { kernel: pool.kernel, stride: pool.stride, padding: pool.padding, inShape: pool.inShape, outShape: pool.outShape };
    }
    if (p.bias) out.bias = put(b + "bias", p.qbias ?? p.bias);
    return out;
  });
  const entries = new Map<number, number>();
  for (const tb of routing.tables) for (const e of tb.entries) for (const port of e.ports) if (port.startsWith("C")) entries.set(Number(port.slice(1)), (entries.get(Number(port.slice(1))) ?? 0) + 1);
  const cores: ProgramCore[] = slices.map((sl, k) => {
    const [x, y] = coreXY(t, at[k]);
    const c: ProgramCore = { id: at[k], x, y, layer: sl.layer, start: sl.start, count: sl.count, synapses: sl.synapses, fanIn: sl.fanIn, fanOut: routing.routes[k].dstCores.length };
    if (sl.kernelMemory !== undefined) { c.kernelMemory = sl.kernelMemory; c.neuronMemory = sl.neuronMemory; }
    return c;
  }).sort((a, b) => a.id - b.id);
  const report = buildReport(s, layers, projections, cores, entries);
  const program: Program = {
    format: PROGRAM_FORMAT, version: PROGRAM_VERSION, semantics: SEMANTICS, target: t,
    options: { dt: s.options.dt, seed: s.options.seed, placer: s.options.placer, reset: s.options.reset, lowering: s.options.lowering, allowHost: s.options.allowHost },
    layers, projections, cores, routes: routing.routes, tables: routing.tables, report, blobs,
  };
  return { ...s, program };
}

function buildReport(s: CompileState, layers: ProgramLayer[], projections: ProgramProjection[], cores: ProgramCore[], entries: Map<number, number>): ResourceReport {
  const t = s.target, r = s.routing!;
  const lim = (c: number) => ({ ...t.core, ...(t.coreOverrides?.[c] ?? {}) });
  const syn = (name: string) => s.netlist!.projections.filter((p) => p.dst === name).reduce((a, p) => a + (p.csr ? p.csr.indices.length : (p.ruleStats?.synapses ?? p.qweight?.length ?? 0)), 0);
  return {
    target: t.name, coresUsed: new Set(cores.map((c) => c.id)).size, coresTotal: t.cores, mesh: { width: t.mesh.width, height: t.mesh.height, coresPerRouter: t.mesh.coresPerRouter },
    cores: cores.map((c) => ({
      core: c.id, x: c.x, y: c.y, layer: c.layer, neurons: c.count, synapses: c.synapses, fanIn: c.fanIn, fanOut: c.fanOut, routingEntries: entries.get(c.id) ?? 0,
      utilisation: c.neuronMemory !== undefined
        ? { neurons: c.neuronMemory / lim(c.id).neuronMemory!, synapses: c.kernelMemory! / lim(c.id).kernelMemory!, fanIn: 0, fanOut: c.fanOut / lim(c.id).fanOut }
        : { neurons: c.count / lim(c.id).neurons, synapses: c.synapses / lim(c.id).synapses, fanIn: c.fanIn / lim(c.id).fanIn, fanOut: c.fanOut / lim(c.id).fanOut },
    })),
    layers: layers.filter((l) => l.kind !== "input").map((l) => {
      const q = s.quant![l.name];
      const codes = q && t.arithmetic.profile === "loihi" ? loihiCodes(q, s.netlist!.projections.filter((p) => p.dst === l.name)) : undefined;
      return { name: l.name, model: l.model, partition: l.partition, neurons: l.size, cores: new Set(l.slices.map((x) => x.core)).size, synapses: syn(l.name), weightError: q ? q.weightError : null, decayError: q ? q.decayError : null, ...(codes ? { codes } : {}), ...(s.packing?.[l.name] ? { packing: s.packing[l.name] } : {}) };
    }),
    routing: { entries: r.tables.reduce((a, tb) => a + tb.entries.length, 0), maxPerRouter: Math.max(0, ...r.tables.map((tb) => tb.entries.length)), limit: t.mesh.tableEntries },
    traffic: { spikes: r.spikes, packets: r.packets, spikeHops: r.spikeHops, unicastHops: r.unicastHops, multicast: t.mesh.multicast, source: s.options.spikeCounts ? "spike counts given" : "1 spike per neuron (no counts given)" },
    host: hostReport(s, layers, projections),
    ...connectivityReport(s),
    ...(r.system ? { system: { ...r.system, chip: systemOf(t)!.chip, expected: !!r.expected } } : {}),
    unverifiedConstants: unverified(t),
  };
}

/** The host/chip split: host layers, and per channel its synapses and the spikes that cross it (one event per source spike with a target across). */
function hostReport(s: CompileState, layers: ProgramLayer[], projections: ProgramProjection[]): ResourceReport["host"] {
  const part = new Map(layers.map((l) => [l.name, l.partition]));
  const channels = projections.filter((p) => p.partition === "channel").map((pp) => {
    const p = s.netlist!.projections.find((x) => x.name === pp.name)!;
    const direction: "host->chip" | "chip->host" = part.get(p.dst) === "host" ? "chip->host" : "host->chip";
    return { projection: p.name, direction, synapses: synapseCount(p), spikes: crossingSpikes(s, p) };
  });
  const sum = (d: string) => channels.filter((c) => c.direction === d).reduce((a, c) => a + c.spikes, 0);
  return { layers: layers.filter((l) => l.partition === "host").map((l) => l.name), channels, spikes: { toHost: sum("chip->host"), toChip: sum("host->chip") } };
}

/** A procedural projection in the Program: its rule, the gain per destination neuron, the longest delay. */
function proceduralOf(s: CompileState, p: Projection, put: (name: string, a: Float64Array) => string, b: string): NonNullable<ProgramProjection["procedural"]> {
  const l = s.netlist!.layers.find((x) => x.name === p.dst)!, c = p.csr;
  const gain = discreteLayer(l, s.options.dt).gains[p.port] ?? new Float64Array(l.size).fill(1);
  // Kept as a rule (no CSR): the longest delay from the rule's own maxima (lower.ts, rule-stats.ts).
  let maxDelay = c ? 0 : Math.round(p.ruleStats!.maxDelay / s.options.dt);
  if (c?.delay) for (const d of c.delay) maxDelay = Math.max(maxDelay, d);
  const { spec, reason } = p.connectivity!;
  return { spec, gain: put(b + "gain", Float64Array.from(gain)), codes: !!p.qweight, maxDelay, synapses: c ? c.indices.length : p.ruleStats!.synapses, reason };
}

/** Which ProceduralProjections were kept procedural or materialised, and why. */
function connectivityReport(s: CompileState): Pick<ResourceReport, "connectivity"> {
  const rows = s.netlist!.projections.filter((p) => p.connectivity).map((p) => ({ projection: p.name, mode: p.connectivity!.mode, synapses: p.csr?.indices.length ?? p.ruleStats?.synapses ?? 0, reason: p.connectivity!.reason }));
  return rows.length ? { connectivity: rows } : {};
}

/** Stored synapses of a projection: expanded CSR entries, or the kept convolution's kernel weights. */
function synapseCount(p: Projection): number {
  if (p.csr) return p.csr.indices.length;
  const conv = p.ops[p.ops.length - 1];
  return p.qweight?.length ?? (conv?.kind === "conv" ? conv.weight.length : 0);
}
