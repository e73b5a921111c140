/**
 * Downloads that survive broken links and cut connections: mirrors tried in order, an
 * interrupted transfer resumed with an HTTP Range request (If-Range guards against a file
 * that changed meanwhile), size, sha256 and md5 checked before the file is handed on. The
 * bytes go to a partial file beside the cache; a file that fails its checks is deleted.
 * Loops are bounded: attempts per mirror, redirect hops, idle time per request.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { dataError } from "./warehouse-errors.js";

/** What a file must be: any checksum that is null or absent is not checked. */
export interface Expected {
  size: number | null;
  sha256: string | null;
  md5?: string;
}

/** Progress and what happened, for a progress line or a log. */
export interface DownloadEvent {
  kind: "request" | "progress" | "retry" | "mirror-failed" | "verified";
  url: string;
  received: number;
  total?: number;
  message?: string;
}

/** How to download one file. */
export interface DownloadOptions {
  /** Mirrors, tried in order (http:, https:, file:). */
  urls: string[];
  /** The partial file; on success it holds the verified bytes. */
  part: string;
  expected: Expected;
  /** Names the file in messages, e.g. "shd@1/shd_train.h5.zip". */
  label: string;
  /** Tries per mirror, resuming after each cut (default 4). */
  attempts?: number;
  /** Idle time after which a request is given up, in ms (default 30000). */
  timeoutMs?: number;
  onEvent?: (e: DownloadEvent) => void;
  signal?: AbortSignal;
}

/** A verified download. */
export interface Downloaded {
  url: string;
  size: number;
  sha256: string;
  md5: string;
  /** HTTP requests made (redirects included). */
  requests: number;
  /** Byte offsets the transfer resumed from. */
  resumedFrom: number[];
}

/** Digests of a file, read once. */
export async function hashFile(path: string): Promise<Digests> {
  const sha = createHash("sha256"), md5 = createHash("md5");
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    sha.update(chunk); md5.update(chunk); size += chunk.length;
  }
  return { size, sha256: sha.digest("hex"), md5: md5.digest("hex") };
}

/** Size and digests of a file. */
export interface Digests { size: number; sha256: string; md5: string }

/** Why a check failed, or undefined when the file is what `expected` says. */
export function checkDigests(got: Digests, expected: Expected): string | undefined {
  if (expected.size !== null && got.size !== expected.size) return `size ${got.size} bytes, expected ${expected.size}`;
  if (expected.sha256 && got.sha256 !== expected.sha256) return `sha256 ${got.sha256}, expected ${expected.sha256}`;
  if (expected.md5 && got.md5 !== expected.md5) return `md5 ${got.md5}, expected ${expected.md5}`;
  return undefined;
}

type Outcome = { ok: true } | { ok: false; fatal: boolean; reason: string };

/** Requests made and offsets resumed from, over all mirrors. */
interface Tally { requests: number; resumedFrom: number[] }

interface PartMeta { url: string; validator?: string }

const MAX_REDIRECTS = 5;

type Headers = Record<string, string>;

/** Downloads `o.urls[0]`, else the next mirror, into `o.part`, resuming cut transfers; verified before it returns. */
export async function download(o: DownloadOptions): Promise<Downloaded> {
  const failures: string[] = [];
  const state: Tally = { requests: 0, resumedFrom: [] };
  for (const url of o.urls) {
    const reason = await fromMirror(url, o, state);
    if (reason === undefined) {
      const got = await hashFile(o.part);
      const bad = checkDigests(got, o.expected);
      if (!bad) {
        rmSync(o.part + ".json", { force: true });
        o.onEvent?.({ kind: "verified", url, received: got.size, total: got.size });
        return { url, ...got, ...state };
      }
      discard(o.part);
      failures.push(`${url}: ${bad}; the file is corrupted or not the one the catalog lists, and was deleted`);
    } else failures.push(`${url}: ${reason}`);
    o.onEvent?.({ kind: "mirror-failed", url, received: 0, message: failures[failures.length - 1] });
    if (o.signal?.aborted) break;
  }
  const why = o.urls.length === 0 ? "no URL to download from" : "no mirror gave a verified copy; nothing was stored.";
  throw dataError("download-failed", [o.label], [why, ...failures].join("\n  "));
}

/** Tries one mirror up to `attempts` times; undefined when the part file is complete. */
async function fromMirror(url: string, o: DownloadOptions, state: Tally): Promise<string | undefined> {
  const attempts = o.attempts ?? 4;
  let last = "";
  for (let k = 0; k < attempts; k++) {
    if (o.signal?.aborted) throw interrupted(o);
    const meta = readMeta(o.part);
    // Bytes from another mirror are only kept when a checksum will catch a mix-up.
    const keep = meta && (meta.url === url || o.expected.sha256 || o.expected.md5) ? partSize(o.part) : 0;
    if (keep === 0) discard(o.part);
    else state.resumedFrom.push(keep);
    if (k > 0) o.onEvent?.({ kind: "retry", url, received: keep, message: last });
    const r = url.startsWith("file:")
      ? await copyFile(url, o, keep)
      : await httpTransfer(url, o, { have: keep, validator: meta?.validator }, state);
    if (r.ok) return undefined;
    if (o.signal?.aborted) throw interrupted(o);
    last = r.reason;
    if (r.fatal) return r.reason;
  }
  return `gave up after ${attempts} attempts (${last})`;
}

function interrupted(o: DownloadOptions): Error {
  const kept = partSize(o.part);
  return dataError("interrupted", [o.label], `interrupted; ${kept} bytes kept, the next fetch resumes from there`);
}

function partSize(part: string): number {
  return existsSync(part) ? statSync(part).size : 0;
}

function readMeta(part: string): PartMeta | undefined {
  try {
    return existsSync(part) ? (JSON.parse(readFileSync(part + ".json", "utf8")) as PartMeta) : undefined;
  } catch {
    return undefined;
  }
}

function discard(part: string): void {
  rmSync(part, { force: true });
  rmSync(part + ".json", { force: true });
}

/** How much of the part file is kept, and the ETag or Last-Modified it was downloaded under. */
interface PartState { have: number; validator?: string }

/** One GET (following redirects), appended to the part file from `have` bytes on. */
async function httpTransfer(url: string, o: DownloadOptions, from: PartState, state: Tally): Promise<Outcome> {
  const { have, validator } = from;
  let res: IncomingMessage;
  let at = url;
  for (let hop = 0; ; hop++) {
    const headers: Headers = { "user-agent": "phasor-data/1" };
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      if (validator) headers["if-range"] = validator;
    }
    o.onEvent?.({ kind: "request", url: at, received: have, message: headers.range });
    state.requests++;
    try {
      res = await request(at, headers, o.timeoutMs ?? 30000, o.signal);
    } catch (e) {
      return { ok: false, fatal: false, reason: (e as Error).message };
    }
    const loc = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && loc) {
      res.resume();
      if (hop >= MAX_REDIRECTS) return { ok: false, fatal: true, reason: `more than ${MAX_REDIRECTS} redirects` };
      at = new URL(loc, at).href;
      continue;
    }
    break;
  }
  return receive(res, url, o, have);
}

/** Writes a response body into the part file according to its status. */
async function receive(res: IncomingMessage, url: string, o: DownloadOptions, have: number): Promise<Outcome> {
  const status = res.statusCode ?? 0;
  if (status === 416) {
    res.resume();
    if (o.expected.size !== null && have === o.expected.size) return { ok: true };
    discard(o.part);
    return { ok: false, fatal: false, reason: "HTTP 416: the server refused the resume range; starting over" };
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    const text = res.statusMessage ? ` ${res.statusMessage}` : "";
    return { ok: false, fatal: status < 500, reason: `HTTP ${status}${text}` };
  }
  let start = 0;
  if (status === 206) {
    start = Number(/bytes (\d+)-/.exec(String(res.headers["content-range"] ?? ""))?.[1] ?? NaN);
    if (start !== have) {
      res.resume();
      discard(o.part);
      return { ok: false, fatal: false, reason: `the server resumed at byte ${start}, not ${have}; starting over` };
    }
  }
  const length = Number(res.headers["content-length"] ?? NaN);
  const total = Number.isFinite(length) ? start + length : o.expected.size ?? undefined;
  const validator = String(res.headers.etag ?? res.headers["last-modified"] ?? "") || undefined;
  writeFileSync(o.part + ".json", JSON.stringify({ url, validator } satisfies PartMeta));
  let received = start;
  // Each chunk is on disk before the next is read, so a cut keeps every byte received.
  const fd = openSync(o.part, start > 0 ? "a" : "w");
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      writeSync(fd, chunk);
      received += chunk.length;
      o.onEvent?.({ kind: "progress", url, received, total });
    }
  } catch (e) {
    return { ok: false, fatal: false, reason: `cut after ${received} bytes (${(e as Error).message})` };
  } finally {
    closeSync(fd);
  }
  if (total !== undefined && received < total) {
    return { ok: false, fatal: false, reason: `cut after ${received} of ${total} bytes` };
  }
  return { ok: true };
}

/** A GET request; rejects on a network error, an idle timeout or an abort. */
function request(url: string, headers: Headers, timeoutMs: number, signal?: AbortSignal): Promise<IncomingMessage> {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return Promise.reject(new Error(`unsupported URL scheme ${u.protocol}`));
  }
  const get = u.protocol === "https:" ? httpsGet : httpGet;
  return new Promise((resolveRes, reject) => {
    const req = get(u, { headers, signal }, (res) => {
      res.setTimeout(timeoutMs, () => res.destroy(new Error(`no data for ${timeoutMs / 1000} s`)));
      resolveRes(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer for ${timeoutMs / 1000} s`)));
    req.on("error", reject);
  });
}

/** A file: URL "downloads" by copying, resuming from `have` bytes. */
async function copyFile(url: string, o: DownloadOptions, have: number): Promise<Outcome> {
  const path = fileURLToPath(url);
  if (!existsSync(path)) return { ok: false, fatal: true, reason: "no such file" };
  const size = statSync(path).size;
  const meta: PartMeta = { url, validator: String(statSync(path).mtimeMs) };
  writeFileSync(o.part + ".json", JSON.stringify(meta));
  if (have > size) discard(o.part);
  const from = have > size ? 0 : have;
  await pipeline(createReadStream(path, { start: from }), createWriteStream(o.part, { flags: from > 0 ? "a" : "w" }));
  o.onEvent?.({ kind: "progress", url, received: size, total: size });
  return { ok: true };
}

/** A small text document (a catalog) from an http(s) or file URL; bounded in size and time. */
export async function getText(url: string, what: string, maxBytes = 32 << 20): Promise<string> {
  const fail = (why: string): never => {
    throw dataError("unreachable", [what], `${url}: ${why}`);
  };
  if (url.startsWith("file:")) {
    const path = fileURLToPath(url);
    if (!existsSync(path)) fail("no such file");
    return readFileSync(path, "utf8");
  }
  let at = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: IncomingMessage;
    try {
      res = await request(at, { "user-agent": "phasor-data/1" }, 30000);
    } catch (e) {
      return fail((e as Error).message);
    }
    const loc = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && loc) {
      res.resume();
      at = new URL(loc, at).href;
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      return fail(`HTTP ${res.statusCode}`);
    }
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of res as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > maxBytes) {
        res.destroy();
        fail(`larger than ${maxBytes} bytes`);
      }
      parts.push(c);
    }
    return Buffer.concat(parts).toString("utf8");
  }
  return fail(`more than ${MAX_REDIRECTS} redirects`);
}
