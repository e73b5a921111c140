/**
 * Architecture sweeps: compile and run one network over a grid of generic-mesh parameters,
 * in parallel worker threads (the compiled worker in dist/; in-process when it is absent,
 * as under a TypeScript test runner), and collect energy, latency and cores per point.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Graph } from "../ir/graph.js";
import { PhasorError } from "../ir/errors.js";
import { genericMesh, type GenericMeshParams } from "../target/presets/generic.js";
import { compile } from "../compiler/pipeline.js";
import type { CompileOptions } from "../compiler/state.js";
import { runProgram } from "./session.js";
import type { EngineName, VmInput, VmInit } from "./types.js";

/** A grid: each generic-mesh parameter with the values to try. */
export type SweepGrid = { [K in keyof GenericMeshParams]?: Array<NonNullable<GenericMeshParams[K]>> };

/** What every point runs. */
export interface SweepRun { input?: VmInput; steps?: number; init?: VmInit; engine?: EngineName; compile?: CompileOptions }

/** One evaluated configuration. */
export interface SweepRow { label: string; params: GenericMeshParams; energy: number; latency: number; cores: number; spikes: number; error?: string }

/** Options of `sweep`. */
export interface SweepOptions extends SweepRun { workers?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }

/** Every combination of the grid's values. */
export function gridPoints(grid: SweepGrid): GenericMeshParams[] {
  let out: GenericMeshParams[] = [{}];
  for (const [k, vs] of Object.entries(grid) as Array<[keyof GenericMeshParams, unknown[]]>) {
    if (!vs.length) throw new PhasorError([{ code: "sweep-grid", path: [k], message: `sweep parameter ${k} has no values` }]);
    out = out.flatMap((p) => vs.map((v) => ({ ...p, [k]: v })));
  }
  return out;
}

/** Compiles and runs one point (a failure to map becomes the row's error). */
export function evaluate(graph: Graph, params: GenericMeshParams, run: SweepRun): SweepRow {
  const label = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(", ") || "defaults";
  try {
    const p = compile(graph, genericMesh(params), run.compile ?? {});
    const r = runProgram(p, { input: run.input, steps: run.steps, init: run.init, engine: run.engine ?? "cycle" });
    return { label, params, energy: r.energy.perInference ?? NaN, latency: r.energy.seconds ?? NaN, cores: p.report.coresUsed, spikes: Object.values(r.spikes).reduce((a, s) => a + s.length, 0) };
  } catch (e) {
    return { label, params, energy: NaN, latency: NaN, cores: NaN, spikes: 0, error: (e as Error).message };
  }
}

/** Path of the compiled worker, when there is one. */
export function workerPath(): string | undefined {
  for (const p of [join(__dirname, "sweep-worker.js"), join(__dirname, "../../dist/lib/vm/sweep-worker.js")]) if (existsSync(p)) return p;
  return undefined;
}

/** Runs the grid in parallel worker threads; rows come back in grid order. */
export async function sweep(graph: Graph, grid: SweepGrid, o: SweepOptions = {}): Promise<SweepRow[]> {
  const points = gridPoints(grid), rows: SweepRow[] = new Array(points.length);
  const run: SweepRun = { input: o.input, steps: o.steps, init: o.init, engine: o.engine, compile: o.compile };
  const file = workerPath();
  let done = 0;
  const finish = (i: number, r: SweepRow) => { rows[i] = r; o.onProgress?.(++done, points.length); };
  if (!file) {
    for (let i = 0; i < points.length; i++) { if (o.signal?.aborted) throw new PhasorError("sweep aborted", "aborted"); finish(i, evaluate(graph, points[i], run)); await new Promise((r) => setImmediate(r)); }
    return rows;
  }
  const n = Math.max(1, Math.min(o.workers ?? availableParallelism(), points.length));
  let next = 0;
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(file, { workerData: { graph, run } });
    const feed = () => { if (next < points.length && !o.signal?.aborted) { const i = next++; w.postMessage({ i, params: points[i] }); } else { void w.terminate(); resolve(); } };
    w.on("message", (m: { i: number; row: SweepRow }) => { finish(m.i, m.row); feed(); });
    w.on("error", reject);
    o.signal?.addEventListener("abort", () => { void w.terminate(); resolve(); }, { once: true });
    feed();
  })));
  if (o.signal?.aborted) throw new PhasorError("sweep aborted", "aborted");
  return rows;
}
