import { describe, expect, it } from "vitest";
import { connectRedis, redisTarget } from "./connection.js";
import { explain, progressNote } from "./client.js";

describe("Redis URLs and messages", () => {
  it("accepts the URLs BullMQ (ioredis) takes and hides passwords", () => {
    expect(redisTarget("redis://127.0.0.1:6379")).toEqual({
      url: "redis://127.0.0.1:6379",
      shown: "redis://127.0.0.1:6379",
      tls: false,
    });
    expect(redisTarget("rediss://:s3cret@h.example:6380/2")).toMatchObject({
      shown: "rediss://:***@h.example:6380/2",
      tls: true,
    });
    expect(redisTarget("redis://user:pw@h:1").shown).toBe("redis://user:***@h:1");
  });

  it("refuses what is not a Redis URL, naming the option", () => {
    expect(() => redisTarget("127.0.0.1:6379", "--cluster")).toThrow(
      /--cluster: "127\.0\.0\.1:6379" has no scheme \(write redis:\/\/127\.0\.0\.1:6379\)/,
    );
    expect(() => redisTarget("http://h:1")).toThrow(
      /--redis: "http:\/\/h:1" is not a Redis URL \(scheme http:\); give redis:\/\/HOST:PORT/,
    );
    expect(() => redisTarget("redis://a b")).toThrow(/is not a URL/);
    expect(() => redisTarget("redis://h:1/x")).toThrow(/the path must be a database number/);
  });

  it("an unreachable server fails fast with what to do", async () => {
    await expect(connectRedis(redisTarget("redis://127.0.0.1:1"), { timeoutMs: 2000 })).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); start it/,
    );
  });

  it("progress reads jobs done/running/failed and each worker's rate; BullMQ's stall failure in words", () => {
    expect(
      progressNote({
        total: 24,
        done: 12,
        running: 3,
        failed: 1,
        seconds: 4,
        workers: { a: { done: 8, perSecond: 2 }, b: { done: 4, perSecond: 1 } },
      }),
    ).toBe("12 of 24 done, 3 running, 1 failed; a: 2.0/s, b: 1.0/s");
    expect(explain("job stalled more than allowable limit")).toMatch(/^its worker was lost/);
    expect(explain("boom")).toBe("boom");
  });
});
