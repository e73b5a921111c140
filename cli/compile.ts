/** `phasor compile FILE --target NAME|TARGET.json [--dt S] [--out PROGRAM.json] [--report] [--json]`. */
import {
  compileReset, compileResetNote, conventionJson, conventionLine, readNirWithInfo, type Convention,
} from "../lib/ir/nir/index.js";
import { resolveTarget } from "../lib/target/registry.js";
import type { Program } from "../lib/compiler/program.js";
import { compile, formatReport, saveProgram } from "../lib/compiler/index.js";
import { PhasorError } from "../lib/ir/errors.js";

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
  /** `--emit systemc DIR`: [kind, dir]. */
  emit?: string[];
}

/** Reads a NIR file, compiles it for the target, writes the Program and prints a summary or the report. */
export async function compileCommand(file: string, o: CompileFlags): Promise<void> {
  const emit = emitFlags(o.emit);
  const target = resolveTarget(o.target);
  const nir = await readNirWithInfo(file, { convention: o.convention, dt: o.dt });
  const reset = compileReset(nir.record, o.reset);
  const t0 = performance.now();
  const p = compile(nir.graph, target, { dt: o.dt, placer: o.placer, seed: o.seed, reset, allowHost: o.host });
  const seconds = (performance.now() - t0) / 1e3;
  const written = o.out ? saveProgram(p, o.out) : undefined;
  const model = emit ? await emitModel(p, emit.dir) : undefined;
  if (o.json) {
    const convention = conventionJson(nir.record);
    console.log(JSON.stringify({ file, target: target.name, convention, seconds, out: written ?? null, ...(model ? { systemc: model } : {}), report: p.report }));
    return;
  }
  const r = p.report;
  console.log(`compiled ${file} for ${target.name} in ${seconds.toFixed(2)} s: ${r.coresUsed} of ${r.coresTotal} cores, ${r.traffic.spikeHops} spike-hops (${r.traffic.source})`);
  console.log(conventionLine(nir.record));
  const resetNote = compileResetNote(nir.record, p.options.reset, target.name);
  for (const n of [...nir.notes.slice(1), ...(resetNote ? [resetNote] : [])]) console.log(`note: ${n}`);
  if (o.report) console.log("\n" + formatReport(r));
  if (written) console.log(`wrote ${written.json} and ${written.bin}`);
  if (model) console.log(`wrote a SystemC model of Program ${model.hash.slice(0, 12)} into ${model.dir} (${model.files.length} files; build: cmake -S ${model.dir} -B BUILD && cmake --build BUILD)`);
}

/** `--emit systemc DIR` checked (the only kind so far). */
function emitFlags(e: string[] | undefined): { dir: string } | undefined {
  if (!e) return undefined;
  if (e.length !== 2 || e[0] !== "systemc") throw new PhasorError([{ code: "bad-option", path: ["--emit"], message: `expected a kind and a folder (--emit systemc DIR); got "${e.join(" ")}"` }]);
  return { dir: e[1] };
}

/** Writes the SystemC model of `p` into dir. */
async function emitModel(p: Program, dir: string) {
  return (await import("./systemc.js")).emitModel(p, dir);
}
