/**
 * Batch runs: one run of a Program per input file, in this process or one job per file on
 * the cluster, and an aggregate over them (spikes, energy, and accuracy where labels exist).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { fsReason } from "../ir/io/files.js";
import type { Program } from "../compiler/program.js";
import { decodeResult, programFrames } from "../hw/protocol/codec.js";
import type { EngineName, RunResult } from "../vm/types.js";
import { ClusterClient, type ClusterProgress, type ClusterRunOptions } from "./client.js";
import { concatParts } from "./codec.js";
import { runInput, type RunJob } from "./jobs.js";

/** Options of `runBatch`. */
export interface BatchOptions extends ClusterRunOptions {
  engine: EngineName;
  steps?: number;
  batch?: number;
  /** Redis URL: one job per file on the workers there; absent: every file in this process. */
  cluster?: string;
  /** How to read an input's bytes (default: the file); a packed dataset renders its samples here. */
  read?: (file: string) => Uint8Array;
}

/** One input's outcome. */
export type BatchOutcome =
  { file: string; ok: true; result: RunResult; worker?: string } | { file: string; ok: false; error: string };

/** The input files `spec` names: a folder's .csv/.npy files, or the files a pattern with * and ? matches; sorted. */
export function listInputs(spec: string): string[] {
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const list = (dir: string, keep: (name: string) => boolean) => {
    try {
      return readdirSync(dir)
        .filter(keep)
        .map((n) => join(dir, n))
        .filter((p) => !isDir(p))
        .sort();
    } catch (e) {
      throw new PhasorError([
        { code: "file", path: ["--inputs"], message: `${dir} ${fsReason(e) ?? (e as Error).message}` },
      ]);
    }
  };
  const files = isDir(spec)
    ? list(spec, (n) => /\.(csv|npy)$/i.test(n))
    : /[*?]/.test(basename(spec)) && !/[*?]/.test(dirname(spec))
      ? list(dirname(spec), (n) => globRegex(basename(spec)).test(n))
      : [];
  if (!files.length)
    throw new PhasorError([
      {
        code: "no-inputs",
        path: ["--inputs"],
        message: `${spec} names no input files; give a folder of .csv/.npy files or a pattern such as "inputs/*.npy" (quoted)`,
      },
    ]);
  const seen = new Map<string, string>();
  for (const f of files) {
    const k = stem(f);
    if (seen.has(k))
      throw new PhasorError([
        {
          code: "duplicate-input",
          path: ["--inputs"],
          message: `${seen.get(k)} and ${f} would write the same result file ${k}.json`,
        },
      ]);
    seen.set(k, f);
  }
  return files;
}

/** A file's name without folder and extension: its result is DIR/STEM.json. */
export function stem(file: string): string {
  return basename(file, extname(file));
}

function globRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** Runs `p` once per file, here or on the cluster; outcomes come back in file order. */
export async function runBatch(p: Program, files: string[], o: BatchOptions): Promise<BatchOutcome[]> {
  return o.cluster ? clusterBatch(p, files, o) : localBatch(p, files, o);
}

async function localBatch(p: Program, files: string[], o: BatchOptions): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [],
    t0 = Date.now();
  for (const file of files) {
    if (o.signal?.aborted)
      throw new PhasorError(`batch run cancelled after ${out.length} of ${files.length} inputs`, "aborted");
    try {
      out.push({ file, ok: true, result: runInput(p, (o.read ?? readFileSync)(file), file, o) });
    } catch (e) {
      out.push({ file, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
    const s = (Date.now() - t0) / 1000,
      failed = out.filter((x) => !x.ok).length;
    o.onProgress?.({
      total: files.length,
      done: out.length - failed,
      running: 0,
      failed,
      seconds: s,
      workers: {},
    } satisfies ClusterProgress);
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

async function clusterBatch(p: Program, files: string[], o: BatchOptions): Promise<BatchOutcome[]> {
  const client = await ClusterClient.connect(o.cluster!);
  try {
    const program = await client.blobs.put(concatParts(programFrames(p).frames));
    const hasInput = p.layers.some((l) => l.kind === "input");
    const jobs: RunJob[] = [];
    for (const [index, file] of files.entries()) {
      const input = hasInput ? await client.blobs.put((o.read ?? readFileSync)(file)) : undefined;
      jobs.push({
        kind: "run",
        program,
        input,
        file: basename(file),
        engine: o.engine,
        steps: o.steps,
        batch: o.batch,
        index,
      });
    }
    const outs = await client.run<string>("run", jobs, o);
    return outs.map((r, i): BatchOutcome =>
      r.ok
        ? { file: files[i], ok: true, result: decodeResult(r.result), worker: r.worker }
        : { file: files[i], ok: false, error: r.error },
    );
  } finally {
    await client.close();
  }
}

/** Labels by file stem, from a JSON object {"name.npy": 3, ...} or CSV lines "name.npy,3". */
export function readLabels(path: string): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PhasorError([
      { code: "file", path: ["--labels"], message: `${path} ${fsReason(e) ?? (e as Error).message}` },
    ]);
  }
  const pairs: Array<[string, unknown]> = path.toLowerCase().endsWith(".json")
    ? Object.entries(JSON.parse(text) as Record<string, unknown>)
    : text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.split(",").map((s) => s.trim()) as [string, string]);
  const out = new Map<string, number>();
  pairs.forEach(([k, v], i) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new PhasorError([
        {
          code: "bad-label",
          path: [path, i + 1],
          message: `label of ${k} is "${String(v)}"; give a class index (0, 1, ...)`,
        },
      ]);
    out.set(stem(k), n);
  });
  return out;
}

/** What the aggregate says about a batch. */
export interface BatchAggregate {
  inputs: number;
  succeeded: number;
  failed: Array<{ file: string; error: string }>;
  spikes: { total: number; meanPerInput: number; byLayer: Record<string, number> };
  energy: { total: number; meanPerInference: number | null };
  accuracy?: { readout: string; labelled: number; correct: number; accuracy: number };
}

/** The class a run predicts: the readout neuron with the most spikes (lowest index on a tie); null without spikes. */
export function predicted(r: RunResult, readout: string): number | null {
  const counts = new Map<number, number>();
  for (const s of r.spikes[readout] ?? []) {
    const i = s[s.length - 1];
    counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  let best: number | null = null,
    most = 0;
  for (const [i, n] of [...counts].sort((a, b) => a[0] - b[0]))
    if (n > most) {
      best = i;
      most = n;
    }
  return best;
}

/** Sums spikes and energy over the inputs that ran; accuracy of `readout` on the labelled ones. */
export function aggregate(outs: BatchOutcome[], o: { readout: string; labels?: Map<string, number> }): BatchAggregate {
  const ok = outs.filter((x): x is Extract<BatchOutcome, { ok: true }> => x.ok);
  const byLayer: Record<string, number> = {};
  let total = 0,
    energy = 0,
    inferences = 0,
    energyKnown = true,
    labelled = 0,
    correct = 0;
  for (const x of ok) {
    for (const [layer, list] of Object.entries(x.result.spikes)) {
      byLayer[layer] = (byLayer[layer] ?? 0) + list.length;
      total += list.length;
    }
    if (x.result.energy.perInference === null) energyKnown = false;
    else {
      energy += x.result.energy.perInference * x.result.batch;
      inferences += x.result.batch;
    }
    const label = o.labels?.get(stem(x.file));
    if (label !== undefined) {
      labelled++;
      if (predicted(x.result, o.readout) === label) correct++;
    }
  }
  const agg: BatchAggregate = {
    inputs: outs.length,
    succeeded: ok.length,
    failed: outs.flatMap((x) => (x.ok ? [] : [{ file: x.file, error: x.error }])),
    spikes: { total, meanPerInput: ok.length ? total / ok.length : 0, byLayer },
    energy: { total: energy, meanPerInference: energyKnown && inferences ? energy / inferences : null },
  };
  if (o.labels) agg.accuracy = { readout: o.readout, labelled, correct, accuracy: labelled ? correct / labelled : 0 };
  return agg;
}

/** The readout layer accuracy is measured on: `name` when given (checked), else the Program's last neuron layer. */
export function readoutLayer(p: Program, name?: string): string {
  const neurons = p.layers.filter((l) => l.kind === "neuron").map((l) => l.name);
  if (name === undefined) return neurons[neurons.length - 1] ?? "";
  if (!neurons.includes(name))
    throw new PhasorError([
      {
        code: "unknown-layer",
        path: ["--readout"],
        message: `no neuron layer "${name}"; neuron layers: ${neurons.join(", ")}`,
      },
    ]);
  return name;
}
