import { formatInZone } from "../../../scheduling/local-time.ts";

export type Locale = "fr" | "en";

/** The zone used when a prospective student gave none (the platform's audience is in France). */
export const DEFAULT_ZONE = "Europe/Paris";

const tags: Record<Locale, string> = { fr: "fr-FR", en: "en-GB" };

/** The zone when Intl knows it, else the default (a stored zone the runtime's tz data lacks must not stop an e-mail). */
export function usableZone(zone: string | null | undefined): string {
  if (!zone) return DEFAULT_ZONE;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return DEFAULT_ZONE;
  }
}

export interface SessionTime {
  /** "mardi 2 juin 2026" / "Tuesday 2 June 2026" */
  date: string;
  /** "10:00 – 10:15" (24-hour clock in both languages) */
  time: string;
  /** "Europe/Paris, UTC+02:00" */
  zone: string;
}

/** A session's date and time as the recipient reads them: their zone, their language. */
export function sessionTime(start: Date, end: Date, timeZone: string, locale: Locale): SessionTime {
  const zone = usableZone(timeZone);
  const date = new Intl.DateTimeFormat(tags[locale], { timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const clock = new Intl.DateTimeFormat(tags[locale], { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return {
    date: date.format(start),
    time: `${clock.format(start)} – ${clock.format(end)}`,
    zone: `${zone}, UTC${formatInZone(start.getTime(), zone).offset}`,
  };
}

const htmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Every user-provided string goes through this before it enters HTML (text and attribute values alike). */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => htmlEscapes[c]!);

/** Only http(s) links become hrefs; anything else (javascript:, data:) is dropped. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/** Subjects are one line: a name with a line break must not add a header. */
export const oneLine = (value: string): string => value.replace(/[\r\n\t\u2028\u2029]+/g, " ").trim();
