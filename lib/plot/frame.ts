/**
 * An event frame as a heatmap: counts on a grid of rows x columns. For a camera sensor the
 * grid is the pixel array (y down); for a one-row sensor such as SHD's 700 channels the
 * caller bins time into rows, so the heatmap reads as channels against time.
 */
import { DEFAULT_CONFIG, SEQUENTIAL, type Figure } from "./figure.js";

/** Counts laid out row-major: data[r * columns + c]. */
export interface FrameGrid {
  data: ArrayLike<number>;
  rows: number;
  columns: number;
}

/** Options for `eventFrame`. */
export interface FrameOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Row labels' scale: row r is drawn at y = r * yScale (e.g. ms per time bin); default 1. */
  yScale?: number;
  /** Image-like orientation (row 0 at the top); default true. */
  flipY?: boolean;
}

/** A heatmap figure of an event frame (or a channels x time-bins grid). */
export function eventFrame(grid: FrameGrid, opts: FrameOptions = {}): Figure {
  const { rows, columns, data } = grid;
  if (data.length !== rows * columns) throw new RangeError(`eventFrame: ${data.length} values do not fill ${rows} x ${columns}`);
  const z: number[][] = [];
  let total = 0, max = 0;
  for (let r = 0; r < rows; r++) {
    const row: number[] = new Array<number>(columns);
    for (let c = 0; c < columns; c++) {
      const v = data[r * columns + c];
      row[c] = v;
      total += v;
      if (v > max) max = v;
    }
    z.push(row);
  }
  const scale = opts.yScale ?? 1;
  const summary = `event frame: ${rows} x ${columns}, ${total} events, at most ${max} per cell`;
  return {
    data: [{
      type: "heatmap", z, x: Array.from({ length: columns }, (_, c) => c), y: Array.from({ length: rows }, (_, r) => r * scale),
      colorscale: SEQUENTIAL, colorbar: { title: { text: "events per cell (count)" }, ...(max <= 10 ? { dtick: 1 } : {}) },
    }],
    layout: {
      title: { text: opts.title ?? "Event frame" },
      xaxis: { title: { text: opts.xTitle ?? "x (pixel)" } },
      yaxis: { title: { text: opts.yTitle ?? "y (pixel)" }, autorange: opts.flipY === false ? true : "reversed" },
      meta: { phasor: { kind: "event-frame", summary, rows, columns, events: total } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}
