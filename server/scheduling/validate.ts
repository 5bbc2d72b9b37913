/**
 * Validation of a mentor's schedule before it is stored. Collects every problem (not only the first) with a field
 * path such as "weekly[0].ranges[1].end". The accepted schedule is returned as given (Property 5: stored and
 * returned exactly), minus unknown properties; missing `overrides` / `outOfOffice` become [].
 */
import { parseHm, parseInstant, parseLocalDate } from "./parse.ts";
import type { DateOverride, OutOfOffice, Schedule, TimeRange, WeeklyRule, Weekday } from "./types.ts";
import { isIanaTimeZone } from "./zone.ts";

export const MAX_RANGES_PER_DAY = 12;
export const MAX_OVERRIDES = 366;
export const MAX_OUT_OF_OFFICE = 100;

export interface ValidationIssue {
  field: string;
  message: string;
}

export type ScheduleValidation = { ok: true; schedule: Schedule } | { ok: false; issues: ValidationIssue[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkRanges(value: unknown, field: string, issues: ValidationIssue[]): TimeRange[] {
  if (!Array.isArray(value)) {
    issues.push({ field, message: "must be an array of time ranges" });
    return [];
  }
  if (value.length > MAX_RANGES_PER_DAY) {
    issues.push({ field, message: `at most ${MAX_RANGES_PER_DAY} ranges a day` });
  }
  const ranges: TimeRange[] = [];
  const parsed: { a: number; b: number; index: number }[] = [];
  value.forEach((r: unknown, index) => {
    const f = `${field}[${index}]`;
    if (!isObject(r)) {
      issues.push({ field: f, message: "must be an object { start, end }" });
      return;
    }
    const a = parseHm(r.start, false);
    const b = parseHm(r.end, true);
    if (a === null) issues.push({ field: `${f}.start`, message: 'must be a local time "HH:MM" from 00:00 to 23:59' });
    if (b === null) issues.push({ field: `${f}.end`, message: 'must be a local time "HH:MM" from 00:01 to 24:00' });
    if (a === null || b === null) return;
    if (a >= b) {
      issues.push({ field: f, message: `start (${String(r.start)}) must be before end (${String(r.end)})` });
      return;
    }
    ranges.push({ start: r.start as string, end: r.end as string });
    parsed.push({ a, b, index });
  });
  parsed.sort((x, y) => x.a - y.a);
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1]!;
    const cur = parsed[i]!;
    if (cur.a < prev.b) {
      const [first, second] = prev.index < cur.index ? [prev, cur] : [cur, prev];
      issues.push({ field: `${field}[${second.index}]`, message: `overlaps ${field}[${first.index}]` });
    }
  }
  return ranges;
}

export function validateSchedule(input: unknown): ScheduleValidation {
  const issues: ValidationIssue[] = [];
  if (!isObject(input)) return { ok: false, issues: [{ field: "", message: "schedule must be an object" }] };

  const timeZone = input.timeZone;
  if (typeof timeZone !== "string" || !isIanaTimeZone(timeZone)) {
    issues.push({ field: "timeZone", message: `must be an IANA time zone such as "Europe/Paris", got ${JSON.stringify(timeZone)}` });
  }

  const weekly: WeeklyRule[] = [];
  if (!Array.isArray(input.weekly)) {
    issues.push({ field: "weekly", message: "must be an array of { weekday, ranges }" });
  } else {
    if (input.weekly.length > 7) issues.push({ field: "weekly", message: "at most one entry per weekday (7)" });
    const seen = new Map<number, number>();
    input.weekly.forEach((rule: unknown, index) => {
      const f = `weekly[${index}]`;
      if (!isObject(rule)) {
        issues.push({ field: f, message: "must be an object { weekday, ranges }" });
        return;
      }
      const wd = rule.weekday;
      const weekdayOk = typeof wd === "number" && Number.isInteger(wd) && wd >= 1 && wd <= 7;
      if (!weekdayOk) issues.push({ field: `${f}.weekday`, message: "must be an ISO weekday, 1 (Monday) to 7 (Sunday)" });
      else if (seen.has(wd)) issues.push({ field: `${f}.weekday`, message: `duplicate weekday ${wd} (also weekly[${seen.get(wd)}])` });
      else seen.set(wd, index);
      const ranges = checkRanges(rule.ranges, `${f}.ranges`, issues);
      if (weekdayOk) weekly.push({ weekday: wd as Weekday, ranges });
    });
  }

  const overrides: DateOverride[] = [];
  if (input.overrides !== undefined) {
    if (!Array.isArray(input.overrides)) {
      issues.push({ field: "overrides", message: "must be an array of { date, ranges }" });
    } else {
      if (input.overrides.length > MAX_OVERRIDES) issues.push({ field: "overrides", message: `at most ${MAX_OVERRIDES} date overrides` });
      const seen = new Map<string, number>();
      input.overrides.forEach((o: unknown, index) => {
        const f = `overrides[${index}]`;
        if (!isObject(o)) {
          issues.push({ field: f, message: "must be an object { date, ranges }" });
          return;
        }
        const dateOk = parseLocalDate(o.date) !== null;
        if (!dateOk) issues.push({ field: `${f}.date`, message: 'must be a real local date "YYYY-MM-DD"' });
        else if (seen.has(o.date as string)) {
          issues.push({ field: `${f}.date`, message: `duplicate date ${o.date as string} (also overrides[${seen.get(o.date as string)}])` });
        } else seen.set(o.date as string, index);
        const ranges = checkRanges(o.ranges, `${f}.ranges`, issues);
        if (dateOk) overrides.push({ date: o.date as string, ranges });
      });
    }
  }

  const outOfOffice: OutOfOffice[] = [];
  if (input.outOfOffice !== undefined) {
    if (!Array.isArray(input.outOfOffice)) {
      issues.push({ field: "outOfOffice", message: "must be an array of { start, end }" });
    } else {
      if (input.outOfOffice.length > MAX_OUT_OF_OFFICE) {
        issues.push({ field: "outOfOffice", message: `at most ${MAX_OUT_OF_OFFICE} out-of-office periods` });
      }
      input.outOfOffice.forEach((p: unknown, index) => {
        const f = `outOfOffice[${index}]`;
        if (!isObject(p)) {
          issues.push({ field: f, message: "must be an object { start, end }" });
          return;
        }
        const a = parseInstant(p.start);
        const b = parseInstant(p.end);
        const format = 'must be an ISO 8601 date-time with an offset, e.g. "2026-07-01T08:00:00Z"';
        if (a === null) issues.push({ field: `${f}.start`, message: format });
        if (b === null) issues.push({ field: `${f}.end`, message: format });
        if (a === null || b === null) return;
        if (a >= b) issues.push({ field: f, message: "start must be before end" });
        else outOfOffice.push({ start: p.start as string, end: p.end as string });
      });
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, schedule: { timeZone: timeZone as string, weekly, overrides, outOfOffice } };
}
