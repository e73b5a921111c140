/**
 * Reaching Redis: URLs as BullMQ (through ioredis) accepts them (redis://[user:password@]host:port[/db],
 * rediss:// for TLS), checked with a clear message; a connection that fails fast instead of
 * retrying silently; the queue names and key prefix every Phasor process agrees on.
 */
import IORedis, { type Redis, type RedisOptions } from "ioredis";
import { PhasorError } from "../ir/errors.js";

/** The BullMQ key prefix of every Phasor queue (keys phasor:sweep:*, ...), and of Phasor's own keys. */
export const PREFIX = "phasor";

/** Job kinds, one queue each. */
export const QUEUES = ["sweep", "run", "eval", "train"] as const;
export type QueueName = (typeof QUEUES)[number];

/** A checked Redis URL and the same with any password hidden (for logs and errors). */
export interface RedisTarget {
  url: string;
  shown: string;
  tls: boolean;
}

/** Checks a Redis URL; `what` names where it came from (an option). */
export function redisTarget(url: string, what = "--redis"): RedisTarget {
  const bad = (why: string): never => {
    throw new PhasorError([
      {
        code: "redis-url",
        path: [what],
        message: `${why}; give redis://HOST:PORT (rediss:// for TLS, redis://:PASSWORD@HOST:PORT with a password)`,
      },
    ]);
  };
  if (!url.includes("://")) bad(`"${url}" has no scheme (write redis://${url})`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad(`"${url}" is not a URL`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") bad(`"${url}" is not a Redis URL (scheme ${u.protocol})`);
  if (!u.hostname) bad(`"${url}" names no host`);
  if (u.pathname && u.pathname !== "/" && !/^\/\d+$/.test(u.pathname))
    bad(`"${url}": the path must be a database number (/0 ... /15)`);
  const shown = u.password ? url.replace(`:${u.password}@`, ":***@") : url;
  return { url, shown, tls: u.protocol === "rediss:" };
}

/** Options every Phasor connection uses: BullMQ needs maxRetriesPerRequest null on blocking connections. */
function options(extra: RedisOptions = {}): RedisOptions {
  return { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true, ...extra };
}

/**
 * Connects, or fails within `timeoutMs` with an error naming the server and what to do. Once
 * connected, ioredis reconnects by itself after a network blip; `onError` sees those errors.
 */
export async function connectRedis(
  t: RedisTarget,
  o: { timeoutMs?: number; onError?: (e: Error) => void; name?: string } = {},
): Promise<Redis> {
  const redis = new IORedis(t.url, options({ connectionName: o.name, retryStrategy: (n) => Math.min(2000, 100 * n) }));
  let last: Error | undefined;
  redis.on("error", (e: Error) => {
    last = e;
    o.onError?.(e);
  });
  const timeoutMs = o.timeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
      }),
    ]);
    await redis.ping();
    return redis;
  } catch (e) {
    redis.disconnect();
    const why = last?.message ?? (e as Error).message;
    throw new PhasorError([
      {
        code: "redis-unreachable",
        path: [],
        message: `cannot reach Redis at ${t.shown} (${why}); start it (redis-server --bind 127.0.0.1) or check the URL`,
      },
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection, quietly when it is already gone. */
export async function closeRedis(r: Redis | undefined): Promise<void> {
  if (!r) return;
  try {
    await r.quit();
  } catch {
    r.disconnect();
  }
}
