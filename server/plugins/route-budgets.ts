import type { Config } from "../config.ts";
import type { Logger } from "../lib/logger.ts";
import { createRateLimiter, type KeyValueStore } from "../store/index.ts";
import type { RouteBudget } from "./http.ts";

/**
 * The one table of per-route budgets, on top of the general RATE_LIMIT_MAX: the routes an attacker gains most from
 * repeating (password guesses, slot hoarding, event spam). Each has its own counter prefix in the shared store.
 */
export function routeBudgets(store: KeyValueStore, abuse: Config["abuse"], logger: Logger): RouteBudget[] {
  const limiter = (prefix: string, limit: number) => createRateLimiter(store, { limit, windowSeconds: 60, prefix, logger });
  return [
    { name: "signin", method: "POST", path: /^\/api\/v2\/auth\/login\/?$/, limiter: limiter("rl-signin:", abuse.signInPerMinute) },
    { name: "book", method: "POST", path: /^\/api\/v2\/bookings\/?$/, limiter: limiter("rl-book:", abuse.bookingsPerMinute) },
    { name: "events", method: "POST", path: /^\/api\/v2\/analytics\/events\/?$/, limiter: limiter("rl-events:", abuse.eventsPerMinute) },
  ];
}
