/**
 * N-MNIST (Orchard et al. 2015): one .bin file per sample under Train|Test/<digit>/. Each
 * event is 40 bits: byte 0 x, byte 1 y, byte 2 bit 7 polarity, then a 23-bit big-endian
 * timestamp in microseconds (byte 2 bits 0-6, bytes 3, 4). A row with y = 240 marks a
 * timestamp overflow: it adds 2^13 us to every later event and is not an event itself.
 * (This is how the dataset's own MATLAB reader and Tonic treat those rows.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { allocEvents, type EventDataset, type Events } from "./events.js";
import { locateDataset } from "./locate.js";

const OVERFLOW_Y = 240;
const OVERFLOW_STEP = 1 << 13;

/** Decodes one N-MNIST .bin file. */
export function parseNmnistBin(bytes: Uint8Array, source = "N-MNIST file"): Events {
  if (bytes.length % 5 !== 0) throw new PhasorError([{ code: "bad-file", path: [source], message: `length ${bytes.length} is not a multiple of 5 bytes (40-bit events)` }]);
  const rows = bytes.length / 5;
  let n = 0;
  for (let r = 0; r < rows; r++) if (bytes[r * 5 + 1] !== OVERFLOW_Y) n++;
  const e = allocEvents(n);
  let offset = 0;
  for (let r = 0, k = 0; r < rows; r++) {
    const o = r * 5;
    if (bytes[o + 1] === OVERFLOW_Y) { offset += OVERFLOW_STEP; continue; }
    e.x[k] = bytes[o];
    e.y[k] = bytes[o + 1];
    e.p[k] = bytes[o + 2] >> 7;
    e.t[k] = (((bytes[o + 2] & 0x7f) << 16) | (bytes[o + 3] << 8) | bytes[o + 4]) + offset;
    k++;
  }
  return e;
}

/** Encodes events as N-MNIST .bin (inserting overflow rows); for tests and tools. */
export function formatNmnistBin(e: Events): Uint8Array {
  const out: number[] = [];
  let offset = 0;
  for (let i = 0; i < e.t.length; i++) {
    while (e.t[i] - offset >= 1 << 23) { out.push(0, OVERFLOW_Y, 0, 0, 0); offset += OVERFLOW_STEP; }
    const ts = e.t[i] - offset;
    out.push(e.x[i], e.y[i], (e.p[i] << 7) | ((ts >> 16) & 0x7f), (ts >> 8) & 0xff, ts & 0xff);
  }
  return Uint8Array.from(out);
}

/** Opens N-MNIST's Train or Test folder (10 classes, 34x34x2). */
export function readNmnist(opts: { path?: string; split?: "train" | "test" } = {}): EventDataset {
  const sub = opts.split === "test" ? "Test" : "Train";
  const dir = locateDataset({ name: "N-MNIST", folder: "nmnist", files: ["Train", "Test"], url: "https://www.garrickorchard.com/datasets/n-mnist (Train.zip, Test.zip; unzip them)" }, opts.path, [sub]);
  const files: { path: string; label: number }[] = [];
  for (let d = 0; d < 10; d++) {
    let names: string[] = [];
    try { names = readdirSync(join(dir, sub, String(d))).filter((f) => f.endsWith(".bin")).sort(); } catch { /* digit folder absent */ }
    for (const f of names) files.push({ path: join(dir, sub, String(d), f), label: d });
  }
  return {
    name: "N-MNIST", sensorSize: [34, 34, 2], classes: Array.from({ length: 10 }, (_, i) => String(i)), length: files.length,
    get: (i) => ({ events: parseNmnistBin(readFileSync(files[i].path), files[i].path), label: files[i].label }),
    close: () => undefined,
  };
}
