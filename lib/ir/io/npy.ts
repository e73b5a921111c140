/** Reading and writing NumPy .npy arrays (format versions 1.0 to 3.0, little- and big-endian numeric dtypes). */
import { PhasorError } from "../errors.js";

/** A numeric n-d array read from a file, as float64, row-major. */
export interface NdArray {
  shape: number[];
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Parses the bytes of a .npy file; `where` names the file in errors. */
export function parseNpy(bytes: Uint8Array, where = "npy"): NdArray {
  const fail = (msg: string): never => { throw new PhasorError([{ code: "bad-npy", path: [where], message: msg }]); };
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) fail("not a NumPy .npy file (missing the \\x93NUMPY magic)");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) fail("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? fail(`header has no descr: ${header}`);
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail(`header has no shape: ${header}`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const { size, read } = reader(descr) ?? fail(`unsupported dtype ${descr}; use a numeric dtype (float, int, uint, bool)`);
  const offset = start + headerLen;
  if (offset + n * size > bytes.length) fail(`truncated data: shape (${shape}) of ${descr} needs ${n * size} bytes, file has ${bytes.length - offset}`);
  let data: Float64Array = new Float64Array(n);
  const little = descr[0] !== ">";
  for (let k = 0; k < n; k++) data[k] = read(view, offset + k * size, little);
  if (fortran && shape.length > 1) data = toRowMajor(data, shape);
  return { shape, data };
}

type Read = (v: DataView, at: number, little: boolean) => number;

function reader(descr: string): { size: number; read: Read } | undefined {
  const kind = descr.slice(1, 2);
  const size = Number(descr.slice(2));
  const table: Record<string, Read | undefined> = {
    f4: (v, a, l) => v.getFloat32(a, l), f8: (v, a, l) => v.getFloat64(a, l),
    i1: (v, a) => v.getInt8(a), i2: (v, a, l) => v.getInt16(a, l), i4: (v, a, l) => v.getInt32(a, l), i8: (v, a, l) => Number(v.getBigInt64(a, l)),
    u1: (v, a) => v.getUint8(a), u2: (v, a, l) => v.getUint16(a, l), u4: (v, a, l) => v.getUint32(a, l), u8: (v, a, l) => Number(v.getBigUint64(a, l)),
    b1: (v, a) => v.getUint8(a),
  };
  const read = table[kind + size];
  return read ? { size, read } : undefined;
}

function toRowMajor(data: Float64Array, shape: number[]): Float64Array {
  const out = new Float64Array(data.length);
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  for (let f = 0; f < data.length; f++) {
    let c = 0;
    for (let d = 0; d < r; d++) c = c * shape[d] + idx[d];
    out[c] = data[f];
    for (let d = 0; d < r && ++idx[d] === shape[d]; d++) idx[d] = 0;
  }
  return out;
}

/** Serialises a float64 array as a version 1.0 .npy file. */
export function formatNpy(a: { shape: number[]; data: ArrayLike<number> }): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${a.shape.join(", ")}${a.shape.length === 1 ? "," : ""}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += " ".repeat(pad % 64) + "\n";
  const out = new Uint8Array(10 + header.length + a.data.length * 8);
  out.set(MAGIC, 0);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  for (let k = 0; k < a.data.length; k++) view.setFloat64(10 + header.length + k * 8, a.data[k], true);
  return out;
}
