/**
 * Reading the warehouse layout (pack.ts) sample by sample: opening reads the per-sample tables
 * and names only; sample k reads events[offset[k]:offset[k+1]] from each column, so HDF5
 * touches the chunks holding that sample (random access for shuffled training, streaming for
 * sets larger than memory).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { PhasorError } from "../ir/errors.js";
import { dataError } from "./warehouse-errors.js";
import { loadH5, type H5, type H5Dataset, type H5File } from "../ir/nir/h5.js";
import type { EventDataset, Events, SensorSize } from "./events.js";
import { PACK_FORMAT, PACK_VERSION } from "./pack.js";

/** What a packed file says about itself. */
export interface PackedInfo {
  name: string;
  version: string;
  title: string;
  license: string | null;
  citation: string;
  sensorSize: SensorSize;
  classes: string[];
  /** Samples per split, in the file's split order. */
  splits: Record<string, number>;
  samples: number;
  events: number;
  chunkEvents: number;
  sources: { path: string; sha256: string }[];
  converter: string;
  created: string;
  datacard: string;
  formatVersion: number;
}

/** An EventDataset over a packed file, with the file's metadata and each sample's source file. */
export interface PackedDataset extends EventDataset {
  info: PackedInfo;
  /** The split these samples are, or "all". */
  split: string;
  /** The source file sample i was converted from, when recorded. */
  sourceOf(i: number): string | undefined;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `path` is an HDF5 file whose root attribute `format` is "phasor-events". */
export async function isPackedFile(path: string): Promise<boolean> {
  const head = Buffer.alloc(8);
  try {
    const fd = openSync(path, "r");
    try { readSync(fd, head, 0, 8, 0); } finally { closeSync(fd); }
  } catch {
    return false;
  }
  if (!SIGNATURE.every((b, i) => head[i] === b)) return false;
  const h5 = await loadH5();
  try {
    const f = new h5.File(path, "r");
    try { return text(f, "format") === PACK_FORMAT; } finally { f.close(); }
  } catch {
    return false;
  }
}

function text(f: H5File, attr: string): string {
  const a = f.attrs[attr];
  const v = a?.value as unknown;
  return typeof v === "string" ? v : "";
}

function num(f: H5File, attr: string): number[] {
  const v = f.attrs[attr]?.value as unknown;
  return ArrayBuffer.isView(v) ? Array.from(v as Int32Array, Number) : typeof v === "number" ? [v] : [];
}

function stringList(f: H5File, h5: H5, path: string): string[] {
  const d = f.get(path);
  if (!(d instanceof h5.Dataset)) return [];
  const v = d.value as unknown;
  return (Array.isArray(v) ? v.map(String) : [String(v)]).filter((s) => s !== "");
}

function numbers(d: H5Dataset): Float64Array {
  const v = d.value as unknown;
  return Float64Array.from(v as ArrayLike<number | bigint>, Number);
}

/**
 * Opens a packed file; `split` keeps that split's samples (absent or "all": every sample). A file
 * packed without splits has the one split "all", which any split name opens.
 */
export async function openPacked(file: string, split?: string): Promise<PackedDataset> {
  const h5 = await loadH5();
  const f = new h5.File(file, "r");
  try {
    const info = readInfo(f, h5, file);
    const splitCodes = numbers(dataset(f, h5, file, "samples/split"));
    const names = Object.keys(info.splits);
    const all = split === undefined || split === "all" || (names.length === 1 && names[0] === "all");
    const want = all ? -1 : names.indexOf(split);
    if (!all && want < 0) throw dataError("no-split", [file], `has no split "${split}"; its splits: ${names.join(", ")}`);
    const index: number[] = [];
    for (let k = 0; k < splitCodes.length; k++) if (want < 0 || splitCodes[k] === want) index.push(k);
    return packedDataset(f, h5, file, info, index, want < 0 ? "all" : names[want]);
  } catch (e) {
    f.close();
    throw e;
  }
}

function dataset(f: H5File, h5: H5, file: string, path: string): H5Dataset {
  const d = f.get(path);
  if (!(d instanceof h5.Dataset)) throw dataError("bad-pack", [file, path], `missing; not a complete ${PACK_FORMAT} file`);
  return d;
}

function readInfo(f: H5File, h5: H5, file: string): PackedInfo {
  if (text(f, "format") !== PACK_FORMAT) {
    const why = `not a packed dataset (root attribute format is not "${PACK_FORMAT}"); make one with phasor data pack`;
    throw dataError("bad-pack", [file], why);
  }
  const formatVersion = num(f, "format_version")[0] ?? 0;
  if (formatVersion > PACK_VERSION) {
    const why = `${PACK_FORMAT} version ${formatVersion} is newer than Phasor reads (${PACK_VERSION}); update Phasor`;
    throw dataError("bad-pack", [file], why);
  }
  const splitNames = stringList(f, h5, "splits");
  const codes = numbers(dataset(f, h5, file, "samples/split"));
  const splits: Record<string, number> = Object.fromEntries(splitNames.map((s) => [s, 0]));
  for (const c of codes) splits[splitNames[c]]++;
  const sources = stringList(f, h5, "provenance/sources");
  const sha = stringList(f, h5, "provenance/sha256");
  const size = num(f, "sensor_size");
  const datacard = f.get("datacard");
  return {
    name: text(f, "name"), version: text(f, "version"), title: text(f, "title"), license: text(f, "license") || null,
    citation: text(f, "citation"),
    sensorSize: [size[0], size[1], size[2]], classes: stringList(f, h5, "classes"), splits, samples: codes.length,
    events: dataset(f, h5, file, "events/t").shape?.[0] ?? 0, chunkEvents: num(f, "chunk_events")[0] ?? 0,
    sources: sources.map((path, i) => ({ path, sha256: sha[i] ?? "" })),
    converter: text(f, "converter"), created: text(f, "created"),
    datacard: datacard instanceof h5.Dataset ? String(datacard.value) : "", formatVersion,
  };
}

/** The samples `index` of an open file as a dataset. */
function packedDataset(f: H5File, h5: H5, file: string, info: PackedInfo, index: number[], split: string): PackedDataset {
  const offsets = numbers(dataset(f, h5, file, "samples/offset"));
  const labels = numbers(dataset(f, h5, file, "samples/label"));
  const source = numbers(dataset(f, h5, file, "samples/source"));
  const [t, x, y, p] = ["t", "x", "y", "p"].map((c) => dataset(f, h5, file, `events/${c}`));
  let open = true;
  return {
    name: info.title || info.name, sensorSize: info.sensorSize, classes: info.classes, length: index.length,
    info, split,
    get(i) {
      if (!open) throw new PhasorError(`${file} is closed`, "closed");
      if (!(Number.isInteger(i) && i >= 0 && i < index.length)) {
        throw new PhasorError(`sample ${i} out of range 0..${index.length - 1}`, "out-of-range");
      }
      const k = index[i];
      return { events: readEvents([t, x, y, p], offsets[k], offsets[k + 1]), label: labels[k] };
    },
    sourceOf(i) {
      const s = source[index[i]];
      return s >= 0 ? info.sources[s]?.path : undefined;
    },
    close() {
      if (open) f.close();
      open = false;
    },
  };
}

/** Events a..b of the four columns. */
function readEvents(cols: H5Dataset[], a: number, b: number): Events {
  const n = b - a;
  const e: Events = { t: new Float64Array(n), x: new Int32Array(n), y: new Int32Array(n), p: new Int8Array(n) };
  if (n === 0) return e;
  const [t, x, y, p] = cols.map((c) => c.slice([[a, b]]) as unknown as ArrayLike<number | bigint>);
  for (let k = 0; k < n; k++) e.t[k] = Number(t[k]);
  e.x.set(x as ArrayLike<number>); e.y.set(y as ArrayLike<number>); e.p.set(p as ArrayLike<number>);
  return e;
}
