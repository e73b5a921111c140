/**
 * `phasor data pack`: converts a dataset or a folder of recordings into the warehouse layout
 * and writes, beside the packed file, its datacard and a catalog entry with sizes and sha256,
 * so the folder can be published as it is on any static web server or object store.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseCatalog, type CatalogDataset } from "./catalog.js";
import { hashFile } from "./fetch.js";
import { datacardMarkdown, writePacked, type Datacard, type PackResult } from "./pack.js";
import { packSource, type RecordingOptions } from "./pack-sources.js";
import { writeAtomic } from "./warehouse-cache.js";
import { dataError } from "./warehouse-errors.js";

/** What to pack and what to say about it. */
export interface PackOptions extends RecordingOptions {
  name: string;
  version: string;
  /** Output folder (created). */
  out: string;
  title?: string;
  description?: string;
  recording?: string;
  license?: string;
  citation?: string;
  homepage?: string;
  /** Where the folder will be published; default: URLs relative to catalog.json. */
  baseUrl?: string;
  chunkEvents?: number;
  timeType?: "int64" | "float64";
  level?: number;
  onProgress?: (done: number, total: number) => void;
}

/** What pack wrote. */
export interface PackReport extends PackResult {
  kind: string;
  datacard: string;
  catalog: string;
  entry: CatalogDataset;
  bytes: number;
  sha256: string;
}

/** Packs `src` into `o.out`: NAME-VERSION.h5, datacard.md and catalog.json (merged with an existing one). */
export async function packDataset(src: string, o: PackOptions): Promise<PackReport> {
  checkName(o);
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const source = await packSource(src, o);
  const card: Datacard = {
    title: o.title ?? source.card.title ?? o.name,
    description: o.description ?? source.card.description ?? `${source.kind} packed from ${src}`,
    recording: o.recording ?? source.card.recording ?? `not described; sensor ${source.sensorSize.join(" x ")}`,
    license: o.license ?? source.card.license ?? null,
    citation: o.citation ?? source.card.citation ?? "not given",
    homepage: o.homepage ?? source.card.homepage,
  };
  const fileName = `${o.name}-${o.version}.h5`;
  let result: PackResult;
  try {
    result = await writePacked(join(out, fileName), {
      name: o.name, version: o.version, sensorSize: source.sensorSize, classes: source.classes, splits: source.splits,
      sources: source.sources, datacard: card, chunkEvents: o.chunkEvents, timeType: o.timeType, level: o.level,
    }, o.onProgress);
  } finally {
    source.close();
  }
  const datacard = join(out, "datacard.md");
  writeAtomic(datacard, datacardMarkdown(o.name, o.version, card, result));
  const packed = await hashFile(result.file);
  const cardHash = await hashFile(datacard);
  const base = o.baseUrl && (o.baseUrl.endsWith("/") ? o.baseUrl : o.baseUrl + "/");
  const url = (f: string) => (base ? new URL(f, base).href : f);
  const noLicence = "no licence was given when this dataset was packed; ask its publisher before redistributing";
  const entry: CatalogDataset = {
    name: o.name, version: o.version, title: card.title, description: card.description, citation: card.citation,
    license: card.license, ...(card.license === null ? { licenseNote: noLicence } : {}),
    ...(card.homepage ? { homepage: card.homepage } : {}),
    sensor: { name: source.kind, size: source.sensorSize, timeUnit: "us" }, classes: source.classes,
    splits: result.splits, format: "phasor-events", datacard: "datacard.md",
    files: [
      { path: fileName, size: packed.size, sha256: packed.sha256, urls: [url(fileName)] },
      { path: "datacard.md", size: cardHash.size, sha256: cardHash.sha256, urls: [url("datacard.md")] },
    ],
  };
  const catalog = join(out, "catalog.json");
  writeAtomic(catalog, JSON.stringify(mergeCatalog(catalog, entry), null, 2) + "\n");
  return { ...result, kind: source.kind, datacard, catalog, entry, bytes: packed.size, sha256: packed.sha256 };
}

function checkName(o: PackOptions): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(o.name)) {
    throw dataError("usage", ["--name"], `"${o.name}": lower-case letters, digits, . _ - (starting with a letter or digit)`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(o.version)) {
    throw dataError("usage", ["--version"], `"${o.version}": letters, digits, . _ + - (e.g. 1.0)`);
  }
}

/** An existing catalog.json in the folder keeps its other datasets; this NAME@VERSION is replaced. */
function mergeCatalog(path: string, entry: CatalogDataset): object {
  const updated = new Date().toISOString().slice(0, 10);
  const doc = { format: "phasor-catalog", formatVersion: 1, updated, datasets: [] as CatalogDataset[] };
  if (existsSync(path)) {
    const old = parseCatalog(JSON.parse(readFileSync(path, "utf8")), path);
    doc.datasets = old.datasets.filter((d) => !(d.name === entry.name && d.version === entry.version));
  }
  doc.datasets.push(entry);
  parseCatalog(doc, path);
  return doc;
}
