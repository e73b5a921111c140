/** Event readers on small files in the real formats, transforms, batching, and the missing-dataset error. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatAedat31, parseAedat31 } from "../lib/data/aedat.js";
import { batches } from "../lib/data/batching.js";
import { readDvsGesture } from "../lib/data/dvsgesture.js";
import { events } from "../lib/data/events.js";
import { parseNmnistBin, readNmnist } from "../lib/data/nmnist.js";
import { readHeidelbergFile, readShd } from "../lib/data/shd.js";
import { havePython, python } from "./support.js";

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

// SHD's real layout (Cramer et al. 2020), as tonic/datasets/hsd.py reads it: vlen float16 times in
// seconds, vlen uint16 units, labels, extra/keys (class words) and extra/speaker.
const WRITE_SHD = `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    times = f.create_dataset("spikes/times", (2,), dtype=h5py.vlen_dtype(np.float16))
    units = f.create_dataset("spikes/units", (2,), dtype=h5py.vlen_dtype(np.uint16))
    times[0] = np.array([1612 / 2**17, 1095 / 2**13, 0.5], np.float16)
    units[0] = np.array([3, 699, 0], np.uint16)
    times[1] = np.array([0.25], np.float16)
    units[1] = np.array([5], np.uint16)
    f.create_dataset("labels", data=np.array([2, 0], np.uint16))
    keys = ["null", "eins", "zwei"]
    f.create_dataset("extra/keys", data=keys if sys.argv[2] == "vlen" else np.array([k.encode() for k in keys]))
    f.create_dataset("extra/speaker", data=np.array([4, 7], np.uint16))
`;

describe.skipIf(!havePython("h5py", "python3-h5py"))("SHD/SSC read as Tonic reads them", () => {
  const dir = mkdtempSync(join(tmpdir(), "shd-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(["vlen", "fixed"])("times truncated from float32(t * 1e6), polarity 1, class names from extra/keys (%s strings)", async (kind) => {
    const file = join(dir, `shd_${kind}.h5`);
    python(WRITE_SHD, [file, kind]);
    const ds = await readHeidelbergFile(file);
    expect(ds.classes).toEqual(["null", "eins", "zwei"]);
    expect(ds.sensorSize).toEqual([700, 1, 1]);
    const s = ds.get(0);
    expect(s.label).toBe(2);
    // hsd.py l.24: times[i] * 1e6, a float16 array times a float: float32 under numpy 1.x, stored into an int field.
    // 1612/2^17 s * 1e6 = 12298.583984375 -> 12298 (rounding would give 12299);
    // 1095/2^13 s * 1e6 = 133666.9921875, half a float32 ulp below 133667, rounds to even 133667 in float32 -> 133667
    // (truncating the float64 product would give 133666); 0.5 s -> 500000.
    expect(Array.from(s.events.t)).toEqual([12298, 133667, 500000]);
    expect(Array.from(s.events.x)).toEqual([3, 699, 0]);
    // hsd.py l.23-26: "adding artificial polarity of 1".
    expect(Array.from(s.events.p)).toEqual([1, 1, 1]);
    expect(Array.from(ds.get(1).events.t)).toEqual([250000]);
    ds.close();
  });
});

describe("batching", () => {
  const ev = events({ t: [0, 100, 250, 900], x: [0, 1, 1, 3], y: [0, 0, 1, 1], p: [0, 1, 1, 0] });
  it("frames time windows of dtUs from t = 0, exactly `steps` of them", () => {
    const ds = { name: "a", sensorSize: [4, 2, 2] as [number, number, number], classes: ["a"], length: 1, get: () => ({ events: ev, label: 0 }), close: () => undefined };
    const [b] = [...batches(ds, { batchSize: 1, steps: 5, dtUs: 200, shuffle: false })];
    const N = 16, perStep = Array.from({ length: 5 }, (_, t) => b.x.subarray(t * N, (t + 1) * N).reduce((a, v) => a + v, 0));
    expect(perStep).toEqual([2, 1, 0, 0, 1]);
    const [c] = [...batches(ds, { batchSize: 1, steps: 3, dtUs: 200, shuffle: false })];
    expect(c.shape).toEqual([3, 1, 16]);
    expect(c.x.reduce((a, v) => a + v, 0)).toBe(3);
  });
  it("shuffled batches are seeded and time-major", () => {
    const ds = { name: "a", sensorSize: [4, 2, 2] as [number, number, number], classes: ["a", "b"], length: 5, get: (i: number) => ({ events: ev, label: i % 2 }), close: () => undefined };
    const a = [...batches(ds, { batchSize: 2, steps: 5, dtUs: 200, seed: 4 })].map((b) => b.indices);
    expect(a).toEqual([...batches(ds, { batchSize: 2, steps: 5, dtUs: 200, seed: 4 })].map((b) => b.indices));
    expect(a.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
