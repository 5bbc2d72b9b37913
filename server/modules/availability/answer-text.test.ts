/**
 * Availability answers as day pieces (answer-text.ts): the text is the documented slot objects, a day recurring is
 * deflated once, and an uncached answer sent as gzip is framed from those pieces and decodes to the same bytes as the
 * uncompressed answer.
 */
import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { gzipPieces, joinPieces } from "../../lib/gzip-pieces.ts";
import { fixedClock } from "../../lib/clock.ts";
import { createMentor, DAY, SLOT, useTestApp } from "../../test-support/mentors.ts";
import { slotDayPieces, utcIso } from "./answer-text.ts";

const T0 = Date.parse("2026-10-20T06:00:00Z");

describe("slotDayPieces", () => {
  test("one piece per UTC day, each the slots' JSON; a day asked for again comes back deflated", () => {
    const slotsArb = fc
      .uniqueArray(fc.integer({ min: 0, max: 30 * 96 - 1 }), { minLength: 1, maxLength: 300 })
      .map((qs) => qs.sort((a, b) => a - b).map((q) => T0 + q * SLOT));
    fc.assert(
      fc.property(slotsArb, fc.constantFrom("Europe/Paris", "America/St_Johns", "Asia/Kathmandu"), (slots, zone) => {
        const first = slotDayPieces(slots, zone);
        const again = slotDayPieces(slots, zone);
        expect(again.deflated).toBe(true);
        expect(first.pieces.length).toBe(new Set(slots.map((s) => Math.floor(s / DAY))).size);
        const text = `[${joinPieces(first.pieces)}]`;
        expect(`[${joinPieces(again.pieces)}]`).toBe(text);
        const objects = JSON.parse(text) as { start: string; end: string; utcOffset: string; available: boolean }[];
        expect(objects.map((o) => o.start)).toEqual(slots.map(utcIso));
        expect(objects.map((o) => o.end)).toEqual(slots.map((s) => utcIso(s + SLOT)));
        expect(new TextDecoder().decode(gunzipSync(gzipPieces(["[", ...again.pieces, "]"])))).toBe(text);
      }),
      { numRuns: 60 },
    );
  });

  test("slots off the quarter-hour grid (an outside scheduler's) are written as they are, never taken for others", () => {
    const day = T0 + 3 * DAY;
    const onGrid = slotDayPieces([day + 40 * SLOT], "Europe/Paris");
    const offGrid = slotDayPieces([day + 40 * SLOT + 5 * 60_000], "Europe/Paris");
    for (let i = 0; i < 2; i++) {
      const again = slotDayPieces([day + 40 * SLOT + 5 * 60_000], "Europe/Paris");
      expect(again.deflated).toBe(false);
      expect(JSON.parse(`[${joinPieces(again.pieces)}]`)[0].start).toBe(utcIso(day + 40 * SLOT + 5 * 60_000));
    }
    expect(joinPieces(offGrid.pieces)).not.toBe(joinPieces(onGrid.pieces));
  });
});

describe("an uncached answer sent as gzip", () => {
  const ctx = useTestApp({ clock: fixedClock(new Date(T0)), env: () => ({ CACHE_ENABLED: "false" }) });

  test("is framed from its deflated days and decodes to the uncompressed answer, byte for byte", async () => {
    const weekly = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "07:45", end: "12:30" }, { start: "16:15", end: "21:00" }] }));
    const mentor = await createMentor(ctx, { emailPrefix: "answer-text", schedule: { timeZone: "America/Montreal", weekly } });
    const path = `/api/v2/students/${mentor.profileId}/availability`;
    const fetchRaw = async (encoding: string) => {
      const res = await ctx.app.request(path, { token: ctx.widget, headers: { "accept-encoding": encoding }, decompress: false } as RequestInit);
      expect(res.status).toBe(200);
      return { encoding: res.headers.get("content-encoding"), bytes: new Uint8Array(await res.arrayBuffer()) };
    };
    const plain = await fetchRaw("identity");
    expect(plain.encoding).toBeNull();
    const text = new TextDecoder().decode(plain.bytes);
    expect(JSON.parse(text).data.slots.length).toBeGreaterThan(500);
    // The first answer saw its days once; from the second on, each day is deflated and the answer framed.
    for (let i = 0; i < 3; i++) {
      const gzip = await fetchRaw("gzip");
      expect(gzip.encoding).toBe("gzip");
      expect(new TextDecoder().decode(gunzipSync(gzip.bytes))).toBe(text);
      if (i === 0) continue;
      // Framed: right after the 10-byte gzip header, a stored block holding the answer's head as it is.
      const length = gzip.bytes[11]! | (gzip.bytes[12]! << 8);
      expect(gzip.bytes[10]).toBe(0);
      expect(length ^ (gzip.bytes[13]! | (gzip.bytes[14]! << 8))).toBe(0xffff);
      expect(new TextDecoder().decode(gzip.bytes.subarray(15, 15 + length))).toBe(text.slice(0, length));
      expect(text.slice(length - 9, length)).toBe('"slots":[');
      // About as small as compressing the whole answer: the days are compressed harder, but each on its own.
      expect(gzip.bytes.length).toBeLessThan(plain.bytes.length / 8);
    }
  });
});
