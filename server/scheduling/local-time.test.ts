import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { civilFromDays, daysFromCivil, formatInZone } from "./local-time.ts";
import { clearZoneCache, isIanaTimeZone, spansCovering } from "./zone.ts";

const ZONES = ["Europe/Paris", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "America/New_York", "Pacific/Chatham", "UTC", "Asia/Tokyo"];

/** Local "YYYY-MM-DDTHH:MM" and "+HH:MM" straight from Intl, for comparison. */
function intl(t: number, zone: string): { local: string; offset: string } {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "longOffset",
  });
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  const offset = p.timeZoneName === "GMT" ? "+00:00" : p.timeZoneName!.slice(3);
  return { local: `${p.year}-${p.month}-${p.day}T${String(Number(p.hour) % 24).padStart(2, "0")}:${p.minute}`, offset };
}

describe("formatInZone", () => {
  test("UTC, wall-clock time and offset of named cases", () => {
    const t = Date.parse("2026-03-29T01:00:00Z");
    expect(formatInZone(t, "Europe/Paris")).toEqual({ utc: "2026-03-29T01:00:00.000Z", local: "2026-03-29T03:00", offset: "+02:00" });
    expect(formatInZone(t - 1, "Europe/Paris")).toEqual({ utc: "2026-03-29T00:59:59.999Z", local: "2026-03-29T01:59", offset: "+01:00" });
    expect(formatInZone(t, "Asia/Kathmandu")).toEqual({ utc: "2026-03-29T01:00:00.000Z", local: "2026-03-29T06:45", offset: "+05:45" });
    expect(formatInZone(t, "America/St_Johns")).toEqual({ utc: "2026-03-29T01:00:00.000Z", local: "2026-03-28T22:30", offset: "-02:30" });
    expect(formatInZone(t, "America/New_York")).toEqual({ utc: "2026-03-29T01:00:00.000Z", local: "2026-03-28T21:00", offset: "-04:00" });
    expect(formatInZone(t, "Australia/Lord_Howe")).toEqual({ utc: "2026-03-29T01:00:00.000Z", local: "2026-03-29T12:00", offset: "+11:00" });
    expect(formatInZone(t, "UTC")).toEqual({ utc: "2026-03-29T01:00:00.000Z", local: "2026-03-29T01:00", offset: "+00:00" });
  });

  test("unknown zones and non-finite instants throw", () => {
    expect(() => formatInZone(0, "Nowhere/Land")).toThrow(RangeError);
    expect(() => formatInZone(Number.NaN, "UTC")).toThrow(RangeError);
  });

  test("agrees with Intl for random instants and zones, with a cold or warm zone cache", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("1990-01-01T00:00:00Z"), max: Date.parse("2040-01-01T00:00:00Z") }),
        fc.constantFrom(...ZONES),
        fc.boolean(),
        (t, zone, cold) => {
          if (cold) clearZoneCache();
          const f = formatInZone(t, zone);
          expect({ local: f.local, offset: f.offset }).toEqual(intl(t, zone));
          expect(f.utc).toBe(new Date(t).toISOString());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("calendar arithmetic and zone spans", () => {
  test("civilFromDays and daysFromCivil agree with Date.UTC", () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 800_000 }), (days) => {
        const d = new Date(days * 86_400_000);
        const c = civilFromDays(days);
        expect(c).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(days);
      }),
      { numRuns: 300 },
    );
  });

  test("spans cover a window contiguously with Intl's offsets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2035-01-01T00:00:00Z") }),
        fc.integer({ min: 1, max: 400 * 86_400_000 }),
        fc.constantFrom(...ZONES),
        (from, length, zone) => {
          const spans = spansCovering(zone, from, from + length);
          expect(spans[0]!.start).toBe(from);
          expect(spans.at(-1)!.end).toBe(from + length);
          for (let i = 0; i < spans.length; i++) {
            const s = spans[i]!;
            if (i > 0) {
              expect(s.start).toBe(spans[i - 1]!.end);
              expect(s.offset).not.toBe(spans[i - 1]!.offset);
            }
            for (const t of [s.start, s.end - 1]) {
              expect(formatInZone(t, zone).offset).toBe(intl(t, zone).offset);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  test("isIanaTimeZone", () => {
    expect(isIanaTimeZone("Europe/Paris")).toBe(true);
    expect(isIanaTimeZone("Asia/Kathmandu")).toBe(true);
    expect(isIanaTimeZone("+05:45")).toBe(false);
    expect(isIanaTimeZone("Europe/Nowhere")).toBe(false);
    expect(isIanaTimeZone("")).toBe(false);
  });
});
