/** %sweep GRAPH --grid "width=2,4;neuronsPerCore=64,256": compile and run over generic-mesh parameters in worker threads; Pareto front of energy, latency and cores. */
import { PhasorError } from "../../lib/ir/errors.js";
import { numel } from "../../lib/ir/graph.js";
import { Rng } from "../../lib/ir/random.js";
import { analyseGraph } from "../../lib/ir/validate.js";
import { sweep, type SweepGrid } from "../../lib/vm/index.js";
import { paretoFigure, paretoFront } from "../../lib/plot/cycles.js";
import { defineMagic } from "./types.js";
import { graphOf, positive, positiveInt } from "./values.js";

const NUMERIC = ["width", "height", "coresPerRouter", "neuronsPerCore", "synapsesPerCore", "fanIn", "fanOut", "weightBits", "stateBits", "decayBits", "tableEntries"];

/** Parses "width=2,4;neuronsPerCore=64,256;multicast=true,false" into a grid. */
export function parseGrid(text: string): SweepGrid {
  const grid: Record<string, Array<number | boolean>> = {};
  for (const part of text.split(";").map((s) => s.trim()).filter(Boolean)) {
    const [k, vs] = part.split("=");
    if (!vs) throw new PhasorError(`%sweep --grid: "${part}" is not NAME=V1,V2,...`, "usage");
    if (k === "multicast" || k === "weightShared") grid[k] = vs.split(",").map((v) => v.trim() === "true");
    else if (NUMERIC.includes(k)) grid[k] = vs.split(",").map((v) => { const n = Number(v); if (!Number.isInteger(n) || n <= 0) throw new PhasorError(`%sweep --grid: ${k}=${v} is not a positive integer`, "usage"); return n; });
    else throw new PhasorError(`%sweep --grid: unknown generic-mesh parameter "${k}"; known: ${[...NUMERIC, "multicast", "weightShared"].join(", ")}`, "usage");
  }
  return grid as SweepGrid;
}

/** The %sweep magic. */
export const sweepMagic = defineMagic({
  name: "sweep",
  modes: ["line"],
  summary: "compile and run a Graph over a grid of generic-mesh parameters in parallel; plot the energy/latency/cores Pareto front",
  description: "GRAPH is a variable holding a Graph or a .nir file. Each grid point is compiled for generic-mesh with those parameters and run on the cycle-accurate engine (Poisson input at --poisson Hz for --steps steps); points that do not fit are listed with the constraint that failed. Returns the rows (bind with --as).",
  arguments: [{ name: "graph", description: "variable name of a Graph, or a .nir file", required: true }],
  options: [
    { flags: "--grid <spec>", description: "NAME=V1,V2;NAME=... over generic-mesh parameters" },
    { flags: "--steps <n>", description: "steps per run", default: 50, parse: positiveInt },
    { flags: "--poisson <hz>", description: "Poisson input rate", default: 50, parse: positive },
    { flags: "--seed <n>", description: "input seed", default: 0, parse: Number },
    { flags: "--workers <n>", description: "worker threads (default: the CPUs)", parse: positiveInt },
    { flags: "--behavioural", description: "behavioural engine (latency then is real time)" },
  ],
  examples: ['%sweep net --grid "width=2,4,8;neuronsPerCore=32,128" --steps 50 --as rows'],
  async run(input, ctx) {
    const o = input.options as { grid?: string; steps: number; poisson: number; seed: number; workers?: number; behavioural?: boolean };
    const g = await graphOf(String(input.args[0]), ctx, "sweep");
    if (!o.grid) throw new PhasorError('%sweep needs --grid "NAME=V1,V2;..."', "usage");
    const a = analyseGraph(g), ins = a.order.filter((n) => a.nodes[n].type === "Input");
    const rng = new Rng(o.seed), dt = 1e-4;
    const inputRec = Object.fromEntries(ins.map((n) => { const shape = a.shapes[n].output, k = numel(shape); return [n, { data: Float64Array.from({ length: o.steps * k }, () => (rng.random() < o.poisson * dt ? 1 : 0)), shape: [o.steps, ...shape] }]; }));
    const bar = ctx.display.progress("sweep");
    const rows = await sweep(g, parseGrid(o.grid), { input: ins.length ? inputRec : undefined, steps: o.steps, engine: o.behavioural ? "behavioural" : "cycle", workers: o.workers, signal: ctx.signal, onProgress: (d, n) => bar.update(d / n, `${d} of ${n} configurations`) });
    bar.done();
    const front = new Set(paretoFront(rows));
    ctx.display.table(rows.map((r, i) => ({ configuration: r.label, cores: r.error ? "-" : r.cores, "energy (µJ)": r.error ? "-" : (r.energy * 1e6).toPrecision(4), "latency (µs)": r.error ? "-" : (r.latency * 1e6).toPrecision(4), pareto: front.has(i) ? "yes" : "", error: r.error ?? "" })), { maxRows: 200 });
    ctx.display.plotly(paretoFigure(rows));
    return rows;
  },
});
