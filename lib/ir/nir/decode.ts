/**
 * Decoding h5wasm datasets into Graph values (tensors keep their float dtype, ints become
 * numbers, strings stay strings), reporting problems as issues instead of throwing.
 */
import type { IssueList } from "../errors.js";
import type { FloatArray, Metadata, MetadataValue, Tensor } from "../graph.js";
import type { H5, H5Dataset, H5Group } from "./h5.js";

type Path = (string | number)[];

/** h5wasm's dtype strings: '<f' float32, '<d' float64, '<q' int64, 'S' utf-8 string, ... */
function dtypeOf(ds: H5Dataset): string {
  const d = ds.dtype;
  return typeof d === "string" ? d : "compound";
}

/** Float width (4 or 8) of a dataset, 0 for integers, -1 for anything else. */
function numericKind(ds: H5Dataset): number {
  const code = dtypeOf(ds).replace(/^[<>|=]/, "");
  if (code === "f") return 4;
  if (code === "d") return 8;
  if (/^[bhiqBHIQ]$/.test(code)) return 0;
  return -1;
}

/** True for fixed or variable-length string datasets. */
export function isStringDataset(ds: H5Dataset): boolean {
  return /^[SA]\d*$/.test(dtypeOf(ds));
}

/** The dataset's shape ([] for a scalar). */
export function shapeOf(ds: H5Dataset): number[] {
  return ds.shape ?? [];
}

function numbers(value: unknown): number[] | undefined {
  if (typeof value === "number") return [value];
  if (typeof value === "bigint") return [Number(value)];
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Array.from(value, Number);
  if (isNumberArray(value)) return Array.from(value);
  return undefined;
}

type NumberArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

function isNumberArray(v: unknown): v is NumberArray {
  return v instanceof Float32Array || v instanceof Float64Array || v instanceof Int8Array || v instanceof Uint8Array
    || v instanceof Int16Array || v instanceof Uint16Array || v instanceof Int32Array || v instanceof Uint32Array;
}

/** A float tensor; float32 and float64 stay as stored, integer data becomes float64 (noted). */
export function readTensor(ds: H5Dataset, path: Path, issues: IssueList, notes: string[]): Tensor | undefined {
  const kind = numericKind(ds);
  const shape = shapeOf(ds);
  const values = numbers(ds.value);
  if (kind < 0 || values === undefined) {
    issues.add("wrong-type", path, `expected a float array, found dtype ${dtypeOf(ds)}`);
    return undefined;
  }
  if (kind === 4) return { shape, data: Float32Array.from(values) };
  if (kind === 0) notes.push(`${path.join(".")}: integer data stored as float64`);
  return { shape, data: Float64Array.from(values) };
}

/** An int64 vector (or scalar, read as one element). */
export function readInts(ds: H5Dataset, path: Path, issues: IssueList): number[] | undefined {
  const values = numbers(ds.value);
  const shape = shapeOf(ds);
  if (numericKind(ds) !== 0 || values === undefined || !values.every(Number.isInteger)) {
    issues.add("wrong-type", path, `expected integers, found dtype ${dtypeOf(ds)}`);
    return undefined;
  }
  if (shape.length > 1) {
    issues.add("wrong-rank", path, `expected a vector, found shape [${shape.join(", ")}]`);
    return undefined;
  }
  return values;
}

/** One integer (a scalar, or a one-element vector). */
export function readInt(ds: H5Dataset, path: Path, issues: IssueList): number | undefined {
  const values = readInts(ds, path, issues);
  if (values === undefined) return undefined;
  if (values.length !== 1) {
    issues.add("wrong-rank", path, `expected one integer, found ${values.length}`);
    return undefined;
  }
  return values[0];
}

/** A scalar string. */
export function readString(ds: H5Dataset, path: Path, issues: IssueList): string | undefined {
  const v = ds.value;
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === "string") return v[0];
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  issues.add("wrong-type", path, `expected a string, found dtype ${dtypeOf(ds)}`);
  return undefined;
}

/** An array of strings in row-major order. */
export function readStrings(ds: H5Dataset): string[] | undefined {
  const v = ds.value;
  if (Array.isArray(v) && v.every((s): s is string => typeof s === "string")) return v;
  if (typeof v === "string") return [v];
  return undefined;
}

/** Reads a metadata group the way NIR writes it (strings, numbers, arrays, nested groups). */
export function readMetadata(h5: H5, group: H5Group, path: Path, issues: IssueList): Metadata {
  const out: Metadata = {};
  for (const key of group.keys()) {
    const entry = group.get(key);
    if (entry instanceof h5.Group) out[key] = readMetadata(h5, entry, [...path, key], issues);
    else if (entry instanceof h5.Dataset) {
      const v = readMetadataValue(entry);
      if (v === undefined) issues.add("wrong-type", [...path, key], `unsupported metadata dtype ${dtypeOf(entry)}`);
      else out[key] = v;
    }
  }
  return out;
}

function readMetadataValue(ds: H5Dataset): MetadataValue | undefined {
  if (isStringDataset(ds)) {
    const strings = readStrings(ds);
    if (strings === undefined) return undefined;
    return shapeOf(ds).length === 0 ? strings[0] : strings;
  }
  const kind = numericKind(ds);
  const values = numbers(ds.value);
  if (values === undefined) return undefined;
  const scalar = shapeOf(ds).length === 0;
  if (kind === 0 || kind < 0) return scalar ? values[0] : values;
  if (scalar) return values[0];
  const data: FloatArray = kind === 4 ? Float32Array.from(values) : Float64Array.from(values);
  return data;
}
