import { describe, expect, it } from "vitest";
import { graph, tensor } from "./builders.js";
import { analyseGraph, validateGraph } from "./validate.js";
import { PhasorError } from "./errors.js";
import type { Graph, Node } from "./graph.js";

function issuesOf(g: Graph) {
  try {
    validateGraph(g);
  } catch (e) {
    expect(e).toBeInstanceOf(PhasorError);
    return (e as PhasorError).issues;
  }
  throw new Error("expected validation to fail");
}

const lif = (n: number): Node => ({ type: "LIF", tau: tensor(0.01, [n]), r: tensor(1, [n]), v_leak: tensor(0, [n]), v_threshold: tensor(1, [n]) });

describe("validateGraph", () => {
  it("infers shapes through conv, pool and flatten", () => {
    const g = graph()
      .input("in", [2, 34, 34])
      .node("conv", { type: "Conv2d", weight: tensor(0.1, [16, 2, 5, 5]), bias: tensor(0, [16]), stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 })
      .node("pool", { type: "SumPool2d", kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] })
      .node("flat", { type: "Flatten", start_dim: 0, end_dim: -1 })
      .output("out")
      .build();
    const a = analyseGraph(g);
    expect(a.shapes.conv.output).toEqual([16, 16, 16]);
    expect(a.shapes.pool.output).toEqual([16, 8, 8]);
    expect(a.shapes.flat.output).toEqual([1024]);
    expect(a.shapes.out.output).toEqual([1024]);
  });

  it("reports every issue at once, with node and field", () => {
    const g: Graph = {
      type: "NIRGraph",
      nodes: {
        in: { type: "Input", shape: [3] },
        fc: { type: "Affine", weight: tensor(1, [4, 5]), bias: tensor(0, [4]) },
        lif: { type: "LIF", tau: tensor(0.01, [4]), r: tensor(1, [4]), v_leak: tensor(0, [4]) } as unknown as Node,
        odd: { type: "Banana" } as unknown as Node,
      },
      edges: [{ src: "in", dst: "fc" }, { src: "fc", dst: "lif" }],
    };
    const issues = issuesOf(g);
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["missing-parameter", "lif.v_threshold"],
      ["unknown-type", "odd.type"],
    ]);
    expect(issues[1].message).toMatch(/known types: Input, Output, Affine/);
  });

  it("names mismatched shapes with both sides", () => {
    const g = graph().input("in", [3]).build();
    g.nodes.fc = { type: "Affine", weight: tensor(1, [4, 5]), bias: tensor(0, [4]) };
    g.edges.push({ src: "in", dst: "fc" });
    const [issue] = issuesOf(g);
    expect(issue.code).toBe("shape-mismatch");
    expect(issue.path).toEqual(["fc"]);
    expect(issue.message).toMatch(/in -> fc: input has 3 elements \[3\] but weight expects 5/);
  });

  it("refuses an edge to a missing node, listing the nodes that exist", () => {
    const g = graph().input("in", [2]).lif("l", { tau: 0.01 }).build();
    g.edges.push({ src: "l", dst: "nowhere" });
    const [issue] = issuesOf(g);
    expect(issue.code).toBe("dangling-edge");
    expect(issue.message).toMatch(/destination "nowhere" does not exist; nodes that exist: in, l/);
  });

  it("refuses an algebraic loop with no stateful node", () => {
    const g = graph().input("in", [2]).linear("a", [[1, 0], [0, 1]]).linear("b", [[1, 0], [0, 1]]).connect("b", "a").output("out").build();
    const [issue] = issuesOf(g);
    expect(issue.code).toBe("algebraic-loop");
    expect(issue.message).toMatch(/loop .*a.*b.* has no stateful node/);
  });

  it("accepts a loop through a neuron and marks its edge recurrent", () => {
    const g = graph().input("in", [2]).linear("w", [[1, 0], [0, 1]]).lif("l", { tau: 0.01 }).linear("rec", [[0, 1], [1, 0]]).connect("rec", "w").build();
    const a = analyseGraph(g);
    const k = a.edges.findIndex((e) => e.src === "rec" && e.dst === "w");
    expect(a.recurrent[k]).toBe(true);
    expect(a.recurrent.filter(Boolean)).toHaveLength(1);
  });

  it("flattens nested graphs and resolves their ports", () => {
    const inner = graph().input("input", [2]).linear("lin", [[1, 0], [0, 1]]).node("lif", lif(2)).output("output").connect("lif", "lin").build();
    const g: Graph = { type: "NIRGraph", nodes: { in: { type: "Input", shape: [2] }, layer: inner, out: { type: "Output", shape: [2] } }, edges: [{ src: "in", dst: "layer" }, { src: "layer", dst: "out" }] };
    const a = analyseGraph(g);
    expect(Object.keys(a.nodes).sort()).toEqual(["in", "layer.lif", "layer.lin", "out"]);
    expect(a.edges).toContainEqual({ src: "in", dst: "layer.lin" });
    expect(a.edges).toContainEqual({ src: "layer.lif", dst: "out" });
  });

  it("checks the CSR layout of sparse projections", () => {
    const g = graph().multiCubaLIF("P", { size: 3, tau_syn: [5e-3, 1e-2], tau_mem: 0.02 }, { from: null }).build();
    g.nodes.S = { type: "SparseProjection", pre: 3, post: 3, indptr: new Int32Array([0, 1, 1]), indices: new Int32Array([7]), weight: new Float64Array([1, 2]) };
    g.edges.push({ src: "P", dst: "S" }, { src: "S", dst: "P", port: 2 });
    const codes = issuesOf(g).map((i) => `${i.code}:${i.path.join(".")}`);
    expect(codes).toEqual(expect.arrayContaining(["bad-csr:S.indptr", "bad-csr:S.indices", "bad-csr:S.weight"]));
  });
});
