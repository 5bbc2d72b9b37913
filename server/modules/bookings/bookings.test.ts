/**
 * Booking creation through the real HTTP API: Properties 7, 8, 13, 14 and 30 of the design document, the race for one
 * slot, Idempotency-Key replays, the slot rules and access control. Lifecycle (cancel, reschedule, complete, counters)
 * lives in bookings-lifecycle.test.ts.
 *
 * Time is a fixedClock at Monday 2026-06-01 06:00 UTC (08:00 in Paris); mentors are available 08:00-20:00 Paris time
 * every day (06:00-18:00 UTC in June), so the offered slots are known in advance.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, count, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { newId } from "../../../db/ids.ts";
import { bookings, idempotencyKeys, studentProfiles, users } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { sqlState } from "../../plugins/errors.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

import { type Json, T0, MIN, SLOT, HOUR, DAY, LONG_TTL, RUNS, run, iso, type Ctx, type Mentor, useApp, call, expectError, validProfile, createMentor, listSlots, student, bookBody, book, getBooking, cancelBooking, reset } from "./fixtures.ts";

/** A booking row for direct inserts that bypass the service. */
function directRow(profileId: string, start: number, over: Partial<typeof bookings.$inferInsert> = {}): typeof bookings.$inferInsert {
  const status = over.status ?? "ACCEPTED";
  return {
    studentProfileId: profileId,
    startTime: new Date(start),
    endTime: new Date(start + SLOT),
    prospectiveName: "Direct Insert",
    prospectiveEmail: "direct@example.fr",
    meetingUrl: `https://meet.jit.si/direct-${crypto.randomUUID()}`,
    meetingProvider: "jitsi",
    cancelledAt: status === "CANCELLED" ? T0 : null,
    ...over,
  };
}

async function sqlStateOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (error) {
    return sqlState(error) ?? `no-sqlstate: ${String(error)}`;
  }
}

const profileStats = async (ctx: Ctx, profileId: string) => (await call(ctx, `/api/v2/students/${profileId}`, { token: ctx.admin })).body.data;

/** Printable names: letters, digits, spaces and a few accents; at least one non-space character. */
const nameArb = fc
  .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJÉÈéèçàïô -'0123456789"), minLength: 1, maxLength: 120 })
  .filter((s) => s.trim().length > 0);
const emailArb = fc.emailAddress().filter((e) => e.length <= 254);
const questionArb = fc.string({ unit: "grapheme-ascii", maxLength: 500 });

// ---------------------------------------------------------------------------------------------------------------------

describe("booking creation", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let other: Mentor;
  /** Every slot offered at T0, in order. */
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    other = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId);
  }, 120_000);

  test("the schedule offers 06:00-18:00 UTC quarter hours from T0 + 2 h to T0 + 30 days", () => {
    expect(pool[0]).toBe("2026-06-01T08:00:00.000Z");
    expect(pool.at(-1)).toBe("2026-06-30T17:45:00.000Z");
    // Day 1: 08:00-18:00 UTC (40 slots), then 29 full days of 48.
    expect(pool.length).toBe(40 + 29 * 48);
    for (const s of pool) {
      const t = Date.parse(s);
      expect(t % SLOT).toBe(0);
      expect(t).toBeGreaterThanOrEqual(T0.getTime() + 2 * HOUR);
      expect(t).toBeLessThan(T0.getTime() + 30 * DAY);
      const h = new Date(t).getUTCHours();
      expect(h >= 6 && h < 18).toBe(true);
    }
  });

  test("a booking is created (201) with the response of the design document", async () => {
    await reset(ctx, [mentor, other]);
    const r = await book(ctx, bookBody(mentor.profileId, pool[10]!));
    expect(r.status).toBe(201);
    expect(r.res.headers.get("location")).toBe(`/api/v2/bookings/${r.body.data.bookingId}`);
    expect(r.res.headers.get("idempotent-replayed")).toBeNull();
    const d = r.body.data;
    expect(r.body.status).toBe("success");
    expect(d.booking).toEqual({ id: d.bookingId, startTime: pool[10], endTime: iso(Date.parse(pool[10]!) + SLOT), status: "ACCEPTED" });
    expect(d.meetingUrl).toStartWith("https://meet.jit.si/Thotis-");
    expect(d.googleMeetLink).toBe(d.meetingUrl);
    expect(d.meetingProvider).toBe("jitsi");
    // The confirmations to both sides are queued in the booking's transaction.
    expect(d.confirmationSent).toBe(true);
    const confirmation = await ctx.app.jobs.queue.list({ kind: "email.booking" });
    expect(confirmation.items.some((j) => j.payload.historyId !== undefined && j.status === "pending")).toBe(true);
    // The slot is gone from the availability.
    const after = await listSlots(ctx, mentor.profileId);
    expect(after).not.toContain(pool[10]);
    expect(after.length).toBe(pool.length - 1);
    expect((await profileStats(ctx, mentor.profileId)).totalSessions).toBe(1);
  });

  test(
    "Property 7: Double Booking Prevention (API: a booked slot is refused with 409; back-to-back and freed slots are bookable)",
    async () => {
      // Feature: thotis-student-mentoring, Property 7: Double Booking Prevention
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: pool.length - 2 }),
          nameArb,
          emailArb,
          fc.constantFrom("admin", "integrator", "widget"),
          async (i, name, email, role) => {
            await reset(ctx, [mentor, other]);
            const token = role === "admin" ? ctx.admin : role === "integrator" ? ctx.integrator : ctx.widget;
            const slot = pool[i]!;
            const first = await book(ctx, bookBody(mentor.profileId, slot, { prospectiveStudent: student({ name, email }) }), { token });
            expect(first.status).toBe(201);
            // Anybody else, any role: 409 BOOKING_CONFLICT.
            const second = await book(ctx, bookBody(mentor.profileId, slot, { prospectiveStudent: student({ name: "Someone Else" }) }));
            expectError(second, 409, "BOOKING_CONFLICT");
            // Another mentor's same slot is independent.
            expect((await book(ctx, bookBody(other.profileId, slot))).status).toBe(201);
            // Back to back: the next quarter hour (when offered) is still free.
            const next = iso(Date.parse(slot) + SLOT);
            if (pool[i + 1] === next) expect((await book(ctx, bookBody(mentor.profileId, next))).status).toBe(201);
            // A cancelled booking frees its slot.
            expect((await cancelBooking(ctx, first.body.data.bookingId)).status).toBe(200);
            const again = await book(ctx, bookBody(mentor.profileId, slot));
            expect(again.status).toBe(201);
            const accepted = await ctx.app.database.db
              .select({ n: count() })
              .from(bookings)
              .where(and(eq(bookings.studentProfileId, mentor.profileId), eq(bookings.startTime, new Date(slot)), eq(bookings.status, "ACCEPTED")));
            expect(accepted[0]!.n).toBe(1);
          },
        ),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test(
    "Property 7: Double Booking Prevention (database: the EXCLUDE constraint refuses overlaps even bypassing the service)",
    async () => {
      // Feature: thotis-student-mentoring, Property 7: Double Booking Prevention
      const db = ctx.app.database.db;
      const base = Date.parse("2026-07-15T10:00:00.000Z");
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 200 }),
          fc.integer({ min: -2, max: 2 }),
          fc.constantFrom("ACCEPTED", "CANCELLED", "COMPLETED") as fc.Arbitrary<"ACCEPTED" | "CANCELLED" | "COMPLETED">,
          fc.boolean(),
          async (slot, delta, firstStatus, sameMentor) => {
            await reset(ctx, []);
            const a = base + slot * SLOT;
            const b = a + delta * SLOT;
            await db.insert(bookings).values(directRow(mentor.profileId, a, { status: firstStatus }));
            const state = await sqlStateOf(db.insert(bookings).values(directRow(sameMentor ? mentor.profileId : other.profileId, b)));
            const overlaps = sameMentor && delta === 0 && firstStatus === "ACCEPTED";
            expect(state).toBe(overlaps ? "23P01" : null);
          },
        ),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test("the EXCLUDE constraint also guards updates and misaligned overlaps never get in", async () => {
    await reset(ctx, []);
    const db = ctx.app.database.db;
    const a = Date.parse("2026-07-15T10:00:00.000Z");
    const [kept] = await db.insert(bookings).values(directRow(mentor.profileId, a)).returning({ id: bookings.id });
    const [cancelled] = await db
      .insert(bookings)
      .values(directRow(mentor.profileId, a, { status: "CANCELLED" }))
      .returning({ id: bookings.id });
    expect(kept).toBeDefined();
    // Re-activating the cancelled twin would double-book: refused.
    expect(
      await sqlStateOf(db.update(bookings).set({ status: "ACCEPTED", cancelledAt: null }).where(eq(bookings.id, cancelled!.id))),
    ).toBe("23P01");
    // Moving another booking onto it: refused.
    const [moved] = await db.insert(bookings).values(directRow(mentor.profileId, a + 4 * SLOT)).returning({ id: bookings.id });
    expect(
      await sqlStateOf(db.update(bookings).set({ startTime: new Date(a), endTime: new Date(a + SLOT) }).where(eq(bookings.id, moved!.id))),
    ).toBe("23P01");
    // An overlap that is not on a quarter hour is refused as well (by the quarter-hour CHECK before the EXCLUDE).
    expect(await sqlStateOf(db.insert(bookings).values(directRow(mentor.profileId, a + 7 * MIN)))).toMatch(/^(23514|23P01)$/);
    const constraint = await db.execute(sql`select contype from pg_constraint where conname = 'bookings_no_overlap'`);
    const rows = (Array.isArray(constraint) ? constraint : (constraint as { rows: unknown[] }).rows) as { contype: string }[];
    expect(rows.map((r) => r.contype)).toEqual(["x"]);
  });

  test(
    "Property 8: Session Duration Invariant (any other duration or end time is refused with INVALID_DURATION)",
    async () => {
      // Feature: thotis-student-mentoring, Property 8: Session Duration Invariant
      const badDuration = fc.oneof(
        fc.integer({ min: -10_000, max: 10_000 }).filter((n) => n !== 15),
        // JSON has no -0: it arrives as 0, so compare with what the server can actually receive.
        fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((n) => n !== 15).map((n) => (Object.is(n, -0) ? 0 : n)),
      );
      const badEndSeconds = fc.integer({ min: -2 * 86_400, max: 2 * 86_400 }).filter((s) => s !== 15 * 60);
      const attempt = fc.oneof(
        fc.record({ kind: fc.constant("duration" as const), duration: badDuration, slot: fc.nat(pool.length - 1) }),
        fc.record({ kind: fc.constant("end" as const), endSeconds: badEndSeconds, slot: fc.nat(pool.length - 1) }),
        fc.record({
          kind: fc.constant("valid" as const),
          slot: fc.nat(pool.length - 1),
          withDuration: fc.boolean(),
          withEnd: fc.boolean(),
        }),
      );
      await fc.assert(
        fc.asyncProperty(attempt, async (a) => {
          await reset(ctx, [mentor]);
          const start = pool[a.slot]!;
          if (a.kind === "duration") {
            const r = await book(ctx, bookBody(mentor.profileId, start, { durationMinutes: a.duration }));
            expectError(r, 400, "INVALID_DURATION");
            expect(r.body.error.details).toMatchObject({ providedDuration: a.duration, requiredDuration: 15 });
          } else if (a.kind === "end") {
            const r = await book(ctx, bookBody(mentor.profileId, start, { endTime: iso(Date.parse(start) + a.endSeconds * 1000) }));
            expectError(r, 400, "INVALID_DURATION");
          } else {
            const extra: Record<string, unknown> = {};
            if (a.withDuration) extra.durationMinutes = 15;
            if (a.withEnd) extra.endTime = iso(Date.parse(start) + SLOT);
            const r = await book(ctx, bookBody(mentor.profileId, start, extra));
            expect(r.status).toBe(201);
            expect(Date.parse(r.body.data.booking.endTime) - Date.parse(r.body.data.booking.startTime)).toBe(SLOT);
          }
          // Whatever was asked, every stored booking lasts exactly 15 minutes and nothing invalid was stored.
          const rows = await ctx.app.database.db.select({ s: bookings.startTime, e: bookings.endTime }).from(bookings);
          expect(rows.length).toBe(a.kind === "valid" ? 1 : 0);
          for (const row of rows) expect(row.e.getTime() - row.s.getTime()).toBe(SLOT);
        }),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test(
    "Property 8: Session Duration Invariant (database: a direct insert of another duration violates the CHECK)",
    async () => {
      // Feature: thotis-student-mentoring, Property 8: Session Duration Invariant
      const db = ctx.app.database.db;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 500 }),
          fc.integer({ min: -24 * 60, max: 24 * 60 }).filter((m) => m !== 15),
          async (slot, minutes) => {
            const start = Date.parse("2026-08-01T00:00:00.000Z") + slot * SLOT;
            const state = await sqlStateOf(
              db.insert(bookings).values(directRow(mentor.profileId, start, { endTime: new Date(start + minutes * MIN) })),
            );
            expect(state).toBe("23514");
          },
        ),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test(
    "Property 13: Booking Data Completeness (name, e-mail and question are stored and returned)",
    async () => {
      // Feature: thotis-student-mentoring, Property 13: Booking Data Completeness
      await reset(ctx, [mentor]);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(pool.length - 1),
          nameArb,
          emailArb,
          fc.option(questionArb, { nil: undefined }),
          fc.option(fc.constantFrom("fr", "en"), { nil: undefined }),
          async (i, name, email, question, locale) => {
            await reset(ctx, [mentor]);
            const prospectiveStudent: Record<string, unknown> = { name, email };
            if (question !== undefined) prospectiveStudent.question = question;
            if (locale !== undefined) prospectiveStudent.locale = locale;
            const r = await book(ctx, bookBody(mentor.profileId, pool[i]!, { prospectiveStudent }));
            expect(r.status).toBe(201);
            const got = await getBooking(ctx, r.body.data.bookingId);
            expect(got.status).toBe(200);
            expect(got.body.data.prospectiveStudent).toEqual({
              name: name.trim(),
              email,
              question: question?.trim() ? question.trim() : null,
              timeZone: null,
              locale: locale ?? "fr",
            });
            expect(got.body.data.studentProfileId).toBe(mentor.profileId);
            expect(got.body.data.startTime).toBe(pool[i]);
            expect(got.body.data.history.map((h: Json) => h.action)).toEqual(["created"]);
          },
        ),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test("Property 13: validation boundaries of name, e-mail and question", async () => {
    await reset(ctx, [mentor]);
    const slot = pool[5]!;
    const attempt = (ps: Record<string, unknown>) => book(ctx, bookBody(mentor.profileId, slot, { prospectiveStudent: ps }));
    for (const name of ["", "   ", "\t\n"]) expectError(await attempt(student({ name })), 400);
    expectError(await attempt({ email: "lucas@lycee.fr" }), 400);
    for (const email of ["", "not-an-email", "lucas@", "@lycee.fr", "lucas martin@lycee.fr", "lucas@lycee"]) {
      expectError(await attempt(student({ email })), 400);
    }
    expectError(await attempt(student({ question: "q".repeat(501) })), 400);
    expectError(await attempt(student({ name: "n".repeat(121) })), 400);
    expect(await ctx.app.database.db.select({ n: count() }).from(bookings)).toEqual([{ n: 0 }]);

    const ok = await attempt(student({ question: "q".repeat(500), name: "n".repeat(120) }));
    expect(ok.status).toBe(201);
    const got = await getBooking(ctx, ok.body.data.bookingId);
    expect(got.body.data.prospectiveStudent.question).toBe("q".repeat(500));
    expect(got.body.data.prospectiveStudent.name).toBe("n".repeat(120));
  });

  test(
    "Property 14: Minimum Booking Notice (less than 2 hours ahead is refused and never offered)",
    async () => {
      // Feature: thotis-student-mentoring, Property 14: Minimum Booking Notice
      await reset(ctx, [mentor]);
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 0, max: 600 }),
            fc.integer({ min: 0, max: 59 }),
            fc.integer({ min: 0, max: 119 }),
            async (clockMinutes, clockSeconds, offsetMinutes) => {
              const now = T0.getTime() + clockMinutes * MIN + clockSeconds * 1000;
              ctx.clock.set(new Date(now));
              const r = await book(ctx, bookBody(mentor.profileId, iso(now + offsetMinutes * MIN)));
              expectError(r, 400, "MINIMUM_NOTICE_REQUIRED");
              // The quarter hour a prospective student would pick is refused too when it is too close.
              const quarter = Math.floor((now + offsetMinutes * MIN) / SLOT) * SLOT;
              if (quarter >= now) expectError(await book(ctx, bookBody(mentor.profileId, iso(quarter))), 400, "MINIMUM_NOTICE_REQUIRED");

              const slots = (await listSlots(ctx, mentor.profileId, { end: iso(now + DAY) })).map(Date.parse);
              for (const s of slots) expect(s).toBeGreaterThanOrEqual(now + 2 * HOUR);
              // ... and nothing later is lost: the first slot is the first quarter hour 2 h ahead inside 06:00-18:00 UTC.
              const q = Math.ceil((now + 2 * HOUR) / SLOT) * SLOT;
              const h = (q % DAY) / HOUR;
              const expected = h >= 6 && h < 18 ? q : Math.floor(q / DAY) * DAY + (h >= 18 ? DAY : 0) + 6 * HOUR;
              expect(iso(slots[0]!)).toBe(iso(expected));
            },
          ),
          { numRuns: RUNS },
        );
      } finally {
        ctx.clock.set(T0);
      }
      expect(await ctx.app.database.db.select({ n: count() }).from(bookings)).toEqual([{ n: 0 }]);
    },
    180_000,
  );

  test("availability asked with a fixed window is not served stale from the same quarter hour", async () => {
    // Same explicit start/end, clock at a quarter hour then one minute later: the 08:00 slot is 2 h ahead only at first.
    await reset(ctx, [mentor]);
    const window = { start: "2026-06-01T00:00:00.000Z", end: "2026-06-02T00:00:00.000Z" };
    expect((await listSlots(ctx, mentor.profileId, window))[0]).toBe("2026-06-01T08:00:00.000Z");
    ctx.clock.set(new Date(T0.getTime() + MIN));
    try {
      expect((await listSlots(ctx, mentor.profileId, window))[0]).toBe("2026-06-01T08:15:00.000Z");
      expectError(await book(ctx, bookBody(mentor.profileId, "2026-06-01T08:00:00.000Z")), 400, "MINIMUM_NOTICE_REQUIRED");
    } finally {
      ctx.clock.set(T0);
    }
  });

  test("a time that is not an offered slot is refused with SLOT_NOT_AVAILABLE", async () => {
    await reset(ctx, [mentor]);
    const day2 = Date.parse("2026-06-02T00:00:00.000Z");
    const notOffered = [
      iso(day2 + 3 * HOUR), // 05:00 in Paris: before the schedule
      iso(day2 + 18 * HOUR), // 20:00 in Paris: the range's end
      iso(day2 + 21 * HOUR + 45 * MIN), // 23:45 in Paris
      iso(day2 + 10 * HOUR + 7 * MIN), // misaligned (:07)
      iso(day2 + 10 * HOUR + 30 * 1000), // misaligned by seconds
      iso(T0.getTime() + 30 * DAY), // the horizon itself
      iso(T0.getTime() + 30 * DAY + 2 * HOUR), // beyond 30 days, inside the weekly hours
      iso(T0.getTime() + 90 * DAY + 4 * HOUR),
    ];
    for (const dateTime of notOffered) expectError(await book(ctx, bookBody(mentor.profileId, dateTime)), 400, "SLOT_NOT_AVAILABLE");
    // The last offered slot, 30 days minus a bit ahead, is bookable.
    expect((await book(ctx, bookBody(mentor.profileId, pool.at(-1)!))).status).toBe(201);
    expect(await ctx.app.database.db.select({ n: count() }).from(bookings)).toEqual([{ n: 1 }]);
    // Not a date-time at all: 400.
    expectError(await book(ctx, bookBody(mentor.profileId, "tomorrow at noon")), 400);
  });

  test("a mentor without a schedule has no slots to book", async () => {
    const user = await call(ctx, "/api/v2/users", {
      method: "POST",
      token: ctx.admin,
      json: { email: `noschedule.${run}@example.fr`, name: "No Schedule", role: "mentor" },
    });
    const profile = await call(ctx, `/api/v2/students/${user.body.data.id}/profile`, { method: "POST", token: ctx.admin, json: validProfile });
    expect(await listSlots(ctx, profile.body.data.id)).toEqual([]);
    expectError(await book(ctx, bookBody(profile.body.data.id, pool[0]!)), 400, "SLOT_NOT_AVAILABLE");
  });

  test("inactive, incomplete and unknown mentors cannot be booked", async () => {
    await reset(ctx, [mentor]);
    const inactive = await createMentor(ctx);
    const off = await call(ctx, `/api/v2/students/${inactive.profileId}/status`, { method: "PATCH", token: ctx.admin, json: { isActive: false } });
    expect(off.status).toBe(200);
    expectError(await book(ctx, bookBody(inactive.profileId, pool[3]!)), 400, "PROFILE_INACTIVE");
    // Back to active: bookable again.
    await call(ctx, `/api/v2/students/${inactive.profileId}/status`, { method: "PATCH", token: ctx.admin, json: { isActive: true } });
    expect((await book(ctx, bookBody(inactive.profileId, pool[3]!))).status).toBe(201);

    // An onboarding profile without a bio (inserted directly: the API never creates one).
    const db = ctx.app.database.db;
    const [user] = await db
      .insert(users)
      .values({ email: `incomplete.${run}@example.fr`, name: "Incomplete Mentor" })
      .returning({ id: users.id });
    const incompleteId = newId();
    await db.insert(studentProfiles).values({
      id: incompleteId,
      userId: user!.id,
      university: validProfile.university,
      degree: validProfile.degree,
      field: "LAW",
      currentYear: 2,
      bio: null,
    });
    await db.execute(sql`insert into mentor_schedules (student_profile_id, time_zone, weekly, overrides, out_of_office)
      select ${incompleteId}, time_zone, weekly, overrides, out_of_office from mentor_schedules where student_profile_id = ${mentor.profileId}`);
    expectError(await book(ctx, bookBody(incompleteId, pool[3]!)), 400, "PROFILE_INCOMPLETE");

    expectError(await book(ctx, bookBody("c000000000000000000000000", pool[3]!)), 404, "PROFILE_NOT_FOUND");
    const counted = await db.select({ n: count() }).from(bookings);
    expect(counted[0]!.n).toBe(1);
  });

  test(
    "Property 30: Google Meet Link Uniqueness (every booking gets its own meeting URL)",
    async () => {
      // Feature: thotis-student-mentoring, Property 30: Google Meet Link Uniqueness
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(fc.nat(pool.length - 1), { minLength: 2, maxLength: 6 }), async (indexes) => {
          await reset(ctx, [mentor]);
          const urls: string[] = [];
          for (const i of indexes) {
            const r = await book(ctx, bookBody(mentor.profileId, pool[i]!));
            expect(r.status).toBe(201);
            urls.push(r.body.data.meetingUrl);
          }
          expect(new Set(urls).size).toBe(urls.length);
          for (const u of urls) {
            expect(seen.has(u)).toBe(false);
            seen.add(u);
          }
        }),
        { numRuns: RUNS },
      );
      // The database refuses a duplicate link whatever the code does.
      const db = ctx.app.database.db;
      const [a, b] = await db.select({ id: bookings.id, url: bookings.meetingUrl }).from(bookings).orderBy(bookings.id).limit(2);
      expect(await sqlStateOf(db.update(bookings).set({ meetingUrl: a!.url }).where(eq(bookings.id, b!.id)))).toBe("23505");
      expect(await sqlStateOf(db.insert(bookings).values(directRow(other.profileId, Date.parse(pool[0]!), { meetingUrl: a!.url })))).toBe(
        "23505",
      );
    },
    180_000,
  );
});

// ---------------------------------------------------------------------------------------------------------------------

describe("booking races", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId, { end: "2026-06-03T00:00:00.000Z" });
  }, 120_000);

  test(
    "200 concurrent requests for one slot: exactly one 201, 199 BOOKING_CONFLICT, no 5xx",
    async () => {
      await reset(ctx, [mentor]);
      const slot = pool[20]!;
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          book(ctx, bookBody(mentor.profileId, slot, { prospectiveStudent: student({ name: `Racer ${i}`, email: `racer.${i}@lycee.fr` }) })),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 201).length).toBe(1);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.length).toBe(199);
      for (const r of refused) expectError(r, 409, "BOOKING_CONFLICT");

      const rows = await ctx.app.database.db.select().from(bookings).where(eq(bookings.studentProfileId, mentor.profileId));
      expect(rows.length).toBe(1);
      expect(rows[0]!.status).toBe("ACCEPTED");
      expect(rows[0]!.startTime.toISOString()).toBe(slot);
      const winner = results.find((r) => r.status === 201)!;
      expect(rows[0]!.id).toBe(winner.body.data.bookingId);
      expect((await profileStats(ctx, mentor.profileId)).totalSessions).toBe(1);
      expect(await listSlots(ctx, mentor.profileId, { end: "2026-06-03T00:00:00.000Z" })).not.toContain(slot);
    },
    180_000,
  );

  test(
    "concurrent requests for overlapping neighbours and distinct slots: each slot is booked once",
    async () => {
      await reset(ctx, [mentor]);
      const slots = pool.slice(0, 10);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => book(ctx, bookBody(mentor.profileId, slots[i % slots.length]!))),
      );
      expect(results.filter((r) => r.status >= 500)).toEqual([]);
      expect(results.filter((r) => r.status === 201).length).toBe(slots.length);
      for (const r of results.filter((r) => r.status !== 201)) expectError(r, 409, "BOOKING_CONFLICT");
      const rows = await ctx.app.database.db.select({ s: bookings.startTime }).from(bookings);
      expect(rows.map((r) => r.s.toISOString()).sort()).toEqual(slots);
      expect((await profileStats(ctx, mentor.profileId)).totalSessions).toBe(slots.length);
    },
    180_000,
  );

  test(
    "Idempotency-Key: 20 concurrent requests with the same key create one booking and all answer it",
    async () => {
      // A few rounds: the window in which a replay could see the first request still in progress is short.
      for (let round = 0; round < 3; round++) {
        await reset(ctx, [mentor]);
        const body = bookBody(mentor.profileId, pool[30 + round]!);
        const key = `concurrent-${crypto.randomUUID()}`;
        const results = await Promise.all(Array.from({ length: 20 }, () => book(ctx, body, { key })));
        expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
        const ids = new Set(results.map((r) => r.body.data.bookingId));
        expect(ids.size).toBe(1);
        expect(results.filter((r) => r.res.headers.get("idempotent-replayed") === "true").length).toBe(19);
        for (const r of results) expect(r.body).toEqual(results[0]!.body);
        const rows = await ctx.app.database.db.select({ id: bookings.id }).from(bookings);
        expect(rows.map((r) => r.id)).toEqual([...ids]);
        expect((await profileStats(ctx, mentor.profileId)).totalSessions).toBe(1);
      }
    },
    180_000,
  );

  test(
    "Idempotency-Key: concurrent requests with distinct keys for one slot: one booking, the others BOOKING_CONFLICT",
    async () => {
      await reset(ctx, [mentor]);
      const body = bookBody(mentor.profileId, pool[31]!);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => book(ctx, body, { key: `distinct-${i}-${run}` })));
      expect(results.filter((r) => r.status === 201).length).toBe(1);
      for (const r of results.filter((r) => r.status !== 201)) expectError(r, 409, "BOOKING_CONFLICT");
      // A retry of a refused key now gets a fresh answer (nothing was stored for it), still a conflict.
      const loser = results.findIndex((r) => r.status !== 201);
      expectError(await book(ctx, body, { key: `distinct-${loser}-${run}` }), 409, "BOOKING_CONFLICT");
    },
    180_000,
  );
});

// ---------------------------------------------------------------------------------------------------------------------

describe("Idempotency-Key", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId, { end: "2026-06-03T00:00:00.000Z" });
  }, 120_000);

  test("the same key and body twice: the same response, replayed, and one booking", async () => {
    await reset(ctx, [mentor]);
    const body = bookBody(mentor.profileId, pool[4]!);
    const first = await book(ctx, body, { key: "retry-1" });
    expect(first.status).toBe(201);
    expect(first.res.headers.get("idempotent-replayed")).toBeNull();
    const second = await book(ctx, body, { key: "retry-1" });
    expect(second.status).toBe(201);
    expect(second.res.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(second.res.headers.get("location")).toBe(first.res.headers.get("location"));
    expect(await ctx.app.database.db.select({ n: count() }).from(bookings)).toEqual([{ n: 1 }]);
    expect((await profileStats(ctx, mentor.profileId)).totalSessions).toBe(1);
  });

  test("an answer lost after the commit: the retry returns the committed booking at once, same status and body", async () => {
    await reset(ctx, [mentor]);
    const body = bookBody(mentor.profileId, pool[8]!);
    const first = await book(ctx, body, { key: "lost-answer" });
    expect(first.status).toBe(201);
    // What the booking's own transaction committed: the key already points at the booking (never status 0).
    const db = ctx.app.database.db;
    const [row] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, "lost-answer"));
    expect(row!.responseStatus).toBe(201);
    // The process died between the commit and storing the full answer: only the committed reference is left.
    await db.update(idempotencyKeys).set({ responseBody: { bookingId: first.body.data.bookingId, ref: true } }).where(eq(idempotencyKeys.key, "lost-answer"));
    const started = performance.now();
    const retry = await book(ctx, body, { key: "lost-answer" });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(retry.status).toBe(201);
    expect(retry.res.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    expect(await db.select({ n: count() }).from(bookings)).toEqual([{ n: 1 }]);
    // The replay stored the full answer again.
    const [after] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, "lost-answer"));
    expect(after!.responseBody).toEqual(first.body);
  });

  test("the same key with another body: 409, nothing booked", async () => {
    await reset(ctx, [mentor]);
    const first = await book(ctx, bookBody(mentor.profileId, pool[4]!), { key: "retry-2" });
    expect(first.status).toBe(201);
    const other = await book(ctx, bookBody(mentor.profileId, pool[5]!), { key: "retry-2" });
    expectError(other, 409);
    const otherStudent = await book(ctx, bookBody(mentor.profileId, pool[4]!, { prospectiveStudent: student({ name: "Autre" }) }), {
      key: "retry-2",
    });
    expectError(otherStudent, 409);
    expect(await ctx.app.database.db.select({ n: count() }).from(bookings)).toEqual([{ n: 1 }]);
    // Without a key, the slot is simply taken.
    expectError(await book(ctx, bookBody(mentor.profileId, pool[4]!)), 409, "BOOKING_CONFLICT");
    // Another key for another slot is a new booking.
    expect((await book(ctx, bookBody(mentor.profileId, pool[5]!), { key: "retry-3" })).status).toBe(201);
  });

  test("keys are per caller, a failed request stores nothing, and malformed keys are refused", async () => {
    await reset(ctx, [mentor]);
    const body = bookBody(mentor.profileId, pool[6]!);
    const failed = await book(ctx, { ...body, dateTime: "2026-06-02T03:00:00.000Z" }, { key: "retry-4" });
    expectError(failed, 400, "SLOT_NOT_AVAILABLE");
    // The key was not used up by the failure: the corrected request with the same key (other body) books.
    const fixed = await book(ctx, body, { key: "retry-4" });
    expect(fixed.status).toBe(201);
    // The same key from another caller (integrator) is another key: the slot is taken.
    expectError(await book(ctx, body, { key: "retry-4", token: ctx.integrator }), 409, "BOOKING_CONFLICT");
    for (const key of [" ", "a b", "é", "x".repeat(201)]) expectError(await book(ctx, bookBody(mentor.profileId, pool[7]!), { key }), 400);
    expect(await ctx.app.database.db.select({ n: count() }).from(bookings)).toEqual([{ n: 1 }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("booking access", () => {
  const ctx = useApp();
  let mentor: Mentor;
  let otherMentor: Mentor;
  let pool: string[];

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    otherMentor = await createMentor(ctx);
    pool = await listSlots(ctx, mentor.profileId, { end: "2026-06-04T00:00:00.000Z" });
  }, 120_000);

  const manage = (bookingId: number) => ctx.app.services.manageTokens.sign(bookingId, new Date(T0.getTime() + 60 * DAY));

  test("who may create a booking", async () => {
    await reset(ctx, [mentor]);
    for (const [i, token] of [ctx.admin, ctx.integrator, ctx.widget].entries()) {
      expect((await book(ctx, bookBody(mentor.profileId, pool[20 + i]!), { token })).status).toBe(201);
    }
    expectError(await book(ctx, bookBody(mentor.profileId, pool[0]!), { token: mentor.token }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/bookings", { method: "POST", json: bookBody(mentor.profileId, pool[0]!) }), 401);
    const first = await book(ctx, bookBody(mentor.profileId, pool[1]!));
    const manageToken = await manage(first.body.data.bookingId);
    expectError(await book(ctx, bookBody(mentor.profileId, pool[0]!), { token: manageToken }), 401);
    expectError(await book(ctx, bookBody(mentor.profileId, pool[0]!), { token: "not.a.jwt" }), 401);
  });

  test("who may see a booking", async () => {
    await reset(ctx, [mentor]);
    const a = (await book(ctx, bookBody(mentor.profileId, pool[2]!))).body.data.bookingId as number;
    const b = (await book(ctx, bookBody(mentor.profileId, pool[3]!))).body.data.bookingId as number;
    for (const token of [ctx.admin, ctx.integrator, mentor.token, await manage(a)]) {
      const r = await getBooking(ctx, a, token);
      expect(r.status).toBe(200);
      expect(r.body.data.id).toBe(a);
    }
    expectError(await getBooking(ctx, a, otherMentor.token), 403);
    // A mentor token without a profile claim sees nothing.
    expectError(await getBooking(ctx, a, await ctx.app.token("mentor", { sub: String(mentor.userId), ttlSeconds: LONG_TTL })), 403);
    expectError(await getBooking(ctx, a, await manage(b)), 403);
    expectError(await getBooking(ctx, a, ctx.widget), 403);
    expectError(await call(ctx, `/api/v2/bookings/${a}`), 401);
    expectError(await getBooking(ctx, a, "garbage"), 401);
    // An expired manage token is no longer accepted.
    const expired = await ctx.app.services.manageTokens.sign(a, new Date(T0.getTime() - HOUR));
    expectError(await getBooking(ctx, a, expired), 401);
    // Unknown booking: 404 for those who could see it.
    expectError(await getBooking(ctx, 999_999), 404, "BOOKING_NOT_FOUND");
  });

  test("the widget may not cancel, reschedule or complete; a manage token may cancel and reschedule its own booking", async () => {
    await reset(ctx, [mentor]);
    const a = (await book(ctx, bookBody(mentor.profileId, pool[8]!))).body.data.bookingId as number;
    const b = (await book(ctx, bookBody(mentor.profileId, pool[9]!))).body.data.bookingId as number;
    const tokenA = await manage(a);
    const tokenB = await manage(b);

    expectError(await cancelBooking(ctx, a, ctx.widget), 403);
    expectError(
      await call(ctx, `/api/v2/bookings/${a}/reschedule`, { method: "PATCH", token: ctx.widget, json: { dateTime: pool[12] } }),
      403,
    );
    expectError(await call(ctx, `/api/v2/bookings/${a}/complete`, { method: "POST", token: ctx.widget }), 403);
    expectError(await cancelBooking(ctx, a, tokenB), 403);
    expectError(await cancelBooking(ctx, a, otherMentor.token), 403);
    expectError(await call(ctx, `/api/v2/bookings/${a}`, { method: "DELETE", json: { reason: "x", cancelledBy: "student" } }), 401);
    expectError(await call(ctx, `/api/v2/bookings/${a}/reschedule`, { method: "PATCH", token: tokenB, json: { dateTime: pool[12] } }), 403);

    const moved = await call(ctx, `/api/v2/bookings/${a}/reschedule`, { method: "PATCH", token: tokenA, json: { dateTime: pool[12] } });
    expect(moved.status).toBe(200);
    expect(moved.body.data.booking.startTime).toBe(pool[12]);

    // The prospective student cancels: recorded as the student whatever the body says.
    const cancelled = await cancelBooking(ctx, a, tokenA, { reason: "Plus disponible", cancelledBy: "mentor" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.status).toBe("CANCELLED");
    expect(cancelled.body.data.cancelledBy).toBe("student");
    expect(cancelled.body.data.history.map((h: Json) => [h.action, h.actor])).toEqual([
      ["created", "widget:test-widget"],
      ["rescheduled", "prospective-student"],
      ["cancelled", "prospective-student"],
    ]);
    // The mentor cancels their own booking: recorded as the mentor.
    const byMentor = await cancelBooking(ctx, b, mentor.token, { reason: "Examen", cancelledBy: "student" });
    expect(byMentor.status).toBe(200);
    expect(byMentor.body.data.cancelledBy).toBe("mentor");
    expect((await profileStats(ctx, mentor.profileId)).cancelledSessions).toBe(2);
  });
});
