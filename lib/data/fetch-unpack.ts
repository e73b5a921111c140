/**
 * Unpacking downloaded archives, streamed (archives of several GB): gzip, tar (ustar, GNU
 * long names, pax paths), tar.gz and zip (stored or deflated, zip64 sizes and offsets, CRC-32
 * checked). Entries that would land outside the destination (absolute, `..`) are refused;
 * links and devices are skipped.
 */
import { closeSync, createReadStream, createWriteStream, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { writeSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createInflateRaw, crc32 } from "node:zlib";
import { dataError } from "./warehouse-errors.js";

/** How a file is unpacked. */
export type UnpackKind = "gzip" | "zip" | "tar" | "tar.gz";

/** Unpacks `src` into `destDir`; a gzip file becomes `name` without its .gz. Returns the paths written (relative). */
export async function unpack(kind: UnpackKind, src: string, destDir: string, name: string): Promise<string[]> {
  mkdirSync(destDir, { recursive: true });
  if (kind === "gzip") {
    const out = name.replace(/\.gz$/i, "");
    await pipeline(createReadStream(src), createGunzip(), createWriteStream(safeJoin(destDir, out, name)));
    return [out];
  }
  if (kind === "zip") return unzip(src, destDir, name);
  const input: Readable = createReadStream(src);
  return untar(kind === "tar.gz" ? input.pipe(createGunzip()) : input.pipe(new PassThrough()), destDir, name);
}

/** `dest/entry`, refusing an entry that would land outside `dest`. */
export function safeJoin(dest: string, entry: string, archive: string): string {
  const clean = normalize(entry.replace(/\\/g, "/"));
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(".." + sep) || clean.split(sep).includes("..")) {
    throw dataError("bad-archive", [archive, entry], "entry would be written outside the destination folder; refused");
  }
  return join(dest, clean);
}

const BLOCK = 512;

/** Reads a tar stream: 512-byte headers, file data padded to 512 bytes. */
async function untar(input: Readable, dest: string, archive: string): Promise<string[]> {
  const written: string[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let fd = -1, left = 0, pad = 0, longName: string | undefined, meta: "L" | "x" | undefined, metaBuf: Buffer[] = [];
  const startEntry = (h: Buffer): void => {
    const size = parseOctal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 48);
    const name = longName ?? entryName(h);
    longName = undefined;
    left = size;
    pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === "L" || type === "x") { meta = type; metaBuf = []; return; }
    meta = undefined;
    if (type === "5") { mkdirSync(safeJoin(dest, name, archive), { recursive: true }); return; }
    if (type !== "0" && type !== "7") return; // links, devices, global pax: skipped
    const path = safeJoin(dest, name, archive);
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, "w");
    written.push(name);
  };
  const endEntry = (): void => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    if (meta) {
      const text = Buffer.concat(metaBuf).toString("utf8");
      longName = meta === "L" ? text.replace(/\0.*$/s, "") : /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text)?.[1] ?? longName;
    }
    meta = undefined;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let at = 0;
      for (;;) {
        if (left > 0) {
          const n = Math.min(left, buf.length - at);
          if (n === 0) break;
          const data = buf.subarray(at, at + n);
          if (fd >= 0) writeSync(fd, data);
          else if (meta) metaBuf.push(Buffer.from(data));
          at += n; left -= n;
          if (left > 0) break;
          endEntry();
        }
        if (pad > 0) {
          const n = Math.min(pad, buf.length - at);
          at += n; pad -= n;
          if (pad > 0) break;
        }
        if (buf.length - at < BLOCK) break;
        const h = buf.subarray(at, at + BLOCK);
        at += BLOCK;
        if (h.every((b) => b === 0)) continue;
        startEntry(h);
        if (left === 0) endEntry();
      }
      buf = buf.subarray(at);
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  if (left > 0) throw dataError("bad-archive", [archive], "truncated tar archive");
  return written;
}

function entryName(h: Buffer): string {
  const text = (b: Buffer) => b.toString("utf8").replace(/\0.*$/s, "");
  const name = text(h.subarray(0, 100));
  const prefix = h.subarray(257, 262).toString("latin1") === "ustar" ? text(h.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function parseOctal(b: Buffer): number {
  if (b[0] & 0x80) { // GNU base-256 for sizes of 8 GiB and more
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i];
    return v;
  }
  const s = b.toString("latin1").replace(/[\0 ]+/g, "");
  return s ? parseInt(s, 8) : 0;
}

/** A central-directory entry: compressed and uncompressed sizes, local header offset. */
interface ZipEntry {
  name: string; method: number; flags: number; crc: number; csize: number; usize: number; offset: number;
}

/** Extracts a zip file entry by entry from its central directory. */
async function unzip(src: string, dest: string, archive: string): Promise<string[]> {
  const fd = openSync(src, "r");
  try {
    const written: string[] = [];
    for (const e of centralDirectory(fd, archive)) {
      const bad = (m: string) => dataError("bad-archive", [archive, e.name], m);
      if (e.flags & 1) throw bad("encrypted zip entries are not supported");
      const path = safeJoin(dest, e.name, archive);
      if (e.name.endsWith("/")) { mkdirSync(path, { recursive: true }); continue; }
      if (e.method !== 0 && e.method !== 8) throw bad(`compression method ${e.method} is not supported`);
      mkdirSync(dirname(path), { recursive: true });
      const local = Buffer.alloc(30);
      readSync(fd, local, 0, 30, e.offset);
      const start = e.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = e.csize > 0 ? createReadStream(src, { start, end: start + e.csize - 1 }) : emptyStream();
      let crc = 0;
      const check = new Transform({ transform(c: Buffer, _e, done) { crc = crc32(c, crc); done(null, c); } });
      await pipeline(e.method === 8 ? raw.pipe(createInflateRaw()) : raw, check, createWriteStream(path));
      if (crc >>> 0 !== e.crc >>> 0) throw bad("CRC-32 mismatch: the archive is damaged");
      written.push(e.name);
    }
    return written;
  } finally {
    closeSync(fd);
  }
}

function emptyStream(): Readable {
  const p = new PassThrough();
  p.end();
  return p;
}

/** The central directory's entries (zip64 end record and extra fields read where present). */
function centralDirectory(fd: number, archive: string): ZipEntry[] {
  const fail = (m: string): never => { throw dataError("bad-archive", [archive], m); };
  const size = fstatSync(fd).size;
  const tail = Buffer.alloc(Math.min(size, 65557));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) fail("not a zip file (no end of central directory)");
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const loc = eocd - 20;
  if (loc >= 0 && tail.readUInt32LE(loc) === 0x07064b50) {
    const z = Buffer.alloc(56);
    readSync(fd, z, 0, 56, Number(tail.readBigUInt64LE(loc + 8)));
    if (z.readUInt32LE(0) !== 0x06064b50) fail("broken zip64 end record");
    count = Number(z.readBigUInt64LE(32));
    cdSize = Number(z.readBigUInt64LE(40));
    cdOffset = Number(z.readBigUInt64LE(48));
  }
  const cd = Buffer.alloc(cdSize);
  readSync(fd, cd, 0, cdSize, cdOffset);
  const out: ZipEntry[] = [];
  for (let at = 0, i = 0; i < count; i++) {
    if (cd.readUInt32LE(at) !== 0x02014b50) fail("broken central directory");
    const nameLen = cd.readUInt16LE(at + 28), extraLen = cd.readUInt16LE(at + 30);
    const commentLen = cd.readUInt16LE(at + 32);
    const e: ZipEntry = {
      name: cd.toString("utf8", at + 46, at + 46 + nameLen), flags: cd.readUInt16LE(at + 8),
      method: cd.readUInt16LE(at + 10), crc: cd.readUInt32LE(at + 16), csize: cd.readUInt32LE(at + 20),
      usize: cd.readUInt32LE(at + 24), offset: cd.readUInt32LE(at + 42),
    };
    zip64Extra(cd.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen), e);
    out.push(e);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Replaces 0xffffffff sizes and offset by the zip64 extra field's values, in the order the format lists them. */
function zip64Extra(extra: Buffer, e: ZipEntry): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at), len = extra.readUInt16LE(at + 2);
    if (id === 1) {
      let p = at + 4;
      const next = () => { const v = Number(extra.readBigUInt64LE(p)); p += 8; return v; };
      if (e.usize === 0xffffffff) e.usize = next();
      if (e.csize === 0xffffffff) e.csize = next();
      if (e.offset === 0xffffffff) e.offset = next();
    }
    at += 4 + len;
  }
}
