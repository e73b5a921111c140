// Helpers of the data-warehouse tests: a static file server on loopback that counts requests,
// honours Range and can cut a response; zip and tar writers; event recordings in real formats.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { formatAedat31 } from "../lib/data/aedat.js";
import { allocEvents, type Events } from "../lib/data/events.js";
import { formatNmnistBin } from "../lib/data/nmnist.js";
import { Rng } from "../lib/ir/random.js";

/** What the server does for one path. */
export interface Route {
  body: Uint8Array;
  /** Send only this many bytes of the first full response, then drop the connection. */
  cutOnceAt?: number;
  status?: number;
}

/** One request the server saw. */
export interface Seen { path: string; range?: string; status: number }

/** A static server on 127.0.0.1 (an OS-chosen port) serving in-memory files with ETag and Range. */
export class LoopbackServer {
  readonly routes = new Map<string, Route>();
  readonly seen: Seen[] = [];
  private server?: Server;
  private port = 0;

  /** Starts listening on loopback only. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      const route = this.routes.get(path);
      const range = req.headers.range;
      const log = (status: number) => this.seen.push({ path, range, status });
      if (!route || route.status === 404) { log(404); res.writeHead(404).end("not found"); return; }
      const body = route.body, etag = `"${crc32(body).toString(16)}-${body.length}"`;
      const m = /^bytes=(\d+)-$/.exec(range ?? "");
      const resume = m && (!req.headers["if-range"] || req.headers["if-range"] === etag);
      const start = resume ? Number(m[1]) : 0;
      if (start >= body.length && body.length > 0) { log(416); res.writeHead(416, { "content-range": `bytes */${body.length}` }).end(); return; }
      const status = resume ? 206 : 200;
      log(status);
      res.writeHead(status, {
        "content-length": body.length - start, etag, "accept-ranges": "bytes",
        ...(resume ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      });
      if (route.cutOnceAt !== undefined && !resume) {
        const cut = route.cutOnceAt;
        route.cutOnceAt = undefined;
        res.write(body.subarray(0, cut), () => res.socket?.destroy());
        return;
      }
      res.end(body.subarray(start));
    });
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok));
    const a = this.server.address();
    this.port = typeof a === "object" && a ? a.port : 0;
    return this;
  }

  /** The URL of a path on this server. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests made for a path (or all). */
  count(path?: string): number {
    return this.seen.filter((s) => path === undefined || s.path === path).length;
  }

  close(): Promise<void> {
    return new Promise((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

/** Counts the bytes h5wasm (and anything else) reads through fs.readSync while `fn` runs. */
export function bytesRead<T>(fn: () => T): { value: T; bytes: number; reads: number } {
  const fs = createRequire(__filename)("fs") as typeof import("fs");
  const orig = fs.readSync;
  let bytes = 0, reads = 0;
  fs.readSync = ((...a: Parameters<typeof orig>) => { const n = orig(...a); bytes += n; reads++; return n; }) as typeof orig;
  try {
    return { value: fn(), bytes, reads };
  } finally {
    fs.readSync = orig;
  }
}

/** A zip archive of the files (deflated when `deflate`), as zip writers lay it out. */
export function zipOf(files: Record<string, Uint8Array>, deflate = true): Uint8Array {
  const locals: Buffer[] = [], central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const packed = deflate ? deflateRawSync(data) : Buffer.from(data);
    const n = Buffer.from(name, "utf8"), crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(deflate ? 8 : 0, 10);
    cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(packed.length, 20); cd.writeUInt32LE(data.length, 24); cd.writeUInt16LE(n.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    central.push(cd, n);
    offset += 30 + n.length + packed.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  const count = Object.keys(files).length;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(count, 8); end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cdBuf.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

/** A gzipped ustar archive of the files. */
export function tarGzOf(files: Record<string, Uint8Array>): Uint8Array {
  const parts: Buffer[] = [];
  for (const [name, data] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, "utf8");
    h.write("0000644\0", 100); h.write("0000000\0", 108); h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124); h.write("00000000000\0", 136);
    h.write("        ", 148); h[156] = 48; h.write("ustar\0", 257); h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    parts.push(h, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** Random time-sorted camera events: class c fires mostly in its own quadrant. */
export function cameraEvents(rng: Rng, n: number, size: number, cls: number, span = 300_000): Events {
  const e = allocEvents(n);
  const t = Array.from({ length: n }, () => Math.floor(rng.random() * span)).sort((a, b) => a - b);
  const half = size >> 1, qx = (cls % 2) * half, qy = ((cls >> 1) % 2) * half;
  for (let k = 0; k < n; k++) {
    const own = rng.random() < 0.8;
    e.t[k] = t[k];
    e.x[k] = own ? qx + Math.floor(rng.random() * half) : Math.floor(rng.random() * size);
    e.y[k] = own ? qy + Math.floor(rng.random() * half) : Math.floor(rng.random() * size);
    e.p[k] = rng.random() < 0.5 ? 1 : 0;
  }
  return e;
}

/** An N-MNIST folder (Train|Test/<digit>/<n>.bin) with `perClass` samples of each of `classes` digits; returns the events by file. */
export function writeNmnist(root: string, o: { classes: number; perClass: number; events: [number, number]; seed: number }): Map<string, Events> {
  const rng = new Rng(o.seed);
  const out = new Map<string, Events>();
  for (const sub of ["Train", "Test"]) {
    for (let d = 0; d < o.classes; d++) {
      mkdirSync(join(root, sub, String(d)), { recursive: true });
      for (let i = 0; i < o.perClass; i++) {
        const n = o.events[0] + Math.floor(rng.random() * (o.events[1] - o.events[0]));
        const e = cameraEvents(rng, n, 34, d);
        const rel = `${sub}/${d}/${String(i).padStart(5, "0")}.bin`;
        writeFileSync(join(root, rel), formatNmnistBin(e));
        out.set(rel, e);
      }
    }
  }
  return out;
}

/** A DVS Gesture release folder: one AEDAT 3.1 trial per split with a labels CSV and the trial lists. */
export function writeGesture(root: string, seed: number): void {
  const rng = new Rng(seed);
  mkdirSync(root, { recursive: true });
  for (const [split, user] of [["train", "user01_led"], ["test", "user02_natural"]]) {
    const e = cameraEvents(rng, 3000, 128, 1, 3_000_000);
    writeFileSync(join(root, `${user}.aedat`), formatAedat31(e));
    writeFileSync(join(root, `${user}_labels.csv`), "class,startTime_usec,endTime_usec\n2,100000,1000000\n5,1200000,2500000\n11,2500000,2900000\n");
    writeFileSync(join(root, `trials_to_${split}.txt`), `${user}.aedat\n`);
  }
}

/** The same event arrays (as plain numbers), for toEqual. */
export function plain(e: Events): { t: number[]; x: number[]; y: number[]; p: number[] } {
  return { t: Array.from(e.t), x: Array.from(e.x), y: Array.from(e.y), p: Array.from(e.p) };
}
