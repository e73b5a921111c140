/**
 * Row-by-row reads of HDF5 variable-length arrays through h5wasm's low-level module, so a
 * sample is read only when asked for (streaming) and float16 (which h5wasm's high-level
 * reader refuses) is decoded here.
 */
import type { H5, H5Dataset } from "../ir/nir/h5.js";

/** The element type of a vlen dataset, as h5wasm's metadata reports it. */
interface VlenType { type: number; size: number; signed: boolean; littleEndian: boolean }

function vlenType(d: H5Dataset): VlenType {
  const m = d.metadata as { vlen_type?: VlenType; type: number; size: number; signed: boolean; littleEndian: boolean };
  return m.vlen_type ?? m;
}

/** Decodes an IEEE half-precision number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(bytes: Uint8Array, t: VlenType): Float64Array {
  const n = bytes.length / t.size;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  const le = t.littleEndian;
  for (let i = 0; i < n; i++) {
    const o = i * t.size;
    if (t.type === 1) out[i] = t.size === 2 ? halfToFloat(v.getUint16(o, le)) : t.size === 4 ? v.getFloat32(o, le) : v.getFloat64(o, le);
    else if (t.size === 1) out[i] = t.signed ? v.getInt8(o) : v.getUint8(o);
    else if (t.size === 2) out[i] = t.signed ? v.getInt16(o, le) : v.getUint16(o, le);
    else if (t.size === 4) out[i] = t.signed ? v.getInt32(o, le) : v.getUint32(o, le);
    else out[i] = Number(t.signed ? v.getBigInt64(o, le) : v.getBigUint64(o, le));
  }
  return out;
}

/** Reads row i of a 1-d variable-length dataset as float64 values. */
export function readVlenRow(h5: H5, d: H5Dataset, i: number): Float64Array {
  const M = h5.Module;
  const t = vlenType(d);
  const ptr = M._malloc(8);
  const count = [1n];
  try {
    M.get_dataset_data(d.file_id, d.path, count, [BigInt(i)], [1n], BigInt(ptr));
    const pair = new Uint32Array(M.HEAPU8.buffer, ptr, 2);
    const [len, dataPtr] = [pair[0], pair[1]];
    return decode(M.HEAPU8.slice(dataPtr, dataPtr + len * t.size), t);
  } finally {
    M.reclaim_vlen_memory_count(d.file_id, d.path, "", BigInt(ptr), count);
    M._free(ptr);
  }
}

/** Reads a whole 1-d numeric dataset as float64 values (any int or float width). */
export function readNumbers(d: H5Dataset): Float64Array {
  const v = d.value;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Float64Array.from(v as ArrayLike<number | bigint>, Number);
  if (Array.isArray(v)) return Float64Array.from(v, Number);
  throw new Error(`${d.path}: not a numeric array`);
}
