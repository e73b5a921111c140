import { describe, expect, it } from "vitest";
import { graph, tensor } from "../../lib/ir/builders.js";
import { graphLevels } from "./levels.js";

describe("graphLevels", () => {
  it("reads v_threshold per neuron, v_reset (0 when absent) for reset to a value, nothing for nodes without a threshold", () => {
    const g = graph().input("in", [2]).linear("fc", [[1, 0], [0, 1]])
      .node("if", { type: "IF", r: tensor([1, 1]), v_threshold: tensor([0.5, 2]) }).output("out").build();
    expect(graphLevels(g, ["fc", "if"], "zero")).toEqual({ threshold: { if: [0.5, 2] }, reset: { if: [0] } });
    expect(graphLevels(g, ["if"], "subtract")).toEqual({ threshold: { if: [0.5, 2] }, reset: {} });
  });
});
