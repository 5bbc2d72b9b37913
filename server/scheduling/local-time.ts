/**
 * Showing UTC instants as wall-clock time in a visitor's (or mentor's) IANA zone, and the calendar arithmetic the
 * engine shares (days since the epoch <-> civil dates), all on integers.
 */
import { offsetAt } from "./zone.ts";

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface LocalTime {
  /** The instant in UTC, ISO 8601 ("2026-03-29T00:00:00.000Z"). */
  utc: string;
  /** Wall-clock time in the zone, to the minute ("2026-03-29T01:00"). */
  local: string;
  /** UTC offset in force at that instant ("+01:00", "-03:30", "+05:45"). */
  offset: string;
}

/** Civil date (proleptic Gregorian) of a count of days since 1970-01-01 (H. Hinnant's days_from_civil inverse). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  if (n >= 0 && n <= 9999) return String(n).padStart(4, "0");
  return (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(6, "0");
}

/** "YYYY-MM-DD" of a day number. */
export function formatDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

/** "+HH:MM" (or "+HH:MM:SS" for historical offsets with seconds) of an offset in ms. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const total = Math.round(Math.abs(offsetMs) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${pad2(h)}:${pad2(m)}${s ? `:${pad2(s)}` : ""}`;
}

/** "HH:MM" of every minute of a day, so formatting a time of day is a lookup. */
const CLOCK_TEXTS = Array.from({ length: 1440 }, (_, m) => `${pad2(Math.floor(m / 60))}:${pad2(m % 60)}`);
// Slots come dozens per day: each day's text is kept rather than rebuilt per slot (a few hundred days in use at most).
const dayTexts = new Map<number, string>();
const DAY_TEXTS_KEPT = 4096;

/** "YYYY-MM-DDTHH:MM" of a local wall-clock value expressed as ms since 1970-01-01T00:00 local. */
export function formatLocalMs(localMs: number): string {
  const days = Math.floor(localMs / DAY_MS);
  const minuteOfDay = Math.floor((localMs - days * DAY_MS) / MINUTE_MS);
  let day = dayTexts.get(days);
  if (day === undefined) {
    if (dayTexts.size >= DAY_TEXTS_KEPT) dayTexts.clear();
    day = formatDay(days);
    dayTexts.set(days, day);
  }
  return `${day}T${CLOCK_TEXTS[minuteOfDay]}`;
}

/**
 * An instant (epoch ms) as UTC, as wall-clock time in `timeZone` and the offset in force there. Uses the memoised
 * zone spans, so formatting a list of slots costs a few integer operations per slot. Throws RangeError for an
 * unknown zone or a non-finite instant.
 */
export function formatInZone(instant: number, timeZone: string): LocalTime {
  const offset = offsetAt(timeZone, instant);
  return {
    utc: new Date(instant).toISOString(),
    local: formatLocalMs(instant + offset),
    offset: formatOffset(offset),
  };
}
