/** Strict parsers for the schedule's string fields, shared by the engine and the validator. */
import { daysFromCivil } from "./local-time.ts";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO 8601 date-time with an explicit offset: a floating local time would depend on the process zone. */
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/i;

/**
 * Minutes since local midnight of "HH:MM" (00:00-23:59), or of "24:00" (= 1440) when `allowEndOfDay`;
 * null when malformed.
 */
export function parseHm(s: unknown, allowEndOfDay: boolean): number | null {
  // Character codes rather than a regular expression: the engine parses every range on every call.
  if (typeof s !== "string" || s.length !== 5 || s.charCodeAt(2) !== 58 /* : */) return null;
  const h1 = s.charCodeAt(0) - 48;
  const h2 = s.charCodeAt(1) - 48;
  const m1 = s.charCodeAt(3) - 48;
  const m2 = s.charCodeAt(4) - 48;
  if (h1 < 0 || h1 > 9 || h2 < 0 || h2 > 9 || m1 < 0 || m1 > 5 || m2 < 0 || m2 > 9) return null;
  const hours = h1 * 10 + h2;
  const minutes = m1 * 10 + m2;
  if (hours < 24) return hours * 60 + minutes;
  return hours === 24 && minutes === 0 && allowEndOfDay ? 1440 : null;
}

/** Days since 1970-01-01 of a real calendar date "YYYY-MM-DD", or null. */
export function parseLocalDate(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = DATE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthLength = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > monthLength) return null;
  return daysFromCivil(year, month, day);
}

/** Epoch ms of an ISO 8601 instant with an explicit offset ("...Z" or "...+02:00"), or null. */
export function parseInstant(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = INSTANT.exec(s);
  if (!m) return null;
  const days = parseLocalDate(m[1]);
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  const second = m[4] === undefined ? 0 : Number(m[4]);
  const millis = m[5] === undefined ? 0 : Number(m[5].padEnd(3, "0").slice(0, 3));
  if (days === null || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!m[6]) {
    const oh = Number(m[8]);
    const om = Number(m[9]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[7] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return days * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}
