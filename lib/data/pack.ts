/**
 * The warehouse's one open layout ("phasor-events", version 1): every sample of every split of
 * a dataset in one chunked, gzip-compressed HDF5 file, events concatenated column by column
 * with per-sample offsets, so sample k is read from the chunks that hold it and nothing else.
 *   /events/{t,x,y,p}            (E,) t int64 us (or float64), x,y uint16 (int32 for sensors over
 *                                65536), p int8; chunked along E, gzip
 *   /samples/offset (N+1,) uint64  sample k is events[offset[k]:offset[k+1]]
 *   /samples/{label,split,source}  int32, uint8 (index into /splits), int32 (into /provenance/sources, -1 none)
 *   /classes, /splits              strings
 *   /provenance/{sources,sha256}   source files (relative paths) and their sha256
 *   /datacard                      markdown: what, how recorded, licence, citation
 *   root attributes: format, format_version, name, version, title, license, citation,
 *   sensor_size [W,H,P], t_unit "us", chunk_events, converter, created
 * docs/data-warehouse.md describes it for readers in other languages.
 */
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { dataError } from "./warehouse-errors.js";
import { loadH5, type H5Dataset, type H5File } from "../ir/nir/h5.js";
import type { EventDataset, EventSample, SensorSize } from "./events.js";

/** The format name in the root attribute `format`. */
export const PACK_FORMAT = "phasor-events";
/** The layout version this code writes and reads. */
export const PACK_VERSION = 1;

/** One split to pack; `sourceOf(i)` is the index in `sources` of the file sample i came from (-1: not known). */
export interface PackSplit {
  name: string;
  dataset: EventDataset;
  sourceOf?: (i: number) => number;
}

/** What a datacard says. */
export interface Datacard {
  title: string;
  description: string;
  /** How the data was recorded (sensor, setup, conversion). */
  recording: string;
  license: string | null;
  citation: string;
  homepage?: string;
}

/** Everything `writePacked` needs. */
export interface PackInput {
  name: string;
  version: string;
  sensorSize: SensorSize;
  classes: string[];
  splits: PackSplit[];
  /** Source files (paths relative to the packed folder or the source root) with their sha256. */
  sources: { path: string; sha256: string }[];
  datacard: Datacard;
  /** Events per chunk (default: the first samples' mean, to a power of two in 1024..65536). */
  chunkEvents?: number;
  /** int64 (integer microseconds, the default) or float64. */
  timeType?: "int64" | "float64";
  /** gzip level 0-9 (default 4). */
  level?: number;
}

/** What `writePacked` wrote. */
export interface PackResult {
  file: string;
  samples: number;
  events: number;
  chunkEvents: number;
  splits: Record<string, number>;
}

/** Samples per split. */
export type Counts = Record<string, number>;

/** Called after each sample: samples done, samples in all. */
export type Progress = (done: number, total: number) => void;

const FLUSH = 1 << 20;
const PEEK = 32;

/** Phasor's version, from the package.json above this module. */
export function phasorVersion(): string {
  for (let d = __dirname; dirname(d) !== d; d = dirname(d)) {
    const p = join(d, "package.json");
    if (!existsSync(p)) continue;
    const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "phasor") return pkg.version ?? "unknown";
  }
  return "unknown";
}

/** The converter string recorded in every packed file. */
export function converterName(): string {
  return `phasor ${phasorVersion()} (${PACK_FORMAT} ${PACK_VERSION})`;
}

/** Renders a datacard as markdown. */
export function datacardMarkdown(name: string, version: string, c: Datacard, stats?: { splits: Counts }): string {
  const lines = [
    `# ${c.title} (${name}@${version})`, "", c.description, "", "## How it was recorded", "", c.recording, "",
    "## Licence", "", c.license ?? "not stated: ask the publisher before redistributing", "",
    "## Citation", "", c.citation,
  ];
  if (c.homepage) lines.push("", "## Homepage", "", c.homepage);
  if (stats) lines.push("", "## Samples", "", ...Object.entries(stats.splits).map(([s, n]) => `- ${s}: ${n}`));
  return lines.join("\n") + "\n";
}

/** Converts the splits of `p` into one packed file at `out` (written to a temporary name, then renamed). */
export async function writePacked(out: string, p: PackInput, onProgress?: Progress): Promise<PackResult> {
  const h5 = await loadH5();
  const tmp = `${out}.${process.pid}.tmp`;
  const f = new h5.File(tmp, "w", { libver: ["earliest", "v110"] });
  try {
    const peeked = p.splits.length ? peek(p.splits[0].dataset) : [];
    const chunk = p.chunkEvents ?? chooseChunk(peeked);
    const w = new EventWriter(f, p, chunk);
    const offsets: number[] = [0], labels: number[] = [], splitOf: number[] = [], sourceOf: number[] = [];
    const counts: Record<string, number> = {};
    const total = p.splits.reduce((a, s) => a + s.dataset.length, 0);
    p.splits.forEach((s, si) => {
      counts[s.name] = s.dataset.length;
      for (let i = 0; i < s.dataset.length; i++) {
        const sample = si === 0 && i < peeked.length ? peeked[i] : s.dataset.get(i);
        w.append(sample, `${s.name} sample ${i}`);
        offsets.push(w.count);
        labels.push(checkLabel(sample.label, p.classes, `${s.name} sample ${i}`));
        splitOf.push(si);
        sourceOf.push(s.sourceOf?.(i) ?? -1);
        onProgress?.(offsets.length - 1, total);
      }
    });
    w.flush();
    writeTables(f, p, { offsets, labels, splitOf, sourceOf, chunk, counts });
    f.close();
    renameSync(tmp, out);
    return { file: out, samples: labels.length, events: w.count, chunkEvents: chunk, splits: counts };
  } catch (e) {
    try { f.close(); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw e;
  }
}

function peek(ds: EventDataset): EventSample[] {
  return Array.from({ length: Math.min(PEEK, ds.length) }, (_, i) => ds.get(i));
}

/** A power of two near the mean sample length, in 1024..65536 events. */
function chooseChunk(samples: EventSample[]): number {
  const mean = samples.length ? samples.reduce((a, s) => a + s.events.t.length, 0) / samples.length : 1024;
  return Math.min(1 << 16, Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, mean)))));
}

function checkLabel(label: number, classes: string[], where: string): number {
  if (!Number.isInteger(label) || label < 0 || (classes.length > 0 && label >= classes.length)) {
    throw dataError("bad-label", [where], `label ${label} is not a class index 0..${classes.length - 1}`);
  }
  return label;
}

/** Appends events to the four chunked columns, FLUSH events at a time. */
class EventWriter {
  private written = 0;
  private n = 0;
  private readonly t: BigInt64Array | Float64Array;
  private readonly x: Uint16Array | Int32Array;
  private readonly y: Uint16Array | Int32Array;
  private readonly p = new Int8Array(FLUSH);
  private readonly cols: H5Dataset[];

  constructor(f: H5File, private readonly input: PackInput, chunk: number) {
    const int64 = (input.timeType ?? "int64") === "int64";
    const wide = input.sensorSize[0] > 65536 || input.sensorSize[1] > 65536;
    this.t = int64 ? new BigInt64Array(FLUSH) : new Float64Array(FLUSH);
    this.x = wide ? new Int32Array(FLUSH) : new Uint16Array(FLUSH);
    this.y = wide ? new Int32Array(FLUSH) : new Uint16Array(FLUSH);
    const g = f.create_group("events");
    const level = input.level ?? 4;
    const col = (name: string, like: ArrayLike<number | bigint>) => g.create_dataset({
      name, data: like as BigInt64Array, shape: [0], maxshape: [null], chunks: [chunk],
      compression: "gzip", compression_opts: level,
    });
    this.cols = [col("t", this.t.subarray(0, 0)), col("x", this.x.subarray(0, 0))];
    this.cols.push(col("y", this.y.subarray(0, 0)), col("p", this.p.subarray(0, 0)));
  }

  /** Events appended so far (written and buffered). */
  get count(): number {
    return this.written + this.n;
  }

  /** Checks and buffers one sample's events. */
  append(s: EventSample, where: string): void {
    const e = s.events, [W, H] = this.input.sensorSize;
    for (let k = 0; k < e.t.length; k++) {
      if (this.n === FLUSH) this.flush();
      const t = e.t[k], x = e.x[k], y = e.y[k], p = e.p[k];
      if (!(x >= 0 && x < W && y >= 0 && y < H)) {
        this.fail(where, k, `(x, y) = (${x}, ${y}) is outside the sensor ${W} x ${H}; give the sensor size`);
      }
      if (!(p >= -128 && p <= 127)) this.fail(where, k, `polarity ${p} does not fit int8`);
      if (this.t instanceof BigInt64Array) {
        if (!Number.isSafeInteger(t)) this.fail(where, k, `time ${t} is not whole microseconds; use time type float64`);
        this.t[this.n] = BigInt(t);
      } else this.t[this.n] = t;
      this.x[this.n] = x; this.y[this.n] = y; this.p[this.n] = p;
      this.n++;
    }
  }

  /** Writes the buffered events at the end of each column. */
  flush(): void {
    if (this.n === 0) return;
    const from = this.written, to = from + this.n;
    [this.t, this.x, this.y, this.p].forEach((buf, i) => {
      this.cols[i].resize([to]);
      this.cols[i].write_slice([[from, to]], buf.subarray(0, this.n));
    });
    this.written = to;
    this.n = 0;
  }

  private fail(where: string, k: number, message: string): never {
    throw dataError("bad-events", [where, `event ${k}`], message);
  }
}

/** The per-sample tables gathered while the events were written. */
interface Tables {
  offsets: number[]; labels: number[]; splitOf: number[]; sourceOf: number[]; chunk: number; counts: Counts;
}

/** The per-sample tables, names, provenance, datacard and root attributes. */
function writeTables(f: H5File, p: PackInput, t: Tables): void {
  const s = f.create_group("samples");
  s.create_dataset({ name: "offset", data: BigUint64Array.from(t.offsets, BigInt) });
  s.create_dataset({ name: "label", data: Int32Array.from(t.labels) });
  s.create_dataset({ name: "split", data: Uint8Array.from(t.splitOf) });
  s.create_dataset({ name: "source", data: Int32Array.from(t.sourceOf) });
  strings(f, "classes", p.classes);
  strings(f, "splits", p.splits.map((x) => x.name));
  const prov = f.create_group("provenance");
  strings(prov, "sources", p.sources.map((x) => x.path));
  strings(prov, "sha256", p.sources.map((x) => x.sha256));
  f.create_dataset({ name: "datacard", data: datacardMarkdown(p.name, p.version, p.datacard, { splits: t.counts }) });
  const attrs: [string, string | Int32Array][] = [
    ["format", PACK_FORMAT], ["format_version", Int32Array.of(PACK_VERSION)], ["name", p.name], ["version", p.version],
    ["title", p.datacard.title], ["license", p.datacard.license ?? ""], ["citation", p.datacard.citation],
    ["sensor_size", Int32Array.from(p.sensorSize)], ["t_unit", "us"], ["chunk_events", Int32Array.of(t.chunk)],
    ["converter", converterName()], ["created", new Date().toISOString()],
  ];
  for (const [k, v] of attrs) f.create_attribute(k, v);
}

/** A 1-d string dataset; an empty list is stored as one empty string (h5wasm cannot write 0 strings). */
function strings(g: { create_dataset: H5File["create_dataset"] }, name: string, values: string[]): void {
  g.create_dataset({ name, data: values.length ? values : [""], shape: [values.length ? values.length : 1] });
}
