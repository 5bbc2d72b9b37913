/**
 * UTC offsets of IANA time zones as constant-offset spans, so that the rest of the engine works with integer
 * arithmetic only ("convert time zones once, then step through UTC instants").
 *
 * The zone rules come from the Temporal API (temporal-polyfill, which reads the runtime's own ICU/tzdata through
 * Intl): one `toZonedDateTimeISO` plus `getTimeZoneTransition` per span gives the exact transition instants, DST
 * gaps and overlaps included (30-minute shifts too). Spans are memoised per zone: a pure cache of facts that never
 * change for a given runtime, so results do not depend on what was asked before.
 */
import { Temporal } from "temporal-polyfill";

/** Instants in [start, end) have local time = instant + offset (all epoch ms; start/end may be ±Infinity). */
export interface OffsetSpan {
  start: number;
  end: number;
  offset: number;
}

const MAX_SPANS_PER_ZONE = 256;
const MAX_ZONES = 1024;

/** zone -> spans sorted by start, never overlapping (not necessarily contiguous). */
const cache = new Map<string, OffsetSpan[]>();

/** Forgets the memoised spans (benchmarks measure cold calls with it). */
export function clearZoneCache(): void {
  cache.clear();
}

function epochMs(z: Temporal.ZonedDateTime | null, fallback: number): number {
  return z ? z.epochMilliseconds : fallback;
}

/** Asks the zone rules for the span containing instant t (t integer ms). Throws RangeError for an unknown zone. */
function computeSpan(zone: string, t: number): OffsetSpan {
  const zdt = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone);
  const offset = zdt.offsetNanoseconds / 1e6;
  const end = epochMs(zdt.getTimeZoneTransition("next"), Infinity);
  // "previous" is strictly before its argument: ask from t + 1 ms so that a transition exactly at t is found.
  const start = epochMs(Temporal.Instant.fromEpochMilliseconds(t + 1).toZonedDateTimeISO(zone).getTimeZoneTransition("previous"), -Infinity);
  return { start, end, offset };
}

function zoneSpans(zone: string): OffsetSpan[] {
  let spans = cache.get(zone);
  if (!spans) {
    if (cache.size >= MAX_ZONES) cache.clear();
    spans = [];
    cache.set(zone, spans);
  }
  return spans;
}

/** The span containing instant t in `zone` (memoised). */
export function spanAt(zone: string, t: number): OffsetSpan {
  const ms = Math.floor(t);
  if (!Number.isFinite(ms)) throw new RangeError(`Not a finite instant: ${t}`);
  const spans = zoneSpans(zone);
  // Binary search for the last span with start <= ms.
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]!.start <= ms) lo = mid + 1;
    else hi = mid;
  }
  const candidate = spans[lo - 1];
  if (candidate && ms < candidate.end) return candidate;
  const span = computeSpan(zone, ms);
  if (spans.length >= MAX_SPANS_PER_ZONE) {
    spans.length = 0;
    spans.push(span);
  } else {
    spans.splice(lo, 0, span);
  }
  return span;
}

/** UTC offset (ms) of `zone` at instant t. */
export function offsetAt(zone: string, t: number): number {
  return spanAt(zone, t).offset;
}

/**
 * The constant-offset spans covering [from, to), clipped to it, in order (contiguous: each starts where the
 * previous ends). from and to must be finite.
 */
export function spansCovering(zone: string, from: number, to: number): OffsetSpan[] {
  const out: OffsetSpan[] = [];
  let t = from;
  while (t < to) {
    const s = spanAt(zone, t);
    const end = s.end < to ? s.end : to;
    out.push({ start: t, end, offset: s.offset });
    t = end;
  }
  return out;
}

/** True if `zone` is a time zone name the runtime knows (IANA names and links; not "+01:00"-style offsets). */
export function isIanaTimeZone(zone: string): boolean {
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64) return false;
  // Intl also accepts UTC offsets ("+01:00", "-0530"); a mentor's zone must be a named one, with DST rules.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
