/**
 * State traces (membrane potential, synaptic current, ...) over simulation steps, one line
 * per recorded column, with optional threshold lines. Long traces are decimated to each
 * bucket's minimum and maximum so that spikes and resets stay visible.
 */
import { DEFAULT_CONFIG, PALETTE, type Figure, type Layout, type Trace } from "./figure.js";

/** Recorded columns, e.g. `{ "fc1.v[0]": Float64Array, ... }`; a `step` column, if present, is the x axis. */
export type Records = { readonly [column: string]: ArrayLike<number> };

/** Options for `traces`. */
export interface TracesOptions {
  /** Simulation time step in seconds; when given, x shows milliseconds. */
  dt?: number;
  /** Which columns to draw, in this order; default: all but `step`. */
  columns?: readonly string[];
  /** Threshold line(s): one value for all, or one per column (drawn in that column's colour). */
  threshold?: number | { readonly [column: string]: number };
  /** Figure title (default "State traces"). */
  title?: string;
  /** y-axis title (default "state"). */
  yTitle?: string;
  /** Draw at most this many columns (default 20); the summary says how many were left out. */
  maxColumns?: number;
  /** Decimate longer traces to min/max pairs, keeping at most this many points each (default 10000). */
  maxPointsPerTrace?: number;
}

/** A line figure of recorded state columns over time, with optional threshold lines. */
export function traces(records: Records, opts: TracesOptions = {}): Figure {
  const all = opts.columns ?? Object.keys(records).filter((c) => c !== "step");
  for (const c of all) {
    if (records[c] === undefined) throw new RangeError(`traces: no column "${c}"; columns present: ${Object.keys(records).join(", ")}`);
  }
  const maxColumns = opts.maxColumns ?? 20;
  const columns = all.slice(0, maxColumns);
  const steps = columns.reduce((m, c) => Math.max(m, records[c].length), 0);
  const scale = opts.dt === undefined ? 1 : opts.dt * 1000;
  const xs = stepAxis(records.step, steps, scale);
  const maxPoints = Math.max(2, opts.maxPointsPerTrace ?? 10_000);
  const gl = steps * columns.length > 20_000;

  const data: Trace[] = columns.map((c, i) => {
    const { x, y } = decimate(xs, records[c], maxPoints);
    return {
      type: gl ? "scattergl" : "scatter", mode: "lines", name: c, x, y,
      line: { width: 1.5, color: PALETTE[i % PALETTE.length] },
    };
  });

  let summary = `traces: ${columns.length} column${columns.length === 1 ? "" : "s"} over ${steps} step${steps === 1 ? "" : "s"}`;
  if (opts.dt !== undefined) summary += ` (${round(steps * scale)} ms)`;
  if (columns.length > 0) summary += ` (${preview(columns)})`;
  if (all.length > columns.length) summary += `; showing ${columns.length} of ${all.length} columns`;
  if (steps > maxPoints) summary += `; decimated to min/max pairs (${maxPoints} points per trace)`;

  const layout: Layout = {
    title: { text: opts.title ?? "State traces" },
    xaxis: { title: { text: opts.dt === undefined ? "step" : "time (ms)" }, zeroline: false },
    yaxis: { title: { text: opts.yTitle ?? "state" } },
    showlegend: columns.length > 1,
    shapes: thresholdLines(opts.threshold, columns),
    margin: { l: 60, r: 20, t: 50, b: 50 },
    meta: { phasor: { kind: "traces", summary, columns, steps, decimated: steps > maxPoints } },
  };
  return { data, layout, config: { ...DEFAULT_CONFIG } };
}

/** The simulator's recorded state: node -> variable -> values laid out [steps, batch, neurons]. */
export type NodeRecords = { readonly [node: string]: { readonly [variable: string]: ArrayLike<number> } };

/** Options for `recordColumns`: `steps` and `batch` as in the simulator's result (so the result itself fits). */
export interface RecordColumnsOptions {
  steps: number;
  batch?: number;
  /** Which batch sample to take (default 0). */
  sample?: number;
  /** Take at most this many neurons per node (default all). */
  maxNeurons?: number;
}

/** Columns named as `phasor simulate` names them (`fc1.v`, or `fc1.v[3]` for nodes of several neurons). */
export function recordColumns(records: NodeRecords, opts: RecordColumnsOptions): { [column: string]: Float64Array } {
  const { steps, batch = 1, sample = 0 } = opts;
  if (!(sample >= 0 && sample < batch)) throw new RangeError(`recordColumns: sample ${sample} is outside batch ${batch}`);
  const out: { [column: string]: Float64Array } = {};
  for (const [node, vars] of Object.entries(records)) {
    for (const [v, buf] of Object.entries(vars)) {
      const n = buf.length / (steps * batch);
      if (!Number.isInteger(n)) throw new RangeError(`recordColumns: ${node}.${v} has ${buf.length} values, not steps × batch × neurons (${steps} × ${batch} × N)`);
      for (let k = 0; k < Math.min(n, opts.maxNeurons ?? n); k++) {
        const col = new Float64Array(steps);
        for (let t = 0; t < steps; t++) col[t] = buf[(t * batch + sample) * n + k];
        out[n === 1 ? `${node}.${v}` : `${node}.${v}[${k}]`] = col;
      }
    }
  }
  return out;
}

/** x values: the `step` column when recorded, else 0..steps-1; scaled to ms when dt is known. */
function stepAxis(step: ArrayLike<number> | undefined, steps: number, scale: number): number[] {
  const x = new Array<number>(steps);
  for (let i = 0; i < steps; i++) x[i] = round((step !== undefined && i < step.length ? step[i] : i) * scale);
  return x;
}

/** Keeps every point of a short trace; for a long one, the min and max of each bucket in time order. */
export function decimate(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): { x: number[]; y: number[] } {
  const n = ys.length;
  if (n <= maxPoints) return { x: Array.from({ length: n }, (_, i) => xs[i]), y: Array.from(ys) };
  const buckets = Math.floor(maxPoints / 2);
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (ys[i] < ys[iMin]) iMin = i;
      if (ys[i] > ys[iMax]) iMax = i;
    }
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    x.push(xs[first]);
    y.push(ys[first]);
    if (second !== first) {
      x.push(xs[second]);
      y.push(ys[second]);
    }
  }
  return { x, y };
}

function thresholdLines(threshold: TracesOptions["threshold"], columns: readonly string[]): Record<string, unknown>[] {
  if (threshold === undefined) return [];
  const lines: Array<[number, string, string]> =
    typeof threshold === "number"
      ? [[threshold, "threshold", "rgba(0,0,0,0.6)"]]
      : columns.flatMap((c, i): Array<[number, string, string]> =>
          threshold[c] === undefined ? [] : [[threshold[c], `${c} threshold`, PALETTE[i % PALETTE.length]]]);
  return lines.map(([y, name, color]) => ({
    type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: y, y1: y, name,
    line: { color, width: 1, dash: "dash" },
    label: { text: name, textposition: "end", font: { size: 10 } },
  }));
}

function preview(columns: readonly string[]): string {
  return columns.length <= 4 ? columns.join(", ") : `${columns.slice(0, 3).join(", ")}, ... ${columns[columns.length - 1]}`;
}

function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}
