/**
 * The templates on their own: any names (HTML special characters included), zones, languages and questions.
 * Expected dates and times are computed independently (Temporal, and month/weekday names written out here).
 */
import { Buffer } from "node:buffer";
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { composeEmail, type ComposedEmail } from "./compose.ts";
import { type EmailKind, emailKinds, type Recipient, type SessionFacts } from "./templates/render.ts";

const RUNS = 100;
const PUBLIC_URL = "https://app.thotis.test";

const months = {
  fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
};
const weekdays = {
  fr: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
  en: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
};
const zones = [
  "Europe/Paris",
  "America/Sao_Paulo",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Pacific/Chatham",
  "Australia/Lord_Howe",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
  "Indian/Reunion",
  "America/Martinique",
  "UTC",
];

const escape = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
const pad = (n: number) => String(n).padStart(2, "0");

/** What a reader in `zone` and `locale` must find: weekday, "2 juin 2026" / "2 June 2026", "10:00". */
function localFacts(instant: Date, zone: string, locale: "fr" | "en") {
  const z = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(zone);
  return {
    weekday: weekdays[locale][z.dayOfWeek - 1]!,
    date: `${z.day} ${months[locale][z.month - 1]} ${z.year}`,
    time: `${pad(z.hour)}:${pad(z.minute)}`,
  };
}

// Names: letters and accents mixed with markup, quotes and ampersands that must never reach the HTML raw.
const specials = fc.constantFrom("", "<b>", "</td>", "&", "&amp;", '"', "'", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>");
const name = fc
  .tuple(fc.constantFrom("Léa", "Lucas", "Zoë", "Marie O'Neil", "Ana-Sofía", "Jean"), specials, fc.string({ maxLength: 20 }), specials)
  .map(([a, b, c, d]) => `${a} ${b}${c}${d}`.trim());
const question = fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 120 }), specials).map(([q, s]) => `${q}${s}`.trim() || "?"), { nil: null });
const quarterHour = 15 * 60_000;
const start = fc.integer({ min: Date.UTC(2026, 0, 1) / quarterHour, max: Date.UTC(2030, 11, 31) / quarterHour }).map((q) => new Date(q * quarterHour));
const meetingUrl = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `https://meet.jit.si/thotis-${h}`),
  fc.stringMatching(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/).map((c) => `https://meet.google.com/${c}`),
);
const recipientSide = fc.record({ zone: fc.constantFrom(...zones), locale: fc.constantFrom("fr" as const, "en" as const) });

const booking = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }),
  mentorName: name,
  studentName: name,
  question,
  start,
  meetingUrl,
  mentor: recipientSide,
  student: recipientSide,
  sequence: fc.integer({ min: 0, max: 20 }),
});
type Booking = typeof booking extends fc.Arbitrary<infer T> ? T : never;

const manageUrlOf = (b: Booking) => `${PUBLIC_URL}/widget/manage#manage-token-${b.id}`;

function recipients(b: Booking): { mentor: Recipient; student: Recipient } {
  return {
    mentor: { audience: "mentor", name: b.mentorName, email: `mentor${b.id}@univ.fr`, locale: b.mentor.locale, timeZone: b.mentor.zone },
    student: { audience: "student", name: b.studentName, email: `eleve${b.id}@lycee.fr`, locale: b.student.locale, timeZone: b.student.zone },
  };
}

function factsOf(b: Booking, extra: Partial<SessionFacts> = {}): SessionFacts {
  return {
    mentorName: b.mentorName,
    studentName: b.studentName,
    question: b.question,
    start: b.start,
    end: new Date(b.start.getTime() + quarterHour),
    meetingUrl: b.meetingUrl,
    ...extra,
  };
}

/** Both recipients' messages for one event, as the service composes them. */
function compose(kind: EmailKind, b: Booking, extra: Partial<SessionFacts> = {}, method?: "REQUEST" | "CANCEL") {
  const to = recipients(b);
  const one = (audience: "mentor" | "student"): ComposedEmail =>
    composeEmail({
      kind,
      to: to[audience],
      facts: factsOf(b, audience === "student" ? { ...extra, manageUrl: manageUrlOf(b) } : extra),
      invite: method
        ? {
            method,
            bookingId: b.id,
            sequence: b.sequence,
            stamp: new Date(Date.UTC(2026, 0, 1)),
            organizer: { name: "Thotis", email: "sessions@thotis.fr" },
            mentor: { name: b.mentorName, email: to.mentor.email },
            student: { name: b.studentName, email: to.student.email },
          }
        : undefined,
      publicUrl: PUBLIC_URL,
    });
  return { mentor: one("mentor"), student: one("student") };
}

/** Name and parameters come first, and a quoted parameter value may hold ":" (RFC 5545 3.1). */
function firstColonOutsideQuotes(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ":" && !quoted) return i;
  }
  return -1;
}

/** A strict reading of the iCalendar text (RFC 5545 3.1): CRLF lines, folding at 75 octets, then unfolded properties. */
function parseIcs(ics: string) {
  expect(ics.endsWith("\r\n")).toBe(true);
  const physical = ics.slice(0, -2).split("\r\n");
  for (const line of physical) {
    expect(line.includes("\n") || line.includes("\r")).toBe(false);
    expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  }
  const lines: string[] = [];
  for (const line of physical) {
    if (line.startsWith(" ") || line.startsWith("\t")) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  const stack: string[] = [];
  const props: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = firstColonOutsideQuotes(line);
    expect(colon).toBeGreaterThan(0);
    const [nameAndParams, value] = [line.slice(0, colon), line.slice(colon + 1)];
    const prop = nameAndParams.split(";")[0]!;
    if (prop === "BEGIN") stack.push(value);
    else if (prop === "END") expect(stack.pop()).toBe(value);
    else (props[`${stack.join("/")}/${prop}`] ??= []).push(value);
  }
  expect(stack).toEqual([]);
  expect(lines[0]).toBe("BEGIN:VCALENDAR");
  expect(lines.at(-1)).toBe("END:VCALENDAR");
  return { lines, props, get: (path: string) => props[path]?.[0] };
}

const icsOf = (email: ComposedEmail) => {
  expect(email.attachments).toHaveLength(1);
  const [a] = email.attachments;
  expect(a!.filename).toBe("invite.ics");
  return { contentType: a!.contentType, ics: parseIcs(Buffer.from(a!.content, "base64").toString("utf8")) };
};
const utcStamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
/** ICS text values escape `\`, `;`, `,` and newlines; the link has none of them, so it appears as is. */
const expectInviteFor = (email: ComposedEmail, b: Booking, method: "REQUEST" | "CANCEL") => {
  const { contentType, ics } = icsOf(email);
  expect(contentType).toBe(`text/calendar; method=${method}; charset=UTF-8`);
  expect(ics.get("VCALENDAR/METHOD")).toBe(method);
  expect(ics.get("VCALENDAR/VEVENT/UID")).toBe(`booking-${b.id}@app.thotis.test`);
  expect(ics.get("VCALENDAR/VEVENT/SEQUENCE")).toBe(String(b.sequence));
  expect(ics.get("VCALENDAR/VEVENT/DTSTART")).toBe(utcStamp(b.start));
  expect(ics.get("VCALENDAR/VEVENT/DTEND")).toBe(utcStamp(new Date(b.start.getTime() + quarterHour)));
  expect(ics.get("VCALENDAR/VEVENT/LOCATION")).toBe(b.meetingUrl);
  expect(ics.get("VCALENDAR/VEVENT/DESCRIPTION")).toContain(b.meetingUrl);
  expect(ics.props["VCALENDAR/VEVENT/ATTENDEE"]).toHaveLength(2);
  expect(ics.get("VCALENDAR/VEVENT/ORGANIZER")).toBe("mailto:sessions@thotis.fr");
  return ics;
};

/** The reader finds the session's date and time in their own zone and language, in both bodies. */
function expectLocalTime(email: ComposedEmail, instant: Date, side: { zone: string; locale: "fr" | "en" }) {
  const local = localFacts(instant, side.zone, side.locale);
  for (const body of [email.html, email.text]) {
    expect(body).toContain(local.date);
    expect(body).toContain(local.weekday);
    expect(body).toContain(local.time);
    expect(body).toContain(side.zone);
  }
}

function expectNames(email: ComposedEmail, ...names: string[]) {
  for (const n of names) {
    expect(email.text).toContain(n);
    expect(email.html).toContain(escape(n));
  }
  // Nothing a visitor typed becomes markup.
  expect(email.html).not.toContain("<script");
  expect(email.html).not.toContain("<img src=x");
}

describe("Property 15: Email Branding Consistency", () => {
  test("every template, in both languages and for both recipients, shows the logo, #FF6B35, #004E89 and Montserrat/Inter", () => {
    fc.assert(
      fc.property(booking, fc.constantFrom(...emailKinds), (b, kind) => {
        const extra = { previousStart: new Date(b.start.getTime() - 86_400_000), ratingUrl: `${PUBLIC_URL}/widget/rate#t`, cancelledBy: "student", reason: "Empêchement" };
        const { mentor, student } = compose(kind, b, extra);
        for (const email of [mentor, student]) {
          expect(email.html).toContain(`<img src="${PUBLIC_URL}/brand/logo.png"`);
          expect(email.html).toContain('alt="Thotis"');
          expect(email.html).toContain("#FF6B35");
          expect(email.html).toContain("#004E89");
          expect(email.html).toMatch(/font-family:Montserrat, Inter, Arial, sans-serif/);
          expect(email.html).toMatch(/^<!DOCTYPE html>/);
          expect(email.html).toContain("max-width:600px");
          expect(email.text.startsWith("THOTIS\n")).toBe(true);
          expect(email.subject.length).toBeGreaterThan(0);
          expect(email.subject).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("the two languages really differ, French by default wording", () => {
    const b = fc.sample(booking, { numRuns: 1, seed: 7 })[0]!;
    const fr = compose("booking_confirmation", { ...b, mentor: { zone: "Europe/Paris", locale: "fr" }, student: { zone: "Europe/Paris", locale: "fr" } });
    const en = compose("booking_confirmation", { ...b, mentor: { zone: "Europe/Paris", locale: "en" }, student: { zone: "Europe/Paris", locale: "en" } });
    expect(fr.student.html).toContain('<html lang="fr">');
    expect(fr.student.text).toContain("Rejoindre la session");
    expect(en.student.html).toContain('<html lang="en">');
    expect(en.student.text).toContain("Join the session");
  });
});

describe("Property 16: Booking Confirmation Email Content", () => {
  test("both confirmations show date and time in the recipient's zone and language, both names, the question and the video link; the student's has the manage link; the .ics is valid", () => {
    fc.assert(
      fc.property(booking, (b) => {
        const { mentor, student } = compose("booking_confirmation", b, {}, "REQUEST");
        expectLocalTime(mentor, b.start, b.mentor);
        expectLocalTime(student, b.start, b.student);
        for (const email of [mentor, student]) {
          expectNames(email, b.mentorName, b.studentName);
          expect(email.text).toContain(b.meetingUrl);
          expect(email.html).toContain(`href="${b.meetingUrl}"`);
          if (b.question) {
            expect(email.text).toContain(b.question);
            expect(email.html).toContain(escape(b.question));
          }
          expectInviteFor(email, b, "REQUEST");
        }
        expect(student.text).toContain(manageUrlOf(b));
        expect(student.html).toContain(`href="${escape(manageUrlOf(b))}"`);
        expect(mentor.text).not.toContain("/widget/manage");
        expect(mentor.html).not.toContain("/widget/manage");
      }),
      { numRuns: RUNS },
    );
  });

  test("the .ics folds long lines at 75 octets without splitting a character", () => {
    const b = fc.sample(booking, { numRuns: 1, seed: 3 })[0]!;
    const long = { ...b, mentorName: "Émilie-Éléonore ".repeat(8).trim(), question: "Quelles débouchés après le master ? ".repeat(6) };
    const { student } = compose("booking_confirmation", long, {}, "REQUEST");
    const ics = expectInviteFor(student, long, "REQUEST");
    expect(ics.get("VCALENDAR/VEVENT/DESCRIPTION")).toContain("Émilie-Éléonore Émilie-Éléonore");
    const raw = Buffer.from(student.attachments[0]!.content, "base64").toString("utf8");
    expect(raw).toContain("\r\n ");
    expect(raw).not.toContain("\uFFFD");
  });
});

describe("Property 17: Rescheduling Email Updates", () => {
  test("both rescheduling e-mails show the old and the new date and time, in each recipient's zone and language", () => {
    const move = fc.integer({ min: -20 * 96, max: 20 * 96 }).filter((q) => q !== 0);
    fc.assert(
      fc.property(booking, move, (b, quarters) => {
        const previousStart = new Date(b.start.getTime() + quarters * quarterHour);
        const { mentor, student } = compose(
          "booking_rescheduled",
          b,
          { previousStart, previousEnd: new Date(previousStart.getTime() + quarterHour) },
          "REQUEST",
        );
        for (const [email, side] of [
          [mentor, b.mentor],
          [student, b.student],
        ] as const) {
          const before = localFacts(previousStart, side.zone, side.locale);
          const after = localFacts(b.start, side.zone, side.locale);
          for (const body of [email.text, email.html]) {
            expect(body).toContain(`${before.date}, ${before.time}`);
            expect(body).toContain(`${after.date}, ${after.time}`);
          }
          expect(email.text).toContain(side.locale === "fr" ? "Ancien horaire" : "Previous time");
          expect(email.text).toContain(side.locale === "fr" ? "Nouvel horaire" : "New time");
          expect(email.text).toContain(b.meetingUrl);
          expectNames(email, b.mentorName, b.studentName);
          expectInviteFor(email, b, "REQUEST");
        }
        expect(student.text).toContain(manageUrlOf(b));
        expect(mentor.text).not.toContain("/widget/manage");
      }),
      { numRuns: RUNS },
    );
  });
});

describe("Property 33: Cancellation Notification Side Effects", () => {
  test("both sides get a cancellation naming the session's time, who cancelled and why, with a METHOD:CANCEL invite", () => {
    fc.assert(
      fc.property(booking, fc.constantFrom("mentor", "student"), fc.option(name, { nil: null }), (b, by, reason) => {
        const { mentor, student } = compose("booking_cancellation", b, { cancelledBy: by, reason }, "CANCEL");
        for (const [email, side] of [
          [mentor, b.mentor],
          [student, b.student],
        ] as const) {
          expectLocalTime(email, b.start, side);
          expectNames(email, b.mentorName, b.studentName);
          expect(email.subject).toMatch(side.locale === "fr" ? /^Session annulée/ : /^Session cancelled/);
          const byText = { fr: { mentor: "le mentor", student: "l'élève" }, en: { mentor: "the mentor", student: "the student" } }[side.locale][by];
          expect(email.text).toContain(byText);
          if (reason) expect(email.text).toContain(reason);
          const ics = expectInviteFor(email, b, "CANCEL");
          expect(ics.get("VCALENDAR/VEVENT/STATUS")).toBe("CANCELLED");
          // A cancelled session offers no manage link.
          expect(email.text).not.toContain("/widget/manage");
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("reminders and rating request", () => {
  test("reminders carry the session and the video link; only the 24-hour one offers the manage link", () => {
    const b = fc.sample(booking, { numRuns: 1, seed: 11 })[0]!;
    const day = compose("reminder_24h", b);
    const hour = compose("reminder_1h", b);
    for (const e of [day.mentor, day.student, hour.mentor, hour.student]) {
      expect(e.text).toContain(b.meetingUrl);
      expect(e.attachments).toHaveLength(0);
    }
    expect(day.student.text).toContain(manageUrlOf(b));
    expect(hour.student.text).not.toContain("/widget/manage");
    expectLocalTime(hour.mentor, b.start, b.mentor);
  });

  test("the rating request carries the rating link as its button", () => {
    const b = fc.sample(booking, { numRuns: 1, seed: 5 })[0]!;
    const ratingUrl = `${PUBLIC_URL}/widget/rate#rating-token`;
    const { student } = compose("rating_request", b, { ratingUrl });
    expect(student.text).toContain(ratingUrl);
    expect(student.html).toContain(`href="${ratingUrl}"`);
    expect(student.text).toContain(b.student.locale === "fr" ? "Noter la session" : "Rate the session");
  });
});
