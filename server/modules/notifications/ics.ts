import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { oneLine } from "./templates/format.ts";

export interface InviteInput {
  method: "REQUEST" | "CANCEL";
  /** Stable per booking, so every later invite updates (or removes) the same calendar event. */
  uid: string;
  /** Grows with each change of the booking (RFC 5545 3.8.7.4); calendars keep the highest. */
  sequence: number;
  start: Date;
  end: Date;
  /** When this version of the event was made (DTSTAMP). */
  stamp: Date;
  summary: string;
  description: string;
  meetingUrl: string;
  organizer: { name: string; email: string };
  attendees: { name: string; email: string }[];
}

/**
 * An iCalendar invitation (RFC 5545, iTIP method REQUEST or CANCEL) built with ical-generator: CRLF line ends, lines
 * folded at 75 octets, DTSTART/DTEND in UTC, the video link as LOCATION, URL and in the description.
 */
export function buildInvite(input: InviteInput): string {
  const calendar = ical({
    prodId: { company: "Thotis", product: "Sessions", language: "FR" },
    method: input.method === "CANCEL" ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  calendar.createEvent({
    id: input.uid,
    sequence: input.sequence,
    start: input.start,
    end: input.end,
    stamp: input.stamp,
    summary: oneLine(input.summary),
    description: input.description,
    location: input.meetingUrl,
    url: input.meetingUrl,
    organizer: { name: input.organizer.name, email: input.organizer.email },
    attendees: input.attendees.map((a) => ({
      // A parameter value cannot hold a line break (names are free text).
      name: oneLine(a.name),
      email: a.email,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.ACCEPTED,
      rsvp: false,
    })),
    status: input.method === "CANCEL" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  const text = calendar.toString();
  // Every content line ends with CRLF, the last one included.
  return text.endsWith("\r\n") ? text : `${text}\r\n`;
}

/** The address inside `Name <address>` (or the whole string when it is a bare address). */
export function addressOf(from: string): string {
  return from.match(/<([^>]+)>/)?.[1]?.trim() ?? from.trim();
}
