/**
 * Mentors' schedules through the real HTTP API: Property 5 (Availability Timezone Persistence: what is PUT is what
 * GET returns, zone and rules, exactly), validation (400 with field-level issues, nothing stored), access control
 * (the mentor themself and admins only) and the unconfigured default.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { mentorSchedules } from "../../../db/schema/index.ts";
import { call, createMentor, DAY, type Json, type Mentor, useTestApp } from "../../test-support/mentors.ts";

const RUNS = 100;

const ctx = useTestApp();

const newMentor = (timeZone?: string): Promise<Mentor> => createMentor(ctx, { emailPrefix: "schedule", timeZone });

const getSchedule = (profileId: string, token: string | undefined) => call(ctx, `/api/v2/students/${profileId}/schedule`, { token });
const putSchedule = (profileId: string, token: string | undefined, json: unknown) =>
  call(ctx, `/api/v2/students/${profileId}/schedule`, { method: "PUT", token, json });

// ---------------------------------------------------------------------------------------------------------------------
// Generators of valid schedules
// ---------------------------------------------------------------------------------------------------------------------

const zones = Intl.supportedValuesOf("timeZone");
const pad2 = (n: number) => String(n).padStart(2, "0");
const hm = (minutes: number) => `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;

/** Non-overlapping ranges of one day (touching allowed, "24:00" possible), in any order. */
const rangesArb = (max = 4) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 0, maxLength: 2 * max })
    .map((points) => {
      const sorted = [...points].sort((a, b) => a - b);
      const ranges: { start: string; end: string }[] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push({ start: hm(sorted[i]!), end: hm(sorted[i + 1]!) });
      return ranges;
    })
    .chain((ranges) => fc.shuffledSubarray(ranges, { minLength: ranges.length, maxLength: ranges.length }));

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateArb = fc.integer({ min: 0, max: 800 }).map((d) => isoDate(Date.UTC(2026, 0, 1) + d * DAY));

/** An instant written with "Z" or an explicit offset, with or without seconds / milliseconds: stored as given. */
const instantText = (ms: number, offsetMinutes: number, style: number) => {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString(); // "YYYY-MM-DDTHH:MM:SS.mmmZ"
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const suffix = offsetMinutes === 0 && style % 2 === 0 ? "Z" : `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  const body = style < 2 ? local.slice(0, 19) : style < 4 ? local.slice(0, 23) : local.slice(0, 16);
  return body + suffix;
};
const outOfOfficeArb = fc
  .record({
    start: fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2028, 0, 1) / 60_000 }),
    minutes: fc.integer({ min: 1, max: 60 * 24 * 20 }),
    offset: fc.constantFrom(0, 60, 120, -300, 330, 345, -210),
    style: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ start, minutes, offset, style }) => ({
    start: instantText(start * 60_000, offset, style),
    end: instantText((start + minutes) * 60_000, offset, style),
  }));

const scheduleArb = fc.record({
  timeZone: fc.constantFrom(...zones),
  weekly: fc
    .shuffledSubarray([1, 2, 3, 4, 5, 6, 7], { minLength: 0, maxLength: 7 })
    .chain((days) => fc.tuple(...days.map((weekday) => rangesArb().map((ranges) => ({ weekday, ranges }))))),
  overrides: fc.uniqueArray(dateArb, { maxLength: 6 }).chain((dates) => fc.tuple(...dates.map((date) => rangesArb(3).map((ranges) => ({ date, ranges }))))),
  outOfOffice: fc.array(outOfOfficeArb, { maxLength: 4 }),
});

// ---------------------------------------------------------------------------------------------------------------------

describe("Property 5: Availability Timezone Persistence", () => {
  let mentor: Mentor;
  beforeAll(async () => {
    mentor = await newMentor();
  }, 60_000);

  test(
    "for any schedule in any IANA zone, PUT then GET returns exactly the zone and the rules",
    async () => {
      // Feature: thotis-student-mentoring, Property 5: Availability Timezone Persistence
      await fc.assert(
        fc.asyncProperty(scheduleArb, fc.boolean(), fc.boolean(), async (schedule, asAdmin, omitOptional) => {
          const body: Record<string, unknown> = { ...schedule };
          if (omitOptional && schedule.overrides.length === 0) delete body.overrides;
          if (omitOptional && schedule.outOfOffice.length === 0) delete body.outOfOffice;
          const writer = asAdmin ? ctx.admin : mentor.token;
          const put = await putSchedule(mentor.profileId, writer, body);
          expect(put.status).toBe(200);
          const expected = {
            studentProfileId: mentor.profileId,
            timeZone: schedule.timeZone,
            weekly: schedule.weekly,
            overrides: schedule.overrides,
            outOfOffice: schedule.outOfOffice,
            configured: true,
          };
          expect(put.body.data).toMatchObject(expected);
          // Read back by both the mentor and an admin: the same, exactly.
          for (const reader of [mentor.token, ctx.admin]) {
            const got = await getSchedule(mentor.profileId, reader);
            expect(got.status).toBe(200);
            expect(got.body.status).toBe("success");
            const { updatedAt, ...rest } = got.body.data;
            expect(rest).toEqual(expected);
            expect(updatedAt).toBe(put.body.data.updatedAt);
            // Exactly: same strings in the same order (no canonicalisation of zone names, times or instants).
            expect(JSON.stringify([rest.timeZone, rest.weekly.map((w: Json) => [w.weekday, w.ranges.map((r: Json) => [r.start, r.end])])])).toBe(
              JSON.stringify([schedule.timeZone, schedule.weekly.map((w) => [w.weekday, w.ranges.map((r) => [r.start, r.end])])]),
            );
            expect(rest.outOfOffice.map((p: Json) => `${p.start}/${p.end}`)).toEqual(schedule.outOfOffice.map((p) => `${p.start}/${p.end}`));
            expect(rest.overrides.map((o: Json) => o.date)).toEqual(schedule.overrides.map((o) => o.date));
          }
          // The availability answer names the stored zone as the mentor's.
          const availability = await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget });
          expect(availability.status).toBe(200);
          expect(availability.body.data.mentorTimeZone).toBe(schedule.timeZone);
          expect(availability.body.data.timeZone).toBe(schedule.timeZone);
        }),
        { numRuns: RUNS },
      );
    },
    180_000,
  );

  test("every IANA zone the runtime knows is accepted and kept as spelled", async () => {
    // Not a sample: all of them, one PUT/GET each.
    for (const timeZone of zones) {
      const put = await putSchedule(mentor.profileId, ctx.admin, { timeZone, weekly: [{ weekday: 3, ranges: [{ start: "09:00", end: "10:00" }] }] });
      expect({ timeZone, status: put.status }).toEqual({ timeZone, status: 200 });
      const got = await getSchedule(mentor.profileId, mentor.token);
      expect(got.body.data.timeZone).toBe(timeZone);
    }
  }, 180_000);
});

describe("schedule validation through the API", () => {
  let mentor: Mentor;
  const good = {
    timeZone: "Europe/Paris",
    weekly: [
      { weekday: 1, ranges: [{ start: "09:00", end: "12:00" }, { start: "14:00", end: "18:00" }] },
      { weekday: 3, ranges: [{ start: "17:00", end: "19:00" }] },
    ],
    overrides: [{ date: "2026-07-14", ranges: [] }],
    outOfOffice: [{ start: "2026-08-01T00:00:00Z", end: "2026-08-15T00:00:00Z" }],
  };
  let stored: Json;

  beforeAll(async () => {
    mentor = await newMentor();
    const put = await putSchedule(mentor.profileId, mentor.token, good);
    expect(put.status).toBe(200);
    stored = (await getSchedule(mentor.profileId, ctx.admin)).body.data;
  }, 60_000);

  /** The invalid schedule is refused with 400, names the field(s), and leaves the stored schedule untouched. */
  async function expectRefused(body: unknown, fields: (string | RegExp)[]) {
    const r = await putSchedule(mentor.profileId, mentor.token, body);
    expect(r.status).toBe(400);
    expect(r.body.status).toBe("error");
    expect(r.body.error.code).toBe("INVALID_INPUT");
    expect(typeof r.body.error.message).toBe("string");
    const issues: { field: string; message: string }[] = r.body.error.details?.issues ?? [];
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(typeof issue.field).toBe("string");
      expect(issue.message.length).toBeGreaterThan(0);
    }
    for (const f of fields) {
      const hit = issues.some((i) => (typeof f === "string" ? i.field === f : f.test(i.field)));
      if (!hit) throw new Error(`no issue for ${String(f)} in ${JSON.stringify(issues)}`);
    }
    const after = await getSchedule(mentor.profileId, ctx.admin);
    expect(after.body.data).toEqual(stored);
    return issues;
  }

  test("overlapping ranges of one weekday", async () => {
    const issues = await expectRefused(
      { timeZone: "Europe/Paris", weekly: [{ weekday: 2, ranges: [{ start: "09:00", end: "11:00" }, { start: "10:30", end: "12:00" }] }] },
      ["weekly[0].ranges[1]"],
    );
    expect(issues.find((i) => i.field === "weekly[0].ranges[1]")!.message).toContain("overlaps");
    // Overlap regardless of order, and a range inside another.
    await expectRefused(
      { timeZone: "Europe/Paris", weekly: [{ weekday: 2, ranges: [{ start: "13:00", end: "18:00" }, { start: "09:00", end: "10:00" }, { start: "14:00", end: "15:00" }] }] },
      ["weekly[0].ranges[2]"],
    );
    // In an override too.
    await expectRefused(
      { timeZone: "Europe/Paris", weekly: [], overrides: [{ date: "2026-07-01", ranges: [{ start: "08:00", end: "24:00" }, { start: "23:00", end: "23:30" }] }] },
      ["overrides[0].ranges[1]"],
    );
  });

  test("touching ranges are not overlapping", async () => {
    const body = { timeZone: "Europe/Paris", weekly: [{ weekday: 2, ranges: [{ start: "09:00", end: "10:00" }, { start: "10:00", end: "11:00" }] }] };
    const r = await putSchedule(mentor.profileId, mentor.token, body);
    expect(r.status).toBe(200);
    // Back to the reference schedule for the other cases.
    expect((await putSchedule(mentor.profileId, mentor.token, good)).status).toBe(200);
    stored = (await getSchedule(mentor.profileId, ctx.admin)).body.data;
  });

  test('a zone that is not an IANA zone ("Mars/Olympus", offsets, blanks)', async () => {
    for (const timeZone of ["Mars/Olympus", "Europe/Pariss", "+01:00", "GMT+1 ", "", "europe/paris/x"]) {
      await expectRefused({ ...good, timeZone }, [/^timeZone$/]);
    }
  });

  test("bad HH:MM times", async () => {
    for (const bad of ["9:00", "25:00", "12:60", "12h00", "1200", "", "24:30"]) {
      await expectRefused({ ...good, weekly: [{ weekday: 1, ranges: [{ start: bad, end: "23:00" }] }] }, [/^weekly(\.0|\[0\])\.ranges(\.0|\[0\])\.start$/]);
      await expectRefused({ ...good, weekly: [{ weekday: 1, ranges: [{ start: "00:00", end: bad }] }] }, [/^weekly(\.0|\[0\])\.ranges(\.0|\[0\])\.end$/]);
    }
    // "24:00" ends a day but cannot start a range.
    await expectRefused({ ...good, weekly: [{ weekday: 1, ranges: [{ start: "24:00", end: "24:00" }] }] }, ["weekly[0].ranges[0].start"]);
  });

  test("start >= end", async () => {
    await expectRefused({ ...good, weekly: [{ weekday: 4, ranges: [{ start: "10:00", end: "10:00" }] }] }, ["weekly[0].ranges[0]"]);
    await expectRefused({ ...good, weekly: [{ weekday: 4, ranges: [{ start: "18:00", end: "09:00" }] }] }, ["weekly[0].ranges[0]"]);
    await expectRefused({ ...good, overrides: [{ date: "2026-09-01", ranges: [{ start: "12:00", end: "11:59" }] }] }, ["overrides[0].ranges[0]"]);
    await expectRefused({ ...good, outOfOffice: [{ start: "2026-08-02T00:00:00Z", end: "2026-08-01T00:00:00Z" }] }, ["outOfOffice[0]"]);
    await expectRefused({ ...good, outOfOffice: [{ start: "2026-08-01T02:00:00+02:00", end: "2026-08-01T00:00:00Z" }] }, ["outOfOffice[0]"]);
  });

  test("duplicate weekday", async () => {
    const issues = await expectRefused(
      {
        timeZone: "Europe/Paris",
        weekly: [
          { weekday: 5, ranges: [{ start: "09:00", end: "10:00" }] },
          { weekday: 5, ranges: [{ start: "11:00", end: "12:00" }] },
        ],
      },
      ["weekly[1].weekday"],
    );
    expect(issues.find((i) => i.field === "weekly[1].weekday")!.message).toContain("duplicate");
  });

  test("duplicate override date, and dates that do not exist", async () => {
    const issues = await expectRefused(
      {
        ...good,
        overrides: [
          { date: "2026-12-25", ranges: [] },
          { date: "2026-12-24", ranges: [{ start: "10:00", end: "12:00" }] },
          { date: "2026-12-25", ranges: [{ start: "10:00", end: "11:00" }] },
        ],
      },
      ["overrides[2].date"],
    );
    expect(issues.find((i) => i.field === "overrides[2].date")!.message).toContain("duplicate");
    await expectRefused({ ...good, overrides: [{ date: "2026-02-30", ranges: [] }] }, ["overrides[0].date"]);
  });

  test("every problem is reported, each with its field", async () => {
    await expectRefused(
      {
        timeZone: "Mars/Olympus",
        weekly: [
          { weekday: 1, ranges: [{ start: "10:00", end: "09:00" }] },
          { weekday: 1, ranges: [] },
          { weekday: 2, ranges: [{ start: "08:00", end: "12:00" }, { start: "11:00", end: "13:00" }] },
        ],
        overrides: [
          { date: "2026-07-01", ranges: [] },
          { date: "2026-07-01", ranges: [] },
        ],
      },
      ["timeZone", "weekly[0].ranges[0]", "weekly[1].weekday", "weekly[2].ranges[1]", "overrides[1].date"],
    );
  });

  test("a refused schedule is never stored for a mentor who had none", async () => {
    const fresh = await newMentor("Asia/Tokyo");
    const r = await putSchedule(fresh.profileId, fresh.token, { timeZone: "Mars/Olympus", weekly: [] });
    expect(r.status).toBe(400);
    const rows = await ctx.app.database.db.select().from(mentorSchedules).where(eq(mentorSchedules.studentProfileId, fresh.profileId));
    expect(rows).toEqual([]);
    const got = await getSchedule(fresh.profileId, fresh.token);
    expect(got.body.data.configured).toBe(false);
    expect(got.body.data.timeZone).toBe("Asia/Tokyo");
  });
});

describe("schedule access control", () => {
  let mentor: Mentor;
  let other: Mentor;
  const body = { timeZone: "America/Montreal", weekly: [{ weekday: 2, ranges: [{ start: "16:00", end: "18:00" }] }] };

  beforeAll(async () => {
    mentor = await newMentor();
    other = await newMentor();
  }, 60_000);

  test("the mentor themself and admins may GET and PUT", async () => {
    expect((await putSchedule(mentor.profileId, mentor.token, body)).status).toBe(200);
    expect((await getSchedule(mentor.profileId, mentor.token)).status).toBe(200);
    const byAdmin = await putSchedule(mentor.profileId, ctx.admin, { ...body, timeZone: "Europe/Lisbon" });
    expect(byAdmin.status).toBe(200);
    const got = await getSchedule(mentor.profileId, ctx.admin);
    expect(got.status).toBe(200);
    expect(got.body.data.timeZone).toBe("Europe/Lisbon");
  });

  test("another mentor, integrators and the widget get 403; no token 401; nothing changes", async () => {
    const before = (await getSchedule(mentor.profileId, ctx.admin)).body.data;
    const noProfileClaim = await ctx.app.token("mentor", { sub: String(mentor.userId) });
    for (const token of [other.token, ctx.integrator, ctx.widget, noProfileClaim]) {
      const get = await getSchedule(mentor.profileId, token);
      expect(get.status).toBe(403);
      expect(get.body.error.code).toBe("INSUFFICIENT_PERMISSIONS");
      const put = await putSchedule(mentor.profileId, token, { ...body, timeZone: "Asia/Tokyo" });
      expect(put.status).toBe(403);
      expect(put.body.error.code).toBe("INSUFFICIENT_PERMISSIONS");
    }
    for (const token of [undefined, "not-a-jwt", `${ctx.admin}x`]) {
      const get = await getSchedule(mentor.profileId, token);
      expect(get.status).toBe(401);
      const put = await putSchedule(mentor.profileId, token, body);
      expect(put.status).toBe(401);
    }
    // A mentor with a valid body for another profile: still 403 (the check is not only about the body).
    const cross = await putSchedule(mentor.profileId, other.token, body);
    expect(cross.status).toBe(403);
    expect((await getSchedule(mentor.profileId, ctx.admin)).body.data).toEqual(before);
  });

  test("unknown profile: 404 for admins (and for a mentor token naming it)", async () => {
    const ghost = "cdoesnotexist0000000000000";
    const get = await getSchedule(ghost, ctx.admin);
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe("PROFILE_NOT_FOUND");
    const put = await putSchedule(ghost, ctx.admin, body);
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe("PROFILE_NOT_FOUND");
    const ghostMentor = await ctx.app.token("mentor", { sub: "999999", studentProfileId: ghost });
    expect((await getSchedule(ghost, ghostMentor)).status).toBe(404);
    expect((await putSchedule(ghost, ghostMentor, body)).status).toBe(404);
    const rows = await ctx.app.database.db.select().from(mentorSchedules).where(eq(mentorSchedules.studentProfileId, ghost));
    expect(rows).toEqual([]);
  });
});

describe("before any schedule is saved", () => {
  test("GET gives configured=false, empty rules and the user's zone", async () => {
    for (const zone of ["America/Sao_Paulo", "Asia/Kathmandu", "Europe/Paris"]) {
      const mentor = await newMentor(zone);
      for (const token of [mentor.token, ctx.admin]) {
        const got = await getSchedule(mentor.profileId, token);
        expect(got.status).toBe(200);
        expect(got.body).toEqual({
          status: "success",
          data: { studentProfileId: mentor.profileId, timeZone: zone, weekly: [], overrides: [], outOfOffice: [], configured: false, updatedAt: null },
        });
      }
      // No slots without a schedule.
      const availability = await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget });
      expect(availability.status).toBe(200);
      expect(availability.body.data.slots).toEqual([]);
      expect(availability.body.data.mentorTimeZone).toBe(zone);
      // Then the first PUT makes it configured.
      const put = await putSchedule(mentor.profileId, mentor.token, { timeZone: zone, weekly: [] });
      expect(put.status).toBe(200);
      const after = await getSchedule(mentor.profileId, mentor.token);
      expect(after.body.data.configured).toBe(true);
      expect(typeof after.body.data.updatedAt).toBe("string");
    }
  });
});
