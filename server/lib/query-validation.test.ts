import { describe, expect, test } from "bun:test";
import { call, expectError, useTestApp } from "../test-support/mentors.ts";
import { isDateTime } from "./schema.ts";

const ctx = useTestApp();

describe("Query and path values the database would refuse are 400, never 500 (findings 7 and 9)", () => {
  const badDates = [
    "2026-02-30T10:00:00Z",
    "2025-02-29T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2026-06-01",
    "2026-06-01T10:00:00",
    "2026-13-01T00:00:00Z",
    "2026-06-01T24:00:00Z",
    "2026-06-01T10:00:00+25:00",
    "0001-01-01T00:00:00Z",
  ];
  const routes = ["/api/v2/platform/stats", "/api/v2/admin/stats/trends", "/api/v2/admin/stats/fields", "/api/v2/admin/analytics/funnel", "/api/v2/admin/export/sessions.csv"];

  test("GET /api/v2/platform/stats?from=2026-02-30T10:00:00Z is a 400", async () => {
    const r = await call(ctx, "/api/v2/platform/stats?from=2026-02-30T10:00:00Z", { token: ctx.admin });
    expectError(r, 400, "INVALID_INPUT");
    expect(r.body.error.details.in).toBe("query");
  });

  test("every dated route refuses impossible, out-of-range, zone-less and date-only values", async () => {
    for (const route of routes) {
      for (const date of badDates) {
        for (const name of ["from", "to"]) {
          const r = await call(ctx, `${route}?${name}=${encodeURIComponent(date)}`, { token: ctx.admin });
          expect({ route, date, name, status: r.status, envelope: r.body?.status }).toEqual({ route, date, name, status: 400, envelope: "error" });
        }
      }
    }
    // Real instants still pass, with either zone form.
    expect((await call(ctx, "/api/v2/platform/stats?from=2024-02-29T23:59:59.5%2B01:00&to=2026-06-01T00:00:00Z", { token: ctx.admin })).status).toBe(200);
  }, 60_000);

  test("NUL in a query value, and a path that is not UTF-8, are 400 before any route runs (CSV exports included)", async () => {
    const nul = await call(ctx, "/api/v2/admin/export/mentors.csv?university=a%00b", { token: ctx.admin });
    expectError(nul, 400, "INVALID_INPUT");
    expect(nul.body.error.details.in).toBe("query");
    const overlong = await call(ctx, "/api/v2/admin/export/%C0%AE", { token: ctx.admin });
    expectError(overlong, 400, "INVALID_INPUT");
    expect(overlong.body.error.details.in).toBe("path");
    expectError(await call(ctx, "/api/v2/students/a%00b", { token: ctx.admin }), 400, "INVALID_INPUT");
  });

  test("isDateTime", () => {
    expect(isDateTime("2024-02-29T12:00:00Z")).toBe(true);
    expect(isDateTime("2026-06-01T10:00:00.123456789-05:30")).toBe(true);
    expect(isDateTime("2026-01-01T00:00Z")).toBe(true);
    expect(isDateTime("2026-01-01T00:00.5Z")).toBe(false);
    for (const d of badDates) expect(isDateTime(d)).toBe(false);
  });
});
