/** Convolution lowering: expand op chains into CSR synapses, or keep them weight-shared where the target supports it. */
import type { Projection } from "../netlist.js";
import { composeCsr } from "../ops.js";
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
  const projections = s.netlist!.projections.map((p) => (shared(p) ? p : { ...p, csr: composeCsr(p.ops, layers.get(p.src)!.size) }));
  return { ...s, netlist: { ...s.netlist!, projections } };
}
