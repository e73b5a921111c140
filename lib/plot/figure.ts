/**
 * Plotly figure JSON: the shape every builder in lib/plot returns, and a text summary of it.
 * Figures are plain JSON (number[] not typed arrays) so they survive the Jupyter wire as is.
 */

/** One Plotly trace (`scattergl`, `heatmap`, ...); attributes as plotly.js documents them. */
export interface Trace {
  type?: string;
  name?: string;
  [attribute: string]: unknown;
}

/** Plotly layout; `meta.phasor` carries what `summarise` reports. */
export interface Layout {
  title?: { text: string } | string;
  meta?: { phasor?: FigureMeta; [key: string]: unknown };
  [attribute: string]: unknown;
}

/** Plotly config (responsive, displaylogo, ...). */
export interface Config {
  [option: string]: unknown;
}

/** A Plotly figure as `Plotly.newPlot` and the `application/vnd.plotly.v1+json` MIME type take it. */
export interface Figure {
  data: Trace[];
  layout: Layout;
  config?: Config;
}

/** What a Phasor builder records about its figure, for `summarise` and for tests. */
export interface FigureMeta {
  /** Builder name: "raster", "traces", ... */
  kind: string;
  /** One line for text/plain output, e.g. "raster: 1234 spikes from 2 nodes over 100 steps". */
  summary: string;
  [key: string]: unknown;
}

/** The config every Phasor figure starts from: resizes with its cell, no Plotly logo. */
export const DEFAULT_CONFIG: Config = { responsive: true, displaylogo: false };

/** Plotly's default colour cycle, so Phasor's colours match other Plotly figures. */
export const PALETTE: readonly string[] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Colours with one meaning in every figure: a training split, a reference line. */
export const COLOURS = {
  train: PALETTE[0],
  validation: PALETTE[1],
  threshold: "rgba(0,0,0,0.7)",
  reset: "rgba(0,0,0,0.45)",
  dominated: PALETTE[7],
  front: PALETTE[3],
} as const;

/** The colour scale of every heatmap: white for none, then light to dark (YlGnBu), so empty cells read as empty. */
export const SEQUENTIAL: ReadonlyArray<readonly [number, string]> = [
  [0, "#ffffff"], [0.1, "#edf8b1"], [0.25, "#c7e9b4"], [0.4, "#7fcdbb"], [0.55, "#41b6c4"],
  [0.7, "#1d91c0"], [0.8, "#225ea8"], [0.9, "#253494"], [1, "#081d58"],
];

/**
 * Axis titles shared by the figures, so the same quantity is named the same way everywhere.
 * A numeric axis states its unit in parentheses; an index or category axis says what it counts.
 */
export const AXIS = {
  timeMs: "time (ms)",
  timeSteps: "time (steps)",
  neuron: "neuron index",
  node: "node",
  layer: "layer",
  meshX: "mesh x (router)",
  meshY: "mesh y (router)",
  trainingStep: "training step (batches)",
  energy: "energy per inference (µJ)",
  latency: "latency per inference (µs)",
  stepLatency: "latency per step (µs)",
} as const;

/** A text/plain summary of any figure: the builder's own line, else its title and trace types. */
export function summarise(figure: Figure): string {
  const own = figure.layout?.meta?.phasor?.summary;
  if (typeof own === "string") return own;
  const types = figure.data.map((t) => t.type ?? "scatter");
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  const parts = [...counts].map(([t, n]) => (n > 1 ? `${n} ${t}` : t));
  const title = titleText(figure.layout);
  const traces = `${figure.data.length} trace${figure.data.length === 1 ? "" : "s"}`;
  return `figure${title ? ` "${title}"` : ""}: ${traces}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

/** The layout's title as plain text ("" when there is none). */
export function titleText(layout: Layout | undefined): string {
  const t = layout?.title;
  if (typeof t === "string") return t;
  return typeof t?.text === "string" ? t.text : "";
}

/** True for a value shaped like a Plotly figure: only data/layout/config/frames keys, data an array of objects. */
export function isFigure(value: unknown): value is Figure {
  if (!isRecord(value) || !Array.isArray(value.data)) return false;
  if (!Object.keys(value).every((k) => FIGURE_KEYS.has(k))) return false;
  if (value.layout !== undefined && !isRecord(value.layout)) return false;
  if (value.config !== undefined && !isRecord(value.config)) return false;
  return value.data.every(isRecord);
}

const FIGURE_KEYS = new Set(["data", "layout", "config", "frames"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
