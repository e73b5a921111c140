/**
 * SHD and SSC (Cramer et al. 2020) from their HDF5 files, read as Tonic reads them
 * (tonic/datasets/hsd.py): spikes/times[i] (seconds, vlen float16 or wider) times 1e6 in the
 * file's float width (float32 for float16 and float32 files, as numpy 1.x computes it), then
 * truncated toward zero into integer microseconds; x = spikes/units[i] (channel 0..699);
 * polarity 1; label labels[i]; class names from extra/keys. Samples are read on demand (SSC's
 * files are gigabytes).
 */
import { PhasorError } from "../ir/errors.js";
import { loadH5, type H5, type H5Dataset, type H5File } from "../ir/nir/h5.js";
import type { EventDataset, Events } from "./events.js";
import { readNumbers, readVlenRow } from "./h5rows.js";
import { locateDataset, type DatasetSource } from "./locate.js";

/** Which Heidelberg dataset and split. */
export interface ShdOptions {
  /** Folder holding the .h5 files, or a .h5 file itself; default $PHASOR_DATA/shd (or ssc). */
  path?: string;
  split?: "train" | "test" | "valid";
}

const SOURCES: Record<"shd" | "ssc", DatasetSource> = {
  shd: { name: "SHD", folder: "shd", files: ["shd_train.h5", "shd_test.h5"], url: "https://zenkelab.org/datasets/ (shd_train.h5.gz, shd_test.h5.gz; gunzip them)" },
  ssc: { name: "SSC", folder: "ssc", files: ["ssc_train.h5", "ssc_valid.h5", "ssc_test.h5"], url: "https://zenkelab.org/datasets/ (ssc_*.h5.gz; gunzip them)" },
};

/** Opens SHD (20 classes). */
export function readShd(opts: ShdOptions = {}): Promise<EventDataset> {
  return readHeidelberg("shd", opts);
}

/** Opens SSC (35 classes). */
export function readSsc(opts: ShdOptions = {}): Promise<EventDataset> {
  return readHeidelberg("ssc", opts);
}

/** Opens one HDF5 file in SHD's layout (any class count), e.g. a synthetic one. */
export async function readHeidelbergFile(file: string, name = "SHD"): Promise<EventDataset> {
  const h5 = await loadH5();
  const f = new h5.File(file, "r");
  const get = (p: string) => {
    const d = f.get(p);
    if (!d || !(d instanceof h5.Dataset)) {
      f.close();
      throw new PhasorError([{ code: "bad-dataset", path: [file, p], message: `not in SHD's layout: missing dataset /${p} (expected spikes/times, spikes/units, labels)` }]);
    }
    return d;
  };
  const times = get("spikes/times");
  const units = get("spikes/units");
  const labels = readNumbers(get("labels"));
  const n = labels.length;
  const classes = classNames(h5, f, Math.max(0, ...labels) + 1);
  const micro = toMicroseconds(times);
  return {
    name, sensorSize: [700, 1, 1], length: n, classes,
    get(i) {
      if (!(i >= 0 && i < n)) throw new PhasorError(`sample ${i} out of range 0..${n - 1}`, "out-of-range");
      const t = readVlenRow(h5, times, i);
      const u = readVlenRow(h5, units, i);
      // Tonic's HSD: "adding artificial polarity of 1".
      const e: Events = { t: t.map(micro), x: Int32Array.from(u), y: new Int32Array(u.length), p: new Int8Array(u.length).fill(1) };
      return { events: e, label: labels[i] };
    },
    close: () => f.close(),
  };
}

/** Seconds to integer microseconds as Tonic computes them: times * 1e6 (in float32 for 16- and 32-bit files), truncated. */
function toMicroseconds(times: H5Dataset): (s: number) => number {
  const m = times.metadata as { vlen_type?: { size: number }; size: number };
  const bytes = (m.vlen_type ?? m).size;
  return bytes <= 4 ? (s) => Math.trunc(Math.fround(s * 1e6)) : (s) => Math.trunc(s * 1e6);
}

/** Class names from extra/keys (the words, as Tonic's `classes`); "0".."n-1" for a file without them. */
function classNames(h5: H5, f: H5File, n: number): string[] {
  const keys = f.get("extra/keys");
  if (!(keys instanceof h5.Dataset)) return Array.from({ length: n }, (_, i) => String(i));
  const v = keys.value as unknown;
  const list = Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  return list.map((k) => (k instanceof Uint8Array ? Buffer.from(k).toString("utf8") : String(k)).replace(/\0+$/, ""));
}

async function readHeidelberg(which: "shd" | "ssc", opts: ShdOptions): Promise<EventDataset> {
  const src = SOURCES[which];
  const split = opts.split ?? "train";
  const fileName = `${which}_${split}.h5`;
  if (opts.path?.endsWith(".h5")) return readHeidelbergFile(opts.path, src.name);
  const dir = locateDataset(src, opts.path, [fileName]);
  return readHeidelbergFile(`${dir}/${fileName}`, src.name);
}
