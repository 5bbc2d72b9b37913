import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseHandle } from "../../../db/client.ts";
import { emailOutbox, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../../db/schema/index.ts";
import { createJobQueue } from "../../jobs/queue.ts";
import { fixedClock } from "../../lib/clock.ts";
import { createLogger } from "../../lib/logger.ts";
import { createRequestMetrics } from "../../plugins/metrics.ts";
import { createTestDatabase } from "../../test-support/database.ts";
import { call, expectError, type Json, useTestApp } from "../../test-support/mentors.ts";
import { createHealthService, thresholds } from "./service.ts";

const T0 = new Date("2026-06-01T06:00:30.000Z");
/** A healthy database must give every figure: a swallowed query error would otherwise read as zeros. */
const failOnWarning = createLogger("warn", (line) => {
  throw new Error(`unexpected warning: ${line}`);
});
const MIN = 60_000;

describe("GET /api/v2/admin/health", () => {
  const ctx = useTestApp({ clock: fixedClock(T0) });

  test("admins only: other roles get 403, no token 401", async () => {
    for (const token of [ctx.widget, ctx.integrator]) expectError(await call(ctx, "/api/v2/admin/health", { token }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/admin/health"), 401, "UNAUTHORIZED");
  });

  test("the report has every figure, rates as fractions or null, and follows the injected clock", async () => {
    await Bun.sleep(20);
    const r = await call(ctx, "/api/v2/admin/health", { token: ctx.admin });
    expect(r.status).toBe(200);
    const h = r.body.data as Json;
    expect(h.status).toBe("ok");
    expect(h.startedAt).toBe(T0.toISOString());
    expect(h.uptimeSeconds).toBe(0);
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
    // The three refused requests of the test before.
    expect(h.windows["5m"].requests).toBe(3);
    expect(h.windows["5m"].errorRate).toBe(0);
    expect(h.windows["1h"].requests).toBe(3);
    expect(h.database.ok).toBe(true);
    expect(h.database.latencyMs).toBeGreaterThanOrEqual(0);
    // No worker runs in this test app, so nothing has been enqueued yet.
    expect(h.queue).toEqual({ due: 0, pending: 0, running: 0, dead: 0, oldestDueSeconds: null });
    expect(h.webhooks).toEqual({ window: "1h", attempts: 0, succeeded: 0, failed: 0, successRate: null });
    expect(h.emails).toEqual({ window: "1h", sent: 0, failed: 0, successRate: null });
    expect(h.cache).toEqual({ hits: 0, misses: 0, hitRate: null });
    expect(h.bookings).toEqual({ window: "1h", attempts: 0, failures: 0, conflicts: 0, failureRate: null });
    expect(h.alerts).toEqual({ apiErrorRate: false, bookingFailureRate: false, webhookFailureRate: false });
    expect(h.thresholds).toEqual({ apiErrorRate: 0.05, bookingFailureRate: 0.1, webhookFailureRate: 0.2 });
    expect(JSON.stringify(h)).not.toContain("NaN");

    await Bun.sleep(20); // the request above is counted once its answer is sent
    ctx.clock.advance(6 * MIN);
    const later = (await call(ctx, "/api/v2/admin/health", { token: ctx.admin })).body.data as Json;
    expect(later.uptimeSeconds).toBe(360);
    expect(later.windows["5m"].requests).toBe(0);
    expect(later.windows["5m"].errorRate).toBeNull();
    expect(later.windows["1h"].requests).toBeGreaterThanOrEqual(4);
  });

  test("POST /api/v2/bookings answers count as booking attempts (a 400 is neither a failure nor a conflict)", async () => {
    const r = await call(ctx, "/api/v2/bookings", { method: "POST", token: ctx.widget, json: { studentProfileId: "x" } });
    expect(r.status).toBe(400);
    await Bun.sleep(20);
    const h = (await call(ctx, "/api/v2/admin/health", { token: ctx.admin })).body.data as Json;
    expect(h.bookings).toMatchObject({ attempts: 1, failures: 0, conflicts: 0, failureRate: 0 });
  });

  test("the route is documented under the Admin tag", async () => {
    const spec = (await (await ctx.app.request("/docs/json")).json()) as Json;
    expect(spec.paths["/api/v2/admin/health"].get.tags).toEqual(["Admin"]);
  });
});

describe("health report: alert flags at the design document's thresholds", () => {
  let database: DatabaseHandle;
  const clock = fixedClock(T0);
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  const service = (metrics = createRequestMetrics({ clock })) =>
    createHealthService({
      db: database.db,
      clock,
      queue: createJobQueue({ db: database.db, clock }),
      metrics,
      cacheStats: () => ({ hits: 3, misses: 1 }),
      startedAt: T0,
      version: "1.0.0",
      logger: failOnWarning,
    });

  test("API errors: 5 of 100 is not over 5%, 6 of 100 is", async () => {
    const metrics = createRequestMetrics({ clock });
    for (let i = 0; i < 95; i++) metrics.observe("GET", "/api/v2/students/:id", 200, 5);
    for (let i = 0; i < 5; i++) metrics.observe("GET", "/api/v2/students/:id", 500, 5);
    let h = await service(metrics).report();
    expect(h.windows["5m"].errorRate).toBeCloseTo(0.05);
    expect(h.alerts.apiErrorRate).toBe(false);
    expect(h.status).toBe("ok");
    expect(h.cache).toEqual({ hits: 3, misses: 1, hitRate: 0.75 });
    metrics.observe("GET", "/api/v2/students/:id", 503, 5);
    h = await service(metrics).report();
    expect(h.alerts.apiErrorRate).toBe(true);
    expect(h.status).toBe("degraded");
  });

  test("booking failures count 5xx answers to POST /api/v2/bookings; 409 conflicts are apart", async () => {
    const metrics = createRequestMetrics({ clock });
    for (let i = 0; i < 80; i++) metrics.observe("POST", "/api/v2/bookings/", 201, 30);
    for (let i = 0; i < 12; i++) metrics.observe("POST", "/api/v2/bookings/", 409, 30);
    for (let i = 0; i < 8; i++) metrics.observe("POST", "/api/v2/bookings/", 502, 30);
    // Plenty of other healthy traffic keeps the API-wide rate low.
    for (let i = 0; i < 900; i++) metrics.observe("GET", "/api/v2/students/:id", 200, 5);
    let h = await service(metrics).report();
    expect(h.bookings).toEqual({ window: "1h", attempts: 100, failures: 8, conflicts: 12, failureRate: 0.08 });
    expect(h.alerts).toEqual({ apiErrorRate: false, bookingFailureRate: false, webhookFailureRate: false });
    for (let i = 0; i < 4; i++) metrics.observe("POST", "/api/v2/bookings/", 500, 30);
    h = await service(metrics).report();
    expect(h.bookings.failureRate).toBeCloseTo(12 / 104);
    expect(h.alerts.bookingFailureRate).toBe(true);
    // The hour window: 61 minutes later the flag is down again.
    clock.advance(61 * MIN);
    h = await service(metrics).report();
    expect(h.bookings.failureRate).toBeNull();
    expect(h.alerts.bookingFailureRate).toBe(false);
    clock.set(T0);
  });

  test("webhooks: attempts of the last hour, a non-2xx or no answer is a failure; over 20% raises the flag", async () => {
    const db = database.db;
    await db.insert(webhookEndpoints).values({ id: "ep1", url: "https://example.org/hook", events: ["booking.created"] });
    await db.insert(webhookDeliveries).values({ id: "d1", endpointId: "ep1", event: "booking.created", payload: {} });
    const at = (minutesAgo: number) => new Date(T0.getTime() - minutesAgo * MIN);
    const attempt = (statusCode: number | null, minutesAgo: number, n: number) => ({ deliveryId: "d1", attempt: n, statusCode, latencyMs: 12, at: at(minutesAgo) });
    await db.insert(webhookAttempts).values([
      ...Array.from({ length: 8 }, (_, i) => attempt(200, 10, i + 1)),
      attempt(500, 5, 9),
      attempt(null, 5, 10),
      // Older than the hour: ignored.
      ...Array.from({ length: 5 }, (_, i) => attempt(500, 90, 11 + i)),
    ]);
    let h = await service().report();
    expect(h.webhooks).toEqual({ window: "1h", attempts: 10, succeeded: 8, failed: 2, successRate: 0.8 });
    expect(h.alerts.webhookFailureRate).toBe(false);
    await db.insert(webhookAttempts).values(attempt(410, 1, 16));
    h = await service().report();
    expect(h.webhooks.failed).toBe(3);
    expect(h.alerts.webhookFailureRate).toBe(true);
    expect(h.status).toBe("degraded");
  });

  test("e-mails: sent in the last hour against failed ones created in it", async () => {
    const db = database.db;
    const message = (n: number, status: "sent" | "failed" | "queued", minutesAgo: number) => ({
      dedupeKey: `k${n}`,
      kind: "confirmation",
      toAddress: `p${n}@example.fr`,
      subject: "s",
      html: "<p>h</p>",
      text: "t",
      status,
      provider: "outbox",
      createdAt: new Date(T0.getTime() - minutesAgo * MIN),
      sentAt: status === "sent" ? new Date(T0.getTime() - minutesAgo * MIN) : null,
    });
    await db.insert(emailOutbox).values([message(1, "sent", 5), message(2, "sent", 20), message(3, "sent", 30), message(4, "failed", 10), message(5, "queued", 1), message(6, "sent", 120), message(7, "failed", 120)]);
    const h = await service().report();
    expect(h.emails).toEqual({ window: "1h", sent: 3, failed: 1, successRate: 0.75 });
  });

  test("a database that does not answer makes the report degraded instead of failing", async () => {
    const broken = await createTestDatabase();
    await broken.close();
    const h = await createHealthService({
      db: broken.db,
      clock,
      queue: createJobQueue({ db: broken.db, clock }),
      metrics: createRequestMetrics({ clock }),
      cacheStats: () => ({ hits: 0, misses: 0 }),
      startedAt: T0,
      version: "1.0.0",
    }).report();
    expect(h.status).toBe("degraded");
    expect(h.database).toEqual({ ok: false, latencyMs: null });
    expect(h.queue.due).toBeNull();
    expect(h.cache.hitRate).toBeNull();
  });

  test("thresholds are the design document's", () => {
    expect(thresholds).toEqual({ apiErrorRate: 0.05, bookingFailureRate: 0.1, webhookFailureRate: 0.2 });
  });
});
