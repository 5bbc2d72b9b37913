import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { fixedClock } from "../../lib/clock.ts";
import { call, createMentor, DAY, expectError, LONG_TTL, type Mentor, useTestApp } from "../../test-support/mentors.ts";
import { insertBookings } from "../stats/fixtures.ts";
import { upsertAdmin } from "../auth/service.ts";
import { RATING_LINK_DAYS } from "./rating-token.ts";

const RUNS = 100;
const T0 = new Date("2026-06-01T06:00:00.000Z");
const clock = fixedClock(T0);
const ctx = useTestApp({ clock, ttlSeconds: LONG_TTL });
const EMAIL = "lucas.martin@lycee.fr";
let slot = 0;
/** A distinct past quarter hour for every booking of the file. */
const nextPastSlot = () => T0.getTime() - 30 * DAY + ++slot * 15 * 60_000;

async function completedBooking(m: Mentor, status: "COMPLETED" | "ACCEPTED" | "CANCELLED" = "COMPLETED", email = EMAIL) {
  const [id] = await insertBookings(ctx.app.database.db, [{ profileId: m.profileId, start: nextPastSlot(), status, email }]);
  return id as number;
}

const link = (bookingId: number, email = EMAIL) => ctx.app.services.ratingTokens.sign(bookingId, email);
const rate = (bookingId: number, token: string, json: Record<string, unknown>) =>
  call(ctx, `/api/v2/bookings/${bookingId}/rating`, { method: "POST", token, json: { prospectiveEmail: EMAIL, ...json } });
const ratingsOf = (m: Mentor, token = ctx.admin, qs = "") => call(ctx, `/api/v2/students/${m.profileId}/ratings${qs}`, { token });
/** Property 21's expected average: the exact mean rounded half up to one decimal (sum*10/n is exact at halves). */
const expectedMean = (values: number[]) => (values.length ? Math.round((values.reduce((a, b) => a + b, 0) * 10) / values.length) / 10 : null);

describe("Ratings", () => {
  test("Property 20: Rating Storage and Validation (1 to 5 stored with the feedback; anything else is INVALID_RATING)", async () => {
    const mentor = await createMentor(ctx);
    const feedback = fc.option(fc.string({ unit: "grapheme", maxLength: 520 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: -3, max: 9 }), fc.double({ noNaN: true, min: -10, max: 10 })), feedback, async (rating, text) => {
        const bookingId = await completedBooking(mentor);
        const r = await rate(bookingId, await link(bookingId), text === undefined ? { rating } : { rating, feedback: text });
        const chars = text === undefined ? 0 : [...text].length;
        const valid = Number.isInteger(rating) && rating >= 1 && rating <= 5 && chars <= 500 && !text?.includes("\u0000");
        if (!valid) {
          expectError(r, 400, "INVALID_RATING");
          return;
        }
        expect(r.status).toBe(201);
        expect(r.body.data).toMatchObject({ bookingId, studentProfileId: mentor.profileId, rating, flagged: rating < 3 });
        const [stored] = await ctx.app.database.db.execute(sql`select rating, feedback from session_ratings where booking_id = ${bookingId}`).then(
          (res) => (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { rating: number; feedback: string | null }[],
        );
        expect(stored?.rating).toBe(rating);
        expect(stored?.feedback).toBe(text?.trim() ? text : null);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  test("Property 21: Average Rating Calculation (mean of the visible ratings, rounded to one decimal, updated with each rating)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }), async (values) => {
        const mentor = await createMentor(ctx);
        const given: number[] = [];
        for (const value of values) {
          const bookingId = await completedBooking(mentor);
          expect((await rate(bookingId, ctx.integrator, { rating: value })).status).toBe(201);
          given.push(value);
        }
        const list = await ratingsOf(mentor, ctx.widget);
        expect(list.body.data.averageRating).toBe(expectedMean(given));
        expect(list.body.data.totalRatings).toBe(given.length);
        const profile = await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: ctx.widget });
        expect(profile.body.data.averageRating).toBe(expectedMean(given));
        const stats = await call(ctx, `/api/v2/students/${mentor.profileId}/stats`, { token: ctx.widget });
        expect(stats.body.data).toMatchObject({ averageRating: expectedMean(given), totalRatings: given.length });
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  test("the shown average is the exact mean rounded once (310/73 = 4.2466 shows 4.2, not 4.25 then 4.3)", async () => {
    const mentor = await createMentor(ctx);
    // 73 ratings summing to 310: 16 fives and 57 fours... 16*5 + 57*4 = 308; two more: 18 fives and 55 fours = 310.
    const values = [...Array(18).fill(5), ...Array(55).fill(4)];
    const ids = await insertBookings(
      ctx.app.database.db,
      values.map(() => ({ profileId: mentor.profileId, start: nextPastSlot(), status: "COMPLETED" as const, email: EMAIL })),
    );
    for (const [i, id] of ids.entries()) expect((await rate(id, ctx.integrator, { rating: values[i] })).status).toBe(201);
    expect((await ratingsOf(mentor)).body.data.averageRating).toBe(4.2);
    expect(expectedMean(values)).toBe(4.2);
  }, 60_000);

  test("Property 42: Low Rating Flagging (under 3 is flagged and waits for review; admins keep or hide it)", async () => {
    const mentor = await createMentor(ctx);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), async (value) => {
        const bookingId = await completedBooking(mentor);
        clock.advance(1000); // newest first: this rating heads the queue
        const r = await rate(bookingId, await link(bookingId), { rating: value });
        expect(r.status).toBe(201);
        expect(r.body.data.flagged).toBe(value < 3);
        const queue = await call(ctx, `/api/v2/admin/ratings?flagged=true&review=pending&limit=5`, { token: ctx.admin });
        const inQueue = queue.body.data.items.some((i: { id: string }) => i.id === r.body.data.id);
        expect(inQueue).toBe(value < 3);
        if (value < 3) {
          const kept = await call(ctx, `/api/v2/admin/ratings/${r.body.data.id}`, { method: "PATCH", token: ctx.admin, json: { review: "kept" } });
          expect(kept.body.data).toMatchObject({ review: "kept", flagged: true, bookingId });
          expect(kept.body.data.mentorName).toMatch(/^Mentor /);
        }
      }),
      { numRuns: RUNS },
    );
    clock.set(T0);
  }, 120_000);

  test("hidden ratings leave the average and the public list; admins still see them with their review state", async () => {
    const mentor = await createMentor(ctx);
    const ids: string[] = [];
    for (const value of [5, 1, 4]) {
      const bookingId = await completedBooking(mentor);
      ids.push((await rate(bookingId, ctx.integrator, { rating: value, feedback: `note ${value}` })).body.data.id);
    }
    expect((await ratingsOf(mentor, ctx.widget)).body.data).toMatchObject({ averageRating: 3.3, totalRatings: 3, total: 3 });
    const hidden = await call(ctx, `/api/v2/admin/ratings/${ids[1]}`, { method: "PATCH", token: ctx.admin, json: { review: "hidden" } });
    expect(hidden.status).toBe(200);
    const pub = (await ratingsOf(mentor, ctx.widget)).body.data;
    expect(pub).toMatchObject({ averageRating: 4.5, totalRatings: 2, total: 2 });
    expect(pub.items.map((i: { rating: number }) => i.rating).sort()).toEqual([4, 5]);
    expect(pub.items.every((i: Record<string, unknown>) => !("review" in i))).toBe(true);
    const admin = (await ratingsOf(mentor, ctx.admin)).body.data;
    expect(admin.total).toBe(3);
    expect(admin.items.find((i: { id: string }) => i.id === ids[1]).review).toBe("hidden");
    expect((await call(ctx, "/api/v2/admin/ratings?review=hidden", { token: ctx.admin })).body.data.items.map((i: { id: string }) => i.id)).toContain(ids[1]);
    // A signed-in admin is recorded as the reviewer (development tokens name no account).
    await upsertAdmin(ctx.app.database.db, clock, { email: "moderator@thotis.fr", password: "moderator-password" });
    const signedIn = await call(ctx, "/api/v2/auth/login", { method: "POST", json: { email: "moderator@thotis.fr", password: "moderator-password" } });
    await call(ctx, `/api/v2/admin/ratings/${ids[0]}`, { method: "PATCH", token: signedIn.body.data.token, json: { review: "kept" } });
    const reviewers = await ctx.app.database.db.execute(sql`select id, reviewed_by from session_ratings where id in (${ids[0]}, ${ids[1]}) order by id`);
    const byId = new Map(((Array.isArray(reviewers) ? reviewers : (reviewers as { rows: unknown[] }).rows) as { id: string; reviewed_by: number | null }[]).map((r) => [r.id, r.reviewed_by]));
    expect([byId.get(ids[0] as string), byId.get(ids[1] as string)]).toEqual([signedIn.body.data.user.id, null]);
    // Unhiding brings it back.
    await call(ctx, `/api/v2/admin/ratings/${ids[1]}`, { method: "PATCH", token: ctx.admin, json: { review: "kept" } });
    expect((await ratingsOf(mentor, ctx.widget)).body.data).toMatchObject({ averageRating: 3.3, totalRatings: 3 });
    // Hiding every rating: no average (null), never NaN.
    for (const id of ids) await call(ctx, `/api/v2/admin/ratings/${id}`, { method: "PATCH", token: ctx.admin, json: { review: "hidden" } });
    expect((await ratingsOf(mentor, ctx.widget)).body.data).toMatchObject({ averageRating: null, totalRatings: 0, items: [] });
    expect((await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: ctx.widget })).body.data.averageRating).toBeNull();
  });

  test("the rating link is single-use and bound to its booking and e-mail", async () => {
    const mentor = await createMentor(ctx);
    const bookingId = await completedBooking(mentor);
    const other = await completedBooking(mentor);
    const token = await link(bookingId);
    expectError(await rate(other, token, { rating: 5 }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await rate(bookingId, token, { rating: 5, prospectiveEmail: "someone.else@lycee.fr" }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await rate(bookingId, await link(bookingId, "intruder@lycee.fr"), { rating: 5, prospectiveEmail: "intruder@lycee.fr" }), 403);
    // Case does not matter.
    const first = await rate(bookingId, token, { rating: 5, prospectiveEmail: "Lucas.Martin@LYCEE.fr" });
    expect(first.status).toBe(201);
    expectError(await rate(bookingId, token, { rating: 4 }), 409, "RATING_ALREADY_EXISTS");
    expectError(await rate(bookingId, ctx.integrator, { rating: 4 }), 409, "RATING_ALREADY_EXISTS");
    // A rating link opens nothing else.
    expectError(await call(ctx, `/api/v2/bookings/${bookingId}`, { token }), 401);
    expectError(await call(ctx, `/api/v2/students/${mentor.profileId}/ratings`, { token }), 401);
    // Expired links are refused.
    const late = await completedBooking(mentor);
    const lateLink = await link(late);
    clock.advance((RATING_LINK_DAYS + 1) * DAY);
    try {
      expectError(await rate(late, lateLink, { rating: 5 }), 401);
    } finally {
      clock.set(T0);
    }
  });

  test("only completed sessions, and only the link, an integrator or an admin may rate", async () => {
    const mentor = await createMentor(ctx);
    for (const status of ["ACCEPTED", "CANCELLED"] as const) {
      const id = await completedBooking(mentor, status);
      const r = await rate(id, await link(id), { rating: 5 });
      expectError(r, 409, "SESSION_NOT_COMPLETED");
    }
    const id = await completedBooking(mentor);
    expectError(await rate(id, ctx.widget, { rating: 5 }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await rate(id, mentor.token, { rating: 5 }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, `/api/v2/bookings/${id}/rating`, { method: "POST", json: { rating: 5, prospectiveEmail: EMAIL } }), 401);
    expectError(await rate(999_999, ctx.admin, { rating: 5 }), 404, "BOOKING_NOT_FOUND");
    expectError(await rate(id, ctx.admin, { rating: 5, extra: 1 }), 400, "INVALID_RATING");
    expect((await rate(id, ctx.admin, { rating: 5 })).status).toBe(201);
    // Mentors and widgets list (without hidden ones); unknown profiles are 404.
    expect((await ratingsOf(mentor, mentor.token)).status).toBe(200);
    expectError(await call(ctx, "/api/v2/students/nope/ratings", { token: ctx.widget }), 404, "PROFILE_NOT_FOUND");
    expectError(await call(ctx, "/api/v2/admin/ratings", { token: ctx.integrator }), 403);
  });

  test("concurrent ratings of one mentor all reach the average; a rating records an analytics event", async () => {
    const mentor = await createMentor(ctx);
    const values = [1, 2, 3, 4, 5, 5, 4, 3];
    const ids = await insertBookings(
      ctx.app.database.db,
      values.map(() => ({ profileId: mentor.profileId, start: nextPastSlot(), status: "COMPLETED" as const, email: EMAIL })),
    );
    const results = await Promise.all(ids.map((id, i) => rate(id, ctx.integrator, { rating: values[i] })));
    expect(results.map((r) => r.status)).toEqual(values.map(() => 201));
    // A duplicate race: exactly one wins.
    const [dup] = await insertBookings(ctx.app.database.db, [{ profileId: mentor.profileId, start: nextPastSlot(), status: "COMPLETED" }]);
    const race = await Promise.all([1, 2, 3].map(() => rate(dup as number, ctx.integrator, { rating: 4 })));
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const list = (await ratingsOf(mentor)).body.data;
    expect(list).toMatchObject({ totalRatings: 9, averageRating: expectedMean([...values, 4]) });
    const events = await ctx.app.database.db.execute(
      sql`select count(*)::int as n from analytics_events where name = 'rating_submitted' and student_profile_id = ${mentor.profileId}`,
    );
    const [row] = (Array.isArray(events) ? events : (events as { rows: unknown[] }).rows) as { n: number }[];
    expect(Number(row?.n)).toBe(9);
  });

  test("pagination of a mentor's ratings", async () => {
    const mentor = await createMentor(ctx);
    for (let i = 0; i < 5; i++) {
      const id = await completedBooking(mentor);
      clock.advance(1000);
      await rate(id, ctx.integrator, { rating: 4 });
    }
    clock.set(T0);
    const p1 = (await ratingsOf(mentor, ctx.widget, "?page=1&limit=2")).body.data;
    const p3 = (await ratingsOf(mentor, ctx.widget, "?page=3&limit=2")).body.data;
    expect({ total: p1.total, n1: p1.items.length, n3: p3.items.length, page: p3.page, limit: p3.limit }).toEqual({ total: 5, n1: 2, n3: 1, page: 3, limit: 2 });
    expect(Date.parse(p1.items[0].createdAt)).toBeGreaterThan(Date.parse(p1.items[1].createdAt));
    expectError(await ratingsOf(mentor, ctx.widget, "?limit=101"), 400);
  });
});
