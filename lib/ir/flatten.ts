/**
 * Flattening: nested graphs become one flat graph with dotted names ("lif1.lin"); the inner
 * Input/Output ports of nested graphs are bypassed. Edge names resolve as NIR does: a nested
 * graph's name stands for its single Input (as a destination) or Output (as a source), and
 * "sub.node" names a node inside a nested graph.
 */
import type { Edge, Graph, GraphNode, Node } from "./graph.js";
import { IssueList } from "./errors.js";

/** A graph with no nesting; node names are dotted paths. */
export interface FlatGraph {
  nodes: Record<string, Node>;
  edges: Edge[];
}

/**
 * Flattens nested graphs, recording a dangling edge (with the graph it sits in, the edge and
 * the nodes that do exist) in `issues` instead of throwing.
 */
export function flattenGraph(g: Graph, issues: IssueList = new IssueList()): FlatGraph {
  const nodes: Record<string, Node> = {};
  const edges: Edge[] = [];
  const ports = new Set<string>();
  collect(g, "", true, nodes, edges, ports, issues);
  return { nodes: Object.fromEntries(Object.entries(nodes).filter(([n]) => !ports.has(n))), edges: bypass(edges, ports) };
}

function collect(g: GraphNode, prefix: string, root: boolean, nodes: Record<string, Node>, edges: Edge[], ports: Set<string>, issues: IssueList): void {
  for (const [name, node] of Object.entries(g.nodes)) {
    const full = prefix + name;
    if (node.type === "NIRGraph") collect(node, full + ".", false, nodes, edges, ports, issues);
    else {
      nodes[full] = node;
      if (!root && (node.type === "Input" || node.type === "Output")) ports.add(full);
    }
  }
  const where = prefix ? prefix.slice(0, -1) : "";
  g.edges.forEach((e, k) => {
    const src = resolve(g, e.src, "Output");
    const dst = resolve(g, e.dst, "Input");
    for (const [end, name, r] of [["source", e.src, src], ["destination", e.dst, dst]] as const) {
      if (typeof r === "string") {
        const path = where ? [where, "edges", k] : ["edges", k];
        const graphName = where ? `nested graph "${where}"` : "the graph";
        issues.add("dangling-edge", path, `edge ${e.src} -> ${e.dst} in ${graphName}: ${end} "${name}" ${r}; nodes that exist: ${Object.keys(g.nodes).join(", ")}`);
      }
    }
    if (typeof src !== "string" && typeof dst !== "string") {
      const edge: Edge = { src: prefix + src.path, dst: prefix + dst.path };
      if (e.port !== undefined) edge.port = e.port;
      edges.push(edge);
    }
  });
}

/** Resolves an edge endpoint inside `g` to a dotted path of a non-graph node, or explains why not. */
function resolve(g: GraphNode, name: string, portType: "Input" | "Output"): { path: string } | string {
  const node = g.nodes[name];
  if (node) {
    if (node.type !== "NIRGraph") return { path: name };
    const candidates = Object.entries(node.nodes).filter(([, n]) => n.type === portType);
    if (candidates.length !== 1)
      return `is a nested graph with ${candidates.length} ${portType} nodes; name one as "${name}.<${portType.toLowerCase()}>"`;
    return { path: `${name}.${candidates[0][0]}` };
  }
  // Longest prefix that names a nested graph: "a.b.c" -> graph "a", node "b.c" (names may contain dots).
  for (let i = name.indexOf("."); i > 0; i = name.indexOf(".", i + 1)) {
    const sub = g.nodes[name.slice(0, i)];
    if (sub?.type === "NIRGraph") {
      const inner = resolve(sub, name.slice(i + 1), portType);
      if (typeof inner !== "string") return { path: `${name.slice(0, i)}.${inner.path}` };
    }
  }
  return "does not exist";
}

/** Removes inner port nodes, joining each edge into a port with each edge out of it. */
function bypass(edges: Edge[], ports: Set<string>): Edge[] {
  let current = edges;
  for (const p of ports) {
    const into = current.filter((e) => e.dst === p);
    const out = current.filter((e) => e.src === p);
    const rest = current.filter((e) => e.dst !== p && e.src !== p);
    for (const a of into)
      for (const b of out) {
        const e: Edge = { src: a.src, dst: b.dst };
        const port = b.port ?? a.port;
        if (port !== undefined) e.port = port;
        rest.push(e);
      }
    current = rest;
  }
  return current;
}
