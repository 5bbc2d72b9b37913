import { MemoryStore } from "./memory.ts";
import { RedisStore } from "./redis.ts";
import type { KeyValueStore } from "./types.ts";

export * from "./types.ts";
export { MemoryStore } from "./memory.ts";
export { RedisStore } from "./redis.ts";
export { createCache, type Cache } from "./cache.ts";
export { createRateLimiter, type RateLimitDecision, type RateLimiter } from "./rate-limit.ts";

/**
 * Redis when a URL is given (so several server processes share cache and limits),
 * otherwise process memory, which is correct for a single process and needs no setup.
 */
export function createStore(opts: { redisUrl?: string; keyPrefix?: string; maxMemoryEntries?: number } = {}): KeyValueStore {
  if (opts.redisUrl) {
    return new RedisStore(opts.redisUrl, { keyPrefix: opts.keyPrefix });
  }
  // keyPrefix only exists to keep apps apart on a shared Redis; a private Map needs none.
  return new MemoryStore({ maxEntries: opts.maxMemoryEntries });
}
