/**
 * `phasor data list|info|fetch|verify NAME[@VERSION] [--catalog URL|PATH] [--dir D]` and
 * `phasor data pack SRC --name N --version V --out DIR`: the data warehouse from the shell.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { PhasorError } from "../lib/ir/errors.js";
import type { SensorSize } from "../lib/data/events.js";
import { fetchDataset, verifyDataset } from "../lib/data/warehouse.js";
import type { DatasetReport, WarehouseEvent, WarehouseOptions } from "../lib/data/warehouse.js";
import { datasetInfo, formatBytes, formatDatasetRows, listDatasets } from "../lib/data/warehouse-list.js";
import type { DatasetInfo } from "../lib/data/warehouse-list.js";
import { packDataset, type PackReport } from "../lib/data/warehouse-pack.js";

interface CommonFlags { catalog: string[]; dir?: string; json?: boolean; quiet?: boolean; from?: string }

interface PackFlags {
  name: string; version: string; outDir: string; title?: string; description?: string; recording?: string;
  license?: string; citation?: string; homepage?: string; baseUrl?: string; sensor?: SensorSize; columns?: string;
  chunk?: number; timeType?: "int64" | "float64"; json?: boolean; quiet?: boolean;
}

/** --out of `data pack` is a folder: kept as outDir, out of reach of the global --out file check. */
class OutDirOption extends Option {
  override attributeName(): string {
    return "outDir";
  }
}

const REF = ["<ref>", "NAME[@VERSION]"] as const;

/** Registers the `data` command family. */
export function registerData(p: Command): void {
  const data = p.command("data").description("the data warehouse: a catalog of event datasets, verified downloads, one format");
  common(data.command("list").description("datasets of the catalogs and what the cache holds (sizes, checks, licences)"))
    .action(async (o: CommonFlags) => listCommand(o));
  common(data.command("info").description("a dataset's licence, citation, sensor, splits, files and their cache state"))
    .argument(...REF)
    .action(async (ref: string, o: CommonFlags) => infoCommand(ref, o));
  common(data.command("fetch").description("download (resuming, mirror by mirror), verify and unpack into the cache"))
    .argument(...REF)
    .option("--from <folder>", "add files downloaded by hand (under their catalog names) instead of downloading")
    .option("-q, --quiet", "no progress")
    .action(async (ref: string, o: CommonFlags) => fetchCommand(ref, o));
  common(data.command("verify").description("rehash the cached copy; a file that no longer matches is removed"))
    .argument(...REF)
    .action(async (ref: string, o: CommonFlags) => verifyCommand(ref, o));
  registerPack(data);
}

function registerPack(data: Command): void {
  data.command("pack")
    .description("convert a dataset, or recordings in [SPLIT/]CLASS/ folders (.bin .aedat .npy .csv), to the warehouse format")
    .argument("<src>", "dataset file or folder")
    .requiredOption("--name <name>", "dataset name (lower case)")
    .requiredOption("--version <version>", "dataset version, e.g. 1.0")
    .addOption(new OutDirOption("--out <dir>", "output folder (NAME-VERSION.h5, datacard.md, catalog.json)").makeOptionMandatory())
    .option("--title <text>", "title for the datacard")
    .option("--description <text>", "what the data is")
    .option("--recording <text>", "how it was recorded")
    .option("--license <spdx>", "licence (SPDX identifier)")
    .option("--citation <text>", "how to cite it")
    .option("--homepage <url>", "homepage")
    .option("--base-url <url>", "where the folder will be published (default: URLs relative to catalog.json)")
    .option("--sensor <w,h,p>", "sensor size of recordings (default: largest coordinates seen + 1)", parseSensor)
    .option("--columns <order>", "column order of headerless .npy/.csv recordings", "txyp")
    .option("--chunk <events>", "events per HDF5 chunk (default: about one sample)", parsePositive)
    .addOption(new Option("--time-type <type>", "how times are stored").choices(["int64", "float64"]).default("int64"))
    .option("--json", "print JSON for scripts")
    .option("-q, --quiet", "no progress")
    .action(async (src: string, o: PackFlags) => packCommand(src, o));
}

function common(c: Command): Command {
  const collect = (v: string, prev: string[]) => [...prev, v];
  return c.option("--catalog <url>", "another catalog, URL or path (repeatable)", collect, [] as string[])
    .option("--dir <dir>", "cache folder (default $PHASOR_WAREHOUSE, else ~/.cache/phasor/data)")
    .option("--json", "print JSON for scripts");
}

function options(o: CommonFlags, progress?: (e: WarehouseEvent) => void): WarehouseOptions {
  const ctrl = new AbortController();
  process.once("SIGINT", () => ctrl.abort());
  return { catalogs: o.catalog, dir: o.dir, from: o.from, onEvent: progress, signal: ctrl.signal };
}

const print = (text: string) => void process.stdout.write(text);
const json = (v: unknown) => print(JSON.stringify(v, null, 2) + "\n");

async function listCommand(o: CommonFlags): Promise<void> {
  const rows = await listDatasets(options(o));
  if (o.json) json(rows);
  else print(formatDatasetRows(rows));
}

async function infoCommand(ref: string, o: CommonFlags): Promise<void> {
  const info = await datasetInfo(ref, options(o));
  if (o.json) json(info);
  else print(infoText(info));
}

/** `phasor data info` for people. */
function infoText(info: DatasetInfo): string {
  const e = info.entry;
  const classes = typeof e.classes === "number" ? e.classes : e.classes.join(", ");
  const splits = Object.entries(e.splits).map(([s, n]) => `${s} ${n ?? "?"}`).join(", ");
  const files = info.files.map((f) => {
    const sha = f.sha256 ?? (f.cached ? `${f.cached.sha256} (recorded)` : "not published");
    const state = f.cached ? `cached, checked: ${f.cached.checks.join(", ")}` : "not cached";
    const where = f.urls.join("\n    ") || `by hand: ${f.manual}`;
    const note = f.checksumNote ? `\n    note: ${f.checksumNote}` : "";
    const size = formatBytes(f.cached?.size ?? f.size);
    return `  ${f.path}  ${size}  sha256 ${sha}${f.md5 ? `  md5 ${f.md5}` : ""}  ${state}\n    ${where}${note}`;
  });
  return [
    `${info.ref}: ${e.title}`, e.description,
    `licence: ${e.license ?? "not stated"}${e.licenseNote ? ` (${e.licenseNote})` : ""}`,
    `citation: ${e.citation}`, ...(e.homepage ? [`homepage: ${e.homepage}`] : []),
    `sensor: ${e.sensor.name}, ${e.sensor.size.join(" x ")}; classes: ${classes}`,
    `splits: ${splits}${e.approxSize ? `; ${e.approxSize}` : ""}`, `catalog: ${info.catalog}`, "files:", ...files,
  ].join("\n") + "\n";
}

/** A progress line per file on stderr: overwritten on a terminal, every 10% otherwise. */
function progressPrinter(): (e: WarehouseEvent) => void {
  const tty = process.stderr.isTTY;
  let lastPct = -1, lastAt = 0;
  return (e) => {
    if (e.kind === "progress") {
      const pct = e.total ? Math.floor((100 * (e.received ?? 0)) / e.total) : -1;
      const now = Date.now();
      if (tty ? now - lastAt < 200 : pct < lastPct + 10) return;
      lastPct = pct; lastAt = now;
      const text = `${e.file}: ${formatBytes(e.received)}${e.total ? ` of ${formatBytes(e.total)} (${pct}%)` : ""}`;
      process.stderr.write(tty ? `\r${text}\x1b[K` : text + "\n");
      return;
    }
    lastPct = -1;
    process.stderr.write(`${tty ? "\r\x1b[K" : ""}${e.file}: ${eventText(e)}\n`);
  };
}

function eventText(e: WarehouseEvent): string {
  switch (e.kind) {
    case "request": return `GET ${e.url}${e.message ? ` (${e.message})` : ""}`;
    case "retry": return `resuming at ${formatBytes(e.received)}: ${e.message}`;
    case "cached": return "in the cache (no download)";
    default: return e.message ?? e.kind;
  }
}

async function fetchCommand(ref: string, o: CommonFlags): Promise<void> {
  const r = await fetchDataset(ref, options(o, o.quiet || o.json ? undefined : progressPrinter()));
  if (o.json) json(r);
  else print(`${summary(r)}${r.path}\n`);
}

function summary(r: DatasetReport): string {
  const files = r.files.map((f) => {
    const sha = f.sha256 ? `, sha256 ${f.sha256}` : "";
    const checks = f.checks ? ` (checked: ${f.checks.join(", ")})` : "";
    return `  ${f.path}: ${f.status}${sha}${checks}${f.message ? `; ${f.message}` : ""}`;
  });
  const head = `${r.ref}: ${r.title}; licence ${r.license ?? "not stated"}; ${r.requests} download request(s)`;
  return `${head}\n${files.join("\n")}\n`;
}

async function verifyCommand(ref: string, o: CommonFlags): Promise<void> {
  const r = await verifyDataset(ref, options(o));
  if (o.json) json(r);
  else print(summary(r));
  if (!r.ok) {
    const bad = r.files.filter((f) => f.status !== "ok").map((f) => `${f.path} ${f.status}`).join(", ");
    throw new PhasorError([{ code: "verify-failed", path: [r.ref], message: `${bad}; run phasor data fetch ${r.ref}` }]);
  }
}

async function packCommand(src: string, o: PackFlags): Promise<void> {
  const tty = process.stderr.isTTY && !o.quiet && !o.json;
  const progress = (d: number, n: number) => {
    if (d === n || d % 500 === 0) process.stderr.write(`\rpacking: ${d} of ${n} samples\x1b[K${d === n ? "\n" : ""}`);
  };
  const r = await packDataset(src, {
    name: o.name, version: o.version, out: o.outDir, title: o.title, description: o.description, recording: o.recording,
    license: o.license, citation: o.citation, homepage: o.homepage, baseUrl: o.baseUrl, sensor: o.sensor,
    columns: o.columns,
    chunkEvents: o.chunk, timeType: o.timeType, onProgress: tty ? progress : undefined,
  });
  if (o.json) json(r);
  else print(packText(r, `${o.name}@${o.version}`));
}

function packText(r: PackReport, ref: string): string {
  const splits = Object.entries(r.splits).map(([s, n]) => `${s} ${n}`).join(", ");
  return [
    `packed ${r.kind} into ${r.file}: ${r.samples} samples (${splits}), ${r.events} events, ${formatBytes(r.bytes)}, ` +
      `chunks of ${r.chunkEvents} events`,
    `sha256 ${r.sha256}`, `datacard ${r.datacard}`, `catalog ${r.catalog}`,
    ...(r.entry.license === null ? ["note: no --license given; the datacard says the licence is not stated"] : []),
    `publish the folder on any static web server; users fetch with: phasor data fetch ${ref} --catalog URL/catalog.json`,
  ].join("\n") + "\n";
}

function parseSensor(s: string): SensorSize {
  const v = s.split(",").map(Number);
  if (v.length !== 3 || !v.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError(`expected W,H,P (three positive integers), got "${s}"`);
  }
  return [v[0], v[1], v[2]];
}

function parsePositive(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${s}"`);
  return n;
}
