import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { fixedClock } from "../lib/clock.ts";
import { call, type Json, useTestApp } from "../test-support/mentors.ts";
import { createRequestMetrics, createRouteMatcher, UNMATCHED } from "./metrics.ts";

const T0 = "2026-06-01T06:00:30.000Z";
const MIN = 60_000;

/** Nearest-rank quantile of the exact samples. */
const exactQuantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
};

describe("request metrics: sliding windows in bounded memory", () => {
  test("no traffic: every rate and percentile is null, never NaN", () => {
    const m = createRequestMetrics({ clock: fixedClock(T0) });
    expect(m.window(5)).toEqual({ requests: 0, errors: 0, errorRate: null, p50: null, p95: null, p99: null, routes: [] });
    expect(m.window(60).errorRate).toBeNull();
  });

  test("the 5-minute window forgets what the hour still holds; after an hour everything is gone", () => {
    const clock = fixedClock(T0);
    const m = createRequestMetrics({ clock });
    m.observe("GET", "/a", 200, 10);
    m.observe("GET", "/a", 500, 10);
    m.observe("POST", "/b", 409, 10);
    let w = m.window(5);
    expect(w.requests).toBe(3);
    expect(w.errors).toBe(1);
    expect(w.errorRate).toBeCloseTo(1 / 3);
    expect(w.routes.map((r) => [r.method, r.route, r.requests, r.conflicts])).toEqual([
      ["GET", "/a", 2, 0],
      ["POST", "/b", 1, 1],
    ]);
    clock.advance(4 * MIN);
    expect(m.window(5).requests).toBe(3);
    clock.advance(MIN);
    expect(m.window(5).requests).toBe(0);
    expect(m.window(60).requests).toBe(3);
    clock.advance(55 * MIN);
    expect(m.window(60).requests).toBe(0);
    // Cumulative counters (for Prometheus) never forget.
    expect(m.cumulative().reduce((n, s) => n + s.count, 0)).toBe(3);
  });

  test("a ring slot reused an hour later holds only the new minute's figures", () => {
    const clock = fixedClock(T0);
    const m = createRequestMetrics({ clock });
    m.observe("GET", "/a", 200, 1);
    clock.advance(60 * MIN);
    m.observe("GET", "/a", 200, 1);
    expect(m.window(60).requests).toBe(1);
    expect(m.window(1).requests).toBe(1);
  });

  test("percentiles from the fixed histogram are within one bucket (25%) of the exact quantiles", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.3, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (latencies) => {
        const m = createRequestMetrics({ clock: fixedClock(T0) });
        for (const ms of latencies) m.observe("GET", "/x", 200, ms);
        const w = m.window(5);
        for (const [q, got] of [[0.5, w.p50], [0.95, w.p95], [0.99, w.p99]] as const) {
          const exact = exactQuantile(latencies, q);
          expect(got).not.toBeNull();
          expect(got!).toBeGreaterThanOrEqual(exact / 1.25 - 0.001);
          expect(got!).toBeLessThanOrEqual(exact * 1.25 + 0.001);
        }
        expect(w.p50!).toBeLessThanOrEqual(w.p95!);
        expect(w.p95!).toBeLessThanOrEqual(w.p99!);
      }),
      { numRuns: 100 },
    );
  });

  test("memory stays bounded: a day of traffic on a fixed set of routes keeps at most 60 minute buckets of those series", () => {
    const clock = fixedClock(T0);
    const m = createRequestMetrics({ clock });
    for (let minute = 0; minute < 24 * 60; minute++) {
      for (const route of ["/a", "/b", "/c"]) m.observe("GET", route, 200, minute % 50);
      clock.advance(MIN);
    }
    expect(m.cumulative()).toHaveLength(3);
    // The hour window only sees the last 60 minutes' 180 requests, whatever came before.
    expect(m.window(60).requests).toBe(59 * 3);
  });

  test("the route matcher maps raw paths to templates and anything else to unmatched", () => {
    const match = createRouteMatcher(() => [
      { method: "GET", path: "/api/v2/students/:id" },
      { method: "POST", path: "/api/v2/bookings/" },
      { method: "GET", path: "/docs/*" },
    ]);
    expect(match("GET", "/api/v2/students/abc")).toBe("/api/v2/students/:id");
    expect(match("HEAD", "/api/v2/students/abc")).toBe("/api/v2/students/:id");
    expect(match("POST", "/api/v2/bookings")).toBe("/api/v2/bookings/");
    expect(match("GET", "/docs/a/b.js")).toBe("/docs/*");
    expect(match("DELETE", "/api/v2/students/abc")).toBe(UNMATCHED);
    expect(match("GET", "/api/v2/students/abc/extra")).toBe(UNMATCHED);
  });
});

describe("metrics plugin in the app", () => {
  const ctx = useTestApp({ clock: fixedClock(T0) });

  const health = async () => {
    const r = await call(ctx, "/api/v2/admin/health", { token: ctx.admin });
    expect(r.status).toBe(200);
    return r.body.data as Json;
  };

  test("every request is counted under its route template, refusals before routing and unknown paths included", async () => {
    const ids = ["a1", "b2", "c3", "d4"];
    for (const id of ids) expect((await call(ctx, `/api/v2/students/${id}`, { token: ctx.widget })).status).toBe(404);
    // Refused by the auth gate before routing (401): still counted under the route's template.
    expect((await call(ctx, "/api/v2/students/zz")).status).toBe(401);
    for (const path of ["/nope", "/random/1", "/random/2"]) expect((await call(ctx, path)).status).toBe(404);
    // afterResponse runs once the answer is sent: give it a moment.
    await Bun.sleep(20);
    const routes = (await health()).windows["5m"].routes as Json[];
    const byRoute = Object.fromEntries(routes.map((r) => [`${r.method} ${r.route}`, r]));
    expect(byRoute["GET /api/v2/students/:id"]?.requests).toBe(5);
    expect(byRoute[`GET ${UNMATCHED}`]?.requests).toBe(3);
    expect(routes.some((r) => /a1|b2|zz|random/.test(r.route))).toBe(false);
    for (const r of routes) {
      expect(r.errorRate).toBe(0);
      expect(r.p50).toBeGreaterThanOrEqual(0);
    }
  });

  test("cached listing pages, answered before routing, are counted under their route too", async () => {
    for (let i = 0; i < 3; i++) expect((await call(ctx, "/api/v2/students/by-field/LAW?pageSize=5", { token: ctx.widget })).status).toBe(200);
    await Bun.sleep(20);
    const report = await health();
    // Two of the three were answered from the cache, in the students module's onRequest hook.
    expect(report.cache.hits).toBeGreaterThanOrEqual(2);
    const routes = report.windows["5m"].routes as Json[];
    expect(routes.find((r) => r.route === "/api/v2/students/by-field/:field")?.requests).toBe(3);
  });
});
