/** Event data as Phasor's datasets hold it: struct-of-arrays events with a label. */

/** Events of one sample: times in microseconds (ascending), pixel/channel coordinates and polarity. */
export interface Events {
  t: Float64Array;
  x: Int32Array;
  y: Int32Array;
  p: Int8Array;
}

/** [width, height, polarities]; SHD/SSC are [700, 1, 1]. */
export type SensorSize = [number, number, number];

/** One labelled sample. */
export interface EventSample {
  events: Events;
  label: number;
}

/** A dataset read lazily sample by sample (so it may be larger than memory). */
export interface EventDataset {
  name: string;
  sensorSize: SensorSize;
  classes: string[];
  length: number;
  /** Reads sample i (from disk for file-backed datasets). */
  get(i: number): EventSample;
  /** Releases open files. */
  close(): void;
}

/** Allocates empty event arrays of length n. */
export function allocEvents(n: number): Events {
  return { t: new Float64Array(n), x: new Int32Array(n), y: new Int32Array(n), p: new Int8Array(n) };
}

/** Keeps the events whose index passes `keep` (returns new arrays). */
export function filterEvents(e: Events, keep: (i: number) => boolean): Events {
  const idx: number[] = [];
  for (let i = 0; i < e.t.length; i++) if (keep(i)) idx.push(i);
  const out = allocEvents(idx.length);
  idx.forEach((j, k) => { out.t[k] = e.t[j]; out.x[k] = e.x[j]; out.y[k] = e.y[j]; out.p[k] = e.p[j]; });
  return out;
}

/** Sorts events by time (stable). */
export function sortEvents(e: Events): Events {
  const order = Array.from(e.t.keys()).sort((a, b) => e.t[a] - e.t[b] || a - b);
  const out = allocEvents(order.length);
  order.forEach((j, k) => { out.t[k] = e.t[j]; out.x[k] = e.x[j]; out.y[k] = e.y[j]; out.p[k] = e.p[j]; });
  return out;
}

/** A dataset over samples already in memory (plain event arrays). */
export function arrayDataset(samples: EventSample[], sensorSize: SensorSize, classes?: string[], name = "arrays"): EventDataset {
  const n = Math.max(0, ...samples.map((s) => s.label)) + 1;
  return {
    name, sensorSize, classes: classes ?? Array.from({ length: n }, (_, i) => String(i)), length: samples.length,
    get: (i) => samples[i], close: () => undefined,
  };
}

/** Builds Events from plain arrays (t in microseconds; y and p default to 0). */
export function events(p: { t: ArrayLike<number>; x: ArrayLike<number>; y?: ArrayLike<number>; p?: ArrayLike<number> }): Events {
  const n = p.t.length;
  const e = allocEvents(n);
  for (let i = 0; i < n; i++) {
    e.t[i] = p.t[i]; e.x[i] = p.x[i]; e.y[i] = p.y ? p.y[i] : 0; e.p[i] = p.p ? p.p[i] : 0;
  }
  return e;
}
