/**
 * Spike rasters: time on x, neuron index on y, one WebGL marker per spike, nodes stacked
 * in blocks. Past `maxPoints` spikes markers stop being readable (and browsers slow down),
 * so the raster becomes a density heatmap of spike counts per (time bin, neuron bin).
 */
import { AXIS, DEFAULT_CONFIG, PALETTE, SEQUENTIAL, type Figure, type Layout, type Trace } from "./figure.js";

/** One spike: `[step, index]`, or `[step, batch, index]` as the simulator emits for batch > 1. */
export type SpikeEvent = readonly number[];

/** Spikes as the simulator emits them (`{ node: [[step, index], ...] }`), or one node's list. */
export type Spikes = ReadonlyArray<SpikeEvent> | { readonly [node: string]: ReadonlyArray<SpikeEvent> };

/** Options for `raster`. */
export interface RasterOptions {
  /** Simulation time step in seconds; when given, x shows milliseconds (step * dt * 1000). */
  dt?: number;
  /** Number of simulated steps (x range and summary); default: last spike's step + 1. */
  steps?: number;
  /** Neurons per node (block heights); default: highest index seen + 1. */
  sizes?: { readonly [node: string]: number };
  /** Which nodes to draw, top to bottom in this order; default: all, in the object's order. */
  nodes?: readonly string[];
  /** Above this many spikes, draw a density heatmap instead of markers (default 200000). */
  maxPoints?: number;
  /** Force markers or heatmap; default "auto" (decided by maxPoints). */
  mode?: "auto" | "scatter" | "heatmap";
  /** Heatmap columns at most (default 500). */
  timeBins?: number;
  /** Heatmap rows at most (default 256). */
  neuronBins?: number;
  /** Figure title (default "Spike raster"). */
  title?: string;
  /** Name of the node when spikes are given as one list (default "neurons"). */
  label?: string;
  /** Which batch sample to draw when spikes are `[step, batch, index]` triples (default 0). */
  sample?: number;
}

/** The spike count above which `raster` aggregates into a heatmap unless told otherwise. */
export const DEFAULT_MAX_POINTS = 200_000;

type Pair = readonly [number, number];

interface Block {
  name: string;
  events: ReadonlyArray<Pair>;
  /** Spikes came as [step, batch, index]; only one sample is drawn. */
  batched: boolean;
  size: number;
  offset: number;
}

/** A spike raster figure: `scattergl` markers, or a density `heatmap` when there are too many spikes. */
export function raster(spikes: Spikes, opts: RasterOptions = {}): Figure {
  const blocks = toBlocks(spikes, opts);
  const spikeCount = blocks.reduce((n, b) => n + b.events.length, 0);
  const neurons = blocks.reduce((n, b) => n + b.size, 0);
  const seenSteps = blocks.reduce((m, b) => Math.max(m, maxOf(b.events, 0) + 1), 0);
  const steps = opts.steps ?? seenSteps;
  if (steps < seenSteps) throw new RangeError(`raster: a spike at step ${seenSteps - 1} but steps is ${steps}`);
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const mode = opts.mode ?? "auto";
  const aggregate = mode === "heatmap" || (mode === "auto" && spikeCount > maxPoints);
  const scale = opts.dt === undefined ? 1 : opts.dt * 1000;
  const axis: Axis = { scale, unit: opts.dt === undefined ? "step" : "ms" };

  let summary = `raster: ${spikeCount} spikes from ${plural(blocks.length, "node")} over ${plural(steps, "step")}`;
  if (opts.dt !== undefined) summary += ` (${round(steps * scale)} ms)`;
  if (blocks.some((b) => b.batched)) summary += `, batch sample ${opts.sample ?? 0}`;
  let title = opts.title ?? "Spike raster";
  let data: Trace[];
  let bins: [number, number] | undefined;
  if (aggregate) {
    const h = densityHeatmap(blocks, steps, neurons, axis, opts);
    data = [h.trace];
    bins = [h.timeBins, h.neuronBins];
    const why = mode === "heatmap" ? "as asked" : `more than ${maxPoints} spikes`;
    const per = `${plural(h.stepsPerBin, "step")} × ${plural(h.neuronsPerBin, "neuron")} per bin`;
    summary += `; drawn as a density heatmap (${per}, ${why})`;
    title += ` (density, ${per})`;
  } else {
    const style = neurons <= FEW_NEURONS ? "tick" : markerSize(spikeCount);
    data = blocks.map((b, i) => scatterTrace(b, axis, blocks.length > 1, style, i));
  }

  const layout: Layout = {
    title: { text: title },
    xaxis: { title: { text: axis.unit === "ms" ? AXIS.timeMs : AXIS.timeSteps }, range: xRange(steps, scale), zeroline: false },
    yaxis: yAxis(blocks, neurons),
    showlegend: !aggregate && blocks.length > 1,
    shapes: separators(blocks),
    margin: { l: blocks.length > 1 ? 90 : 60, r: 20, t: 50, b: 50 },
    meta: {
      phasor: {
        kind: "raster", summary, spikes: spikeCount, nodes: blocks.map((b) => b.name),
        offsets: blocks.map((b) => b.offset), neurons, steps, aggregated: aggregate, bins,
      },
    },
  };
  return { data, layout, config: { ...DEFAULT_CONFIG } };
}

interface Axis {
  scale: number;
  unit: "step" | "ms";
}

function toBlocks(spikes: Spikes, opts: RasterOptions): Block[] {
  const byNode: { readonly [node: string]: ReadonlyArray<SpikeEvent> } = isSpikeList(spikes)
    ? { [opts.label ?? "neurons"]: spikes }
    : spikes;
  const names = opts.nodes ?? Object.keys(byNode);
  const blocks: Block[] = [];
  let offset = 0;
  for (const name of names) {
    const events = byNode[name];
    if (events === undefined) {
      throw new RangeError(`raster: no spikes for node "${name}"; nodes present: ${Object.keys(byNode).join(", ")}`);
    }
    const pairs = toPairs(name, events, opts.sample ?? 0);
    const seen = maxOf(pairs, 1) + 1;
    const size = opts.sizes?.[name] ?? Math.max(seen, 1);
    if (!(size >= seen)) throw new RangeError(`raster: node "${name}" has a spike at index ${seen - 1} but size ${size}`);
    blocks.push({ name, events: pairs, batched: events.some((e) => e.length === 3), size, offset });
    offset += size;
  }
  return blocks;
}

function isSpikeList(s: Spikes): s is ReadonlyArray<SpikeEvent> {
  return Array.isArray(s);
}

/** Checks every event and keeps `[step, index]` of the chosen batch sample. */
function toPairs(name: string, events: ReadonlyArray<SpikeEvent>, sample: number): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const ok = Array.isArray(e) && (e.length === 2 || e.length === 3) && e.every(isCount);
    if (!ok) {
      throw new RangeError(`raster: node "${name}" spike ${i} is ${JSON.stringify(e)}; expected [step, index] or [step, batch, index], non-negative integers`);
    }
    if (e.length === 2) pairs.push([e[0], e[1]]);
    else if (e[1] === sample) pairs.push([e[0], e[2]]);
  }
  return pairs;
}

function isCount(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

/** Largest value of column `col` (0 = step, 1 = index); -1 when empty. */
function maxOf(events: ReadonlyArray<Pair>, col: 0 | 1): number {
  let m = -1;
  for (let i = 0; i < events.length; i++) if (events[i][col] > m) m = events[i][col];
  return m;
}

function scatterTrace(b: Block, axis: Axis, several: boolean, style: "tick" | number, i: number): Trace {
  const n = b.events.length;
  const x = new Array<number>(n);
  const y = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    x[k] = round(b.events[k][0] * axis.scale);
    y[k] = b.events[k][1] + b.offset;
  }
  const trace: Trace = {
    type: "scattergl", mode: "markers", name: b.name, x, y,
    marker: markerOf(style, PALETTE[i % PALETTE.length]),
    hovertemplate: `${several ? b.name + " " : ""}neuron %{${several ? "customdata" : "y"}}<br>${axis.unit === "ms" ? "t = %{x} ms" : "step %{x}"}<extra></extra>`,
  };
  if (several) trace.customdata = b.events.map((e) => e[1]);
  return trace;
}

interface Heatmap {
  trace: Trace;
  timeBins: number;
  neuronBins: number;
  stepsPerBin: number;
  neuronsPerBin: number;
}

function densityHeatmap(blocks: Block[], steps: number, neurons: number, axis: Axis, opts: RasterOptions): Heatmap {
  const stepsPerBin = Math.max(1, Math.ceil(steps / Math.max(1, opts.timeBins ?? 500)));
  const neuronsPerBin = Math.max(1, Math.ceil(neurons / Math.max(1, opts.neuronBins ?? 256)));
  const timeBins = Math.max(1, Math.ceil(steps / stepsPerBin));
  const neuronBins = Math.max(1, Math.ceil(neurons / neuronsPerBin));
  const counts = new Float64Array(timeBins * neuronBins);
  for (const b of blocks) {
    for (let k = 0; k < b.events.length; k++) {
      const t = Math.min(timeBins - 1, Math.floor(b.events[k][0] / stepsPerBin));
      const r = Math.floor((b.events[k][1] + b.offset) / neuronsPerBin);
      counts[r * timeBins + t] += 1;
    }
  }
  const z: number[][] = [];
  for (let r = 0; r < neuronBins; r++) z.push(Array.from(counts.subarray(r * timeBins, (r + 1) * timeBins)));
  const x = Array.from({ length: timeBins }, (_, t) => round((t * stepsPerBin + (stepsPerBin - 1) / 2) * axis.scale));
  const y = Array.from({ length: neuronBins }, (_, r) => r * neuronsPerBin + (neuronsPerBin - 1) / 2);
  const trace: Trace = {
    type: "heatmap", name: "spike density", x, y, z, colorscale: SEQUENTIAL, zmin: 0,
    colorbar: { title: { text: "spikes per bin (count)" } },
    hovertemplate: `${axis.unit === "ms" ? "t ≈ %{x} ms" : "step ≈ %{x}"}<br>neuron ≈ %{y}<br>%{z} spikes<extra></extra>`,
  };
  return { trace, timeBins, neuronBins, stepsPerBin, neuronsPerBin };
}

/** Neuron indices on y: whole numbers only (a one-neuron raster has the one tick 0), or node names for several nodes. */
function yAxis(blocks: Block[], neurons: number): Record<string, unknown> {
  const axis: Record<string, unknown> = { range: [-0.5, Math.max(neurons, 1) - 0.5], zeroline: false };
  if (blocks.length > 1) {
    axis.tickvals = blocks.map((b) => b.offset + (b.size - 1) / 2);
    axis.ticktext = blocks.map((b) => b.name);
    axis.title = { text: AXIS.node };
  } else {
    Object.assign(axis, { tickmode: "linear", tick0: 0, dtick: integerStep(neurons), tickformat: "d" });
    const name = blocks.length === 1 && blocks[0].name !== "neurons" ? `${blocks[0].name} ` : "";
    axis.title = { text: `${name}${AXIS.neuron}` };
  }
  return axis;
}

/** A tick step of 1, 2 or 5 times a power of ten giving at most about eight ticks (1 for few neurons). */
function integerStep(neurons: number): number {
  const want = Math.max(1, neurons / 8);
  const p = 10 ** Math.floor(Math.log10(want));
  return [1, 2, 5, 10].map((k) => k * p).find((c) => c >= want) ?? 1;
}

/** Thin horizontal lines between node blocks. */
function separators(blocks: Block[]): Record<string, unknown>[] {
  return blocks.slice(1).map((b) => ({
    type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: b.offset - 0.5, y1: b.offset - 0.5,
    line: { color: "rgba(0,0,0,0.3)", width: 1 },
  }));
}

function xRange(steps: number, scale: number): [number, number] {
  return [round(-0.5 * scale), round((Math.max(steps, 1) - 0.5) * scale)];
}

/** Up to this many neurons, each spike is a vertical tick (the classic raster), not a dot lost in the row. */
const FEW_NEURONS = 8;

function markerOf(style: "tick" | number, color: string): Record<string, unknown> {
  return style === "tick" ? { symbol: "line-ns-open", size: 16, color, line: { width: 2, color } } : { size: style, color };
}

function markerSize(count: number): number {
  return count < 2_000 ? 4 : count < 20_000 ? 3 : 2;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Drops float noise (0.30000000000000004 ms) while keeping sub-nanosecond detail. */
function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}
