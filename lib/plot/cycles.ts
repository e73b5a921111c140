/**
 * Cycle views: latency per timestep, link congestion over the mesh, and the
 * energy / latency / cores Pareto front of a parameter sweep. Pure: data in, Plotly JSON out.
 */
import { AXIS, COLOURS, DEFAULT_CONFIG, PALETTE, type Figure, type Trace } from "./figure.js";
import { cellNumber, meshHeatmap } from "./grid.js";

/** Per-link traffic as the cycle engine reports it (structurally). */
export interface LinkLike { x: number; y: number; port: string; packets: number; waitCycles: number }

/** Latency of every timestep in µs (cycles at `clockHz`), with the mean as a dashed line. */
export function latencyPerStep(stepCycles: readonly number[], clockHz: number): Figure {
  const us = stepCycles.map((c) => (c / clockHz) * 1e6);
  const mean = us.reduce((a, b) => a + b, 0) / Math.max(1, us.length);
  const summary = `latency: ${us.length} steps, mean ${mean.toPrecision(4)} µs, max ${Math.max(0, ...us).toPrecision(4)} µs per step`;
  return {
    data: [
      { type: "scatter", mode: "lines", name: "latency", x: us.map((_, t) => t), y: us, line: { color: PALETTE[0], width: 1.5 } },
      {
        type: "scatter", mode: "lines", name: `mean ${mean.toPrecision(3)} µs`, x: [0, Math.max(0, us.length - 1)], y: [mean, mean],
        line: { dash: "dash", color: PALETTE[1], width: 1.5 }, hoverinfo: "skip",
      },
    ],
    layout: {
      title: { text: "Latency per timestep" }, xaxis: { title: { text: AXIS.timeSteps } },
      yaxis: { title: { text: AXIS.stepLatency }, rangemode: "tozero" },
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
      meta: { phasor: { kind: "latency", summary, mean } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/** Heatmap of link congestion per router: packets sent (or cycles waited, `metric`) summed over its outgoing links, written in each cell. */
export function congestionHeatmap(links: readonly LinkLike[], mesh: { width: number; height: number }, metric: "packets" | "waitCycles" = "waitCycles"): Figure {
  const z = Array.from({ length: mesh.height }, () => new Array<number>(mesh.width).fill(0));
  let worst = { v: -1, at: "" };
  for (const l of links) {
    z[l.y][l.x] += l[metric];
    if (l[metric] > worst.v) worst = { v: l[metric], at: `(${l.x}, ${l.y}) ${l.port}` };
  }
  const what = metric === "packets" ? "packets" : "wait cycles";
  const summary = `congestion: ${links.length} links used; worst ${worst.at || "none"} with ${Math.max(0, worst.v)} ${what}`;
  const text = z.map((row) => row.map(cellNumber));
  const hover = z.map((row, y) => row.map((v, x) => `router (${x}, ${y}): ${v} ${what} on its outgoing links`));
  const unit = metric === "packets" ? "packets sent (count)" : "cycles waited (cycles)";
  const grid = meshHeatmap({ width: mesh.width, height: mesh.height, z, text, hover, colorbar: unit });
  return {
    data: [grid.trace],
    layout: {
      ...grid.layout, title: { text: `Link congestion (${metric === "packets" ? "packets" : "cycles waited"} per router)` },
      meta: { phasor: { kind: "congestion", summary } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/** One configuration of a sweep. */
export interface SweepPoint { label: string; energy: number; latency: number; cores: number; error?: string }

/** Indices of the points no other point beats on energy, latency and cores at once. */
export function paretoFront(points: readonly SweepPoint[]): number[] {
  const ok = points.map((p, i) => ({ p, i })).filter((x) => !x.p.error);
  const dominated = (a: SweepPoint, b: SweepPoint) => b.energy <= a.energy && b.latency <= a.latency && b.cores <= a.cores && (b.energy < a.energy || b.latency < a.latency || b.cores < a.cores);
  return ok.filter((a) => !ok.some((b) => dominated(a.p, b.p))).map((x) => x.i);
}

/**
 * Below this relative spread of energy (max / min - 1), the energy axis shows % above the lowest:
 * an absolute axis zoomed onto such a spread would not start near zero and would make it look large.
 */
const SMALL_SPREAD = 0.25;

/**
 * Energy against latency per inference, marker size for cores, the Pareto front highlighted. When
 * the energies differ by less than 25%, the energy axis is relative (% above the lowest, which is
 * named) and the spread is written on the figure, so a 0.3% spread does not look large.
 */
export function paretoFigure(points: readonly SweepPoint[]): Figure {
  const front = new Set(paretoFront(points));
  const ok = points.filter((p) => !p.error);
  const energies = ok.map((p) => p.energy * 1e6), lo = Math.min(...energies), hi = Math.max(...energies);
  const spread = ok.length > 1 && lo > 0 ? hi / lo - 1 : Infinity;
  const relative = spread < SMALL_SPREAD;
  const y = (p: SweepPoint) => (relative ? round(100 * (p.energy * 1e6 / lo - 1)) : p.energy * 1e6);
  const trace = (sel: SweepPoint[], name: string, colour: string): Trace => ({
    type: "scatter", mode: "markers", name, x: sel.map((p) => p.latency * 1e6), y: sel.map(y),
    text: sel.map((p) => `${p.label}: ${p.cores} cores`), customdata: sel.map((p) => p.energy * 1e6),
    marker: { size: sel.map((p) => 6 + 3 * Math.sqrt(p.cores)), color: colour },
    hovertemplate: "%{text}<br>%{x:.3g} µs, %{customdata:.4g} µJ<extra></extra>",
  });
  const fr = ok.filter((p) => front.has(points.indexOf(p))).sort((a, b) => a.latency - b.latency);
  let summary = `sweep: ${points.length} configurations (${points.length - ok.length} failed), ${fr.length} on the energy/latency/cores Pareto front`;
  const note = relative ? `energy spread ${pct(spread)} (${fmt(lo)}–${fmt(hi)} µJ): the axis shows % above the lowest` : "";
  if (relative) summary += `; ${note}`;
  const latencies = ok.map((p) => p.latency);
  return {
    data: [
      trace(ok.filter((p) => !front.has(points.indexOf(p))), "dominated", COLOURS.dominated),
      { ...trace(fr, "Pareto front", COLOURS.front), mode: "lines+markers" },
    ],
    layout: {
      title: { text: "Sweep: energy against latency (marker size: cores used)" },
      xaxis: { title: { text: AXIS.latency }, type: scaleOf(latencies) },
      yaxis: relative
        ? { title: { text: `energy above the lowest, ${fmt(lo)} µJ (%)` } }
        : { title: { text: AXIS.energy }, type: scaleOf(energies) },
      annotations: relative ? [spreadNote(note)] : [],
      meta: {
        phasor: { kind: "pareto", summary, front: [...front], relativeEnergy: relative, spread: Number.isFinite(spread) ? spread : null },
      },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

function spreadNote(text: string): Record<string, unknown> {
  return { text, xref: "paper", yref: "paper", x: 0, y: 1, xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 11 } };
}

/** Log scale only when the values span more than a factor of 20. */
function scaleOf(values: readonly number[]): "log" | "linear" {
  const pos = values.filter((v) => v > 0);
  return pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 20 ? "log" : "linear";
}

function pct(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(2))}%`;
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** State of one core's (or layer's) neurons at the current step: v as bars, currents as markers. */
export function coreStateFigure(st: { layer: string; core: number | null; start: number; v: readonly number[]; currents: ReadonlyArray<readonly number[]> }, step: number): Figure {
  const x = st.v.map((_, k) => st.start + k);
  const where = st.core === null ? `layer ${st.layer}` : `core ${st.core} (${st.layer}[${st.start}..${st.start + st.v.length - 1}])`;
  return {
    data: [
      { type: "bar", name: "v", x, y: [...st.v], marker: { color: PALETTE[0] } },
      ...st.currents.map((c, q) => ({ type: "scatter", mode: "markers", name: `i${q}`, x, y: [...c] })),
    ],
    layout: {
      title: { text: `State of ${where} after step ${step}` }, xaxis: { title: { text: AXIS.neuron } },
      yaxis: { title: { text: st.currents.length ? "v and currents (model units)" : "membrane v (model units)" } },
      meta: { phasor: { kind: "core-state", summary: `state: ${st.v.length} neurons of ${where} after step ${step}` } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}
