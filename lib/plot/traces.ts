/**
 * Recorded state (membrane potential, synaptic current, ...) over time: one panel per node and
 * variable, at most `visibleNeurons` neurons drawn at first (the others one click away in the
 * legend or the neuron menu), threshold and reset as labelled lines and spikes as markers on the
 * membrane panel. Long traces are decimated to each bucket's minimum and maximum so that spikes
 * and resets stay visible.
 */
import { AXIS, DEFAULT_CONFIG, type Figure } from "./figure.js";
import { columnsOf, panelsOf, type Levels, type Panel } from "./trace-panels.js";
import { panelLayout, panelTraces, neuronMenu, type Built } from "./trace-draw.js";

export type { Levels } from "./trace-panels.js";
export { decimate } from "./trace-draw.js";

/** Recorded columns, e.g. `{ "fc1.v[0]": Float64Array, ... }`; a `step` column, if present, is the x axis. */
export type Records = { readonly [column: string]: ArrayLike<number> };

/** Options for `traces`. */
export interface TracesOptions {
  /** Simulation time step in seconds; when given, x shows milliseconds. */
  dt?: number;
  /** Which columns to draw, in this order; default: all but `step`. `NODE.spike[k]` columns become markers. */
  columns?: readonly string[];
  /** Threshold: one value for all, or per node (one value or one per neuron) or per column. */
  threshold?: Levels;
  /** Reset potential (reset to a value; leave out for reset by subtraction), given as `threshold` is. */
  reset?: Levels;
  /** Unit of the state axes (default "model units"). */
  units?: string;
  /** Figure title (default: the node and variable of a single panel, else "Recorded state"). */
  title?: string;
  /** Neurons per node drawn at first; a menu picks the others (default 5). */
  visibleNeurons?: number;
  /** Neurons per node put into the figure at all (default 50); the summary says how many were left out. */
  maxNeurons?: number;
  /** Decimate longer traces to min/max pairs, keeping at most this many points each (default 10000). */
  maxPointsPerTrace?: number;
}

/** A figure of recorded state over time: a panel per node and variable, threshold/reset lines, spike markers. */
export function traces(records: Records, opts: TracesOptions = {}): Figure {
  const names = opts.columns ?? Object.keys(records).filter((c) => c !== "step");
  for (const c of names) {
    if (records[c] === undefined) {
      throw new RangeError(`traces: no column "${c}"; columns present: ${Object.keys(records).join(", ")}`);
    }
  }
  const { panels, spikes, dropped } = panelsOf(columnsOf(names), opts.maxNeurons ?? 50);
  const steps = names.reduce((m, c) => Math.max(m, records[c].length), 0);
  const scale = opts.dt === undefined ? 1 : opts.dt * 1000;
  const xs = stepAxis(records.step, steps, scale), unit = opts.dt === undefined ? "steps" : "ms";
  const visible = Math.max(1, opts.visibleNeurons ?? 5);
  const built: Built = panelTraces(panels, spikes, records, {
    xs, unit, visible, maxPoints: Math.max(2, opts.maxPointsPerTrace ?? 10_000),
    gl: steps * lineCount(panels) > 20_000, threshold: opts.threshold, reset: opts.reset,
  });
  const title = opts.title ?? defaultTitle(panels);
  const xTitle = opts.dt === undefined ? AXIS.timeSteps : AXIS.timeMs;
  const layout = panelLayout(panels, built, { units: opts.units ?? "model units", xTitle });
  layout.title = { text: title };
  const menu = neuronMenu(built, visible);
  if (menu) layout.updatemenus = [menu];
  const window = firstWindow(xs, built, unit, steps * scale);
  if (window) {
    (layout.xaxis as Record<string, unknown>).range = window.range;
    (layout.annotations as unknown[]).push(windowNote(window.text));
  }
  let summary = summaryOf(panels, built, steps, opts, dropped);
  if (window) summary += `; ${window.text}`;
  layout.meta = {
    phasor: {
      kind: "traces", summary, columns: panels.flatMap((p) => p.columns.map((c) => c.name)), steps,
      panels: panels.map((p) => `${p.node}${p.node && p.variable ? "." : ""}${p.variable}`), decimated: built.decimated,
      threshold: built.levels.threshold, reset: built.levels.reset, visible: built.visibleAtFirst,
    },
  };
  return { data: built.data, layout, config: { ...DEFAULT_CONFIG } };
}

/**
 * Where the time axis starts out when the drawn neurons fire more than SPIKES_IN_VIEW times each:
 * a window holding about that many (a round length), so single spikes and resets can be told apart.
 */
function firstWindow(xs: readonly number[], b: Built, unit: string, whole: number): Window | undefined {
  const perNeuron = b.spikes / Math.max(1, b.neurons);
  if (xs.length < 2 || perNeuron <= SPIKES_IN_VIEW) return undefined;
  const x0 = xs[0];
  const span = roundDown((whole * SPIKES_IN_VIEW) / perNeuron);
  if (!(span > 0 && span < whole)) return undefined;
  const text = `first ${round(span)} of ${round(whole)} ${unit} shown; zoom out for all`;
  return { range: [x0, round(x0 + span)], text };
}

const SPIKES_IN_VIEW = 20;

interface Window {
  range: [number, number];
  text: string;
}

/** The largest 1, 2 or 5 times a power of ten not above v. */
function roundDown(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [5, 2, 1].map((k) => k * p).find((c) => c <= v) ?? p;
}

function windowNote(text: string): Record<string, unknown> {
  return {
    text, xref: "paper", yref: "paper", x: 1, y: 0, xanchor: "right", yanchor: "top", yshift: -34, showarrow: false,
    font: { size: 10, color: "#666" },
  };
}

/** Lines in all panels (sizes the WebGL switch). */
function lineCount(panels: readonly Panel[]): number {
  return panels.reduce((n, p) => n + p.columns.length, 0);
}

/** "lif1: membrane v" for one panel, "lif1: recorded state" for one node, else "Recorded state". */
function defaultTitle(panels: readonly Panel[]): string {
  const nodes = new Set(panels.map((p) => p.node));
  const node = panels[0]?.node;
  if (nodes.size !== 1 || !node) return "Recorded state";
  return `${node}: ${panels.length === 1 ? panels[0].label : "recorded state"}`;
}

function summaryOf(panels: readonly Panel[], b: Built, steps: number, opts: TracesOptions, dropped: number): string {
  const neurons = b.neurons;
  const what = panels.map((p) => (p.node ? `${p.node}.${p.variable}` : p.columns.map((c) => c.name).join(", ")))
    .join(", ");
  let s = `traces: ${plural(neurons, "neuron")} over ${plural(steps, "step")}`;
  if (opts.dt !== undefined) s += ` (${round(steps * opts.dt * 1000)} ms)`;
  if (panels.length) s += ` (${what})`;
  if (b.visibleAtFirst < neurons) s += `; ${b.visibleAtFirst} shown at first, the others in the menu`;
  if (dropped) s += `; ${dropped} more neuron${dropped === 1 ? "" : "s"} left out`;
  if (b.levels.threshold.length) s += `; threshold ${b.levels.threshold.map(short).join(", ")}`;
  if (b.levels.reset.length) s += `; reset ${b.levels.reset.map(short).join(", ")}`;
  if (b.spikes) s += `; ${plural(b.spikes, "spike")} marked`;
  if (b.decimated) s += `; decimated to min/max pairs (${opts.maxPointsPerTrace ?? 10_000} points per trace)`;
  return s;
}

function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
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

function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}
