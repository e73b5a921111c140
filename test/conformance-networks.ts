// The networks of the arithmetic conformance suite, shared by test/arith-conformance.test.ts and
// test/systemc.test.ts: four shapes on five profiles.
import { graph, tensor } from "../lib/ir/builders.js";
import type { Graph } from "../lib/ir/graph.js";
import { Rng } from "../lib/ir/random.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { floatProgram } from "../lib/vm/index.js";
import { resolveTarget } from "../lib/target/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";

export type Profile = "float64" | "multiply" | "shift" | "loihi" | "xylo";
export type Shape = "single" | "population" | "recurrent" | "two layers";
export const PROFILES: Profile[] = ["float64", "multiply", "shift", "loihi", "xylo"];
export const SHAPES: Shape[] = ["single", "population", "recurrent", "two layers"];
export const DT = 1e-3;

function weights(rng: Rng, out: number, inp: number, lo: number, hi: number) {
  return tensor(Float64Array.from({ length: out * inp }, () => lo + (hi - lo) * rng.random()), [out, inp]);
}

const twoPorts = (p: Profile) => p === "float64" || p === "multiply" || p === "xylo";

/** The conformance suite's network of a shape for a profile, and its number of inputs. */
export function conformanceNetwork(shape: Shape, p: Profile): { g: Graph; inputs: number } {
  const rng = new Rng(11 + SHAPES.indexOf(shape));
  const cuba = (size: number) => ({ size, tau_syn: 4e-3, tau_mem: 8e-3, r: 1, v_leak: 0, v_threshold: 1, w_in: 1, v_reset: 0 });
  const multi = (size: number) => ({ size, tau_syn: [4e-3, 16e-3], tau_mem: 8e-3, r: 1, v_leak: 0, v_threshold: 1, v_reset: 0 });
  const b = graph();
  const lif = (name: string, size: number) => (p === "xylo" ? b.cubaLIF(name, cuba(size)) : b.lif(name, { size, tau: 8e-3, r: 1, v_leak: 0, v_threshold: 1, v_reset: 0 }));
  if (shape === "single") {
    b.input("in", [4]).linear("w", weights(rng, 1, 4, 0.5, 3));
    lif("n", 1);
    return { g: b.output("o").build(), inputs: 4 };
  }
  if (shape === "population") {
    b.input("in", [12]);
    if (twoPorts(p)) b.linear("we", weights(rng, 20, 12, -1, 4), { from: "in" }).linear("wi", weights(rng, 20, 12, -2, 0.5), { from: "in" })
      .multiCubaLIF("n", multi(20), { from: null }).connect("we", "n", 0).connect("wi", "n", 1);
    else b.linear("w", weights(rng, 20, 12, -1, 3)).cubaLIF("n", cuba(20));
    return { g: b.output("o", { from: "n" }).build(), inputs: 12 };
  }
  if (shape === "recurrent") {
    b.input("in", [8]).linear("w", weights(rng, 16, 8, 0, 3)).cubaLIF("n", cuba(16))
      .linear("rec", weights(rng, 16, 16, -1.5, 1), { from: "n" }).connect("rec", "n");
    return { g: b.output("o", { from: "n" }).build(), inputs: 8 };
  }
  b.input("in", [8]).linear("w1", weights(rng, 16, 8, 0, 3));
  lif("h", 16);
  if (twoPorts(p) && p !== "xylo") b.linear("we", weights(rng, 6, 16, -2, 3), { from: "h" }).linear("wi", weights(rng, 6, 16, -1.5, 1), { from: "h" })
    .multiCubaLIF("n", multi(6), { from: null }).connect("we", "n", 0).connect("wi", "n", 1);
  else b.linear("w2", weights(rng, 6, 16, -0.5, 3)).cubaLIF("n", cuba(6));
  return { g: b.output("o", { from: "n" }).build(), inputs: 8 };
}

/** The conformance suite's Program of a network on a profile. */
export function conformanceProgram(g: Graph, p: Profile): Program {
  if (p === "float64") return floatProgram(g, undefined, { dt: DT, reset: "zero" });
  if (p === "multiply") return compile(g, "generic-mesh", { dt: DT, reset: "zero" });
  if (p === "shift") return compile(g, { ...genericMesh({ name: "mesh-shift" }), arithmetic: { weightBits: 8, stateBits: 16, decay: "shift", maxShift: 15, fixedPoint: true } }, { dt: DT, reset: "subtract" });
  if (p === "xylo") return compile(g, { ...genericMesh({ name: "mesh-xylo" }), arithmetic: resolveTarget("xylo-audio2").arithmetic }, { dt: DT, reset: "subtract" });
  return compile(g, "loihi", { dt: DT, reset: "zero" });
}
