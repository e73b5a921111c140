/**
 * What `phasor data pack` converts: any dataset Phasor reads (an SHD-layout .h5 file, a folder of
 * shd_*.h5 / ssc_*.h5, N-MNIST's Train/ and Test/, DVS Gesture's release) or a folder of a
 * user's own recordings: N-MNIST .bin, AEDAT 3.1 .aedat, NumPy .npy event arrays and CSV files,
 * laid out as [SPLIT/]CLASS/FILE (SPLIT one of train, test, valid; CLASS any folder name).
 * Every source file is recorded with its sha256; each sample knows the file it came from.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative, resolve, sep } from "node:path";
import { dataError } from "./warehouse-errors.js";
import { parseNpy } from "../ir/io/npy.js";
import { parseAedat31 } from "./aedat.js";
import { builtinCatalog, type CatalogDataset } from "./catalog.js";
import { parseGestureLabels, readDvsGesture } from "./dvsgesture.js";
import { allocEvents, type EventDataset, type Events, type SensorSize } from "./events.js";
import { parseNmnistBin, readNmnist } from "./nmnist.js";
import type { Datacard, PackSplit } from "./pack.js";
import { readHeidelbergFile } from "./shd.js";

/** A source ready to pack. */
export interface PackSource {
  /** What was recognised, e.g. "N-MNIST folder". */
  kind: string;
  splits: PackSplit[];
  sensorSize: SensorSize;
  classes: string[];
  sources: { path: string; sha256: string }[];
  /** Datacard fields known from the built-in catalog (for a public dataset). */
  card: Partial<Datacard>;
  close(): void;
}

/** Options for recordings folders. */
export interface RecordingOptions {
  /** [W, H, P]; default: the largest x, y and p seen, plus one. */
  sensor?: SensorSize;
  /** Column order of headerless .npy (N, C) arrays and CSV files (default "txyp"). */
  columns?: string;
}

/** Recognises `src` and opens it for packing. */
export async function packSource(src: string, o: RecordingOptions = {}): Promise<PackSource> {
  const path = resolve(src);
  if (!existsSync(path)) throw dataError("file", [src], "does not exist; give a dataset file or folder");
  if (statSync(path).isFile()) {
    if (path.endsWith(".h5")) return heidelbergFiles([path], "SHD-layout file", "shd");
    throw dataError("bad-source", [src], "a file to pack must be an SHD-layout .h5; pass a folder for anything else");
  }
  for (const which of ["shd", "ssc"] as const) {
    const files = ["train", "valid", "test"].map((s) => join(path, `${which}_${s}.h5`)).filter(existsSync);
    if (files.length) return heidelbergFiles(files, `${which.toUpperCase()} folder`, which);
  }
  if (existsSync(join(path, "Train")) || existsSync(join(path, "Test"))) return nmnistFolder(path);
  if (existsSync(join(path, "trials_to_train.txt"))) return gestureFolder(path);
  return recordingsFolder(path, o);
}

/** sha256 of a file. */
export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function cardOf(name: string): Partial<Datacard> {
  const d: CatalogDataset | undefined = builtinCatalog().datasets.find((x) => x.name === name);
  if (!d) return {};
  const { title, description, license, citation, homepage } = d;
  return { title, description, license, citation, homepage, recording: `${d.sensor.name}. ${d.description}` };
}

function splitOfName(file: string): string {
  return /_(train|test|valid)\.h5$/.exec(file)?.[1] ?? "all";
}

async function heidelbergFiles(files: string[], kind: string, which: "shd" | "ssc"): Promise<PackSource> {
  const splits: PackSplit[] = [];
  for (const [i, f] of files.entries()) {
    splits.push({ name: splitOfName(f), dataset: await readHeidelbergFile(f, kind), sourceOf: () => i });
  }
  const classes = splits.reduce((a, s) => (s.dataset.classes.length > a.length ? s.dataset.classes : a), [] as string[]);
  return {
    kind, splits, sensorSize: [700, 1, 1], classes, card: cardOf(which),
    sources: files.map((f) => ({ path: basename(f), sha256: sha256File(f) })),
    close: () => splits.forEach((s) => s.dataset.close()),
  };
}

/** N-MNIST: the .bin files in readNmnist's order (digit folders 0-9, names sorted). */
function nmnistFolder(root: string): PackSource {
  const splits: PackSplit[] = [];
  const sources: { path: string; sha256: string }[] = [];
  for (const [split, sub] of [["train", "Train"], ["test", "Test"]] as const) {
    if (!existsSync(join(root, sub))) continue;
    const first = sources.length;
    for (let d = 0; d < 10; d++) {
      const dir = join(root, sub, String(d));
      const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".bin")).sort() : [];
      for (const f of names) sources.push({ path: `${sub}/${d}/${f}`, sha256: sha256File(join(dir, f)) });
    }
    const dataset = readNmnist({ path: root, split });
    if (dataset.length !== sources.length - first) throw new Error("N-MNIST file order differs from readNmnist's");
    splits.push({ name: split, dataset, sourceOf: (i) => first + i });
  }
  const classes = splits[0].dataset.classes;
  const card = cardOf("nmnist");
  return { kind: "N-MNIST folder", splits, sensorSize: [34, 34, 2], classes, sources, card, close: () => undefined };
}

/** DVS Gesture: samples in readDvsGesture's order (trials as listed, intervals as in each labels CSV). */
function gestureFolder(root: string): PackSource {
  const splits: PackSplit[] = [];
  const sources: { path: string; sha256: string }[] = [];
  const add = (rel: string) => {
    const at = sources.findIndex((s) => s.path === rel);
    if (at >= 0) return at;
    sources.push({ path: rel, sha256: sha256File(join(root, rel)) });
    return sources.length - 1;
  };
  for (const split of ["train", "test"] as const) {
    const list = `trials_to_${split}.txt`;
    if (!existsSync(join(root, list))) continue;
    add(list);
    const lines = readFileSync(join(root, list), "utf8").split(/\r?\n/).map((l) => l.trim());
    const trials = lines.filter((l) => l.endsWith(".aedat"));
    const perSample: number[] = [];
    for (const trial of trials) {
      const csv = trial.replace(/\.aedat$/, "_labels.csv");
      const at = add(trial);
      add(csv);
      for (const _ of parseGestureLabels(readFileSync(join(root, csv), "utf8"), csv)) perSample.push(at);
    }
    splits.push({ name: split, dataset: readDvsGesture({ path: root, split }), sourceOf: (i) => perSample[i] });
  }
  return {
    kind: "DVS Gesture folder", splits, sensorSize: [128, 128, 2], classes: splits[0].dataset.classes, sources,
    card: cardOf("dvsgesture"), close: () => splits.forEach((s) => s.dataset.close()),
  };
}

const READERS: Record<string, (bytes: Uint8Array, where: string, columns: string) => Events> = {
  ".bin": (b, w) => parseNmnistBin(b, w),
  ".aedat": (b, w) => parseAedat31(b, w),
  ".npy": (b, w, c) => parseEventsNpy(b, w, c),
  ".csv": (b, w, c) => parseEventsCsv(Buffer.from(b).toString("utf8"), w, c),
};

/** Folder names taken as splits. */
const SPLITS: Record<string, string> = {
  train: "train", test: "test", valid: "valid", validation: "valid", val: "valid",
};

interface Recording { rel: string; split: string; cls: string | undefined }

/** A folder of recordings: [SPLIT/]CLASS/FILE, or files directly in it (one class). */
function recordingsFolder(root: string, o: RecordingOptions): PackSource {
  const recs = walk(root).map((abs): Recording => {
    const rel = relative(root, abs).split(sep).join("/");
    const parts = rel.split("/");
    const split = parts.length > 1 && SPLITS[parts[0].toLowerCase()] ? SPLITS[parts.shift()!.toLowerCase()] : "all";
    return { rel, split, cls: parts.length > 1 ? parts[0] : undefined };
  });
  if (recs.length === 0) {
    const kinds = Object.keys(READERS).join(", ");
    const why = `no recordings found (${kinds} files in [SPLIT/]CLASS/ folders) and no known dataset layout`;
    throw dataError("bad-source", [root], why);
  }
  const labelled = recs.filter((r) => r.cls !== undefined).length;
  if (labelled !== 0 && labelled !== recs.length) {
    const why = "some recordings sit in class folders and some do not; put every file in a CLASS/ folder, or none";
    throw dataError("bad-source", [root], why);
  }
  const classes = labelled ? naturalSort([...new Set(recs.map((r) => r.cls!))]) : ["unlabelled"];
  const columns = o.columns ?? "txyp";
  const read = (r: Recording) => READERS[extname(r.rel).toLowerCase()](readFileSync(join(root, r.rel)), r.rel, columns);
  const sensorSize = o.sensor ?? inferSensor(recs.map(read));
  const sources = recs.map((r) => ({ path: r.rel, sha256: sha256File(join(root, r.rel)) }));
  const splitNames = ["train", "valid", "test", "all"].filter((s) => recs.some((r) => r.split === s));
  if (splitNames.includes("all") && splitNames.length > 1) {
    const why = "some recordings sit in train/test/valid folders and some do not; split all of them, or none";
    throw dataError("bad-source", [root], why);
  }
  const splits = splitNames.map((name): PackSplit => {
    const members = recs.map((r, i) => ({ r, i })).filter((m) => m.r.split === name);
    const dataset: EventDataset = {
      name: basename(root), sensorSize, classes, length: members.length, close: () => undefined,
      get: (i) => ({ events: read(members[i].r), label: labelled ? classes.indexOf(members[i].r.cls!) : 0 }),
    };
    return { name, dataset, sourceOf: (i) => members[i].i };
  });
  return { kind: "recordings folder", splits, sensorSize, classes, sources, card: {}, close: () => undefined };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (READERS[extname(name).toLowerCase()]) out.push(p);
  }
  return out;
}

function naturalSort(names: string[]): string[] {
  return names.every((n) => /^\d+$/.test(n)) ? names.sort((a, b) => Number(a) - Number(b)) : names.sort();
}

/** Largest x, y and p seen, plus one. */
export function inferSensor(all: Events[]): SensorSize {
  let w = 0, h = 0, p = 0;
  for (const e of all) {
    for (let k = 0; k < e.t.length; k++) {
      w = Math.max(w, e.x[k]); h = Math.max(h, e.y[k]); p = Math.max(p, e.p[k]);
    }
  }
  return [w + 1, h + 1, p + 1];
}

/** Where each of t, x, y, p is (-1: absent). */
type Columns = Record<"t" | "x" | "y" | "p", number>;

/** Checks a column-order string such as "txyp" (t and x required; y and p optional). */
function columnIndex(columns: string, where: string): Columns {
  const idx = { t: columns.indexOf("t"), x: columns.indexOf("x"), y: columns.indexOf("y"), p: columns.indexOf("p") };
  const ok = /^[txyp]+$/.test(columns) && new Set(columns).size === columns.length && idx.t >= 0 && idx.x >= 0;
  const why = `columns "${columns}" must name t and x, and may name y and p, once each (e.g. txyp)`;
  if (!ok) throw dataError("bad-columns", [where], why);
  return idx;
}

function eventsFromRows(n: number, at: (row: number, col: number) => number, idx: Columns): Events {
  const e = allocEvents(n);
  for (let r = 0; r < n; r++) {
    e.t[r] = at(r, idx.t); e.x[r] = at(r, idx.x);
    e.y[r] = idx.y >= 0 ? at(r, idx.y) : 0; e.p[r] = idx.p >= 0 ? at(r, idx.p) : 0;
  }
  return e;
}

/** Events from a .npy file: a structured array with fields t, x[, y][, p], or (N, C) in `columns` order. */
export function parseEventsNpy(bytes: Uint8Array, where: string, columns = "txyp"): Events {
  const header = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 65536))).toString("latin1");
  if (/'descr':\s*\[/.test(header)) return structuredNpy(bytes, header, where);
  const a = parseNpy(bytes, where);
  const idx = columnIndex(columns, where);
  if (a.shape.length !== 2 || a.shape[1] !== columns.length) {
    const want = `an (N, ${columns.length}) array with columns ${columns}, or a structured array with fields t, x, y, p`;
    throw dataError("bad-events", [where], `expected ${want}; got shape (${a.shape})`);
  }
  return eventsFromRows(a.shape[0], (r, c) => a.data[r * columns.length + c], idx);
}

type Field = { name: string; offset: number; read: (v: DataView, at: number) => number };

function structuredNpy(bytes: Uint8Array, header: string, where: string): Events {
  const fail = (m: string): never => { throw dataError("bad-npy", [where], m); };
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = (major === 1 ? 10 : 12) + (major === 1 ? view.getUint16(8, true) : view.getUint32(8, true));
  const fields: Field[] = [];
  let size = 0;
  for (const m of header.matchAll(/\(\s*'(\w+)'\s*,\s*'([<>|=]?)([iufb])(\d+)'\s*\)/g)) {
    const [, name, order, kind, bytesText] = m;
    const n = Number(bytesText), le = order !== ">", offset = size;
    const read = fieldReader(kind, n, le) ?? fail(`unsupported field type ${kind}${n} of ${name}`);
    fields.push({ name, offset, read });
    size += n;
  }
  const count = Number(/'shape':\s*\((\d+),?\s*\)/.exec(header)?.[1] ?? fail("expected a 1-d structured array"));
  const f = (name: string) => fields.find((x) => x.name === name);
  const t = f("t") ?? fail("structured array has no field t"), x = f("x") ?? fail("structured array has no field x");
  const y = f("y"), p = f("p");
  if (start + count * size > bytes.length) fail("truncated data");
  const e = allocEvents(count);
  for (let r = 0; r < count; r++) {
    const at = start + r * size;
    e.t[r] = t.read(view, at + t.offset); e.x[r] = x.read(view, at + x.offset);
    e.y[r] = y ? y.read(view, at + y.offset) : 0; e.p[r] = p ? p.read(view, at + p.offset) : 0;
  }
  return e;
}

function fieldReader(kind: string, n: number, le: boolean): Field["read"] | undefined {
  const table: Record<string, Field["read"]> = {
    b1: (v, a) => v.getUint8(a), i1: (v, a) => v.getInt8(a), u1: (v, a) => v.getUint8(a),
    i2: (v, a) => v.getInt16(a, le), u2: (v, a) => v.getUint16(a, le),
    i4: (v, a) => v.getInt32(a, le), u4: (v, a) => v.getUint32(a, le),
    i8: (v, a) => Number(v.getBigInt64(a, le)), u8: (v, a) => Number(v.getBigUint64(a, le)),
    f4: (v, a) => v.getFloat32(a, le), f8: (v, a) => v.getFloat64(a, le),
  };
  return table[kind + n];
}

/** Events from CSV: a header naming t, x, y, p (any order), or no header and `columns` order. */
export function parseEventsCsv(text: string, where: string, columns = "txyp"): Events {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const named = lines.length > 0 && /[a-z]/i.test(lines[0]);
  const header = named ? lines.shift()!.toLowerCase().split(",").map((s) => s.trim()).join("") : undefined;
  const order = header ?? columns;
  const idx = columnIndex(order, header ? `${where} header` : where);
  const rows = lines.map((l, i) => {
    const v = l.split(",").map(Number);
    if (v.length !== order.length || !v.every(Number.isFinite)) {
      const why = `expected ${order.length} numbers (${order}); got "${l}"`;
      throw dataError("bad-events", [where, i + (header ? 2 : 1)], why);
    }
    return v;
  });
  return eventsFromRows(rows.length, (r, c) => rows[r][c], idx);
}
