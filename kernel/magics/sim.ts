/** %sim: the reference simulator in a notebook, with a progress bar, a raster and traces. */
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import { numel, type Graph } from "../../lib/ir/graph.js";
import { analyseGraph } from "../../lib/ir/validate.js";
import { readArrayFile } from "../../lib/ir/io/index.js";
import { toDenseInput } from "../../lib/ir/io/input.js";
import { Rng } from "../../lib/ir/random.js";
import { simulateAsync, type SimInit, type SimInput, type SimResult } from "../../lib/ir/sim/index.js";
import {
  conventionLine, conventionNames, conventionOf, DEFAULT_CONVENTION, simulationOptions, type Convention,
} from "../../lib/ir/nir/index.js";
import { raster } from "../../lib/plot/raster.js";
import { traces, recordColumns } from "../../lib/plot/traces.js";
import { defineMagic, type MagicContext } from "./types.js";
import { graphLevels } from "./levels.js";
import { graphOf, positive, positiveInt } from "./values.js";
import { fileOnly } from "./nir.js";

interface SimFlags {
  input?: string; poisson?: number; seed: number; steps?: number; dt: number; record?: string; init?: string;
  integrator?: "euler" | "exact"; reset?: "zero" | "subtract"; convention: Convention;
  dtype: "float64" | "float32"; raster: boolean; quiet?: boolean;
}

/** Poisson spike trains: each input element spikes with probability rate * dt per step, from an explicit seed. */
function poissonInput(shape: number[], steps: number, rate: number, dt: number, seed: number): SimInput {
  const n = numel(shape);
  const data = new Float64Array(steps * n);
  const rng = new Rng(seed);
  const p = Math.min(1, rate * dt);
  for (let k = 0; k < data.length; k++) data[k] = rng.random() < p ? 1 : 0;
  return { data, shape: [steps, ...shape] };
}

/** The simulator input named by the flags: a file, a variable, Poisson trains, or none. */
function inputOf(g: Graph, o: SimFlags, ctx: MagicContext): SimInput | undefined {
  const a = analyseGraph(g);
  const inputs = a.order.filter((n) => a.nodes[n].type === "Input");
  if (o.poisson !== undefined) {
    if (inputs.length !== 1) throw new PhasorError(`%sim --poisson needs a graph with one Input node; this one has ${inputs.length}`, "usage");
    if (!o.steps) throw new PhasorError("%sim --poisson needs --steps N", "usage");
    return poissonInput(a.shapes[inputs[0]].output, o.steps, o.poisson, o.dt, o.seed);
  }
  if (!o.input) {
    if (inputs.length) throw new PhasorError(`%sim: the graph has Input node(s) ${inputs.join(", ")}; give --input FILE|VAR or --poisson RATE --steps N`, "usage");
    if (!o.steps) throw new PhasorError("%sim: a graph without inputs needs --steps N", "usage");
    return undefined;
  }
  if (/\.(csv|npy)$/i.test(o.input)) {
    if (inputs.length !== 1) throw new PhasorError(`%sim --input FILE needs a graph with one Input node; this one has ${inputs.length}`, "usage");
    return toDenseInput(readArrayFile(resolve(ctx.cwd, o.input)), a.shapes[inputs[0]].output, inputs[0], undefined, o.input);
  }
  const v = ctx.getVariable(o.input);
  if (typeof v !== "object" || v === null) throw new PhasorError(`%sim --input: no variable "${o.input}" holding input ({ data, shape } or { events, steps }), and not a .csv/.npy file`, "usage");
  return v as SimInput;
}

/** The %sim magic. */
export const simMagic = defineMagic({
  name: "sim",
  summary: "run the reference simulator on a Graph; show a raster (and traces of recorded nodes)",
  description:
    "GRAPH is a variable holding a Graph or a .nir file. Input: --input FILE.csv|FILE.npy|VAR, or --poisson RATE (Hz, seeded by --seed) with --steps N, or nothing for a network without inputs (then --steps N). " +
    "Records the state of --record nodes and draws their traces. Interrupt stops the run. Returns the SimResult (bind with --as).",
  arguments: [{ name: "graph", description: "variable name of a Graph, or a .nir file", required: true }],
  options: [
    { flags: "--input <source>", description: ".csv / .npy file, or a variable holding { data, shape } or { events, steps }" },
    { flags: "--poisson <hz>", description: "Poisson spike input at this rate per input element", parse: positive },
    { flags: "--seed <n>", description: "seed for --poisson", default: 0, parse: (v) => Number.parseInt(v, 10) },
    { flags: "--steps <n>", description: "number of steps (default: the input's length)", parse: positiveInt },
    { flags: "--dt <seconds>", description: "time step", default: 1e-4, parse: positive },
    { flags: "--record <nodes>", description: "comma-separated nodes whose state to record and plot" },
    { flags: "--init <var>", description: "variable holding the initial state { node: { v: [...] } }" },
    { flags: "--integrator <kind>", description: "integration scheme (default: euler; a converted graph needs euler)",
      choices: ["euler", "exact"] },
    { flags: "--reset <mode>", description: "reset after a spike (default: the convention's; zero for raw)",
      choices: ["zero", "subtract"] },
    { flags: "--convention <name>", description: "NIR convention for a .nir file (dt: --dt)",
      default: DEFAULT_CONVENTION, choices: [...conventionNames] },
    { flags: "--dtype <dtype>", description: "arithmetic precision", default: "float64", choices: ["float64", "float32"] },
    { flags: "--no-raster", description: "do not draw the raster" },
    { flags: "-q, --quiet", description: "show nothing (use with --as)" },
  ],
  modes: ["line"],
  examples: ["%sim net --poisson 50 --steps 1000 --seed 1 --as run", "%sim net.nir --input in.csv --record lif1", "%sim cuba.graph --init cuba.init --steps 10000"],
  async run(input, ctx) {
    const o = input.options as unknown as SimFlags;
    const spec = String(input.args[0]);
    const g = await graphOf(spec, ctx, "sim", { convention: fileOnly(o.convention, spec, "sim"), dt: o.dt });
    const conv = conventionOf(g);
    const settings = simulationOptions(conv, { dt: o.dt, integrator: o.integrator, reset: o.reset });
    const init = o.init ? (ctx.getVariable(o.init) as SimInit | undefined) : undefined;
    if (o.init && !init) throw new PhasorError(`%sim --init: no variable "${o.init}"`, "usage");
    const record = o.record?.split(",").map((s) => s.trim()).filter(Boolean);
    const bar = o.quiet ? undefined : ctx.display.progress("simulating");
    const r: SimResult = await simulateAsync(g, {
      dt: o.dt, steps: o.steps, input: inputOf(g, o, ctx), init, record, ...settings, dtype: o.dtype,
      signal: ctx.signal, onProgress: (s, n) => bar?.update(s / n, `step ${s} of ${n}`),
    });
    bar?.done(`${r.steps} steps`);
    if (o.quiet) return r;
    const total = Object.values(r.spikes).reduce((n, s) => n + s.length, 0);
    const how = `dt ${r.dt} s, ${settings.integrator}, reset ${settings.reset}`;
    ctx.print(`simulated ${r.steps} steps of ${(r.steps * r.dt * 1e3).toPrecision(4)} ms (${how}): ${total} spikes\n`);
    ctx.print(conventionLine({ ...conv, dt: conv.dt ?? o.dt }) + "\n");
    const sizes = Object.fromEntries(Object.keys(r.spikes).map((n) => [n, numel(r.shapes[n].output)]));
    if (o.raster && total > 0) ctx.display.plotly(raster(r.spikes, { dt: r.dt, steps: r.steps, sizes }));
    if (record?.length) {
      const levels = graphLevels(g, record, settings.reset); // threshold and reset lines; spikes become markers
      ctx.display.plotly(traces(recordColumns(r.records, r), { dt: r.dt, ...levels }));
    }
    return r;
  },
});
