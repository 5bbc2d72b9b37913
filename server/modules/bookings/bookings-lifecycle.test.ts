/**
 * The booking lifecycle through the real HTTP API: counters (Properties 18 and 19), cancelling, rescheduling
 * (Properties 32 and 34) and completing, by hand and automatically. Creation rules live in bookings.test.ts.
 *
 * Time is a fixedClock starting Monday 2026-06-01 06:00 UTC (08:00 in Paris); mentors are available 08:00-20:00 Paris
 * time every day (06:00-18:00 UTC in June). Tokens are signed at T0 with a long lifetime, so moving the clock forward
 * never expires them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { bookingHistory, bookings } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

import { type Json, T0, MIN, SLOT, HOUR, DAY, RUNS, iso, type Ctx, type Mentor, useApp, call, expectError, createMentor, listSlots, student, bookBody, book, cancelBooking, reset } from "./fixtures.ts";

const reschedule = (ctx: Ctx, id: number, dateTime: string, token = ctx.admin) =>
  call(ctx, `/api/v2/bookings/${id}/reschedule`, { method: "PATCH", token, json: { dateTime } });
const complete = (ctx: Ctx, id: number, token = ctx.admin) => call(ctx, `/api/v2/bookings/${id}/complete`, { method: "POST", token });

async function counters(ctx: Ctx, profileId: string) {
  const r = await call(ctx, `/api/v2/students/${profileId}`, { token: ctx.widget });
  expect(r.status).toBe(200);
  const { totalSessions, completedSessions, cancelledSessions } = r.body.data;
  return { totalSessions, completedSessions, cancelledSessions };
}

async function bookOk(ctx: Ctx, profileId: string, dateTime: string): Promise<{ id: number; meetingUrl: string }> {
  const r = await book(ctx, bookBody(profileId, dateTime));
  expect(r.status).toBe(201);
  return { id: r.body.data.bookingId, meetingUrl: r.body.data.meetingUrl };
}

const rate = (part: number, total: number) => (total === 0 ? 0 : (part / total) * 100);

// ---------------------------------------------------------------------------------------------------------------------

describe("session counters", () => {
  const ctx = useApp();
  let mentor: Mentor;
  /** The first 60 slots at T0: 08:00-18:00 UTC on day 1, then 06:00-11:00 UTC on day 2. */
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    pool = (await listSlots(ctx, mentor.profileId, { end: "2026-06-03T00:00:00.000Z" })).slice(0, 60);
    expect(pool.length).toBe(60);
  }, 120_000);

  type Command =
    | { kind: "create"; slot: number }
    | { kind: "cancel"; ref: number }
    | { kind: "complete"; ref: number }
    | { kind: "finish"; ref: number; minutes: number }
    | { kind: "advance"; minutes: number }
    | { kind: "reach"; ref: number; minutes: number }
    | { kind: "auto" };
  type Status = "ACCEPTED" | "CANCELLED" | "COMPLETED";

  /** Which booking a command acts on, among the bookings by start time: mostly the earliest ones, which time reaches first. */
  const ref = fc.oneof(fc.nat(2), fc.nat(20));
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("create" as const), slot: fc.nat(59) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("cancel" as const), ref }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("complete" as const), ref }) },
    // The clock reaches a booking's start (or a little later), then the session is completed.
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("finish" as const), ref, minutes: fc.integer({ min: 0, max: 30 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), minutes: fc.integer({ min: 1, max: 8 * 60 }) }) },
    // Moves the clock to around a booking's start (from 2 h before to 30 min after), where the rules change.
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("reach" as const),
        ref,
        minutes: fc.oneof(fc.integer({ min: -120, max: -1 }), fc.integer({ min: 0, max: 30 })),
      }),
    },
    { weight: 2, arbitrary: fc.constant({ kind: "auto" as const }) },
  );

  test(
    "Properties 18/19: Statistics Calculation Accuracy and Session Counter Updates over random create/cancel/complete sequences",
    async () => {
      // Feature: thotis-student-mentoring, Property 18: Statistics Calculation Accuracy
      // Feature: thotis-student-mentoring, Property 19: Session Counter Updates
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 3, maxLength: 20 }), async (commands) => {
          await reset(ctx, [mentor]);
          let now = T0.getTime();
          const model: { id: number; start: number; status: Status }[] = [];
          const expected = { totalSessions: 0, completedSessions: 0, cancelledSessions: 0 };
          const byStart = () => [...model].sort((x, y) => x.start - y.start || x.id - y.id);
          for (const c of commands) {
            if (c.kind === "create") {
              const start = Date.parse(pool[c.slot]!);
              const r = await book(ctx, bookBody(mentor.profileId, pool[c.slot]!));
              if (start < now + 2 * HOUR) expectError(r, 400, "MINIMUM_NOTICE_REQUIRED");
              else if (model.some((b) => b.start === start && b.status === "ACCEPTED")) expectError(r, 409, "BOOKING_CONFLICT");
              else {
                expect(r.status).toBe(201);
                model.push({ id: r.body.data.bookingId, start, status: "ACCEPTED" });
                expected.totalSessions++;
              }
            } else if (c.kind === "cancel" || c.kind === "complete" || c.kind === "finish") {
              if (model.length === 0) continue;
              const b = byStart()[c.ref % model.length]!;
              if (c.kind === "finish") {
                now = Math.max(now, b.start + c.minutes * MIN);
                ctx.clock.set(new Date(now));
              }
              if (c.kind === "cancel") {
                const r = await cancelBooking(ctx, b.id);
                if (b.status === "COMPLETED") expectError(r, 409, "CONFLICT");
                else if (b.status === "CANCELLED") expect([r.status, r.body.data.status]).toEqual([200, "CANCELLED"]);
                else if (b.start - now < 2 * HOUR) expectError(r, 400, "CANCELLATION_TOO_LATE");
                else {
                  expect([r.status, r.body.data.status]).toEqual([200, "CANCELLED"]);
                  b.status = "CANCELLED";
                  expected.cancelledSessions++;
                }
              } else {
                const r = await complete(ctx, b.id);
                if (b.status === "CANCELLED") expectError(r, 409, "CONFLICT");
                else if (b.status === "COMPLETED") expect([r.status, r.body.data.status]).toEqual([200, "COMPLETED"]);
                else if (b.start > now) expectError(r, 409, "CONFLICT");
                else {
                  expect([r.status, r.body.data.status]).toEqual([200, "COMPLETED"]);
                  b.status = "COMPLETED";
                  expected.completedSessions++;
                }
              }
            } else if (c.kind === "advance" || c.kind === "reach") {
              if (c.kind === "advance") now += c.minutes * MIN;
              else if (model.length > 0) now = Math.max(now, byStart()[c.ref % model.length]!.start + c.minutes * MIN);
              ctx.clock.set(new Date(now));
            } else {
              const ended = model.filter((b) => b.status === "ACCEPTED" && b.start + SLOT <= now);
              expect(await ctx.app.services.bookings.completeEnded()).toBe(ended.length);
              for (const b of ended) b.status = "COMPLETED";
              expected.completedSessions += ended.length;
            }
            // Every transition moved its counter exactly once; nothing else moved any.
            expect(await counters(ctx, mentor.profileId)).toEqual(expected);
          }
          // The counters agree with the bookings themselves, and so do the rates computed from them.
          const rows = await ctx.app.database.db.select({ id: bookings.id, status: bookings.status }).from(bookings);
          const byStatus = (s: Status) => rows.filter((r) => r.status === s).length;
          expect(rows.length).toBe(expected.totalSessions);
          expect(byStatus("COMPLETED")).toBe(expected.completedSessions);
          expect(byStatus("CANCELLED")).toBe(expected.cancelledSessions);
          for (const b of model) expect(rows.find((r) => r.id === b.id)?.status).toBe(b.status);
          const stats = await counters(ctx, mentor.profileId);
          expect(rate(stats.completedSessions, stats.totalSessions)).toBe(rate(byStatus("COMPLETED"), rows.length));
          expect(rate(stats.cancelledSessions, stats.totalSessions)).toBe(rate(byStatus("CANCELLED"), rows.length));
          expect(rate(stats.completedSessions, stats.totalSessions) + rate(stats.cancelledSessions, stats.totalSessions)).toBeLessThanOrEqual(
            100 + 1e-9,
          );
          // Each transition is in the history exactly once.
          const history = await ctx.app.database.db.select({ action: bookingHistory.action }).from(bookingHistory);
          const actions = (a: string) => history.filter((h) => h.action === a).length;
          expect([actions("created"), actions("cancelled"), actions("completed")]).toEqual([
            expected.totalSessions,
            expected.cancelledSessions,
            expected.completedSessions,
          ]);
        }),
        { numRuns: RUNS },
      );
      ctx.clock.set(T0);
    },
    180_000,
  );
});

// ---------------------------------------------------------------------------------------------------------------------

describe("cancelling", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId, { end: "2026-06-04T00:00:00.000Z" });
  }, 120_000);

  test("a cancellation is recorded with its reason, frees the slot and appears in the history after the creation", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[20]!);
    ctx.clock.advance(30 * MIN);
    const r = await cancelBooking(ctx, id, ctx.admin, { reason: "Conflit d'emploi du temps", cancelledBy: "mentor" });
    expect(r.status).toBe(200);
    const d = r.body.data;
    expect(d.status).toBe("CANCELLED");
    expect(d.cancellationReason).toBe("Conflit d'emploi du temps");
    expect(d.cancelledBy).toBe("mentor");
    expect(d.history.map((h: Json) => [h.action, h.fromStatus, h.toStatus])).toEqual([
      ["created", null, "ACCEPTED"],
      ["cancelled", "ACCEPTED", "CANCELLED"],
    ]);
    expect(d.history[0].newStartTime).toBe(pool[20]);
    expect(d.history[1].oldStartTime).toBe(pool[20]);
    expect(d.history[1].at).toBe(iso(T0.getTime() + 30 * MIN));
    expect(Date.parse(d.history[0].at)).toBeLessThan(Date.parse(d.history[1].at));
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 0, cancelledSessions: 1 });
    expect(await listSlots(ctx, mentor.profileId, { end: "2026-06-04T00:00:00.000Z" })).toContain(pool[20]!);

    // Cancelling again is harmless: 200, nothing changes.
    const again = await cancelBooking(ctx, id, ctx.admin, { reason: "Encore", cancelledBy: "student" });
    expect(again.status).toBe(200);
    expect(again.body.data.cancellationReason).toBe("Conflit d'emploi du temps");
    expect(again.body.data.history.length).toBe(2);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 0, cancelledSessions: 1 });
    // A cancelled booking cannot be moved.
    expectError(await reschedule(ctx, id, pool[30]!), 409);
  });

  test("less than 2 hours before the start is too late (exactly 2 hours is still fine)", async () => {
    await reset(ctx, [mentor]);
    const start = Date.parse(pool[40]!);
    const late = await bookOk(ctx, mentor.profileId, iso(start));
    const onTime = await bookOk(ctx, mentor.profileId, iso(start + SLOT));
    ctx.clock.set(new Date(start - 2 * HOUR + 1000));
    expectError(await cancelBooking(ctx, late.id), 400, "CANCELLATION_TOO_LATE");
    ctx.clock.set(new Date(start - 2 * HOUR + SLOT));
    expect((await cancelBooking(ctx, onTime.id)).status).toBe(200);
    ctx.clock.set(new Date(start + 5 * MIN));
    expectError(await cancelBooking(ctx, late.id), 400, "CANCELLATION_TOO_LATE");
    const row = await ctx.app.database.db.select({ status: bookings.status }).from(bookings).where(eq(bookings.id, late.id));
    expect(row[0]!.status).toBe("ACCEPTED");
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 2, completedSessions: 0, cancelledSessions: 1 });
    ctx.clock.set(T0);
  });

  test("a completed session cannot be cancelled (409)", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[0]!);
    ctx.clock.set(new Date(Date.parse(pool[0]!) + SLOT));
    expect((await complete(ctx, id)).status).toBe(200);
    // Even with a clock far from the start, the status decides.
    ctx.clock.set(T0);
    expectError(await cancelBooking(ctx, id), 409, "CONFLICT");
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 1, cancelledSessions: 0 });
  });

  test("20 concurrent cancellations of one booking: all 200, the counter moves once", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[15]!);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cancelBooking(ctx, id, ctx.admin, { reason: `r${i}`, cancelledBy: "student" })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const reasons = new Set(results.map((r) => r.body.data.cancellationReason));
    expect(reasons.size).toBe(1);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 0, cancelledSessions: 1 });
    const history = await ctx.app.database.db.select().from(bookingHistory).where(eq(bookingHistory.bookingId, id));
    expect(history.map((h) => h.action)).toEqual(["created", "cancelled"]);
  });

  test("the cancellation body is validated and unknown bookings are 404", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[10]!);
    for (const json of [{}, { reason: "", cancelledBy: "student" }, { reason: "x", cancelledBy: "someone" }, { cancelledBy: "mentor" }]) {
      expectError(await cancelBooking(ctx, id, ctx.admin, json), 400);
    }
    expectError(await cancelBooking(ctx, id, ctx.admin, { reason: "x".repeat(501), cancelledBy: "student" }), 400);
    expectError(await cancelBooking(ctx, 987_654), 404, "BOOKING_NOT_FOUND");
    expectError(await call(ctx, "/api/v2/bookings/abc", { method: "DELETE", token: ctx.admin, json: { reason: "x", cancelledBy: "student" } }), 400);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 0, cancelledSessions: 0 });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("rescheduling", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let other: Mentor;
  /** Slots of day 1 and day 2 at T0. */
  let pool: string[];
  const windowEnd = "2026-06-03T00:00:00.000Z";

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    other = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId, { end: windowEnd });
    expect(pool.length).toBe(40 + 48);
  }, 120_000);

  test(
    "Property 32: Rescheduling Meet Link Regeneration (a moved booking gets a new link and its new time)",
    async () => {
      // Feature: thotis-student-mentoring, Property 32: Rescheduling Meet Link Regeneration
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(
          fc.nat(pool.length - 1),
          fc.nat(pool.length - 1),
          fc.constantFrom("admin", "integrator", "mentor", "manage"),
          async (a, b, who) => {
            fc.pre(a !== b);
            await reset(ctx, [mentor]);
            const created = await bookOk(ctx, mentor.profileId, pool[a]!);
            const token =
              who === "admin"
                ? ctx.admin
                : who === "integrator"
                  ? ctx.integrator
                  : who === "mentor"
                    ? mentor.token
                    : await ctx.app.services.manageTokens.sign(created.id, new Date(T0.getTime() + 60 * DAY));
            const r = await reschedule(ctx, created.id, pool[b]!, token);
            expect(r.status).toBe(200);
            const d = r.body.data;
            expect(d.bookingId).toBe(created.id);
            expect(d.booking).toEqual({ id: created.id, startTime: pool[b], endTime: iso(Date.parse(pool[b]!) + SLOT), status: "ACCEPTED" });
            expect(d.meetingUrl).not.toBe(created.meetingUrl);
            expect(d.googleMeetLink).toBe(d.meetingUrl);
            for (const u of [created.meetingUrl, d.meetingUrl]) {
              expect(seen.has(u)).toBe(false);
              seen.add(u);
            }
            const got = (await call(ctx, `/api/v2/bookings/${created.id}`, { token: ctx.admin })).body.data;
            expect(got.meetingUrl).toBe(d.meetingUrl);
            expect(got.history.map((h: Json) => [h.action, h.oldStartTime, h.newStartTime])).toEqual([
              ["created", null, pool[a]],
              ["rescheduled", pool[a], pool[b]],
            ]);
            // The old slot is free again, the new one is taken; counters are untouched.
            const free = await listSlots(ctx, mentor.profileId, { end: windowEnd });
            expect(free).toContain(pool[a]!);
            expect(free).not.toContain(pool[b]);
            expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 0, cancelledSessions: 0 });
          },
        ),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test("rescheduling onto a taken slot is a BOOKING_CONFLICT; onto a slot that is not offered, SLOT_NOT_AVAILABLE", async () => {
    await reset(ctx, [mentor, other]);
    const a = await bookOk(ctx, mentor.profileId, pool[10]!);
    const b = await bookOk(ctx, mentor.profileId, pool[11]!);
    await bookOk(ctx, other.profileId, pool[12]!);
    expectError(await reschedule(ctx, a.id, pool[11]!), 409, "BOOKING_CONFLICT");
    // Another mentor's booking does not block this one.
    expect((await reschedule(ctx, a.id, pool[12]!)).status).toBe(200);
    // Back to back with itself: moving b by one quarter hour onto its own neighbourhood is fine.
    expect((await reschedule(ctx, b.id, pool[13]!)).status).toBe(200);
    expectError(await reschedule(ctx, a.id, "2026-06-02T03:00:00.000Z"), 400, "SLOT_NOT_AVAILABLE");
    expectError(await reschedule(ctx, a.id, "2026-06-02T10:07:00.000Z"), 400, "SLOT_NOT_AVAILABLE");
    expectError(await reschedule(ctx, a.id, iso(T0.getTime() + 31 * DAY)), 400, "SLOT_NOT_AVAILABLE");
    expectError(await reschedule(ctx, a.id, iso(T0.getTime() + HOUR)), 400, "MINIMUM_NOTICE_REQUIRED");
    expectError(await reschedule(ctx, a.id, "soon"), 400);
    expectError(await reschedule(ctx, 999_999, pool[20]!), 404, "BOOKING_NOT_FOUND");
    // Nothing moved by the refused attempts.
    const rows = await ctx.app.database.db.select({ id: bookings.id, s: bookings.startTime }).from(bookings).orderBy(bookings.id);
    expect(rows.map((r) => r.s.toISOString())).toEqual([pool[12]!, pool[13]!, pool[12]!]);
  });

  test("20 bookings moved onto one free slot at once: exactly one succeeds, the others are BOOKING_CONFLICT", async () => {
    await reset(ctx, [mentor]);
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await bookOk(ctx, mentor.profileId, pool[40 + i]!)).id);
    const target = pool[20]!;
    const results = await Promise.all(ids.map((id) => reschedule(ctx, id, target)));
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.status === 200).length).toBe(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 409, "BOOKING_CONFLICT");
    const rows = await ctx.app.database.db.select({ s: bookings.startTime }).from(bookings).where(eq(bookings.status, "ACCEPTED"));
    expect(rows.filter((r) => r.s.toISOString() === target).length).toBe(1);
    expect(rows.length).toBe(20);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 20, completedSessions: 0, cancelledSessions: 0 });
  });

  test("less than 2 hours before the old start, a booking can no longer be moved", async () => {
    await reset(ctx, [mentor]);
    const start = Date.parse(pool[30]!);
    const a = await bookOk(ctx, mentor.profileId, iso(start));
    ctx.clock.set(new Date(start - 2 * HOUR + MIN));
    expectError(await reschedule(ctx, a.id, pool[60]!), 400, "CANCELLATION_TOO_LATE");
    ctx.clock.set(new Date(start - 2 * HOUR));
    const moved = await reschedule(ctx, a.id, pool[60]!);
    expect(moved.status).toBe(200);
    expect(moved.body.data.booking.startTime).toBe(pool[60]!);
    ctx.clock.set(T0);
    // Moving to its own time is a no-op.
    const same = await reschedule(ctx, a.id, pool[60]!);
    expect(same.status).toBe(200);
    expect(same.body.data.booking.startTime).toBe(pool[60]!);
  });

  test(
    "Property 34: Reschedule Availability Display (the booking's own slot is offered to it, other bookings' slots never)",
    async () => {
      // Feature: thotis-student-mentoring, Property 34: Reschedule Availability Display
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.nat(pool.length - 1), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          fc.boolean(),
          async (indexes, pick, otherMentorToo) => {
            await reset(ctx, [mentor, other]);
            const ids: number[] = [];
            for (const i of indexes) ids.push((await bookOk(ctx, mentor.profileId, pool[i]!)).id);
            // Another mentor's bookings never matter.
            if (otherMentorToo) await bookOk(ctx, other.profileId, pool[(indexes[0]! + 1) % pool.length]!);
            const target = pick % ids.length;
            const own = pool[indexes[target]!]!;
            const taken = indexes.filter((_, k) => k !== target).map((i) => pool[i]!);
            const without = await listSlots(ctx, mentor.profileId, { end: windowEnd });
            const withIt = await listSlots(ctx, mentor.profileId, { end: windowEnd, rescheduleBookingId: ids[target]! });
            expect(without).not.toContain(own);
            expect(withIt).toContain(own);
            for (const t of taken) {
              expect(without).not.toContain(t);
              expect(withIt).not.toContain(t);
            }
            // Exactly the free slots plus the booking's own.
            expect(withIt).toEqual([...without, own].sort());
            expect(without).toEqual(pool.filter((s) => !indexes.some((i) => pool[i] === s)));
            // And each offered alternative can really be taken by the booking.
            const alternative = withIt.find((s) => s !== own)!;
            const moved = await reschedule(ctx, ids[target]!, alternative);
            expect(moved.status).toBe(200);
          },
        ),
        { numRuns: RUNS },
      );
    },
    180_000,
  );
});

// ---------------------------------------------------------------------------------------------------------------------

describe("completing", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let other: Mentor;
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    other = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId, { end: "2026-06-03T00:00:00.000Z" });
  }, 120_000);

  test("a session cannot be completed before it starts; after the start it can, once", async () => {
    await reset(ctx, [mentor]);
    const start = Date.parse(pool[4]!);
    const { id } = await bookOk(ctx, mentor.profileId, iso(start));
    expectError(await complete(ctx, id), 409, "CONFLICT");
    ctx.clock.set(new Date(start - 1000));
    expectError(await complete(ctx, id), 409, "CONFLICT");
    ctx.clock.set(new Date(start));
    const done = await complete(ctx, id, mentor.token);
    expect(done.status).toBe(200);
    expect(done.body.data.status).toBe("COMPLETED");
    expect(done.body.data.history.map((h: Json) => [h.action, h.toStatus, h.actor])).toEqual([
      ["created", "ACCEPTED", "widget:test-widget"],
      ["completed", "COMPLETED", `mentor:${mentor.userId}`],
    ]);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 1, cancelledSessions: 0 });
    // Again: 200, nothing changes.
    ctx.clock.advance(HOUR);
    const again = await complete(ctx, id);
    expect(again.status).toBe(200);
    expect(again.body.data.history.length).toBe(2);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 1, cancelledSessions: 0 });
    // A completed session cannot be moved.
    expectError(await reschedule(ctx, id, pool.at(-1)!), 409);
    ctx.clock.set(T0);
  });

  test("20 concurrent completions of one session: all 200, the counter moves once", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[2]!);
    ctx.clock.set(new Date(Date.parse(pool[2]!) + 20 * MIN));
    const [results, auto] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => complete(ctx, id))),
      ctx.app.services.bookings.completeEnded(),
    ]);
    expect(results.map((r) => [r.status, r.body.data.status])).toEqual(Array(20).fill([200, "COMPLETED"]));
    expect(auto).toBeLessThanOrEqual(1);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 1, cancelledSessions: 0 });
    const history = await ctx.app.database.db.select().from(bookingHistory).where(eq(bookingHistory.bookingId, id));
    expect(history.map((h) => h.action)).toEqual(["created", "completed"]);
    ctx.clock.set(T0);
  });

  test("who may complete a session", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[6]!);
    ctx.clock.set(new Date(Date.parse(pool[6]!) + MIN));
    expectError(await complete(ctx, id, other.token), 403);
    expectError(await complete(ctx, id, ctx.widget), 403);
    const manageToken = await ctx.app.services.manageTokens.sign(id, new Date(T0.getTime() + 60 * DAY));
    expect((await complete(ctx, id, manageToken)).status).toBeOneOf([401, 403]);
    expectError(await call(ctx, `/api/v2/bookings/${id}/complete`, { method: "POST" }), 401);
    expect((await complete(ctx, id, ctx.integrator)).status).toBe(200);
    ctx.clock.set(T0);
  });

  test("a cancelled session cannot be completed", async () => {
    await reset(ctx, [mentor]);
    const { id } = await bookOk(ctx, mentor.profileId, pool[8]!);
    expect((await cancelBooking(ctx, id)).status).toBe(200);
    ctx.clock.set(new Date(Date.parse(pool[8]!) + HOUR));
    expectError(await complete(ctx, id), 409, "CONFLICT");
    expect(await ctx.app.services.bookings.completeEnded()).toBe(0);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 1, completedSessions: 0, cancelledSessions: 1 });
    ctx.clock.set(T0);
  });

  test("sessions that have ended are completed automatically, once", async () => {
    await reset(ctx, [mentor, other]);
    const first = Date.parse(pool[0]!);
    const a = await bookOk(ctx, mentor.profileId, iso(first));
    const b = await bookOk(ctx, mentor.profileId, iso(first + SLOT));
    const c = await bookOk(ctx, other.profileId, iso(first));
    const later = await bookOk(ctx, mentor.profileId, pool[30]!);
    const statusOf = async (id: number) => (await call(ctx, `/api/v2/bookings/${id}`, { token: ctx.admin })).body.data;

    // Started but not ended: nothing yet.
    ctx.clock.set(new Date(first + SLOT - 1));
    expect(await ctx.app.services.bookings.completeEnded()).toBe(0);
    expect((await statusOf(a.id)).status).toBe("ACCEPTED");

    // a and c have ended (end <= now), b is running.
    ctx.clock.set(new Date(first + SLOT));
    expect(await ctx.app.services.bookings.completeEnded()).toBe(2);
    expect((await statusOf(a.id)).status).toBe("COMPLETED");
    expect((await statusOf(c.id)).status).toBe("COMPLETED");
    expect((await statusOf(b.id)).status).toBe("ACCEPTED");
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 3, completedSessions: 1, cancelledSessions: 0 });
    expect(await counters(ctx, other.profileId)).toEqual({ totalSessions: 1, completedSessions: 1, cancelledSessions: 0 });
    const history = (await statusOf(a.id)).history;
    expect(history.map((h: Json) => [h.action, h.actor, h.at])).toEqual([
      ["created", "widget:test-widget", T0.toISOString()],
      ["completed", "system:auto-complete", iso(first + SLOT)],
    ]);

    // Running it again changes nothing.
    expect(await ctx.app.services.bookings.completeEnded()).toBe(0);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 3, completedSessions: 1, cancelledSessions: 0 });

    // A session completed by hand is not completed again by the job.
    ctx.clock.set(new Date(first + SLOT + 1));
    expect((await complete(ctx, b.id)).status).toBe(200);
    ctx.clock.set(new Date(first + 2 * SLOT));
    expect(await ctx.app.services.bookings.completeEnded()).toBe(0);
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 3, completedSessions: 2, cancelledSessions: 0 });

    // Much later, the remaining one; then nothing.
    ctx.clock.set(new Date(T0.getTime() + 3 * DAY));
    expect(await ctx.app.services.bookings.completeEnded()).toBe(1);
    expect(await ctx.app.services.bookings.completeEnded()).toBe(0);
    expect((await statusOf(later.id)).status).toBe("COMPLETED");
    expect(await counters(ctx, mentor.profileId)).toEqual({ totalSessions: 3, completedSessions: 3, cancelledSessions: 0 });
    ctx.clock.set(T0);
  });
});
