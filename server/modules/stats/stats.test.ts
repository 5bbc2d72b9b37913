import { beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { academicFields } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { call, createMentor, DAY, expectError, type Json, LONG_TTL, type Mentor, useTestApp, validProfile } from "../../test-support/mentors.ts";
import { clearBookings, insertBookings } from "./fixtures.ts";

const RUNS = 100;
const T0 = new Date("2026-06-01T06:00:00.000Z");
const UNIVERSITIES = ["Université de Lille", "Sorbonne Université", "Nantes Université"];

/** A mentor's counters: total ≥ completed + cancelled (the table's CHECK). */
const counters = fc
  .record({ completed: fc.nat(60), cancelled: fc.nat(60), other: fc.nat(60) })
  .map(({ completed, cancelled, other }) => ({ completed, cancelled, total: completed + cancelled + other }));

async function setCounters(ctx: { app: { database: { db: import("../../../db/client.ts").Database } } }, m: Mentor, c: { total: number; completed: number; cancelled: number }) {
  await ctx.app.database.db.execute(
    sql`update student_profiles set total_sessions = ${c.total}, completed_sessions = ${c.completed}, cancelled_sessions = ${c.cancelled} where id = ${m.profileId}`,
  );
}

/** The rate the design document defines, to compare with the one-decimal figure shown (within rounding). */
const exactRate = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);
const expectRate = (shown: number, part: number, whole: number) => {
  expect(Number.isFinite(shown)).toBe(true);
  expect(Math.abs(shown - exactRate(part, whole))).toBeLessThanOrEqual(0.05 + 1e-9);
  expect(Math.round(shown * 10) / 10).toBe(shown);
};

describe("Statistics (cache off)", () => {
  const ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ CACHE_ENABLED: "false" }) });
  const mentors: (Mentor & { field: string; university: string })[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 12; i++) {
      const field = academicFields[i % 4] as string;
      const university = UNIVERSITIES[i % 3] as string;
      mentors.push({ ...(await createMentor(ctx, { profile: { ...validProfile, field, university } })), field, university });
    }
  }, 60_000);

  test("Property 18: Statistics Calculation Accuracy (rates are completed or cancelled over total, in percent; 0 without sessions, never NaN)", async () => {
    const m = mentors[0] as Mentor;
    await fc.assert(
      fc.asyncProperty(fc.oneof(counters, fc.constant({ total: 0, completed: 0, cancelled: 0 })), async (c) => {
        await setCounters(ctx, m, c);
        const r = await call(ctx, `/api/v2/students/${m.profileId}/stats`, { token: ctx.widget });
        expect(r.status).toBe(200);
        const s = r.body.data;
        expect({ total: s.totalSessions, completed: s.completedSessions, cancelled: s.cancelledSessions }).toEqual(c);
        expectRate(s.completionRate, c.completed, c.total);
        expectRate(s.cancellationRate, c.cancelled, c.total);
        if (c.total === 0) expect([s.completionRate, s.cancellationRate]).toEqual([0, 0]);
      }),
      { numRuns: RUNS },
    );
    expectError(await call(ctx, "/api/v2/students/unknown/stats", { token: ctx.widget }), 404, "PROFILE_NOT_FOUND");
  }, 120_000);

  test("Property 43: Platform Statistics Aggregation (all-time totals are the sums of the mentors' counters, per field too)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(counters, { minLength: mentors.length, maxLength: mentors.length }), fc.option(fc.constantFrom(...UNIVERSITIES), { nil: undefined }), async (all, university) => {
        for (const [i, m] of mentors.entries()) await setCounters(ctx, m, all[i] as { total: number; completed: number; cancelled: number });
        const qs = university ? `?university=${encodeURIComponent(university)}` : "";
        const r = await call(ctx, `/api/v2/platform/stats${qs}`, { token: ctx.integrator });
        expect(r.status).toBe(200);
        const p = r.body.data;
        let sum = { total: 0, completed: 0, cancelled: 0 };
        const byField: Record<string, number> = Object.fromEntries(academicFields.map((f) => [f, 0]));
        for (const m of mentors.filter((x) => !university || x.university === university)) {
          const s = (await call(ctx, `/api/v2/students/${m.profileId}/stats`, { token: ctx.admin })).body.data;
          sum = { total: sum.total + s.totalSessions, completed: sum.completed + s.completedSessions, cancelled: sum.cancelled + s.cancelledSessions };
          byField[m.field] = (byField[m.field] as number) + s.totalSessions;
        }
        expect({ total: p.totalSessions, completed: p.completedSessions, cancelled: p.cancelledSessions }).toEqual(sum);
        expect(p.sessionsByField).toEqual(byField);
        expectRate(p.averageCompletionRate, sum.completed, sum.total);
        expectRate(p.averageCancellationRate, sum.cancelled, sum.total);
        expect(p.totalStudentMentors).toBe(mentors.filter((x) => !university || x.university === university).length);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  test("Property 43 over a date range: totals count the bookings starting in it, and equal the sum over fields", async () => {
    const db = ctx.app.database.db;
    const base = Date.parse("2026-03-01T00:00:00Z");
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ mentor: fc.nat(mentors.length - 1), slot: fc.nat(4000), status: fc.constantFrom("COMPLETED", "CANCELLED", "ACCEPTED") }), {
          selector: (b) => `${b.mentor}:${b.slot}`,
          maxLength: 40,
        }),
        fc.nat(4000),
        fc.nat(4000),
        async (rows, a, b) => {
          await clearBookings(db);
          await insertBookings(
            db,
            rows.map((r) => ({ profileId: (mentors[r.mentor] as Mentor).profileId, start: base + r.slot * 15 * 60_000, status: r.status as "COMPLETED" })),
          );
          const [lo, hi] = a < b ? [a, b] : [b, a + 1];
          const from = new Date(base + lo * 15 * 60_000).toISOString();
          const to = new Date(base + hi * 15 * 60_000).toISOString();
          const inRange = rows.filter((r) => r.slot >= lo && r.slot < hi);
          const p = (await call(ctx, `/api/v2/platform/stats?from=${from}&to=${to}`, { token: ctx.admin })).body.data;
          expect({ total: p.totalSessions, completed: p.completedSessions, cancelled: p.cancelledSessions }).toEqual({
            total: inRange.length,
            completed: inRange.filter((r) => r.status === "COMPLETED").length,
            cancelled: inRange.filter((r) => r.status === "CANCELLED").length,
          });
          expect(Object.values(p.sessionsByField as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(p.totalSessions);
          const fields = (await call(ctx, `/api/v2/admin/stats/fields?from=${from}&to=${to}`, { token: ctx.admin })).body.data.fields as Json[];
          expect(fields.map((f) => f.field)).toEqual([...academicFields]);
          for (const f of fields) expect(f.sessions).toBe(p.sessionsByField[f.field]);
        },
      ),
      { numRuns: RUNS },
    );
    await clearBookings(db);
  }, 300_000);

  test("Property 45: Mentor List Statistics Accuracy (shown rates match the counters; every sort orders by them)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(counters, { minLength: mentors.length, maxLength: mentors.length }),
        fc.constantFrom("rating", "sessions", "completionRate", "cancellationRate", "name"),
        fc.constantFrom("asc", "desc"),
        fc.option(fc.constantFrom(...academicFields.slice(0, 4)), { nil: undefined }),
        fc.array(fc.option(fc.integer({ min: 10, max: 50 }), { nil: null }), { minLength: mentors.length, maxLength: mentors.length }),
        async (all, sort, order, field, averages) => {
          for (const [i, m] of mentors.entries()) {
            await setCounters(ctx, m, all[i] as { total: number; completed: number; cancelled: number });
            const avg = averages[i] ?? null;
            await ctx.app.database.db.execute(
              sql`update student_profiles set average_rating = ${avg === null ? null : avg / 10}, total_ratings = ${avg === null ? 0 : 1} where id = ${m.profileId}`,
            );
          }
          const qs = new URLSearchParams({ sort, order, limit: "100", ...(field ? { field } : {}) });
          const r = await call(ctx, `/api/v2/admin/mentors?${qs}`, { token: ctx.admin });
          expect(r.status).toBe(200);
          const items = r.body.data.items as Json[];
          const expected = mentors.filter((m) => !field || m.field === field);
          expect(r.body.data.total).toBe(expected.length);
          expect(items.map((i) => i.id).sort()).toEqual(expected.map((m) => m.profileId).sort());
          for (const item of items) {
            const c = all[mentors.findIndex((m) => m.profileId === item.id)] as { total: number; completed: number; cancelled: number };
            expect({ total: item.totalSessions, completed: item.completedSessions, cancelled: item.cancelledSessions }).toEqual(c);
            expectRate(item.completionRate, c.completed, c.total);
            expectRate(item.cancellationRate, c.cancelled, c.total);
          }
          const key = (i: Json): number | string =>
            sort === "sessions" ? i.totalSessions
            : sort === "completionRate" ? exactRate(i.completedSessions, i.totalSessions)
            : sort === "cancellationRate" ? exactRate(i.cancelledSessions, i.totalSessions)
            : sort === "name" ? String(i.name).toLowerCase()
            : i.averageRating;
          if (sort === "rating") {
            // Mentors without ratings come last in both orders.
            const firstNull = items.findIndex((i) => i.averageRating === null);
            if (firstNull >= 0) expect(items.slice(firstNull).every((i) => i.averageRating === null)).toBe(true);
            expect(items.map((i) => i.averageRating)).toEqual(
              items.map((i) => {
                const c = mentors.findIndex((m) => m.profileId === i.id);
                return averages[c] === null ? null : (averages[c] as number) / 10;
              }),
            );
          }
          const ranked = sort === "rating" ? items.filter((i) => i.averageRating !== null) : items;
          for (let k = 1; k < ranked.length; k++) {
            const [prev, next] = [key(ranked[k - 1]), key(ranked[k])];
            if (order === "asc") expect(prev <= next).toBe(true);
            else expect(prev >= next).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);

  test("mentor list filters (university, q, active), pagination, and the mentor detail", async () => {
    const target = mentors[4] as Mentor & { university: string };
    await ctx.app.database.db.execute(sql`update student_profiles set is_active = false where id = ${target.profileId}`);
    const inactive = (await call(ctx, "/api/v2/admin/mentors?active=false", { token: ctx.admin })).body.data;
    expect(inactive.items.map((i: Json) => i.id)).toEqual([target.profileId]);
    const byUni = (await call(ctx, `/api/v2/admin/mentors?university=${encodeURIComponent(target.university)}&limit=100`, { token: ctx.admin })).body.data;
    expect(byUni.items.every((i: Json) => i.university === target.university)).toBe(true);
    expect(byUni.total).toBe(mentors.filter((m) => m.university === target.university).length);
    const name = inactive.items[0].name as string;
    const byName = (await call(ctx, `/api/v2/admin/mentors?q=${encodeURIComponent(name.toUpperCase())}`, { token: ctx.admin })).body.data;
    expect(byName.items.map((i: Json) => i.name)).toContain(name);
    expect((await call(ctx, "/api/v2/admin/mentors?q=%25", { token: ctx.admin })).body.data.total).toBe(0);
    const page2 = (await call(ctx, "/api/v2/admin/mentors?page=2&limit=5", { token: ctx.admin })).body.data;
    expect({ n: page2.items.length, total: page2.total, page: page2.page }).toEqual({ n: 5, total: mentors.length, page: 2 });
    expectError(await call(ctx, "/api/v2/admin/mentors?sort=age", { token: ctx.admin }), 400);
    expectError(await call(ctx, "/api/v2/admin/mentors", { token: ctx.integrator }), 403);

    await clearBookings(ctx.app.database.db);
    const [past, future] = await insertBookings(ctx.app.database.db, [
      { profileId: target.profileId, start: T0.getTime() - DAY, status: "COMPLETED" },
      { profileId: target.profileId, start: T0.getTime() + DAY, status: "ACCEPTED", name: "Inès Dupont" },
    ]);
    await call(ctx, `/api/v2/bookings/${past}/rating`, { method: "POST", token: ctx.admin, json: { rating: 2, prospectiveEmail: "lucas.martin@lycee.fr" } });
    const detail = await call(ctx, `/api/v2/admin/mentors/${target.profileId}`, { token: ctx.admin });
    expect(detail.status).toBe(200);
    expect(detail.body.data.profile.id).toBe(target.profileId);
    expect(detail.body.data.ratings).toMatchObject([{ bookingId: past, rating: 2, flagged: true, review: "pending" }]);
    expect(detail.body.data.upcomingSessions).toEqual([
      { id: future, startTime: new Date(T0.getTime() + DAY).toISOString(), prospectiveName: "Inès Dupont", status: "ACCEPTED" },
    ]);
    expect(detail.body.data.stats).toMatchObject({ averageRating: 2, totalRatings: 1 });
    expectError(await call(ctx, "/api/v2/admin/mentors/unknown", { token: ctx.admin }), 404);
  });
});

describe("Statistics cache", () => {
  const ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL });

  test("platform statistics are cached; a rating refreshes them at once, bookings within the 60 s TTL", async () => {
    const m = await createMentor(ctx);
    const db = ctx.app.database.db;
    const stats = async () => (await call(ctx, "/api/v2/platform/stats", { token: ctx.admin })).body.data;
    expect((await stats()).averageRating).toBeNull();
    const [id] = await insertBookings(db, [{ profileId: m.profileId, start: T0.getTime() - DAY, status: "COMPLETED" }]);
    await setCounters(ctx, m, { total: 1, completed: 1, cancelled: 0 });
    // Direct counter change: still the cached answer.
    expect((await stats()).totalSessions).toBe(0);
    await call(ctx, `/api/v2/bookings/${id}/rating`, { method: "POST", token: ctx.admin, json: { rating: 4, prospectiveEmail: "lucas.martin@lycee.fr" } });
    expect(await stats()).toMatchObject({ totalSessions: 1, averageRating: 4 });
    expectError(await call(ctx, "/api/v2/platform/stats?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", { token: ctx.admin }), 400);
    expectError(await call(ctx, "/api/v2/platform/stats", { token: ctx.widget }), 403);
  });
});
