import { Redis } from "ioredis";
import { createLogger, type Logger } from "../lib/logger.ts";
import { ttlToMs, type KeyValueStore } from "./types.ts";

/**
 * Shared store for multi-process deployments: every server process pointing at the same
 * Redis sees the same cache entries and rate-limit counters.
 * Keys are prefixed by hand (not ioredis' keyPrefix) so SCAN patterns and raw keys stay obvious.
 */
export class RedisStore implements KeyValueStore {
  readonly kind = "redis" as const;
  readonly client: Redis;
  readonly prefix: string;
  private down = false;

  constructor(url: string, opts: { keyPrefix?: string; logger?: Logger } = {}) {
    this.prefix = opts.keyPrefix ?? "thotis:";
    // The offline queue lets commands issued while the first connection is being made wait for
    // it instead of failing; maxRetriesPerRequest bounds that wait if Redis never comes up.
    this.client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    const logger = opts.logger ?? createLogger();
    // Without an 'error' listener ioredis prints every reconnect failure; with one that logs
    // once per outage we keep the signal without flooding logs while Redis is down.
    this.client.on("error", (err: Error) => {
      if (this.down) return;
      this.down = true;
      logger.warn("redis store unavailable", { error: err.message });
    });
    this.client.on("ready", () => {
      if (this.down) logger.info("redis store reconnected");
      this.down = false;
    });
  }

  /**
   * Fail fast during an outage. With the offline queue on, a queued command waits out up to
   * maxRetriesPerRequest reconnect attempts whose backoff grows to 5 s each, so every cached
   * request would stall for many seconds while Redis is down. Once a connection error has been
   * seen (or a reconnect is pending) we reject at once: cache => miss, limiter => open.
   * Before the first error, i.e. during startup, the offline queue still absorbs commands.
   */
  private redis(): Redis {
    const { status } = this.client;
    if (status !== "ready" && (this.down || status === "reconnecting")) {
      throw new Error(`redis store unavailable (${status})`);
    }
    return this.client;
  }

  /** Connected and answering: writes that must invalidate shared entries check this first (see server/faults/store.ts). */
  reachable(): boolean {
    return this.client.status === "ready";
  }

  async get(key: string): Promise<string | null> {
    return this.redis().get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis().set(this.prefix + key, value, "PX", ttlToMs(ttlSeconds));
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length === 0) return; // DEL with no arguments is a Redis syntax error
    await this.redis().del(...keys.map((k) => this.prefix + k));
  }

  async incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }> {
    const k = this.prefix + key;
    // One MULTI so no other client can observe the counter without its expiry; PEXPIRE NX
    // (Redis 7) only applies to a key that has no TTL yet, i.e. the one INCR just created,
    // so the window is never extended by later hits.
    const results = await this.redis().multi().incr(k).pexpire(k, ttlToMs(ttlSeconds), "NX").pttl(k).exec();
    if (!results) throw new Error("redis incr: transaction aborted");
    for (const [err] of results) if (err) throw err;
    const value = Number(results[0]?.[1]);
    // Inside the MULTI the key exists with a TTL, so PTTL >= 0; clamp anyway so callers never see -1/-2.
    const ttlMs = Math.max(0, Number(results[2]?.[1]));
    return { value, ttlMs };
  }

  async close(): Promise<void> {
    // QUIT drains pending replies cleanly; if we are not connected it would just wait on
    // reconnects, so drop the socket instead.
    if (this.client.status === "ready") {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  /** Deletes every key under this store's prefix (tests, maintenance). Uses SCAN, never KEYS, so Redis isn't blocked. */
  async clearPrefix(): Promise<void> {
    let cursor = "0";
    do {
      const [next, keys] = await this.client.scan(cursor, "MATCH", `${this.prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await this.client.del(...keys);
    } while (cursor !== "0");
  }
}
