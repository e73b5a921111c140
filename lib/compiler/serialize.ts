/** Program on disk: PROGRAM.json (structure, blob table) + PROGRAM.bin (blobs, 8-byte aligned). Byte-identical for identical Programs. */
import { readFileSync, writeFileSync } from "node:fs";
import { checkReadable } from "../ir/io/files.js";
import { basename, dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { PhasorError } from "../ir/errors.js";
import { PROGRAM_FORMAT, PROGRAM_VERSION, type Program } from "./program.js";

interface BlobEntry { dtype: "int32" | "float64"; offset: number; length: number }

/** JSON text and binary blob file of a Program; `binName` is recorded in the JSON. */
export function serializeProgram(p: Program, binName = "program.bin"): { json: string; bin: Uint8Array } {
  const names = Object.keys(p.blobs).sort();
  const table: Record<string, BlobEntry> = {};
  let size = 0;
  for (const n of names) { size = Math.ceil(size / 8) * 8; table[n] = { dtype: p.blobs[n] instanceof Int32Array ? "int32" : "float64", offset: size, length: p.blobs[n].length }; size += p.blobs[n].byteLength; }
  const bin = new Uint8Array(size);
  for (const n of names) { const a = p.blobs[n]; bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), table[n].offset); }
  const sha256 = createHash("sha256").update(bin).digest("hex");
  const { blobs: _omit, ...rest } = p;
  void _omit;
  const json = JSON.stringify({ ...rest, blobFile: { name: binName, bytes: size, sha256 }, blobs: table }, (_k, v) => (v === Infinity ? "Infinity" : v), 1);
  return { json, bin };
}

/** Writes PATH (.json) and the blob file beside it (PATH with .bin). */
export function saveProgram(p: Program, path: string): { json: string; bin: string } {
  const binPath = path.replace(/\.json$/i, "") + ".bin";
  const { json, bin } = serializeProgram(p, basename(binPath));
  writeFileSync(path, json);
  writeFileSync(binPath, bin);
  return { json: path, bin: binPath };
}

/** Reads a Program written by saveProgram, checking format, version and the blob checksum. */
export function loadProgram(path: string): Program {
  let doc: Record<string, unknown>;
  checkReadable(path, "program file");
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PhasorError([{ code: "bad-program", path: [path], message: `cannot read program JSON: ${(e as Error).message}` }]);
  }
  if (doc.format !== PROGRAM_FORMAT) throw new PhasorError([{ code: "bad-program", path: [path, "format"], message: `not a Phasor program (format ${JSON.stringify(doc.format)})` }]);
  if (doc.version !== PROGRAM_VERSION) throw new PhasorError([{ code: "bad-program", path: [path, "version"], message: `program version ${doc.version}; this Phasor reads version ${PROGRAM_VERSION}` }]);
  const file = doc.blobFile as { name: string; sha256: string };
  const binPath = join(dirname(path), file.name);
  checkReadable(binPath, "the program's blob file (phasor compile --out writes PROGRAM.json and PROGRAM.bin side by side)");
  const bin = new Uint8Array(readFileSync(binPath));
  if (createHash("sha256").update(bin).digest("hex") !== file.sha256) throw new PhasorError([{ code: "bad-program", path: [file.name], message: "blob file does not match the program's checksum" }]);
  const blobs: Program["blobs"] = {};
  for (const [n, e] of Object.entries(doc.blobs as Record<string, BlobEntry>)) {
    const bytes = bin.slice(e.offset, e.offset + e.length * (e.dtype === "int32" ? 4 : 8));
    blobs[n] = e.dtype === "int32" ? new Int32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  }
  const revive = (v: unknown): unknown => (v === "Infinity" ? Infinity : Array.isArray(v) ? v.map(revive) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)])) : v);
  const { blobFile: _f, blobs: _b, ...rest } = doc;
  void _f; void _b;
  return { ...(revive(rest) as Omit<Program, "blobs">), blobs };
}
