/** Reading input arrays from .csv and .npy files. */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { PhasorError } from "../errors.js";
import { fsReason } from "./files.js";
import { parseCsv } from "./csv.js";
import { parseNpy, type NdArray } from "./npy.js";

export { parseCsv, formatCsv } from "./csv.js";
export { parseNpy, formatNpy, type NdArray } from "./npy.js";

/** Reads a .csv or .npy file into a float64 array; other extensions are refused with what is accepted. */
export function readArrayFile(path: string): NdArray {
  const ext = extname(path).toLowerCase();
  if (ext !== ".csv" && ext !== ".npy") throw new PhasorError([{ code: "bad-input-file", path: [path], message: `unsupported input format "${ext || "(none)"}"; give a .csv (one row per step) or a .npy array [T, ...shape] or [T, batch, ...shape]` }]);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new PhasorError([{ code: "file-not-found", path: [path], message: `cannot read input file: ${fsReason(e) ?? (e as Error).message}` }]);
  }
  return ext === ".csv" ? parseCsv(bytes.toString("utf8"), path) : parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
