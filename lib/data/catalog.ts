/**
 * The data catalog: a versioned JSON document (schema: catalog.schema.json, checked with ajv
 * on every load) listing datasets with licence, citation, sensor, classes, splits and files,
 * each file with its size, checksums and mirror URLs. Phasor ships one (catalog.json); users
 * add theirs by URL or path. Relative URLs in a catalog resolve against the catalog's own URL.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { IssueList } from "../ir/errors.js";
import { getText } from "./fetch.js";
import { dataError } from "./warehouse-errors.js";

/** The layouts Phasor reads once a dataset's files are unpacked. */
export type DatasetFormat = "shd" | "ssc" | "nmnist" | "dvsgesture" | "phasor-events";

/** One file of a dataset: what it should be and where to get it. */
export interface CatalogFile {
  path: string;
  split?: string;
  /** Bytes; null when the publisher does not state it. */
  size: number | null;
  /** Null when no sha256 is published (then `checksumNote` says so, and the first fetch records one). */
  sha256: string | null;
  md5?: string;
  checksumNote?: string;
  /** Mirrors in order, absolute or relative to the catalog. */
  urls: string[];
  /** Where to download by hand when there is no direct URL. */
  manual?: string;
  unpack?: "gzip" | "zip" | "tar" | "tar.gz";
}

/** One dataset version of a catalog. */
export interface CatalogDataset {
  name: string;
  version: string;
  title: string;
  description: string;
  homepage?: string;
  citation: string;
  license: string | null;
  licenseNote?: string;
  approxSize?: string;
  sensor: { name: string; size: [number, number, number]; timeUnit?: "us" };
  /** Class names in label order, or their number when the names are in the files. */
  classes: string[] | number;
  splits: Record<string, number | null>;
  format: DatasetFormat;
  root?: string;
  datacard?: string;
  files: CatalogFile[];
}

/** A loaded catalog; `source` is the URL it came from (relative file URLs resolve against it). */
export interface Catalog {
  format: "phasor-catalog";
  formatVersion: 1;
  name?: string;
  updated?: string;
  datasets: CatalogDataset[];
  source: string;
}

/** A dataset a catalog lists, with the catalog it came from. */
export interface CatalogHit {
  dataset: CatalogDataset;
  catalog: Catalog;
}

/** Finds a file shipped beside this module: next to the source, or lib/data/ from a build in dist/. */
export function dataAsset(name: string): string {
  const fromDist = resolve(__dirname, "..", "..", "..", "lib", "data", name);
  for (const p of [join(__dirname, name), fromDist]) if (existsSync(p)) return p;
  throw new Error(`${name} is missing beside ${__dirname}; reinstall Phasor`);
}

let validator: ReturnType<Ajv["compile"]> | undefined;

function validate(data: unknown): ErrorObject[] {
  const schema: object = JSON.parse(readFileSync(dataAsset("catalog.schema.json"), "utf8"));
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validator(data) ? [] : validator.errors ?? [];
}

/** Validates parsed JSON as a catalog (schema, unique NAME@VERSION and paths); one PhasorError lists every problem. */
export function parseCatalog(data: unknown, source: string): Catalog {
  const issues = new IssueList();
  for (const e of validate(data)) {
    if (e.keyword !== "if") issues.add("bad-catalog", [source, ...pathOf(e)], messageOf(e));
  }
  issues.throwIfAny();
  const c = data as Omit<Catalog, "source">;
  const seen = new Set<string>();
  c.datasets.forEach((d, i) => {
    const ref = `${d.name}@${d.version}`;
    if (seen.has(ref)) issues.add("bad-catalog", [source, "datasets", i], `${ref} is listed twice`);
    seen.add(ref);
    const paths = new Set<string>();
    for (const f of d.files) {
      if (paths.has(f.path)) issues.add("bad-catalog", [source, ref, f.path], "file listed twice");
      paths.add(f.path);
    }
  });
  issues.throwIfAny();
  return { ...c, source };
}

/** The catalog Phasor ships (public datasets it reads). */
export function builtinCatalog(): Catalog {
  const file = dataAsset("catalog.json");
  return parseCatalog(JSON.parse(readFileSync(file, "utf8")), pathToFileURL(file).href);
}

/** Loads a catalog from an http(s) or file URL, or a path (relative to `cwd`). */
export async function loadCatalog(spec: string, cwd = process.cwd()): Promise<Catalog> {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ? spec : pathToFileURL(resolve(cwd, spec)).href;
  const text = await getText(url, `catalog ${spec}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const why = `not JSON (${(e as Error).message}); a catalog is a JSON document (docs/data-warehouse.md)`;
    throw dataError("bad-catalog", [spec], why);
  }
  return parseCatalog(data, url);
}

/** The built-in catalog followed by the user's, in the order given (a later one wins for the same NAME@VERSION). */
export async function loadCatalogs(specs: string[] = [], cwd = process.cwd()): Promise<Catalog[]> {
  const out = [builtinCatalog()];
  for (const s of specs) out.push(await loadCatalog(s, cwd));
  return out;
}

/** Splits NAME[@VERSION] (the name case-insensitive). */
export function parseRef(ref: string): { name: string; version?: string } {
  const [n, version, ...rest] = ref.trim().split("@");
  const name = n.toLowerCase();
  const goodVersion = version === undefined || /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(version);
  const ok = rest.length === 0 && /^[a-z0-9][a-z0-9._-]*$/.test(name) && goodVersion;
  if (!ok) throw dataError("bad-ref", [ref], "expected NAME or NAME@VERSION (letters, digits, . _ -)");
  return { name, version };
}

/** Orders version strings: numeric parts numerically, the rest as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/), pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "", y = pb[i] ?? "";
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (d !== 0) return d;
  }
  return 0;
}

/** The dataset NAME[@VERSION] names (the highest version when none is given); an unknown one lists what exists. */
export function findDataset(catalogs: Catalog[], ref: string): CatalogHit {
  const { name, version } = parseRef(ref);
  const hits: CatalogHit[] = [];
  for (const catalog of catalogs) {
    for (const dataset of catalog.datasets) if (dataset.name === name) hits.push({ dataset, catalog });
  }
  const pick = version === undefined ? hits : hits.filter((h) => h.dataset.version === version);
  if (pick.length === 0) {
    const known = hits.length
      ? `versions of ${name}: ${hits.map((h) => h.dataset.version).join(", ")}`
      : `datasets: ${names(catalogs).join(", ")}`;
    throw dataError("unknown-dataset", [ref], `not in the catalog(s) (${known}); add one with --catalog URL|PATH`);
  }
  return pick.reduce((best, h) => (compareVersions(h.dataset.version, best.dataset.version) >= 0 ? h : best));
}

function names(catalogs: Catalog[]): string[] {
  return [...new Set(catalogs.flatMap((c) => c.datasets.map((d) => d.name)))].sort();
}

/** The absolute URLs of a file's mirrors, in order. */
export function fileUrls(catalog: Pick<Catalog, "source">, file: CatalogFile): string[] {
  return file.urls.map((u) => new URL(u, catalog.source).href);
}

/** The number of classes a catalog entry states. */
export function classCount(d: CatalogDataset): number {
  return typeof d.classes === "number" ? d.classes : d.classes.length;
}

function pathOf(e: ErrorObject): (string | number)[] {
  const parts = e.instancePath.split("/").filter(Boolean);
  const p: (string | number)[] = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === "required") p.push(String((e.params as { missingProperty: string }).missingProperty));
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  if (e.keyword === "additionalProperties") p.push(String(extra));
  return p;
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case "required": return "is required";
    case "additionalProperties": return "is not a catalog field";
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    case "const": return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    default: return e.message ?? "is invalid";
  }
}
