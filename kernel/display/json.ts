/**
 * Converts cell values to plain JSON before they go on the wire: typed arrays become
 * arrays (JSON.stringify would turn a Float64Array into {"0": ...}), BigInts become
 * numbers or strings, cycles become "[Circular]", functions and symbols are dropped.
 */

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The JSON form of any value, as application/json and the Plotly MIME type need it. */
export function toJson(value: unknown): JsonValue {
  return convert(value, new Set<object>());
}

function convert(value: unknown, path: Set<object>): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "object":
      return value === null ? null : convertObject(value, path);
    default:
      return null; // undefined, function, symbol
  }
}

function convertObject(value: object, path: Set<object>): JsonValue {
  if (path.has(value)) return "[Circular]";
  if (isNumericArray(value)) {
    const out = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = convert(value[i], path);
    return out;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return convert(toJSON.call(value), path);
  path.add(value);
  try {
    if (Array.isArray(value)) return value.map((x: unknown) => convert(x, path));
    if (value instanceof Map) return convertEntries([...value.entries()].map(([k, v]) => [String(k), v]), path);
    if (value instanceof Set) return [...value].map((x) => convert(x, path));
    return convertEntries(Object.entries(value), path);
  } finally {
    path.delete(value);
  }
}

type NumericArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

function isNumericArray(value: object): value is NumericArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function convertEntries(entries: Array<[string, unknown]>, path: Set<object>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of entries) {
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out[k] = convert(v, path);
  }
  return out;
}
