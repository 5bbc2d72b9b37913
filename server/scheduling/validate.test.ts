import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Schedule } from "./types.ts";
import { MAX_OUT_OF_OFFICE, MAX_OVERRIDES, MAX_RANGES_PER_DAY, validateSchedule } from "./validate.ts";

const valid = (): Schedule => ({
  timeZone: "Europe/Paris",
  weekly: [
    { weekday: 1, ranges: [{ start: "09:00", end: "12:00" }, { start: "14:00", end: "18:00" }] },
    { weekday: 7, ranges: [{ start: "20:00", end: "24:00" }] },
  ],
  overrides: [
    { date: "2026-12-25", ranges: [] },
    { date: "2026-12-26", ranges: [{ start: "10:00", end: "11:00" }] },
  ],
  outOfOffice: [{ start: "2026-08-01T00:00:00Z", end: "2026-08-15T00:00:00.000+02:00" }],
});

/** The issues of an invalid schedule (fails the test when it is accepted). */
function issues(input: unknown): { field: string; message: string }[] {
  const r = validateSchedule(input);
  if (r.ok) throw new Error(`expected a rejection for ${JSON.stringify(input)}`);
  return r.issues;
}
const fields = (input: unknown) => issues(input).map((i) => i.field);

describe("validateSchedule", () => {
  test("accepts a valid schedule and returns it exactly", () => {
    const s = valid();
    expect(validateSchedule(s)).toEqual({ ok: true, schedule: s });
  });

  test("missing overrides / outOfOffice become [], unknown properties are dropped", () => {
    const r = validateSchedule({ timeZone: "Asia/Kathmandu", weekly: [], extra: 1 });
    expect(r).toEqual({ ok: true, schedule: { timeZone: "Asia/Kathmandu", weekly: [], overrides: [], outOfOffice: [] } });
  });

  test("the schedule must be an object", () => {
    for (const v of [null, undefined, 42, "x", []]) expect(fields(v)).toEqual([""]);
  });

  test("time zone: IANA names are accepted, anything else is rejected", () => {
    for (const zone of ["Europe/Paris", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "UTC", "Etc/GMT+5", "America/Port-au-Prince"]) {
      expect(validateSchedule({ ...valid(), timeZone: zone }).ok).toBe(true);
    }
    for (const zone of ["", "Mars/Olympus_Mons", "Europe/Pariss", "+01:00", "-0530", "GMT+1 ", 42, null, "x".repeat(65)]) {
      expect(fields({ ...valid(), timeZone: zone })).toEqual(["timeZone"]);
    }
  });

  test('times must be "HH:MM"; 24:00 only as an end', () => {
    const bad = ["9:00", "09:0", "24:01", "25:00", "12:60", "0900", "09:00:00", " 09:00", 900, null];
    for (const start of bad) {
      expect(fields({ ...valid(), weekly: [{ weekday: 1, ranges: [{ start, end: "10:00" }] }] })).toEqual(["weekly[0].ranges[0].start"]);
    }
    for (const end of bad) {
      expect(fields({ ...valid(), weekly: [{ weekday: 1, ranges: [{ start: "08:00", end }] }] })).toEqual(["weekly[0].ranges[0].end"]);
    }
    expect(fields({ ...valid(), weekly: [{ weekday: 1, ranges: [{ start: "24:00", end: "24:00" }] }] })).toEqual(["weekly[0].ranges[0].start"]);
    expect(validateSchedule({ ...valid(), weekly: [{ weekday: 1, ranges: [{ start: "00:00", end: "24:00" }] }] }).ok).toBe(true);
    expect(fields({ ...valid(), weekly: [{ weekday: 1, ranges: ["09:00-10:00"] }] })).toEqual(["weekly[0].ranges[0]"]);
  });

  test("start must be before end", () => {
    expect(fields({ ...valid(), weekly: [{ weekday: 2, ranges: [{ start: "10:00", end: "10:00" }] }] })).toEqual(["weekly[0].ranges[0]"]);
    expect(fields({ ...valid(), overrides: [{ date: "2026-12-25", ranges: [{ start: "18:00", end: "09:00" }] }] })).toEqual(["overrides[0].ranges[0]"]);
  });

  test("ranges of one weekday or one override date must not overlap (touching is fine)", () => {
    const overlapping = [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "14:00" }, { start: "11:59", end: "12:30" }];
    const w = issues({ ...valid(), weekly: [{ weekday: 3, ranges: overlapping }] });
    expect(w).toEqual([{ field: "weekly[0].ranges[2]", message: "overlaps weekly[0].ranges[0]" }]);
    expect(fields({ ...valid(), overrides: [{ date: "2026-12-24", ranges: overlapping }] })).toEqual(["overrides[0].ranges[2]"]);
    const same = [{ start: "09:00", end: "10:00" }, { start: "09:00", end: "10:00" }];
    expect(fields({ ...valid(), weekly: [{ weekday: 3, ranges: same }] })).toEqual(["weekly[0].ranges[1]"]);
    const touching = [{ start: "12:00", end: "13:00" }, { start: "09:00", end: "12:00" }];
    expect(validateSchedule({ ...valid(), weekly: [{ weekday: 3, ranges: touching }] }).ok).toBe(true);
    // The same hours on different days are not an overlap.
    expect(validateSchedule({ ...valid(), weekly: [{ weekday: 3, ranges: touching }, { weekday: 4, ranges: touching }] }).ok).toBe(true);
  });

  test("property: ranges are accepted exactly when no two of them overlap", () => {
    const minute = fc.integer({ min: 0, max: 1440 });
    const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    fc.assert(
      fc.property(fc.array(fc.tuple(minute, minute).filter(([a, b]) => a < b), { maxLength: 6 }), (pairs) => {
        const ranges = pairs.map(([a, b]) => ({ start: fmt(a), end: fmt(b) }));
        const overlap = pairs.some(([a, b], i) => pairs.some(([c, d], j) => i !== j && a < d && c < b));
        expect(validateSchedule({ ...valid(), weekly: [{ weekday: 5, ranges }] }).ok).toBe(!overlap);
      }),
      { numRuns: 200 },
    );
  });

  test("weekdays are ISO 1..7 and appear at most once", () => {
    for (const weekday of [0, 8, 1.5, "1", null]) {
      expect(fields({ ...valid(), weekly: [{ weekday, ranges: [] }] })).toEqual(["weekly[0].weekday"]);
    }
    const dup = issues({ ...valid(), weekly: [{ weekday: 2, ranges: [] }, { weekday: 2, ranges: [] }] });
    expect(dup).toEqual([{ field: "weekly[1].weekday", message: "duplicate weekday 2 (also weekly[0])" }]);
    expect(fields({ ...valid(), weekly: "mondays" })).toEqual(["weekly"]);
    expect(fields({ ...valid(), weekly: [null] })).toEqual(["weekly[0]"]);
    expect(fields({ ...valid(), weekly: [{ weekday: 1 }] })).toEqual(["weekly[0].ranges"]);
    const eight = [1, 2, 3, 4, 5, 6, 7, 1].map((weekday) => ({ weekday, ranges: [] }));
    expect(fields({ ...valid(), weekly: eight })).toEqual(["weekly", "weekly[7].weekday"]);
  });

  test("at most 12 ranges a day", () => {
    const ranges = (n: number) => Array.from({ length: n }, (_, i) => ({ start: `${String(i).padStart(2, "0")}:00`, end: `${String(i).padStart(2, "0")}:30` }));
    expect(validateSchedule({ ...valid(), weekly: [{ weekday: 1, ranges: ranges(MAX_RANGES_PER_DAY) }] }).ok).toBe(true);
    expect(fields({ ...valid(), weekly: [{ weekday: 1, ranges: ranges(MAX_RANGES_PER_DAY + 1) }] })).toEqual(["weekly[0].ranges"]);
    expect(fields({ ...valid(), overrides: [{ date: "2026-12-24", ranges: ranges(MAX_RANGES_PER_DAY + 1) }] })).toEqual(["overrides[0].ranges"]);
  });

  test("override dates are real calendar dates, at most once each", () => {
    for (const date of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-05", "26-01-05", "2026-01-05T00:00", 20260105]) {
      expect(fields({ ...valid(), overrides: [{ date, ranges: [] }] })).toEqual(["overrides[0].date"]);
    }
    expect(validateSchedule({ ...valid(), overrides: [{ date: "2028-02-29", ranges: [] }] }).ok).toBe(true);
    const dup = issues({ ...valid(), overrides: [{ date: "2026-12-25", ranges: [] }, { date: "2026-12-25", ranges: [{ start: "09:00", end: "10:00" }] }] });
    expect(dup).toEqual([{ field: "overrides[1].date", message: "duplicate date 2026-12-25 (also overrides[0])" }]);
    expect(fields({ ...valid(), overrides: {} })).toEqual(["overrides"]);
    expect(fields({ ...valid(), overrides: [[]] })).toEqual(["overrides[0]"]);
  });

  test("at most 366 overrides", () => {
    const overrides = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ date: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), ranges: [] }));
    expect(validateSchedule({ ...valid(), overrides: overrides(MAX_OVERRIDES) }).ok).toBe(true);
    expect(fields({ ...valid(), overrides: overrides(MAX_OVERRIDES + 1) })).toEqual(["overrides"]);
  });

  test("out-of-office periods: instants with an offset, start before end, at most 100", () => {
    const ooo = (start: unknown, end: unknown) => ({ ...valid(), outOfOffice: [{ start, end }] });
    expect(validateSchedule(ooo("2026-08-01T10:00Z", "2026-08-01T12:00:00.5+02:00")).ok).toBe(true);
    // A floating local time would depend on the server's zone.
    expect(fields(ooo("2026-08-01T10:00:00", "2026-08-02T10:00:00Z"))).toEqual(["outOfOffice[0].start"]);
    expect(fields(ooo("2026-08-01", "2026-08-02T10:00:00Z"))).toEqual(["outOfOffice[0].start"]);
    expect(fields(ooo("2026-08-01T10:00:00Z", "2026-02-30T10:00:00Z"))).toEqual(["outOfOffice[0].end"]);
    expect(fields(ooo("2026-08-01T24:00:00Z", "tomorrow"))).toEqual(["outOfOffice[0].start", "outOfOffice[0].end"]);
    expect(fields(ooo("2026-08-02T10:00:00Z", "2026-08-02T10:00:00Z"))).toEqual(["outOfOffice[0]"]);
    // 12:00+02:00 is 10:00Z: the end is before the start once offsets are applied.
    expect(fields(ooo("2026-08-02T11:00:00Z", "2026-08-02T12:00:00+02:00"))).toEqual(["outOfOffice[0]"]);
    expect(fields({ ...valid(), outOfOffice: [null] })).toEqual(["outOfOffice[0]"]);
    expect(fields({ ...valid(), outOfOffice: "august" })).toEqual(["outOfOffice"]);
    const many = (n: number) => Array.from({ length: n }, () => ({ start: "2026-08-01T00:00:00Z", end: "2026-08-02T00:00:00Z" }));
    expect(validateSchedule({ ...valid(), outOfOffice: many(MAX_OUT_OF_OFFICE) }).ok).toBe(true);
    expect(fields({ ...valid(), outOfOffice: many(MAX_OUT_OF_OFFICE + 1) })).toEqual(["outOfOffice"]);
  });

  test("reports every problem at once", () => {
    const r = issues({
      timeZone: "Nowhere/Land",
      weekly: [{ weekday: 9, ranges: [{ start: "10:00", end: "09:00" }] }],
      overrides: [{ date: "2026-02-30", ranges: [] }],
      outOfOffice: [{ start: "x", end: "2026-01-01T00:00:00Z" }],
    });
    expect(r.map((i) => i.field)).toEqual(["timeZone", "weekly[0].weekday", "weekly[0].ranges[0]", "overrides[0].date", "outOfOffice[0].start"]);
    for (const i of r) expect(i.message.length).toBeGreaterThan(0);
  });
});
