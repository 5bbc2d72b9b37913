import { deflatePiece, type DeflatedPiece, GZIP_PIECES, type Piece } from "../../lib/gzip-pieces.ts";
import { flatString } from "../../lib/flat-string.ts";
import { SLOT_MINUTES } from "../../scheduling/engine.ts";
import { formatLocalMs, formatOffset } from "../../scheduling/local-time.ts";
import { offsetAt } from "../../scheduling/zone.ts";

/**
 * The text of availability answers: slot objects written as JSON text (a third of the time of building objects and
 * serialising them), and the slots of a whole day kept as one piece, deflated once it recurs, so that gzip answers are
 * framed from those pieces instead of compressed again (lib/gzip-pieces.ts).
 */

const DAY = 86_400_000;
const SLOT_MS = SLOT_MINUTES * 60_000;

/** ISO 8601 UTC of an instant on a whole minute (every slot edge): string work instead of a Date per call. */
export function utcIso(ms: number): string {
  return ms % 60_000 === 0 ? `${formatLocalMs(ms)}:00.000Z` : new Date(ms).toISOString();
}

/** Each slot's JSON text by zone and start: the same quarter hours recur in every answer of the next 30 days. */
const slotTexts = new Map<string, Map<number, string>>();
/** Per zone: 30 days of quarter hours are 2,880 slots; past ones are dropped with the rest when the map is full. */
const SLOT_TEXTS_PER_ZONE = 4096;
/** Visitors may ask for any IANA zone: only the most recently added zones are kept (about 0.8 MB each at most). */
const SLOT_TEXT_ZONES = 32;

/**
 * One slot object of the documented shape (start, end, localStart, localEnd, utcOffset, available) as JSON text:
 * every value is a date, a time or an offset made of digits and punctuation, which JSON needs no escape for.
 */
function slotJson(zone: string, start: number): string {
  let texts = slotTexts.get(zone);
  if (texts === undefined) {
    if (slotTexts.size >= SLOT_TEXT_ZONES) slotTexts.delete(slotTexts.keys().next().value as string);
    slotTexts.set(zone, (texts = new Map()));
  }
  let text = texts.get(start);
  if (text === undefined) {
    const end = start + SLOT_MS;
    const offset = offsetAt(zone, start);
    text =
      `{"start":"${utcIso(start)}","end":"${utcIso(end)}","localStart":"${formatLocalMs(start + offset)}",` +
      `"localEnd":"${formatLocalMs(end + offsetAt(zone, end))}","utcOffset":"${formatOffset(offset)}","available":true}`;
    text = flatString(text);
    if (texts.size >= SLOT_TEXTS_PER_ZONE) texts.clear();
    texts.set(start, text);
  }
  return text;
}

/**
 * The compact form: slot starts in UTC ("2026-12-01T16:00Z"; each slot lasts slotMinutes) and the UTC offset of
 * `timeZone` in force from a given slot on (one entry, plus one per change of offset within the window). A slot's
 * localStart is its start plus the offset in force; end and localEnd are slotMinutes later. 10-20x smaller.
 */
export function compactSlots(slots: number[], zone: string) {
  const offsets: { from: string; utcOffset: string }[] = [];
  let last: number | undefined;
  const starts = slots.map((start) => {
    const offset = offsetAt(zone, start);
    const iso = `${formatLocalMs(start)}Z`;
    if (offset !== last) offsets.push({ from: iso, utcOffset: formatOffset(offset) });
    last = offset;
    return iso;
  });
  return { format: "compact" as const, slotMinutes: SLOT_MINUTES, slotStarts: starts, utcOffsets: offsets };
}

/**
 * A day's slots as text, kept by zone, day and which quarter hours are free: mentors with the same weekly hours share
 * their days, and a mentor's answers share all days but the one a booking changed. A day seen for the first time is
 * only kept as text; deflating it (about 30 µs) waits until it is asked for again, so days that never recur (a cold
 * sweep over many mentors) cost nothing more than before.
 */
interface Day {
  text: string;
  piece?: DeflatedPiece;
}
const days = new Map<string, Day>();
/**
 * Days are dropped oldest first beyond this much text (characters; one byte each, the texts being ASCII): a day is
 * about 4 KB of text and 0.3 KB deflated, so 16 MB keep some 4,000 days, the bench's 500 mentors' 30 days (3,100
 * distinct, as their weekly hours are shared and each has a few booked days).
 */
const DAYS_KEPT_CHARS = 16_000_000;
let keptChars = 0;

function dayText(zone: string, lead: boolean, slots: number[], from: number, to: number): string {
  const parts = new Array<string>(to - from);
  for (let i = from; i < to; i++) parts[i - from] = slotJson(zone, slots[i]!);
  return flatString((lead ? "," : "") + parts.join(","));
}

function dayOf(zone: string, lead: boolean, slots: number[], from: number, to: number): Day {
  const dayStart = Math.floor(slots[from]! / DAY) * DAY;
  // Which of the day's 96 quarter hours are free, as three 32-bit masks.
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = from; i < to; i++) {
    const offset = slots[i]! - dayStart;
    // Off the quarter-hour grid (an outside scheduler's slots may be): the mask would not name the slots, so the
    // day is written for this answer only.
    if (offset % SLOT_MS !== 0) return { text: dayText(zone, lead, slots, from, to) };
    const q = offset / SLOT_MS;
    if (q < 32) m0 |= 1 << q;
    else if (q < 64) m1 |= 1 << (q - 32);
    else m2 |= 1 << (q - 64);
  }
  const key = `${zone}|${lead ? "," : ""}${dayStart}|${m0}|${m1}|${m2}`;
  let day = days.get(key);
  if (day === undefined) {
    day = { text: dayText(zone, lead, slots, from, to) };
    keptChars += day.text.length;
    for (const [oldest, dropped] of days) {
      if (keptChars <= DAYS_KEPT_CHARS) break;
      days.delete(oldest);
      keptChars -= dropped.text.length;
    }
    days.set(key, day);
  } else if (day.piece === undefined && GZIP_PIECES) {
    day.piece = deflatePiece(day.text);
  }
  return day;
}

/**
 * The slot objects of the JSON array (without its brackets) as pieces, one per UTC day; `deflated`: every day is a
 * deflated piece, so gzipPieces can frame the answer without compressing it.
 */
export function slotDayPieces(slots: number[], zone: string): { pieces: Piece[]; deflated: boolean } {
  const pieces: Piece[] = [];
  let deflated = true;
  for (let from = 0; from < slots.length; ) {
    const dayEnd = (Math.floor(slots[from]! / DAY) + 1) * DAY;
    let to = from + 1;
    while (to < slots.length && slots[to]! < dayEnd) to++;
    const day = dayOf(zone, from > 0, slots, from, to);
    pieces.push(day.piece ?? day.text);
    if (day.piece === undefined) deflated = false;
    from = to;
  }
  return { pieces, deflated };
}
