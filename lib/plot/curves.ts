/**
 * Training curves: loss (left) and accuracy (right) against the training step, per-step
 * training values as lines and per-epoch validation values as markers. Long runs are thinned
 * to at most `maxPoints` per line (every k-th step, keeping the last) so live updates stay small.
 */
import { DEFAULT_CONFIG, PALETTE, type Figure, type Trace } from "./figure.js";

/** One training step's numbers. */
export interface StepPoint {
  step: number;
  loss: number;
  accuracy: number;
}

/** One epoch's validation numbers, placed at the step where the epoch ended. */
export interface EpochPoint {
  epoch: number;
  step: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Options for `trainingCurves`. */
export interface CurvesOptions {
  title?: string;
  /** At most this many points per line (default 2000). */
  maxPoints?: number;
  /** A note for the title and summary, e.g. "backend: wasm, 2 workers". */
  note?: string;
}

/** Every k-th element and always the last, so at most about `max` remain. */
function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const k = Math.ceil(xs.length / max);
  const out = xs.filter((_, i) => i % k === 0);
  if ((xs.length - 1) % k !== 0) out.push(xs[xs.length - 1]);
  return out;
}

/** Loss and accuracy curves of a training run (steps so far, validation per epoch). */
export function trainingCurves(steps: readonly StepPoint[], epochs: readonly EpochPoint[] = [], opts: CurvesOptions = {}): Figure {
  const s = thin(steps, Math.max(2, opts.maxPoints ?? 2000));
  const val = epochs.filter((e) => e.valLoss !== undefined || e.valAccuracy !== undefined);
  const line = (name: string, y: number[], axis: 1 | 2, color: string): Trace => ({
    type: "scatter", mode: "lines", name, x: s.map((p) => p.step), y, xaxis: axis === 1 ? "x" : "x2", yaxis: axis === 1 ? "y" : "y2", line: { color, width: 1.5 },
  });
  const marks = (name: string, y: (number | null)[], axis: 1 | 2, color: string): Trace => ({
    type: "scatter", mode: "lines+markers", name, x: val.map((e) => e.step), y, xaxis: axis === 1 ? "x" : "x2", yaxis: axis === 1 ? "y" : "y2", marker: { color, size: 7 }, line: { color, dash: "dot" },
  });
  const data: Trace[] = [line("train loss", s.map((p) => p.loss), 1, PALETTE[0]), line("train accuracy", s.map((p) => p.accuracy), 2, PALETTE[0])];
  if (val.length) {
    data.push(marks("validation loss", val.map((e) => e.valLoss ?? null), 1, PALETTE[1]));
    data.push(marks("validation accuracy", val.map((e) => e.valAccuracy ?? null), 2, PALETTE[1]));
  }
  const last = steps[steps.length - 1];
  const lastVal = val[val.length - 1];
  let summary = last ? `training: ${steps.length} step${steps.length === 1 ? "" : "s"}, loss ${last.loss.toFixed(4)}, accuracy ${(last.accuracy * 100).toFixed(1)}%` : "training: no steps yet";
  if (lastVal?.valAccuracy !== undefined) summary += `, validation accuracy ${(lastVal.valAccuracy * 100).toFixed(1)}% after epoch ${lastVal.epoch}`;
  if (opts.note) summary += ` (${opts.note})`;
  return {
    data,
    layout: {
      title: { text: (opts.title ?? "Training") + (opts.note ? ` (${opts.note})` : "") },
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { title: { text: "step" }, domain: [0, 0.45] },
      yaxis: { title: { text: "loss" } },
      xaxis2: { title: { text: "step" }, domain: [0.55, 1] },
      yaxis2: { title: { text: "accuracy" }, range: [0, 1] },
      legend: { orientation: "h", y: -0.25, yanchor: "top" }, // below the x-axis titles, not over them
      meta: { phasor: { kind: "training-curves", summary, steps: steps.length, epochs: val.length } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}
