/**
 * The free-slot summary (student_profiles.free_slots_7d / free_slots_30d / next_free_slot_at) and the discovery
 * routes that filter and sort on it, through the real HTTP server with a fixed clock:
 *   - Property 39 "Availability Filter Accuracy": hasAvailability=true returns exactly the listed mentors whose
 *     engine-computed slots in the next 7 days are not empty;
 *   - Property 11 "Availability Sorting": sort=availability orders by freeSlotCount (descending), and freeSlotCount
 *     is the engine's 30-day count;
 *   - Property 40 "Multiple Filter AND Logic" with hasAvailability among the filters;
 *   - the summary follows bookings, cancellations, schedule changes and the passing of time (summary refresh, quarter-hour job).
 *
 * Random populations (3-8 mentors a run) are written straight into the database, then summarised with
 * refreshAllSummaries(); the oracle is computeSlots called on the same schedules and busy times.
 */
import { describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { newId } from "../../../db/ids.ts";
import { type AcademicField, bookings, calendarBusy, mentorSchedules, studentProfiles, users } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { computeSlots } from "../../scheduling/engine.ts";
import type { Interval, Schedule } from "../../scheduling/types.ts";
import { call, createMentor, DAY, HOUR, iso, type Json, LONG_TTL, MIN, run, SLOT, useTestApp, validProfile } from "../../test-support/mentors.ts";

const RUNS = 100;
/** Monday 2026-05-04 07:23:00 UTC (09:23 in Paris). */
const T0 = Date.parse("2026-05-04T07:23:00.000Z");
let seq = 0;

const clock = fixedClock(new Date(T0));
const ctx = useTestApp({ clock, ttlSeconds: LONG_TTL });

const query = (params: Record<string, string | number | boolean | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
};

interface Listed {
  id: string;
  hasAvailability: boolean;
  freeSlotCount: number;
  field: string;
  university: string;
  averageRating: number | null;
}

async function search(params: Record<string, string | number | boolean | undefined>, token = ctx.widget) {
  const r = await call(ctx, `/api/v2/students/search?${query({ pageSize: 100, ...params })}`, { token });
  if (r.status !== 200) throw new Error(`search ${JSON.stringify(params)}: ${r.status} ${JSON.stringify(r.body)}`);
  expect(r.body.data.total).toBe(r.body.data.profiles.length);
  return r.body.data.profiles as Listed[];
}

async function byField(field: string, params: Record<string, string | number | boolean | undefined>) {
  const r = await call(ctx, `/api/v2/students/by-field/${field}?${query({ pageSize: 100, ...params })}`, { token: ctx.widget });
  if (r.status !== 200) throw new Error(`by-field ${field} ${JSON.stringify(params)}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.profiles as Listed[];
}

async function reset() {
  const db = ctx.app.database.db;
  await db.execute(sql`delete from booking_history`);
  await db.delete(bookings);
  await db.delete(calendarBusy);
  await db.delete(mentorSchedules);
  await db.delete(studentProfiles);
  await db.delete(users);
}

// ---------------------------------------------------------------------------------------------------------------------
// Random populations
// ---------------------------------------------------------------------------------------------------------------------

const pad2 = (n: number) => String(n).padStart(2, "0");
const hm = (minutes: number) => `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
const zonePool = ["Europe/Paris", "America/New_York", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham", "UTC", "Asia/Tokyo"];
const fieldPool: AcademicField[] = ["LAW", "MEDICINE", "COMPUTER_SCIENCE"];
const universityPool = ["Sorbonne Université", "Université Paris 1", "ENS Lyon"];

/** Non-overlapping ranges on a 5-minute grid. */
const rangesArb = (max: number, maxMinutes = 1440) =>
  fc.uniqueArray(fc.integer({ min: 0, max: maxMinutes / 5 }), { minLength: 0, maxLength: 2 * max }).map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const ranges: { start: string; end: string }[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push({ start: hm(sorted[i]! * 5), end: hm(sorted[i + 1]! * 5) });
    return ranges;
  });
const weeklyArb = (maxRanges: number) =>
  fc.subarray([1, 2, 3, 4, 5, 6, 7] as const, { minLength: 1 }).chain((days) => fc.tuple(...days.map((weekday) => rangesArb(maxRanges).map((ranges) => ({ weekday, ranges })))));
/** One short range on a few weekdays: few slots, so "book them all" stays cheap. */
const smallWeeklyArb = fc
  .record({
    days: fc.subarray([1, 2, 3, 4, 5, 6, 7] as const, { minLength: 1, maxLength: 3 }),
    start: fc.integer({ min: 0, max: 90 }).map((q) => q * 15),
    length: fc.constantFrom(15, 30, 45),
  })
  .map(({ days, start, length }) => days.map((weekday) => ({ weekday, ranges: [{ start: hm(start), end: hm(start + length) }] })));

type Kind = "none" | "weekly" | "far" | "full" | "booked7" | "away7";

interface MentorSeed {
  kind: Kind;
  field: AcademicField;
  university: string;
  rating: number | null;
  isActive: boolean;
  complete: boolean;
  schedule: Schedule | null;
  /** Accepted bookings (slot starts). */
  accepted: number[];
  calendar: Interval[];
}

interface Seeded extends MentorSeed {
  id: string;
  userId: number;
}

const emptySchedule = (timeZone: string): Schedule => ({ timeZone, weekly: [], overrides: [], outOfOffice: [] });
const slotsOf = (schedule: Schedule, now: number, busy: Interval[] = []) => computeSlots({ schedule, now, from: -Infinity, to: Infinity, busy });

function mentorArb(now: number): fc.Arbitrary<MentorSeed> {
  const common = fc.record({
    field: fc.constantFrom(...fieldPool),
    university: fc.constantFrom(...universityPool),
    rating: fc.option(fc.integer({ min: 10, max: 50 }).map((r) => r / 10), { nil: null, freq: 4 }),
    isActive: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    complete: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    timeZone: fc.constantFrom(...zonePool),
  });
  type Plan = { kind: Kind; schedule: (zone: string) => Schedule | null; accepted: (s: Schedule | null) => number[]; calendar: Interval[] };
  const none: Plan = { kind: "none", schedule: () => null, accepted: () => [], calendar: [] };
  const plan: fc.Arbitrary<Plan> =
    fc.oneof(
      fc.constant(none),
      // Any weekly rules, some of its slots booked, some outside-calendar busy times.
      fc
        .record({
          weekly: weeklyArb(2),
          bookFraction: fc.double({ min: 0, max: 1, noNaN: true }),
          pick: fc.integer({ min: 0, max: 1_000_000 }),
          calendar: fc.array(
            fc.record({ start: fc.integer({ min: -DAY / MIN, max: (31 * DAY) / MIN }), minutes: fc.integer({ min: 1, max: 12 * 60 }) }).map(({ start, minutes }) => {
              const a = Math.floor(now / MIN) * MIN + start * MIN;
              return { start: a, end: a + minutes * MIN };
            }),
            { maxLength: 4 },
          ),
        })
        .map(({ weekly, bookFraction, pick, calendar }) => ({
          kind: "weekly" as Kind,
          schedule: (zone: string) => ({ ...emptySchedule(zone), weekly }),
          accepted: (s: Schedule | null) => {
            const slots = slotsOf(s!, now);
            // A deterministic pseudo-random subset (at most 30 bookings).
            return slots.filter((_, i) => ((i * 7919 + pick) % 1000) / 1000 < bookFraction).slice(0, 30);
          },
          calendar,
        })),
      // Nothing in the weekly rules; overrides only more than 8 days ahead.
      fc
        .uniqueArray(fc.integer({ min: 9, max: 28 }), { minLength: 1, maxLength: 3 })
        .chain((days) => fc.tuple(...days.map((d) => rangesArb(2).map((ranges) => ({ date: iso(now + d * DAY).slice(0, 10), ranges })))))
        .map((overrides) => ({ kind: "far" as Kind, schedule: (zone: string) => ({ ...emptySchedule(zone), overrides }), accepted: () => [], calendar: [] })),
      // Every slot of the 30 days booked.
      smallWeeklyArb.map((weekly) => ({
        kind: "full" as Kind,
        schedule: (zone: string) => ({ ...emptySchedule(zone), weekly }),
        accepted: (s: Schedule | null) => slotsOf(s!, now),
        calendar: [],
      })),
      // Every slot of the next 7 days booked; later ones free.
      smallWeeklyArb.map((weekly) => ({
        kind: "booked7" as Kind,
        schedule: (zone: string) => ({ ...emptySchedule(zone), weekly }),
        accepted: (s: Schedule | null) => slotsOf(s!, now).filter((t) => t < now + 7 * DAY),
        calendar: [],
      })),
      // Out of office for the next 7 days.
      weeklyArb(1).map((weekly) => ({
        kind: "away7" as Kind,
        schedule: (zone: string) => ({ ...emptySchedule(zone), weekly, outOfOffice: [{ start: iso(now - DAY), end: iso(now + 7 * DAY) }] }),
        accepted: () => [],
        calendar: [],
      })),
    );
  return fc.record({ common, plan }).map(({ common: c, plan: p }) => {
    const schedule = p.schedule(c.timeZone);
    return {
      kind: p.kind,
      field: c.field,
      university: c.university,
      rating: c.rating,
      isActive: c.isActive,
      complete: c.complete,
      schedule,
      accepted: p.accepted(schedule),
      calendar: p.calendar,
    };
  });
}

/** A clock reading, then 3 to 8 mentors summarised at that instant. */
const populationArb = fc
  .integer({ min: 0, max: 60 * DAY })
  .map((d) => T0 + d)
  .chain((now) => fc.record({ now: fc.constant(now), mentors: fc.array(mentorArb(now), { minLength: 3, maxLength: 8 }) }));

async function seed(now: number, population: MentorSeed[]): Promise<Seeded[]> {
  await reset();
  clock.set(new Date(now));
  const db = ctx.app.database.db;
  const created = await db
    .insert(users)
    .values(population.map((_, i) => ({ email: `avail.${++seq}.${i}.${run}@example.fr`, name: `Mentor ${seq}.${i}` })))
    .returning({ id: users.id });
  const rows: Seeded[] = population.map((m, i) => ({ ...m, id: newId(), userId: created[i]!.id }));
  await db.insert(studentProfiles).values(
    rows.map((m) => ({
      id: m.id,
      userId: m.userId,
      university: m.university,
      degree: "Licence",
      field: m.field,
      currentYear: 2,
      bio: m.complete ? "b".repeat(60) : null,
      isActive: m.isActive,
      averageRating: m.rating,
      totalRatings: m.rating === null ? 0 : 3,
      totalSessions: m.rating === null ? 0 : 3,
      completedSessions: m.rating === null ? 0 : 3,
    })),
  );
  const withSchedule = rows.filter((m) => m.schedule);
  if (withSchedule.length) {
    await db.insert(mentorSchedules).values(
      withSchedule.map((m) => ({
        studentProfileId: m.id,
        timeZone: m.schedule!.timeZone,
        weekly: m.schedule!.weekly,
        overrides: m.schedule!.overrides,
        outOfOffice: m.schedule!.outOfOffice,
      })),
    );
  }
  const bookingRows = rows.flatMap((m) =>
    m.accepted.map((start) => ({
      studentProfileId: m.id,
      startTime: new Date(start),
      endTime: new Date(start + SLOT),
      prospectiveName: "Direct Insert",
      prospectiveEmail: "direct@example.fr",
      meetingUrl: `https://meet.jit.si/direct-${crypto.randomUUID()}`,
      meetingProvider: "jitsi" as const,
    })),
  );
  if (bookingRows.length) await db.insert(bookings).values(bookingRows);
  const busyRows = rows.flatMap((m) => m.calendar.map((b) => ({ studentProfileId: m.id, startTime: new Date(b.start), endTime: new Date(b.end) })));
  if (busyRows.length) await db.insert(calendarBusy).values(busyRows);
  // The periodic refresh summarises everyone (and tells the list cache).
  await ctx.app.services.availability.refreshAllSummaries();
  return rows;
}

/** What the engine says, independently of the summary columns. */
function oracle(m: Seeded, now: number) {
  if (!m.schedule) return { in7: 0, in30: 0 };
  const busy: Interval[] = [...m.accepted.map((s) => ({ start: s, end: s + SLOT })), ...m.calendar];
  const in7 = computeSlots({ schedule: m.schedule, now, from: now, to: now + 7 * DAY, busy }).length;
  const in30 = computeSlots({ schedule: m.schedule, now, from: now, to: now + 30 * DAY, busy }).length;
  return { in7, in30 };
}

const listed = (m: Seeded) => m.isActive && m.complete;
const sortIds = (ids: string[]) => [...ids].sort();

// ---------------------------------------------------------------------------------------------------------------------

describe("discovery on the free-slot summary", () => {
  test(
    "Property 39: Availability Filter Accuracy (hasAvailability=true lists exactly the mentors with engine slots in the next 7 days)",
    async () => {
      // Feature: thotis-student-mentoring, Property 39: Availability Filter Accuracy
      const seen = new Set<Kind>();
      let withAndWithout = 0;
      await fc.assert(
        fc.asyncProperty(populationArb, async ({ now, mentors }) => {
          const rows = await seed(now, mentors);
          const truth = new Map(rows.map((m) => [m.id, oracle(m, now)]));
          for (const m of rows) seen.add(m.kind);
          // The kinds that must never pass the filter.
          for (const m of rows) {
            if (m.kind === "none" || m.kind === "far" || m.kind === "full" || m.kind === "booked7" || m.kind === "away7") {
              expect({ kind: m.kind, in7: truth.get(m.id)!.in7 }).toEqual({ kind: m.kind, in7: 0 });
            }
          }
          const expected = rows.filter((m) => listed(m) && truth.get(m.id)!.in7 > 0).map((m) => m.id);
          const got = await search({ hasAvailability: true });
          expect(sortIds(got.map((p) => p.id))).toEqual(sortIds(expected));
          for (const p of got) expect(p.hasAvailability).toBe(true);
          // Without the filter: everyone listed, each summary equal to the engine's.
          const all = await search({});
          expect(sortIds(all.map((p) => p.id))).toEqual(sortIds(rows.filter(listed).map((m) => m.id)));
          for (const p of all) {
            const t = truth.get(p.id)!;
            expect({ id: p.id, hasAvailability: p.hasAvailability, freeSlotCount: p.freeSlotCount }).toEqual({
              id: p.id,
              hasAvailability: t.in7 > 0,
              freeSlotCount: t.in30,
            });
          }
          // hasAvailability=false is no filter at all.
          expect(sortIds((await search({ hasAvailability: false })).map((p) => p.id))).toEqual(sortIds(all.map((p) => p.id)));
          // By field too.
          for (const field of new Set(rows.map((m) => m.field))) {
            const f = await byField(field, { hasAvailability: true });
            expect(sortIds(f.map((p) => p.id))).toEqual(sortIds(rows.filter((m) => m.field === field && expected.includes(m.id)).map((m) => m.id)));
          }
          // The summary columns themselves, next slot included.
          const stored = await ctx.app.database.db
            .select({ id: studentProfiles.id, s7: studentProfiles.freeSlots7d, s30: studentProfiles.freeSlots30d, next: studentProfiles.nextFreeSlotAt })
            .from(studentProfiles);
          for (const s of stored) {
            const m = rows.find((r) => r.id === s.id)!;
            const busy: Interval[] = [...m.accepted.map((a) => ({ start: a, end: a + SLOT })), ...m.calendar];
            const first = m.schedule ? computeSlots({ schedule: m.schedule, now, from: now, to: Infinity, busy })[0] : undefined;
            expect({ id: s.id, s7: s.s7, s30: s.s30, next: s.next?.toISOString() ?? null }).toEqual({
              id: s.id,
              s7: truth.get(s.id)!.in7,
              s30: truth.get(s.id)!.in30,
              next: first === undefined ? null : iso(first),
            });
          }
          if (expected.length > 0 && expected.length < rows.filter(listed).length) withAndWithout++;
        }),
        { numRuns: RUNS },
      );
      // The populations exercised every kind, and the filter really had to choose.
      expect([...seen].sort()).toEqual(["away7", "booked7", "far", "full", "none", "weekly"]);
      expect(withAndWithout).toBeGreaterThan(RUNS / 5);
    },
    180_000,
  );

  test(
    "Property 11: Availability Sorting (sort=availability: most free slots first; freeSlotCount is the engine's 30-day count)",
    async () => {
      // Feature: thotis-student-mentoring, Property 11: Availability Sorting
      await fc.assert(
        fc.asyncProperty(populationArb, fc.integer({ min: 1, max: 4 }), async ({ now, mentors }, pageSize) => {
          const rows = await seed(now, mentors);
          const truth = new Map(rows.map((m) => [m.id, oracle(m, now)]));
          const sorted = await search({ sort: "availability" });
          expect(sortIds(sorted.map((p) => p.id))).toEqual(sortIds(rows.filter(listed).map((m) => m.id)));
          for (const p of sorted) expect(p.freeSlotCount).toBe(truth.get(p.id)!.in30);
          for (let i = 1; i < sorted.length; i++) {
            const [a, b] = [sorted[i - 1]!, sorted[i]!];
            expect(a.freeSlotCount).toBeGreaterThanOrEqual(b.freeSlotCount);
            // Ties: best rated first, unrated last.
            if (a.freeSlotCount === b.freeSlotCount) expect(a.averageRating ?? 0).toBeGreaterThanOrEqual(b.averageRating ?? 0);
          }
          // A total order: pages put together give the same list, without overlaps.
          const paged: Listed[] = [];
          for (let page = 1; page <= Math.ceil(sorted.length / pageSize) + 1; page++) {
            const r = await call(ctx, `/api/v2/students/search?${query({ sort: "availability", page, pageSize })}`, { token: ctx.widget });
            expect(r.status).toBe(200);
            expect(r.body.data.total).toBe(sorted.length);
            paged.push(...r.body.data.profiles);
          }
          expect(paged.map((p) => p.id)).toEqual(sorted.map((p) => p.id));
          // With the availability filter and by field, the same order restricted.
          const filtered = await search({ sort: "availability", hasAvailability: true });
          expect(filtered.map((p) => p.id)).toEqual(sorted.filter((p) => p.hasAvailability).map((p) => p.id));
          for (const field of new Set(rows.map((m) => m.field))) {
            const f = await byField(field, { sort: "availability" });
            expect(f.map((p) => p.id)).toEqual(sorted.filter((p) => p.field === field).map((p) => p.id));
          }
        }),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test(
    "Property 40: Multiple Filter AND Logic with availability (field + university + minRating + hasAvailability)",
    async () => {
      // Feature: thotis-student-mentoring, Property 40: Multiple Filter AND Logic
      const filtersArb = fc.record({
        field: fc.option(fc.constantFrom(...fieldPool), { nil: undefined }),
        university: fc.option(fc.constantFrom(...universityPool), { nil: undefined }),
        minRating: fc.option(fc.constantFrom(1, 2.5, 3, 4, 4.5), { nil: undefined }),
        hasAvailability: fc.option(fc.constant(true), { nil: undefined, freq: 1 }),
        sort: fc.option(fc.constantFrom("rating", "availability"), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(populationArb, fc.array(filtersArb, { minLength: 1, maxLength: 3 }), async ({ now, mentors }, filterSets) => {
          const rows = await seed(now, mentors);
          const truth = new Map(rows.map((m) => [m.id, oracle(m, now)]));
          for (const f of filterSets) {
            const expected = rows.filter(
              (m) =>
                listed(m) &&
                (f.field === undefined || m.field === f.field) &&
                (f.university === undefined || m.university === f.university) &&
                (f.minRating === undefined || (m.rating !== null && m.rating >= f.minRating)) &&
                (f.hasAvailability === undefined || truth.get(m.id)!.in7 > 0),
            );
            const got = await search(f);
            expect(sortIds(got.map((p) => p.id))).toEqual(sortIds(expected.map((m) => m.id)));
            for (const p of got) {
              if (f.field) expect(p.field).toBe(f.field);
              if (f.university) expect(p.university).toBe(f.university);
              if (f.minRating !== undefined) expect(p.averageRating!).toBeGreaterThanOrEqual(f.minRating);
              if (f.hasAvailability) expect(p.hasAvailability).toBe(true);
            }
            if (f.field) {
              const { field, ...rest } = f;
              const viaField = await byField(field, rest);
              expect(viaField.map((p) => p.id)).toEqual(got.map((p) => p.id));
            }
          }
        }),
        { numRuns: RUNS },
      );
    },
    180_000,
  );
});

// ---------------------------------------------------------------------------------------------------------------------
// The summary moves with bookings, schedules and time
// ---------------------------------------------------------------------------------------------------------------------

/** A mentor made through the API, who then PUTs their own schedule. */
async function apiMentor(schedule: Partial<Schedule> & { timeZone: string }) {
  const m = await createMentor(ctx, {
    emailPrefix: "api",
    timeZone: schedule.timeZone,
    profile: { ...validProfile, university: "Université Paris 1" },
    schedule,
    scheduleAs: "mentor",
  });
  return { id: m.profileId, token: m.token };
}

/**
 * Through a listing sorted on the summary: a booking re-computes those at once. (Other listing pages keep their cached
 * answer through bookings, their free-slot figures lagging by up to the list TTL; see slotsChanged.)
 */
async function summaryOf(id: string): Promise<{ hasAvailability: boolean; freeSlotCount: number } | undefined> {
  const all = await search({ sort: "availability" });
  const p = all.find((x) => x.id === id);
  return p && { hasAvailability: p.hasAvailability, freeSlotCount: p.freeSlotCount };
}
const availableIds = async () => (await search({ hasAvailability: true })).map((p) => p.id);

describe("the summary follows bookings, schedules and time", () => {
  test("booking the only slot of a mentor removes them from hasAvailability=true at once; cancelling brings them back", async () => {
    await reset();
    clock.set(new Date(T0));
    // One slot in 30 days: Thursday 2026-05-07 10:00-10:15 in Paris (08:00 UTC).
    const only = Date.parse("2026-05-07T08:00:00Z");
    const mentor = await apiMentor({ timeZone: "Europe/Paris", weekly: [], overrides: [{ date: "2026-05-07", ranges: [{ start: "10:00", end: "10:15" }] }] });
    const other = await apiMentor({ timeZone: "Europe/Paris", weekly: [{ weekday: 4, ranges: [{ start: "10:00", end: "11:00" }] }] });
    expect(await summaryOf(mentor.id)).toEqual({ hasAvailability: true, freeSlotCount: 1 });
    expect(sortIds(await availableIds())).toEqual(sortIds([mentor.id, other.id]));
    // Warm the list caches, then book.
    await search({ sort: "availability" });
    await byField("LAW", { hasAvailability: true });
    const booked = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.id, dateTime: iso(only), prospectiveStudent: { name: "Lucas Martin", email: "lucas@lycee.fr" } },
    });
    expect(booked.status).toBe(201);
    expect(await summaryOf(mentor.id)).toEqual({ hasAvailability: false, freeSlotCount: 0 });
    expect(await availableIds()).toEqual([other.id]);
    expect((await byField("LAW", { hasAvailability: true })).map((p) => p.id)).toEqual([other.id]);
    expect((await search({ sort: "availability" })).map((p) => p.id)).toEqual([other.id, mentor.id]);
    // The other mentor's count is untouched.
    expect((await summaryOf(other.id))!.freeSlotCount).toBe(4 * 4);
    // Cancelled: available again, immediately.
    const cancelled = await call(ctx, `/api/v2/bookings/${booked.body.data.bookingId}`, {
      method: "DELETE",
      token: ctx.admin,
      json: { reason: "Empêchement", cancelledBy: "student" },
    });
    expect(cancelled.status).toBe(200);
    expect(await summaryOf(mentor.id)).toEqual({ hasAvailability: true, freeSlotCount: 1 });
    expect(sortIds(await availableIds())).toEqual(sortIds([mentor.id, other.id]));
    // Rescheduling a booking of the other mentor moves one slot: the count stays, the 7-day flag follows.
    const b = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: other.id, dateTime: "2026-05-07T08:00:00Z", prospectiveStudent: { name: "Léa", email: "lea@lycee.fr" } },
    });
    expect(b.status).toBe(201);
    expect((await summaryOf(other.id))!.freeSlotCount).toBe(4 * 4 - 1);
    const moved = await call(ctx, `/api/v2/bookings/${b.body.data.bookingId}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: "2026-05-14T08:15:00Z" } });
    expect(moved.status).toBe(200);
    expect((await summaryOf(other.id))!.freeSlotCount).toBe(4 * 4 - 1);
  });

  test("schedule changes move the summary at once", async () => {
    await reset();
    clock.set(new Date(T0));
    const mentor = await apiMentor({ timeZone: "UTC", weekly: [] });
    expect(await summaryOf(mentor.id)).toEqual({ hasAvailability: false, freeSlotCount: 0 });
    expect(await availableIds()).toEqual([]);
    const put = async (schedule: Schedule) => {
      const r = await call(ctx, `/api/v2/students/${mentor.id}/schedule`, { method: "PUT", token: mentor.token, json: schedule });
      expect(r.status).toBe(200);
      const slots = computeSlots({ schedule, now: T0, from: T0, to: Infinity, busy: [] });
      expect(await summaryOf(mentor.id)).toEqual({ hasAvailability: slots.some((s) => s < T0 + 7 * DAY), freeSlotCount: slots.length });
      return slots.length;
    };
    expect(await put({ timeZone: "UTC", weekly: [{ weekday: 2, ranges: [{ start: "09:00", end: "10:00" }] }], overrides: [], outOfOffice: [] })).toBe(5 * 4);
    expect(await availableIds()).toEqual([mentor.id]);
    expect(await put({ timeZone: "UTC", weekly: [{ weekday: 2, ranges: [{ start: "09:00", end: "12:00" }] }], overrides: [], outOfOffice: [] })).toBe(5 * 12);
    // Only far-away overrides: counted, but no availability in the next 7 days.
    expect(await put({ timeZone: "UTC", weekly: [], overrides: [{ date: "2026-05-20", ranges: [{ start: "09:00", end: "09:30" }] }], outOfOffice: [] })).toBe(2);
    expect(await availableIds()).toEqual([]);
    // A zone change alone can move slots into or out of the notice period.
    expect(await put({ timeZone: "Pacific/Kiritimati", weekly: [{ weekday: 1, ranges: [{ start: "00:00", end: "24:00" }] }], overrides: [], outOfOffice: [] })).toBeGreaterThan(0);
    expect(await put({ timeZone: "UTC", weekly: [], overrides: [], outOfOffice: [] })).toBe(0);
    expect(await availableIds()).toEqual([]);
  });

  test("the passing of time: past slots drop out after refreshAllSummaries (and the quarter-hour job), the 7-day window slides in", async () => {
    await reset();
    clock.set(new Date(T0));
    // Today 12:30-12:45 Paris (10:30 UTC): 3 h 07 ahead of T0; the only slot in the next 7 days.
    const soon = await apiMentor({
      timeZone: "Europe/Paris",
      weekly: [],
      overrides: [
        { date: "2026-05-04", ranges: [{ start: "12:30", end: "12:45" }] },
        { date: "2026-05-16", ranges: [{ start: "12:30", end: "12:45" }] },
      ],
    });
    // Only 10 days ahead (Thursday 2026-05-14).
    const later = await apiMentor({ timeZone: "Europe/Paris", weekly: [], overrides: [{ date: "2026-05-14", ranges: [{ start: "09:00", end: "10:00" }] }] });
    expect(await summaryOf(soon.id)).toEqual({ hasAvailability: true, freeSlotCount: 2 });
    expect(await summaryOf(later.id)).toEqual({ hasAvailability: false, freeSlotCount: 4 });
    expect(await availableIds()).toEqual([soon.id]);

    // 1 h 30 later the 10:30 UTC slot is less than 2 hours ahead.
    clock.advance(90 * MIN);
    const refreshed = await ctx.app.services.availability.refreshAllSummaries();
    expect(refreshed).toBe(2);
    expect(await summaryOf(soon.id)).toEqual({ hasAvailability: false, freeSlotCount: 1 });
    expect(await availableIds()).toEqual([]);
    // The availability endpoint agrees.
    const slots = await call(ctx, `/api/v2/students/${soon.id}/availability`, { token: ctx.widget });
    expect(slots.body.data.slots.map((s: Json) => s.start)).toEqual(["2026-05-16T10:30:00.000Z"]);

    // Six days later the 7-day window reaches both mentors' slots; the ticker's refresh says so.
    clock.advance(6 * DAY);
    // The quarter-hour job, run by a worker on the test clock, says so.
    const worker = ctx.app.jobs.createWorker();
    await worker.drain();
    expect(sortIds(await availableIds())).toEqual(sortIds([soon.id, later.id]));
    expect(await summaryOf(later.id)).toEqual({ hasAvailability: true, freeSlotCount: 4 });

    // Past every slot: counts fall to zero with the next quarter hour's job.
    clock.set(new Date(Date.parse("2026-05-17T00:00:00Z")));
    expect(await worker.drain()).toBeGreaterThan(0);
    expect(await summaryOf(soon.id)).toEqual({ hasAvailability: false, freeSlotCount: 0 });
    expect(await summaryOf(later.id)).toEqual({ hasAvailability: false, freeSlotCount: 0 });
    expect(await availableIds()).toEqual([]);
    clock.set(new Date(T0));
  });

  test("a mentor whose schedule row disappears drops to zero on the next refresh", async () => {
    await reset();
    clock.set(new Date(T0));
    const mentor = await apiMentor({ timeZone: "UTC", weekly: [{ weekday: 3, ranges: [{ start: "09:00", end: "10:00" }] }] });
    expect((await summaryOf(mentor.id))!.freeSlotCount).toBe(4 * 4);
    await ctx.app.database.db.delete(mentorSchedules).where(eq(mentorSchedules.studentProfileId, mentor.id));
    await ctx.app.services.availability.refreshAllSummaries();
    expect(await summaryOf(mentor.id)).toEqual({ hasAvailability: false, freeSlotCount: 0 });
  });

  test("refreshAllSummaries pages through many mentors (batches smaller than the population)", async () => {
    const now = T0 + 3 * HOUR;
    const population = Array.from({ length: 7 }, (_, i) => ({
      kind: "weekly" as Kind,
      field: fieldPool[i % 3]!,
      university: universityPool[0]!,
      rating: null,
      isActive: true,
      complete: true,
      schedule: { ...emptySchedule(zonePool[i % zonePool.length]!), weekly: [{ weekday: ((i % 7) + 1) as 1, ranges: [{ start: "08:00", end: hm(8 * 60 + 15 * (i + 1)) }] }] },
      accepted: [],
      calendar: [],
    }));
    const rows = await seed(now, population);
    // Scramble the stored counts, then refresh 2 at a time.
    await ctx.app.database.db.update(studentProfiles).set({ freeSlots7d: 999, freeSlots30d: 999 });
    expect(await ctx.app.services.availability.refreshAllSummaries(2)).toBe(7);
    const all = await search({ sort: "availability" });
    for (const p of all) {
      const t = oracle(rows.find((m) => m.id === p.id)!, now);
      expect({ id: p.id, n: p.freeSlotCount, a: p.hasAvailability }).toEqual({ id: p.id, n: t.in30, a: t.in7 > 0 });
    }
    clock.set(new Date(T0));
  });
});
