/**
 * The data warehouse: fetch a catalog's dataset into the content-addressed cache (mirrors,
 * resume, verification before use), recheck it, list what the catalogs and the cache hold,
 * and open a cached dataset for training. A dataset in the cache needs no network: its catalog
 * entry and the verified sha256 of each file are kept in the cache's index.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { compareVersions, fileUrls, findDataset, loadCatalogs, parseRef } from "./catalog.js";
import type { Catalog, CatalogDataset, CatalogFile } from "./catalog.js";
import { checkDigests, download, hashFile, type Digests, type DownloadEvent } from "./fetch.js";
import { unpack } from "./fetch-unpack.js";
import { blobPath, cacheDir, cachedBlob, datasetDir, partPath, readIndex } from "./warehouse-cache.js";
import { storeBlob, updateIndex } from "./warehouse-cache.js";
import type { CachedDataset, CachedFile } from "./warehouse-cache.js";
import { dataError } from "./warehouse-errors.js";

/** Where the catalogs and the cache are, and how to download. */
export interface WarehouseOptions {
  /** Cache folder (see cacheDir). */
  dir?: string;
  /** Extra catalogs (URL or path), after the built-in one. */
  catalogs?: string[];
  cwd?: string;
  /** A folder holding files downloaded by hand, under their catalog names. */
  from?: string;
  attempts?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: WarehouseEvent) => void;
}

/** What happens to each file during a fetch. */
export interface WarehouseEvent extends Omit<Partial<DownloadEvent>, "kind"> {
  file: string;
  kind: DownloadEvent["kind"] | "cached" | "unpacking";
}

/** One file of a fetch or verify report. */
export interface FileReport {
  path: string;
  sha256?: string;
  size?: number;
  /** cache: already there (no request); download; local: added with --from; missing; mismatch; ok (verify). */
  status: "cache" | "download" | "local" | "missing" | "mismatch" | "ok";
  checks?: string[];
  message?: string;
}

/** What fetch and verify report. */
export interface DatasetReport {
  ref: string;
  title: string;
  license: string | null;
  /** Folder Phasor's readers open (the unpacked files). */
  path?: string;
  files: FileReport[];
  /** HTTP requests made. */
  requests: number;
  ok: boolean;
}

/** A dataset entry, its NAME@VERSION, and the catalog it came from (relative URLs resolve against it). */
export interface Resolved { ref: string; entry: CatalogDataset; catalog: Pick<Catalog, "source"> }

/**
 * The dataset NAME[@VERSION] from the catalogs; offline, from the cache's copy of its entry. A pinned
 * NAME@VERSION whose files are all in the cache is answered by the cache alone (no catalog request).
 */
export async function resolveDataset(refText: string, o: WarehouseOptions = {}): Promise<Resolved> {
  const dir = cacheDir(o.dir);
  if (parseRef(refText).version !== undefined) {
    const held = cachedEntry(dir, refText);
    if (held && complete(dir, held)) return held;
  }
  let catalogs: Catalog[] = [];
  let loadError: unknown;
  try {
    catalogs = await loadCatalogs(o.catalogs, o.cwd);
  } catch (e) {
    loadError = e;
  }
  try {
    const hit = findDataset(catalogs, refText);
    return { ref: `${hit.dataset.name}@${hit.dataset.version}`, entry: hit.dataset, catalog: hit.catalog };
  } catch (e) {
    const cached = cachedEntry(dir, refText);
    if (cached) return cached;
    throw loadError ?? e;
  }
}

/** True when every file of the entry is in the cache. */
function complete(dir: string, r: Resolved): boolean {
  const files = readIndex(dir).datasets[r.ref]?.files ?? {};
  return r.entry.files.every((f) => files[f.path] && existsSync(blobPath(dir, files[f.path].sha256)));
}

/** The cache's copy of NAME[@VERSION]'s entry (the highest cached version when none is given). */
export function cachedEntry(dir: string, refText: string): Resolved | undefined {
  const { name, version } = parseRef(refText);
  const match = (d: CachedDataset) => d.entry.name === name && (version === undefined || d.entry.version === version);
  const hits = Object.entries(readIndex(dir).datasets).filter(([, d]) => match(d));
  if (hits.length === 0) return undefined;
  const [ref, d] = hits.reduce((a, b) => (compareVersions(b[1].entry.version, a[1].entry.version) > 0 ? b : a));
  return { ref, entry: d.entry, catalog: { source: d.catalog } };
}

/** Fetches every file of NAME[@VERSION] into the cache (verified), then unpacks it; a cached file makes no request. */
export async function fetchDataset(refText: string, o: WarehouseOptions = {}): Promise<DatasetReport> {
  const dir = cacheDir(o.dir);
  const r = await resolveDataset(refText, o);
  const files: FileReport[] = [];
  let requests = 0;
  for (const file of r.entry.files) {
    const got = await fetchFile(dir, r, file, o);
    requests += got.requests;
    files.push(got.report);
  }
  const path = await unpackDataset(dir, r, o);
  return { ref: r.ref, title: r.entry.title, license: r.entry.license, path, files, requests, ok: true };
}

/** Records (or, with undefined, forgets) a file of a dataset in the index. */
function record(dir: string, r: Resolved, path: string, rec: CachedFile | undefined): void {
  updateIndex(dir, (idx) => {
    const d: CachedDataset = idx.datasets[r.ref] ?? { entry: r.entry, catalog: r.catalog.source, files: {} };
    d.entry = r.entry;
    d.catalog = r.catalog.source;
    if (rec) d.files[path] = rec;
    else delete d.files[path];
    idx.datasets[r.ref] = d;
  });
}

/** The cached record of a file when it still agrees with the catalog entry. */
function knownFile(dir: string, r: Resolved, file: CatalogFile): CachedFile | undefined {
  const rec = readIndex(dir).datasets[r.ref]?.files[file.path];
  if (!rec) return undefined;
  return checkDigests(rec, { size: file.size, sha256: file.sha256, md5: file.md5 }) ? undefined : rec;
}

/** A file's report and the requests its fetch made. */
interface Fetched { report: FileReport; requests: number }

/** One file: from the cache when its verified copy is there, else downloaded (or copied from --from) and verified. */
async function fetchFile(dir: string, r: Resolved, file: CatalogFile, o: WarehouseOptions): Promise<Fetched> {
  const label = `${r.ref}/${file.path}`;
  const rec = knownFile(dir, r, file);
  const sha = file.sha256 ?? rec?.sha256;
  if (sha && cachedBlob(dir, sha, file.size ?? rec?.size)) {
    o.onEvent?.({ file: label, kind: "cached" });
    if (!rec) record(dir, r, file.path, checksOf(file, await hashFile(blobPath(dir, sha)), "cache"));
    const report: FileReport = { path: file.path, sha256: sha, size: rec?.size, status: "cache", checks: rec?.checks };
    return { report, requests: 0 };
  }
  const local = o.from ? resolve(o.cwd ?? process.cwd(), o.from, basename(file.path)) : undefined;
  if (local && !existsSync(local)) throw dataError("file", [label], `--from: no ${local} (keep the catalog's name)`);
  const urls = local ? [pathToFileURL(local).href] : fileUrls(r.catalog, file);
  const manual = file.manual ?? "see the dataset's homepage";
  if (urls.length === 0) throw dataError("manual-download", [label], `no direct download: ${manual}`);
  const part = partPath(dir, r.ref, file.path);
  mkdirSync(dirname(part), { recursive: true });
  const unlock = lock(part, label);
  let got: Awaited<ReturnType<typeof download>>;
  try {
    got = await download({
      urls, part, label, expected: { size: file.size, sha256: file.sha256, md5: file.md5 },
      attempts: o.attempts, timeoutMs: o.timeoutMs, signal: o.signal, onEvent: (e) => o.onEvent?.({ ...e, file: label }),
    });
    storeBlob(dir, part, got.sha256);
  } finally {
    unlock();
  }
  const stored = checksOf(file, got, local ? `local:${local}` : got.url);
  record(dir, r, file.path, stored);
  const status = local ? "local" : "download";
  const report: FileReport = { path: file.path, sha256: got.sha256, size: got.size, status, checks: stored.checks };
  return { report, requests: got.requests };
}

/** Claims a partial file for this process (two fetches must not append to the same one); returns the release. */
function lock(part: string, label: string): () => void {
  const file = part + ".lock";
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch {
    const pid = Number(readFileSync(file, "utf8"));
    if (pid !== process.pid && alive(pid)) {
      const why = `another phasor (pid ${pid}) is downloading this file; wait for it, or remove ${file}`;
      throw dataError("busy", [label], why);
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What was checked against the catalog, as the index records it. */
function checksOf(file: CatalogFile, got: Digests, source: string): CachedFile {
  const checks = [file.size !== null ? "size" : "", file.md5 ? "md5" : "", file.sha256 ? "sha256" : "recorded"];
  const fetched = new Date().toISOString();
  return { sha256: got.sha256, size: got.size, md5: got.md5, source, fetched, checks: checks.filter(Boolean) };
}

/** Unpacks (or links) every file of a fetched dataset into its folder; reused while the files are the same. */
async function unpackDataset(dir: string, r: Resolved, o: WarehouseOptions): Promise<string> {
  const d = readIndex(dir).datasets[r.ref];
  const stamp = JSON.stringify(r.entry.files.map((f) => [f.path, d.files[f.path].sha256]));
  const view = datasetDir(dir, r.ref);
  const marker = join(view, ".phasor-unpacked.json");
  if (!(existsSync(marker) && readFileSync(marker, "utf8") === stamp)) {
    const tmp = `${view}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of r.entry.files) {
      const blob = blobPath(dir, d.files[f.path].sha256);
      o.onEvent?.({ file: `${r.ref}/${f.path}`, kind: "unpacking" });
      if (f.unpack) await unpack(f.unpack, blob, tmp, f.path);
      else linkOrCopy(blob, join(tmp, f.path));
    }
    writeFileSync(join(tmp, ".phasor-unpacked.json"), stamp);
    rmSync(view, { recursive: true, force: true });
    mkdirSync(dirname(view), { recursive: true });
    renameSync(tmp, view);
  }
  updateIndex(dir, (idx) => { idx.datasets[r.ref].unpacked = view; });
  return join(view, r.entry.root ?? "");
}

function linkOrCopy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Rehashes the cached copy of NAME[@VERSION]; a file that no longer matches is removed, with the unpacked folder. */
export async function verifyDataset(refText: string, o: WarehouseOptions = {}): Promise<DatasetReport> {
  const dir = cacheDir(o.dir);
  const r = await resolveDataset(refText, o);
  const files: FileReport[] = [];
  for (const file of r.entry.files) {
    const rec = readIndex(dir).datasets[r.ref]?.files[file.path];
    const sha = file.sha256 ?? rec?.sha256;
    const blob = sha ? blobPath(dir, sha) : undefined;
    if (!blob || !existsSync(blob)) {
      files.push({ path: file.path, status: "missing", message: `not in the cache; run phasor data fetch ${r.ref}` });
      continue;
    }
    const got = await hashFile(blob);
    const bad = checkDigests(got, { size: file.size ?? rec?.size ?? null, sha256: sha!, md5: file.md5 ?? rec?.md5 });
    if (bad) {
      rmSync(blob, { force: true });
      rmSync(datasetDir(dir, r.ref), { recursive: true, force: true });
      record(dir, r, file.path, undefined);
      const message = `${bad}; removed from the cache, run phasor data fetch ${r.ref}`;
      files.push({ path: file.path, status: "mismatch", sha256: got.sha256, message });
    } else {
      const checks = rec?.checks ?? checksOf(file, got, "").checks;
      files.push({ path: file.path, status: "ok", sha256: got.sha256, size: got.size, checks });
    }
  }
  const ok = files.every((f) => f.status === "ok");
  return { ref: r.ref, title: r.entry.title, license: r.entry.license, files, requests: 0, ok };
}
