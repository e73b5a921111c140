/**
 * Encodings of what travels through Redis: plain data as JSON with typed arrays and
 * non-finite numbers tagged (so a Graph, a run spec or a sweep row survives the trip
 * exactly, on any Node version), named float32 arrays as one binary blob (gradients,
 * weights, batch shards), and the sha256 that names every blob.
 */
import { createHash } from "node:crypto";
import { PhasorError } from "../ir/errors.js";

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
const TYPED: Record<string, new (b: ArrayBuffer) => Typed> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
};

/** sha256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Plain data as JSON text: typed arrays become {"$typed": NAME, "b64": ...}, NaN and ±Infinity {"$num": "NaN"}. */
export function encodeData(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const raw = (this as Record<string, unknown>)[key]; // before toJSON: a typed array as itself
    if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) {
      const t = raw as Typed;
      return {
        $typed: Buffer.isBuffer(t) ? "Uint8Array" : t.constructor.name,
        b64: Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString("base64"),
      };
    }
    return typeof v === "number" && !Number.isFinite(v) ? { $num: String(v) } : v;
  });
}

/** The inverse of encodeData. */
export function decodeData<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (typeof v !== "object" || v === null) return v;
    const o = v as { $typed?: string; b64?: string; $num?: string };
    if (typeof o.$num === "string") return Number(o.$num);
    if (typeof o.$typed === "string" && typeof o.b64 === "string") return typedFrom(o.$typed, o.b64);
    return v;
  }) as T;
}

function typedFrom(name: string, b64: string): Typed {
  const make = TYPED[name];
  if (!make) throw new PhasorError([{ code: "bad-blob", path: [name], message: `unknown typed array ${name}` }]);
  const bytes = Buffer.from(b64, "base64");
  const copy = new ArrayBuffer(bytes.byteLength); // aligned, owned
  new Uint8Array(copy).set(bytes);
  return new make(copy);
}

/** Named float32 arrays as one blob: a JSON header (names, lengths, shapes) then the data, 4-byte aligned. */
export function packArrays(arrays: Record<string, { data: Float32Array; shape?: number[] }>): Uint8Array {
  const names = Object.keys(arrays).sort();
  const header = Buffer.from(
    JSON.stringify(names.map((n) => ({ n, len: arrays[n].data.length, shape: arrays[n].shape }))),
    "utf8",
  );
  const start = Math.ceil((4 + header.byteLength) / 4) * 4;
  const out = new Uint8Array(start + names.reduce((a, n) => a + arrays[n].data.byteLength, 0));
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let at = start;
  for (const n of names) {
    const d = arrays[n].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** The inverse of packArrays; every array is a copy that owns its memory. */
export function unpackArrays(bytes: Uint8Array): Record<string, { data: Float32Array; shape?: number[] }> {
  const fail = (why: string): never => {
    throw new PhasorError([{ code: "bad-blob", path: [], message: `array blob: ${why}` }]);
  };
  if (bytes.byteLength < 4) fail("too short");
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + len > bytes.byteLength) fail("header longer than the blob");
  const entries = JSON.parse(Buffer.from(bytes.subarray(4, 4 + len)).toString("utf8")) as Array<{
    n: string;
    len: number;
    shape?: number[];
  }>;
  const out: Record<string, { data: Float32Array; shape?: number[] }> = {};
  let at = Math.ceil((4 + len) / 4) * 4;
  for (const e of entries) {
    if (at + e.len * 4 > bytes.byteLength) fail(`array ${e.n} runs past the end`);
    const data = new Float32Array(e.len);
    new Uint8Array(data.buffer).set(bytes.subarray(at, at + e.len * 4));
    out[e.n] = e.shape ? { data, shape: e.shape } : { data };
    at += e.len * 4;
  }
  return out;
}

/** Several byte strings as one (u32 count, u32 lengths, then the bytes): a Program's two files, for instance. */
export function concatParts(parts: Uint8Array[]): Uint8Array {
  const head = 4 * (parts.length + 1),
    out = new Uint8Array(head + parts.reduce((a, p) => a + p.byteLength, 0));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, parts.length, true);
  let at = head;
  parts.forEach((p, i) => {
    dv.setUint32(4 * (i + 1), p.byteLength, true);
    out.set(p, at);
    at += p.byteLength;
  });
  return out;
}

/** The inverse of concatParts. */
export function splitParts(bytes: Uint8Array): Uint8Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true),
    out: Uint8Array[] = [];
  let at = 4 * (n + 1);
  for (let i = 0; i < n; i++) {
    const len = dv.getUint32(4 * (i + 1), true);
    if (at + len > bytes.byteLength)
      throw new PhasorError([{ code: "bad-blob", path: [i], message: "part runs past the end of the blob" }]);
    out.push(bytes.subarray(at, at + len));
    at += len;
  }
  return out;
}
