import { beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { fixedClock } from "../../lib/clock.ts";
import { call, createMentor, expectError, type Json, LONG_TTL, type Mentor, useTestApp, validProfile } from "../../test-support/mentors.ts";
import { clearBookings, insertBookings } from "./fixtures.ts";

const RUNS = 100;
const T0 = new Date("2026-11-25T12:00:00.000Z");
const Q = 15 * 60_000;
/** Zones with DST on either hemisphere, half-hour and 45-minute offsets, a 30-minute DST shift, and no DST at all. */
const ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata", "America/St_Johns", "America/Sao_Paulo", "UTC", "Asia/Tokyo"];

type Granularity = "day" | "week" | "month";

/** The expected period of an instant, computed independently with Temporal: label and the UTC instant of its local start. */
function periodOf(ms: number, zone: string, granularity: Granularity): { period: string; start: string } {
  const local = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
  let first = local;
  let period: string;
  if (granularity === "day") {
    period = local.toString();
  } else if (granularity === "week") {
    first = local.subtract({ days: local.dayOfWeek - 1 });
    period = `${local.yearOfWeek}-W${String(local.weekOfYear).padStart(2, "0")}`;
  } else {
    first = local.with({ day: 1 });
    period = local.toString().slice(0, 7);
  }
  const start = first.toZonedDateTime({ timeZone: zone }).toInstant().toString({ fractionalSecondDigits: 3 });
  return { period, start };
}

describe("Session trends", () => {
  const ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ CACHE_ENABLED: "false" }) });
  const mentors: Mentor[] = [];
  beforeAll(async () => {
    mentors.push(await createMentor(ctx), await createMentor(ctx, { profile: { ...validProfile, field: "MEDICINE", university: "Université de Lille" } }));
  });

  const trends = async (qs: Record<string, string>) => {
    const r = await call(ctx, `/api/v2/admin/stats/trends?${new URLSearchParams(qs)}`, { token: ctx.admin });
    expect(r.status).toBe(200);
    return r.body.data as { granularity: string; timeZone: string; points: Json[] };
  };

  test("Property 44: Session Trends Time Grouping (each session counted once, in the period holding its local date; empty periods are zeros)", async () => {
    const base = Date.parse("2025-12-20T00:00:00Z"); // spans a year end, both DST changes and a 53-week ISO year (2026)
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ slot: fc.integer({ min: 0, max: 400 * 96 }), status: fc.constantFrom("COMPLETED", "CANCELLED", "ACCEPTED"), mentor: fc.nat(1) }), {
          selector: (b) => `${b.mentor}:${b.slot}`,
          minLength: 1,
          maxLength: 30,
        }),
        fc.constantFrom(...ZONES),
        fc.constantFrom<Granularity>("day", "week", "month"),
        async (rows, zone, granularity) => {
          await clearBookings(ctx.app.database.db);
          const sessions = rows.map((r) => ({ ...r, start: base + r.slot * Q }));
          await insertBookings(
            ctx.app.database.db,
            sessions.map((s) => ({ profileId: (mentors[s.mentor] as Mentor).profileId, start: s.start, status: s.status as "COMPLETED" })),
          );
          const starts = sessions.map((s) => s.start);
          const from = new Date(Math.min(...starts)).toISOString();
          const to = new Date(Math.max(...starts) + Q).toISOString();
          const data = await trends({ from, to, granularity, timeZone: zone });
          const expected = new Map<string, { start: string; total: number; completed: number; cancelled: number }>();
          for (const s of sessions) {
            const p = periodOf(s.start, zone, data.granularity as Granularity);
            const e = expected.get(p.period) ?? { start: p.start, total: 0, completed: 0, cancelled: 0 };
            e.total++;
            if (s.status === "COMPLETED") e.completed++;
            if (s.status === "CANCELLED") e.cancelled++;
            expected.set(p.period, e);
          }
          // Every session once: the totals add up, and each non-empty period is where Temporal puts its sessions.
          expect(data.points.reduce((n, p) => n + p.total, 0)).toBe(sessions.length);
          for (const [period, e] of expected) {
            const point = data.points.find((p) => p.period === period);
            expect({ period, ...point }).toEqual({ period, ...e });
          }
          // Periods are contiguous and in order, without duplicates; empty ones are zeros with the right local start.
          const labels = data.points.map((p) => p.period);
          expect(new Set(labels).size).toBe(labels.length);
          for (const p of data.points) {
            expect(periodOf(Date.parse(p.start), zone, data.granularity as Granularity)).toEqual({ period: p.period, start: p.start });
            if (!expected.has(p.period)) expect([p.total, p.completed, p.cancelled]).toEqual([0, 0, 0]);
          }
          for (let i = 1; i < data.points.length; i++) expect(Date.parse(data.points[i].start)).toBeGreaterThan(Date.parse(data.points[i - 1].start));
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);

  test("ISO week labels across year ends; a DST week still starts on Monday at local midnight", async () => {
    await clearBookings(ctx.app.database.db);
    const m = (mentors[0] as Mentor).profileId;
    await insertBookings(ctx.app.database.db, [
      { profileId: m, start: Date.parse("2026-12-31T10:00:00Z"), status: "COMPLETED" }, // Thursday of 2026-W53
      { profileId: m, start: Date.parse("2027-01-03T10:00:00Z"), status: "COMPLETED" }, // Sunday, still 2026-W53
      { profileId: m, start: Date.parse("2024-12-30T10:00:00Z"), status: "CANCELLED" }, // Monday of 2025-W01
      { profileId: m, start: Date.parse("2026-03-29T22:00:00Z"), status: "COMPLETED" }, // Monday 00:00 in Paris after the switch to summer time
    ]);
    const late = await trends({ from: "2026-12-28T00:00:00Z", to: "2027-01-12T00:00:00Z", granularity: "week", timeZone: "Europe/Paris" });
    expect(late.points.map((p) => [p.period, p.total])).toEqual([
      ["2026-W53", 2],
      ["2027-W01", 0],
      ["2027-W02", 0],
    ]);
    const early = await trends({ from: "2024-12-29T00:00:00Z", to: "2025-01-01T00:00:00Z", granularity: "week", timeZone: "UTC" });
    expect(early.points.map((p) => [p.period, p.start, p.cancelled])).toEqual([
      ["2024-W52", "2024-12-23T00:00:00.000Z", 0],
      ["2025-W01", "2024-12-30T00:00:00.000Z", 1],
    ]);
    const dst = await trends({ from: "2026-03-23T00:00:00Z", to: "2026-04-05T22:00:00Z", granularity: "week" });
    expect(dst.timeZone).toBe("Europe/Paris");
    expect(dst.points.map((p) => [p.period, p.start, p.total])).toEqual([
      ["2026-W13", "2026-03-22T23:00:00.000Z", 0],
      ["2026-W14", "2026-03-29T22:00:00.000Z", 1],
    ]);
    const months = await trends({ from: "2026-11-30T23:30:00Z", to: "2027-01-01T00:00:00Z", granularity: "month" });
    expect(months.points.map((p) => [p.period, p.start])).toEqual([
      ["2026-12", "2026-11-30T23:00:00.000Z"],
      ["2027-01", "2026-12-31T23:00:00.000Z"],
    ]);
  });

  test("defaults, filters and refusals", async () => {
    await clearBookings(ctx.app.database.db);
    // Default: the last 30 local days ending with today (T0 is 2026-11-25 in Paris).
    const days = await trends({});
    expect(days.points.length).toBe(30);
    expect(days.points.at(-1)?.period).toBe("2026-11-25");
    expect(days.points[0]?.period).toBe("2026-10-27");
    expect((await trends({ granularity: "month" })).points.map((p) => p.period).slice(-2)).toEqual(["2026-10", "2026-11"]);
    await insertBookings(ctx.app.database.db, [
      { profileId: (mentors[0] as Mentor).profileId, start: Date.parse("2026-11-20T10:00:00Z"), status: "COMPLETED" },
      { profileId: (mentors[1] as Mentor).profileId, start: Date.parse("2026-11-20T10:00:00Z"), status: "COMPLETED" },
    ]);
    const sum = (d: { points: Json[] }) => d.points.reduce((n, p) => n + p.total, 0);
    expect(sum(await trends({}))).toBe(2);
    expect(sum(await trends({ field: "MEDICINE" }))).toBe(1);
    expect(sum(await trends({ university: "Université de Lille" }))).toBe(1);
    const bad = (qs: string) => call(ctx, `/api/v2/admin/stats/trends?${qs}`, { token: ctx.admin });
    expectError(await bad("timeZone=Mars/Olympus"), 400, "INVALID_INPUT");
    expectError(await bad("granularity=year"), 400);
    expectError(await bad("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&granularity=day"), 400, "INVALID_INPUT");
    expectError(await bad("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), 400, "INVALID_INPUT");
    expectError(await call(ctx, "/api/v2/admin/stats/trends", { token: ctx.integrator }), 403);
  });
});
