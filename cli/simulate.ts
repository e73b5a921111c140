/** `phasor simulate FILE --input IN ...`: the reference simulator from the command line. */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { PhasorError } from "../lib/ir/errors.js";
import {
  conventionJson, conventionLine, readNirWithInfo, simulationOptions, type Convention,
} from "../lib/ir/nir/index.js";
import { analyseGraph } from "../lib/ir/validate.js";
import { readArrayFile } from "../lib/ir/io/index.js";
import { toDenseInput } from "../lib/ir/io/input.js";
import { formatCsv } from "../lib/ir/io/csv.js";
import { simulate, columns, type SimColumn, type SimResult } from "../lib/ir/sim/index.js";

export interface SimulateFlags {
  input: string;
  dt: number;
  steps?: number;
  batch?: number;
  record?: string[];
  /** Undefined: euler. */
  integrator?: "euler" | "exact";
  /** Undefined: the convention's (zero for raw). */
  reset?: "zero" | "subtract";
  dtype: "float64" | "float32";
  convention: Convention;
  out?: string;
  json?: boolean;
}

/** Reads the graph and input, simulates, and writes OUT (.csv or .json) or a summary. */
export async function simulateCommand(file: string, o: SimulateFlags): Promise<void> {
  const outExt = o.out ? extname(o.out).toLowerCase() : undefined;
  if (outExt && outExt !== ".csv" && outExt !== ".json")
    throw new PhasorError([{ code: "bad-output-file", path: [o.out!], message: `unsupported output format "${outExt}"; use .csv or .json` }]);
  const nir = await readNirWithInfo(file, { convention: o.convention, dt: o.dt });
  const g = nir.graph;
  const sim = simulationOptions(nir.record, { dt: o.dt, integrator: o.integrator, reset: o.reset });
  const a = analyseGraph(g);
  const inputs = a.order.filter((n) => a.nodes[n].type === "Input");
  if (inputs.length !== 1) throw new PhasorError(`phasor simulate needs a graph with exactly one Input node; ${file} has ${inputs.length} (${inputs.join(", ")})`, "inputs");
  const input = toDenseInput(readArrayFile(o.input), a.shapes[inputs[0]].output, inputs[0], o.batch, o.input);
  const result = simulate(g, { dt: o.dt, steps: o.steps, input, ...sim, dtype: o.dtype, record: o.record });
  const cols = columns(result);
  const convention = conventionJson(nir.record);
  if (outExt === ".csv") writeFileSync(o.out!, csvOf(result, cols));
  else if (outExt === ".json") writeFileSync(o.out!, JSON.stringify({ ...jsonOf(result, cols), convention }));
  const summary = spikeSummary(result);
  const notes = nir.notes.slice(1);
  if (o.json) {
    const simulation = { ...sim, dtype: o.dtype };
    const { steps, batch, dt } = result;
    console.log(JSON.stringify({ file, steps, batch, dt, convention, simulation, notes, spikes: summary, out: o.out ?? null }));
  } else {
    const how = `${sim.integrator}, reset ${sim.reset}, ${o.dtype}`;
    console.log(`simulated ${result.steps} steps (dt ${result.dt} s, batch ${result.batch}, ${how})`);
    console.log(conventionLine(nir.record));
    for (const n of notes) console.log(`note: ${n}`);
    for (const [node, n] of Object.entries(summary)) console.log(`  ${node}: ${n} spikes`);
    if (o.out) console.log(`wrote ${o.out}`);
  }
}


function csvOf(r: SimResult, cols: SimColumn[]): string {
  const steps = Float64Array.from({ length: r.steps }, (_, t) => t);
  return formatCsv(["step", ...cols.map((c) => c.name)], [steps, ...cols.map((c) => c.values)]);
}

function jsonOf(r: SimResult, cols: SimColumn[]) {
  return { dt: r.dt, steps: r.steps, batch: r.batch, columns: Object.fromEntries(cols.map((c) => [c.name, Array.from(c.values)])), spikes: r.spikes };
}

function spikeSummary(r: SimResult): Record<string, number> {
  return Object.fromEntries(Object.entries(r.spikes).map(([k, v]) => [k, v.length]));
}
