/**
 * The templates: which facts each e-mail shows to whom. Pure functions of their input (no clock, no database), so
 * the property tests can render any booking in any zone and language.
 */
import { RATING_LINK_DAYS } from "../../ratings/rating-token.ts";
import { copy, type Names } from "./copy.ts";
import { type Locale, oneLine, sessionTime } from "./format.ts";
import { type Message, type Row, renderHtml, renderText } from "./layout.ts";

export const emailKinds = [
  "booking_confirmation",
  "booking_cancellation",
  "booking_rescheduled",
  "reminder_24h",
  "reminder_1h",
  "rating_request",
] as const;
export type EmailKind = (typeof emailKinds)[number];
export type Audience = "mentor" | "student";

export interface Recipient {
  audience: Audience;
  name: string;
  email: string;
  locale: Locale;
  timeZone: string;
}

/** What is known about the session when the e-mail is written. */
export interface SessionFacts {
  mentorName: string;
  studentName: string;
  question: string | null;
  start: Date;
  end: Date;
  meetingUrl: string;
  /** Rescheduling: where the session was before. */
  previousStart?: Date;
  previousEnd?: Date;
  /** Cancellation. */
  cancelledBy?: string | null;
  reason?: string | null;
  /** The prospective student's signed link to view, cancel or reschedule this booking. */
  manageUrl?: string;
  /** The prospective student's signed single-use rating link. */
  ratingUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function renderEmail(kind: EmailKind, to: Recipient, facts: SessionFacts, publicUrl: string): RenderedEmail {
  const message = compose(kind, to, facts);
  message.subject = oneLine(message.subject);
  return { subject: message.subject, html: renderHtml(message, publicUrl), text: renderText(message) };
}

function compose(kind: EmailKind, to: Recipient, f: SessionFacts): Message {
  const c = copy[to.locale];
  const names: Names = { mentor: f.mentorName, student: f.studentName };
  const other = to.audience === "mentor" ? f.studentName : f.mentorName;
  const when = sessionTime(f.start, f.end, to.timeZone, to.locale);
  const base = { locale: to.locale, greeting: c.greeting(to.audience === "mentor" ? f.mentorName : f.studentName), notes: [] as string[], footer: c.footer };
  const sessionRows = (): Row[] => [
    { label: c.labels.date, value: when.date },
    { label: c.labels.time, value: when.time },
    { label: c.labels.zone, value: when.zone },
    { label: c.labels.mentor, value: f.mentorName },
    { label: c.labels.student, value: f.studentName },
    ...(f.question ? [{ label: c.labels.question, value: f.question }] : []),
    { label: c.labels.video, value: f.meetingUrl, href: f.meetingUrl },
  ];
  const manage = to.audience === "student" && f.manageUrl ? { text: c.manageHint, label: c.manage, url: f.manageUrl } : undefined;

  switch (kind) {
    case "booking_confirmation": {
      const t = c.confirmation[to.audience];
      return {
        ...base,
        subject: t.subject(names, when),
        heading: t.heading,
        paragraphs: [t.intro(names)],
        rows: sessionRows(),
        button: { label: c.join, url: f.meetingUrl },
        aside: manage,
        notes: [c.invite],
      };
    }
    case "booking_rescheduled": {
      const before = sessionTime(f.previousStart ?? f.start, f.previousEnd ?? f.end, to.timeZone, to.locale);
      const [, , ...rest] = sessionRows();
      return {
        ...base,
        subject: c.rescheduled.subject(when),
        heading: c.rescheduled.heading,
        paragraphs: [c.rescheduled.intro(other)],
        rows: [
          { label: c.labels.previous, value: `${before.date}, ${before.time}`, struck: true },
          { label: c.labels.next, value: `${when.date}, ${when.time}` },
          ...rest,
        ],
        button: { label: c.join, url: f.meetingUrl },
        aside: manage,
        notes: [c.invite],
      };
    }
    case "booking_cancellation": {
      const by = f.cancelledBy === "mentor" || f.cancelledBy === "student" ? c.by[f.cancelledBy] : c.by.other;
      const rows: Row[] = [
        { label: c.labels.date, value: when.date },
        { label: c.labels.time, value: when.time },
        { label: c.labels.zone, value: when.zone },
        { label: c.labels.mentor, value: f.mentorName },
        { label: c.labels.student, value: f.studentName },
        { label: c.labels.cancelledBy, value: by },
        ...(f.reason ? [{ label: c.labels.reason, value: f.reason }] : []),
      ];
      return {
        ...base,
        subject: c.cancellation.subject(when),
        heading: c.cancellation.heading,
        paragraphs: [c.cancellation.intro(other, c.at(when)), ...(to.audience === "student" ? [c.cancellation.rebook] : [])],
        rows,
        notes: [c.invite],
      };
    }
    case "reminder_24h":
    case "reminder_1h": {
      const offset = kind === "reminder_24h" ? "24h" : "1h";
      return {
        ...base,
        subject: c.reminder.subject(offset, other),
        heading: c.reminder.heading(offset),
        paragraphs: [c.reminder.intro(other, c.at(when))],
        rows: sessionRows(),
        button: { label: c.join, url: f.meetingUrl },
        // An hour before, the session can no longer be cancelled or moved: no manage link then.
        aside: offset === "24h" ? manage : undefined,
      };
    }
    case "rating_request":
      return {
        ...base,
        subject: c.rating.subject(names),
        heading: c.rating.heading,
        paragraphs: [c.rating.intro(names)],
        rows: [
          { label: c.labels.date, value: when.date },
          { label: c.labels.time, value: when.time },
          { label: c.labels.mentor, value: f.mentorName },
        ],
        button: f.ratingUrl ? { label: c.rating.button, url: f.ratingUrl } : undefined,
        notes: [c.rating.hint(RATING_LINK_DAYS)],
      };
  }
}
