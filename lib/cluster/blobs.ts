/**
 * Content-addressed blobs in Redis (key phasor:blob:SHA256, with a time to live): a job names
 * its Program, graph, inputs or weights by hash, so a blob travels to a worker once and is
 * then served from the worker's own memory cache (least recently used first out).
 */
import type { Redis } from "ioredis";
import { PhasorError } from "../ir/errors.js";
import { sha256 } from "./codec.js";
import { PREFIX } from "./connection.js";

/** Default time to live of a blob in Redis: one day (each put renews it). */
export const BLOB_TTL_S = 24 * 3600;

/** Redis key of a blob. */
export const blobKey = (sha: string): string => `${PREFIX}:blob:${sha}`;

/** Blob statistics of one store (what a worker reports). */
export interface BlobStats {
  fetched: number;
  fetchedBytes: number;
  cacheHits: number;
  cachedBytes: number;
}

/** Puts and gets blobs; gets are cached in memory up to `cacheBytes`. */
export class BlobStore {
  private cache = new Map<string, Uint8Array>();
  readonly stats: BlobStats = { fetched: 0, fetchedBytes: 0, cacheHits: 0, cachedBytes: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly o: { ttlS?: number; cacheBytes?: number } = {},
  ) {}

  /** Stores bytes under their sha256 (once; a second put only renews the time to live); returns the hash. */
  async put(bytes: Uint8Array, ttlS?: number): Promise<string> {
    const sha = sha256(bytes),
      key = blobKey(sha),
      ttl = ttlS ?? this.o.ttlS ?? BLOB_TTL_S;
    const set = await this.redis.set(
      key,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      "EX",
      ttl,
      "NX",
    );
    if (set === null) await this.redis.expire(key, ttl);
    this.remember(sha, bytes);
    return sha;
  }

  /** The blob named `sha`, from the cache or Redis, checked against its hash. */
  async get(sha: string): Promise<Uint8Array> {
    const hit = this.cache.get(sha);
    if (hit) {
      this.cache.delete(sha); // re-insert: most recently used last
      this.cache.set(sha, hit);
      this.stats.cacheHits++;
      return hit;
    }
    const buf = await this.redis.getBuffer(blobKey(sha));
    if (!buf)
      throw new PhasorError([
        {
          code: "blob-missing",
          path: [sha.slice(0, 12)],
          message: `blob ${sha.slice(0, 12)}… is not in Redis (expired after its time to live, or Redis was flushed); submit the work again`,
        },
      ]);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (sha256(bytes) !== sha)
      throw new PhasorError([
        {
          code: "blob-corrupt",
          path: [sha.slice(0, 12)],
          message: `blob ${sha.slice(0, 12)}… does not match its hash`,
        },
      ]);
    this.stats.fetched++;
    this.stats.fetchedBytes += bytes.byteLength;
    this.remember(sha, bytes);
    return bytes;
  }

  /** Removes blobs from Redis (not from the caches that hold them). */
  async delete(shas: string[]): Promise<void> {
    if (shas.length) await this.redis.del(...shas.map(blobKey));
  }

  private remember(sha: string, bytes: Uint8Array): void {
    const limit = this.o.cacheBytes ?? 256 * 2 ** 20;
    if (bytes.byteLength > limit || this.cache.has(sha)) return;
    this.cache.set(sha, bytes);
    this.stats.cachedBytes += bytes.byteLength;
    for (const [k, v] of this.cache) {
      if (this.stats.cachedBytes <= limit) break;
      this.cache.delete(k);
      this.stats.cachedBytes -= v.byteLength;
    }
  }
}
