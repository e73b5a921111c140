/**
 * `phasor sweep FILE --grid SPEC [--cluster URL] [--out ROWS.json|.csv]`: the command-line twin
 * of %sweep. Each grid point compiles FILE for generic-mesh with those parameters and runs it on
 * Poisson input, in worker threads here or as jobs on a cluster's workers; one row per point.
 */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { PhasorError } from "../lib/ir/errors.js";
import type { Convention } from "../lib/ir/nir/index.js";
import type { SweepRow } from "../lib/vm/sweep.js";
import { DEFAULT_CONVENTION, conventionNames } from "../lib/ir/nir/conventions.js";

/** Flags of `phasor sweep`. */
export interface SweepFlags {
  grid: string;
  cluster?: string;
  out?: string;
  steps: number;
  poisson: number;
  seed: number;
  workers?: number;
  behavioural?: boolean;
  timeout?: number;
  json?: boolean;
  convention: Convention;
  dt?: number;
}

/** Runs the sweep, writes ROWS and prints one line per point (or JSON). */
export async function sweepCommand(file: string, o: SweepFlags): Promise<void> {
  const ext = o.out ? extname(o.out).toLowerCase() : undefined;
  if (o.out && ext !== ".json" && ext !== ".csv")
    throw new PhasorError([
      {
        code: "bad-output-file",
        path: [o.out],
        message: `phasor sweep writes .json or .csv; got "${extname(o.out) || "(none)"}"`,
      },
    ]);
  const { parseGrid, poissonInput } = await import("../kernel/magics/sweep.js");
  const { readNir } = await import("../lib/ir/nir/index.js");
  const grid = parseGrid(o.grid, "--grid");
  const g = await readNir(file, { convention: o.convention, dt: o.dt });
  const run = {
    input: poissonInput(g, o.steps, o.poisson, o.seed),
    steps: o.steps,
    engine: o.behavioural ? ("behavioural" as const) : ("cycle" as const),
  };
  const show = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r${line}\x1b[K`) : () => undefined;
  let rows: SweepRow[];
  if (o.cluster) {
    const { clusterSweep, progressNote } = await import("../lib/cluster/index.js");
    const timeoutMs = o.timeout ? o.timeout * 1000 : undefined;
    rows = await clusterSweep(g, grid, {
      ...run,
      cluster: o.cluster,
      timeoutMs,
      onProgress: (p) => show(`sweep: ${progressNote(p)}`),
    });
  } else {
    const { sweep } = await import("../lib/vm/sweep.js");
    rows = await sweep(g, grid, {
      ...run,
      workers: o.workers,
      onProgress: (d, n) => show(`sweep: ${d} of ${n} configurations`),
    });
  }
  show("");
  const { paretoFront } = await import("../lib/plot/cycles.js");
  const front = new Set(paretoFront(rows));
  const table = rows.map((r, i) => ({ ...r, pareto: front.has(i) }));
  if (o.out) writeFileSync(o.out, ext === ".csv" ? rowsCsv(table) : JSON.stringify(table, null, 1));
  if (o.json)
    return void console.log(
      JSON.stringify({
        file,
        points: rows.length,
        failed: rows.filter((r) => r.error).length,
        pareto: [...front],
        rows: table,
        out: o.out ?? null,
      }),
    );
  for (const r of table) {
    const what = r.error
      ? `error: ${r.error}`
      : `${r.cores} cores, ${(r.energy * 1e6).toPrecision(4)} uJ, ${(r.latency * 1e6).toPrecision(4)} us, ${r.spikes} spikes`;
    console.log(`${r.pareto ? "*" : " "} ${r.label}: ${what}`);
  }
  console.log(
    `${rows.length} configurations, ${rows.filter((r) => r.error).length} failed, ${front.size} on the Pareto front (*)${o.cluster ? " (cluster)" : ""}`,
  );
  if (o.out) console.log(`wrote ${o.out}`);
}

/** ROWS.csv: configuration, one column per grid parameter, cores, energy_J, latency_s, spikes, pareto, error. */
export function rowsCsv(rows: Array<SweepRow & { pareto: boolean }>): string {
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const cell = (v: unknown) => {
    const s = v === undefined || (typeof v === "number" && Number.isNaN(v)) ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const head = ["configuration", ...params, "cores", "energy_J", "latency_s", "spikes", "pareto", "error"];
  const body = rows.map((r) =>
    [
      r.label,
      ...params.map((k) => (r.params as Record<string, unknown>)[k]),
      r.cores,
      r.energy,
      r.latency,
      r.spikes,
      r.pareto,
      r.error,
    ]
      .map(cell)
      .join(","),
  );
  return [head.join(","), ...body].join("\n") + "\n";
}

function positiveInteger(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${s}"`);
  return n;
}

function positiveNumber(s: string): number {
  const n = Number(s);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a positive number, got "${s}"`);
  return n;
}

/** Adds `phasor sweep` to the command line. */
export function registerSweep(p: Command): void {
  p.command("sweep")
    .description(
      "compile and run a NIR file over a grid of generic-mesh parameters (here, or on a cluster with --cluster)",
    )
    .argument("<file>", "a .nir file")
    .requiredOption(
      "--grid <spec>",
      'NAME=V1,V2;NAME=... over generic-mesh parameters, e.g. "width=2,4;neuronsPerCore=64,256"',
    )
    .option(
      "--cluster <url>",
      "run the points as jobs on the workers of this Redis server (redis://HOST:PORT; phasor worker)",
    )
    .option("--out <file>", "write the rows to ROWS.json or ROWS.csv")
    .option("--steps <n>", "steps per run", positiveInteger, 50)
    .option("--poisson <hz>", "Poisson input rate", positiveNumber, 50)
    .option("--seed <n>", "input seed", (s: string) => Number(s), 0)
    .option("--workers <n>", "worker threads without --cluster (default: the CPUs)", positiveInteger)
    .option("--behavioural", "behavioural engine (latency then is real time)")
    .option(
      "--timeout <s>",
      "with --cluster: give up after this many seconds (the jobs not started are removed)",
      positiveNumber,
    )
    .option("--json", "print JSON for scripts")
    .addOption(
      new Option(
        "--convention <name>",
        "how the exporting framework baked dt into the parameters (docs/conventions.md)",
      )
        .choices(conventionNames)
        .default(DEFAULT_CONVENTION),
    )
    .option("--dt <seconds>", "time step the exporter used (needed by some conventions)", parseFloat)
    .action(async (file: string, o: SweepFlags) => sweepCommand(file, o));
}
