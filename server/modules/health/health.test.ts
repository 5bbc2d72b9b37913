import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseHandle } from "../../../db/client.ts";
import { fixedClock } from "../../lib/clock.ts";
import type { RedisStore } from "../../store/index.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";
import { createTestDatabase } from "../../test-support/database.ts";

describe("/health and /ready", () => {
  const clock = fixedClock("2026-03-02T08:00:00Z");
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ clock });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  test("/health answers 200 without a token, with the version and the uptime on the injected clock", async () => {
    let res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as { status: string; version: string; uptimeSeconds: number };
    expect(body).toEqual({ status: "ok", version: expect.stringMatching(/^\d+\.\d+\.\d+/), uptimeSeconds: 0 });

    clock.advance(90_000);
    res = await app.request("/health");
    expect(((await res.json()) as { uptimeSeconds: number }).uptimeSeconds).toBe(90);
    clock.advance(3_600_000);
    res = await app.request("/health");
    expect(((await res.json()) as { uptimeSeconds: number }).uptimeSeconds).toBe(3690);
  }, 120_000);

  test("/ready answers 200 when the database and the cache answer, with a timed check for each", async () => {
    const res = await app.request("/ready");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; ms: number; kind?: string }> };
    expect(body.status).toBe("ready");
    expect(body.checks.database).toEqual({ ok: true, ms: expect.any(Number) });
    expect(body.checks.cache).toEqual({ ok: true, ms: expect.any(Number), kind: "memory" });
    expect(body.checks.database!.ms).toBeGreaterThanOrEqual(0);
    expect(body.checks.cache!.ms).toBeGreaterThanOrEqual(0);
  }, 120_000);

  test("the probes are in the OpenAPI document as public routes", async () => {
    const spec = (await (await app.request("/docs/json")).json()) as { paths: Record<string, { get?: { security?: unknown[] } }> };
    expect(spec.paths["/health"]?.get?.security).toEqual([]);
    expect(spec.paths["/ready"]?.get?.security).toEqual([]);
  }, 120_000);
});

describe("/ready with the database down", () => {
  let app: TestApp;
  let database: DatabaseHandle;
  beforeAll(async () => {
    // Our own handle, closed by the test; the app's stop() leaves it alone.
    database = await createTestDatabase();
    app = await startTestApp({ database });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  test("/ready gives 503 naming the failed check; /health stays 200", async () => {
    expect((await app.request("/ready")).status).toBe(200);
    await database.close();

    const res = await app.request("/ready");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: { database: { ok: boolean }; cache: { ok: boolean } } };
    expect(body.status).toBe("unavailable");
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.cache.ok).toBe(true);
    // No driver text leaks from the probe either.
    expect(JSON.stringify(body)).not.toMatch(/closed|pglite|postgres|Error/i);

    const health = await app.request("/health");
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
  }, 120_000);
});

describe("/ready with a Redis cache", () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  let app: TestApp | undefined;
  beforeAll(async () => {
    if (redisUrl) app = await startTestApp({ env: { REDIS_URL: redisUrl } });
  }, 120_000);
  afterAll(async () => {
    if (app) {
      await (app.store as RedisStore).clearPrefix();
      await app.stop();
    }
  });

  test.skipIf(!redisUrl)("/ready reports the shared cache", async () => {
    const res = await app!.request("/ready");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: { cache: { ok: boolean; kind: string } } };
    expect(body.checks.cache).toMatchObject({ ok: true, kind: "redis" });
  }, 120_000);
});

describe("/ready with the cache down", () => {
  let app: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: the store cannot connect.
    app = await startTestApp({ env: { REDIS_URL: "redis://127.0.0.1:1" } });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  test("/ready gives 503 when the shared store does not answer", async () => {
    const res = await app.request("/ready");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: { database: { ok: boolean }; cache: { ok: boolean; kind: string } } };
    expect(body.status).toBe("unavailable");
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.cache).toMatchObject({ ok: false, kind: "redis" });
  }, 120_000);
});
