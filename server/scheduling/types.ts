/**
 * Types of the slot engine (server/scheduling). Everything here is plain data: the engine does no I/O and has no
 * clock of its own; callers pass `now` explicitly.
 */

/** ISO weekday: Monday = 1 ... Sunday = 7. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * A local wall-clock range "HH:MM"-"HH:MM" in the mentor's zone, half-open [start, end), start < end.
 * `end` may be "24:00" (the end of the local day).
 */
export interface TimeRange {
  start: string;
  end: string;
}

/** The ranges a mentor is available on one weekday (several allowed, not overlapping). */
export interface WeeklyRule {
  weekday: Weekday;
  ranges: TimeRange[];
}

/** Replaces the weekly rule for one local date; `ranges: []` means a day off. */
export interface DateOverride {
  /** Local date "YYYY-MM-DD" in the mentor's zone. */
  date: string;
  ranges: TimeRange[];
}

/** A period without any slot, as ISO 8601 instants with an explicit offset (normally UTC "Z"), half-open. */
export interface OutOfOffice {
  start: string;
  end: string;
}

/** A mentor's availability rules, in an IANA time zone. */
export interface Schedule {
  timeZone: string;
  weekly: WeeklyRule[];
  overrides: DateOverride[];
  outOfOffice: OutOfOffice[];
}

/** A UTC interval in epoch milliseconds, half-open [start, end). */
export interface Interval {
  start: number;
  end: number;
}

export interface SlotQuery {
  schedule: Schedule;
  /** The caller's clock reading (epoch ms); the engine never reads a clock itself. */
  now: number;
  /** Only slots starting in [from, to) (epoch ms) are returned; ±Infinity means no bound of the caller's own. */
  from: number;
  to: number;
  /** Existing bookings, outside-calendar busy times, ...; any slot overlapping one is excluded. Any order. */
  busy: Interval[];
  /** Slot length; only 15 minutes is offered. */
  slotMinutes?: 15;
  /** Minimum booking notice (Property 14): default 120 minutes. */
  minNoticeMinutes?: number;
  /** Availability horizon (Property 12): default 30 days. */
  horizonDays?: number;
}
