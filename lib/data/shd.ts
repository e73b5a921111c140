/**
 * SHD and SSC (Cramer et al. 2020) from their HDF5 files: spikes/times[i] (seconds, vlen
 * float16 or wider), spikes/units[i] (vlen uint16 channel ids, 0..699), labels[i]. Samples
 * are read on demand (SSC's files are gigabytes). Events: t in microseconds, x = channel.
 */
import { PhasorError } from "../ir/errors.js";
import { loadH5 } from "../ir/nir/h5.js";
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
  const nClasses = Math.max(0, ...labels) + 1;
  return {
    name, sensorSize: [700, 1, 1], length: n,
    classes: Array.from({ length: nClasses }, (_, i) => String(i)),
    get(i) {
      if (!(i >= 0 && i < n)) throw new PhasorError(`sample ${i} out of range 0..${n - 1}`, "out-of-range");
      const t = readVlenRow(h5, times, i);
      const u = readVlenRow(h5, units, i);
      const e: Events = { t: t.map((s) => Math.round(s * 1e6)), x: Int32Array.from(u), y: new Int32Array(u.length), p: new Int8Array(u.length) };
      return { events: e, label: labels[i] };
    },
    close: () => f.close(),
  };
}

async function readHeidelberg(which: "shd" | "ssc", opts: ShdOptions): Promise<EventDataset> {
  const src = SOURCES[which];
  const split = opts.split ?? "train";
  const fileName = `${which}_${split}.h5`;
  if (opts.path?.endsWith(".h5")) return readHeidelbergFile(opts.path, src.name);
  const dir = locateDataset(src, opts.path, [fileName]);
  return readHeidelbergFile(`${dir}/${fileName}`, src.name);
}
