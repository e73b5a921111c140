/**
 * Payload encodings of the board protocol: a Program as its two files' bytes (PROGRAM.json,
 * PROGRAM.bin), inputs as float64 little-endian frames, results as JSON with typed arrays
 * written as arrays and non-finite numbers as the strings "Infinity", "-Infinity", "NaN".
 */
import { createHash } from "node:crypto";
import { PhasorError, IssueList } from "../../ir/errors.js";
import { PROGRAM_FORMAT, PROGRAM_VERSION, type Program } from "../../compiler/program.js";
import { serializeProgram } from "../../compiler/serialize.js";
import type { DenseInput } from "../../ir/sim/types.js";
import type { RunResult, VmInput } from "../../vm/types.js";

/** A Program as [PROGRAM.json bytes, PROGRAM.bin bytes] and its handle (sha256 of both). */
export function programFrames(p: Program): { frames: [Buffer, Buffer]; sha256: string } {
  const { json, bin } = serializeProgram(p);
  const j = Buffer.from(json, "utf8"), b = Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength);
  return { frames: [j, b], sha256: createHash("sha256").update(j).update(b).digest("hex") };
}

interface BlobEntry { dtype: string; offset: number; length: number }

/** Parses the two frames of a deploy; every structural problem is reported, never thrown as a TypeError. */
export function programFromFrames(json: Uint8Array, bin: Uint8Array): { program: Program; sha256: string } {
  const fail = (message: string, path: Array<string | number> = []): never => { throw new PhasorError([{ code: "bad-program", path, message }]); };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(json).toString("utf8"), (_k, v) => (v === "Infinity" ? Infinity : v));
  } catch {
    return fail("the program frame is not JSON");
  }
  if (typeof doc !== "object" || doc === null) return fail("the program is not a JSON object");
  if (doc.format !== PROGRAM_FORMAT) fail(`not a Phasor program (format ${JSON.stringify(doc.format)})`, ["format"]);
  if (doc.version !== PROGRAM_VERSION) fail(`program version ${String(doc.version)}; this server reads version ${PROGRAM_VERSION}`, ["version"]);
  const file = doc.blobFile as { sha256?: unknown } | undefined;
  const hash = createHash("sha256").update(bin).digest("hex");
  if (!file || file.sha256 !== hash) fail("the blob frame does not match the program's checksum", ["blobFile", "sha256"]);
  const issues = new IssueList(), blobs: Program["blobs"] = {};
  const table = doc.blobs;
  if (typeof table !== "object" || table === null) return fail("blobs table missing", ["blobs"]);
  for (const [n, e] of Object.entries(table as Record<string, BlobEntry>)) {
    const width = e?.dtype === "int32" ? 4 : e?.dtype === "float64" ? 8 : 0;
    if (!width || !Number.isSafeInteger(e.offset) || !Number.isSafeInteger(e.length) || e.offset < 0 || e.length < 0 || e.offset % 8 || e.offset + e.length * width > bin.byteLength) {
      issues.add("bad-program", ["blobs", n], "blob entry out of range or of unknown dtype");
      continue;
    }
    const bytes = bin.slice(e.offset, e.offset + e.length * width);
    blobs[n] = width === 4 ? new Int32Array(bytes.buffer, bytes.byteOffset, e.length) : new Float64Array(bytes.buffer, bytes.byteOffset, e.length);
  }
  issues.throwIfAny();
  for (const k of ["layers", "projections", "cores", "routes", "tables"]) if (!Array.isArray(doc[k])) fail(`${k} must be an array`, [k]);
  if (typeof doc.target !== "object" || typeof doc.options !== "object") fail("target and options are required", ["target"]);
  const { blobFile: _f, blobs: _b, ...rest } = doc;
  void _f; void _b;
  const sha256 = createHash("sha256").update(json).update(bin).digest("hex");
  return { program: { ...(rest as Omit<Program, "blobs">), blobs }, sha256 };
}

/** Named dense inputs [T, B, ...shape] as a header list and float64 LE frames. */
export function inputFrames(inputs: Record<string, DenseInput>): { list: Array<{ name: string; shape: number[] }>; frames: Buffer[] } {
  const list = Object.entries(inputs).map(([name, d]) => ({ name, shape: d.shape }));
  const frames = Object.values(inputs).map((d) => { const f = Float64Array.from(d.data); return Buffer.from(f.buffer, f.byteOffset, f.byteLength); });
  return { list, frames };
}

/** Decodes input frames; the byte length must match each shape. */
export function inputsFromFrames(list: Array<{ name: string; shape: number[] }>, frames: Uint8Array[]): Record<string, DenseInput> {
  const out: Record<string, DenseInput> = {};
  list.forEach((x, k) => {
    if (Object.prototype.hasOwnProperty.call(out, x.name)) throw new PhasorError([{ code: "bad-input", path: ["inputs", k], message: `input "${x.name}" is given twice` }]);
    const n = x.shape.reduce((a, b) => a * b, 1), f = frames[k];
    if (f.byteLength !== n * 8) throw new PhasorError([{ code: "bad-input", path: ["inputs", k], message: `input "${x.name}" of shape [${x.shape}] needs ${n * 8} bytes of float64; got ${f.byteLength}` }]);
    const copy = new Uint8Array(f);
    // defineProperty: a name such as "__proto__" stays an own key instead of replacing the prototype
    Object.defineProperty(out, x.name, { value: { data: new Float64Array(copy.buffer, 0, n), shape: x.shape }, enumerable: true, writable: true, configurable: true });
  });
  return out;
}

/** A RunResult as JSON text. */
export function encodeResult(r: RunResult): string {
  return JSON.stringify(r, (_k, v: unknown) => {
    if (v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array) return Array.from(v, finite);
    return typeof v === "number" ? finite(v) : v;
  });
}

function finite(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** JSON text back to a RunResult: numbers revived, records and outputs as Float64Arrays. */
export function decodeResult(text: string): RunResult {
  const r = JSON.parse(text, (_k, v: unknown) => (v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v === "NaN" ? NaN : v)) as RunResult;
  if (typeof r !== "object" || r === null || typeof r.spikes !== "object" || typeof r.counters !== "object") throw new PhasorError("the server's result is not a RunResult", "bad-result");
  const f64 = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, Float64Array.from(v as number[])]));
  r.outputs = f64(r.outputs as Record<string, unknown>);
  r.records = Object.fromEntries(Object.entries(r.records ?? {}).map(([k, v]) => [k, f64(v as Record<string, unknown>)]));
  return r;
}

/** One input (VmInput) as named dense [T, B, ...shape] arrays, using the Program's input layers. */
export function denseInputs(p: Program, input: VmInput | undefined, batch?: number): Record<string, DenseInput> {
  if (!input) return {};
  const layers = p.layers.filter((l) => l.kind === "input");
  const named: Record<string, unknown> = "data" in input || "events" in input ? { [layers[0]?.name ?? "input"]: input } : input;
  const out: Record<string, DenseInput> = {};
  for (const [name, v] of Object.entries(named)) {
    const l = layers.find((x) => x.name === name);
    if (!l) throw new PhasorError([{ code: "unknown-input", path: [name], message: `no input layer "${name}"; the program has ${layers.map((x) => x.name).join(", ") || "none"}` }]);
    out[name] = toDense(v as VmInput, l.size, l.shape, batch);
  }
  return out;
}

function toDense(v: VmInput, n: number, shape: number[], batch?: number): DenseInput {
  if ("events" in v && Array.isArray(v.events)) {
    const B = Number(v.batch ?? batch ?? 1), T = Number(v.steps), data = new Float64Array(T * B * n);
    v.events.forEach((e, k) => { const [t, b, i] = e.length === 3 ? e : [e[0], 0, e[1]]; data[(t * B + b) * n + i] += (v.values as number[] | undefined)?.[k] ?? 1; });
    return { data, shape: [T, B, ...shape] };
  }
  const d = v as DenseInput;
  const per = d.shape.slice(1).reduce((a, b) => a * b, 1);
  if (per === n) return { data: Float64Array.from(d.data), shape: [d.shape[0], 1, ...shape] };
  return { data: Float64Array.from(d.data), shape: [d.shape[0], per / n, ...shape] };
}
