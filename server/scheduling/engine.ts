/**
 * The slot engine: pure functions, no I/O, no clock of its own.
 *
 * A slot is a 15-minute UTC interval [s, s + 15 min) such that
 *   - s falls on a quarter hour of the mentor's wall clock (:00, :15, :30, :45 local; for Asia/Kathmandu, +05:45,
 *     that is also :00/:15/:30/:45 UTC, for America/St_Johns, -03:30, too);
 *   - every instant of it has a local wall-clock time inside an available range of its local date (the date's
 *     override if there is one, else the weekly rule of its weekday); touching ranges count as one, so a slot may
 *     run from one range (or local day) into the next;
 *   - it overlaps no busy interval and no out-of-office period (half-open intervals: touching is not overlapping);
 *   - now + minNotice (2 h, Property 14) <= s < now + horizon (30 days, Property 12), and from <= s < to.
 *
 * Time zones: a local range of a date is mapped to UTC as the exact set of instants whose local time lies in it.
 * In a DST gap (Europe/Paris, last Sunday of March, 02:00 -> 03:00) the missing local times simply have no
 * instants: a 01:00-04:00 range is the two real hours 00:00-02:00 UTC, with no slot in the skipped hour and no
 * duplicate. In a DST overlap (last Sunday of October, 02:00-03:00 happens twice) both occurrences are real and
 * distinct instants, and both are offered: a 02:00-03:00 range is 00:00-02:00 UTC, 8 slots. Lord Howe's 30-minute
 * shifts and any other offset follow from the same rule.
 *
 * Speed (ARCHITECTURE.md "Slot speed"): the zone's offset spans are looked up once per call (memoised per zone, see
 * zone.ts), each local range boundary is converted once by subtracting the span's offset, and slots are then
 * stepped through as UTC epoch-ms integers against the busy intervals, sorted and merged once, with a moving index.
 */
import { DAY_MS, MINUTE_MS } from "./local-time.ts";
import { parseHm, parseInstant, parseLocalDate } from "./parse.ts";
import type { Schedule, SlotQuery } from "./types.ts";
import { spansCovering } from "./zone.ts";

export const SLOT_MINUTES = 15;
export const MIN_NOTICE_MINUTES = 120;
export const HORIZON_DAYS = 30;

const SLOT_MS = SLOT_MINUTES * MINUTE_MS;

/** Ranges of one local day as a flat list of minute pairs [start0, end0, start1, end1, ...], sorted by start. */
type DayRanges = number[];

interface CompiledSchedule {
  zone: string;
  /** Index 1..7 (ISO weekday). */
  weekly: DayRanges[];
  /** Local day number -> ranges; present means "replaces the weekly rule". */
  overrides: Map<number, DayRanges>;
  /** Out-of-office periods as epoch ms [start, end, start, end, ...]. */
  outOfOffice: number[];
}

function fail(message: string): never {
  throw new RangeError(`Invalid schedule (run validateSchedule first): ${message}`);
}

function compileRanges(ranges: readonly { start: string; end: string }[], into: DayRanges = []): DayRanges {
  let sorted = true;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const a = parseHm(r.start, false);
    const b = parseHm(r.end, true);
    if (a === null || b === null) fail(`bad time range ${JSON.stringify(r)}`);
    if (a < b) {
      if (into.length > 0 && a < into[into.length - 2]!) sorted = false;
      into.push(a, b);
    }
  }
  if (!sorted) {
    // Sort pairs by start (tiny arrays; validated input is usually sorted already).
    const pairs: [number, number][] = [];
    for (let i = 0; i < into.length; i += 2) pairs.push([into[i]!, into[i + 1]!]);
    pairs.sort((x, y) => x[0] - y[0]);
    into.length = 0;
    for (const [a, b] of pairs) into.push(a, b);
  }
  return into;
}

function compile(s: Schedule): CompiledSchedule {
  if (!s || typeof s.timeZone !== "string") fail("missing timeZone");
  const weekly: DayRanges[] = [[], [], [], [], [], [], [], []];
  for (const rule of s.weekly ?? []) {
    const day = weekly[rule.weekday];
    if (!day || rule.weekday < 1) fail(`bad weekday ${String(rule.weekday)}`);
    compileRanges(rule.ranges, day);
  }
  const overrides = new Map<number, DayRanges>();
  for (const o of s.overrides ?? []) {
    const day = parseLocalDate(o.date);
    if (day === null) fail(`bad override date ${JSON.stringify(o.date)}`);
    const existing = overrides.get(day);
    overrides.set(day, compileRanges(o.ranges, existing ?? []));
  }
  const outOfOffice: number[] = [];
  for (const p of s.outOfOffice ?? []) {
    const a = parseInstant(p.start);
    const b = parseInstant(p.end);
    if (a === null || b === null) fail(`bad out-of-office period ${JSON.stringify(p)}`);
    if (a < b) outOfOffice.push(a, b);
  }
  return { zone: s.timeZone, weekly, overrides, outOfOffice };
}

/** ISO weekday (1 = Monday) of a day number; 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** x mod m in [0, m) (never -0). For small values only: `%` on epoch-ms doubles is a slow fmod. */
function mod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r + 0;
}

/**
 * The first instant >= x on the slot grid of the given phase (phase + k * slot). Exact for integer epoch ms (the
 * quotient of two integers below 2^53 is correctly rounded, so it never crosses an integer wrongly); the guard
 * covers fractional milliseconds.
 */
function alignUp(x: number, phase: number): number {
  const s = phase + Math.ceil((x - phase) / SLOT_MS) * SLOT_MS;
  return s < x ? s + SLOT_MS : s;
}

/**
 * Busy intervals (the caller's plus out-of-office) that matter for slots starting in [lo, hi), merged into
 * disjoint increasing intervals: flat [start, end, start, end, ...].
 *
 * Starts and ends are sorted independently (native numeric sorts of typed arrays, no comparator): with both
 * sorted, the k-th end closes a merged interval exactly when the (k+1)-th start comes after it.
 */
function mergedBusy(q: SlotQuery, outOfOffice: number[], lo: number, hi: number): Float64Array {
  const relevantEnd = hi + SLOT_MS;
  const busy = q.busy;
  const capacity = busy.length + (outOfOffice.length >> 1);
  const starts = new Float64Array(capacity);
  const ends = new Float64Array(capacity);
  let n = 0;
  for (let i = 0; i < busy.length; i++) {
    const b = busy[i]!;
    const a = b.start;
    const e = b.end;
    // Half-open: an interval ending at or before lo cannot overlap a slot starting at lo or later.
    if (a < e && e > lo && a < relevantEnd) {
      starts[n] = a;
      ends[n] = e;
      n++;
    }
  }
  for (let i = 0; i < outOfOffice.length; i += 2) {
    const a = outOfOffice[i]!;
    const e = outOfOffice[i + 1]!;
    if (a < e && e > lo && a < relevantEnd) {
      starts[n] = a;
      ends[n] = e;
      n++;
    }
  }
  const s = starts.subarray(0, n).sort();
  const e = ends.subarray(0, n).sort();
  const out = new Float64Array(2 * n);
  let m = 0;
  let begin = s[0]!;
  for (let k = 0; k < n; k++) {
    if (k === n - 1 || s[k + 1]! > e[k]!) {
      out[m++] = begin;
      out[m++] = e[k]!;
      if (k < n - 1) begin = s[k + 1]!;
    }
  }
  return out.subarray(0, m);
}

function checkQuery(q: SlotQuery): void {
  if (!Number.isFinite(q.now)) throw new RangeError(`now must be a finite epoch-ms instant, got ${q.now}`);
  if (Number.isNaN(q.from) || Number.isNaN(q.to)) throw new RangeError("from and to must be epoch-ms instants (±Infinity allowed)");
  if (q.slotMinutes !== undefined && q.slotMinutes !== SLOT_MINUTES) throw new RangeError(`Only ${SLOT_MINUTES}-minute slots are offered`);
}

/**
 * Available UTC intervals for slots starting in [lo, winEnd - slot): flat [start, end, phase, ...] sorted by start,
 * phase being where the local quarter hours fall in UTC (offset mod 15 min). Each local range boundary is converted
 * once, by subtracting the offset of each constant-offset span it meets.
 */
function availableIntervals(c: CompiledSchedule, lo: number, winEnd: number): Float64Array {
  const spans = spansCovering(c.zone, lo, winEnd);
  const nSpans = spans.length;
  let minOff = Infinity;
  let maxOff = -Infinity;
  const phases = new Float64Array(nSpans);
  for (let k = 0; k < nSpans; k++) {
    const off = spans[k]!.offset;
    if (off < minOff) minOff = off;
    if (off > maxOff) maxOff = off;
    phases[k] = mod(-off, SLOT_MS);
  }
  // Every local date whose wall-clock times can occur in [lo, winEnd).
  const dayLo = Math.floor((lo + minOff) / DAY_MS);
  const dayHi = Math.floor((winEnd - 1 + maxOff) / DAY_MS);
  const days: DayRanges[] = [];
  let capacity = 0;
  for (let day = dayLo; day <= dayHi; day++) {
    const ranges = c.overrides.get(day) ?? c.weekly[weekdayOf(day)]!;
    days.push(ranges);
    capacity += ranges.length;
  }
  let avail = new Float64Array((capacity >> 1) * nSpans * 3);
  let n = 0;
  let sorted = true;
  let lastStart = -Infinity;
  let firstSpan = 0;
  for (let day = dayLo; day <= dayHi; day++) {
    const ranges = days[day - dayLo]!;
    const base = day * DAY_MS;
    // Spans ending before this local day can begin (in UTC) are done with: a long window stays linear.
    while (firstSpan < nSpans - 1 && spans[firstSpan]!.end <= base - maxOff) firstSpan++;
    for (let r = 0; r < ranges.length; r += 2) {
      const localStart = base + ranges[r]! * MINUTE_MS;
      const localEnd = base + ranges[r + 1]! * MINUTE_MS;
      for (let k = firstSpan; k < nSpans && spans[k]!.start < localEnd - minOff; k++) {
        const span = spans[k]!;
        // Instants of this span whose local time (instant + offset) is in [localStart, localEnd).
        let a = localStart - span.offset;
        let b = localEnd - span.offset;
        if (a < span.start) a = span.start;
        if (b > span.end) b = span.end;
        if (a < b) {
          if (a < lastStart) sorted = false;
          lastStart = a;
          avail[n] = a;
          avail[n + 1] = b;
          avail[n + 2] = phases[k]!;
          n += 3;
        }
      }
    }
  }
  avail = avail.subarray(0, n);
  if (!sorted) {
    // Only around a DST overlap, where the two occurrences of a local hour interleave with the next range.
    const order: number[] = [];
    for (let i = 0; i < n; i += 3) order.push(i);
    order.sort((x, y) => avail[x]! - avail[y]!);
    const sortedAvail = new Float64Array(n);
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      sortedAvail[3 * k] = avail[i]!;
      sortedAvail[3 * k + 1] = avail[i + 1]!;
      sortedAvail[3 * k + 2] = avail[i + 2]!;
    }
    avail = sortedAvail;
  }
  return avail;
}

/**
 * Steps through the quarter hours of the available intervals (touching ones with the same grid count as one)
 * that start in [lo, hi), skipping those overlapping a busy interval (disjoint, increasing) with a moving index.
 */
function stepSlots(avail: Float64Array, busy: Float64Array, lo: number, hi: number, out: number[] | null): number {
  const nAvail = avail.length;
  const nBusy = busy.length;
  let j = 0;
  let count = 0;
  let i = 0;
  while (i < nAvail) {
    const start = avail[i]!;
    let end = avail[i + 1]!;
    const phase = avail[i + 2]!;
    i += 3;
    while (i < nAvail && avail[i]! <= end && avail[i + 2] === phase) {
      if (avail[i + 1]! > end) end = avail[i + 1]!;
      i += 3;
    }
    let s = alignUp(start > lo ? start : lo, phase);
    const last = end - SLOT_MS; // the slot [s, s + 15 min) must end by `end`
    while (s < hi && s <= last) {
      while (j < nBusy && busy[j + 1]! <= s) j += 2;
      if (j < nBusy && busy[j]! < s + SLOT_MS) {
        // Jump past the busy interval, back onto the grid.
        s = alignUp(busy[j + 1]!, phase);
        continue;
      }
      if (out !== null) out[count] = s;
      count++;
      s += SLOT_MS;
    }
  }
  return count;
}

interface Prepared {
  avail: Float64Array;
  busy: Float64Array;
  lo: number;
  hi: number;
}

/**
 * The shared core: everything needed to step through the slots starting in
 * [from, to) ∩ [now + notice, now + horizon) ∩ [lo0, hi0), or null when there can be none.
 */
function prepare(q: SlotQuery, lo0: number, hi0: number): Prepared | null {
  checkQuery(q);
  const notice = (q.minNoticeMinutes ?? MIN_NOTICE_MINUTES) * MINUTE_MS;
  const horizon = (q.horizonDays ?? HORIZON_DAYS) * DAY_MS;
  const lo = Math.max(q.from, q.now + notice, lo0);
  const hi = Math.min(q.to, q.now + horizon, hi0);
  if (!(lo < hi)) return null;
  const c = compile(q.schedule);
  // Slots starting in [lo, hi) lie within [lo, hi + slot): the zone's offsets are needed there only.
  const avail = availableIntervals(c, lo, hi + SLOT_MS);
  if (avail.length === 0) return null;
  return { avail, busy: mergedBusy(q, c.outOfOffice, lo, hi), lo, hi };
}

/** Free slot starts (epoch ms, increasing, no duplicates); each slot is [s, s + 15 min). */
export function computeSlots(q: SlotQuery): number[] {
  const p = prepare(q, -Infinity, Infinity);
  if (!p) return [];
  // An upper bound on the count, so the result is allocated once (pushing ~1000 doubles costs more than the rest).
  let bound = 0;
  for (let i = 0; i < p.avail.length; i += 3) bound += Math.floor((p.avail[i + 1]! - p.avail[i]!) / SLOT_MS) + 1;
  const out = new Array<number>(Math.min(bound, Math.floor((p.hi - p.lo) / SLOT_MS) + 1));
  out.length = stepSlots(p.avail, p.busy, p.lo, p.hi, out);
  return out;
}

/** computeSlots(q).length, without building the list (for summaries). */
export function countSlots(q: SlotQuery): number {
  const p = prepare(q, -Infinity, Infinity);
  return p ? stepSlots(p.avail, p.busy, p.lo, p.hi, null) : 0;
}

/** Whether computeSlots(q) contains `start`; only looks at the local day(s) around it. */
export function isSlotOffered(q: SlotQuery, start: number): boolean {
  if (!Number.isFinite(start)) return false;
  const p = prepare(q, start, start + 1);
  if (!p) return false;
  const out = [0];
  return stepSlots(p.avail, p.busy, p.lo, p.hi, out) === 1 && out[0] === start;
}
