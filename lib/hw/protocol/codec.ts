/**
 * Payload encodings of the board protocol: a Program as its two files' bytes (PROGRAM.json,
 * PROGRAM.bin), inputs as float64 little-endian frames, results as JSON with typed arrays
 * written as arrays and non-finite numbers as the strings "Infinity", "-Infinity", "NaN".
 */
import { createHash } from "node:crypto";
import { PhasorError } from "../../ir/errors.js";
import type { Program } from "../../compiler/program.js";
import { decodeProgram, serializeProgram } from "../../compiler/serialize.js";
import type { DenseInput, NodeInput } from "../../ir/sim/types.js";
import { drawStream } from "../../ir/sim/input.js";
import type { RunResult, VmInput } from "../../vm/types.js";

/** A Program as [PROGRAM.json bytes, PROGRAM.bin bytes] and its handle (sha256 of both). */
export function programFrames(p: Program): { frames: [Buffer, Buffer]; sha256: string } {
  const { json, bin } = serializeProgram(p);
  const j = Buffer.from(json, "utf8"), b = Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength);
  return { frames: [j, b], sha256: createHash("sha256").update(j).update(b).digest("hex") };
}

/** Parses the two frames of a deploy (lib/compiler/serialize.ts decodeProgram); every problem is one PhasorError, never a TypeError. */
export function programFromFrames(json: Uint8Array, bin: Uint8Array): { program: Program; sha256: string } {
  const program = decodeProgram(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8"), bin);
  return { program, sha256: createHash("sha256").update(json).update(bin).digest("hex") };
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
  const one = "data" in input || "events" in input || "sample" in input;
  const named: Record<string, unknown> = one ? { [layers[0]?.name ?? "input"]: input } : input;
  const out: Record<string, DenseInput> = {};
  for (const [name, v] of Object.entries(named)) {
    const l = layers.find((x) => x.name === name);
    if (!l) throw new PhasorError([{ code: "unknown-input", path: [name], message: `no input layer "${name}"; the program has ${layers.map((x) => x.name).join(", ") || "none"}` }]);
    const x = v as NodeInput;
    out[name] = "sample" in x ? drawStream(name, x, l.shape) : toDense(x, l.size, l.shape, batch);
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
