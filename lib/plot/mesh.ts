/**
 * Core utilisation on the mesh: a compiler resource report as a Plotly heatmap, one cell per
 * core at its router's (x, y), cores sharing a router drawn as a small block around it, each
 * cell labelled with its core and, when used, its utilisation.
 * Takes the report structurally (lib/plot imports no compiler code).
 */
import { DEFAULT_CONFIG, type Figure } from "./figure.js";
import { meshHeatmap } from "./grid.js";

/** Which utilisation to colour by: the largest of the four, or one of them. */
export type MeshMetric = "max" | "neurons" | "synapses" | "fanIn" | "fanOut";

/** Fractions of a core's limits in use. */
export interface MeshUtilisation {
  neurons: number;
  synapses: number;
  fanIn: number;
  fanOut: number;
}

/** One used core (slice) of a resource report. */
export interface MeshCore {
  core: number;
  x: number;
  y: number;
  layer: string;
  utilisation: MeshUtilisation;
}

/** The parts of a compiler ResourceReport the heatmap needs. */
export interface MeshReport {
  target: string;
  coresTotal: number;
  mesh: { width: number; height: number; coresPerRouter: number };
  cores: ReadonlyArray<MeshCore>;
}

/** Options for `meshUtilisation`. */
export interface MeshOptions {
  /** Colour by this utilisation (default "max": the tightest of neurons, synapses, fan-in, fan-out). */
  metric?: MeshMetric;
  /** Figure title (default "Core utilisation on <target>"). */
  title?: string;
}

const METRICS: ReadonlyArray<keyof MeshUtilisation> = ["neurons", "synapses", "fanIn", "fanOut"];

interface CoreCell {
  x: number;
  y: number;
  layers: string[];
  u: MeshUtilisation;
}

/** A heatmap of core utilisation (0..100%) on the mesh: every core labelled, used ones with their value, lines between routers. */
export function meshUtilisation(report: MeshReport, opts: MeshOptions = {}): Figure {
  const metric = opts.metric ?? "max";
  const { width, height, coresPerRouter: per } = report.mesh;
  const side = Math.ceil(Math.sqrt(per));
  const down = Math.ceil(per / side);
  const cols = width * side, rows = height * down;
  const cells = mergeCores(report.cores);
  const z: (number | null)[][] = Array.from({ length: rows }, () => new Array<number | null>(cols).fill(null));
  const text: string[][] = Array.from({ length: rows }, () => new Array<string>(cols).fill(""));
  const hovertext: string[][] = Array.from({ length: rows }, () => new Array<string>(cols).fill(""));
  labelFreeCores(report, side, down, text, hovertext);
  let peak = { value: 0, core: -1 };
  const outline: Array<[number, number]> = [];
  for (const [core, cell] of cells) {
    const slot = core % per, x = cell.x * side + (slot % side), y = cell.y * down + Math.floor(slot / side);
    if (y >= rows || x >= cols) continue;
    const value = valueOf(cell.u, metric);
    z[y][x] = value;
    outline.push([x, y]);
    text[y][x] = `c${core}<br>${percent(value)}`;
    hovertext[y][x] = hover(core, cell);
    if (value > peak.value) peak = { value, core };
  }
  const summary = `mesh: ${cells.size} of ${report.coresTotal} cores used on ${report.target} (${width}x${height} routers, ${per} per router); peak ${metric === "max" ? "" : metric + " "}utilisation ${percent(peak.value)}${peak.core >= 0 ? ` (core ${peak.core})` : ""}`;
  const what = metric === "max" ? "utilisation, tightest limit" : `${metric} utilisation`;
  const grid = meshHeatmap({
    width, height, side, down, z, text, hover: hovertext, colorbar: `${what} (%)`, tickformat: ".0%", zmax: Math.max(1, peak.value), outline,
  });
  return {
    data: [grid.trace],
    layout: {
      ...grid.layout,
      title: { text: opts.title ?? `Core utilisation on ${report.target} (${cells.size} of ${report.coresTotal} cores used)` },
      meta: { phasor: { kind: "mesh", summary, metric, coresUsed: cells.size, peak: peak.value } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/** Every core of the chip, used or not, is named in its cell (core ids run router by router, x fastest). */
function labelFreeCores(report: MeshReport, side: number, down: number, text: string[][], hovertext: string[][]): void {
  const { width, coresPerRouter: per } = report.mesh;
  for (let core = 0; core < report.coresTotal; core++) {
    const r = Math.floor(core / per), slot = core % per;
    const x = (r % width) * side + (slot % side), y = Math.floor(r / width) * down + Math.floor(slot / side);
    if (y >= text.length || x >= text[0].length) continue;
    text[y][x] = `c${core}`;
    hovertext[y][x] = `core ${core}: unused`;
  }
}

/** Slices sharing a core (single-core targets) add up; their layers are listed together. */
function mergeCores(cores: ReadonlyArray<MeshCore>): Map<number, CoreCell> {
  const out = new Map<number, CoreCell>();
  for (const c of cores) {
    const cell = out.get(c.core) ?? { x: c.x, y: c.y, layers: [], u: { neurons: 0, synapses: 0, fanIn: 0, fanOut: 0 } };
    cell.layers.push(c.layer);
    for (const m of METRICS) cell.u[m] += c.utilisation[m];
    out.set(c.core, cell);
  }
  return out;
}

function valueOf(u: MeshUtilisation, metric: MeshMetric): number {
  return metric === "max" ? Math.max(u.neurons, u.synapses, u.fanIn, u.fanOut) : u[metric];
}

function hover(core: number, c: CoreCell): string {
  const u = c.u;
  return `core ${core}: ${c.layers.join(", ")}<br>neurons ${percent(u.neurons)}, synapses ${percent(u.synapses)}<br>fan-in ${percent(u.fanIn)}, fan-out ${percent(u.fanOut)}`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;
}
