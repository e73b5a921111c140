/**
 * Shuffled, seeded batching of an EventDataset into time-major network input [T, B, N].
 * Samples are read and framed one batch at a time, so datasets larger than memory stream.
 */
import { Rng } from "../ir/random.js";
import type { EventDataset, EventSample } from "./events.js";
import { toFrame, type FrameSpec } from "./transforms.js";

/** A batch: x is [T, B, N] row-major; labels has B entries. */
export interface Batch {
  x: Float32Array;
  shape: [number, number, number];
  labels: Float32Array;
  indices: number[];
}

/** How to batch. */
export interface BatchOptions {
  batchSize: number;
  /** Time steps per sample: frames are padded with zeros or cut. */
  steps: number;
  /** Frame slicing; default: time windows of `dtUs` microseconds. */
  frame?: FrameSpec;
  /** Window per step in microseconds when `frame` is not given (default 1000). */
  dtUs?: number;
  /** Clip counts to 0/1 (default true: spike input). */
  binary?: boolean;
  shuffle?: boolean;
  seed?: number;
  /** Subset of sample indices (default all). */
  indices?: number[];
  /** Per-sample event transform applied before framing (e.g. denoise, timeJitter). */
  transform?: (s: EventSample, index: number) => EventSample;
  dropLast?: boolean;
}

/** Deterministic Fisher-Yates shuffle. */
export function shuffled(indices: number[], seed: number): number[] {
  const rng = new Rng(seed);
  const a = [...indices];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Number of batches an epoch yields. */
export function batchCount(ds: EventDataset, o: BatchOptions): number {
  const n = (o.indices ?? ds.length) instanceof Array ? (o.indices as number[]).length : ds.length;
  return o.dropLast ? Math.floor(n / o.batchSize) : Math.ceil(n / o.batchSize);
}

/** Yields batches; samples are read lazily, one batch in memory at a time. */
export function* batches(ds: EventDataset, o: BatchOptions): Generator<Batch> {
  const [W, H, P] = ds.sensorSize;
  const N = W * H * P;
  const all = o.indices ?? Array.from({ length: ds.length }, (_, i) => i);
  const order = o.shuffle === false ? all : shuffled(all, o.seed ?? 0);
  const dt = o.dtUs ?? 1000;
  // Windows from t = 0 (comparable across samples); end_time half a window past the last gives exactly `steps` of them.
  const spec: FrameSpec = o.frame ?? { time_window: dt, start_time: 0, end_time: dt * (o.steps + 0.5) };
  for (let at = 0; at < order.length; at += o.batchSize) {
    const idx = order.slice(at, at + o.batchSize);
    if (o.dropLast && idx.length < o.batchSize) return;
    const B = idx.length, T = o.steps;
    const x = new Float32Array(T * B * N);
    const labels = new Float32Array(B);
    idx.forEach((i, b) => {
      let s = ds.get(i);
      if (o.transform) s = o.transform(s, i);
      labels[b] = s.label;
      const f = toFrame(s.events, ds.sensorSize, spec, o.binary ?? true);
      const frames = Math.min(T, f.frames);
      for (let t = 0; t < frames; t++) x.set(f.data.subarray(t * N, (t + 1) * N), (t * B + b) * N);
    });
    yield { x, shape: [T, B, N], labels, indices: idx };
  }
}
