// Quantisation: an 8-bit target reports per-layer error, and the reference simulation of the
// dequantised program agrees with the float graph; the agreement is printed.
import { describe, expect, test } from "vitest";
import { resolve } from "node:path";
import { readNir } from "../lib/ir/nir/index.js";
import type { Graph } from "../lib/ir/graph.js";
import { Rng } from "../lib/ir/random.js";
import { simulate, type SpikeList } from "../lib/ir/sim/index.js";
import { compile, programToGraph } from "../lib/compiler/index.js";
import { haveNirPaper, nirPaper } from "./support.js";

/** Spike agreement: |common (step, index) pairs| / |union|, and count agreement 1 - sum|dc| / max(total). */
function agreement(a: SpikeList, b: SpikeList): { exact: number; counts: number; total: number } {
  const key = (s: number[]) => `${s[0]},${s[s.length - 1]}`;
  const A = new Set(a.map(key)), B = new Set(b.map(key));
  const common = [...A].filter((k) => B.has(k)).length;
  const cnt = (l: SpikeList) => { const m = new Map<number, number>(); for (const s of l) m.set(s[s.length - 1], (m.get(s[s.length - 1]) ?? 0) + 1); return m; };
  const ca = cnt(a), cb = cnt(b);
  let diff = 0;
  for (const k of new Set([...ca.keys(), ...cb.keys()])) diff += Math.abs((ca.get(k) ?? 0) - (cb.get(k) ?? 0));
  const union = A.size + B.size - common;
  return { exact: union ? common / union : 1, counts: 1 - diff / Math.max(1, a.length, b.length), total: a.length };
}

function randomSpikes(n: number, steps: number, p: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float64Array(steps * n);
  for (let k = 0; k < data.length; k++) data[k] = rng.random() < p ? 1 : 0;
  return data;
}

describe.skipIf(!haveNirPaper())("quantisation agreement", () => {
  test("Braille on an 8-bit generic mesh: per-layer error and spike agreement of the dequantised program", async () => {
    const g: Graph = await readNir(resolve(nirPaper, "braille_noDelay_bias_zero.nir"), { convention: "snntorch", dt: 1e-4 });
    const p = compile(g, "generic-mesh");
    for (const l of p.report.layers) expect(l.weightError).toBeGreaterThan(0);
    const steps = 256;
    const input = { data: randomSpikes(12, steps, 0.3, 1), shape: [steps, 12] };
    const f = simulate(g, { dt: 1e-4, steps, input });
    const q = simulate(programToGraph(p), { dt: 1e-4, steps, input });
    for (const layer of ["lif1.lif", "lif2"]) {
      const a = agreement(f.spikes[layer], q.spikes[layer]);
      console.log(`braille ${layer}: weight error ${p.report.layers.find((l) => l.name === layer)!.weightError!.toExponential(2)}, ${a.total} float spikes, exact spike agreement ${(100 * a.exact).toFixed(1)}%, count agreement ${(100 * a.counts).toFixed(1)}%`);
      expect(a.total).toBeGreaterThan(20);
      expect(a.counts).toBeGreaterThan(0.8);
    }
  });

  test("cnn_sinabs on speck (weight-shared convolutions, 8-bit): spike agreement of the dequantised program", async () => {
    const g: Graph = await readNir(resolve(nirPaper, "cnn_sinabs.nir"), { convention: "sinabs", dt: 1e-4 });
    const p = compile(g, "speck", { reset: "subtract" });
    const steps = 40;
    const input = { data: randomSpikes(2 * 34 * 34, steps, 0.1, 2), shape: [steps, 2, 34, 34] };
    const f = simulate(g, { dt: 1e-4, steps, input, reset: "subtract" });
    const q = simulate(programToGraph(p), { dt: 1e-4, steps, input, reset: "subtract" });
    for (const layer of ["1", "3", "6", "10", "12"]) {
      const a = agreement(f.spikes[layer], q.spikes[layer]);
      console.log(`cnn_sinabs ${layer}: weight error ${p.report.layers.find((l) => l.name === layer)!.weightError!.toExponential(2)}, ${a.total} float spikes, exact ${(100 * a.exact).toFixed(1)}%, counts ${(100 * a.counts).toFixed(1)}%`);
      if (layer === "1") expect(a.counts).toBeGreaterThan(0.9);
    }
  });
});
