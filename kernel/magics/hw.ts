/** %hw list|connect|deploy|run|status|cancel|wait: hardware runners in a notebook (the local VM, a board server, an export). */
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import { numel } from "../../lib/ir/graph.js";
import { Rng } from "../../lib/ir/random.js";
import { readArrayFile } from "../../lib/ir/io/index.js";
import { toDenseInput } from "../../lib/ir/io/input.js";
import type { Program } from "../../lib/compiler/index.js";
import type { RunResult, VmInput } from "../../lib/vm/index.js";
import { createRunner, runners, programHash, type Runner } from "../../lib/hw/index.js";
import { raster } from "../../lib/plot/raster.js";
import { powerByLayer, coreHeatmap } from "../../lib/plot/power.js";
import { defineMagic, type MagicContext } from "./types.js";
import { positive, positiveInt } from "./values.js";
import { programOf, summarise } from "./vm.js";

interface HwFlags { keys?: string; dir?: string; name?: string; on?: string; input?: string; poisson?: number; seed?: number; steps?: number; job?: string; detach?: boolean; quiet?: boolean }
interface Job { id: string; runner: string; abort: AbortController; done: Promise<RunResult>; state: "running" | "done" | "failed" | "cancelled"; step: number; steps: number }

/** Runners connected in this kernel, by name, and the program hash each holds. */
const connected = new Map<string, { runner: Runner; program?: string }>();
const jobs = new Map<string, Job>();
let jobSeq = 0;

function runnerOf(o: HwFlags): { name: string; entry: { runner: Runner; program?: string } } {
  const name = o.on ?? (connected.size === 1 ? [...connected.keys()][0] : "board");
  const entry = connected.get(name);
  if (!entry) throw new PhasorError(`%hw: no runner "${name}" connected (connected: ${[...connected.keys()].join(", ") || "none"}); use %hw connect remote://HOST:PORT --keys DIR [--name ${name}]`, "usage");
  return { name, entry };
}

function inputOf(p: Program, o: HwFlags, ctx: MagicContext): VmInput | undefined {
  const layer = p.layers.find((l) => l.kind === "input");
  if (o.poisson !== undefined) {
    if (!layer || !o.steps) throw new PhasorError("%hw --poisson needs a program with an input layer and --steps N", "usage");
    const n = numel(layer.shape), rng = new Rng(o.seed ?? 0), q = Math.min(1, o.poisson * p.options.dt);
    return { data: Float64Array.from({ length: o.steps * n }, () => (rng.random() < q ? 1 : 0)), shape: [o.steps, ...layer.shape] };
  }
  if (!o.input) return undefined;
  if (/\.(csv|npy)$/i.test(o.input) && layer) return toDenseInput(readArrayFile(resolve(ctx.cwd, o.input)), layer.shape, layer.name, undefined, o.input);
  const v = ctx.getVariable(o.input);
  if (typeof v !== "object" || v === null) throw new PhasorError(`%hw --input: no variable "${o.input}" holding input, and not a .csv/.npy file`, "usage");
  return v as VmInput;
}

/** Deploys when the runner does not hold this program yet. */
async function ensureDeployed(entry: { runner: Runner; program?: string }, p: Program): Promise<void> {
  const h = programHash(p);
  if (entry.program !== h) { await entry.runner.deploy(p); entry.program = h; }
}

function show(r: RunResult, ctx: MagicContext): void {
  summarise(r, ctx);
  ctx.display.plotly(raster(r.spikes, { dt: r.dt, steps: r.steps }));
  ctx.display.plotly(powerByLayer(r.energy, r.batch));
  ctx.display.plotly(coreHeatmap(r.energy, r.cores, r.mesh, r.batch));
}

async function run(spec: string, o: HwFlags, ctx: MagicContext): Promise<RunResult | Job> {
  const { name, entry } = runnerOf(o), p = programOf(spec, ctx, "hw");
  await ensureDeployed(entry, p);
  const abort = new AbortController(), id = `h${++jobSeq}`;
  const bar = o.quiet || o.detach ? undefined : ctx.display.progress(`${name}`);
  const at = { step: 0, steps: o.steps ?? 0 };
  const done = entry.runner.run(inputOf(p, o, ctx), { steps: o.steps, signal: abort.signal, onProgress: (q) => { job.step = q.step; job.steps = q.steps; bar?.update(q.steps ? q.step / q.steps : 0, `step ${q.step} of ${q.steps}`); } });
  const job: Job = { id, runner: name, abort, state: "running", ...at, done };
  const onAbort = () => abort.abort();
  if (!o.detach) ctx.signal.addEventListener("abort", onAbort);
  job.done.then(() => (job.state = "done"), (e: Error) => (job.state = e.name === "AbortError" ? "cancelled" : "failed"));
  jobs.set(id, job);
  if (o.detach) { ctx.print(`job ${id} running on ${name}; %hw wait ${id} --as r, or %hw cancel ${id}\n`); return job; }
  try {
    const r = await job.done;
    bar?.update(1, `step ${r.steps} of ${r.steps}`); // the last line whether or not a progress message came first
    bar?.done();
    if (!o.quiet) show(r, ctx);
    return r;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
}

/** The %hw magic. */
export const hwMagic = defineMagic({
  name: "hw",
  modes: ["line"],
  summary: "hardware runners: list, connect (remote board with CURVE keys, vm, export), deploy, run with raster and power, status, cancel",
  description: "ACTION is list (runners known and connected), connect TARGET (vm, vm:cycle, export --dir DIR, or remote://HOST:PORT --keys DIR; --name names it, default board), deploy PROGRAM, run PROGRAM (raster, power by layer and per core, as %vm run; --detach returns at once), wait JOB, status (of the runner and its server's queue), cancel [JOB] (the latest detached job by default), disconnect. --on NAME picks a connected runner. Interrupting a cell cancels its job on the board.",
  arguments: [
    {
      name: "action", description: "list | connect | deploy | run | wait | status | cancel | disconnect", required: true,
      complete: { values: ["list", "connect", "deploy", "run", "wait", "status", "cancel", "disconnect"] },
    },
    { name: "target", description: "runner (connect), Program variable or PROGRAM.json (deploy, run), job (wait, cancel)", required: false },
  ],
  options: [
    { flags: "--keys <dir>", description: "CURVE keys: client.key, client.pub, server.pub (connect)" }, { flags: "--dir <dir>", description: "output directory of the export runner (connect)" },
    { flags: "--name <name>", description: "name of the connected runner (connect)" }, { flags: "--on <name>", description: "which connected runner to use" },
    { flags: "-i, --input <file>", description: "input: .csv, .npy or a variable" }, { flags: "--poisson <hz>", description: "Poisson input at this rate (with --steps)", parse: positive },
    { flags: "--seed <n>", description: "seed of the Poisson input", default: 0, parse: Number }, { flags: "--steps <n>", description: "steps of the run", parse: positiveInt },
    { flags: "--detach", description: "run in the background (see wait, cancel)" }, { flags: "-q, --quiet", description: "show nothing (use with --as)" },
  ],
  examples: ["%hw connect remote://127.0.0.1:5555 --keys keys/", "%hw run prog --poisson 50 --steps 500 --as r", "%hw run prog --poisson 50 --steps 100000 --detach", "%hw cancel", "%hw connect export --dir out/ --name exp", "%hw deploy prog --on exp"],
  async run(input, ctx) {
    const o = input.options as HwFlags, action = String(input.args[0]), target = input.args[1] === undefined ? undefined : String(input.args[1]);
    if (action === "list") {
      const rows = [...runners.names().map((n) => ({ runner: n, summary: runners.get(n).summary, connected: [...connected].filter(([, e]) => e.runner.name.startsWith(n)).map(([k]) => k).join(", ") })), ...[...connected].filter(([, e]) => e.runner.name.startsWith("remote://")).map(([k, e]) => ({ runner: e.runner.name, summary: "connected board", connected: k }))];
      ctx.display.table(rows);
      return rows;
    }
    if (action === "connect") {
      if (!target) throw new PhasorError("%hw connect needs vm, vm:cycle, export or remote://HOST:PORT", "usage");
      const name = o.name ?? (target.startsWith("remote://") ? "board" : target);
      await connected.get(name)?.runner.close();
      const runner = createRunner(target, { keys: o.keys && resolve(ctx.cwd, o.keys), dir: o.dir && resolve(ctx.cwd, o.dir) });
      connected.set(name, { runner });
      const st = await runner.status().catch(async (e: Error) => { connected.delete(name); await runner.close(); throw e; });
      ctx.print(`connected ${name}: ${runner.name} (${st.state})${st.detail?.server ? `, server ${String(st.detail.server)} hosting ${String(st.detail.runner)}` : ""}\n`);
      return st;
    }
    if (action === "deploy") {
      const { entry } = runnerOf(o), p = programOf(target ?? "", ctx, "hw"), info = await entry.runner.deploy(p);
      entry.program = programHash(p);
      ctx.print(`deployed ${info.program.slice(0, 12)} (${info.target}) on ${info.runner}${info.files ? `: ${info.files.join(", ")}` : ""}\n`);
      return info;
    }
    if (action === "run") return run(target ?? "", o, ctx);
    if (action === "wait" || action === "cancel") {
      const job = jobs.get(target ?? o.job ?? [...jobs.keys()].at(-1) ?? "");
      if (!job) throw new PhasorError(`%hw ${action}: no such job (jobs: ${[...jobs.keys()].join(", ") || "none"})`, "usage");
      if (action === "cancel") { job.abort.abort(); ctx.print(`cancelling ${job.id} on ${job.runner}\n`); return job.done.then(() => "finished before the cancel", (e: Error) => e.message); }
      const r = await job.done;
      if (!o.quiet) show(r, ctx);
      return r;
    }
    if (action === "status") {
      const { name, entry } = runnerOf(o), st = await entry.runner.status();
      ctx.display.table([{ name, runner: st.runner, state: st.state, program: st.program?.sha256.slice(0, 12) ?? "", ...Object.fromEntries(Object.entries(st.detail ?? {}).filter(([, v]) => typeof v !== "object")) }]);
      const mine = [...jobs.values()].filter((j) => j.runner === name).map((j) => ({ job: j.id, state: j.state, step: j.step, steps: j.steps }));
      if (mine.length) ctx.display.table(mine);
      return st;
    }
    if (action === "disconnect") { const { name, entry } = runnerOf(o); await entry.runner.close(); connected.delete(name); return name; }
    throw new PhasorError(`%hw: unknown action "${action}"; use list, connect, deploy, run, wait, status, cancel or disconnect`, "usage");
  },
});
