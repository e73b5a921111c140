/**
 * Event transforms with Tonic's semantics and parameter names (tonic/transforms.py and
 * tonic/functional/*.py): ToFrame, Downsample, Denoise, TimeJitter. Pure functions of Events;
 * seeded where random. Frames are [frames, P, H, W] counts, flattened per frame in (p, y, x)
 * order, so a frame is one time step of network input. Where Phasor differs from Tonic it is
 * said on the function and in docs/data.md.
 */
import { PhasorError } from "../ir/errors.js";
import { Rng } from "../ir/random.js";
import { allocEvents, filterEvents, sortEvents, type Events, type SensorSize } from "./events.js";

/**
 * ToFrame's slicing, named as Tonic's ToFrame names it: exactly one of time_window (us),
 * event_count, n_time_bins or n_event_bins; overlap in us, events or a fraction of a bin.
 */
export interface FrameSpec {
  time_window?: number;
  event_count?: number;
  n_time_bins?: number;
  n_event_bins?: number;
  /** Default 0. */
  overlap?: number;
  /** Keep the last, incomplete slice (time_window and event_count only); default false, as Tonic. */
  include_incomplete?: boolean;
  /** Time windows start here (default: the first event's time) and end at end_time (default: the last event's). */
  start_time?: number;
  end_time?: number;
}

/** Frames with their shape; data is [frames, P * H * W]. */
export interface Frames {
  data: Float32Array;
  frames: number;
  /** Elements per frame (P * H * W). */
  size: number;
}

type Slice = [number, number];

const bad = (message: string) => new PhasorError([{ code: "bad-parameter", path: ["ToFrame"], message }]);

/** Index of the first time >= v (numpy's searchsorted, side "left"). */
function searchLeft(t: Float64Array, v: number): number {
  let lo = 0, hi = t.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Tonic's SliceByTime (tonic/slicers.py): windows of time_window every time_window - overlap from start_time. */
function sliceByTime(t: Float64Array, s: FrameSpec, tw: number): Slice[] {
  const stride = tw - (s.overlap ?? 0);
  if (!(stride > 0)) throw bad(`time_window ${tw} minus overlap ${s.overlap} must be > 0`);
  const start = s.start_time ?? t[0], end = s.end_time ?? t[t.length - 1];
  const q = (end - start - tw) / stride;
  const n = Math.max(1, (s.include_incomplete ? Math.ceil(q) : Math.floor(q)) + 1);
  return Array.from({ length: n }, (_, k) => {
    const w0 = k * stride + start;
    return [searchLeft(t, w0), searchLeft(t, w0 + tw)];
  });
}

/** Tonic's SliceByEventCount: event_count events every event_count - overlap events. */
function sliceByCount(n: number, s: FrameSpec, count: number): Slice[] {
  const c = Math.min(count, n), stride = count - (s.overlap ?? 0);
  if (!(stride > 0)) throw bad(`event_count ${count} minus overlap ${s.overlap} must be > 0`);
  const q = (n - c) / stride;
  const slices = (s.include_incomplete ? Math.ceil(q) : Math.floor(q)) + 1;
  return Array.from({ length: Math.max(0, slices) }, (_, k) => [k * stride, Math.min(n, k * stride + c)]);
}

/** Tonic's SliceByTimeBins: bin length (t_last - t_first) // bins * (1 + overlap), from the first event. */
function sliceByTimeBins(t: Float64Array, bins: number, overlap: number): Slice[] {
  if (!(overlap < 1)) throw bad(`overlap ${overlap} must be < 1 with n_time_bins`);
  const tw = Math.floor((t[t.length - 1] - t[0]) / bins) * (1 + overlap), stride = tw * (1 - overlap);
  return Array.from({ length: bins }, (_, k) => {
    const w0 = k * stride + t[0];
    return [searchLeft(t, w0), searchLeft(t, w0 + tw)];
  });
}

/** Tonic's SliceByEventBins: n // bins * (1 + overlap) events per bin. */
function sliceByEventBins(n: number, bins: number, overlap: number): Slice[] {
  const count = Math.trunc(Math.floor(n / bins) * (1 + overlap)), stride = Math.trunc(count * (1 - overlap));
  return Array.from({ length: bins }, (_, k) => [Math.min(n, k * stride), Math.min(n, k * stride + count)]);
}

/** The slicing method a spec names (exactly one), checked. */
function method(s: FrameSpec): ["time_window" | "event_count" | "n_time_bins" | "n_event_bins", number] {
  const given = (["time_window", "event_count", "n_time_bins", "n_event_bins"] as const).filter((k) => s[k] !== undefined);
  if (given.length !== 1) {
    throw bad(`give exactly one of time_window, event_count, n_time_bins, n_event_bins (got ${given.join(", ") || "none"})`);
  }
  const k = given[0], v = s[k]!;
  const unit = k === "time_window" ? "number of microseconds" : "integer";
  if (k === "time_window" ? !(v > 0) : !(Number.isInteger(v) && v > 0)) throw bad(`${k} must be a positive ${unit} (got ${v})`);
  return [k, v];
}

/** Event index ranges of each frame, as Tonic's slicers compute them (time-sorted events). */
export function frameSlices(e: Events, spec: FrameSpec): Slice[] {
  const [k, v] = method(spec), n = e.t.length, overlap = spec.overlap ?? 0;
  // Tonic's ToFrame: no events gives one empty frame (time_window, event_count) or n empty bins.
  if (n === 0) return Array.from({ length: k === "n_time_bins" || k === "n_event_bins" ? v : 1 }, () => [0, 0]);
  if (k === "time_window") return sliceByTime(e.t, spec, v);
  if (k === "event_count") return sliceByCount(n, spec, v);
  if (k === "n_time_bins") return sliceByTimeBins(e.t, v, overlap);
  return sliceByEventBins(n, v, overlap);
}

/**
 * Tonic's ToFrame: events summed per frame, polarity and pixel; a one-polarity sensor takes
 * events of one polarity only (any value). `binary` clips counts to 1 (spike input; Tonic
 * leaves clamping to the user). An event outside the sensor is an error (Tonic's IndexError).
 */
export function toFrame(e: Events, sensor: SensorSize, spec: FrameSpec, binary = false): Frames {
  const [W, H, P] = sensor, size = W * H * P;
  if (P === 1 && new Set(e.p).size > 1) throw bad("single polarity sensor, but the events hold more than one polarity");
  const slices = frameSlices(e, spec);
  const data = new Float32Array(slices.length * size);
  slices.forEach(([from, to], f) => {
    for (let i = from; i < to; i++) {
      const x = e.x[i], y = e.y[i], p = P === 1 ? 0 : e.p[i];
      if (!(x >= 0 && x < W && y >= 0 && y < H && p >= 0 && p < P)) {
        const where = `event ${i} (x ${x}, y ${y}, p ${p}) lies outside the sensor [${W}, ${H}, ${P}]`;
        throw bad(`${where}; pass the sensor size the events were made for`);
      }
      const k = f * size + p * W * H + y * W + x;
      data[k] = binary ? 1 : data[k] + 1;
    }
  });
  return { data, frames: slices.length, size };
}

/** Tonic's Downsample: time_factor, spatial_factor (one or [x, y]) or target_size over sensor_size. */
export interface DownsampleOptions {
  time_factor?: number;
  spatial_factor?: number | [number, number];
  sensor_size?: SensorSize;
  target_size?: [number, number];
}

/**
 * Tonic's Downsample: t' = t * time_factor, x' = x * fx, y' = y * fy, each truncated toward zero
 * as numpy stores a float into Tonic's integer event fields; no event is dropped.
 */
export function downsample(e: Events, o: DownsampleOptions): Events {
  const tf = o.time_factor ?? 1;
  const sf = o.spatial_factor ?? 1;
  let [fx, fy] = typeof sf === "number" ? [sf, sf] : sf;
  if (o.target_size) {
    if (!o.sensor_size) {
      throw new PhasorError([{ code: "bad-parameter", path: ["Downsample", "sensor_size"], message: "target_size needs sensor_size" }]);
    }
    [fx, fy] = [o.target_size[0] / o.sensor_size[0], o.target_size[1] / o.sensor_size[1]];
  }
  const out = allocEvents(e.t.length);
  for (let i = 0; i < e.t.length; i++) {
    out.t[i] = Math.trunc(e.t[i] * tf); out.x[i] = Math.trunc(e.x[i] * fx); out.y[i] = Math.trunc(e.y[i] * fy);
    out.p[i] = e.p[i];
  }
  return out;
}

/** Sensor size after `downsample` with the same spatial factor (Tonic leaves this to the user). */
export function downsampledSize(sensor: SensorSize, spatialFactor: number | [number, number]): SensorSize {
  const [fx, fy] = typeof spatialFactor === "number" ? [spatialFactor, spatialFactor] : spatialFactor;
  return [Math.max(1, Math.trunc((sensor[0] - 1) * fx) + 1), Math.max(1, Math.trunc((sensor[1] - 1) * fy) + 1), sensor[2]];
}

/**
 * Tonic's Denoise (tonic/functional/denoise.py): per pixel the time until which it counts as
 * recent, first filter_time (default 10000 us); each event sets its own pixel to t +
 * filter_time, then survives if one of its 4 neighbours (left, right, up, down, within the
 * events' own extent) is still recent (> t). Time-sorted input.
 */
export function denoise(e: Events, o: { filter_time?: number } = {}): Events {
  const ft = o.filter_time ?? 10000, n = e.t.length;
  if (n === 0) return allocEvents(0);
  let W = 0, H = 0;
  for (let i = 0; i < n; i++) {
    if (e.x[i] < 0 || e.y[i] < 0) {
      throw new PhasorError([{ code: "bad-events", path: ["Denoise", i], message: `event ${i} has a negative coordinate (${e.x[i]}, ${e.y[i]})` }]);
    }
    W = Math.max(W, e.x[i] + 1); H = Math.max(H, e.y[i] + 1);
  }
  const until = new Float64Array(W * H).fill(ft), keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = e.x[i], y = e.y[i], t = e.t[i], at = x * H + y;
    until[at] = t + ft;
    const left = x > 0 && until[at - H] > t, right = x < W - 1 && until[at + H] > t;
    const up = y > 0 && until[at - 1] > t, down = y < H - 1 && until[at + 1] > t;
    keep[i] = left || right || up || down ? 1 : 0;
  }
  return filterEvents(e, (i) => keep[i] === 1);
}

/** Tonic's TimeJitter: std in us; clip_negative (default true) and sort_timestamps (default false). */
export interface TimeJitterOptions {
  std: number;
  /** Phasor's: the jitter is drawn from a seeded generator (Tonic uses numpy's global one). */
  seed: number;
  clip_negative?: boolean;
  sort_timestamps?: boolean;
}

/**
 * Tonic's TimeJitter: adds Gaussian noise of `std` us to each time, truncated toward zero as
 * numpy stores it into an integer time field; drops negative times (clip_negative), then
 * sorts by time only when sort_timestamps is set.
 */
export function timeJitter(e: Events, o: TimeJitterOptions): Events {
  const rng = new Rng(o.seed);
  const out = allocEvents(e.t.length);
  out.x.set(e.x); out.y.set(e.y); out.p.set(e.p);
  for (let i = 0; i < e.t.length; i++) {
    const u = Math.max(rng.random(), 1e-12), v = rng.random();
    out.t[i] = Math.trunc(e.t[i] + o.std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)) + 0; // + 0: no -0
  }
  const kept = o.clip_negative === false ? out : filterEvents(out, (i) => out.t[i] >= 0);
  return o.sort_timestamps ? sortEvents(kept) : kept;
}
