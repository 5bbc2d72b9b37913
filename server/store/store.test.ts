import { afterAll, describe, expect, test } from "bun:test";
import { createCache, createStore, MemoryStore, RedisStore, type KeyValueStore } from "./index.ts";
import { createLogger } from "../lib/logger.ts";

const REDIS_URL = process.env.TEST_REDIS_URL;
// Unique per run so parallel/previous runs never see each other's keys; only this prefix is flushed.
const RUN_PREFIX = `thotis-test:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}:`;
const quiet = createLogger("silent");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
const uniq = (name: string) => `${name}-${++seq}`;

const backends: { name: string; open: () => KeyValueStore }[] = [{ name: "memory", open: () => new MemoryStore() }];
if (REDIS_URL) backends.push({ name: "redis", open: () => new RedisStore(REDIS_URL, { keyPrefix: RUN_PREFIX, logger: quiet }) });

const opened: KeyValueStore[] = [];
afterAll(async () => {
  for (const s of opened) {
    if (s instanceof RedisStore) await s.clearPrefix();
    await s.close();
  }
});

for (const backend of backends) {
  describe(`KeyValueStore (${backend.name})`, () => {
    const store = backend.open();
    opened.push(store);

    test("kind", () => expect(store.kind).toBe(backend.name as "memory" | "redis"));

    test("set / get / overwrite / missing", async () => {
      const k = uniq("sg");
      expect(await store.get(k)).toBeNull();
      await store.set(k, "a", 60);
      expect(await store.get(k)).toBe("a");
      await store.set(k, "b", 60);
      expect(await store.get(k)).toBe("b");
    });

    test("del removes several keys; no keys is a no-op", async () => {
      const [a, b, c] = [uniq("d"), uniq("d"), uniq("d")];
      await store.set(a, "1", 60);
      await store.set(b, "2", 60);
      await store.set(c, "3", 60);
      await store.del(a, b, uniq("never-set"));
      expect(await store.get(a)).toBeNull();
      expect(await store.get(b)).toBeNull();
      expect(await store.get(c)).toBe("3");
      await store.del();
      expect(await store.get(c)).toBe("3");
    });

    test("incr is atomic under 200 concurrent calls", async () => {
      const k = uniq("incr");
      const results = await Promise.all(Array.from({ length: 200 }, () => store.incr(k, 60)));
      const values = results.map((r) => r.value).sort((x, y) => x - y);
      expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(await store.get(k)).toBe("200");
    });

    test("incr sets the TTL only when the key is created", async () => {
      const k = uniq("ttl-once");
      const first = await store.incr(k, 10);
      expect(first.value).toBe(1);
      expect(first.ttlMs).toBeGreaterThan(9_000);
      expect(first.ttlMs).toBeLessThanOrEqual(10_000);
      const second = await store.incr(k, 100);
      expect(second.value).toBe(2);
      expect(second.ttlMs).toBeLessThanOrEqual(10_000); // not extended to 100 s
    });

    if (backend.name === "redis") {
      test("set and incr keys expire after their TTL (real time)", async () => {
        const [k, c] = [uniq("exp"), uniq("exp-ctr")];
        await store.set(k, "v", 1);
        await store.incr(c, 1);
        expect(await store.get(k)).toBe("v");
        await sleep(1_200);
        expect(await store.get(k)).toBeNull();
        expect((await store.incr(c, 1)).value).toBe(1); // counter restarted
      });
    }

    describe("cache", () => {
      test("hit/miss counting and JSON round trip", async () => {
        const cache = createCache(store, { prefix: uniq("c") + ":", logger: quiet });
        let loads = 0;
        const load = async () => ({ n: ++loads, tags: ["a", "b"], at: null });
        const first = await cache.getOrLoad("k", 60, load);
        const second = await cache.getOrLoad("k", 60, load);
        expect(first).toEqual({ value: { n: 1, tags: ["a", "b"], at: null }, hit: false });
        expect(second).toEqual({ value: { n: 1, tags: ["a", "b"], at: null }, hit: true });
        expect(loads).toBe(1);
        expect(cache.stats()).toEqual({ hits: 1, misses: 1 });
      });

      test("falsy values are cached too", async () => {
        const cache = createCache(store, { prefix: uniq("c") + ":", logger: quiet });
        await cache.getOrLoad("zero", 60, async () => 0);
        expect(await cache.getOrLoad("zero", 60, async () => 1)).toEqual({ value: 0, hit: true });
        await cache.getOrLoad("null", 60, async () => null);
        expect(await cache.getOrLoad<number | null>("null", 60, async () => 1)).toEqual({ value: null, hit: true });
      });

      test("invalidate forces a reload", async () => {
        const cache = createCache(store, { prefix: uniq("c") + ":", logger: quiet });
        await cache.getOrLoad("a", 60, async () => 1);
        await cache.getOrLoad("b", 60, async () => 1);
        await cache.invalidate("a", "b");
        await cache.invalidate();
        expect(await cache.getOrLoad("a", 60, async () => 2)).toEqual({ value: 2, hit: false });
        expect(await cache.getOrLoad("b", 60, async () => 2)).toEqual({ value: 2, hit: false });
      });

      test("bump makes every versioned key in the namespace miss, other namespaces untouched", async () => {
        const cache = createCache(store, { prefix: uniq("c") + ":", logger: quiet });
        const k1 = await cache.versioned("mentors", "list?page=1");
        expect(k1).toMatch(/^mentors:v.+:list\?page=1$/);
        expect(await cache.versioned("mentors", "list?page=1")).toBe(k1); // stable until bumped
        const other = await cache.versioned("bookings", "x");
        await cache.getOrLoad(k1, 60, async () => "old");
        await cache.getOrLoad(other, 60, async () => "keep");

        await cache.bump("mentors");
        const k2 = await cache.versioned("mentors", "list?page=1");
        expect(k2).not.toBe(k1);
        expect(await cache.getOrLoad(k2, 60, async () => "new")).toEqual({ value: "new", hit: false });
        expect(await cache.versioned("bookings", "x")).toBe(other);
        expect(await cache.getOrLoad(other, 60, async () => "reloaded")).toEqual({ value: "keep", hit: true });
      });

      test("enabled: false always loads and never touches the store", async () => {
        const cache = createCache(store, { prefix: uniq("c") + ":", enabled: false, logger: quiet });
        let loads = 0;
        for (let i = 0; i < 3; i++) expect((await cache.getOrLoad("k", 60, async () => ++loads)).hit).toBe(false);
        expect(loads).toBe(3);
        expect(cache.stats()).toEqual({ hits: 0, misses: 3 });
      });
    });
  });
}

describe("MemoryStore specifics (injected clock)", () => {
  test("set entries expire exactly at their TTL", async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ now: () => now });
    await store.set("k", "v", 2);
    now += 1_999;
    expect(await store.get("k")).toBe("v");
    now += 1;
    expect(await store.get("k")).toBeNull();
  });

  test("incr reports the remaining TTL and restarts after expiry", async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    expect(await store.incr("c", 10)).toEqual({ value: 1, ttlMs: 10_000 });
    now += 4_000;
    expect(await store.incr("c", 999)).toEqual({ value: 2, ttlMs: 6_000 });
    now += 6_000;
    expect(await store.incr("c", 10)).toEqual({ value: 1, ttlMs: 10_000 });
  });

  test("incr on a non-integer value throws like Redis", async () => {
    const store = new MemoryStore();
    await store.set("s", "abc", 60);
    await expect(store.incr("s", 60)).rejects.toThrow(/not an integer/);
  });

  test("bounded to maxEntries, evicting the oldest insertion first", async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    for (const k of ["a", "b", "c"]) await store.set(k, k, 60);
    await store.set("a", "a2", 60); // overwrite: no eviction, but "a" becomes newest
    expect(store.size).toBe(3);
    await store.set("d", "d", 60);
    expect(store.size).toBe(3);
    expect(await store.get("b")).toBeNull(); // oldest insertion
    expect(await store.get("a")).toBe("a2");
    await store.incr("e", 60);
    expect(store.size).toBe(3);
    expect(await store.get("c")).toBeNull();
  });

  test("expired entries are reclaimed before live ones are evicted", async () => {
    let now = 0;
    const store = new MemoryStore({ maxEntries: 3, now: () => now });
    await store.set("short", "x", 1);
    await store.set("live1", "x", 60);
    await store.set("live2", "x", 60);
    now += 5_000;
    await store.set("new", "x", 60);
    expect(await store.get("live1")).toBe("x");
    expect(await store.get("live2")).toBe("x");
    expect(store.size).toBe(3);
  });

  test("sweep eventually removes expired keys that are never read", async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    for (let i = 0; i < 100; i++) await store.set(`old${i}`, "x", 1);
    now += 2_000;
    for (let i = 0; i < 10; i++) await store.set(`new${i}`, "x", 60);
    expect(store.size).toBe(10);
  });

  test("rejects non-positive TTLs instead of storing forever", async () => {
    const store = new MemoryStore();
    await expect(store.set("k", "v", 0)).rejects.toThrow(RangeError);
  });
});

describe("createCache on a failing store", () => {
  const broken: KeyValueStore = {
    kind: "redis",
    get: async () => {
      throw new Error("ECONNREFUSED");
    },
    set: async () => {
      throw new Error("ECONNREFUSED");
    },
    del: async () => {
      throw new Error("ECONNREFUSED");
    },
    incr: async () => {
      throw new Error("ECONNREFUSED");
    },
    close: async () => {},
  };

  test("get/set errors degrade to load(); invalidate/versioned/bump don't throw", async () => {
    const cache = createCache(broken, { logger: quiet });
    let loads = 0;
    expect(await cache.getOrLoad("k", 60, async () => ++loads)).toEqual({ value: 1, hit: false });
    expect(await cache.getOrLoad("k", 60, async () => ++loads)).toEqual({ value: 2, hit: false });
    expect(cache.stats()).toEqual({ hits: 0, misses: 2 });
    await cache.invalidate("k");
    await cache.bump("ns");
    const a = await cache.versioned("ns", "k");
    const b = await cache.versioned("ns", "k");
    expect(a).not.toBe(b); // unique keys: can never produce a stale hit
  });

  test("load() errors still propagate", async () => {
    const cache = createCache(broken, { logger: quiet });
    await expect(cache.getOrLoad("k", 60, async () => Promise.reject(new Error("db down")))).rejects.toThrow("db down");
  });

  test("a corrupt cached entry is treated as a miss and overwritten", async () => {
    const store = new MemoryStore();
    const cache = createCache(store, { prefix: "p:", logger: quiet });
    await store.set("p:k", "{not json", 60);
    expect(await cache.getOrLoad("k", 60, async () => 7)).toEqual({ value: 7, hit: false });
    expect(await cache.getOrLoad("k", 60, async () => 8)).toEqual({ value: 7, hit: true });
  });
});

describe("createStore", () => {
  test("memory without a redis URL", async () => {
    const s = createStore({});
    expect(s.kind).toBe("memory");
    await s.close();
    expect(createStore({ redisUrl: "" }).kind).toBe("memory");
  });

  if (REDIS_URL) {
    test("redis with a URL; two processes (clients) share cache entries and versions", async () => {
      const a = createStore({ redisUrl: REDIS_URL, keyPrefix: RUN_PREFIX });
      const b = createStore({ redisUrl: REDIS_URL, keyPrefix: RUN_PREFIX });
      opened.push(a, b);
      expect(a.kind).toBe("redis");
      const ca = createCache(a, { prefix: "shared:", logger: quiet });
      const cb = createCache(b, { prefix: "shared:", logger: quiet });
      const key = await ca.versioned("ns", "k");
      await ca.getOrLoad(key, 60, async () => "from-a");
      expect(await cb.versioned("ns", "k")).toBe(key);
      expect(await cb.getOrLoad(key, 60, async () => "from-b")).toEqual({ value: "from-a", hit: true });
      await cb.bump("ns");
      expect(await ca.versioned("ns", "k")).not.toBe(key);
    });
  }
});
