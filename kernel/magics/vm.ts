/** %vm run|step|until|raster|inspect|cycles PROGRAM: the VM in a notebook, with progress, rasters, state and the cycle view. */
import { statSync, type Stats } from "node:fs";
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import { numel } from "../../lib/ir/graph.js";
import { Rng } from "../../lib/ir/random.js";
import { readArrayFile } from "../../lib/ir/io/index.js";
import { toDenseInput } from "../../lib/ir/io/input.js";
import { loadProgram, type Program } from "../../lib/compiler/index.js";
import { VmSession, type Condition, type Counts, type RunResult, type VmInput } from "../../lib/vm/index.js";
import { raster } from "../../lib/plot/raster.js";
import { energySummary } from "../../lib/vm/energy.js";
import { latencyPerStep, congestionHeatmap, coreStateFigure } from "../../lib/plot/cycles.js";
import { defineMagic, type MagicContext } from "./types.js";
import { noteProgram } from "./levels.js";
import { positive, positiveInt } from "./values.js";

/** Options shared by the VM magics. */
export interface VmFlags { input?: string; poisson?: number; seed?: number; steps?: number; cycle?: boolean; record?: string; n?: number; layer?: string; index?: number; core?: number; counter?: string; above?: number; overflow?: boolean; quiet?: boolean; plot?: boolean }

const ACTIONS = ["run", "step", "until", "raster", "inspect", "cycles"];

/** The session kept per Program, with the input flags it was made from. */
const sessions = new WeakMap<Program, { session: VmSession; input: string }>();
/** PROGRAM.json files read so far, by path, with the size and time of the version read. */
const files = new Map<string, { mtimeMs: number; size: number; program: Program }>();

/** Whether a value is a Program. */
export function isProgram(v: unknown): v is Program {
  return typeof v === "object" && v !== null && (v as { format?: unknown }).format === "phasor-program";
}

/** Whether a value is a VM RunResult. */
export function isRunResult(v: unknown): v is RunResult {
  return typeof v === "object" && v !== null && typeof (v as { engine?: unknown }).engine === "string" && typeof (v as { counters?: unknown }).counters === "object";
}

/** A PROGRAM.json read again only when it changed, so that its VM session carries over from call to call. */
function programFile(path: string): Program {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return loadProgram(path); // which names the file that cannot be read
  }
  const hit = files.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.program;
  const program = loadProgram(path);
  files.set(path, { mtimeMs: st.mtimeMs, size: st.size, program });
  return program;
}

/** A Program from a cell variable or a PROGRAM.json file. */
export function programOf(spec: string, ctx: MagicContext, magic: string): Program {
  if (spec.endsWith(".json")) return programFile(resolve(ctx.cwd, spec));
  const v = ctx.getVariable(spec);
  if (!isProgram(v)) throw new PhasorError(`%${magic}: "${spec}" is not a Program; give a variable bound by %compile --as, or a PROGRAM.json file`, "usage");
  return v;
}

/** A RunResult from a cell variable. */
export function resultOf(spec: string, ctx: MagicContext, magic: string): RunResult {
  const v = ctx.getVariable(spec);
  if (!isRunResult(v)) throw new PhasorError(`%${magic}: "${spec}" is not a VM result; bind one with %vm run PROGRAM --as ${spec}`, "usage");
  return v;
}

/** What to pass when a program with input layers gets no input: its layers, their shapes and a line to copy. */
function missingInput(inputs: { name: string; shape: number[] }[], call: string): string {
  const layers = inputs.map((l) => `${l.name} [${l.shape.join(", ")}]`).join(", ");
  const one = inputs.length === 1 ? inputs[0] : undefined;
  const poisson = one ? `--poisson HZ --steps N (e.g. ${call} --poisson 50 --steps 200), ` : "";
  const file = one ? `--input FILE.csv|FILE.npy (one row per step, ${numel(one.shape)} values each) or ` : "";
  const shape = one ? `{ data, shape: [steps, ${one.shape.join(", ")}] }` : "{ LAYER: { data, shape } } for each input layer";
  const which = `input layer${one ? "" : "s"} ${layers}`;
  return `${call}: no input; the program has ${which}. Give ${poisson}${file}--input VAR holding ${shape}`;
}

function inputOf(p: Program, o: VmFlags, ctx: MagicContext, call: string): VmInput | undefined {
  const inputs = p.layers.filter((l) => l.kind === "input");
  if (o.poisson !== undefined) {
    if (inputs.length !== 1 || !o.steps) throw new PhasorError("%vm --poisson needs a program with one input layer and --steps N", "usage");
    const n = numel(inputs[0].shape), rng = new Rng(o.seed ?? 0), q = Math.min(1, o.poisson * p.options.dt);
    return { data: Float64Array.from({ length: o.steps * n }, () => (rng.random() < q ? 1 : 0)), shape: [o.steps, ...inputs[0].shape] };
  }
  if (!o.input) {
    if (inputs.length) throw new PhasorError(missingInput(inputs, call), "usage");
    return undefined;
  }
  if (/\.(csv|npy)$/i.test(o.input)) return toDenseInput(readArrayFile(resolve(ctx.cwd, o.input)), inputs[0].shape, inputs[0].name, undefined, o.input);
  const v = ctx.getVariable(o.input);
  if (typeof v !== "object" || v === null) throw new PhasorError(`%vm --input: no variable "${o.input}" holding input, and not a .csv/.npy file`, "usage");
  return v as VmInput;
}

/**
 * The Program's kept session; a new one for `run`, for the first call, and for an input (--input,
 * --poisson) other than the kept session's or once that session reached its last step.
 */
function session(p: Program, o: VmFlags, ctx: MagicContext, fresh: boolean, call: string): VmSession {
  const kept = sessions.get(p), given = o.input !== undefined || o.poisson !== undefined;
  const input = JSON.stringify([o.input, o.poisson, o.seed, o.steps, !!o.cycle, o.record]);
  const s = kept?.session;
  if (s && !fresh && (!given || (kept.input === input && s.t < s.steps))) return s;
  const record = o.record?.split(",").filter(Boolean);
  const engine = o.cycle ? "cycle" : "behavioural";
  const made = new VmSession(p, { input: inputOf(p, o, ctx, call), steps: o.steps, engine, record, signal: ctx.signal });
  sessions.set(p, { session: made, input });
  return made;
}

function condition(o: VmFlags): Condition {
  if (o.overflow) return { overflow: true };
  if (o.counter) return { counter: o.counter as keyof Counts, above: o.above ?? 0, layer: o.layer, core: o.core };
  if (o.layer) return { spike: { layer: o.layer, index: o.index } };
  throw new PhasorError("%vm until needs --layer L [--index K] (a spike), --counter NAME --above X, or --overflow", "usage");
}

/** Neurons per layer, so that a raster's blocks have the layers' heights. */
function layerSizes(p: Program): Record<string, number> {
  return Object.fromEntries(p.layers.map((l) => [l.name, l.size]));
}

/** Prints a one-line summary of a result. */
export function summarise(r: RunResult, ctx: MagicContext): void {
  const spikes = Object.entries(r.spikes).map(([k, v]) => `${k} ${v.length}`).join(", ");
  ctx.print(`${r.engine} on ${r.target}: ${r.steps} steps, batch ${r.batch}; spikes ${spikes}; ${energySummary(r.energy)}; NeuroBench ActivationSparsity ${r.neurobench.ActivationSparsity.toFixed(3)}, SynapticOperations per sample Effective_ACs ${r.neurobench.SynapticOperations.Effective_ACs}, Effective_MACs ${r.neurobench.SynapticOperations.Effective_MACs}${r.cycles ? `; ${r.cycles.na ? `cycles n/a (${r.cycles.na})` : `${r.cycles.totalCycles} cycles`}` : ""}\n`);
}

/** The %vm magic. */
export const vmMagic = defineMagic({
  name: "vm",
  modes: ["line"],
  summary: "run a compiled Program on the VM: run, step, until a condition, raster, inspect a core, cycle view",
  description: "ACTION is run (to the end; shows a raster), step (-n steps of a kept session), until (a spike of --layer [--index], --counter NAME --above X, or --overflow with --cycle), raster (of the session so far), inspect (--layer or --core state) or cycles (latency per step and link congestion of a cycle-accurate result). PROGRAM is a variable holding a Program (or a RunResult for cycles) or a PROGRAM.json file. --cycle uses the cycle-accurate engine. Returns the RunResult (bind with --as).",
  arguments: [
    { name: "action", description: ACTIONS.join(" | "), required: true, complete: { values: ACTIONS } },
    {
      name: "program", description: "Program variable or PROGRAM.json (RunResult variable for cycles)", required: true,
      complete: { from: ["programs", "results", "files"], ext: [".json"] },
    },
  ],
  options: [
    { flags: "-i, --input <file>", description: "input: .csv, .npy or a variable" }, { flags: "--poisson <hz>", description: "Poisson input at this rate (with --steps)", parse: positive },
    { flags: "--seed <n>", description: "seed of the Poisson input", default: 0, parse: Number }, { flags: "--steps <n>", description: "steps of the run", parse: positiveInt },
    { flags: "--cycle", description: "cycle-accurate engine" }, { flags: "--record <layers>", description: "comma-separated layers whose state to record" },
    { flags: "-n <steps>", description: "steps per `step`", default: 1, parse: positiveInt },
    { flags: "--layer <name>", description: "layer (until, inspect)", complete: { from: ["layers"] } },
    { flags: "--index <k>", description: "neuron index (until)", parse: Number }, { flags: "--core <id>", description: "core (inspect, counter conditions)", parse: Number },
    { flags: "--counter <name>", description: "counter for until: spikes, synOpsAC, packets, hops, ..." }, { flags: "--above <x>", description: "threshold for --counter", parse: Number },
    { flags: "--overflow", description: "until a full router or core buffer stalls a sender (cycle engine)" }, { flags: "--no-plot", description: "text and tables only, no figures" },
    { flags: "-q, --quiet", description: "show nothing (use with --as)" },
  ],
  examples: [
    "%vm run prog --poisson 50 --steps 500 --as r", "%vm until prog --cycle --poisson 50 --steps 500 --layer lif2 --index 3",
    "%vm step prog -n 10 --poisson 50 --steps 500", "%vm step prog -n 10", "%vm inspect prog --core 2", "%vm cycles r",
  ],
  async run(input, ctx) {
    const o = input.options as VmFlags;
    const action = String(input.args[0]), spec = String(input.args[1]), call = `%vm ${action} ${spec}`;
    const show = !o.quiet, plot = show && o.plot !== false;
    if (!ACTIONS.includes(action)) {
      throw new PhasorError(`%vm: unknown action "${action}"; use ${ACTIONS.join(", ")}`, "usage");
    }
    if (action === "cycles") {
      const r = resultOf(spec, ctx, "vm");
      if (!r.cycles) throw new PhasorError("%vm cycles needs a cycle-accurate result (%vm run PROGRAM --cycle --as r)", "usage");
      const c = r.cycles;
      if (!plot) {
        const counts = `${c.packets} packets, ${c.hops} hops, ${c.overflows} stalls on a full buffer`;
        if (show) ctx.print(`${c.stepCycles.length} steps: ${counts}\n`);
        return c;
      }
      if (r.cycles.na ?? r.cycles.clockNa) ctx.print(`latency per step n/a on ${r.target}: ${r.cycles.na ?? r.cycles.clockNa}\n`);
      else ctx.display.plotly(latencyPerStep(r.cycles.stepCycles, r.cycles.clockHz));
      ctx.display.plotly(congestionHeatmap(r.cycles.links, r.mesh));
      return r.cycles;
    }
    const p = programOf(spec, ctx, "vm");
    if (action === "run") {
      const s = session(p, o, ctx, true, call), bar = show ? ctx.display.progress("VM") : undefined;
      s.options.onProgress = (t, n) => bar?.update(t / n, `step ${t} of ${n}`);
      const r = await s.runAsync();
      noteProgram(r, p); // %trace draws the threshold and reset of its layers
      bar?.done();
      if (show) summarise(r, ctx);
      if (plot) ctx.display.plotly(raster(r.spikes, { dt: r.dt, steps: r.steps, sizes: layerSizes(p) }));
      return r;
    }
    const s = session(p, o, ctx, false, call);
    if (action === "step") {
      s.step(o.n ?? 1);
      const end = s.t < s.steps ? "" : " (the end: give --input or --poisson to start again)";
      if (show) ctx.print(`at step ${s.t} of ${s.steps}${end}\n`);
      return s.result();
    }
    if (action === "until") {
      const r = s.until(condition(o));
      if (show) ctx.print(r.met ? `condition met at step ${r.step}\n` : `condition not met by step ${r.step} (end of run)\n`);
      return r;
    }
    if (action === "raster") {
      const r = s.result();
      if (plot) ctx.display.plotly(raster(r.spikes, { dt: r.dt, steps: Math.max(1, r.steps), sizes: layerSizes(p) }));
      else if (show) ctx.print(`spikes in ${r.steps} steps: ${Object.entries(r.spikes).map(([k, v]) => `${k} ${v.length}`).join(", ")}\n`);
      return r;
    }
    const st = s.inspect(o.core !== undefined ? { core: o.core } : { layer: o.layer ?? p.layers.find((l) => l.kind === "neuron")!.name });
    if (plot) ctx.display.plotly(coreStateFigure(st, s.t - 1));
    const currents = (k: number) => Object.fromEntries(st.currents.map((c, q) => [`i${q}`, c[k]]));
    const rows = st.v.map((v, k) => ({ neuron: st.start + k, v, ...currents(k), refractory: st.refractory[k] }));
    if (show) ctx.display.table(rows, { maxRows: 64 });
    return st;
  },
});
