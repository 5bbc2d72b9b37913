import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createApp } from "../app.ts";
import { systemClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { serve } from "../runtime/index.ts";
import { RedisStore } from "../store/index.ts";
import { startTestApp, type TestApp } from "../test-support/app.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectSecurityHeaders(res: Response, context: unknown = undefined) {
  const h = (name: string) => res.headers.get(name);
  expect({ context, nosniff: h("x-content-type-options"), frame: h("x-frame-options"), referrer: h("referrer-policy") }).toEqual({
    context,
    nosniff: "nosniff",
    frame: "DENY",
    referrer: "no-referrer",
  });
  if (h("content-type")?.includes("application/json")) {
    expect(h("content-security-policy")).toContain("default-src 'none'");
    expect(h("content-security-policy")).toContain("frame-ancestors 'none'");
  }
}

async function expectRateLimited(res: Response, windowSeconds: number) {
  expect(res.status).toBe(429);
  const body = (await res.json()) as { status: string; error: { code: string; message: string } };
  expect(body.status).toBe("error");
  expect(body.error.code).toBe("RATE_LIMITED");
  expect(body.error.message.length).toBeGreaterThan(0);
  const retryAfter = res.headers.get("retry-after");
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(windowSeconds);
  expect(res.headers.get("ratelimit-remaining")).toBe("0");
  expectSecurityHeaders(res);
  expect(res.headers.get("x-request-id")).toBeTruthy();
}

function expectRateHeaders(res: Response, limit: number, remaining: number, windowSeconds: number) {
  expect(res.headers.get("ratelimit-limit")).toBe(String(limit));
  expect(res.headers.get("ratelimit-remaining")).toBe(String(remaining));
  const reset = Number(res.headers.get("ratelimit-reset"));
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(windowSeconds);
}

/** The request log lines carrying this id. They are written after the response is sent, so wait a little for them. */
async function requestLines(app: TestApp, id: string | null): Promise<Record<string, unknown>[]> {
  let lines: Record<string, unknown>[] = [];
  for (let i = 0; i < 100 && lines.length === 0; i++) {
    lines = app.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === "request" && l.requestId === id);
    if (lines.length === 0) await Bun.sleep(10);
  }
  return lines;
}

describe("rate limiting", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW_SECONDS: "60" } });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  test("the 6th request with the same token gets 429 with Retry-After; another token still passes", async () => {
    const first = await app.token("widget", { sub: "first" });
    for (let i = 0; i < 5; i++) {
      const res = await app.request("/api/v2/students/search", { token: first });
      expect(res.status).toBe(200);
      expectRateHeaders(res, 5, 4 - i, 60);
    }
    await expectRateLimited(await app.request("/api/v2/students/search", { token: first }), 60);
    // Every route shares the budget, errors included.
    await expectRateLimited(await app.request("/api/v2/users/1", { token: first }), 60);

    const second = await app.token("widget", { sub: "second" });
    const res = await app.request("/api/v2/students/search", { token: second });
    expect(res.status).toBe(200);
    expectRateHeaders(res, 5, 4, 60);
  }, 120_000);

  test("requests without a token are limited per client IP; X-Forwarded-For is not trusted by default", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await app.request("/health");
      expect(res.status).toBe(200);
      expectRateHeaders(res, 5, 4 - i, 60);
    }
    await expectRateLimited(await app.request("/health"), 60);
    await expectRateLimited(await app.request("/health", { headers: { "x-forwarded-for": "203.0.113.9" } }), 60);
    // Unauthenticated API calls count against the same IP budget.
    await expectRateLimited(await app.request("/api/v2/students/search"), 60);
    // A token holder has a budget of their own.
    expect((await app.request("/api/v2/students/search", { token: await app.token("admin") })).status).toBe(200);
  }, 120_000);

  test("the limited request is logged with its status", async () => {
    const token = await app.token("integrator", { sub: "logged" });
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) last = await app.request("/api/v2/students/search", { token });
    expect(last!.status).toBe(429);
    const id = last!.headers.get("x-request-id");
    const [line] = await requestLines(app, id);
    expect(line).toMatchObject({ method: "GET", path: "/api/v2/students/search", status: 429 });
  }, 120_000);
});

describe("rate limiting with trusted proxies", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_SECONDS: "30", TRUST_PROXY: "true" } });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  test("with TRUST_PROXY the first X-Forwarded-For address is the client", async () => {
    const from = (ip: string) => app.request("/health", { headers: { "x-forwarded-for": `${ip}, 10.0.0.1` } });
    expect((await from("198.51.100.1")).status).toBe(200);
    expect((await from("198.51.100.1")).status).toBe(200);
    await expectRateLimited(await from("198.51.100.1"), 30);
    expect((await from("198.51.100.2")).status).toBe(200);
  }, 120_000);
});

describe("rate limiting across server processes (shared Redis)", () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  let one: TestApp | undefined;
  let twoUrl: string;
  let stopTwo: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!redisUrl) return;
    one = await startTestApp({ env: { REDIS_URL: redisUrl, RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW_SECONDS: "60" } });
    expect(one.store.kind).toBe("redis");
    // A second server like another process of the same deployment: its own Redis connection, same Redis keys,
    // same configuration and database.
    const store = new RedisStore(redisUrl, { keyPrefix: (one.store as RedisStore).prefix, logger: createLogger("silent") });
    const { handle } = createApp({
      config: one.config,
      db: one.database.db,
      store,
      clock: systemClock,
      logger: createLogger("silent"),
      media: localMediaStorage(one.config.mediaDir),
    });
    const server = serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: 1 << 20, fetch: handle });
    twoUrl = `http://127.0.0.1:${server.port}`;
    stopTwo = async () => {
      await server.stop();
      await store.close();
    };
  }, 120_000);

  afterAll(async () => {
    await stopTwo?.();
    if (one) {
      await (one.store as RedisStore).clearPrefix();
      await one.stop();
    }
  });

  // CI sets TEST_REDIS_URL, so this runs there; only a bare local run skips it.
  test.skipIf(!redisUrl)("two apps on one Redis enforce one limit: requests split between them are counted together", async () => {
    const first = one!;
    const token = await first.token("widget", { sub: "shared" });
    const viaTwo = (path: string, tok?: string) => fetch(`${twoUrl}${path}`, { headers: tok ? { authorization: `Bearer ${tok}` } : {} });
    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const res = i % 2 === 0 ? await first.request("/api/v2/students/search", { token }) : await viaTwo("/api/v2/students/search", token);
      statuses.push(res.status);
      remaining.push(res.headers.get("ratelimit-remaining"));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    await expectRateLimited(await viaTwo("/api/v2/students/search", token), 60);
    await expectRateLimited(await first.request("/api/v2/students/search", { token }), 60);

    // Per-IP budgets are shared too.
    for (let i = 0; i < 5; i++) expect((i % 2 ? await viaTwo("/health") : await first.request("/health")).status).toBe(200);
    await expectRateLimited(await first.request("/health"), 60);
    await expectRateLimited(await viaTwo("/health"), 60);
  }, 120_000);
});

describe("CORS", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS: "https://www.thotis.fr" } });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  const preflight = (origin: string, path = "/api/v2/students/search") =>
    app.request(path, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization, content-type" },
    });

  test("a preflight from the configured origin is answered with that origin, without a token", async () => {
    for (const path of ["/api/v2/students/search", "/api/v2/users/", "/api/v2/students/abc/profile"]) {
      const res = await preflight("https://www.thotis.fr", path);
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get("access-control-allow-origin")).toBe("https://www.thotis.fr");
      expect(res.headers.get("access-control-allow-methods")).toContain("GET");
      expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
      expect(res.headers.get("vary")?.toLowerCase()).toContain("origin");
    }
  }, 120_000);

  test("other origins get no CORS grant, on preflights and on real requests", async () => {
    const widget = await app.token("widget");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom("https://evil.example", "http://www.thotis.fr", "https://www.thotis.fr.evil.example", "https://thotis.fr", "null"),
          fc.webUrl({ withQueryParameters: false, withFragments: false }).map((u) => new URL(u).origin),
        ).filter((o) => o !== "https://www.thotis.fr"),
        async (origin) => {
          const res = await preflight(origin);
          expect({ origin, allow: res.headers.get("access-control-allow-origin") }).toEqual({ origin, allow: null });
          const real = await app.request("/api/v2/students/search", { token: widget, headers: { origin } });
          expect(real.status).toBe(200);
          expect({ origin, allow: real.headers.get("access-control-allow-origin") }).toEqual({ origin, allow: null });
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  test("a real request from the configured origin gets the grant and can read the request id", async () => {
    const res = await app.request("/api/v2/students/search", { token: await app.token("widget"), headers: { origin: "https://www.thotis.fr" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://www.thotis.fr");
    expect(res.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("x-request-id");
    expect(res.headers.get("access-control-allow-credentials")).not.toBe("true");
  }, 120_000);
});

describe("security headers, request ids and request logs", () => {
  let app: TestApp;
  let admin: string;
  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.token("admin");
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  /** Requests that succeed and requests that fail in every way the app can fail before or after routing. */
  const requestArb = fc.constantFrom<{ label: string; status: number; method?: string; send: () => Promise<Response> }>(
    { label: "health", status: 200, send: () => app.request("/health") },
    { label: "ready", status: 200, send: () => app.request("/ready") },
    { label: "search", status: 200, send: () => app.request("/api/v2/students/search", { token: admin }) },
    { label: "no token", status: 401, send: () => app.request("/api/v2/students/search") },
    { label: "bad query", status: 400, send: () => app.request("/api/v2/students/search?page=0", { token: admin }) },
    {
      label: "malformed JSON",
      status: 400,
      method: "POST",
      send: () => app.request("/api/v2/users/", { method: "POST", token: admin, body: "{", headers: { "content-type": "application/json" } }),
    },
    { label: "not found", status: 404, send: () => app.request("/no/such/route") },
    { label: "missing user", status: 404, send: () => app.request("/api/v2/users/2147483647", { token: admin }) },
    { label: "docs spec", status: 200, send: () => app.request("/docs/json") },
  );

  test("security headers are on success and error responses alike", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ label, status, send }) => {
        const res = await send();
        expect({ label, status: res.status }).toEqual({ label, status });
        expectSecurityHeaders(res, label);
        await res.arrayBuffer();
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("x-request-id: generated when absent, echoed when sane, replaced when not", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ send, label }) => {
        const generated = await send();
        expect({ label, id: uuid.test(generated.headers.get("x-request-id") ?? "") }).toEqual({ label, id: true });
        await generated.arrayBuffer();
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._:-]{1,100}$/), async (sane) => {
        const res = await app.request("/api/v2/students/search", { token: admin, headers: { "x-request-id": sane } });
        expect(res.headers.get("x-request-id")).toBe(sane);
        const missing = await app.request("/nowhere", { headers: { "x-request-id": sane } });
        expect(missing.headers.get("x-request-id")).toBe(sane);
      }),
      { numRuns: 100 },
    );
    const garbage = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9]{101,500}$/),
      fc.tuple(fc.stringMatching(/^[a-z]{1,20}$/), fc.constantFrom(" ", "\t", ",", '"', "<", "/", ";", "é"), fc.stringMatching(/^[a-z]{1,20}$/)).map(
        ([a, bad, b]) => `${a}${bad}${b}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bad) => {
        const res = await app.request("/health", { headers: { "x-request-id": bad } });
        const id = res.headers.get("x-request-id") ?? "";
        expect(id).not.toBe(bad);
        expect(id).toMatch(uuid);
      }),
      { numRuns: 100 },
    );
    // 500 characters exactly, as a client bug might send.
    const long = await app.request("/health", { headers: { "x-request-id": "a".repeat(500) } });
    expect(long.headers.get("x-request-id")).toMatch(uuid);
  }, 120_000);

  test("one structured JSON log line per request, with requestId, method, path, status and ms", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ label, send, method }) => {
        const res = await send();
        await res.arrayBuffer();
        const id = res.headers.get("x-request-id");
        const lines = await requestLines(app, id);
        expect({ label, lines: lines.length }).toEqual({ label, lines: 1 });
        const line = lines[0]!;
        expect(line).toMatchObject({ level: "info", requestId: id, method: method ?? "GET", status: res.status });
        expect(typeof line.path).toBe("string");
        expect(typeof line.ms).toBe("number");
        expect(line.ms as number).toBeGreaterThanOrEqual(0);
        expect(new Date(line.time as string).toISOString()).toBe(line.time as string);
      }),
      { numRuns: 100 },
    );
    // Every log line is one JSON object.
    for (const raw of app.logs) expect(() => JSON.parse(raw)).not.toThrow();
  }, 120_000);
});
