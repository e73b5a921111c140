/** `phasor compile FILE --target NAME|TARGET.json [--dt S] [--out PROGRAM.json] [--report] [--json]`. */
import {
  compileReset, compileResetNote, conventionJson, conventionLine, readNirWithInfo, type Convention,
} from "../lib/ir/nir/index.js";
import { resolveTarget } from "../lib/target/registry.js";
import { compile, formatReport, saveProgram } from "../lib/compiler/index.js";

export interface CompileFlags {
  target: string;
  dt: number;
  out?: string;
  report?: boolean;
  json?: boolean;
  convention: Convention;
  placer: "greedy" | "optimise";
  seed: number;
  reset?: "zero" | "subtract";
  host?: boolean;
}

/** Reads a NIR file, compiles it for the target, writes the Program and prints a summary or the report. */
export async function compileCommand(file: string, o: CompileFlags): Promise<void> {
  const target = resolveTarget(o.target);
  const nir = await readNirWithInfo(file, { convention: o.convention, dt: o.dt });
  const reset = compileReset(nir.record, o.reset);
  const t0 = performance.now();
  const p = compile(nir.graph, target, { dt: o.dt, placer: o.placer, seed: o.seed, reset, allowHost: o.host });
  const seconds = (performance.now() - t0) / 1e3;
  const written = o.out ? saveProgram(p, o.out) : undefined;
  if (o.json) {
    const convention = conventionJson(nir.record);
    console.log(JSON.stringify({ file, target: target.name, convention, seconds, out: written ?? null, report: p.report }));
    return;
  }
  const r = p.report;
  console.log(`compiled ${file} for ${target.name} in ${seconds.toFixed(2)} s: ${r.coresUsed} of ${r.coresTotal} cores, ${r.traffic.spikeHops} spike-hops (${r.traffic.source})`);
  console.log(conventionLine(nir.record));
  const resetNote = compileResetNote(nir.record, p.options.reset, target.name);
  for (const n of [...nir.notes.slice(1), ...(resetNote ? [resetNote] : [])]) console.log(`note: ${n}`);
  if (o.report) console.log("\n" + formatReport(r));
  if (written) console.log(`wrote ${written.json} and ${written.bin}`);
}
