/** Program on disk: PROGRAM.json (structure, blob table; lib/compiler/program-schema.ts) + PROGRAM.bin (blobs, 8-byte aligned). Byte-identical for identical Programs. */
import { readFileSync, writeFileSync } from "node:fs";
import { checkReadable } from "../ir/io/files.js";
import { basename, dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { IssueList, PhasorError } from "../ir/errors.js";
import type { Program } from "./program.js";
import { contentIssues } from "./program-check.js";
import { bodyIssues, documentIssues, type BlobEntry, type ProgramDocument } from "./program-schema.js";

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

/** Reads a Program written by saveProgram: the JSON against the Program schema, the blob file against its checksum, then the content checks. */
export function loadProgram(path: string): Program {
  checkReadable(path, "program file");
  const text = readFileSync(path, "utf8");
  const doc = parseDocument(text, [path]);
  const binPath = join(dirname(path), doc.blobFile.name);
  checkReadable(binPath, "the program's blob file (phasor compile --out writes PROGRAM.json and PROGRAM.bin side by side)");
  return programOf(doc, new Uint8Array(readFileSync(binPath)), [path]);
}

/**
 * A Program from its two files' bytes (PROGRAM.json text, PROGRAM.bin), every problem reported
 * under `where` as one PhasorError (code bad-program), never a TypeError: schema, checksum, blob
 * table, content (lib/compiler/program-check.ts).
 */
export function decodeProgram(json: string, bin: Uint8Array, where: Array<string | number> = []): Program {
  return programOf(parseDocument(json, where), bin, where);
}

function parseDocument(text: string, where: Array<string | number>): ProgramDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PhasorError([{ code: "bad-program", path: where, message: `cannot read program JSON: ${(e as Error).message}` }]);
  }
  const issues = documentIssues(doc, where);
  if (issues.length) throw new PhasorError(issues);
  return doc as ProgramDocument;
}

function programOf(doc: ProgramDocument, bin: Uint8Array, where: Array<string | number>): Program {
  const fail = (path: Array<string | number>, message: string): never => { throw new PhasorError([{ code: "bad-program", path: [...where, ...path], message }]); };
  if (createHash("sha256").update(bin).digest("hex") !== doc.blobFile.sha256) {
    fail(["blobFile", "sha256"], `the blob file (${bin.byteLength} bytes) does not match the program's checksum; use the PROGRAM.bin written with this PROGRAM.json`);
  }
  const issues = new IssueList(), blobs: Program["blobs"] = {};
  for (const [n, e] of Object.entries(doc.blobs)) {
    const width = e.dtype === "int32" ? 4 : 8;
    if (e.offset % 8 || e.offset + e.length * width > bin.byteLength) {
      issues.add("bad-program", [...where, "blobs", n], `blob ${n} (offset ${e.offset}, ${e.length} ${e.dtype}) must start 8-byte aligned inside the ${bin.byteLength}-byte blob file`);
      continue;
    }
    // a copy (Buffer.slice would be a view), aligned for the typed array
    const bytes = Uint8Array.prototype.slice.call(bin, e.offset, e.offset + e.length * width);
    const values = width === 4 ? new Int32Array(bytes.buffer, bytes.byteOffset, e.length) : new Float64Array(bytes.buffer, bytes.byteOffset, e.length);
    // defineProperty: a blob named "__proto__" stays an own entry instead of replacing the prototype
    Object.defineProperty(blobs, n, { value: values, enumerable: true, writable: true, configurable: true });
  }
  issues.throwIfAny();
  const { blobFile: _f, blobs: _b, ...body } = doc;
  void _f; void _b;
  const program: Program = { ...body, blobs };
  const content = contentIssues(program, where);
  if (content.length) throw new PhasorError(content);
  return program;
}

/** Throws one PhasorError (code bad-program) listing every problem of a Program in memory: schema, then content. */
export function checkProgram(p: Program, where: Array<string | number> = []): void {
  const issues = bodyIssues(p, where);
  if (!issues.length) issues.push(...contentIssues(p, where));
  if (issues.length) throw new PhasorError(issues);
}
