/** A graph's summary as data (for `phasor nir info`, `%nir info` and scripts) and as text. */
import type { Graph, GraphNode, Node } from "./graph.js";
import { analyseGraph } from "./validate.js";
import { specOf } from "./nodes.js";

/** One row per node; nested graphs contribute their nodes with dotted names. */
export interface NodeInfo {
  name: string;
  type: string;
  input_shape?: number[];
  output_shape?: number[];
  /** Parameter name -> shape (scalars and integer lists show their value). */
  params: Record<string, number[] | number>;
  extension?: boolean;
}

export interface GraphInfo {
  nodes: NodeInfo[];
  edges: { src: string; dst: string; port?: number }[];
  /** Nested graphs, by dotted name. */
  subgraphs: string[];
  /** Counts that a researcher checks first. */
  totals: { nodes: number; neurons: number; parameters: number };
}

/** Summarises a graph: validates it, then lists nodes with shapes and parameters, and edges. */
export function describeGraph(g: Graph): GraphInfo {
  const a = analyseGraph(g);
  const nodes: NodeInfo[] = [];
  const subgraphs: string[] = [];
  let neurons = 0;
  let parameters = 0;
  const visit = (graph: GraphNode, prefix: string) => {
    for (const [name, node] of Object.entries(graph.nodes)) {
      const full = prefix + name;
      if (node.type === "NIRGraph") {
        subgraphs.push(full);
        visit(node, full + ".");
        continue;
      }
      const spec = specOf(node.type)!;
      const info: NodeInfo = { name: full, type: node.type, input_shape: a.shapes[full]?.input, output_shape: a.shapes[full]?.output, params: params(node) };
      if (spec.extension) info.extension = true;
      if (spec.stateful && a.shapes[full] && node.type !== "Delay") neurons += a.shapes[full].output.reduce((x, y) => x * y, 1);
      parameters += countParams(node);
      nodes.push(info);
    }
  };
  visit(g, "");
  const edges = a.edges.map((e) => (e.port ? { src: e.src, dst: e.dst, port: e.port } : { src: e.src, dst: e.dst }));
  return { nodes, edges, subgraphs, totals: { nodes: nodes.length, neurons, parameters } };
}

function params(node: Node): Record<string, number[] | number> {
  const out: Record<string, number[] | number> = {};
  for (const f of specOf(node.type)!.fields) {
    const v = (node as unknown as Record<string, unknown>)[f.name];
    if (v === undefined) continue;
    if (f.kind === "tensor") out[f.name] = (v as { shape: number[] }).shape;
    else if (f.kind === "ints" || f.kind === "int") out[f.name] = v as number[] | number;
    else out[f.name] = [(v as ArrayLike<number>).length];
  }
  return out;
}

function countParams(node: Node): number {
  let n = 0;
  for (const f of specOf(node.type)!.fields) {
    const v = (node as unknown as Record<string, unknown>)[f.name];
    if (f.kind === "tensor" && v) n += (v as { data: ArrayLike<number> }).data.length;
    if (f.kind === "floatarray" && v) n += (v as ArrayLike<number>).length;
  }
  return n;
}

/** A fixed-width text table of the graph, for terminals. */
export function formatGraphInfo(info: GraphInfo): string {
  const fmt = (s?: number[]) => (s ? `[${s.join(", ")}]` : "?");
  const rows = info.nodes.map((n) => [
    n.name,
    n.type + (n.extension ? " (ext)" : ""),
    fmt(n.input_shape),
    fmt(n.output_shape),
    Object.entries(n.params).map(([k, v]) => `${k}${Array.isArray(v) ? fmt(v) : "=" + v}`).join(" "),
  ]);
  const head = ["node", "type", "input", "output", "parameters"];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd();
  const out = [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  out.push("", `edges (${info.edges.length}):`);
  for (const e of info.edges) out.push(`  ${e.src} -> ${e.dst}${e.port ? ` (port ${e.port})` : ""}`);
  if (info.subgraphs.length) out.push("", `nested graphs: ${info.subgraphs.join(", ")}`);
  out.push("", `${info.totals.nodes} nodes, ${info.totals.neurons} neurons, ${info.totals.parameters} parameters`);
  return out.join("\n");
}
