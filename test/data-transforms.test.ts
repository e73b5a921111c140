/** Downsample: coordinates scale and floor, times scale, polarity is kept, and the sensor size matches. */
import { describe, expect, it } from "vitest";
import { events } from "../lib/data/events.js";
import { downsample, downsampledSize, toFrame } from "../lib/data/transforms.js";

describe("downsample", () => {
  it("floors scaled coordinates, scales time, keeps polarity", () => {
    const e = downsample(events({ t: [0, 1000, 2500], x: [33, 10, 1], y: [5, 33, 0], p: [1, 0, 1] }), { spatialFactor: 0.5, timeFactor: 0.1 });
    expect(Array.from(e.x)).toEqual([16, 5, 0]);
    expect(Array.from(e.y)).toEqual([2, 16, 0]);
    expect(Array.from(e.t)).toEqual([0, 100, 250]);
    expect(Array.from(e.p)).toEqual([1, 0, 1]);
  });

  it("gives a sensor size that holds every downsampled event (N-MNIST 34x34 at 1/2 -> 17x17)", () => {
    expect(downsampledSize([34, 34, 2], 0.5)).toEqual([17, 17, 2]);
    expect(downsampledSize([128, 128, 2], 0.25)).toEqual([32, 32, 2]);
    const e = downsample(events({ t: [0], x: [33], y: [33], p: [1] }), { spatialFactor: 0.5 });
    const f = toFrame(e, downsampledSize([34, 34, 2], 0.5), { nBins: 1 });
    expect(f.data.reduce((a, b) => a + b, 0)).toBe(1); // not dropped as out of range
  });
});
