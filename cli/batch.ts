/**
 * `phasor run PROGRAM --inputs DIR|GLOB [--cluster URL] --out DIR`: one run per input file, here
 * or one job per file on a cluster; DIR/NAME.json per input (as `phasor run --out` writes it)
 * and DIR/aggregate.json (spikes, energy, accuracy where labels exist, every input's outcome).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PhasorError } from "../lib/ir/errors.js";
import { loadProgram } from "../lib/compiler/serialize.js";
import {
  aggregate,
  listInputs,
  predicted,
  readLabels,
  readoutLayer,
  runBatch,
  stem,
  type BatchOutcome,
} from "../lib/cluster/batch.js";
import { engineOf, runJson, type RunFlags } from "./run.js";
import { isPackedFile } from "../lib/data/pack-read.js";
import { packedInputs } from "../lib/cluster/packed-inputs.js";

/** Checks the flags of a batch run; returns the engine. */
function checkFlags(o: RunFlags): "behavioural" | "cycle" {
  const bad = (path: string, message: string): never => {
    throw new PhasorError([{ code: "usage", path: [path], message }]);
  };
  if (o.inputs === undefined) bad("--cluster", "--cluster runs a batch: give --inputs DIR|GLOB and --out DIR");
  if (o.input !== undefined)
    bad("--input", "give either --input FILE (one run) or --inputs DIR|GLOB (a batch), not both");
  if (o.record !== undefined)
    bad("--record", "--record is for single runs (--input); a batch writes spikes, counters and energy per input");
  if (o.out === undefined)
    bad("--out", "a batch run needs --out DIR: one NAME.json per input and aggregate.json go there");
  if (o.timeout !== undefined && !(o.timeout > 0))
    bad("--timeout", `expected a positive number of seconds, got ${o.timeout}`);
  const engine = engineOf(o.runner);
  if (engine === "remote")
    bad(
      "--runner",
      "a batch runs on the VM (vm or vm:cycle), here or on cluster workers; remote boards take single runs",
    );
  return engine as "behavioural" | "cycle";
}

function checkFolder(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new PhasorError([
      { code: "file", path: ["--out"], message: `${dir} is a file; a batch run writes a folder of results` },
    ]);
}

/** Runs the batch and writes DIR; a failed input is listed (and makes the exit status 1), the others still written. */
export async function batchCommand(file: string, o: RunFlags): Promise<void> {
  const engine = checkFlags(o),
    dir = o.out!;
  checkFolder(dir);
  const p = loadProgram(file);
  // A packed dataset (phasor data pack): one input per sample of --split, its labels from the file.
  const packed = (await isPackedFile(o.inputs!)) ? await packedInputs(o.inputs!, p, { split: o.split, steps: o.steps }) : undefined;
  if (o.split !== undefined && !packed) throw new PhasorError([{ code: "usage", path: ["--split"], message: "--split picks a split of a packed dataset (--inputs FILE.h5)" }]);
  const files = packed?.files ?? listInputs(o.inputs!);
  const labels = o.labels ? readLabels(o.labels) : packed?.labels;
  const readout = readoutLayer(p, o.readout);
  mkdirSync(dir, { recursive: true });
  const show = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r${line}\x1b[K`) : () => undefined;
  const { progressNote } = await import("../lib/cluster/client.js");
  const outs = await runBatch(p, files, {
    engine,
    steps: o.steps,
    batch: o.batch,
    cluster: o.cluster,
    read: packed?.read,
    timeoutMs: o.timeout ? o.timeout * 1000 : undefined,
    onProgress: (x) => show(`batch: ${progressNote(x)}`),
  });
  show("");
  for (const x of outs)
    if (x.ok) writeFileSync(join(dir, `${stem(x.file)}.json`), JSON.stringify(runJson(x.result, o.runner)));
  const agg = aggregate(outs, { readout, labels });
  const results = outs.map((x) => resultLine(x, readout, labels));
  writeFileSync(
    join(dir, "aggregate.json"),
    JSON.stringify(
      { program: file, runner: o.runner, cluster: o.cluster ? redact(o.cluster) : null, ...agg, results },
      null,
      1,
    ),
  );
  if (o.json) console.log(JSON.stringify({ program: file, out: dir, ...agg }));
  else printSummary(file, dir, agg, o);
  if (agg.failed.length) process.exitCode = 1;
}

function resultLine(x: BatchOutcome, readout: string, labels?: Map<string, number>) {
  const label = labels?.get(stem(x.file)) ?? null;
  if (!x.ok) return { file: x.file, ok: false, error: x.error, label };
  const spikes = Object.values(x.result.spikes).reduce((a, l) => a + l.length, 0);
  return {
    file: x.file,
    ok: true,
    out: `${stem(x.file)}.json`,
    worker: x.worker ?? null,
    spikes,
    energyPerInference: x.result.energy.perInference,
    predicted: predicted(x.result, readout),
    label,
  };
}

function printSummary(file: string, dir: string, agg: ReturnType<typeof aggregate>, o: RunFlags): void {
  console.log(
    `ran ${file} on ${agg.inputs} inputs${o.cluster ? ` on the cluster at ${redact(o.cluster)}` : ""}: ${agg.succeeded} succeeded, ${agg.failed.length} failed`,
  );
  console.log(`  spikes: ${agg.spikes.total} in all, ${agg.spikes.meanPerInput.toFixed(1)} per input`);
  const e = agg.energy.meanPerInference;
  console.log(
    `  energy: ${(agg.energy.total * 1e6).toPrecision(4)} uJ in all${e === null ? "" : `, ${(e * 1e6).toPrecision(4)} uJ per inference`}`,
  );
  if (agg.accuracy)
    console.log(
      `  accuracy (${agg.accuracy.readout}): ${agg.accuracy.correct} of ${agg.accuracy.labelled} labelled inputs, ${(agg.accuracy.accuracy * 100).toFixed(1)}%`,
    );
  for (const f of agg.failed) console.log(`  failed ${f.file}: ${f.error}`);
  console.log(`wrote ${dir}/NAME.json per input and ${dir}/aggregate.json`);
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:***@");
}
