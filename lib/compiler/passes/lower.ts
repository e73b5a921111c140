/** Convolution lowering: expand op chains into CSR synapses, or keep them weight-shared where the target supports it. */
import type { Csr, Projection } from "../netlist.js";
import { composeCsr } from "../ops.js";
import { expectedSynapses, isRowProcedural, materialise, type ProceduralSpec } from "../../ir/procedural.js";
import { delaySteps } from "./discretise.js";
import { ruleStats } from "./rule-stats.js";
import type { CompileState } from "../state.js";

/** True when the chain is what a weight-shared core executes: optional sum pooling, then one convolution. */
export function isConvChain(p: Projection): boolean {
  const k = p.ops.map((o) => o.kind).join(",");
  return k === "conv" || k === "pool,conv";
}

/** Lowers every projection: weight-shared if requested/supported (and the chain is conv-shaped), else expanded into CSR. */
export function lower(s: CompileState): CompileState {
  const t = s.target, mode = s.options.lowering;
  const layers = new Map(s.netlist!.layers.map((l) => [l.name, l]));
  const shared = (p: Projection) => !layers.get(p.dst)!.host && isConvChain(p) && (mode === "weight-shared" || (mode === "auto" && t.conv.weightShared && t.mapping === "layer-per-core"));
  // A lone rule's synapses are built only once it is chosen materialised (a procedural one keeps its rule and maxima).
  const expanded = s.netlist!.projections.map((p) => (shared(p) || ruleOf(p) ? p : { ...p, csr: asCsr(p, layers.get(p.src)!.size) }));
  const projections = chooseConnectivity(s, expanded).map((p) => {
    const rule = ruleOf(p);
    if (!rule) return p;
    if (p.connectivity?.mode === "procedural") return { ...p, ruleStats: ruleStats(rule) };
    return { ...p, csr: storedRule(rule, s.options.dt) };
  });
  return { ...s, netlist: { ...s.netlist!, projections } };
}

/**
 * A lone sparse op with delays keeps its synapses as they are (multapses, their order): composing
 * would merge repeated pairs and misalign the per-synapse delays. (Rules never come here: storedRule.)
 */
function asCsr(p: Projection, nIn: number): Csr {
  const op = p.ops.length === 1 ? p.ops[0] : undefined;
  if (op?.kind !== "sparse" || !op.csr.delay) return composeCsr(p.ops, nIn);
  const c = op.csr;
  // No pass writes a CSR in place (discretisation makes new arrays), so float64 weights are shared, not copied.
  const weight = c.weight instanceof Float64Array ? c.weight : Float64Array.from(c.weight);
  return { pre: c.pre, post: c.post, indptr: c.indptr, indices: c.indices, weight };
}

/**
 * A rule chosen materialised, built here once (not through the op's memoised CSR, which stays
 * unbuilt and so holds no second copy): its delays become whole steps at once, so the float64
 * seconds live only while this projection is built.
 */
function storedRule(spec: ProceduralSpec, dt: number): Csr {
  const c = materialise(spec);
  const csr: Csr = { pre: spec.pre, post: spec.post, indptr: c.indptr, indices: c.indices, weight: c.weight };
  if (c.delay) csr.delay = delaySteps(c.delay, dt);
  return csr;
}

/**
 * ProceduralProjections: materialised while every chip synapse fits half the target's synapse
 * memory (cores x synapses per core; half leaves slack for partitioning into core-sized slices);
 * otherwise the largest procedural-capable ones keep only their rule until the rest fits. `connectivity` forces either form; fixed in-degree is always materialised.
 */
function chooseConnectivity(s: CompileState, ps: Projection[]): Projection[] {
  const t = s.target, mode = s.options.connectivity, memory = (t.cores * t.core.synapses) / 2;
  const onChip = new Set(s.netlist!.layers.filter((l) => !l.host).map((l) => l.name));
  const rule = ruleOf, count = (p: Projection) => (p.csr ? p.csr.indices.length : expectedSynapses(rule(p)!));
  const chip = ps.filter((p) => onChip.has(p.dst) && (p.csr || rule(p)));
  let stored = chip.reduce((a, p) => a + count(p), 0);
  const ownCodes = t.arithmetic.profile === "loihi" || t.arithmetic.profile === "xylo";
  const capable = (p: Projection) => { const r = rule(p); return !!r && isRowProcedural(r.rule) && onChip.has(p.dst) && !ownCodes; };
  const chosen = new Set<string>();
  if (mode === "procedural") for (const p of ps) if (capable(p)) chosen.add(p.name);
  if (mode === "auto")
    for (const p of ps.filter(capable).sort((a, b) => count(b) - count(a))) {
      if (stored <= memory) break;
      chosen.add(p.name);
      stored -= count(p);
    }
  const total = chip.reduce((a, p) => a + count(p), 0);
  return ps.map((p) => {
    const r = rule(p);
    if (!r) return p;
    const n = count(p);
    const why = chosen.has(p.name)
      ? mode === "procedural" ? "connectivity: procedural was asked for"
        : `${total} synapses exceed half ${t.name}'s synapse memory (${t.cores} cores x ${t.core.synapses}); its ${n} synapses are regenerated per spike`
      : !isRowProcedural(r.rule) ? `${r.rule.kind} has no per-row form (rows are drawn per postsynaptic neuron)`
        : !onChip.has(p.dst) ? "its destination runs on the host"
          : ownCodes ? `${t.name}'s weight encoding is not generated per row yet`
          : mode === "materialised" ? "connectivity: materialised was asked for" : `${total} synapses fit half ${t.name}'s synapse memory (${memory})`;
    return { ...p, connectivity: { mode: chosen.has(p.name) ? "procedural" : "materialised", reason: why, spec: r } };
  });
}

/** The rule of a projection that is one ProceduralProjection (its synapses not built yet), if any. */
function ruleOf(p: Projection): ProceduralSpec | undefined {
  return p.ops.length === 1 && p.ops[0].kind === "sparse" ? p.ops[0].rule : undefined;
}
