// The networks the VM tests run: every compiled network of the compiler tests (NIR paper
// graphs on their targets), CUBA, a TrueNorth IF network and a heterogeneous host/chip split.
import { resolve } from "node:path";
import { readNir } from "../lib/ir/nir/index.js";
import type { Graph, Node } from "../lib/ir/graph.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { Rng } from "../lib/ir/random.js";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import type { CompileOptions } from "../lib/compiler/index.js";
import type { SimInit, DenseInput } from "../lib/ir/sim/index.js";
import { nirPaper } from "./support.js";

/** A network, the targets it compiles for, an input and the simulator options matching its compile options. */
export interface Case { name: string; graph: () => Promise<Graph>; targets: Array<{ target: string; options: CompileOptions }>; input?: DenseInput; steps: number; init?: SimInit; nir: boolean;
  /** A recurrent Affine carries a bias: the compiler folds it into a constant bias from step 0, the reference delivers it one step late (0 at t = 0). */
  recurrentBias?: boolean }

/** Random binary spikes [steps, ...shape]. */
export function randomSpikes(shape: number[], steps: number, p: number, seed: number): DenseInput {
  const n = shape.reduce((a, b) => a * b, 1), rng = new Rng(seed), data = new Float64Array(steps * n);
  for (let k = 0; k < data.length; k++) data[k] = rng.random() < p ? 1 : 0;
  return { data, shape: [steps, ...shape] };
}

const nir = (f: string, convention: "snntorch" | "sinabs") => () => readNir(resolve(nirPaper, f), { convention, dt: 1e-4 });

/** A small IF network TrueNorth can hold (binary-ish weights, no leak): in -> fc1 -> h -> fc2 -> out, sizes and seed adjustable. */
export function ifNet(o: { inputs?: number; hidden?: number; outputs?: number; seed?: number; weight?: number } = {}): Graph {
  const { inputs = 16, hidden = 32, outputs = 8, seed = 3, weight = 0.4 } = o;
  const rng = new Rng(seed);
  const w = (n: number, i: number) => tensor(Float64Array.from({ length: n * i }, () => (rng.random() < 0.5 ? weight : -0.1)), [n, i]);
  const IF = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(1)) });
  return graph().input("in", [inputs]).linear("fc1", w(hidden, inputs)).node("h", IF(hidden)).linear("fc2", w(outputs, hidden)).node("out", IF(outputs)).output("o").build();
}

export const cases: Case[] = [
  { name: "braille bias zero", graph: nir("braille_noDelay_bias_zero.nir", "snntorch"), nir: true, recurrentBias: true, steps: 200, input: randomSpikes([12], 200, 0.3, 1),
    targets: [{ target: "generic-mesh", options: {} }] },
  { name: "braille subtract", graph: nir("braille_noDelay_noBias_subtract.nir", "snntorch"), nir: true, steps: 200, input: randomSpikes([12], 200, 0.3, 2),
    targets: [{ target: "generic-mesh", options: { reset: "subtract" } }, { target: "xylo-audio2", options: { reset: "subtract" } }, { target: "loihi", options: { reset: "zero" } }] },
  { name: "cnn_sinabs", graph: nir("cnn_sinabs.nir", "sinabs"), nir: true, steps: 12, input: randomSpikes([2, 34, 34], 12, 0.1, 3),
    targets: [{ target: "generic-mesh", options: { reset: "subtract" } }, { target: "speck", options: { reset: "subtract" } }] },
  { name: "braille heterogeneous (host CubaLIF)", graph: nir("braille_noDelay_bias_zero.nir", "snntorch"), nir: true, recurrentBias: true, steps: 100, input: randomSpikes([12], 100, 0.3, 4),
    targets: [{ target: "speck", options: { allowHost: true } }] },
  { name: "if net", graph: async () => ifNet(), nir: false, steps: 100, input: randomSpikes([16], 100, 0.3, 5),
    targets: [{ target: "truenorth", options: { reset: "zero" } }, { target: "generic-mesh", options: { reset: "zero" } }] },
  { name: "cuba 400", graph: async () => cubaNetwork({ seed: 1, n: 400, nExc: 320, p: 0.1 }).graph, init: cubaNetwork({ seed: 1, n: 400, nExc: 320, p: 0.1 }).init, nir: false, steps: 300,
    targets: [{ target: "generic-mesh", options: { reset: "zero" } }] },
];
