/**
 * GET /api/v2/students/:id/availability through the real HTTP server with a fixed clock: Property 12 (slots within
 * [now, now + 30 days)), Property 14 (none before now + 2 h), agreement with the pure engine (computeSlots) for the
 * same schedule and busy times, visitor zones, start/end clamping, input errors, bookings/cancellations,
 * out-of-office periods and overrides, and that a schedule change is never answered from a stale cache.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { bookings, calendarBusy, studentProfiles } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { computeSlots } from "../../scheduling/engine.ts";
import type { Interval, Schedule } from "../../scheduling/types.ts";
import { call, createMentor, DAY, HOUR, iso, type Json, LONG_TTL, type Mentor, MIN, SLOT, useTestApp } from "../../test-support/mentors.ts";

const RUNS = 100;
/** Friday 2026-03-20 09:07:13.500 UTC: not on a quarter hour, between the US (03-08) and EU (03-29) DST switches. */
const T0 = Date.parse("2026-03-20T09:07:13.500Z");

const clock = fixedClock(new Date(T0));
const ctx = useTestApp({ clock, ttlSeconds: LONG_TTL });

const newMentor = (timeZone?: string): Promise<Mentor> => createMentor(ctx, { emailPrefix: "availability", timeZone });

async function putSchedule(profileId: string, schedule: Partial<Schedule> & { timeZone: string }) {
  const r = await call(ctx, `/api/v2/students/${profileId}/schedule`, { method: "PUT", token: ctx.admin, json: schedule });
  if (r.status !== 200) throw new Error(`PUT schedule: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

const availability = (profileId: string, query: Record<string, string | number | undefined> = {}, token = ctx.widget) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return call(ctx, `/api/v2/students/${profileId}/availability${qs ? `?${qs}` : ""}`, { token });
};

async function slotStarts(profileId: string, query: Record<string, string | number | undefined> = {}): Promise<number[]> {
  const r = await availability(profileId, query);
  if (r.status !== 200) throw new Error(`availability: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.slots.map((s: { start: string }) => Date.parse(s.start));
}

/** Wall-clock time "YYYY-MM-DDTHH:MM" and offset "+HH:MM" of an instant in a zone, computed with Intl alone. */
function intlLocal(ms: number, timeZone: string): { local: string; offset: string } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset",
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const name = get("timeZoneName"); // "GMT", "GMT-04:00", "GMT+05:45"
  const offset = name === "GMT" ? "+00:00" : name.slice(3);
  return { local: `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`, offset };
}

const allWeek = (start = "09:00", end = "17:00") => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday: weekday as 1, ranges: [{ start, end }] }));

function bookingRow(profileId: string, start: number, status: "ACCEPTED" | "CANCELLED" = "ACCEPTED"): typeof bookings.$inferInsert {
  return {
    studentProfileId: profileId,
    startTime: new Date(start),
    endTime: new Date(start + SLOT),
    status,
    prospectiveName: "Direct Insert",
    prospectiveEmail: "direct@example.fr",
    meetingUrl: `https://meet.jit.si/direct-${crypto.randomUUID()}`,
    meetingProvider: "jitsi",
    cancelledAt: status === "CANCELLED" ? new Date(start - DAY) : null,
  };
}

async function clearBusy(profileId: string) {
  const db = ctx.app.database.db;
  await db.execute(sql`delete from booking_history where booking_id in (select id from bookings where student_profile_id = ${profileId})`);
  await db.delete(bookings).where(eq(bookings.studentProfileId, profileId));
  await db.delete(calendarBusy).where(eq(calendarBusy.studentProfileId, profileId));
}

// ---------------------------------------------------------------------------------------------------------------------
// Random schedules and busy times
// ---------------------------------------------------------------------------------------------------------------------

const pad2 = (n: number) => String(n).padStart(2, "0");
const hm = (minutes: number) => `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
/** Zones with DST, half-hour and 45-minute offsets, southern-hemisphere rules, and a few plain ones. */
const zonePool = [
  "Europe/Paris",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Pacific/Chatham",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "UTC",
  "Europe/London",
  "Pacific/Kiritimati",
  "America/Los_Angeles",
];
const zoneArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...zonePool) }, { weight: 1, arbitrary: fc.constantFrom(...Intl.supportedValuesOf("timeZone")) });

/** Non-overlapping ranges on a 5-minute grid (touching allowed, "24:00" possible). */
const rangesArb = (max = 3) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 0, maxLength: 2 * max }).map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const ranges: { start: string; end: string }[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push({ start: hm(sorted[i]! * 5), end: hm(sorted[i + 1]! * 5) });
    return ranges;
  });

/** A schedule whose overrides and out-of-office periods fall around `now`. */
const scheduleArb = (now: number): fc.Arbitrary<Schedule> =>
  fc.record({
    timeZone: zoneArb,
    weekly: fc
      .subarray([1, 2, 3, 4, 5, 6, 7] as const, { minLength: 0 })
      .chain((days) => fc.tuple(...days.map((weekday) => rangesArb().map((ranges) => ({ weekday, ranges }))))),
    overrides: fc
      .uniqueArray(fc.integer({ min: -2, max: 33 }), { maxLength: 5 })
      .chain((offsets) =>
        fc.tuple(...offsets.map((d) => rangesArb(2).map((ranges) => ({ date: iso(now + d * DAY).slice(0, 10), ranges })))),
      ),
    outOfOffice: fc.array(
      fc
        .record({ start: fc.integer({ min: -DAY / MIN, max: (31 * DAY) / MIN }), minutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) })
        .map(({ start, minutes }) => {
          const a = Math.floor(now / MIN) * MIN + start * MIN;
          return { start: iso(a), end: iso(a + minutes * MIN) };
        }),
      { maxLength: 3 },
    ),
  });

interface Busy {
  /** Accepted bookings (quarter-hour starts on the UTC grid, never overlapping). */
  accepted: number[];
  cancelled: number[];
  /** Outside-calendar busy times, any minute. */
  calendar: Interval[];
}

const busyArb = (now: number): fc.Arbitrary<Busy> => {
  const firstQuarter = Math.ceil(now / SLOT);
  return fc.record({
    accepted: fc.uniqueArray(fc.integer({ min: -8, max: (31 * DAY) / SLOT }), { maxLength: 40 }).map((q) => q.map((i) => (firstQuarter + i) * SLOT)),
    cancelled: fc.array(fc.integer({ min: -8, max: (31 * DAY) / SLOT }), { maxLength: 10 }).map((q) => q.map((i) => (firstQuarter + i) * SLOT)),
    calendar: fc.array(
      fc
        .record({ start: fc.integer({ min: -DAY / MIN, max: (31 * DAY) / MIN }), minutes: fc.integer({ min: 1, max: 6 * 60 }) })
        .map(({ start, minutes }) => {
          const a = Math.floor(now / MIN) * MIN + start * MIN;
          return { start: a, end: a + minutes * MIN };
        }),
      { maxLength: 8 },
    ),
  });
};

async function insertBusy(profileId: string, busy: Busy) {
  const db = ctx.app.database.db;
  const rows = [...busy.accepted.map((s) => bookingRow(profileId, s)), ...busy.cancelled.map((s) => bookingRow(profileId, s, "CANCELLED"))];
  if (rows.length) await db.insert(bookings).values(rows);
  if (busy.calendar.length) {
    await db.insert(calendarBusy).values(busy.calendar.map((b) => ({ studentProfileId: profileId, startTime: new Date(b.start), endTime: new Date(b.end) })));
  }
}

const busyIntervals = (busy: Busy): Interval[] => [...busy.accepted.map((s) => ({ start: s, end: s + SLOT })), ...busy.calendar];

/** Query windows: absent bounds, bounds in the past / beyond the horizon, unaligned to the minute or the millisecond. */
const windowArb = (now: number) =>
  fc.record({
    start: fc.option(fc.integer({ min: -3 * DAY, max: 32 * DAY }).map((d) => now + d), { nil: undefined, freq: 2 }),
    length: fc.option(fc.integer({ min: 0, max: 40 * DAY }), { nil: undefined, freq: 2 }),
    endOnly: fc.option(fc.integer({ min: 0, max: 35 * DAY }).map((d) => now + d), { nil: undefined, freq: 3 }),
    timeZone: fc.option(zoneArb, { nil: undefined, freq: 2 }),
  });

function checkSlotShape(slots: Json[], zone: string) {
  for (const s of slots) {
    const start = Date.parse(s.start);
    expect(s.start).toBe(iso(start));
    expect(Date.parse(s.end) - start).toBe(SLOT);
    expect(s.available).toBe(true);
    const local = intlLocal(start, zone);
    expect({ at: s.start, localStart: s.localStart, utcOffset: s.utcOffset }).toEqual({ at: s.start, localStart: local.local, utcOffset: local.offset });
    expect(s.localEnd).toBe(intlLocal(start + SLOT, zone).local);
  }
}

// ---------------------------------------------------------------------------------------------------------------------

describe("availability against the engine", () => {
  let mentor: Mentor;
  beforeAll(async () => {
    mentor = await newMentor();
  }, 60_000);

  test(
    "Properties 12 and 14, and the slots equal computeSlots for the same schedule and busy times (random schedules, zones, busy times, windows)",
    async () => {
      // Feature: thotis-student-mentoring, Property 12: Availability Time Window
      // Feature: thotis-student-mentoring, Property 14: Minimum Booking Notice
      const caseArb = fc
        .integer({ min: 0, max: 300 * DAY })
        .map((d) => T0 + d)
        .chain((now) => fc.record({ now: fc.constant(now), schedule: scheduleArb(now), busy: busyArb(now), window: windowArb(now) }));
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ now, schedule, busy, window }) => {
          clock.set(new Date(now));
          await clearBusy(mentor.profileId);
          await insertBusy(mentor.profileId, busy);
          await putSchedule(mentor.profileId, schedule);
          const start = window.start;
          const end = window.endOnly ?? (start !== undefined && window.length !== undefined ? start + window.length : undefined);
          const r = await availability(mentor.profileId, {
            start: start === undefined ? undefined : iso(start),
            end: end === undefined ? undefined : iso(end),
            timeZone: window.timeZone,
          });
          if (end !== undefined && start !== undefined && end < start) {
            expect(r.status).toBe(400);
            return;
          }
          expect(r.status).toBe(200);
          const data = r.body.data;
          const got: number[] = data.slots.map((s: Json) => Date.parse(s.start));
          // Property 12 and 14: every slot starts in [now + 2 h, now + 30 days), and inside the asked window.
          for (const s of got) {
            expect(s).toBeGreaterThanOrEqual(now + 2 * HOUR);
            expect(s).toBeLessThan(now + 30 * DAY);
            if (start !== undefined) expect(s).toBeGreaterThanOrEqual(start);
            if (end !== undefined) expect(s).toBeLessThan(end);
          }
          // The engine, called independently with the same rules and busy times.
          const expected = computeSlots({
            schedule,
            now,
            from: start ?? -Infinity,
            to: end ?? Infinity,
            busy: busyIntervals(busy),
          });
          expect(got.map(iso)).toEqual(expected.map(iso));
          if (got.length) nonEmpty++;
          expect(data.mentorTimeZone).toBe(schedule.timeZone);
          expect(data.timeZone).toBe(window.timeZone ?? schedule.timeZone);
          checkSlotShape(data.slots, data.timeZone);
        }),
        { numRuns: RUNS },
      );
      // The comparison is not vacuous.
      expect(nonEmpty).toBeGreaterThan(RUNS / 4);
      clock.set(new Date(T0));
    },
    180_000,
  );

  test("a busy time starting just after an unaligned `end` still removes the slot it overlaps", async () => {
    clock.set(new Date(T0));
    await clearBusy(mentor.profileId);
    await putSchedule(mentor.profileId, { timeZone: "UTC", weekly: allWeek("00:00", "24:00") });
    const slot = Date.parse("2026-03-21T10:00:00Z");
    expect(await slotStarts(mentor.profileId, { start: iso(slot - HOUR), end: iso(slot + 5 * MIN) })).toContain(slot);
    // Outside calendar busy 10:10-10:20: the 10:00-10:15 slot overlaps it.
    await insertBusy(mentor.profileId, { accepted: [], cancelled: [], calendar: [{ start: slot + 10 * MIN, end: slot + 20 * MIN }] });
    await ctx.app.services.availability.slotsChanged(mentor.profileId);
    const got = await slotStarts(mentor.profileId, { start: iso(slot - HOUR), end: iso(slot + 5 * MIN) });
    expect(got).not.toContain(slot);
    expect(got.map(iso)).toEqual(
      computeSlots({
        schedule: { timeZone: "UTC", weekly: allWeek("00:00", "24:00"), overrides: [], outOfOffice: [] },
        now: T0,
        from: slot - HOUR,
        to: slot + 5 * MIN,
        busy: [{ start: slot + 10 * MIN, end: slot + 20 * MIN }],
      }).map(iso),
    );
  });

  test("the last slot before the 30-day horizon is checked against busy times beyond the horizon", async () => {
    clock.set(new Date(T0));
    await clearBusy(mentor.profileId);
    await putSchedule(mentor.profileId, { timeZone: "UTC", weekly: allWeek("00:00", "24:00") });
    // now = 09:07:13.5, horizon = now + 30 days: the last slot starts at 09:00 and ends at 09:15, past the horizon.
    const last = Math.floor((T0 + 30 * DAY) / SLOT) * SLOT;
    expect((await slotStarts(mentor.profileId)).at(-1)).toBe(last);
    await insertBusy(mentor.profileId, { accepted: [], cancelled: [], calendar: [{ start: last + 10 * MIN, end: last + HOUR }] });
    await ctx.app.services.availability.slotsChanged(mentor.profileId);
    const got = await slotStarts(mentor.profileId);
    expect(got).not.toContain(last);
    expect(got.at(-1)).toBe(last - SLOT);
    // The booking check agrees: that slot is not bookable.
    const booked = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: iso(last), prospectiveStudent: { name: "Lucas Martin", email: "lucas@lycee.fr" } },
    });
    expect(booked.status).toBe(400);
    // And so do the free-slot summaries, whichever way they are computed.
    const summary = async () =>
      (await ctx.app.database.db.select({ n: studentProfiles.freeSlots30d }).from(studentProfiles).where(eq(studentProfiles.id, mentor.profileId)))[0]!.n;
    await ctx.app.services.availability.refreshAllSummaries();
    expect(await summary()).toBe(got.length);
    await ctx.app.database.db.update(studentProfiles).set({ freeSlots30d: -1 }).where(eq(studentProfiles.id, mentor.profileId));
    await ctx.app.services.availability.refreshSummary(ctx.app.database.db, mentor.profileId);
    expect(await summary()).toBe(got.length);
    await clearBusy(mentor.profileId);
  });
});

describe("visitor zones", () => {
  let mentor: Mentor;
  beforeAll(async () => {
    clock.set(new Date(T0));
    mentor = await newMentor();
    // Weekdays 09:00-10:00 in Paris; the EU switch to summer time (2026-03-29) falls inside the 30 days.
    await putSchedule(mentor.profileId, {
      timeZone: "Europe/Paris",
      weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday: weekday as 1, ranges: [{ start: "09:00", end: "10:00" }] })),
    });
  }, 60_000);

  test("timeZone=America/New_York gives the same UTC instants with New York wall-clock times and offsets", async () => {
    clock.set(new Date(T0));
    const paris = await availability(mentor.profileId);
    const ny = await availability(mentor.profileId, { timeZone: "America/New_York" });
    expect(paris.status).toBe(200);
    expect(ny.status).toBe(200);
    expect(ny.body.data.slots.map((s: Json) => [s.start, s.end])).toEqual(paris.body.data.slots.map((s: Json) => [s.start, s.end]));
    expect(ny.body.data.timeZone).toBe("America/New_York");
    expect(ny.body.data.mentorTimeZone).toBe("Europe/Paris");
    expect(paris.body.data.timeZone).toBe("Europe/Paris");
    checkSlotShape(ny.body.data.slots, "America/New_York");
    checkSlotShape(paris.body.data.slots, "Europe/Paris");
    const bySlot = new Map<string, Json>(ny.body.data.slots.map((s: Json) => [s.start, s]));
    // Monday 2026-03-23 09:00 Paris (+01:00) = 08:00 UTC = 04:00 New York (-04:00, US summer time since 03-08).
    expect(bySlot.get("2026-03-23T08:00:00.000Z")).toMatchObject({ localStart: "2026-03-23T04:00", localEnd: "2026-03-23T04:15", utcOffset: "-04:00" });
    // Monday 2026-03-30 09:00 Paris (+02:00 after the EU switch) = 07:00 UTC = 03:00 New York.
    expect(bySlot.get("2026-03-30T07:00:00.000Z")).toMatchObject({ localStart: "2026-03-30T03:00", utcOffset: "-04:00" });
    expect(new Map(paris.body.data.slots.map((s: Json) => [s.start, s])).get("2026-03-30T07:00:00.000Z")).toMatchObject({
      localStart: "2026-03-30T09:00",
      utcOffset: "+02:00",
    });
    // Every Paris slot is 09:xx local, whatever the UTC offset.
    for (const s of paris.body.data.slots) expect(s.localStart.slice(11, 13)).toBe("09");
    // 45-minute and half-hour offsets.
    const kathmandu = await availability(mentor.profileId, { timeZone: "Asia/Kathmandu" });
    checkSlotShape(kathmandu.body.data.slots, "Asia/Kathmandu");
    expect(new Map(kathmandu.body.data.slots.map((s: Json) => [s.start, s])).get("2026-03-23T08:00:00.000Z")).toMatchObject({
      localStart: "2026-03-23T13:45",
      utcOffset: "+05:45",
    });
    const stJohns = await availability(mentor.profileId, { timeZone: "America/St_Johns" });
    checkSlotShape(stJohns.body.data.slots, "America/St_Johns");
    expect(new Map(stJohns.body.data.slots.map((s: Json) => [s.start, s])).get("2026-03-23T08:00:00.000Z")).toMatchObject({
      localStart: "2026-03-23T05:30",
      utcOffset: "-02:30",
    });
  });

  test("an unknown zone is refused with 400; so are an end before the start and malformed instants", async () => {
    for (const timeZone of ["Mars/Olympus", "Europe/Pariss", "Not a zone"]) {
      const r = await availability(mentor.profileId, { timeZone });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("INVALID_INPUT");
      expect(r.body.error.message).toContain("timeZone");
    }
    const backwards = await availability(mentor.profileId, { start: iso(T0 + 3 * DAY), end: iso(T0 + 2 * DAY) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe("INVALID_INPUT");
    // Not RFC 3339 instants: no time, no offset (read in the server's zone), a date that does not exist.
    for (const bad of ["tomorrow", "2026-13-01T00:00:00Z", "2026-03-21", "2026-03-21T10:00:00", "2026/03/21 10:00", "2026-02-30T10:00:00Z"]) {
      for (const key of ["start", "end"]) {
        const r = await availability(mentor.profileId, { [key]: bad });
        expect({ key, bad, status: r.status, code: r.body.error?.code }).toEqual({ key, bad, status: 400, code: "INVALID_INPUT" });
      }
    }
    // Offsets other than Z are fine.
    const withOffset = await availability(mentor.profileId, { start: "2026-03-23T10:00:00+02:00", end: "2026-03-23T11:00:00.000+02:00" });
    expect(withOffset.status).toBe(200);
    expect(withOffset.body.data.slots.map((s: Json) => s.start)).toEqual([
      "2026-03-23T08:00:00.000Z",
      "2026-03-23T08:15:00.000Z",
      "2026-03-23T08:30:00.000Z",
      "2026-03-23T08:45:00.000Z",
    ]);
  });

  test("who may read: every role; no token 401; unknown profile 404", async () => {
    const mentorToken = await ctx.app.token("mentor", { sub: "1", studentProfileId: "cother", ttlSeconds: LONG_TTL });
    for (const token of [ctx.admin, ctx.integrator, ctx.widget, mentorToken]) expect((await availability(mentor.profileId, {}, token)).status).toBe(200);
    expect((await call(ctx, `/api/v2/students/${mentor.profileId}/availability`)).status).toBe(401);
    const ghost = await availability("cdoesnotexist0000000000000");
    expect(ghost.status).toBe(404);
    expect(ghost.body.error.code).toBe("PROFILE_NOT_FOUND");
  });
});

/** A reported window edge: the exact instant, or that instant moved outwards to the quarter-hour grid. */
function expectWindowEdge(reported: string, exact: number, edge: "start" | "end") {
  const t = Date.parse(reported);
  const grid = edge === "start" ? Math.floor(exact / SLOT) * SLOT : Math.ceil(exact / SLOT) * SLOT;
  expect([iso(exact), iso(grid)]).toContain(reported);
  expect(reported).toBe(iso(t));
}

describe("start and end clamping", () => {
  let mentor: Mentor;
  const schedule: Schedule = { timeZone: "UTC", weekly: allWeek("00:00", "24:00"), overrides: [], outOfOffice: [] };
  beforeAll(async () => {
    clock.set(new Date(T0));
    mentor = await newMentor("UTC");
    await putSchedule(mentor.profileId, schedule);
  }, 60_000);

  test("no bounds: [now, now + 30 days), first slot the first quarter hour 2 h ahead", async () => {
    clock.set(new Date(T0));
    const r = await availability(mentor.profileId);
    // The reported window is [now, now + 30 days), possibly widened to the quarter-hour grid (a cacheable window).
    expectWindowEdge(r.body.data.start, T0, "start");
    expectWindowEdge(r.body.data.end, T0 + 30 * DAY, "end");
    const starts = r.body.data.slots.map((s: Json) => Date.parse(s.start));
    expect(iso(starts[0])).toBe("2026-03-20T11:15:00.000Z");
    expect(iso(starts.at(-1))).toBe("2026-04-19T09:00:00.000Z");
    expect(starts.length).toBe((Date.parse("2026-04-19T09:15:00Z") - Date.parse("2026-03-20T11:15:00Z")) / SLOT);
  });

  test("a start in the past and an end beyond 30 days are clamped", async () => {
    const r = await availability(mentor.profileId, { start: iso(T0 - 5 * DAY), end: iso(T0 + 60 * DAY) });
    expect(r.status).toBe(200);
    expectWindowEdge(r.body.data.end, T0 + 30 * DAY, "end");
    const starts: number[] = r.body.data.slots.map((s: Json) => Date.parse(s.start));
    expect(starts[0]).toBe(Date.parse("2026-03-20T11:15:00Z"));
    expect(starts.at(-1)).toBeLessThan(T0 + 30 * DAY);
    expect(starts).toEqual(await slotStarts(mentor.profileId));
  });

  test("a window inside the 30 days: slots starting in [start, end) only, unaligned bounds included", async () => {
    const start = Date.parse("2026-03-25T10:07:00Z");
    const end = Date.parse("2026-03-25T12:01:00Z");
    const starts = await slotStarts(mentor.profileId, { start: iso(start), end: iso(end) });
    expect(starts.map(iso)).toEqual([
      "2026-03-25T10:15:00.000Z",
      "2026-03-25T10:30:00.000Z",
      "2026-03-25T10:45:00.000Z",
      "2026-03-25T11:00:00.000Z",
      "2026-03-25T11:15:00.000Z",
      "2026-03-25T11:30:00.000Z",
      "2026-03-25T11:45:00.000Z",
      "2026-03-25T12:00:00.000Z",
    ]);
    // Only an end: from now.
    const endOnly = await slotStarts(mentor.profileId, { end: "2026-03-20T12:00:00Z" });
    expect(endOnly.map(iso)).toEqual(["2026-03-20T11:15:00.000Z", "2026-03-20T11:30:00.000Z", "2026-03-20T11:45:00.000Z"]);
    // start = end: an empty window, not an error.
    const empty = await availability(mentor.profileId, { start: iso(start), end: iso(start) });
    expect(empty.status).toBe(200);
    expect(empty.body.data.slots).toEqual([]);
  });

  test("a window wholly beyond 30 days is empty, not an error; inside the notice period too", async () => {
    const beyond = await availability(mentor.profileId, { start: iso(T0 + 31 * DAY), end: iso(T0 + 32 * DAY) });
    expect(beyond.status).toBe(200);
    expect(beyond.body.data.slots).toEqual([]);
    const beyondNoEnd = await availability(mentor.profileId, { start: iso(T0 + 31 * DAY) });
    expect(beyondNoEnd.status).toBe(200);
    expect(beyondNoEnd.body.data.slots).toEqual([]);
    const notice = await availability(mentor.profileId, { start: iso(T0), end: iso(T0 + 2 * HOUR) });
    expect(notice.status).toBe(200);
    expect(notice.body.data.slots).toEqual([]);
    const past = await availability(mentor.profileId, { start: iso(T0 - 3 * DAY), end: iso(T0 - 2 * DAY) });
    expect(past.status).toBe(200);
    expect(past.body.data.slots).toEqual([]);
  });

  test("as the clock moves, the window moves with it (Property 12 and 14 at any instant)", async () => {
    for (const offset of [0, 1, 59_999, 15 * MIN - 1, 15 * MIN, 15 * MIN + 1, 7 * HOUR + 3 * MIN, 29 * DAY + 23 * HOUR]) {
      const now = T0 + offset;
      clock.set(new Date(now));
      const starts = await slotStarts(mentor.profileId);
      expect(starts[0]).toBe(Math.ceil((now + 2 * HOUR) / SLOT) * SLOT);
      expect(starts.at(-1)).toBe(Math.ceil((now + 30 * DAY) / SLOT) * SLOT - SLOT);
      expect(starts.map(iso)).toEqual(computeSlots({ schedule, now, from: now, to: Infinity, busy: [] }).map(iso));
    }
    clock.set(new Date(T0));
  });
});

describe("what removes slots", () => {
  let mentor: Mentor;
  /** Tuesday-Thursday 14:00-16:00 in Paris. */
  const base = {
    timeZone: "Europe/Paris",
    weekly: [2, 3, 4].map((weekday) => ({ weekday: weekday as 2, ranges: [{ start: "14:00", end: "16:00" }] })),
  };
  beforeAll(async () => {
    clock.set(new Date(T0));
    mentor = await newMentor();
    await putSchedule(mentor.profileId, base);
  }, 60_000);

  test("a booking removes its slot and its cancellation brings it back", async () => {
    clock.set(new Date(T0));
    const before = await slotStarts(mentor.profileId);
    // Tuesday 2026-03-24 14:30 Paris = 13:30 UTC.
    const slot = Date.parse("2026-03-24T13:30:00Z");
    expect(before).toContain(slot);
    const created = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: iso(slot), prospectiveStudent: { name: "Lucas Martin", email: "lucas@lycee.fr" } },
    });
    expect(created.status).toBe(201);
    const during = await slotStarts(mentor.profileId);
    expect(during).toEqual(before.filter((s) => s !== slot));
    // Also for a visitor zone and a window around it.
    expect(await slotStarts(mentor.profileId, { timeZone: "America/New_York", start: iso(slot - HOUR), end: iso(slot + HOUR) })).not.toContain(slot);
    const cancelled = await call(ctx, `/api/v2/bookings/${created.body.data.bookingId}`, {
      method: "DELETE",
      token: ctx.admin,
      json: { reason: "Empêchement", cancelledBy: "student" },
    });
    expect(cancelled.status).toBe(200);
    expect(await slotStarts(mentor.profileId)).toEqual(before);
  });

  test("an out-of-office period removes exactly the slots it overlaps", async () => {
    const before = await slotStarts(mentor.profileId);
    // Wednesday 2026-03-25 14:20-15:05 Paris (13:20-14:05 UTC): 14:15, 14:30, 14:45 and 15:00 Paris go.
    await putSchedule(mentor.profileId, { ...base, outOfOffice: [{ start: "2026-03-25T14:20:00+01:00", end: "2026-03-25T14:05:00Z" }] });
    const after = await slotStarts(mentor.profileId);
    const gone = before.filter((s) => !after.includes(s)).map(iso);
    expect(gone).toEqual(["2026-03-25T13:15:00.000Z", "2026-03-25T13:30:00.000Z", "2026-03-25T13:45:00.000Z", "2026-03-25T14:00:00.000Z"]);
    expect(after.every((s) => before.includes(s))).toBe(true);
    // A week away: nothing left that week.
    await putSchedule(mentor.profileId, { ...base, outOfOffice: [{ start: "2026-03-30T00:00:00+02:00", end: "2026-04-06T00:00:00+02:00" }] });
    const holiday = await slotStarts(mentor.profileId);
    expect(holiday.filter((s) => s >= Date.parse("2026-03-29T22:00:00Z") && s < Date.parse("2026-04-05T22:00:00Z"))).toEqual([]);
    expect(holiday.length).toBe(before.length - 3 * 8);
    await putSchedule(mentor.profileId, base);
  });

  test("a day-off override removes that day; an override with ranges replaces the weekly rule", async () => {
    const before = await slotStarts(mentor.profileId);
    const onDay = (slots: number[], date: string) => slots.filter((s) => iso(s + HOUR).slice(0, 10) === date).map(iso);
    expect(onDay(before, "2026-03-26")).toHaveLength(8);
    await putSchedule(mentor.profileId, {
      ...base,
      overrides: [
        { date: "2026-03-26", ranges: [] },
        // A Friday (no weekly rule) made available 10:00-10:30.
        { date: "2026-03-27", ranges: [{ start: "10:00", end: "10:30" }] },
        // A Tuesday with other hours.
        { date: "2026-03-24", ranges: [{ start: "08:00", end: "08:15" }] },
      ],
    });
    const after = await slotStarts(mentor.profileId);
    expect(onDay(after, "2026-03-26")).toEqual([]);
    expect(onDay(after, "2026-03-27")).toEqual(["2026-03-27T09:00:00.000Z", "2026-03-27T09:15:00.000Z"]);
    expect(onDay(after, "2026-03-24")).toEqual(["2026-03-24T07:00:00.000Z"]);
    // Other days untouched.
    expect(onDay(after, "2026-03-25")).toEqual(onDay(before, "2026-03-25"));
    expect(after.length).toBe(before.length - 8 + 2 - 8 + 1);
    await putSchedule(mentor.profileId, base);
  });

  test("no stale answers: a schedule PUT is reflected by the very next GET, even within the cache TTL", async () => {
    clock.set(new Date(T0));
    const queries = [{}, { timeZone: "Asia/Tokyo" }, { start: iso(T0 + DAY), end: iso(T0 + 10 * DAY) }];
    // Warm the cache.
    const warm = await Promise.all(queries.map((q) => slotStarts(mentor.profileId, q)));
    for (const [i, q] of queries.entries()) expect(await slotStarts(mentor.profileId, q)).toEqual(warm[i]!);
    for (const hours of [
      [{ start: "14:00", end: "15:00" }],
      [{ start: "09:00", end: "18:00" }],
      [],
      [{ start: "14:00", end: "16:00" }],
    ]) {
      const schedule: Schedule = { timeZone: "Europe/Paris", weekly: [2, 3, 4].map((weekday) => ({ weekday: weekday as 2, ranges: hours })), overrides: [], outOfOffice: [] };
      await putSchedule(mentor.profileId, schedule);
      for (const q of queries) {
        const from = "start" in q ? Date.parse(q.start as string) : -Infinity;
        const to = "end" in q ? Date.parse(q.end as string) : Infinity;
        expect((await slotStarts(mentor.profileId, q)).map(iso)).toEqual(computeSlots({ schedule, now: T0, from, to, busy: [] }).map(iso));
      }
    }
    // A zone change alone moves every slot and is reflected at once too.
    await putSchedule(mentor.profileId, { ...base, timeZone: "America/New_York" });
    const ny = await availability(mentor.profileId);
    expect(ny.body.data.mentorTimeZone).toBe("America/New_York");
    expect(ny.body.data.slots[0].localStart.slice(11)).toBe("14:00");
    await putSchedule(mentor.profileId, base);
  });

  test("the summary columns follow the same slots (Property 12 window, booking, cancellation)", async () => {
    clock.set(new Date(T0));
    const readSummary = async () => {
      const [row] = await ctx.app.database.db
        .select({ s7: studentProfiles.freeSlots7d, s30: studentProfiles.freeSlots30d, next: studentProfiles.nextFreeSlotAt })
        .from(studentProfiles)
        .where(eq(studentProfiles.id, mentor.profileId));
      return row!;
    };
    const slots = await slotStarts(mentor.profileId);
    const summary = await readSummary();
    expect(summary.s30).toBe(slots.length);
    expect(summary.s7).toBe(slots.filter((s) => s < T0 + 7 * DAY).length);
    expect(summary.next?.getTime()).toBe(slots[0]!);
  });
});
