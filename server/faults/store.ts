import { Elysia } from "elysia";
import { AppError, ErrorCode } from "../lib/errors.ts";
import type { KeyValueStore } from "../store/index.ts";

export const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * The rule that bounds staleness when a process cannot reach the shared store (Redis):
 * a write through this process would commit without invalidating the entries every other process serves, which
 * then stay stale for their whole TTL (up to 300 s). So while this process cannot reach the shared store, its API
 * writes (POST, PUT, PATCH, DELETE under /api/v2) answer 503 CACHE_UNAVAILABLE with Retry-After before touching the
 * database; reads are served from the database (cache misses). Other processes keep serving normally, and their
 * entries are never older than the last write they saw invalidated. Sign-in and analytics events write nothing cached
 * and stay open. The process-memory store is never shared: the rule does not apply to it.
 */
export function sharedStoreWriteGuard(store: KeyValueStore, exempt: string[]) {
  const writes = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  return new Elysia({ name: "thotis/shared-store-guard" }).onRequest(({ request }) => {
    if (!store.reachable || !writes.has(request.method)) return;
    const path = new URL(request.url).pathname;
    if (!path.startsWith("/api/v2/") || exempt.some((p) => path.startsWith(p))) return;
    if (store.reachable()) return;
    throw new AppError(503, ErrorCode.CACHE_UNAVAILABLE, "The shared cache is unavailable; changes are paused for a moment. Please try again shortly.", undefined, {
      "retry-after": String(STORE_RETRY_AFTER_SECONDS),
    });
  });
}
