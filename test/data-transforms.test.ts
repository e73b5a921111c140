/**
 * Phasor's event transforms against Tonic's algorithms (neuromorphs/tonic, tonic/transforms.py,
 * tonic/functional/*.py, tonic/slicers.py), with Tonic's default parameters. Tonic cannot be
 * installed here, so the expected values are worked out by hand from Tonic's source (the line
 * is cited beside each), on small events and on generated ones through a literal, loop-by-loop
 * transcription of the cited lines.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../lib/ir/random.js";
import { allocEvents, events, type Events } from "../lib/data/events.js";
import { denoise, downsample, downsampledSize, frameSlices, timeJitter, toFrame, type FrameSpec } from "../lib/data/transforms.js";

const counts = (f: { data: Float32Array; frames: number; size: number }) =>
  Array.from({ length: f.frames }, (_, k) => f.data.subarray(k * f.size, (k + 1) * f.size).reduce((a, b) => a + b, 0));

/** 3000 time-sorted events on a 34x34x2 sensor over 100 ms (integer microseconds), seeded. */
function generated(n = 3000): Events {
  const rng = new Rng(2024), e = allocEvents(n);
  const t = Array.from({ length: n }, () => Math.floor(rng.random() * 100_000)).sort((a, b) => a - b);
  for (let i = 0; i < n; i++) {
    e.t[i] = t[i]; e.x[i] = Math.floor(rng.random() * 34); e.y[i] = Math.floor(rng.random() * 34); e.p[i] = rng.random() < 0.5 ? 0 : 1;
  }
  return e;
}

describe("Denoise as Tonic's denoise_numpy", () => {
  it("keeps an event when one of its 4 neighbours is still recent, memory starting at filter_time", () => {
    // W = H = 6 (tonic/functional/denoise.py l.23-24: the events' own extent); memory = filter_time (l.25).
    const e = events({
      t: [0, 5000, 30000, 35000, 36000, 50000, 52000, 62000, 72000],
      x: [1, 2, 5, 5, 4, 0, 1, 1, 2],
      y: [1, 1, 5, 4, 4, 0, 1, 0, 0],
    });
    // e0 t=0: left neighbour's memory is the initial 10000 > 0 (l.25, l.33) -> kept.
    // e1: (1,1) holds 0 + 10000 > 5000 -> kept. e2 (5,5): neighbours at 10000 < 30000 -> dropped.
    // e3 (5,4): (5,5) holds 40000 > 35000 -> kept. e4 (4,4): (5,4) holds 45000 -> kept.
    // e5 (0,0): dropped. e6 (1,1): only its diagonal (0,0) is recent; 4-neighbourhood (l.33-36) -> dropped.
    // e7 (1,0) at 62000: (1,1) holds 52000 + 10000 = 62000, not > 62000 (strict, l.36) -> dropped.
    // e8 (2,0) at 72000: its left neighbour (1,0) holds 72000, not > 72000 (l.33) -> dropped.
    const d = denoise(e);
    expect(Array.from(d.t)).toEqual([0, 5000, 35000, 36000]);
    expect(Array.from(d.x)).toEqual([1, 2, 5, 4]);
  });

  it("equals a literal transcription of denoise_numpy on 3000 generated events (filter_time 10000)", () => {
    const e = generated();
    // tonic/functional/denoise.py l.23-39, line by line, memory indexed [x][y].
    const width = Math.max(...e.x) + 1, height = Math.max(...e.y) + 1;
    const memory = Array.from({ length: width }, () => new Array<number>(height).fill(10000));
    const kept: number[] = [];
    for (let i = 0; i < e.t.length; i++) {
      const x = e.x[i], y = e.y[i], t = e.t[i];
      memory[x][y] = t + 10000;
      if ((x > 0 && memory[x - 1][y] > t) || (x < width - 1 && memory[x + 1][y] > t) || (y > 0 && memory[x][y - 1] > t) || (y < height - 1 && memory[x][y + 1] > t)) kept.push(i);
    }
    const d = denoise(e);
    expect(d.t.length).toBe(kept.length);
    expect(Array.from(d.t)).toEqual(kept.map((i) => e.t[i]));
    expect(Array.from(d.x)).toEqual(kept.map((i) => e.x[i]));
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(3000);
  });
});

describe("ToFrame as Tonic's to_frame_numpy and slicers", () => {
  const ev = events({ t: [50, 150, 300, 950], x: [0, 1, 1, 3], y: [0, 0, 1, 1], p: [0, 1, 1, 0] });

  it("time_window: windows from the first event, the last incomplete one dropped unless include_incomplete", () => {
    // tonic/slicers.py l.99-106: start 50, duration 900, floor((900 - 200) / 200) + 1 = 4 windows
    // [50,250) [250,450) [450,650) [650,850); the event at 950 is in none (l.111-112, searchsorted left).
    const f = toFrame(ev, [4, 2, 2], { time_window: 200 });
    expect(f.frames).toBe(4);
    expect(counts(f)).toEqual([2, 1, 0, 0]);
    // Frame layout (P, H, W) (to_frame.py l.89-95): event 1 is p=1, y=0, x=1.
    expect(f.data[1 * 8 + 0 * 4 + 1]).toBe(1);
    // l.104: ceil(3.5) + 1 = 5 windows; [850, 1050) holds the event at 950.
    expect(counts(toFrame(ev, [4, 2, 2], { time_window: 200, include_incomplete: true }))).toEqual([2, 1, 0, 0, 1]);
    // l.96-100: overlap 100 gives stride 100; start_time 0 and end_time 1000 give floor(800 / 100) + 1 = 9
    // windows [0,200) [100,300) [200,400) ... [800,1000).
    expect(counts(toFrame(ev, [4, 2, 2], { time_window: 200, overlap: 100, start_time: 0, end_time: 1000 }))).toEqual([2, 1, 1, 1, 0, 0, 0, 0, 1]);
  });

  it("event_count: full slices only by default", () => {
    const e7 = events({ t: [0, 1, 2, 3, 4, 5, 6], x: [0, 1, 2, 3, 0, 1, 2] });
    // tonic/slicers.py l.189-201: floor((7 - 3) / 3) + 1 = 2 slices [0,3) [3,6); event 6 dropped.
    expect(frameSlices(e7, { event_count: 3 })).toEqual([[0, 3], [3, 6]]);
    expect(counts(toFrame(e7, [4, 1, 1], { event_count: 3 }))).toEqual([3, 3]);
    // l.196: ceil(4 / 3) + 1 = 3 slices, the last [6, 7).
    expect(frameSlices(e7, { event_count: 3, include_incomplete: true })).toEqual([[0, 3], [3, 6], [6, 7]]);
    // l.191: overlap 1 -> stride 2, floor(4 / 2) + 1 = 3 slices.
    expect(frameSlices(e7, { event_count: 3, overlap: 1 })).toEqual([[0, 3], [2, 5], [4, 7]]);
  });

  it("n_time_bins: bin length (t_last - t_first) // n from the first event, so t_last falls outside", () => {
    const e = events({ t: [0, 3, 10, 12, 41], x: [0, 0, 0, 0, 0] });
    // tonic/slicers.py l.150: 41 // 4 = 10; bins [0,10) [10,20) [20,30) [30,40); 41 in none.
    expect(counts(toFrame(e, [1, 1, 1], { n_time_bins: 4 }))).toEqual([2, 2, 0, 0]);
    // l.150-151: overlap 0.5 -> bins of 15 every 7.5: [0,15) [7.5,22.5) [15,30) [22.5,37.5).
    expect(counts(toFrame(e, [1, 1, 1], { n_time_bins: 4, overlap: 0.5 }))).toEqual([4, 2, 0, 0]);
  });

  it("n_event_bins: n // bins events per bin", () => {
    const e7 = events({ t: [0, 1, 2, 3, 4, 5, 6], x: [0, 0, 0, 0, 0, 0, 0] });
    // tonic/slicers.py l.235-239: 7 // 3 = 2 events per bin, stride 2; event 6 in none.
    expect(frameSlices(e7, { n_event_bins: 3 })).toEqual([[0, 2], [2, 4], [4, 6]]);
  });

  it("no events: one empty frame, or n empty bins (tonic/transforms.py ToFrame.__call__)", () => {
    const none = allocEvents(0);
    expect(toFrame(none, [2, 2, 2], { time_window: 1000 }).frames).toBe(1);
    expect(toFrame(none, [2, 2, 2], { event_count: 5 }).frames).toBe(1);
    expect(toFrame(none, [2, 2, 2], { n_time_bins: 3 }).frames).toBe(3);
  });

  it("refuses a spec without exactly one method, both polarities on a one-polarity sensor, events off the sensor", () => {
    expect(() => toFrame(ev, [4, 2, 2], {})).toThrow(/exactly one of time_window/);
    expect(() => toFrame(ev, [4, 2, 2], { time_window: 10, event_count: 2 })).toThrow(/exactly one/);
    // to_frame.py l.63-67.
    expect(() => toFrame(ev, [4, 2, 1], { time_window: 200 })).toThrow(/single polarity/);
    expect(() => toFrame(ev, [3, 2, 2], { time_window: 2000 })).toThrow(/outside the sensor \[3, 2, 2\]/);
  });

  it("equals a literal transcription of Tonic's slicers on 3000 generated events", () => {
    const e = generated(), n = e.t.length, t = Array.from(e.t);
    const searchLeft = (v: number) => { let i = 0; while (i < n && t[i] < v) i++; return i; };
    const cases: Array<[FrameSpec, Array<[number, number]>]> = [];
    // SliceByTime l.96-113, time_window 1000.
    const dur = t[n - 1] - t[0], nt = Math.max(Math.floor((dur - 1000) / 1000) + 1, 1);
    cases.push([{ time_window: 1000 }, Array.from({ length: nt }, (_, k) => [searchLeft(k * 1000 + t[0]), searchLeft(k * 1000 + t[0] + 1000)])]);
    // SliceByEventCount l.188-201, event_count 128.
    cases.push([{ event_count: 128 }, Array.from({ length: Math.floor((n - 128) / 128) + 1 }, (_, k) => [k * 128, k * 128 + 128])]);
    // SliceByTimeBins l.149-156, 10 bins.
    const tw = Math.floor(dur / 10);
    cases.push([{ n_time_bins: 10 }, Array.from({ length: 10 }, (_, k) => [searchLeft(k * tw + t[0]), searchLeft(k * tw + t[0] + tw)])]);
    // SliceByEventBins l.234-240, 7 bins.
    const sc = Math.floor(n / 7);
    cases.push([{ n_event_bins: 7 }, Array.from({ length: 7 }, (_, k) => [k * sc, k * sc + sc])]);
    for (const [spec, slices] of cases) {
      expect(frameSlices(e, spec), JSON.stringify(spec)).toEqual(slices);
      // to_frame.py l.89-95: np.add.at(frames, (i, p, y, x), 1).
      const want = new Float32Array(slices.length * 34 * 34 * 2);
      slices.forEach(([a, b], k) => { for (let i = a; i < b; i++) want[k * 2312 + e.p[i] * 1156 + e.y[i] * 34 + e.x[i]] += 1; });
      expect(toFrame(e, [34, 34, 2], spec).data).toEqual(want);
    }
  });
});

describe("Downsample as Tonic's Downsample", () => {
  it("multiplies and truncates toward zero as numpy stores into integer fields (time too)", () => {
    // tonic/transforms.py Downsample.__call__ and time_skew.py l.31: t * time_factor, x * spatial_factor.
    const e = downsample(events({ t: [0, 1999, 2500], x: [33, 10, 1], y: [5, 33, 0], p: [1, 0, 1] }), { spatial_factor: 0.5, time_factor: 0.001 });
    expect(Array.from(e.t)).toEqual([0, 1, 2]);
    expect(Array.from(e.x)).toEqual([16, 5, 0]);
    expect(Array.from(e.y)).toEqual([2, 16, 0]);
    expect(Array.from(e.p)).toEqual([1, 0, 1]);
  });

  it("takes target_size over sensor_size, and separate x and y factors", () => {
    // Downsample.__call__: spatial_factor = target_size / sensor_size[:-1] = (0.25, 0.25).
    const a = downsample(events({ t: [7], x: [39], y: [19] }), { sensor_size: [40, 20, 2], target_size: [10, 5] });
    expect([a.x[0], a.y[0], a.t[0]]).toEqual([9, 4, 7]);
    const b = downsample(events({ t: [0], x: [39], y: [19] }), { spatial_factor: [0.5, 0.1] });
    expect([b.x[0], b.y[0]]).toEqual([19, 1]);
    expect(() => downsample(events({ t: [0], x: [1] }), { target_size: [1, 1] })).toThrow(/needs sensor_size/);
  });

  it("equals x * f, y * f, t * f truncated on 3000 generated events, and the sensor size holds them all", () => {
    const e = generated(), d = downsample(e, { spatial_factor: 0.3, time_factor: 0.01 });
    for (let i = 0; i < e.t.length; i++) {
      expect([d.t[i], d.x[i], d.y[i]]).toEqual([Math.trunc(e.t[i] * 0.01), Math.trunc(e.x[i] * 0.3), Math.trunc(e.y[i] * 0.3)]);
    }
    expect(downsampledSize([34, 34, 2], 0.5)).toEqual([17, 17, 2]);
    expect(() => toFrame(d, downsampledSize([34, 34, 2], 0.3), { n_event_bins: 1 })).not.toThrow();
  });
});

describe("TimeJitter as Tonic's time_jitter_numpy", () => {
  const e = events({ t: [1.7, -0.5, 30, 10], x: [0, 1, 2, 3] });
  it("with std 0: times truncated toward zero, -0.5 -> 0 kept, order kept (sort_timestamps false)", () => {
    // time_jitter.py l.27 (stored into an integer field), l.29-30 (t < 0 dropped), l.32 (sort only if asked).
    const j = timeJitter(e, { std: 0, seed: 1 });
    expect(Array.from(j.t)).toEqual([1, 0, 30, 10]);
    expect(Array.from(j.x)).toEqual([0, 1, 2, 3]);
    expect(Array.from(timeJitter(e, { std: 0, seed: 1, sort_timestamps: true }).t)).toEqual([0, 1, 10, 30]);
  });

  it("clip_negative drops negative times (default true); seeded; whole microseconds", () => {
    const big = events({ t: [0, 0, 0, 0, 0, 0, 0, 0], x: [0, 1, 2, 3, 4, 5, 6, 7] });
    const kept = timeJitter(big, { std: 1000, seed: 3 }), all = timeJitter(big, { std: 1000, seed: 3, clip_negative: false });
    expect(all.t.length).toBe(8);
    expect(Array.from(all.t).filter((t) => t >= 0)).toEqual(Array.from(kept.t));
    expect(kept.t.length).toBeLessThan(8);
    expect(Array.from(all.t).every((t) => Number.isInteger(t))).toBe(true);
    expect(Array.from(timeJitter(big, { std: 1000, seed: 3 }).t)).toEqual(Array.from(kept.t));
  });
});
