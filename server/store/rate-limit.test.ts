import { afterAll, describe, expect, test } from "bun:test";
import { createCache, createRateLimiter, MemoryStore, RedisStore, type KeyValueStore } from "./index.ts";
import { createLogger } from "../lib/logger.ts";

const REDIS_URL = process.env.TEST_REDIS_URL;
const RUN_PREFIX = `thotis-test:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}:`;
const quiet = createLogger("silent");

let seq = 0;
const uniq = (name: string) => `${name}-${++seq}`;

const opened: RedisStore[] = [];
const openRedis = () => {
  const s = new RedisStore(REDIS_URL!, { keyPrefix: RUN_PREFIX, logger: quiet });
  opened.push(s);
  return s;
};
afterAll(async () => {
  for (const s of opened) {
    if (s.client.status === "ready") await s.clearPrefix();
    await s.close();
  }
});

const backends: { name: string; open: () => KeyValueStore }[] = [{ name: "memory", open: () => new MemoryStore() }];
if (REDIS_URL) backends.push({ name: "redis", open: openRedis });

for (const backend of backends) {
  describe(`createRateLimiter (${backend.name})`, () => {
    const store = backend.open();

    test("allows `limit` requests, then refuses with a bounded Retry-After", async () => {
      const limiter = createRateLimiter(store, { limit: 3, windowSeconds: 30, prefix: uniq("rl") + ":" });
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await limiter.consume("ip-1"));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
      for (const d of decisions) {
        expect(d.limit).toBe(3);
        expect(d.resetSeconds).toBeGreaterThanOrEqual(1);
        expect(d.resetSeconds).toBeLessThanOrEqual(30);
      }
      expect(decisions[0]!.retryAfterSeconds).toBe(0);
      const refused = decisions[4]!;
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(30);
    });

    test("keys are counted independently", async () => {
      const limiter = createRateLimiter(store, { limit: 1, windowSeconds: 30, prefix: uniq("rl") + ":" });
      expect((await limiter.consume("a")).allowed).toBe(true);
      expect((await limiter.consume("a")).allowed).toBe(false);
      expect((await limiter.consume("b")).allowed).toBe(true);
    });

    test("concurrent requests never exceed the limit", async () => {
      const limiter = createRateLimiter(store, { limit: 10, windowSeconds: 30, prefix: uniq("rl") + ":" });
      const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.consume("burst")));
      expect(decisions.filter((d) => d.allowed).length).toBe(10);
    });

    if (backend.name === "redis") {
      test("two processes (separate connections, separate limiter instances) share one budget", async () => {
        const prefix = uniq("rl-shared") + ":";
        const a = createRateLimiter(openRedis(), { limit: 4, windowSeconds: 30, prefix });
        const b = createRateLimiter(openRedis(), { limit: 4, windowSeconds: 30, prefix });
        const results = await Promise.all([a.consume("u"), b.consume("u"), a.consume("u"), b.consume("u")]);
        expect(results.every((d) => d.allowed)).toBe(true);
        expect((await a.consume("u")).allowed).toBe(false);
        expect((await b.consume("u")).allowed).toBe(false);
      });

      test("two limiter instances on one store share the count", async () => {
        const prefix = uniq("rl-same") + ":";
        const a = createRateLimiter(store, { limit: 2, windowSeconds: 30, prefix });
        const b = createRateLimiter(store, { limit: 2, windowSeconds: 30, prefix });
        expect((await a.consume("u")).remaining).toBe(1);
        expect((await b.consume("u")).remaining).toBe(0);
        expect((await a.consume("u")).allowed).toBe(false);
      });

      test("window resets after it expires (real time)", async () => {
        const limiter = createRateLimiter(store, { limit: 1, windowSeconds: 1, prefix: uniq("rl") + ":" });
        expect((await limiter.consume("k")).allowed).toBe(true);
        const refused = await limiter.consume("k");
        expect(refused.allowed).toBe(false);
        expect(refused.retryAfterSeconds).toBe(1);
        await new Promise((r) => setTimeout(r, 1_150));
        expect((await limiter.consume("k")).allowed).toBe(true);
      });
    }
  });
}

describe("createRateLimiter (memory, injected clock)", () => {
  test("fixed window: refuses until the window ends, then starts a fresh one", async () => {
    let now = 0;
    const limiter = createRateLimiter(new MemoryStore({ now: () => now }), { limit: 2, windowSeconds: 60 });
    await limiter.consume("k");
    now += 10_000;
    await limiter.consume("k");
    const refused = await limiter.consume("k");
    expect(refused).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 50, retryAfterSeconds: 50 });
    now += 49_500;
    expect((await limiter.consume("k")).retryAfterSeconds).toBe(1); // 0.5 s left rounds up, never 0
    now += 500;
    expect(await limiter.consume("k")).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60, retryAfterSeconds: 0 });
  });
});

describe("store failures", () => {
  const broken: KeyValueStore = {
    kind: "redis",
    get: () => Promise.reject(new Error("down")),
    set: () => Promise.reject(new Error("down")),
    del: () => Promise.reject(new Error("down")),
    incr: () => Promise.reject(new Error("down")),
    close: async () => {},
  };

  test("the limiter fails open when the store throws", async () => {
    const limiter = createRateLimiter(broken, { limit: 1, windowSeconds: 60, logger: quiet });
    for (let i = 0; i < 3; i++) {
      expect(await limiter.consume("k")).toEqual({ allowed: true, limit: 1, remaining: 1, resetSeconds: 60, retryAfterSeconds: 0 });
    }
  });

  test("unreachable Redis: commands reject (no hang), limiter fails open, cache serves from load()", async () => {
    // Port 1 refuses connections; maxRetriesPerRequest bounds how long each call waits.
    const store = new RedisStore("redis://127.0.0.1:1", { keyPrefix: RUN_PREFIX, logger: quiet });
    opened.push(store);
    await expect(store.get("k")).rejects.toThrow();
    // After the first failure, calls must fail fast instead of waiting out reconnect backoff.
    const started = Date.now();
    const limiter = createRateLimiter(store, { limit: 1, windowSeconds: 60, logger: quiet });
    expect((await limiter.consume("k")).allowed).toBe(true);
    const cache = createCache(store, { logger: quiet });
    expect(await cache.getOrLoad("k", 60, async () => "fresh")).toEqual({ value: "fresh", hit: false });
    expect(Date.now() - started).toBeLessThan(250);
  });
});
