/**
 * h5wasm access for NIR files: loading the ESM-only library from our CommonJS build,
 * checking bytes before HDF5 sees them, and moving bytes through temporary files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PhasorError } from "../errors.js";

/** The h5wasm module namespace (node build). */
export type H5 = typeof import("h5wasm/node", { with: { "resolution-mode": "import" } });
/** An open HDF5 file. */
export type H5File = InstanceType<H5["File"]>;
/** An HDF5 group. */
export type H5Group = InstanceType<H5["Group"]>;
/** An HDF5 dataset. */
export type H5Dataset = InstanceType<H5["Dataset"]>;

let loading: Promise<H5> | undefined;

/** Loads h5wasm once; HDF5 errors then throw instead of printing to stderr. */
export function loadH5(): Promise<H5> {
  loading ??= (async () => {
    const h5 = await import("h5wasm/node");
    const module = await h5.ready;
    module.activate_throwing_error_handler();
    return h5;
  })();
  return loading;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Offset of the HDF5 superblock (0, 512, 1024, ...), or -1 when there is none. */
export function superblockOffset(bytes: Uint8Array): number {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return at;
  }
  return -1;
}

/** The end-of-file address the superblock records (versions 0-3), or undefined if unreadable. */
export function recordedEof(bytes: Uint8Array, at: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[at + 8];
  const sizeOfOffsets = version <= 1 ? bytes[at + 13] : bytes[at + 9];
  if (sizeOfOffsets !== 8 && sizeOfOffsets !== 4) return undefined;
  // v0/v1: fixed fields, then base, free-space, EOF addresses; v2/v3: base, extension, EOF.
  const fixed = version === 0 ? 24 : version === 1 ? 28 : 12;
  const eofAt = at + fixed + 2 * sizeOfOffsets;
  if (eofAt + sizeOfOffsets > bytes.length) return undefined;
  const eof = sizeOfOffsets === 8 ? Number(view.getBigUint64(eofAt, true)) : view.getUint32(eofAt, true);
  return eof + at;
}

/** Throws a PhasorError unless `bytes` look like a complete HDF5 file. */
export function checkHdf5Bytes(bytes: Uint8Array, source: string): void {
  const at = superblockOffset(bytes);
  if (at < 0) {
    throw new PhasorError(
      [{ code: "not-hdf5", path: [source], message: "not an HDF5 file (no HDF5 signature); a .nir file is HDF5 written by nir.write" }],
    );
  }
  const eof = recordedEof(bytes, at);
  if (eof === undefined) {
    throw new PhasorError([{ code: "truncated", path: [source], message: "truncated HDF5 file: the superblock is incomplete" }]);
  }
  if (bytes.length < eof) {
    throw new PhasorError([{
      code: "truncated",
      path: [source],
      message: `truncated HDF5 file: ${bytes.length} bytes on disk, the file header says ${eof}`,
    }]);
  }
}

/** Runs `fn` on a fresh temporary file path and removes the directory afterwards. */
export function withTempFile<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "phasor-nir-"));
  try {
    return fn(join(dir, "graph.nir"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens bytes read-only with h5wasm (via a temporary file) and passes the file to `fn`. */
export function withH5Bytes<T>(h5: H5, bytes: Uint8Array, fn: (file: H5File) => T): T {
  return withTempFile((path) => {
    writeFileSync(path, bytes);
    const file = new h5.File(path, "r");
    try {
      return fn(file);
    } finally {
      file.close();
    }
  });
}

/** Creates an HDF5 file with h5py's default format bounds, fills it, and returns its bytes. */
export function buildH5Bytes(h5: H5, fill: (file: H5File) => void): Uint8Array {
  return withTempFile((path) => {
    // h5py opens files with libver ('earliest', 'v110'); so do we, for the same superblock and headers.
    const file = new h5.File(path, "w", { libver: ["earliest", "v110"] });
    try {
      fill(file);
    } finally {
      file.close();
    }
    return new Uint8Array(readFileSync(path));
  });
}

// h5wasm's UTF-8 strings are space-padded (FORTRAN_S1); h5py's are null-terminated. The
// variable-length string datatype message, version 1 (as libver 'earliest' writes it), is
// class 9 | string, padding nibble, UTF-8, size 16, base type uint8; only the padding differs.
const VLEN_UTF8_SPACEPAD = Uint8Array.from([0x19, 0x21, 0x01, 0x00, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x08, 0]);

/**
 * Rewrites the string datatype messages of a freshly written file to null-terminated
 * padding, as h5py writes them, when exactly `expected` such messages are found (one per
 * string dataset); otherwise returns the bytes unchanged (still valid, space-padded).
 */
export function nullTerminateVlenStrings(bytes: Uint8Array, expected: number): Uint8Array {
  const hits: number[] = [];
  const first = VLEN_UTF8_SPACEPAD[0];
  for (let i = bytes.indexOf(first); i >= 0 && i + VLEN_UTF8_SPACEPAD.length <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    if (VLEN_UTF8_SPACEPAD.every((b, k) => bytes[i + k] === b)) hits.push(i);
  }
  if (hits.length !== expected) return bytes;
  const out = bytes.slice();
  for (const i of hits) out[i + 1] = 0x01;
  return out;
}
