/** Event readers on small files in the real formats, transforms, batching, and the missing-dataset error. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatAedat31, parseAedat31 } from "../lib/data/aedat.js";
import { batches } from "../lib/data/batching.js";
import { readDvsGesture } from "../lib/data/dvsgesture.js";
import { events } from "../lib/data/events.js";
import { parseNmnistBin, readNmnist } from "../lib/data/nmnist.js";
import { readShd } from "../lib/data/shd.js";
import { denoise, timeJitter, toFrame } from "../lib/data/transforms.js";

describe("event readers", () => {
  it("N-MNIST: 40-bit events, polarity bit, overflow rows add 2^13 us and are not events", () => {
    const bytes = Uint8Array.from([3, 4, 0x80 | 0x01, 0x02, 0x03, 0, 240, 0, 0, 0, 33, 5, 0x00, 0x00, 0x07]);
    const e = parseNmnistBin(bytes);
    expect(Array.from(e.x)).toEqual([3, 33]);
    expect(Array.from(e.y)).toEqual([4, 5]);
    expect(Array.from(e.p)).toEqual([1, 0]);
    expect(Array.from(e.t)).toEqual([0x010203, 8192 + 7]);
  });

  it("N-MNIST folder layout Train/<digit>/*.bin", () => {
    const root = mkdtempSync(join(tmpdir(), "nmnist-"));
    mkdirSync(join(root, "Train", "7"), { recursive: true });
    writeFileSync(join(root, "Train", "7", "00001.bin"), Uint8Array.from([1, 2, 0, 0, 9]));
    const ds = readNmnist({ path: root });
    expect(ds.length).toBe(1);
    expect(ds.get(0).label).toBe(7);
  });

  it("AEDAT 3.1 polarity packets round-trip; DVS Gesture splits trials by the labels CSV", () => {
    const ev = events({ t: [10, 20, 1500, 2600], x: [1, 127, 5, 6], y: [2, 0, 9, 9], p: [1, 0, 1, 1] });
    const back = parseAedat31(formatAedat31(ev));
    expect(Array.from(back.x)).toEqual([1, 127, 5, 6]);
    expect(Array.from(back.t)).toEqual([10, 20, 1500, 2600]);
    const root = mkdtempSync(join(tmpdir(), "dvsg-"));
    writeFileSync(join(root, "user01_led.aedat"), formatAedat31(ev));
    writeFileSync(join(root, "user01_led_labels.csv"), "class,startTime_usec,endTime_usec\n3,0,1000\n11,1000,3000\n");
    writeFileSync(join(root, "trials_to_train.txt"), "user01_led.aedat\n");
    const ds = readDvsGesture({ path: root });
    expect(ds.length).toBe(2);
    expect(ds.get(1).label).toBe(10);
    expect(Array.from(ds.get(1).events.t)).toEqual([500, 1600]);
  });

  it("a missing dataset names the files and where to get them", async () => {
    await expect(readShd({ path: "/nonexistent/shd" })).rejects.toThrow(/shd_train\.h5.*zenkelab\.org/s);
  });
});

describe("transforms and batching", () => {
  const ev = events({ t: [0, 100, 250, 900], x: [0, 1, 1, 3], y: [0, 0, 1, 1], p: [0, 1, 1, 0] });
  it("ToFrame by time window, event count and bins", () => {
    const f = toFrame(ev, [4, 2, 2], { timeWindow: 200 });
    expect(f.frames).toBe(5);
    expect(f.data[0]).toBe(1);
    expect(toFrame(ev, [4, 2, 2], { eventCount: 2 }).frames).toBe(2);
    expect(toFrame(ev, [4, 2, 2], { nBins: 3 }).frames).toBe(3);
  });
  it("Denoise keeps events with a recent neighbour; TimeJitter is seeded", () => {
    expect(denoise(ev, [4, 2, 2], 200).t.length).toBe(2);
    expect(Array.from(timeJitter(ev, { std: 10, seed: 1 }).t)).toEqual(Array.from(timeJitter(ev, { std: 10, seed: 1 }).t));
  });
  it("shuffled batches are seeded and time-major", () => {
    const ds = { name: "a", sensorSize: [4, 2, 2] as [number, number, number], classes: ["a", "b"], length: 5, get: (i: number) => ({ events: ev, label: i % 2 }), close: () => undefined };
    const a = [...batches(ds, { batchSize: 2, steps: 5, dtUs: 200, seed: 4 })].map((b) => b.indices);
    expect(a).toEqual([...batches(ds, { batchSize: 2, steps: 5, dtUs: 200, seed: 4 })].map((b) => b.indices));
    expect(a.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
