/** Graph -> Graph passes before fusion: validation and normalisation. */
import type { Edge, Graph, Node } from "../../ir/graph.js";
import { analyseGraph } from "../../ir/validate.js";
import type { CompileState } from "../state.js";

/** Checks the graph (fields, edges, shapes, loops) and infers shapes; flattens nested graphs. */
export function validate(s: CompileState): CompileState {
  const a = analyseGraph(s.graph);
  return { ...s, graph: { type: "NIRGraph", nodes: a.nodes, edges: a.edges }, analysed: a };
}

/** Linear -> Affine (zero bias), AvgPool2d -> SumPool2d + Scale(1/kh kw). Flatten and Scale are folded later by fusion. */
export function normalise(s: CompileState): CompileState {
  const nodes: Record<string, Node> = {};
  let edges: Edge[] = s.graph.edges.map((e) => ({ ...e }));
  for (const [name, n] of Object.entries(s.graph.nodes)) {
    if (n.type === "Linear") {
      const out = n.weight.shape[0];
      nodes[name] = { type: "Affine", weight: n.weight, bias: { shape: [out], data: new Float64Array(out) } };
    } else if (n.type === "AvgPool2d") {
      const k = n.kernel_size.length === 1 ? n.kernel_size[0] ** 2 : n.kernel_size[0] * n.kernel_size[1];
      nodes[name] = { type: "SumPool2d", kernel_size: n.kernel_size, stride: n.stride, padding: n.padding };
      const scale = `${name}.scale`;
      nodes[scale] = { type: "Scale", scale: { shape: [1], data: Float64Array.of(1 / k) } };
      edges = edges.map((e) => (e.src === name ? { ...e, src: scale } : e));
      edges.push({ src: name, dst: scale });
    } else nodes[name] = n;
  }
  const graph: Graph = { type: "NIRGraph", nodes, edges };
  return { ...s, graph, analysed: analyseGraph(graph) };
}
