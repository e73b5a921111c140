/**
 * Cycle views: latency per timestep, link congestion over the mesh, and the
 * energy / latency / cores Pareto front of a parameter sweep. Pure: data in, Plotly JSON out.
 */
import { DEFAULT_CONFIG, PALETTE, type Figure } from "./figure.js";

/** Per-link traffic as the cycle engine reports it (structurally). */
export interface LinkLike { x: number; y: number; port: string; packets: number; waitCycles: number }

/** Latency of every timestep in µs (cycles at `clockHz`), with the mean as a dashed line. */
export function latencyPerStep(stepCycles: readonly number[], clockHz: number): Figure {
  const us = stepCycles.map((c) => (c / clockHz) * 1e6);
  const mean = us.reduce((a, b) => a + b, 0) / Math.max(1, us.length);
  const summary = `latency: ${us.length} steps, mean ${mean.toPrecision(4)} µs, max ${Math.max(0, ...us).toPrecision(4)} µs per step`;
  return {
    data: [{ type: "scatter", mode: "lines", name: "latency", x: us.map((_, t) => t), y: us }],
    layout: {
      title: { text: "Latency per timestep" }, xaxis: { title: { text: "step" } }, yaxis: { title: { text: "latency (µs)" } },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: mean, y1: mean, line: { dash: "dash", color: PALETTE[1] } }],
      meta: { phasor: { kind: "latency", summary, mean } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/** Heatmap of link congestion per router: packets sent (or cycles waited, `metric`) summed over its outgoing links. */
export function congestionHeatmap(links: readonly LinkLike[], mesh: { width: number; height: number }, metric: "packets" | "waitCycles" = "waitCycles"): Figure {
  const z = Array.from({ length: mesh.height }, () => new Array<number>(mesh.width).fill(0));
  let worst = { v: -1, at: "" };
  for (const l of links) {
    z[l.y][l.x] += l[metric];
    if (l[metric] > worst.v) worst = { v: l[metric], at: `(${l.x}, ${l.y}) ${l.port}` };
  }
  const summary = `congestion: ${links.length} links used; worst ${worst.at || "none"} with ${Math.max(0, worst.v)} ${metric === "packets" ? "packets" : "wait cycles"}`;
  return {
    data: [{ type: "heatmap", z, colorscale: "Hot", reversescale: true, colorbar: { title: { text: metric === "packets" ? "packets" : "wait cycles" } } }],
    layout: { title: { text: `Link congestion (${metric === "packets" ? "packets" : "cycles waited"} per router)` }, xaxis: { title: { text: "x" }, dtick: 1 }, yaxis: { title: { text: "y" }, dtick: 1 }, meta: { phasor: { kind: "congestion", summary } } },
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

/** Energy (µJ) against latency (µs) with marker size for cores; the Pareto front highlighted. */
export function paretoFigure(points: readonly SweepPoint[]): Figure {
  const front = new Set(paretoFront(points));
  const ok = points.filter((p) => !p.error);
  const trace = (sel: SweepPoint[], name: string, color: string) => ({
    type: "scatter", mode: "markers", name, x: sel.map((p) => p.latency * 1e6), y: sel.map((p) => p.energy * 1e6), text: sel.map((p) => `${p.label}: ${p.cores} cores`),
    marker: { size: sel.map((p) => 6 + 3 * Math.sqrt(p.cores)), color }, hovertemplate: "%{text}<br>%{x:.3g} µs, %{y:.3g} µJ<extra></extra>",
  });
  const fr = ok.filter((p) => front.has(points.indexOf(p))).sort((a, b) => a.latency - b.latency);
  const summary = `sweep: ${points.length} configurations (${points.length - ok.length} failed), ${fr.length} on the energy/latency/cores Pareto front`;
  return {
    data: [trace(ok.filter((p) => !front.has(points.indexOf(p))), "dominated", PALETTE[7]), { ...trace(fr, "Pareto front", PALETTE[3]), mode: "lines+markers" }],
    layout: { title: { text: "Energy / latency / cores" }, xaxis: { title: { text: "latency per inference (µs)" }, type: "log" }, yaxis: { title: { text: "energy per inference (µJ)" }, type: "log" }, meta: { phasor: { kind: "pareto", summary, front: [...front] } } },
    config: { ...DEFAULT_CONFIG },
  };
}

/** State of one core's (or layer's) neurons at the current step: v as bars, currents as markers. */
export function coreStateFigure(st: { layer: string; core: number | null; start: number; v: readonly number[]; currents: ReadonlyArray<readonly number[]> }, step: number): Figure {
  const x = st.v.map((_, k) => st.start + k);
  const where = st.core === null ? `layer ${st.layer}` : `core ${st.core} (${st.layer}[${st.start}..${st.start + st.v.length - 1}])`;
  return {
    data: [{ type: "bar", name: "v", x, y: [...st.v] }, ...st.currents.map((c, q) => ({ type: "scatter", mode: "markers", name: `i${q}`, x, y: [...c] }))],
    layout: { title: { text: `State of ${where} after step ${step}` }, xaxis: { title: { text: "neuron" } }, yaxis: { title: { text: "model units" } }, meta: { phasor: { kind: "core-state", summary: `state: ${st.v.length} neurons of ${where} after step ${step}` } } },
    config: { ...DEFAULT_CONFIG },
  };
}
