/**
 * The one storage contract behind the response cache and the rate limiter.
 * Deliberately tiny (strings + counters with TTLs) so process memory and Redis can both
 * implement it exactly; anything richer would leak one backend's semantics into callers.
 */
export interface KeyValueStore {
  readonly kind: "memory" | "redis";
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Atomically increments an integer counter; the TTL is set only when the key is created. Returns the new value and the ms left before it expires. */
  incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }>;
  close(): Promise<void>;
  /** False while a shared store cannot be reached from this process (absent: always reachable, e.g. process memory). */
  reachable?(): boolean;
}

/** Seconds -> whole ms, at least 1: a 0 ms TTL would mean "never expires" in some code paths and an error in Redis. */
export function ttlToMs(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be > 0, got ${ttlSeconds}`);
  return Math.max(1, Math.round(ttlSeconds * 1000));
}
