// A recurrent layer as a nested NIRGraph: written by Phasor, read back, simulated, gives the
// same spikes as the same network built flat.
import { describe, expect, it } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import { Rng } from "../lib/ir/random.js";
import { readNir, writeNir } from "../lib/ir/nir/index.js";
import { simulate } from "../lib/ir/sim/index.js";
import type { Graph, Tensor } from "../lib/ir/graph.js";

const rng = new Rng(7);
const rand = (shape: number[], scale: number): Tensor => tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => (rng.random() * 2 - 1) * scale), shape, "float32");
const W_in = rand([10, 4], 3);
const W_rec = rand([10, 10], 1.5);
const lifParams = { tau_syn: 5e-3, tau_mem: 1e-2, r: 1, v_leak: 0, v_threshold: 0.5, w_in: 1 };

function nested(): Graph {
  const layer = graph().input("input", [10]).cubaLIF("lif", lifParams).linear("w_rec", W_rec).connect("w_rec", "lif").output("output", { from: "lif" }).build();
  const g = graph().input("in", [4]).linear("fc", W_in).build();
  g.nodes.layer = layer;
  g.nodes.out = { type: "Output", shape: [10] };
  g.edges.push({ src: "fc", dst: "layer" }, { src: "layer", dst: "out" });
  return g;
}

function flat(): Graph {
  return graph().input("in", [4]).linear("fc", W_in).cubaLIF("layer.lif", lifParams).linear("layer.w_rec", W_rec).connect("layer.w_rec", "layer.lif").output("out", { from: "layer.lif" }).build();
}

describe("nested graphs", () => {
  const T = 200;
  const input = { data: Float64Array.from({ length: T * 4 }, () => (rng.random() < 0.2 ? 1 : 0)), shape: [T, 4] };

  it("a nested recurrent layer round-trips through NIR and simulates like its flat form", async () => {
    const back = await readNir(await writeNir(nested()));
    expect(back.nodes.layer.type).toBe("NIRGraph");
    const a = simulate(back, { dt: 1e-3, input });
    const b = simulate(flat(), { dt: 1e-3, input });
    expect(a.spikes["layer.lif"].length).toBeGreaterThan(5); // the comparison below is not vacuous
    expect(a.spikes["layer.lif"]).toEqual(b.spikes["layer.lif"]);
    expect(a.outputs.out).toEqual(b.outputs.out);
  });
});
