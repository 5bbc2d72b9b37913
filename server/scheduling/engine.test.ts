import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { computeSlots, countSlots, HORIZON_DAYS, isSlotOffered, MIN_NOTICE_MINUTES, SLOT_MINUTES } from "./engine.ts";
import { formatInZone } from "./local-time.ts";
import type { Interval, Schedule, SlotQuery, TimeRange, Weekday } from "./types.ts";
import { validateSchedule } from "./validate.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SLOT = 15 * MIN;
const RUNS = { numRuns: 100 };

const utc = (iso: string) => Date.parse(iso);
const isoList = (slots: number[]) => slots.map((s) => new Date(s).toISOString().slice(0, 16) + "Z");

// ---------------------------------------------------------------------------------------------------------------
// An independent oracle: wall-clock time straight from Intl (not the engine's spans or Temporal), minute by minute.
// ---------------------------------------------------------------------------------------------------------------
const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, Weekday> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
interface Wall {
  date: string;
  weekday: Weekday;
  minute: number;
}
function wall(zone: string, t: number): Wall {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, weekday: WEEKDAYS[p.weekday!]!, minute: (Number(p.hour) % 24) * 60 + Number(p.minute) };
}
const hm = (s: string) => (s === "24:00" ? 1440 : Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));

/** Is the minute starting at instant t (whole minute) inside an available local range? */
function minuteAvailable(schedule: Schedule, t: number, cache: Map<number, boolean>): boolean {
  const hit = cache.get(t);
  if (hit !== undefined) return hit;
  const w = wall(schedule.timeZone, t);
  const override = schedule.overrides.find((o) => o.date === w.date);
  const ranges = override ? override.ranges : (schedule.weekly.find((r) => r.weekday === w.weekday)?.ranges ?? []);
  const ok = ranges.some((r) => hm(r.start) <= w.minute && w.minute < hm(r.end));
  cache.set(t, ok);
  return ok;
}

function blocked(q: SlotQuery): Interval[] {
  return [...q.busy, ...q.schedule.outOfOffice.map((p) => ({ start: Date.parse(p.start), end: Date.parse(p.end) }))];
}
const overlaps = (s: number, b: Interval) => b.start < s + SLOT && s < b.end;

/** Brute force: every whole-minute instant in the window that the rules allow. */
function oracleSlots(q: SlotQuery): number[] {
  const lo = Math.max(q.from, q.now + 2 * HOUR);
  const hi = Math.min(q.to, q.now + 30 * DAY);
  const busy = blocked(q);
  const cache = new Map<number, boolean>();
  const out: number[] = [];
  for (let s = Math.ceil(lo / MIN) * MIN; s < hi; s += MIN) {
    if (wall(q.schedule.timeZone, s).minute % 15 !== 0) continue;
    let ok = true;
    for (let k = 0; k < 15 && ok; k++) ok = minuteAvailable(q.schedule, s + k * MIN, cache);
    if (ok && !busy.some((b) => overlaps(s, b))) out.push(s);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------------------
const ZONES = [
  "Europe/Paris",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Australia/Lord_Howe",
  "America/New_York",
  "Pacific/Chatham",
  "UTC",
] as const;
/** The 2026 DST changes of those zones (UTC instants), so that windows often cross one. */
const TRANSITIONS: Record<(typeof ZONES)[number], number[]> = {
  "Europe/Paris": ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"].map(utc),
  "Asia/Kathmandu": [],
  "America/St_Johns": ["2026-03-08T05:30:00Z", "2026-11-01T04:30:00Z"].map(utc),
  "Australia/Lord_Howe": ["2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"].map(utc),
  "America/New_York": ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"].map(utc),
  "Pacific/Chatham": ["2026-04-04T14:00:00Z", "2026-09-26T14:00:00Z"].map(utc),
  UTC: [],
};
const ALL_TRANSITIONS = Object.values(TRANSITIONS).flat();

/** Non-overlapping ranges of one day: sorted distinct boundaries (5-minute steps, so some are off the grid). */
const dayRanges = fc
  .uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 0, maxLength: 8 })
  .map((xs) => {
    const b = xs.map((x) => x * 5).sort((x, y) => x - y);
    const ranges: TimeRange[] = [];
    const fmt = (m: number) => (m === 1440 ? "24:00" : `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
    for (let i = 0; i + 1 < b.length; i += 2) ranges.push({ start: fmt(b[i]!), end: fmt(b[i + 1]!) });
    return ranges;
  });

const nowArb = fc.oneof(
  fc.integer({ min: utc("2026-01-01T00:00:00Z"), max: utc("2027-12-31T00:00:00Z") }),
  fc.tuple(fc.constantFrom(...ALL_TRANSITIONS), fc.integer({ min: -3 * DAY, max: DAY })).map(([t, d]) => t + d),
);

const queryArb = (windowMaxMs: number) =>
  fc
    .record({
      zoneAndNow: fc.oneof(
        { arbitrary: fc.tuple(fc.constantFrom(...ZONES), nowArb), weight: 1 },
        {
          // A zone and a moment shortly before one of its DST changes.
          arbitrary: fc
            .constantFrom(...ZONES.filter((z) => TRANSITIONS[z].length > 0))
            .chain((z) => fc.tuple(fc.constant(z), fc.constantFrom(...TRANSITIONS[z]), fc.integer({ min: -2 * DAY, max: 0 })))
            .map(([z, t, d]) => [z, t + d] as [(typeof ZONES)[number], number]),
          weight: 2,
        },
      ),
      weekly: fc.array(fc.tuple(fc.integer({ min: 1, max: 7 }), dayRanges), { maxLength: 7 }),
      overrides: fc.array(fc.tuple(fc.integer({ min: -2, max: 32 }), dayRanges), { maxLength: 5 }),
      ooo: fc.array(fc.tuple(fc.integer({ min: -DAY, max: 31 * DAY }), fc.integer({ min: 1, max: 2 * DAY })), { maxLength: 3 }),
      busy: fc.array(fc.tuple(fc.integer({ min: -DAY, max: 31 * DAY }), fc.integer({ min: 1, max: 6 * HOUR })), { maxLength: 30 }),
      from: fc.oneof(fc.constant(-Infinity), fc.integer({ min: -DAY, max: Math.min(31 * DAY, windowMaxMs / 2) })),
      length: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: windowMaxMs })),
    })
    .map(({ zoneAndNow: [zone, now], weekly, overrides, ooo, busy, from, length }): SlotQuery => {
      const seenDays = new Set<number>();
      const seenDates = new Set<string>();
      const schedule: Schedule = {
        timeZone: zone,
        weekly: weekly
          .filter(([d]) => !seenDays.has(d) && seenDays.add(d))
          .map(([weekday, ranges]) => ({ weekday: weekday as Weekday, ranges })),
        overrides: overrides
          .map(([k, ranges]) => ({ date: new Date(now + k * DAY).toISOString().slice(0, 10), ranges }))
          .filter((o) => !seenDates.has(o.date) && seenDates.add(o.date)),
        outOfOffice: ooo.map(([a, len]) => ({
          start: new Date(now + a).toISOString(),
          end: new Date(now + a + len).toISOString(),
        })),
      };
      const start = Number.isFinite(from) ? now + from : from;
      let end = start + length;
      // The oracle walks the window minute by minute: keep it short when asked to.
      if (!Number.isFinite(end) || end - Math.max(start, now) > windowMaxMs) end = Math.max(start, now) + windowMaxMs;
      return { schedule, now, from: start, to: end, busy: busy.map(([a, len]) => ({ start: now + a, end: now + a + len })) };
    });

const fullWindow = queryArb(32 * DAY);
const shortWindow = queryArb(2 * DAY);

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------
describe("slot engine properties", () => {
  test("generated schedules are valid", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        expect(validateSchedule(q.schedule)).toEqual({ ok: true, schedule: q.schedule });
      }),
      RUNS,
    );
  });

  test("Property 12: Availability Time Window", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        for (const s of computeSlots(q)) {
          expect(s).toBeGreaterThanOrEqual(q.now);
          expect(s).toBeLessThan(q.now + HORIZON_DAYS * DAY);
          expect(s).toBeGreaterThanOrEqual(q.from);
          expect(s).toBeLessThan(q.to);
        }
      }),
      RUNS,
    );
  });

  test("Property 12: the horizon is exactly 30 days (a slot at now + 30 d is not offered, one just before is)", () => {
    const now = utc("2026-06-01T06:00:00Z"); // Europe/Paris 08:00; every day available
    const schedule: Schedule = {
      timeZone: "Europe/Paris",
      weekly: ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({ weekday, ranges: [{ start: "00:00", end: "24:00" }] })),
      overrides: [],
      outOfOffice: [],
    };
    const slots = computeSlots({ schedule, now, from: -Infinity, to: Infinity, busy: [] });
    expect(slots.at(-1)).toBe(now + 30 * DAY - SLOT);
    expect(slots[0]).toBe(now + 2 * HOUR);
    expect(slots.length).toBe((30 * DAY - 2 * HOUR) / SLOT);
  });

  test("Property 14: Minimum Booking Notice", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        const slots = computeSlots(q);
        for (const s of slots) expect(s).toBeGreaterThanOrEqual(q.now + MIN_NOTICE_MINUTES * MIN);
      }),
      RUNS,
    );
  });

  test("Property 14: a slot exactly 2 hours ahead is offered, one a millisecond closer is not", () => {
    const schedule: Schedule = {
      timeZone: "UTC",
      weekly: [{ weekday: 3, ranges: [{ start: "08:00", end: "12:00" }] }],
      overrides: [],
      outOfOffice: [],
    };
    const q = { schedule, from: -Infinity, to: Infinity, busy: [] };
    // Wednesday 2026-06-03.
    expect(computeSlots({ ...q, now: utc("2026-06-03T07:00:00Z") })[0]).toBe(utc("2026-06-03T09:00:00Z"));
    expect(computeSlots({ ...q, now: utc("2026-06-03T07:00:00.001Z") })[0]).toBe(utc("2026-06-03T09:15:00Z"));
  });

  test("Property 6: Calendar Conflict Exclusion", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        const busy = blocked(q);
        for (const s of computeSlots(q)) for (const b of busy) expect(overlaps(s, b)).toBe(false);
      }),
      RUNS,
    );
  });

  test("Property 6: a busy interval removes exactly the slots it overlaps, touching ones stay", () => {
    const schedule: Schedule = {
      timeZone: "UTC",
      weekly: [{ weekday: 3, ranges: [{ start: "10:00", end: "12:00" }] }],
      overrides: [],
      outOfOffice: [{ start: "2026-06-03T11:30:00Z", end: "2026-06-03T11:31:00Z" }],
    };
    const slots = computeSlots({
      schedule,
      now: utc("2026-06-01T00:00:00Z"),
      from: -Infinity,
      to: utc("2026-06-04T00:00:00Z"),
      busy: [{ start: utc("2026-06-03T10:15:00Z"), end: utc("2026-06-03T10:45:00Z") }],
    });
    expect(isoList(slots)).toEqual(["2026-06-03T10:00Z", "2026-06-03T10:45Z", "2026-06-03T11:00Z", "2026-06-03T11:15Z", "2026-06-03T11:45Z"]);
  });

  test("slots are aligned to the mentor's local quarter hours, last 15 minutes and lie fully inside available ranges", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        const cache = new Map<number, boolean>();
        const slots = computeSlots(q);
        // Every slot when few, else an even sample (Intl is slow): the brute-force test covers the rest.
        const stride = Math.max(1, Math.floor(slots.length / 150));
        for (let i = 0; i < slots.length; i += i + stride < slots.length ? stride : Math.max(1, slots.length - 1 - i)) {
          const s = slots[i]!;
          expect(s % MIN).toBe(0);
          expect(wall(q.schedule.timeZone, s).minute % SLOT_MINUTES).toBe(0);
          for (let k = 0; k < SLOT_MINUTES; k++) expect(minuteAvailable(q.schedule, s + k * MIN, cache)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  test("slots equal a minute-by-minute brute force over the rules (windows across DST changes)", () => {
    let withSlots = 0;
    let acrossChange = 0;
    fc.assert(
      fc.property(shortWindow, (q) => {
        const slots = computeSlots(q);
        expect(isoList(slots)).toEqual(isoList(oracleSlots(q)));
        if (slots.length > 0) withSlots++;
        const lo = Math.max(q.from, q.now);
        const zone = q.schedule.timeZone as (typeof ZONES)[number];
        if (slots.length > 0 && TRANSITIONS[zone].some((t) => lo <= t && t < q.to)) acrossChange++;
      }),
      RUNS,
    );
    // The comparison must not be vacuous: many runs offer slots, some of them across a DST change.
    expect(withSlots).toBeGreaterThan(RUNS.numRuns / 4);
    expect(acrossChange).toBeGreaterThan(RUNS.numRuns / 20);
  });

  test("all-day availability around every DST change equals the brute force", () => {
    for (const zone of ZONES) {
      for (const t of TRANSITIONS[zone]) {
        const schedule: Schedule = {
          timeZone: zone,
          weekly: ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({ weekday, ranges: [{ start: "00:00", end: "24:00" }] })),
          overrides: [],
          outOfOffice: [],
        };
        const q: SlotQuery = { schedule, now: t - DAY, from: t - 12 * HOUR, to: t + 12 * HOUR, busy: [] };
        const slots = computeSlots(q);
        expect(isoList(slots)).toEqual(isoList(oracleSlots(q)));
        // 24 real hours, whatever the local clock does: 96 slots, no gap and no duplicate.
        expect(slots.length).toBe(96);
      }
    }
  });

  test("splitting [from, to) at any instant splits the slots (also over a 400-day horizon)", () => {
    fc.assert(
      fc.property(fullWindow, fc.integer({ min: -DAY, max: 400 * DAY }), fc.boolean(), (q0, cut, long) => {
        const q = long ? { ...q0, horizonDays: 400, to: Infinity } : q0;
        const m = q.now + cut;
        const all = computeSlots(q);
        expect([...computeSlots({ ...q, to: Math.min(q.to, m) }), ...computeSlots({ ...q, from: Math.max(q.from, m) })]).toEqual(all);
      }),
      RUNS,
    );
    const everyDay: Schedule = {
      timeZone: "Europe/Paris",
      weekly: ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({ weekday, ranges: [{ start: "00:00", end: "24:00" }] })),
      overrides: [],
      outOfOffice: [],
    };
    // Two DST changes inside: still every quarter hour exactly once.
    const q: SlotQuery = { schedule: everyDay, now: utc("2026-01-10T00:00:00Z"), from: -Infinity, to: Infinity, busy: [], horizonDays: 400 };
    expect(countSlots(q)).toBe(400 * 96 - 8);
  });

  test("slots are sorted and without duplicates", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        const slots = computeSlots(q);
        for (let i = 1; i < slots.length; i++) expect(slots[i]!).toBeGreaterThanOrEqual(slots[i - 1]! + SLOT);
      }),
      RUNS,
    );
  });

  test("countSlots equals computeSlots(...).length", () => {
    fc.assert(
      fc.property(fullWindow, (q) => {
        expect(countSlots(q)).toBe(computeSlots(q).length);
      }),
      RUNS,
    );
  });

  test("isSlotOffered agrees with computeSlots for random instants", () => {
    fc.assert(
      fc.property(
        fullWindow,
        fc.array(fc.oneof(fc.nat(), fc.integer({ min: -DAY, max: 31 * DAY }).map((d) => Math.round(d / SLOT) * SLOT)), { maxLength: 20 }),
        (q, picks) => {
          const slots = computeSlots(q);
          const offered = new Set(slots);
          const candidates = [
            ...picks.map((p, i) => (i % 2 === 0 && slots.length ? slots[p % slots.length]! : q.now + (p % (32 * DAY)))),
            ...picks.map((p) => Math.floor((q.now + (p % (32 * DAY))) / SLOT) * SLOT),
          ];
          for (const t of candidates) expect(isSlotOffered(q, t)).toBe(offered.has(t));
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Named cases, expectations computed by hand
// ---------------------------------------------------------------------------------------------------------------
function oneDay(timeZone: string, date: string, ranges: TimeRange[], extra: Partial<Schedule> = {}): Schedule {
  return { timeZone, weekly: [], overrides: [{ date, ranges }], outOfOffice: [], ...extra };
}
const far = (now: string) => ({ now: utc(now), from: -Infinity, to: Infinity, busy: [] as Interval[] });
const locals = (slots: number[], zone: string) => slots.map((s) => {
  const l = formatInZone(s, zone);
  return `${l.local.slice(11)}${l.offset}`;
});

describe("time zones", () => {
  test("Europe/Paris, DST starts 2026-03-29 (02:00 -> 03:00): 01:00-04:00 gives 8 slots, none in the skipped hour", () => {
    const slots = computeSlots({ schedule: oneDay("Europe/Paris", "2026-03-29", [{ start: "01:00", end: "04:00" }]), ...far("2026-03-20T00:00:00Z") });
    expect(isoList(slots)).toEqual([
      "2026-03-29T00:00Z", "2026-03-29T00:15Z", "2026-03-29T00:30Z", "2026-03-29T00:45Z",
      "2026-03-29T01:00Z", "2026-03-29T01:15Z", "2026-03-29T01:30Z", "2026-03-29T01:45Z",
    ]);
    expect(locals(slots, "Europe/Paris")).toEqual([
      "01:00+01:00", "01:15+01:00", "01:30+01:00", "01:45+01:00", "03:00+02:00", "03:15+02:00", "03:30+02:00", "03:45+02:00",
    ]);
  });

  test("Europe/Paris, ranges split inside the skipped hour give no duplicates", () => {
    const schedule = oneDay("Europe/Paris", "2026-03-29", [
      { start: "01:00", end: "02:30" },
      { start: "02:30", end: "04:00" },
    ]);
    expect(isoList(computeSlots({ schedule, ...far("2026-03-20T00:00:00Z") }))).toEqual([
      "2026-03-29T00:00Z", "2026-03-29T00:15Z", "2026-03-29T00:30Z", "2026-03-29T00:45Z",
      "2026-03-29T01:00Z", "2026-03-29T01:15Z", "2026-03-29T01:30Z", "2026-03-29T01:45Z",
    ]);
    // A range wholly inside the gap has no instants at all.
    expect(computeSlots({ schedule: oneDay("Europe/Paris", "2026-03-29", [{ start: "02:00", end: "03:00" }]), ...far("2026-03-20T00:00:00Z") })).toEqual([]);
  });

  test("Europe/Paris, DST ends 2026-10-25 (03:00 -> 02:00): both occurrences of 02:00-03:00 are offered, 8 slots", () => {
    const slots = computeSlots({ schedule: oneDay("Europe/Paris", "2026-10-25", [{ start: "02:00", end: "03:00" }]), ...far("2026-10-20T00:00:00Z") });
    expect(isoList(slots)).toEqual([
      "2026-10-25T00:00Z", "2026-10-25T00:15Z", "2026-10-25T00:30Z", "2026-10-25T00:45Z",
      "2026-10-25T01:00Z", "2026-10-25T01:15Z", "2026-10-25T01:30Z", "2026-10-25T01:45Z",
    ]);
    expect(locals(slots, "Europe/Paris")).toEqual([
      "02:00+02:00", "02:15+02:00", "02:30+02:00", "02:45+02:00", "02:00+01:00", "02:15+01:00", "02:30+01:00", "02:45+01:00",
    ]);
    // 01:00-04:00 that day lasts four real hours: 16 slots, 23:00Z the day before to 02:45Z.
    const long = computeSlots({ schedule: oneDay("Europe/Paris", "2026-10-25", [{ start: "01:00", end: "04:00" }]), ...far("2026-10-20T00:00:00Z") });
    expect(long.length).toBe(16);
    expect(isoList([long[0]!, long.at(-1)!])).toEqual(["2026-10-24T23:00Z", "2026-10-25T02:45Z"]);
    expect(countSlots({ schedule: oneDay("Europe/Paris", "2026-10-25", [{ start: "01:00", end: "04:00" }]), ...far("2026-10-20T00:00:00Z") })).toBe(16);
  });

  test("Europe/Paris, a range ending in the repeated hour interleaves with the next one without duplicates", () => {
    const schedule = oneDay("Europe/Paris", "2026-10-25", [
      { start: "01:00", end: "02:30" },
      { start: "02:30", end: "04:00" },
    ]);
    const slots = computeSlots({ schedule, ...far("2026-10-20T00:00:00Z") });
    expect(slots.length).toBe(16);
    expect(new Set(slots).size).toBe(16);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
  });

  test("Asia/Kathmandu (+05:45): 09:00-10:00 local is 03:15Z..04:00Z", () => {
    const slots = computeSlots({ schedule: oneDay("Asia/Kathmandu", "2026-03-10", [{ start: "09:00", end: "10:00" }]), ...far("2026-03-01T00:00:00Z") });
    expect(isoList(slots)).toEqual(["2026-03-10T03:15Z", "2026-03-10T03:30Z", "2026-03-10T03:45Z", "2026-03-10T04:00Z"]);
    expect(locals(slots, "Asia/Kathmandu")).toEqual(["09:00+05:45", "09:15+05:45", "09:30+05:45", "09:45+05:45"]);
  });

  test("America/St_Johns (-03:30, DST 2026-03-08 02:00 -> 03:00 at -02:30)", () => {
    const normal = computeSlots({ schedule: oneDay("America/St_Johns", "2026-02-10", [{ start: "09:00", end: "10:00" }]), ...far("2026-02-01T00:00:00Z") });
    expect(isoList(normal)).toEqual(["2026-02-10T12:30Z", "2026-02-10T12:45Z", "2026-02-10T13:00Z", "2026-02-10T13:15Z"]);
    const dst = computeSlots({ schedule: oneDay("America/St_Johns", "2026-03-08", [{ start: "01:00", end: "04:00" }]), ...far("2026-03-01T00:00:00Z") });
    expect(isoList(dst)).toEqual([
      "2026-03-08T04:30Z", "2026-03-08T04:45Z", "2026-03-08T05:00Z", "2026-03-08T05:15Z",
      "2026-03-08T05:30Z", "2026-03-08T05:45Z", "2026-03-08T06:00Z", "2026-03-08T06:15Z",
    ]);
    expect(locals(dst, "America/St_Johns")).toEqual([
      "01:00-03:30", "01:15-03:30", "01:30-03:30", "01:45-03:30", "03:00-02:30", "03:15-02:30", "03:30-02:30", "03:45-02:30",
    ]);
  });

  test("Australia/Lord_Howe, 30-minute DST start 2026-10-04 (02:00 -> 02:30): 10 slots in 01:00-04:00", () => {
    const slots = computeSlots({ schedule: oneDay("Australia/Lord_Howe", "2026-10-04", [{ start: "01:00", end: "04:00" }]), ...far("2026-09-25T00:00:00Z") });
    expect(isoList(slots)).toEqual([
      "2026-10-03T14:30Z", "2026-10-03T14:45Z", "2026-10-03T15:00Z", "2026-10-03T15:15Z",
      "2026-10-03T15:30Z", "2026-10-03T15:45Z", "2026-10-03T16:00Z", "2026-10-03T16:15Z", "2026-10-03T16:30Z", "2026-10-03T16:45Z",
    ]);
    expect(locals(slots, "Australia/Lord_Howe")).toEqual([
      "01:00+10:30", "01:15+10:30", "01:30+10:30", "01:45+10:30",
      "02:30+11:00", "02:45+11:00", "03:00+11:00", "03:15+11:00", "03:30+11:00", "03:45+11:00",
    ]);
    expect(computeSlots({ schedule: oneDay("Australia/Lord_Howe", "2026-10-04", [{ start: "02:00", end: "02:30" }]), ...far("2026-09-25T00:00:00Z") })).toEqual([]);
  });

  test("Australia/Lord_Howe, 30-minute DST end 2026-04-05 (02:00 -> 01:30): 01:30-02:00 happens twice, 4 slots", () => {
    const slots = computeSlots({ schedule: oneDay("Australia/Lord_Howe", "2026-04-05", [{ start: "01:30", end: "02:00" }]), ...far("2026-03-25T00:00:00Z") });
    expect(isoList(slots)).toEqual(["2026-04-04T14:30Z", "2026-04-04T14:45Z", "2026-04-04T15:00Z", "2026-04-04T15:15Z"]);
    expect(locals(slots, "Australia/Lord_Howe")).toEqual(["01:30+11:00", "01:45+11:00", "01:30+10:30", "01:45+10:30"]);
  });

  test("a visitor in America/New_York sees a Paris mentor's slots in New York time (DST out of step in March)", () => {
    // 2026-03-20: New York is on EDT (-04:00) since 8 March, Paris still on CET (+01:00) until 29 March.
    const slots = computeSlots({ schedule: oneDay("Europe/Paris", "2026-03-20", [{ start: "17:00", end: "18:00" }]), ...far("2026-03-10T00:00:00Z") });
    expect(slots.map((s) => formatInZone(s, "America/New_York"))).toEqual([
      { utc: "2026-03-20T16:00:00.000Z", local: "2026-03-20T12:00", offset: "-04:00" },
      { utc: "2026-03-20T16:15:00.000Z", local: "2026-03-20T12:15", offset: "-04:00" },
      { utc: "2026-03-20T16:30:00.000Z", local: "2026-03-20T12:30", offset: "-04:00" },
      { utc: "2026-03-20T16:45:00.000Z", local: "2026-03-20T12:45", offset: "-04:00" },
    ]);
    // A late evening range in Paris falls on the previous... no, the same date in New York, but a Kathmandu visitor
    // sees the next day.
    const late = computeSlots({ schedule: oneDay("Europe/Paris", "2026-03-20", [{ start: "23:30", end: "24:00" }]), ...far("2026-03-10T00:00:00Z") });
    expect(late.map((s) => formatInZone(s, "Asia/Kathmandu").local)).toEqual(["2026-03-21T04:15", "2026-03-21T04:30"]);
    expect(late.map((s) => formatInZone(s, "America/New_York").local)).toEqual(["2026-03-20T18:30", "2026-03-20T18:45"]);
  });
});

describe("schedule rules", () => {
  const monday = "2026-06-08"; // a Monday
  const weekly = (ranges: TimeRange[]): Schedule => ({ timeZone: "Europe/Paris", weekly: [{ weekday: 1, ranges }], overrides: [], outOfOffice: [] });
  const q = (schedule: Schedule): SlotQuery => ({ schedule, now: utc("2026-06-01T00:00:00Z"), from: utc(`${monday}T00:00:00Z`), to: utc("2026-06-09T00:00:00Z"), busy: [] });

  test("weekly rule: several ranges on a weekday; Paris summer time is UTC+2", () => {
    const slots = computeSlots(q(weekly([{ start: "18:00", end: "18:30" }, { start: "09:00", end: "09:30" }])));
    expect(isoList(slots)).toEqual(["2026-06-08T07:00Z", "2026-06-08T07:15Z", "2026-06-08T16:00Z", "2026-06-08T16:15Z"]);
  });

  test("an override replaces the weekly rule for its date; an empty one is a day off", () => {
    const other = { ...weekly([{ start: "09:00", end: "10:00" }]), overrides: [{ date: monday, ranges: [{ start: "14:00", end: "14:30" }] }] };
    expect(isoList(computeSlots(q(other)))).toEqual(["2026-06-08T12:00Z", "2026-06-08T12:15Z"]);
    const off = { ...weekly([{ start: "09:00", end: "10:00" }]), overrides: [{ date: monday, ranges: [] }] };
    expect(computeSlots(q(off))).toEqual([]);
    // An override on a day without a weekly rule adds availability.
    const sunday = { ...weekly([]), overrides: [{ date: "2026-06-07", ranges: [{ start: "10:00", end: "10:15" }] }] };
    expect(isoList(computeSlots({ ...q(sunday), from: -Infinity }))).toEqual(["2026-06-07T08:00Z"]);
  });

  test("out-of-office periods remove the slots they overlap", () => {
    const s = { ...weekly([{ start: "09:00", end: "10:00" }]), outOfOffice: [{ start: "2026-06-08T07:20:00Z", end: "2026-06-08T07:40:00+00:00" }] };
    expect(isoList(computeSlots(q(s)))).toEqual(["2026-06-08T07:00Z", "2026-06-08T07:45Z"]);
  });

  test("a range off the quarter-hour grid offers only the whole quarter hours inside it", () => {
    expect(isoList(computeSlots(q(weekly([{ start: "09:10", end: "10:05" }]))))).toEqual(["2026-06-08T07:15Z", "2026-06-08T07:30Z", "2026-06-08T07:45Z"]);
  });

  test("touching ranges count as one (also across midnight with 24:00)", () => {
    expect(isoList(computeSlots(q(weekly([{ start: "09:00", end: "09:10" }, { start: "09:10", end: "09:30" }]))))).toEqual([
      "2026-06-08T07:00Z",
      "2026-06-08T07:15Z",
    ]);
    const s: Schedule = {
      timeZone: "UTC",
      weekly: [
        { weekday: 1, ranges: [{ start: "23:30", end: "24:00" }] },
        { weekday: 2, ranges: [{ start: "00:00", end: "00:30" }] },
      ],
      overrides: [],
      outOfOffice: [],
    };
    expect(isoList(computeSlots({ ...q(s), to: utc("2026-06-10T00:00:00Z") }))).toEqual(["2026-06-08T23:30Z", "2026-06-08T23:45Z", "2026-06-09T00:00Z", "2026-06-09T00:15Z"]);
  });

  test("from/to clamp the slot starts to [from, to)", () => {
    const s = weekly([{ start: "09:00", end: "10:00" }]);
    const slots = computeSlots({ ...q(s), from: utc("2026-06-08T07:15:00Z"), to: utc("2026-06-08T07:45:00Z") });
    expect(isoList(slots)).toEqual(["2026-06-08T07:15Z", "2026-06-08T07:30Z"]);
    expect(computeSlots({ ...q(s), from: utc("2026-06-08T07:01:00Z"), to: utc("2026-06-08T07:15:00Z") })).toEqual([]);
  });

  test("isSlotOffered checks exact starts only", () => {
    const s = weekly([{ start: "09:00", end: "10:00" }]);
    expect(isSlotOffered(q(s), utc("2026-06-08T07:15:00Z"))).toBe(true);
    expect(isSlotOffered(q(s), utc("2026-06-08T07:15:00Z") + 1)).toBe(false);
    expect(isSlotOffered(q(s), utc("2026-06-08T07:10:00Z"))).toBe(false);
    expect(isSlotOffered(q(s), utc("2026-06-08T08:00:00Z"))).toBe(false);
    expect(isSlotOffered(q(s), Number.NaN)).toBe(false);
  });

  test("bad inputs fail loudly", () => {
    const s = weekly([{ start: "09:00", end: "10:00" }]);
    expect(() => computeSlots({ ...q(s), now: Number.NaN })).toThrow(RangeError);
    expect(() => computeSlots({ ...q(s), to: Number.NaN })).toThrow(RangeError);
    expect(() => computeSlots(q({ ...s, timeZone: "Mars/Olympus_Mons" }))).toThrow(RangeError);
    expect(() => computeSlots(q(weekly([{ start: "9:00", end: "10:00" }])))).toThrow(RangeError);
  });
});

describe("fractional milliseconds", () => {
  test("now, from and to need not be whole milliseconds", () => {
    const schedule: Schedule = {
      timeZone: "UTC",
      weekly: [{ weekday: 3, ranges: [{ start: "08:00", end: "12:00" }] }],
      overrides: [],
      outOfOffice: [],
    };
    // Wednesday 2026-06-03; a thousandth of a millisecond less notice than 09:00 needs.
    const nine = utc("2026-06-03T09:00:00Z");
    const q: SlotQuery = { schedule, now: nine - 2 * HOUR + 1e-3, from: -Infinity, to: Infinity, busy: [] };
    expect(computeSlots(q)[0]).toBe(nine + SLOT);
    expect(computeSlots({ ...q, now: nine - 2 * HOUR - 0.5 })[0]).toBe(nine);
    expect(computeSlots({ ...q, now: nine - 2 * HOUR, from: nine + 0.25 })[0]).toBe(nine + SLOT);
    expect(isSlotOffered({ ...q, now: nine - 2 * HOUR }, nine + 0.5)).toBe(false);
  });
});
