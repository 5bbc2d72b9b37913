import { flatString } from "../lib/flat-string.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import type { KeyValueStore } from "./types.ts";

export interface Cache {
  getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<{ value: T; hit: boolean }>;
  /** Like getOrLoad, but answers with the value's JSON text: a hit is sent as it is, never parsed. */
  getOrLoadJson<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<{ json: string; hit: boolean }>;
  /** Like getOrLoadJson, for a loader that writes the JSON text itself (large answers built as text). */
  getOrLoadText(key: string, ttlSeconds: number, load: () => Promise<string>): Promise<{ json: string; hit: boolean }>;
  /** The stored JSON text under a key, or null (counted as a hit when found; a miss is left to getOrLoadJson). */
  peekJson(key: string): Promise<string | null>;
  invalidate(...keys: string[]): Promise<void>;
  /** Namespace versioning: bump(ns) makes every key built with versioned(ns, ...) miss from then on, across processes. */
  versioned(ns: string, key: string): Promise<string>;
  bump(ns: string): Promise<void>;
  stats(): { hits: number; misses: number };
}

/**
 * Far longer than any response-cache TTL. If the version key does expire, the next read
 * mints a fresh version, which is just a (harmless) namespace-wide miss.
 */
const VERSION_TTL_SECONDS = 7 * 24 * 3600;

/** A version is never reused: time + randomness, so entries written under an old version can't resurface. */
function newVersion(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
}

/**
 * JSON read-through cache. The cache is an optimisation, never a dependency: every store
 * failure is logged and degrades to "load from the source of truth".
 */
export function createCache(
  store: KeyValueStore,
  opts: { prefix?: string; enabled?: boolean; logger?: Logger } = {},
): Cache {
  const prefix = opts.prefix ?? "cache:";
  const enabled = opts.enabled ?? true;
  const logger = opts.logger ?? createLogger();
  let hits = 0;
  let misses = 0;

  // One warning per 30 s: during an outage every request fails the same way.
  let lastWarn = 0;
  const warn = (op: string, err: unknown) => {
    if (Date.now() - lastWarn < 30_000) return;
    lastWarn = Date.now();
    logger.warn("cache store error; serving uncached", { op, store: store.kind, error: String(err) });
  };

  const versionKey = (ns: string) => `${prefix}ver:${ns}`;

  async function readRaw(key: string): Promise<string | null> {
    try {
      return await store.get(prefix + key);
    } catch (err) {
      warn("get", err);
      return null;
    }
  }

  async function writeRaw(key: string, json: string, ttlSeconds: number): Promise<void> {
    try {
      await store.set(prefix + key, json, ttlSeconds);
    } catch (err) {
      warn("set", err);
    }
  }

  /**
   * `flatten`: the loader's text may be assembled from pieces (a rope); it is flattened once before it is stored, since
   * every send of a kept rope would pay the assembly again. Not done when nothing is stored (cache off): the one send
   * flattens it anyway.
   */
  async function loadText(key: string, ttlSeconds: number, load: () => Promise<string>, flatten: boolean) {
    if (enabled) {
      const raw = await readRaw(key);
      if (raw !== null) {
        hits++;
        return { json: raw, hit: true };
      }
    }
    misses++;
    let json = await load();
    // undefined when getOrLoadJson's value is undefined (not representable in JSON): served, not stored.
    if (enabled && json !== undefined) {
      if (flatten) json = flatString(json);
      await writeRaw(key, json, ttlSeconds);
    }
    return { json, hit: false };
  }

  return {
    async peekJson(key: string) {
      if (!enabled) return null;
      const raw = await readRaw(key);
      if (raw !== null) hits++;
      return raw;
    },

    getOrLoadJson<T>(key: string, ttlSeconds: number, load: () => Promise<T>) {
      // JSON.stringify's result is flat already.
      return loadText(key, ttlSeconds, async () => JSON.stringify(await load()), false);
    },

    getOrLoadText(key: string, ttlSeconds: number, load: () => Promise<string>) {
      return loadText(key, ttlSeconds, load, true);
    },

    async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>) {
      if (!enabled) {
        misses++;
        return { value: await load(), hit: false };
      }
      const k = prefix + key;
      let raw: string | null = null;
      try {
        raw = await store.get(k);
      } catch (err) {
        warn("get", err);
      }
      if (raw !== null) {
        try {
          const value = JSON.parse(raw) as T;
          hits++;
          return { value, hit: true };
        } catch (err) {
          warn("parse", err); // corrupt entry: reload and overwrite it below
        }
      }
      misses++;
      const value = await load();
      const json = JSON.stringify(value);
      // undefined isn't representable in JSON; not caching it is safer than caching "null".
      if (json !== undefined) {
        try {
          await store.set(k, json, ttlSeconds);
        } catch (err) {
          warn("set", err);
        }
      }
      return { value, hit: false };
    },

    async invalidate(...keys: string[]) {
      if (!enabled) return;
      // Swallowed like other store errors: the caller's write has already committed, so
      // failing the request would be worse than an entry that stays stale until its TTL.
      try {
        await store.del(...keys.map((k) => prefix + k));
      } catch (err) {
        warn("del", err);
      }
    },

    async versioned(ns: string, key: string) {
      // Cache-off mode must not pay a store round trip, or the benchmark would measure it.
      if (!enabled) return `${ns}:v0:${key}`;
      // Read on every call (one GET) rather than memoised: another process may bump at any time.
      let version: string | null = null;
      try {
        version = await store.get(versionKey(ns));
        if (version === null) {
          // Missing (never bumped, expired or evicted). A *fresh* value instead of a fixed "0"
          // so that losing the key can never bring back entries cached under an earlier "0".
          // Concurrent initialisers may overwrite each other; that only causes extra misses.
          version = newVersion();
          await store.set(versionKey(ns), version, VERSION_TTL_SECONDS);
        }
      } catch (err) {
        warn("version", err);
        version = `x${newVersion()}`; // unique => guaranteed miss, never a stale hit
      }
      return `${ns}:v${version}:${key}`;
    },

    async bump(ns: string) {
      if (!enabled) return;
      // A new random version rather than INCR: a counter that is lost (eviction/expiry) would
      // restart and could re-reach a number whose old entries are still cached.
      try {
        await store.set(versionKey(ns), newVersion(), VERSION_TTL_SECONDS);
      } catch (err) {
        warn("bump", err);
      }
    },

    stats: () => ({ hits, misses }),
  };
}
