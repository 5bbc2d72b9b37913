import { createLogger, type Logger } from "../lib/logger.ts";
import type { KeyValueStore } from "./types.ts";

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends and the count starts over. */
  resetSeconds: number;
  /** 0 when allowed; otherwise how long the client should wait (for the Retry-After header). */
  retryAfterSeconds: number;
}

/** Requests let through because the store could not count them (this process), exposed at /metrics. */
export const rateLimitFailOpen = { total: 0 };

export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
}

/**
 * Fixed window per key: the first hit creates a counter that expires after windowSeconds.
 * Counting lives in the store, so on Redis all server processes share one budget per key.
 */
export function createRateLimiter(
  store: KeyValueStore,
  opts: { limit: number; windowSeconds: number; prefix?: string; logger?: Logger },
): RateLimiter {
  const { limit, windowSeconds } = opts;
  const prefix = opts.prefix ?? "rl:";
  const logger = opts.logger ?? createLogger();
  const maxWait = Math.max(1, Math.ceil(windowSeconds));
  let lastWarn = 0;

  return {
    async consume(key: string): Promise<RateLimitDecision> {
      try {
        const { value, ttlMs } = await store.incr(prefix + key, windowSeconds);
        const resetSeconds = Math.min(maxWait, Math.ceil(ttlMs / 1000));
        const allowed = value <= limit;
        return {
          allowed,
          limit,
          remaining: Math.max(0, limit - value),
          resetSeconds,
          // Never 0 when refusing: "retry after 0 s" invites an immediate retry storm.
          retryAfterSeconds: allowed ? 0 : Math.max(1, resetSeconds),
        };
      } catch (err) {
        // Fail open: the limiter guards against abuse, it doesn't authorise anything. If the
        // store (Redis) is down, refusing every request would turn a cache outage into a full
        // API outage; briefly unlimited traffic is the lesser harm. Logged at most every 30 s, counted always.
        rateLimitFailOpen.total++;
        if (Date.now() - lastWarn >= 30_000) {
          lastWarn = Date.now();
          logger.warn("rate limiter store error; allowing request", { store: store.kind, error: String(err) });
        }
        return { allowed: true, limit, remaining: limit, resetSeconds: maxWait, retryAfterSeconds: 0 };
      }
    },
  };
}
