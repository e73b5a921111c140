/**
 * A Program as a graph NIR can express: the dequantised graph (programToGraph), with CSR
 * projections written as dense Linear weights [post, pre]. What NIR cannot hold (synaptic
 * delays, refractory periods, several synaptic ports, MultiCubaLIF) is refused with every
 * offending layer named, never dropped silently.
 */
import { IssueList } from "../../ir/errors.js";
import type { Graph, Node, Tensor } from "../../ir/graph.js";
import { specOf } from "../../ir/nodes.js";
import type { Program } from "../../compiler/program.js";
import { programToGraph } from "../../compiler/dequantise.js";

/** The NIR-expressible graph of a compiled Program (parameters canonical for forward Euler at the program's dt). */
export function programToNirGraph(p: Program): Graph {
  const g = programToGraph(p), issues = new IssueList(), nodes: Record<string, Node> = {};
  for (const [name, n] of Object.entries(g.nodes)) {
    if (n.type === "SparseProjection") {
      if (n.delay && n.delay.some((d) => d !== 0)) issues.add("not-nir", [name], "synaptic delays are a Phasor extension NIR cannot express");
      const data = new Float64Array(n.post * n.pre);
      for (let i = 0; i < n.pre; i++) for (let k = n.indptr[i]; k < n.indptr[i + 1]; k++) data[n.indices[k] * n.pre + i] += n.weight[k];
      nodes[name] = { type: "Linear", weight: { shape: [n.post, n.pre], data } };
      continue;
    }
    const spec = specOf(n.type);
    if (!spec || spec.extension) { issues.add("not-nir", [name], `${n.type} is a Phasor extension NIR cannot express`); continue; }
    const tRef = "t_ref" in n ? (n as { t_ref?: Tensor }).t_ref : undefined;
    if (tRef && tRef.data.some((x) => x > 0)) issues.add("not-nir", [name, "t_ref"], "refractory periods are a Phasor extension NIR cannot express");
    nodes[name] = stripExtensions(n);
  }
  g.edges.forEach((e) => { if (e.port) issues.add("not-nir", [e.dst], `synaptic port ${e.port} (a second synaptic current) cannot be expressed in NIR`); });
  issues.throwIfAny();
  return { ...g, nodes, edges: g.edges.map((e) => ({ src: e.src, dst: e.dst })) };
}

/** Drops extension fields that hold only defaults (a zero t_ref). */
function stripExtensions(n: Node): Node {
  if (!("t_ref" in n)) return n;
  const { t_ref: _t, ...rest } = n as Node & { t_ref?: unknown };
  void _t;
  return rest as Node;
}
