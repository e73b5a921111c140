import { describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { BlobStore, blobKey } from "./blobs.js";
import { sha256 } from "./codec.js";

/** The three Redis commands a BlobStore uses, in memory, counting the gets. */
function fakeRedis() {
  const kv = new Map<string, Buffer>();
  const calls = { getBuffer: 0, set: 0, expire: 0 };
  const r = {
    async set(k: string, v: Buffer, _ex: string, _ttl: number, _nx: string) {
      calls.set++;
      if (kv.has(k)) return null;
      kv.set(k, Buffer.from(v));
      return "OK";
    },
    async expire() {
      calls.expire++;
      return 1;
    },
    async getBuffer(k: string) {
      calls.getBuffer++;
      return kv.get(k) ?? null;
    },
    async del(...ks: string[]) {
      ks.forEach((k) => kv.delete(k));
      return ks.length;
    },
  };
  return { redis: r as unknown as Redis, kv, calls };
}

describe("BlobStore", () => {
  it("a blob travels from Redis once per store, then comes from the cache", async () => {
    const f = fakeRedis(),
      writer = new BlobStore(f.redis, { cacheBytes: 0 }),
      reader = new BlobStore(f.redis);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const sha = await writer.put(bytes);
    expect(sha).toBe(sha256(bytes));
    expect(f.kv.has(blobKey(sha))).toBe(true);
    for (let i = 0; i < 5; i++) expect(Array.from(await reader.get(sha))).toEqual(Array.from(bytes));
    expect(f.calls.getBuffer).toBe(1);
    expect(reader.stats).toMatchObject({ fetched: 1, fetchedBytes: 1000, cacheHits: 4 });
  });

  it("a second put only renews the time to live", async () => {
    const f = fakeRedis(),
      s = new BlobStore(f.redis);
    await s.put(Uint8Array.from([1, 2]));
    await s.put(Uint8Array.from([1, 2]));
    expect(f.calls).toMatchObject({ set: 2, expire: 1 });
  });

  it("the cache holds at most cacheBytes, least recently used out first", async () => {
    const f = fakeRedis(),
      w = new BlobStore(f.redis, { cacheBytes: 0 }),
      r = new BlobStore(f.redis, { cacheBytes: 250 });
    const shas = await Promise.all([1, 2, 3].map((k) => w.put(new Uint8Array(100).fill(k))));
    for (const s of shas) await r.get(s); // caches 2 and 3; 1 is out
    expect(r.stats.cachedBytes).toBe(200);
    await r.get(shas[2]);
    await r.get(shas[0]);
    expect(f.calls.getBuffer).toBe(4);
  });

  it("a missing or altered blob is a clear error", async () => {
    const f = fakeRedis(),
      s = new BlobStore(f.redis, { cacheBytes: 0 });
    await expect(s.get("ab".repeat(32))).rejects.toThrow(
      /blob abababababab… is not in Redis \(expired after its time to live, or Redis was flushed\); submit the work again/,
    );
    const sha = await s.put(Uint8Array.from([5]));
    f.kv.set(blobKey(sha), Buffer.from([6]));
    await expect(s.get(sha)).rejects.toThrow(/does not match its hash/);
  });
});
