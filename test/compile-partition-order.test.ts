// Partitioning whatever the neuron order: a convolution numbered channel-first must pack into as
// few cores as the same convolution numbered channel-last (the fan-in limit bites on slices that
// span a channel's whole map), and run with the same spikes, neuron for neuron.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Node } from "../lib/ir/graph.js";
import { compile, compileUntil, formatReport } from "../lib/compiler/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { runProgram } from "../lib/vm/index.js";

const C = 2, H = 16, W = 16, K = 8, HO = H - 2, WO = W - 2;
type Order = "channel-first" | "channel-last";
const at = (order: Order, c: number, y: number, x: number, ch: number, w: number, h: number) => (order === "channel-first" ? (c * h + y) * w + x : (y * w + x) * ch + c);
const IF = (n: number, th: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(th)) });
/** A fixed 3x3 kernel per (output, input) channel pair, the same in both numberings. */
const weight = (o: number, c: number, ky: number, kx: number) => ((o * 7 + c * 5 + ky * 3 + kx) % 5) - 1;

/** in (2 x 16 x 16) -> 3x3 convolution to 8 channels (8 x 14 x 14 = 1568 IF neurons), as sparse synapses in one numbering. */
function conv(order: Order) {
  const i: number[] = [], j: number[] = [], w: number[] = [];
  for (let o = 0; o < K; o++) for (let y = 0; y < HO; y++) for (let x = 0; x < WO; x++)
    for (let c = 0; c < C; c++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
      const v = weight(o, c, ky, kx);
      if (v === 0) continue;
      i.push(at(order, c, y + ky, x + kx, C, W, H)); j.push(at(order, o, y, x, K, WO, HO)); w.push(v);
    }
  return graph().input("in", [C * H * W]).sparse("conv", { pre: C * H * W, post: K * HO * WO, i, j, weight: w }).node("A", IF(K * HO * WO, 2)).output("o").build();
}

/** 64 neurons and 64 inputs per core: a channel-last slice of 8 positions x 8 channels reads 3 x 10 x 2 = 60 inputs. */
const target = genericMesh({ width: 16, height: 16, neuronsPerCore: 64, fanIn: 64, name: "small-cores" });

describe("partitioning whatever the neuron order", () => {
  test("a convolution numbered channel-first packs into the cores of the channel-last numbering", () => {
    const last = compile(conv("channel-last"), target, { placer: "greedy" }), first = compile(conv("channel-first"), target, { placer: "greedy" });
    const cores = (p: typeof last) => p.report.layers.find((l) => l.name === "A")!.cores;
    // 1568 neurons, at most 64 per core: at least 25 cores; channel-last needs 28 (slices that cross a row read 4 rows).
    expect(cores(last)).toBe(28);
    expect(cores(first)).toBe(cores(last));
    // The channel-first slices are runs of one range of positions in each of the 8 channels.
    const a = first.layers.find((l) => l.name === "A")!;
    expect(new Set(a.slices.map((s) => s.core)).size).toBe(28);
    expect(a.slices.length).toBe(28 * K);
    expect(a.slices.reduce((n, s) => n + s.count, 0)).toBe(K * HO * WO);
    // The report says which order each layer was cut in.
    expect(last.report.layers.find((l) => l.name === "A")!.packing).toBe("neuron order");
    expect(formatReport(first.report)).toMatch(/^A: packed by receptive fields \(28 cores; neuron order needs \d+\)$/m);
  });

  test("the partitioner says which order it cut in; channel-first in its own order needs 4x the cores", () => {
    const state = (order: Order) => compileUntil(conv(order), target, { placer: "greedy" }, "partition");
    expect(state("channel-last").packing).toEqual({ A: "neuron order" });
    const used = state("channel-first").packing!.A, m = /^receptive fields \((\d+) cores; neuron order needs (\d+)\)$/.exec(used);
    expect(m).not.toBeNull();
    // Cut in its own order, a slice covers one channel's rows: a 3-row band of 14 positions reads 4 x 16 x 2 = 128
    // inputs, so a slice holds at most 7 or so positions (3 x 9 x 2 = 54 inputs; 8 would need 60 and more at a row end).
    expect(Number(m![1])).toBe(28);
    expect(Number(m![2])).toBeGreaterThan(4 * 28);
  });

  test("both numberings give the same spikes, neuron for neuron, on the cycle engine", () => {
    const steps = 4, input = (order: Order) => {
      const data = new Float64Array(steps * C * H * W);
      for (let t = 0; t < steps; t++) for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++)
        if ((t * 3 + c + y * 5 + x * 7) % 4 === 0) data[t * C * H * W + at(order, c, y, x, C, W, H)] = 1;
      return { data, shape: [steps, C * H * W] };
    };
    const run = (order: Order) => runProgram(compile(conv(order), target, { placer: "greedy" }), { engine: "cycle", input: input(order) });
    const first = run("channel-first"), last = run("channel-last");
    const toLast = (k: number) => { const o = Math.floor(k / (HO * WO)), y = Math.floor((k % (HO * WO)) / WO), x = k % WO; return at("channel-last", o, y, x, K, WO, HO); };
    const mapped = first.spikes.A.map(([t, k]) => [t, toLast(k)]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(last.spikes.A.length).toBeGreaterThan(100);
    expect(mapped).toEqual(last.spikes.A);
  });
});
