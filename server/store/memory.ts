import { ttlToMs, type KeyValueStore } from "./types.ts";

interface Entry {
  value: string;
  expiresAt: number;
}

/** How many entries each write inspects for expiry; keeps every call O(1) while still reclaiming dead keys over time. */
const SWEEP_BATCH = 32;

/**
 * Single-process store. Map iteration order is insertion order, which gives us
 * "evict oldest insertion first" for free.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = "memory" as const;
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  // Persistent iterator so successive sweeps walk the whole map round-robin instead of
  // re-checking the same oldest keys; Map iterators tolerate deletes and see later inserts.
  private sweepCursor: Iterator<[string, Entry]> | null = null;

  constructor(opts: { maxEntries?: number; now?: () => number } = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? 10_000);
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const expiresAt = this.now() + ttlToMs(ttlSeconds);
    // Re-setting counts as a fresh insertion (moves to the back of the eviction queue), as in Redis a SET replaces the key.
    this.entries.delete(key);
    this.insert(key, { value, expiresAt });
  }

  async del(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  // No await anywhere in here: the read-modify-write runs to completion before any other
  // caller's incr can start, which is what makes it atomic on a single JS thread.
  async incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }> {
    const now = this.now();
    const entry = this.live(key);
    if (!entry) {
      const expiresAt = now + ttlToMs(ttlSeconds);
      this.insert(key, { value: "1", expiresAt });
      return { value: 1, ttlMs: expiresAt - now };
    }
    const current = Number(entry.value);
    // Mirror Redis ("value is not an integer") rather than silently restarting a counter.
    if (!Number.isSafeInteger(current)) throw new Error(`ERR value is not an integer: ${key}`);
    entry.value = String(current + 1);
    return { value: current + 1, ttlMs: entry.expiresAt - now };
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.sweepCursor = null;
  }

  /** Returns the entry if present and unexpired, deleting it lazily otherwise. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private insert(key: string, entry: Entry): void {
    this.sweep();
    // Prefer reclaiming expired space (above) before evicting live data; only then drop the oldest.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }

  private sweep(): void {
    const now = this.now();
    for (let i = 0; i < SWEEP_BATCH; i++) {
      this.sweepCursor ??= this.entries.entries();
      const next = this.sweepCursor.next();
      if (next.done) {
        this.sweepCursor = null;
        return; // reached the end; restart from the oldest on the next write
      }
      const [key, entry] = next.value;
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
