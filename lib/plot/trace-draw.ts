/**
 * The Plotly parts of `traces`: one line per neuron and panel, spike markers and level lines,
 * stacked panels sharing the time axis, and the menu that picks which neurons are drawn.
 */
import { COLOURS, PALETTE, type Layout, type Trace } from "./figure.js";
import { levelOf, neuronKey, type Column, type Levels, type Panel } from "./trace-panels.js";

/** Recorded columns by name. */
type Columns = { readonly [column: string]: ArrayLike<number> };

/** What `panelTraces` needs besides the panels. */
export interface DrawOptions {
  xs: readonly number[];
  unit: "ms" | "steps";
  /** Neurons per node visible at first. */
  visible: number;
  maxPoints: number;
  gl: boolean;
  threshold?: Levels;
  reset?: Levels;
}

/** Traces with the neuron rank each belongs to (-1: always shown), and what the summary reports. */
export interface Built {
  data: Trace[];
  owners: number[];
  decimated: boolean;
  spikes: number;
  visibleAtFirst: number;
  /** Neurons drawn, over all nodes. */
  neurons: number;
  /** Distinct threshold and reset values drawn. */
  levels: { threshold: number[]; reset: number[] };
  /** Neuron ranks drawn (the largest node's count). */
  ranks: number;
}

/** Lines, spike markers and level lines of every panel. */
export function panelTraces(
  panels: readonly Panel[], spikes: Map<string, string>, records: Columns, o: DrawOptions,
): Built {
  const b: Built = {
    data: [], owners: [], decimated: false, spikes: 0, visibleAtFirst: 0, neurons: 0, ranks: 0,
    levels: { threshold: [], reset: [] },
  };
  const labelled = new Set<string>();
  const single = new Set(panels.map((p) => p.node)).size === 1;
  panels.forEach((panel, p) => {
    const yaxis = p === 0 ? "y" : `y${p + 1}`;
    for (const c of panel.columns) {
      const key = neuronKey(c), name = single ? neuronName(c) : `${c.node || c.name}${c.node ? `[${c.index}]` : ""}`;
      const colour = PALETTE[c.rank % PALETTE.length], shown = c.rank < o.visible;
      const { x, y } = decimate(o.xs, records[c.name], o.maxPoints);
      b.decimated ||= x.length < records[c.name].length;
      b.ranks = Math.max(b.ranks, c.rank + 1);
      if (!labelled.has(key)) {
        b.neurons++;
        if (shown) b.visibleAtFirst++;
      }
      push(b, c.rank, {
        type: o.gl ? "scattergl" : "scatter", mode: "lines", name, x, y, xaxis: "x", yaxis, legendgroup: key,
        showlegend: !labelled.has(key), visible: shown, line: { width: 1.5, color: colour },
        hovertemplate: `${name}<br>%{x} ${o.unit}<br>${panel.variable || c.name} %{y:.4g}<extra></extra>`,
      });
      labelled.add(key);
      const at = panel.membrane ? spikeSteps(records, spikes.get(key), o.xs.length) : [];
      if (at.length) {
        b.spikes += at.length;
        const th = levelOf(o.threshold, c), v = records[c.name];
        push(b, c.rank, {
          type: o.gl ? "scattergl" : "scatter", mode: "markers", name: `${name} spikes`, xaxis: "x", yaxis,
          x: at.map((t) => o.xs[t]), y: at.map((t) => th ?? v[t]),
          legendgroup: key, showlegend: false, visible: shown,
          marker: { color: colour, size: 7, symbol: "circle", line: { color: "white", width: 1 } },
          hovertemplate: `${name} spike<br>%{x} ${o.unit}<extra></extra>`,
        });
      }
    }
    if (panel.membrane) {
      levelLines(b, panel, yaxis, o, "threshold");
      levelLines(b, panel, yaxis, o, "reset");
    }
  });
  return b;
}

/** Stacked panels (the first at the top) sharing one time axis, a unit on every state axis. */
export function panelLayout(panels: readonly Panel[], b: Built, o: { units: string; xTitle: string }): Layout {
  const n = Math.max(1, panels.length), gap = n > 1 ? 0.08 : 0, h = (1 - gap * (n - 1)) / n;
  const layout: Layout = {
    xaxis: { title: { text: o.xTitle }, zeroline: false, anchor: n === 1 ? "y" : `y${n}` },
    showlegend: b.owners.some((r) => r > 0) || new Set(panels.map((p) => p.node)).size > 1,
    legend: { title: { text: "neuron" }, font: { size: 10 }, tracegroupgap: 0 },
    annotations: [],
    margin: { l: 70, r: 20, t: 60, b: 50 },
  };
  panels.forEach((panel, p) => {
    const top = 1 - p * (h + gap);
    layout[p === 0 ? "yaxis" : `yaxis${p + 1}`] = {
      title: { text: `${panel.label} (${o.units})` }, domain: [round(top - h), round(top)],
      anchor: "x", zeroline: false,
    };
    if (n > 1) (layout.annotations as unknown[]).push(panelTitle(panel, top));
  });
  if (n > 1) layout.height = 140 + 220 * n;
  return layout;
}

/** A dropdown choosing which block of `visible` neurons is drawn, or all of them; undefined when all fit at first. */
export function neuronMenu(b: Built, visible: number): Record<string, unknown> | undefined {
  if (b.ranks <= visible) return undefined;
  const buttons: Record<string, unknown>[] = [];
  for (let lo = 0; lo < b.ranks; lo += visible) {
    const hi = Math.min(b.ranks, lo + visible);
    buttons.push({
      label: `neurons ${lo + 1}–${hi} of ${b.ranks}`, method: "restyle",
      args: [{ visible: b.owners.map((r) => r < 0 || (r >= lo && r < hi)) }],
    });
  }
  buttons.push({ label: `all ${b.ranks} neurons`, method: "restyle", args: [{ visible: b.owners.map(() => true) }] });
  return {
    type: "dropdown", active: 0, buttons, showactive: true, x: 1, xanchor: "right", y: 1.02, yanchor: "bottom",
    pad: { t: 0, b: 0, l: 0, r: 0 }, font: { size: 11 },
  };
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

function push(b: Built, owner: number, t: Trace): void {
  b.data.push(t);
  b.owners.push(owner);
}

function neuronName(c: Column): string {
  return c.node ? `neuron ${c.index}` : c.name;
}

/** Steps at which the neuron's spike column is non-zero (a spike is drawn at the threshold, else at v). */
function spikeSteps(records: Columns, column: string | undefined, steps: number): number[] {
  if (column === undefined) return [];
  const s = records[column], out: number[] = [];
  for (let t = 0; t < s.length && t < steps; t++) if (s[t] > 0) out.push(t);
  return out;
}

/**
 * Threshold or reset of a membrane panel, as a legend entry: one line when its neurons share the
 * value, else a line per neuron in that neuron's colour, shown and hidden with it.
 */
function levelLines(b: Built, panel: Panel, yaxis: string, o: DrawOptions, which: "threshold" | "reset"): void {
  const levels = which === "threshold" ? o.threshold : o.reset;
  const per = panel.columns.map((c) => ({ c, v: levelOf(levels, c) }))
    .filter((x): x is { c: Column; v: number } => x.v !== undefined);
  if (!per.length) return;
  const values = [...new Set(per.map((x) => x.v))];
  const fresh = !b.levels[which].includes(values[0]);
  for (const v of values) if (!b.levels[which].includes(v)) b.levels[which].push(v);
  const x = [o.xs[0] ?? 0, o.xs[o.xs.length - 1] ?? 0], dash = which === "threshold" ? "dash" : "dot";
  const line = (name: string, v: number, colour: string) => ({
    type: "scatter", mode: "lines", name, x, y: [v, v], xaxis: "x", yaxis, line: { color: colour, width: 1.2, dash },
    hovertemplate: `${which} %{y:.4g}<extra></extra>`,
  });
  if (values.length === 1) {
    const name = `${which} ${fmt(values[0])}`;
    const legend = { legendgroup: `${which} ${values[0]}`, legendrank: LEVEL_RANK, showlegend: fresh };
    push(b, -1, { ...line(name, values[0], COLOURS[which]), ...legend });
    return;
  }
  for (const { c, v } of per) {
    const shown = c.rank < o.visible;
    const own = line(`${neuronName(c)} ${which}`, v, PALETTE[c.rank % PALETTE.length]);
    push(b, c.rank, { ...own, legendgroup: neuronKey(c), showlegend: false, visible: shown });
  }
}

/** Threshold and reset come first in the legend, before the neurons. */
const LEVEL_RANK = 1;

function panelTitle(panel: Panel, top: number): Record<string, unknown> {
  return {
    text: `<b>${panel.node || "state"}</b> · ${panel.label}`, xref: "paper", yref: "paper", x: 0, y: top,
    xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 12 },
  };
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
