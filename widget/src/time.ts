import type { Locale } from "./i18n.ts";

export const detectedZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Paris";
  } catch {
    return "Europe/Paris";
  }
};

/** A short list of zones lycéens are likely in (metropolitan France, overseas, French-speaking abroad) plus theirs. */
const commonZones = [
  "Europe/Paris",
  "Europe/London",
  "Europe/Brussels",
  "Europe/Zurich",
  "Africa/Casablanca",
  "Africa/Dakar",
  "Africa/Abidjan",
  "America/Montreal",
  "America/New_York",
  "America/Martinique",
  "America/Guadeloupe",
  "America/Cayenne",
  "Indian/Reunion",
  "Indian/Mayotte",
  "Pacific/Noumea",
  "Pacific/Tahiti",
  "Asia/Tokyo",
  "UTC",
];
export const zoneChoices = (detected: string) => (commonZones.includes(detected) ? commonZones : [detected, ...commonZones]);

const intlLocale = (locale: Locale) => (locale === "en" ? "en-GB" : "fr-FR");

/** "2026-12-01" in the zone: the day a slot belongs to for the visitor. */
export function dayKey(iso: string | Date, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
  return parts;
}

export const formatTime = (iso: string, zone: string, locale: Locale) =>
  new Intl.DateTimeFormat(intlLocale(locale), { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

export const formatDay = (iso: string | Date, zone: string, locale: Locale, long = true) =>
  new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: zone,
    weekday: long ? "long" : "short",
    day: "numeric",
    month: long ? "long" : "short",
  }).format(new Date(iso));

/** The short month name ("déc.", "Jan") the day grid shows where a month starts. */
export const formatMonthShort = (iso: string | Date, locale: Locale) =>
  new Intl.DateTimeFormat(intlLocale(locale), { timeZone: "UTC", month: "short" }).format(new Date(iso));

export const formatWhen = (iso: string, zone: string, locale: Locale) => `${formatDay(iso, zone, locale)}, ${formatTime(iso, zone, locale)}`;

/** The next 30 days as day keys in the zone, starting today. */
export function next30Days(zone: string, now = new Date()): string[] {
  const days: string[] = [];
  for (let i = 0; days.length < 30 && i < 32; i++) {
    const key = dayKey(new Date(now.getTime() + i * 86_400_000), zone);
    if (!days.includes(key)) days.push(key);
  }
  return days;
}

/** Noon UTC of a day key: a safe instant to format the day's name in any zone. */
export const dayInstant = (key: string) => `${key}T12:00:00Z`;

const icsDate = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
const icsText = (s: string) => s.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, "\\n");

/** A one-event iCalendar file (RFC 5545) for the visitor's own calendar. */
export function icsFile(o: { uid: string; start: string; end: string; title: string; url: string }): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Thotis//Widget//FR",
    "BEGIN:VEVENT",
    `UID:${o.uid}@thotis`,
    `DTSTAMP:${icsDate(new Date().toISOString())}`,
    `DTSTART:${icsDate(o.start)}`,
    `DTEND:${icsDate(o.end)}`,
    `SUMMARY:${icsText(o.title)}`,
    `DESCRIPTION:${icsText(o.url)}`,
    `URL:${o.url}`,
    `LOCATION:${icsText(o.url)}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}
