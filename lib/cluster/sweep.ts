/**
 * Clustered sweeps: the same grid, rows and row order as lib/vm/sweep.ts, with one job per
 * grid point on the workers of a Redis server. The graph and the run (with its input) travel
 * once, as blobs named by their hashes.
 */
import type { Graph } from "../ir/graph.js";
import type { GenericMeshParams } from "../target/presets/generic.js";
import { gridPoints, type SweepGrid, type SweepRow, type SweepRun } from "../vm/sweep.js";
import { ClusterClient, type ClusterRunOptions } from "./client.js";
import { encodeData } from "./codec.js";
import type { SweepJob } from "./jobs.js";

/** Options of `clusterSweep`: what every point runs, and where. */
export interface ClusterSweepOptions extends SweepRun, ClusterRunOptions {
  /** Redis URL of the cluster. */
  cluster: string;
}

/** A point's label as the local sweep writes it. */
export function pointLabel(params: GenericMeshParams): string {
  return (
    Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ") || "defaults"
  );
}

/** Runs every grid point as a job; rows come back in grid order, a failed job as a row with its error. */
export async function clusterSweep(graph: Graph, grid: SweepGrid, o: ClusterSweepOptions): Promise<SweepRow[]> {
  const points = gridPoints(grid);
  const run: SweepRun = { input: o.input, steps: o.steps, init: o.init, engine: o.engine, compile: o.compile };
  const client = await ClusterClient.connect(o.cluster);
  try {
    const g = await client.blobs.put(Buffer.from(encodeData(graph), "utf8"));
    const r = await client.blobs.put(Buffer.from(encodeData(run), "utf8"));
    const jobs = points.map((params, index): SweepJob => ({ kind: "sweep", graph: g, run: r, index, params }));
    const outs = await client.run<SweepRow>("sweep", jobs, o);
    return outs.map((x, i) => (x.ok ? x.result : failedRow(points[i], x.error)));
  } finally {
    await client.close();
  }
}

function failedRow(params: GenericMeshParams, error: string): SweepRow {
  return {
    label: pointLabel(params),
    params,
    energy: NaN,
    latency: NaN,
    cores: NaN,
    spikes: 0,
    error: `cluster job failed: ${error}`,
  };
}
