/**
 * What the catalogs and the cache hold (for `phasor data list|info` and `%dataset --list`), and
 * opening a cached dataset (NAME@VERSION) without the network.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileUrls, loadCatalogs, type CatalogDataset, type CatalogFile } from "./catalog.js";
import type { EventDataset } from "./events.js";
import { openDataset, type Split } from "./open.js";
import { openPacked } from "./pack-read.js";
import { blobPath, cacheDir, readIndex, type CachedFile } from "./warehouse-cache.js";
import { dataError } from "./warehouse-errors.js";
import { cachedEntry, resolveDataset, type WarehouseOptions } from "./warehouse.js";

/** One row of `phasor data list`. */
export interface DatasetRow {
  ref: string;
  title: string;
  license: string | null;
  files: number;
  /** Sum of the stated (or, when cached, measured) file sizes; null when some are unknown. */
  bytes: number | null;
  /** yes: every file verified in the cache; partial; no. */
  cached: "yes" | "partial" | "no";
  /** How the cached files were checked: sha256, md5, recorded (sha256 taken at the first fetch). */
  verified: string;
  catalog: string;
}

/** Every dataset of the catalogs and of the cache, with what the cache holds. */
export async function listDatasets(o: WarehouseOptions = {}): Promise<DatasetRow[]> {
  const dir = cacheDir(o.dir);
  const idx = readIndex(dir);
  const entries = new Map<string, [CatalogDataset, string]>();
  for (const [ref, d] of Object.entries(idx.datasets)) entries.set(ref, [d.entry, d.catalog]);
  for (const c of await loadCatalogs(o.catalogs, o.cwd)) {
    for (const d of c.datasets) entries.set(`${d.name}@${d.version}`, [d, c.source]);
  }
  const rows = [...entries].map(([ref, [e, catalog]]): DatasetRow => {
    const held = idx.datasets[ref]?.files ?? {};
    const present = e.files.filter((f) => held[f.path] && existsSync(blobPath(dir, held[f.path].sha256)));
    const sizes = e.files.map((f) => held[f.path]?.size ?? f.size);
    const checks = [...new Set(present.flatMap((f) => held[f.path].checks.filter((c) => c !== "size")))];
    return {
      ref, title: e.title, license: e.license, files: e.files.length, catalog,
      bytes: sizes.every((s) => s !== null) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : null,
      cached: present.length === e.files.length ? "yes" : present.length ? "partial" : "no",
      verified: checks.join("+") || "-",
    };
  });
  return rows.sort((a, b) => a.ref.localeCompare(b.ref));
}

/** A file of `datasetInfo`: the catalog's word, its absolute URLs, and the cache's record when it holds the file. */
export type FileInfo = CatalogFile & { cached?: CachedFile };

/** What `datasetInfo` returns. */
export interface DatasetInfo { entry: CatalogDataset; ref: string; catalog: string; files: FileInfo[] }

/** A dataset's catalog entry with its files' cache state. */
export async function datasetInfo(refText: string, o: WarehouseOptions = {}): Promise<DatasetInfo> {
  const dir = cacheDir(o.dir);
  const r = await resolveDataset(refText, o);
  const held = readIndex(dir).datasets[r.ref]?.files ?? {};
  const cached = (f: CatalogFile) => {
    const rec = held[f.path];
    return rec && existsSync(blobPath(dir, rec.sha256)) ? rec : undefined;
  };
  const files = r.entry.files.map((f): FileInfo => ({ ...f, urls: fileUrls(r.catalog, f), cached: cached(f) }));
  return { entry: r.entry, ref: r.ref, catalog: r.catalog.source, files };
}

/** True when `spec` is NAME@VERSION (a warehouse reference rather than a path). */
export function isWarehouseRef(spec: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(spec);
}

/** The unpacked folder of a cached NAME[@VERSION], when there is one. */
function unpacked(dir: string, refText: string) {
  const r = cachedEntry(dir, refText);
  const view = r ? readIndex(dir).datasets[r.ref].unpacked : undefined;
  return r && view && existsSync(view) ? { r, view } : undefined;
}

/** True when the cache holds an unpacked copy of NAME[@VERSION]. */
export function inWarehouse(refText: string, o: Pick<WarehouseOptions, "dir"> = {}): boolean {
  try {
    return unpacked(cacheDir(o.dir), refText) !== undefined;
  } catch {
    return false;
  }
}

/** Opens a fetched dataset from the cache (no network); a packed one through openPacked. */
export async function openWarehouse(refText: string, split: Split | "all" = "train", o: { dir?: string } = {}) {
  const dir = cacheDir(o.dir);
  const held = unpacked(dir, refText);
  const why = `not in the warehouse cache (${dir}); fetch it first: phasor data fetch ${refText}`;
  if (!held) throw dataError("dataset-missing", [refText], why);
  const { r, view } = held;
  if (r.entry.format === "phasor-events") {
    const file = r.entry.files.find((f) => f.path.endsWith(".h5"));
    if (!file) throw dataError("bad-catalog", [r.ref], "a phasor-events dataset lists no .h5 file");
    return openPacked(join(view, file.path), split === "all" ? undefined : split);
  }
  if (split === "all") throw dataError("usage", [r.ref], "choose a split (train, test, valid): it is not packed");
  return openDataset(join(view, r.entry.root ?? ""), split);
}

/** Bytes for people: 1.2 GB; "?" when not known. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "?";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** The rows of `listDatasets` as a text table. */
export function formatDatasetRows(rows: DatasetRow[]): string {
  const head = ["dataset", "title", "licence", "size", "cached", "verified"];
  const body = rows.map((r) => [r.ref, r.title, r.license ?? "not stated", formatBytes(r.bytes), r.cached, r.verified]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}
