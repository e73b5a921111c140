/**
 * Event transforms (after Tonic's set): ToFrame, Downsample, Denoise, TimeJitter. Pure
 * functions of Events; seeded where random. Frames are [frames, P, H, W] counts, flattened
 * per frame in (p, y, x) order, so a frame is one time step of network input.
 */
import { PhasorError } from "../ir/errors.js";
import { Rng } from "../ir/random.js";
import { allocEvents, filterEvents, sortEvents, type Events, type SensorSize } from "./events.js";

/** How ToFrame slices time: fixed windows (us), fixed event counts, or a number of equal bins. */
export type FrameSpec =
  | { timeWindow: number; frames?: number }
  | { eventCount: number; frames?: number }
  | { nBins: number };

/** Frames with their shape; data is [frames, P * H * W]. */
export interface Frames {
  data: Float32Array;
  frames: number;
  /** Elements per frame (P * H * W). */
  size: number;
}

/** Bins events into frames; `binary` clips counts to 1 (spike input); `frames` pads or cuts to a fixed length. */
export function toFrame(e: Events, sensor: SensorSize, spec: FrameSpec, binary = false): Frames {
  const [W, H, P] = sensor;
  const size = W * H * P;
  const n = e.t.length;
  // Time windows count from t = 0 (the sample's start), so timing is comparable across samples.
  const t0 = "timeWindow" in spec ? 0 : n ? e.t[0] : 0;
  let frameOf: (i: number) => number;
  let frames: number;
  if ("timeWindow" in spec) {
    if (!(spec.timeWindow > 0)) throw new PhasorError("ToFrame: timeWindow must be > 0 microseconds", "bad-parameter");
    frameOf = (i) => Math.floor((e.t[i] - t0) / spec.timeWindow);
    frames = spec.frames ?? (n ? frameOf(n - 1) + 1 : 0);
  } else if ("eventCount" in spec) {
    frameOf = (i) => Math.floor(i / spec.eventCount);
    frames = spec.frames ?? Math.ceil(n / spec.eventCount);
  } else {
    const span = n ? e.t[n - 1] - t0 : 0;
    frameOf = (i) => (span > 0 ? Math.min(spec.nBins - 1, Math.floor(((e.t[i] - t0) / span) * spec.nBins)) : 0);
    frames = spec.nBins;
  }
  const data = new Float32Array(frames * size);
  for (let i = 0; i < n; i++) {
    const f = frameOf(i);
    if (f < 0 || f >= frames) continue;
    const x = e.x[i], y = e.y[i], p = P > 1 ? e.p[i] : 0;
    if (x < 0 || x >= W || y < 0 || y >= H) continue;
    const k = f * size + p * W * H + y * W + x;
    data[k] = binary ? 1 : data[k] + 1;
  }
  return { data, frames, size };
}

/** Scales coordinates (and optionally time) down: x' = floor(x * spatial), t' = t * time. */
export function downsample(e: Events, opts: { spatialFactor?: number; timeFactor?: number }): Events {
  const s = opts.spatialFactor ?? 1;
  const tf = opts.timeFactor ?? 1;
  const out = allocEvents(e.t.length);
  for (let i = 0; i < e.t.length; i++) {
    out.t[i] = e.t[i] * tf; out.x[i] = Math.floor(e.x[i] * s); out.y[i] = Math.floor(e.y[i] * s); out.p[i] = e.p[i];
  }
  return out;
}

/** Downsampled sensor size for `downsample` with the same spatial factor. */
export function downsampledSize(sensor: SensorSize, spatialFactor: number): SensorSize {
  return [Math.max(1, Math.floor((sensor[0] - 1) * spatialFactor) + 1), Math.max(1, Math.floor((sensor[1] - 1) * spatialFactor) + 1), sensor[2]];
}

/**
 * Drops isolated events: an event survives if one of its 8 neighbouring pixels had an event
 * within the last `filterTime` us (time-sorted input).
 */
export function denoise(e: Events, sensor: SensorSize, filterTime: number): Events {
  const [W, H] = sensor;
  const last = new Float64Array(W * H).fill(-Infinity);
  const keep = new Uint8Array(e.t.length);
  for (let i = 0; i < e.t.length; i++) {
    const x = e.x[i], y = e.y[i], t = e.t[i];
    let ok = false;
    for (let dy = -1; dy <= 1 && !ok; dy++) for (let dx = -1; dx <= 1; dx++) {
      if ((dx === 0 && dy === 0) || x + dx < 0 || x + dx >= W || y + dy < 0 || y + dy >= H) continue;
      if (t - last[(y + dy) * W + x + dx] <= filterTime) { ok = true; break; }
    }
    keep[i] = ok ? 1 : 0;
    if (x >= 0 && x < W && y >= 0 && y < H) last[y * W + x] = t;
  }
  return filterEvents(e, (i) => keep[i] === 1);
}

/** Adds Gaussian noise of `std` us to each time (seeded); drops negative times unless clipNegative is false; re-sorts. */
export function timeJitter(e: Events, opts: { std: number; seed: number; clipNegative?: boolean }): Events {
  const rng = new Rng(opts.seed);
  const out = allocEvents(e.t.length);
  out.x.set(e.x); out.y.set(e.y); out.p.set(e.p);
  for (let i = 0; i < e.t.length; i++) {
    const u = Math.max(rng.random(), 1e-12), v = rng.random();
    out.t[i] = e.t[i] + opts.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  const sorted = sortEvents(out);
  return opts.clipNegative === false ? sorted : filterEvents(sorted, (i) => sorted.t[i] >= 0);
}
