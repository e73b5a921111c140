/** `phasor run PROGRAM --input IN [--runner vm | vm:cycle | remote://HOST:PORT] [--steps N] [--out OUT.json]`: a compiled Program on the VM. */
import { existsSync, writeFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { extname } from "node:path";
import { PhasorError } from "../lib/ir/errors.js";
import { readArrayFile } from "../lib/ir/io/index.js";
import { toDenseInput } from "../lib/ir/io/input.js";
import { loadProgram } from "../lib/compiler/serialize.js";
import { runProgram } from "../lib/vm/session.js";
import type { EngineName, RunResult, VmInput } from "../lib/vm/types.js";
import { energySummary } from "../lib/vm/energy.js";
import type { Program } from "../lib/compiler/program.js";
import { formatCsv } from "../lib/ir/io/csv.js";
import { columns } from "../lib/ir/sim/index.js";

export interface RunFlags {
  input?: string;
  runner: string;
  keys?: string;
  steps?: number;
  batch?: number;
  out?: string;
  record?: string;
  json?: boolean;
  /** A batch run (cli/batch.ts): a folder or pattern of input files, and where to run them. */
  inputs?: string;
  split?: string;
  cluster?: string;
  labels?: string;
  readout?: string;
  timeout?: number;
}

/** The engine a --runner value names ("remote" for a board server), or a clear refusal. */
export function engineOf(runner: string): EngineName | "remote" {
  if (runner === "vm") return "behavioural";
  if (runner === "vm:cycle") return "cycle";
  if (runner.startsWith("remote://")) return "remote";
  throw new PhasorError([{ code: "runner", path: ["--runner"], message: `unknown runner "${runner}"; use vm, vm:cycle or remote://HOST:PORT` }]);
}

/** The JSON written to OUT: spikes, counters, energy, NeuroBench metrics and the cycle timing summary. */
export function runJson(r: RunResult, runner: string) {
  const c = r.cycles;
  return {
    runner, engine: r.engine, target: r.target, dt: r.dt, steps: r.steps, batch: r.batch, seconds: r.seconds,
    spikes: r.spikes, counters: r.counters, energy: r.energy, neurobench: r.neurobench,
    outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, Array.from(v)])),
    cycles: c ? { ...cycleTimes(c), coreModel: c.coreModel, links: c.links, packets: c.packets, hops: c.hops, overflows: c.overflows, events: c.events } : null,
  };
}

/** The energy fields of the --json summary: null where n/a, with the reasons and the chip time they rest on. */
function energyJson(r: RunResult) {
  const e = r.energy;
  return { energyPerInference: e.perInference, averagePower: e.averagePower, chipSeconds: e.seconds, timeBase: e.timeBase, timeSource: e.timeSource, energyNa: e.na };
}

/** Cycle counts and the clock, or null with the reason where they rest on timing constants without a published figure. */
function cycleTimes(c: NonNullable<RunResult["cycles"]>) {
  if (c.na) return { clockHz: null, totalCycles: null, stepCycles: null, coreBusy: null, na: c.na };
  return { clockHz: c.clockNa ? null : c.clockHz, ...(c.clockNa ? { clockNa: c.clockNa } : {}), totalCycles: c.totalCycles, stepCycles: c.stepCycles, coreBusy: c.coreBusy };
}

/** Loads the Program and input, runs, writes OUT and prints a summary (or JSON). */
export async function runCommand(file: string, o: RunFlags): Promise<void> {
  if (o.inputs !== undefined || o.cluster !== undefined) return (await import("./batch.js")).batchCommand(file, o);
  const engine = engineOf(o.runner);
  const outExt = o.out ? extname(o.out).toLowerCase() : undefined;
  if (o.out && outExt !== ".json" && !(outExt === ".csv" && o.record)) throw new PhasorError([{ code: "bad-output-file", path: [o.out], message: `phasor run writes .json (or .csv of the --record columns); got "${extname(o.out) || "(none)"}"` }]);
  if (!existsSync(file)) throw new PhasorError([{ code: "file-not-found", path: [file], message: "no such program file" }]);
  const bin = file.replace(/\.json$/i, ".bin");
  if (file.toLowerCase().endsWith(".json") && !existsSync(bin)) throw new PhasorError([{ code: "file-not-found", path: [bin], message: "the program's blob file is missing (phasor compile --out writes PROGRAM.json and PROGRAM.bin)" }]);
  const p = loadProgram(file);
  const inputs = p.layers.filter((l) => l.kind === "input");
  if (inputs.length > 1) throw new PhasorError(`phasor run takes one input array; ${file} has ${inputs.length} input layers (${inputs.map((l) => l.name).join(", ")})`, "inputs");
  if (inputs.length && !o.input) throw new PhasorError([{ code: "missing-input", path: ["--input"], message: `the program has input layer "${inputs[0].name}" (shape [${inputs[0].shape}]); give --input IN (.csv or .npy)` }]);
  const input = inputs.length && o.input ? toDenseInput(readArrayFile(o.input), inputs[0].shape, inputs[0].name, o.batch, o.input) : undefined;
  if (!input && o.steps === undefined) throw new PhasorError([{ code: "steps", path: ["--steps"], message: "a program without inputs needs --steps N" }]);
  const record = recordList(p, o.record);
  const r = engine === "remote" ? await runRemote(p, input, o, record) : runProgram(p, { engine, input, steps: o.steps, batch: o.batch, record });
  if (outExt === ".csv") writeFileSync(o.out!, recordCsv(p, r));
  else if (o.out) writeFileSync(o.out, JSON.stringify({ ...runJson(r, o.runner), ...(record ? { columns: recordColumns(p, r) } : {}) }));
  const spikes = Object.fromEntries(Object.entries(r.spikes).map(([k, v]) => [k, v.length]));
  if (o.json) {
    console.log(JSON.stringify({ file, runner: o.runner, steps: r.steps, batch: r.batch, spikes, ...energyJson(r), SynapticOperations: r.neurobench.SynapticOperations, totalCycles: r.cycles && !r.cycles.na ? r.cycles.totalCycles : null, out: o.out ?? null }));
    return;
  }
  console.log(`ran ${file} on ${o.runner} (${p.target.name}): ${r.steps} steps, batch ${r.batch}, ${r.seconds.toFixed(3)} s`);
  for (const [k, n] of Object.entries(spikes)) console.log(`  ${k}: ${n} spikes`);
  console.log(`  ${energySummary(r.energy)}`);
  console.log(`  NeuroBench per sample: SynapticOperations Effective_ACs ${r.neurobench.SynapticOperations.Effective_ACs}, Effective_MACs ${r.neurobench.SynapticOperations.Effective_MACs}, Dense ${r.neurobench.SynapticOperations.Dense}; ActivationSparsity ${r.neurobench.ActivationSparsity.toFixed(3)}`);
  if (r.cycles) console.log(`  ${r.cycles.na ? `cycles n/a (${r.cycles.na})` : `${r.cycles.totalCycles} cycles`} (${r.cycles.coreModel} cores), ${r.cycles.packets} packets, ${r.cycles.hops} hops, ${r.cycles.overflows} stalls on a full buffer`);
  if (o.out) console.log(`wrote ${o.out}`);
}

/** Runs on a board server (remote://HOST:PORT with --keys DIR); the connection is closed afterwards. */
async function runRemote(p: Program, input: VmInput | undefined, o: RunFlags, record?: string[]): Promise<RunResult> {
  const { RemoteRunner } = await import("../lib/hw/remote.js");
  const runner = RemoteRunner.connect(o.runner, { keys: o.keys });
  try {
    await runner.deploy(p);
    return await runner.run(input, { steps: o.steps, batch: o.batch, record });
  } finally {
    await runner.close();
  }
}

/** The layers named by --record, each checked against the Program's neuron layers. */
function recordList(p: Program, names: string | undefined): string[] | undefined {
  if (names === undefined) return undefined;
  const list = names.split(",").map((x) => x.trim()).filter(Boolean), known = p.layers.filter((l) => l.kind === "neuron").map((l) => l.name);
  const bad = list.filter((x) => !known.includes(x));
  if (!list.length || bad.length) throw new PhasorError([{ code: "unknown-layer", path: ["--record"], message: `${list.length ? `no neuron layer ${bad.map((x) => `"${x}"`).join(", ")}` : "name at least one layer"}; neuron layers: ${known.join(", ")}` }]);
  return list;
}

/**
 * The recorded state as `phasor simulate` lays it out: NODE.VAR columns (NODE.VAR[k] for a
 * layer of several neurons), one value per step, batch entry 0. VAR: v, i (i0, i1, ...; Loihi's
 * u is i), spike in model units, and v_int, i_int, ... as the chip's integers.
 */
export function recordColumns(p: Program, r: RunResult): Record<string, number[]> {
  const shapes = Object.fromEntries(p.layers.map((l) => [l.name, { output: [l.size] }]));
  return Object.fromEntries(columns({ ...r, shapes }).map((c) => [c.name, Array.from(c.values)]));
}

function recordCsv(p: Program, r: RunResult): string {
  const cols = recordColumns(p, r), names = Object.keys(cols);
  return formatCsv(["step", ...names], [Float64Array.from({ length: r.steps }, (_, t) => t), ...names.map((n) => Float64Array.from(cols[n]))]);
}

function positiveInteger(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${s}"`);
  return n;
}

/** Adds `phasor run` to the command line. */
export function registerRun(p: Command): void {
  p.command("run")
    .description("run a compiled Program on the VM (behavioural or cycle-accurate)")
    .argument("<program>", "PROGRAM.json written by phasor compile --out")
    .option("--input <file>", ".csv (one row per step) or .npy [T, ...shape] / [T, batch, ...shape]")
    .option("--inputs <dir|glob>", "a batch: one run per .csv/.npy file of a folder or a quoted pattern (\"in/*.npy\"), or per sample of a packed dataset (PACKED.h5); --out DIR")
    .option("--cluster <url>", "with --inputs: one job per file on the workers of this Redis server (redis://HOST:PORT)")
    .option("--split <name>", "with --inputs PACKED.h5: the split to run (default: every sample)")
    .option("--labels <file>", "with --inputs: class labels (JSON {\"name.npy\": 3} or CSV name,label) for the aggregate's accuracy")
    .option("--readout <layer>", "with --labels: the layer whose most-spiking neuron is the prediction (default: the last)")
    .option("--timeout <s>", "with --cluster: give up after this many seconds", (s: string) => Number(s))
    .option("--runner <runner>", "vm (behavioural), vm:cycle (cycle-accurate) or remote://HOST:PORT", "vm")
    .option("--keys <dir>", "CURVE keys for a remote runner: client.key, client.pub, server.pub (phasor board keys DIR)")
    .option("--steps <n>", "number of steps (default: the input's length)", positiveInteger)
    .option("--batch <b>", "batch size (a 2-D input is repeated over the batch)", positiveInteger)
    .option("--record <nodes>", "comma-separated layers whose v, currents and spikes to record every step (model units and the chip's integers)")
    .option("--out <file>", "write OUT.json: spikes, counters, energy, NeuroBench metrics, timing (and the --record columns); or OUT.csv: the --record columns")
    .option("--json", "print a JSON summary")
    .action(runCommand);
}
