/**
 * pack -> read: the packed events of N-MNIST, AEDAT 3.1 (DVS Gesture and a recordings folder),
 * SHD-layout files, .npy and CSV recordings read back identical to what Phasor's readers give
 * for the originals; reading sample k touches only the chunks that hold it (bytes counted);
 * the folder pack writes is published from a static server and fetched back.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatAedat31, parseAedat31 } from "../lib/data/aedat.js";
import { parseCatalog } from "../lib/data/catalog.js";
import { readDvsGesture } from "../lib/data/dvsgesture.js";
import { arrayDataset, type EventDataset, type Events } from "../lib/data/events.js";
import { readNmnist } from "../lib/data/nmnist.js";
import { writePacked } from "../lib/data/pack.js";
import { openPacked } from "../lib/data/pack-read.js";
import { readHeidelbergFile } from "../lib/data/shd.js";
import { fetchDataset } from "../lib/data/warehouse.js";
import { openWarehouse } from "../lib/data/warehouse-list.js";
import { packDataset } from "../lib/data/warehouse-pack.js";
import { Rng } from "../lib/ir/random.js";
import { bytesRead, cameraEvents, LoopbackServer, plain, writeGesture, writeNmnist } from "./data-warehouse-helpers.js";
import { havePython, python } from "./support.js";

const work = mkdtempSync(join(tmpdir(), "phasor-wh-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

/** Every sample of `a` equals the same sample of `b` (events and label). */
function sameSamples(a: EventDataset, b: EventDataset): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a.get(i), y = b.get(i);
    expect(plain(x.events)).toEqual(plain(y.events));
    expect(x.label).toBe(y.label);
  }
}

describe("pack -> read round trip", () => {
  it("N-MNIST: same events and labels per split, provenance of every .bin file, datacard from the catalog", async () => {
    const src = join(work, "nmnist");
    const orig = writeNmnist(src, { classes: 4, perClass: 5, events: [100, 900], seed: 3 });
    const r = await packDataset(src, { name: "nm", version: "1.0", out: join(work, "out-nm") });
    expect(r).toMatchObject({ kind: "N-MNIST folder", samples: 40, splits: { train: 20, test: 20 } });
    for (const split of ["train", "test"] as const) {
      const packed = await openPacked(r.file, split);
      sameSamples(packed, readNmnist({ path: src, split }));
      expect(packed.sourceOf(3)).toBe(`${split === "train" ? "Train" : "Test"}/0/00003.bin`);
      packed.close();
    }
    const all = await openPacked(r.file);
    expect(all.length).toBe(40);
    expect(all.info.sources.length).toBe(orig.size);
    expect(all.info.sources.find((s) => s.path === "Test/2/00001.bin")!.sha256).toBe(sha(join(src, "Test/2/00001.bin")));
    expect(all.info).toMatchObject({ sensorSize: [34, 34, 2], license: null, classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] });
    expect(all.info.converter).toMatch(/^phasor \S+ \(phasor-events 1\)$/);
    expect(all.info.datacard).toMatch(/Orchard, G\..*Saccades/s);
    all.close();
    expect(readFileSync(r.datacard, "utf8")).toMatch(/## Licence\n\nnot stated/);
    const cat = parseCatalog(JSON.parse(readFileSync(r.catalog, "utf8")), r.catalog);
    expect(cat.datasets[0].files[0]).toEqual({ path: "nm-1.0.h5", size: statSync(r.file).size, sha256: sha(r.file), urls: ["nm-1.0.h5"] });
    expect(cat.datasets[0]).toMatchObject({ format: "phasor-events", splits: { train: 20, test: 20 }, licenseNote: expect.stringMatching(/no licence/) });
  });

  it("AEDAT 3.1: a DVS Gesture release packs to the same samples as readDvsGesture gives", async () => {
    const src = join(work, "gesture");
    writeGesture(src, 9);
    const r = await packDataset(src, { name: "gesture", version: "1", out: join(work, "out-gesture"), license: "CC-BY-4.0" });
    for (const split of ["train", "test"] as const) {
      const packed = await openPacked(r.file, split);
      sameSamples(packed, readDvsGesture({ path: src, split }));
      expect(packed.sourceOf(2)).toBe(split === "train" ? "user01_led.aedat" : "user02_natural.aedat");
    }
    expect(r.entry).toMatchObject({ license: "CC-BY-4.0", sensor: { size: [128, 128, 2] } });
  });

  it("AEDAT 3.1 recordings in train|test/CLASS/ folders: labels from the class folders, events as parseAedat31 reads them", async () => {
    const src = join(work, "rec-aedat");
    const rng = new Rng(8);
    const written: { split: string; cls: string; e: Events }[] = [];
    for (const split of ["train", "test"]) {
      for (const cls of ["left", "right"]) {
        mkdirSync(join(src, split, cls), { recursive: true });
        for (let i = 0; i < 2; i++) {
          const e = cameraEvents(rng, 500, 64, cls === "left" ? 0 : 1);
          writeFileSync(join(src, split, cls, `r${i}.aedat`), formatAedat31(e));
          written.push({ split, cls, e });
        }
      }
    }
    const r = await packDataset(src, { name: "rec", version: "1", out: join(work, "out-rec"), sensor: [64, 64, 2] });
    const test = await openPacked(r.file, "test");
    expect(test.classes).toEqual(["left", "right"]);
    const expected = written.filter((w) => w.split === "test");
    expect(test.length).toBe(expected.length);
    expected.forEach((w, i) => {
      expect(plain(test.get(i).events)).toEqual(plain(parseAedat31(formatAedat31(w.e))));
      expect(test.get(i).label).toBe(w.cls === "left" ? 0 : 1);
    });
  });

  it("NumPy (Tonic's structured arrays and plain (N, 4)) and CSV recordings; sensor size inferred", async () => {
    const src = join(work, "rec-np");
    mkdirSync(join(src, "a"), { recursive: true });
    mkdirSync(join(src, "b"), { recursive: true });
    writeFileSync(join(src, "a", "s.npy"), structuredNpy([[5, 1, 0, 10], [3, 2, 1, 20], [0, 4, 1, 35]]));
    writeFileSync(join(src, "b", "p.npy"), plainNpy([[7, 1, 1, 0], [9, 2, 3, 1]]));
    writeFileSync(join(src, "b", "q.csv"), "t,x,y,p\n4,6,0,1\n8,5,5,0\n");
    const r = await packDataset(src, { name: "np", version: "1", out: join(work, "out-np") });
    const ds = await openPacked(r.file, "train"); // packed without splits: every split name opens "all"
    expect(ds.split).toBe("all");
    expect(ds.sensorSize).toEqual([7, 6, 2]);
    expect(plain(ds.get(0).events)).toEqual({ t: [10, 20, 35], x: [5, 3, 0], y: [1, 2, 4], p: [0, 1, 1] });
    expect(plain(ds.get(1).events)).toEqual({ t: [7, 9], x: [1, 2], y: [1, 3], p: [0, 1] });
    expect(plain(ds.get(2).events)).toEqual({ t: [4, 8], x: [6, 5], y: [0, 5], p: [1, 0] });
    expect([0, 1, 2].map((i) => ds.get(i).label)).toEqual([0, 1, 1]);
  });

  it.skipIf(!havePython("h5py", "python3-h5py"))("SHD layout: the packed samples equal readHeidelbergFile's (float16 times truncated as Tonic does)", async () => {
    const dir = join(work, "shd");
    mkdirSync(dir);
    python(WRITE_SHD, [join(dir, "shd_train.h5"), "6"]);
    python(WRITE_SHD, [join(dir, "shd_test.h5"), "4"]);
    const r = await packDataset(dir, { name: "shd-mini", version: "1", out: join(work, "out-shd") });
    for (const split of ["train", "test"] as const) {
      const orig = await readHeidelbergFile(join(dir, `shd_${split}.h5`));
      const packed = await openPacked(r.file, split);
      sameSamples(packed, orig);
      expect(packed.classes).toEqual(["null", "eins", "zwei"]);
      expect(packed.sourceOf(0)).toBe(`shd_${split}.h5`);
      orig.close();
    }
    expect(r.entry.citation).toMatch(/Cramer/);
  });

  it("refuses events outside the sensor, naming the sample and the event", async () => {
    const ds = arrayDataset([{ label: 0, events: { t: Float64Array.of(1, 2), x: Int32Array.of(1, 40), y: Int32Array.of(0, 0), p: Int8Array.of(0, 0) } }], [34, 34, 2]);
    await expect(writePacked(join(work, "bad.h5"), { name: "x", version: "1", sensorSize: [34, 34, 2], classes: ["a"], splits: [{ name: "all", dataset: ds }], sources: [], datacard: card })).rejects.toThrow(/all sample 0\.event 1: \(x, y\) = \(40, 0\) is outside the sensor 34 x 34/);
  });
});

const card = { title: "t", description: "d", recording: "r", license: null, citation: "c" };

describe("random access", () => {
  it("reading sample k reads only the chunks that hold it", async () => {
    const rng = new Rng(2);
    const samples = Array.from({ length: 300 }, (_, i) => ({ label: i % 4, events: cameraEvents(rng, 2000 + Math.floor(rng.random() * 2000), 34, i % 4) }));
    const file = join(work, "big.h5");
    const w = await writePacked(file, { name: "big", version: "1", sensorSize: [34, 34, 2], classes: ["0", "1", "2", "3"], splits: [{ name: "train", dataset: arrayDataset(samples, [34, 34, 2]) }], sources: [], datacard: card });
    const size = statSync(file).size;
    const ds = await openPacked(file);
    const offsets = [0];
    for (const s of samples) offsets.push(offsets[offsets.length - 1] + s.events.t.length);
    for (const k of [0, 137, 299]) {
      const { value, bytes } = bytesRead(() => ds.get(k));
      expect(plain(value.events)).toEqual(plain(samples[k].events));
      const C = w.chunkEvents;
      const chunks = Math.floor((offsets[k + 1] - 1) / C) - Math.floor(offsets[k] / C) + 1;
      // Per chunk at most its raw size over the four columns (8 + 2 + 2 + 1 bytes an event), plus chunk-index nodes.
      console.log(`sample ${k}: ${samples[k].events.t.length} events, ${chunks} chunk(s) of ${C} events per column, ${bytes} bytes read of a ${size}-byte file`);
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThanOrEqual(chunks * C * 13 + 16384);
      expect(bytes * 20).toBeLessThan(size);
    }
    ds.close();
  });
});

describe("publishing", () => {
  it("the folder pack writes, served by any static server, is fetched and opened by its catalog", async () => {
    const src = join(work, "pub-src");
    writeNmnist(src, { classes: 2, perClass: 3, events: [50, 200], seed: 4 });
    const out = join(work, "pub");
    const r = await packDataset(src, { name: "pub", version: "2", out, license: "CC0-1.0", citation: "Test, A. (2026)" });
    const server = await new LoopbackServer().start();
    try {
      for (const f of ["catalog.json", "pub-2.h5", "datacard.md"]) server.routes.set(`/data/${f}`, { body: readFileSync(join(out, f)) });
      const dir = join(work, "pub-cache");
      const got = await fetchDataset("pub@2", { dir, catalogs: [server.url("/data/catalog.json")] });
      expect(got.files.map((f) => [f.path, f.status])).toEqual([["pub-2.h5", "download"], ["datacard.md", "download"]]);
      expect(got.license).toBe("CC0-1.0");
      const ds = await openWarehouse("pub@2", "test", { dir });
      sameSamples(ds, readNmnist({ path: src, split: "test" }));
      expect((ds as Awaited<ReturnType<typeof openPacked>>).info.sources[0]).toEqual({ path: "Train/0/00000.bin", sha256: sha(join(src, "Train/0/00000.bin")) });
      expect(got.files[0].sha256).toBe(r.sha256);
    } finally {
      await server.close();
    }
  });
});

// SHD's layout as in test/data-readers.test.ts: vlen float16 times, vlen uint16 units, labels, extra/keys.
const WRITE_SHD = `
import sys, h5py, numpy as np
n = int(sys.argv[2]); rng = np.random.default_rng(n)
with h5py.File(sys.argv[1], "w") as f:
    times = f.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.float16))
    units = f.create_dataset("spikes/units", (n,), dtype=h5py.vlen_dtype(np.uint16))
    for i in range(n):
        k = int(rng.integers(5, 60))
        times[i] = np.sort(rng.uniform(0, 0.9, k)).astype(np.float16)
        units[i] = rng.integers(0, 700, k).astype(np.uint16)
    f.create_dataset("labels", data=(np.arange(n) % 3).astype(np.uint16))
    f.create_dataset("extra/keys", data=["null", "eins", "zwei"])
`;

/** A .npy structured array with fields x, y, p (int16) and t (int64), as Tonic's event dtype. */
function structuredNpy(rows: number[][]): Uint8Array {
  const header = `{'descr': [('x', '<i2'), ('y', '<i2'), ('p', '<i2'), ('t', '<i8')], 'fortran_order': False, 'shape': (${rows.length},), }`;
  return npy(header, rows.length * 14, (v, at, r) => {
    v.setInt16(at, rows[r][0], true); v.setInt16(at + 2, rows[r][1], true); v.setInt16(at + 4, rows[r][2], true); v.setBigInt64(at + 6, BigInt(rows[r][3]), true);
    return 14;
  }, rows.length);
}

/** A .npy (N, 4) float64 array in t, x, y, p order. */
function plainNpy(rows: number[][]): Uint8Array {
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows.length}, 4), }`;
  return npy(header, rows.length * 32, (v, at, r) => {
    rows[r].forEach((x, c) => v.setFloat64(at + 8 * c, x, true));
    return 32;
  }, rows.length);
}

function npy(header: string, dataBytes: number, row: (v: DataView, at: number, r: number) => number, n: number): Uint8Array {
  const h = header + " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const out = new Uint8Array(10 + h.length + dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const v = new DataView(out.buffer);
  v.setUint16(8, h.length, true);
  out.set(Buffer.from(h, "latin1"), 10);
  for (let r = 0, at = 10 + h.length; r < n; r++) at += row(v, at, r);
  return out;
}
