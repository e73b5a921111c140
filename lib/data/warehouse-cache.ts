/**
 * The content-addressed cache of the data warehouse, under one folder:
 *   blobs/sha256/<2 hex>/<sha256>   verified files, named by their content
 *   partial/<name>@<version>/<path>.part (+ .json)   downloads in progress (never under a final name)
 *   datasets/<name>@<version>/      the files unpacked, as Phasor's readers expect them
 *   index.json                      per dataset: its catalog entry and, per file, the sha256 verified
 * Every write that others read (a blob, the index, a dataset folder) is a rename of a complete file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { CatalogDataset } from "./catalog.js";
import { dataError } from "./warehouse-errors.js";

/** What the cache knows of one file of a dataset. */
export interface CachedFile {
  sha256: string;
  size: number;
  md5: string;
  /** Where the bytes came from (a URL, or a local file added with --from). */
  source: string;
  /** ISO time of the fetch. */
  fetched: string;
  /** What was checked against the catalog: "size", "md5", "sha256"; "recorded" when the catalog gave no sha256. */
  checks: string[];
}

/** What the cache knows of one dataset version. */
export interface CachedDataset {
  entry: CatalogDataset;
  /** URL of the catalog the entry came from. */
  catalog: string;
  files: Record<string, CachedFile>;
  /** The unpacked folder, once every file is in. */
  unpacked?: string;
}

/** index.json. */
export interface CacheIndex {
  version: 1;
  datasets: Record<string, CachedDataset>;
}

/** The cache folder: `dir`, else $PHASOR_WAREHOUSE, else $XDG_CACHE_HOME/phasor/data, else ~/.cache/phasor/data. */
export function cacheDir(dir?: string): string {
  if (dir) return resolve(dir);
  if (process.env.PHASOR_WAREHOUSE) return resolve(process.env.PHASOR_WAREHOUSE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "phasor", "data");
}

/** Where a verified file with this sha256 lives. */
export function blobPath(dir: string, sha256: string): string {
  return join(dir, "blobs", "sha256", sha256.slice(0, 2), sha256);
}

/** Where a download of `ref`'s file goes while it is incomplete. */
export function partPath(dir: string, ref: string, file: string): string {
  return join(dir, "partial", ref, file + ".part");
}

/** The folder a dataset is unpacked into. */
export function datasetDir(dir: string, ref: string): string {
  return join(dir, "datasets", ref);
}

/** Reads index.json (an empty index when there is none). */
export function readIndex(dir: string): CacheIndex {
  const file = join(dir, "index.json");
  if (!existsSync(file)) return { version: 1, datasets: {} };
  try {
    const idx = JSON.parse(readFileSync(file, "utf8")) as CacheIndex;
    if (idx.version === 1 && typeof idx.datasets === "object") return idx;
  } catch { /* reported below */ }
  throw dataError("bad-cache", [file], "unreadable cache index; delete it (the files stay, a fetch re-verifies them)");
}

/** Applies `change` to the index and writes it atomically. */
export function updateIndex(dir: string, change: (idx: CacheIndex) => void): CacheIndex {
  const idx = readIndex(dir);
  change(idx);
  writeAtomic(join(dir, "index.json"), JSON.stringify(idx, null, 1));
  return idx;
}

/** Writes a file by renaming a complete temporary file over it. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Moves a verified file into the store under its sha256 (an existing copy is kept). */
export function storeBlob(dir: string, verified: string, sha256: string): string {
  const dest = blobPath(dir, sha256);
  mkdirSync(dirname(dest), { recursive: true });
  if (existsSync(dest)) rmSync(verified, { force: true });
  else renameSync(verified, dest);
  return dest;
}

/** The blob of a file the index or the catalog knows, when it is present with the right size. */
export function cachedBlob(dir: string, sha256: string | undefined, size: number | null | undefined): string | undefined {
  if (!sha256) return undefined;
  const p = blobPath(dir, sha256);
  if (!existsSync(p)) return undefined;
  return size === null || size === undefined || statSync(p).size === size ? p : undefined;
}
