/** lib/plot: pure functions from results to Plotly figure JSON (no I/O). */
export { AXIS, COLOURS, DEFAULT_CONFIG, PALETTE, SEQUENTIAL, isFigure, summarise, titleText } from "./figure.js";
export type { Config, Figure, FigureMeta, Layout, Trace } from "./figure.js";
export { DEFAULT_MAX_POINTS, raster } from "./raster.js";
export type { RasterOptions, SpikeEvent, Spikes } from "./raster.js";
export { decimate, recordColumns, traces } from "./traces.js";
export type { Levels, NodeRecords, RecordColumnsOptions, Records, TracesOptions } from "./traces.js";
export { clampFraction, escapeHtml, percent, progressHtml, progressText } from "./progress.js";
export type { ProgressState } from "./progress.js";
