/**
 * A heatmap laid out on a chip's mesh, shared by the utilisation, energy and congestion views:
 * one cell per core (or per router), its value or label written in it, lines between routers,
 * and the same axis names, colour scale and background in every such figure.
 */
import { AXIS, SEQUENTIAL, type Layout, type Trace } from "./figure.js";

/** What a mesh heatmap shows; cells are row-major, row 0 at the bottom (mesh y = 0). */
export interface MeshGrid {
  /** Routers across and down. */
  width: number;
  height: number;
  /** Cells per router across and down (1 each when a cell is a router). */
  side?: number;
  down?: number;
  z: (number | null)[][];
  /** Written in each cell ("" for none): a value, a core label. */
  text: string[][];
  /** Shown on hover over each cell. */
  hover: string[][];
  /** Colour bar title, with its unit. */
  colorbar: string;
  tickformat?: string;
  zmax?: number;
  /** Cells to outline, [column, row] (used cores: they stand out even at a low value). */
  outline?: ReadonlyArray<readonly [number, number]>;
}

/** Above this many cells, values go to the hover text only (they would not fit). */
const MAX_WRITTEN = 1024;

/** The heatmap trace and the layout parts (axes, router lines, background) of a mesh figure. */
export function meshHeatmap(g: MeshGrid): { trace: Trace; layout: Layout } {
  const side = g.side ?? 1, down = g.down ?? 1;
  const cols = g.width * side, rows = g.height * down, cells = cols * rows;
  const trace: Trace = {
    type: "heatmap", z: g.z, hovertext: g.hover, hovertemplate: "%{hovertext}<extra></extra>",
    colorscale: SEQUENTIAL, zmin: 0, xgap: 2, ygap: 2, hoverongaps: true,
    colorbar: { title: { text: g.colorbar }, ...(g.tickformat ? { tickformat: g.tickformat } : {}) },
  };
  trace.zmax = g.zmax ?? (Math.max(0, ...g.z.flat().filter((v): v is number => v !== null && Number.isFinite(v))) || 1);
  if (cells <= MAX_WRITTEN) {
    Object.assign(trace, { text: g.text, texttemplate: "%{text}", textfont: { size: fontSize(cells) } });
  }
  const axis = (title: string, routers: number, k: number) => ({
    title: { text: title }, range: [-0.5, routers * k - 0.5], zeroline: false, showgrid: false,
    ticks: "outside", ticklen: 6, tickcolor: "rgba(0,0,0,0)", // labels clear of the cells
    constrain: "domain", // the plot shrinks to square cells, the axes stay beside it
    tickvals: Array.from({ length: routers }, (_, i) => i * k + (k - 1) / 2),
    ticktext: Array.from({ length: routers }, (_, i) => String(i)),
  });
  return {
    trace,
    layout: {
      xaxis: axis(AXIS.meshX, g.width, side),
      yaxis: { ...axis(AXIS.meshY, g.height, down), scaleanchor: "x" },
      shapes: [...routerLines(g.width, g.height, side, down), ...(g.outline ?? []).map(([x, y]) => outlineOf(x, y))],
      plot_bgcolor: "#ffffff",
    },
  };
}

/** Lines around every router (its cores share the block between them). */
function routerLines(width: number, height: number, side: number, down: number): Record<string, unknown>[] {
  const line = { color: "#9a9a9a", width: 1 };
  const x1 = width * side - 0.5, y1 = height * down - 0.5;
  const vertical = Array.from({ length: width + 1 }, (_, i) => i * side - 0.5)
    .map((x) => ({ type: "line", xref: "x", yref: "y", x0: x, x1: x, y0: -0.5, y1, line, layer: "above" }));
  const horizontal = Array.from({ length: height + 1 }, (_, j) => j * down - 0.5)
    .map((y) => ({ type: "line", xref: "x", yref: "y", x0: -0.5, x1, y0: y, y1: y, line, layer: "above" }));
  return [...vertical, ...horizontal];
}

function outlineOf(x: number, y: number): Record<string, unknown> {
  const d = 0.47; // inside the cell's gap
  return { type: "rect", xref: "x", yref: "y", x0: x - d, x1: x + d, y0: y - d, y1: y + d, line: { color: "#333", width: 1.5 }, layer: "above" };
}

function fontSize(cells: number): number {
  return cells <= 64 ? 11 : cells <= 256 ? 9 : 7;
}

/** A number for a cell: three significant figures, no exponent for everyday sizes. */
export function cellNumber(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}
