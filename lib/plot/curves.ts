/**
 * Training curves: loss (left) and accuracy in % (right) against the training step, per-step
 * training values as lines and per-epoch validation values as markers, each split in its own
 * colour in both panels. Long runs are thinned to at most `maxPoints` per line (every k-th
 * step, keeping the last) so live updates stay small.
 */
import { AXIS, COLOURS, DEFAULT_CONFIG, type Figure, type Trace } from "./figure.js";

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
  /** How the run was made, e.g. "backend: wasm, 2 workers": in the summary and `layout.meta.phasor.note`, not the title. */
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

type Split = "train" | "validation";

/** One split's line in one panel: train per step as a line, validation per epoch as dotted markers; one legend entry per split. */
function splitTrace(split: Split, panel: 1 | 2, x: number[], y: (number | null)[]): Trace {
  const colour = COLOURS[split], what = panel === 1 ? "loss" : "accuracy";
  const style = split === "train" ? { mode: "lines", line: { color: colour, width: 1.5 } }
    : { mode: "lines+markers", marker: { color: colour, size: 7 }, line: { color: colour, dash: "dot", width: 1.5 } };
  return {
    type: "scatter", name: split, legendgroup: split, showlegend: panel === 1, x, y, ...style,
    xaxis: panel === 1 ? "x" : "x2", yaxis: panel === 1 ? "y" : "y2",
    hovertemplate: `${split} ${what} %{y:.4g}${panel === 2 ? " %" : ""}<br>step %{x}<extra></extra>`,
  };
}

/** Loss and accuracy curves of a training run (steps so far, validation per epoch): train and validation in one colour each. */
export function trainingCurves(steps: readonly StepPoint[], epochs: readonly EpochPoint[] = [], opts: CurvesOptions = {}): Figure {
  const s = thin(steps, Math.max(2, opts.maxPoints ?? 2000));
  const val = epochs.filter((e) => e.valLoss !== undefined || e.valAccuracy !== undefined);
  const pct = (a: number | undefined) => (a === undefined ? null : round(a * 100));
  const sx = s.map((p) => p.step), vx = val.map((e) => e.step);
  const data: Trace[] = [splitTrace("train", 1, sx, s.map((p) => p.loss)), splitTrace("train", 2, sx, s.map((p) => pct(p.accuracy)))];
  if (val.length) {
    data.push(splitTrace("validation", 1, vx, val.map((e) => e.valLoss ?? null)));
    data.push(splitTrace("validation", 2, vx, val.map((e) => pct(e.valAccuracy))));
  }
  const last = steps[steps.length - 1];
  const lastVal = val[val.length - 1];
  let summary = last ? `training: ${steps.length} step${steps.length === 1 ? "" : "s"}, loss ${last.loss.toFixed(4)}, accuracy ${(last.accuracy * 100).toFixed(1)}%` : "training: no steps yet";
  if (lastVal?.valAccuracy !== undefined) summary += `, validation accuracy ${(lastVal.valAccuracy * 100).toFixed(1)}% after epoch ${lastVal.epoch}`;
  if (opts.note) summary += ` (${opts.note})`;
  return {
    data,
    layout: {
      title: { text: opts.title ?? "Training" },
      xaxis: { title: { text: AXIS.trainingStep }, domain: [0, 0.44], anchor: "y" },
      yaxis: { title: { text: "loss (mean over batch)" }, anchor: "x", rangemode: "tozero" },
      xaxis2: { title: { text: AXIS.trainingStep }, domain: [0.56, 1], anchor: "y2" },
      yaxis2: { title: { text: "accuracy (%)" }, range: [0, 100], anchor: "x2" },
      annotations: [panelTitle("loss", 0), panelTitle("accuracy", 0.56)],
      legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.22, yanchor: "top" }, // below the x-axis titles, not over them
      margin: { t: 70, b: 90 },
      meta: { phasor: { kind: "training-curves", summary, steps: steps.length, epochs: val.length, note: opts.note } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

function panelTitle(text: string, x: number): Record<string, unknown> {
  return { text: `<b>${text}</b>`, xref: "paper", yref: "paper", x, y: 1, xanchor: "left", yanchor: "bottom", showarrow: false };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
