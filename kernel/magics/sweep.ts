/**
 * %sweep GRAPH --grid "width=2,4;neuronsPerCore=64,256": compile and run over generic-mesh parameters in worker threads
 * (or as jobs on a cluster's workers with --cluster redis://H:P); Pareto front of energy, latency and cores.
 */
import { PhasorError } from "../../lib/ir/errors.js";
import { numel } from "../../lib/ir/graph.js";
import { Rng } from "../../lib/ir/random.js";
import { analyseGraph } from "../../lib/ir/validate.js";
import { sweep, type SweepGrid, type SweepRow } from "../../lib/vm/index.js";
import type { Graph } from "../../lib/ir/graph.js";
import type { VmInput } from "../../lib/vm/types.js";
import { paretoFigure, paretoFront } from "../../lib/plot/cycles.js";
import { defineMagic, type MagicContext } from "./types.js";
import { graphOf, positive, positiveInt } from "./values.js";

const NUMERIC = ["width", "height", "coresPerRouter", "neuronsPerCore", "synapsesPerCore", "fanIn", "fanOut", "weightBits", "stateBits", "decayBits", "tableEntries"];

/** Parses "width=2,4;neuronsPerCore=64,256;multicast=true,false" into a grid; `where` names the option in errors. */
export function parseGrid(text: string, where = "%sweep --grid"): SweepGrid {
  const grid: Record<string, Array<number | boolean>> = {};
  for (const part of text.split(";").map((s) => s.trim()).filter(Boolean)) {
    const [k, vs] = part.split("=");
    if (!vs) throw new PhasorError(`${where}: "${part}" is not NAME=V1,V2,...`, "usage");
    if (k === "multicast" || k === "weightShared") grid[k] = vs.split(",").map((v) => v.trim() === "true");
    else if (NUMERIC.includes(k)) grid[k] = vs.split(",").map((v) => { const n = Number(v); if (!Number.isInteger(n) || n <= 0) throw new PhasorError(`${where}: ${k}=${v} is not a positive integer`, "usage"); return n; });
    else throw new PhasorError(`${where}: unknown generic-mesh parameter "${k}"; known: ${[...NUMERIC, "multicast", "weightShared"].join(", ")}`, "usage");
  }
  return grid as SweepGrid;
}

/** Poisson spikes at `hz` on every Input node of `g` for `steps` steps of 0.1 ms (seeded); undefined without inputs. */
export function poissonInput(g: Graph, steps: number, hz: number, seed: number, dt = 1e-4): VmInput | undefined {
  const a = analyseGraph(g), ins = a.order.filter((n) => a.nodes[n].type === "Input");
  const rng = new Rng(seed);
  const rec = Object.fromEntries(ins.map((n) => {
    const shape = a.shapes[n].output, k = numel(shape);
    return [n, { data: Float64Array.from({ length: steps * k }, () => (rng.random() < hz * dt ? 1 : 0)), shape: [steps, ...shape] }];
  }));
  return ins.length ? rec : undefined;
}

/** The input a --input names: a variable holding { data, shape }. */
function inputVariable(name: string, ctx: MagicContext): VmInput {
  const v = ctx.getVariable(name);
  if (typeof v !== "object" || v === null || !("data" in v && "shape" in v)) throw new PhasorError(`%sweep --input: no variable "${name}" holding { data, shape }`, "usage");
  return v as VmInput;
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
    { flags: "--input <var>", description: "a variable holding the input ({ data, shape: [T, ...] }); default: Poisson input at --poisson Hz" },
    { flags: "--dt <s>", description: "time step in seconds, for the compiler and the Poisson input", default: 1e-4, parse: positive },
    { flags: "--poisson <hz>", description: "Poisson input rate", default: 50, parse: positive },
    { flags: "--seed <n>", description: "input seed", default: 0, parse: Number },
    { flags: "--workers <n>", description: "worker threads (default: the CPUs)", parse: positiveInt },
    { flags: "--behavioural", description: "behavioural engine (latency then is real time)" },
    { flags: "--cluster <url>", description: "run the points as jobs on the workers of this Redis server (redis://HOST:PORT; phasor worker)" },
  ],
  examples: ['%sweep net --grid "width=2,4,8;neuronsPerCore=32,128" --steps 50 --as rows', '%sweep net --grid "width=2,4,8" --cluster redis://127.0.0.1:6379'],
  async run(input, ctx) {
    const o = input.options as { grid?: string; input?: string; dt: number; steps: number; poisson: number; seed: number; workers?: number; behavioural?: boolean; cluster?: string };
    const g = await graphOf(String(input.args[0]), ctx, "sweep");
    if (!o.grid) throw new PhasorError('%sweep needs --grid "NAME=V1,V2;..."', "usage");
    const grid = parseGrid(o.grid), bar = ctx.display.progress("sweep");
    const given = o.input === undefined ? undefined : inputVariable(o.input, ctx);
    const run = {
      input: given ?? poissonInput(g, o.steps, o.poisson, o.seed, o.dt), steps: given ? undefined : o.steps, compile: { dt: o.dt },
      engine: o.behavioural ? ("behavioural" as const) : ("cycle" as const), signal: ctx.signal,
    };
    let rows: SweepRow[];
    if (o.cluster) {
      const { clusterSweep, progressNote } = await import("../../lib/cluster/index.js");
      rows = await clusterSweep(g, grid, { ...run, cluster: o.cluster, onProgress: (p) => bar.update((p.done + p.failed) / p.total, progressNote(p)) });
    } else {
      rows = await sweep(g, grid, { ...run, workers: o.workers, onProgress: (d, n) => bar.update(d / n, `${d} of ${n} configurations`) });
    }
    bar.done();
    const front = new Set(paretoFront(rows));
    ctx.display.table(rows.map((r, i) => ({ configuration: r.label, cores: r.error ? "-" : r.cores, "energy (µJ)": r.error ? "-" : (r.energy * 1e6).toPrecision(4), "latency (µs)": r.error ? "-" : (r.latency * 1e6).toPrecision(4), pareto: front.has(i) ? "yes" : "", error: r.error ?? "" })), { maxRows: 200 });
    ctx.display.plotly(paretoFigure(rows));
    return rows;
  },
});
