import { t } from "elysia";
import { characters, enumOf, noOtherProperty } from "../../lib/schema.ts";

export const CreateBookingBody = t.Object(
  {
    studentProfileId: t.String({ minLength: 1, maxLength: 64, examples: ["c0123456789abcdefghijklmn"] }),
    dateTime: t.String({ format: "date-time", description: "Start of the 15-minute slot (UTC ISO 8601)", examples: ["2026-12-01T16:00:00Z"] }),
    durationMinutes: t.Optional(t.Number({ description: "Optional; sessions always last 15 minutes (INVALID_DURATION otherwise)" })),
    endTime: t.Optional(t.String({ format: "date-time", description: "Optional; must be dateTime + 15 minutes" })),
    prospectiveStudent: t.Object(
      {
        name: t.String({ minLength: 1, pattern: characters(1, 120, { notBlank: true }), description: "1 to 120 characters", examples: ["Lucas Martin"] }),
        email: t.String({ format: "email", maxLength: 254, examples: ["lucas.martin@lycee.fr"] }),
        question: t.Optional(
          t.String({ pattern: characters(0, 500), description: "At most 500 characters", examples: ["Questions sur les débouchés en droit des affaires"] }),
        ),
        timeZone: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "Visitor's IANA zone, for e-mails" })),
        locale: t.Optional(enumOf(["fr", "en"])),
      },
      { additionalProperties: noOtherProperty },
    ),
    visitorId: t.Optional(
      t.String({
        pattern: "^[\\x21-\\x7E]{1,128}$",
        description: "The widget's anonymous visitor id (the distinctId of its analytics events), so the funnel follows one visitor to the booking",
        examples: ["3141592653-589793238-462643383-279502884"],
      }),
    ),
  },
  { additionalProperties: noOtherProperty },
);
export type CreateBookingBody = typeof CreateBookingBody.static;

export const BookingIdParams = t.Object({ id: t.Integer({ minimum: 1, examples: [1234] }) });

export const CancelBody = t.Object(
  {
    reason: t.String({ minLength: 1, pattern: characters(1, 500, { notBlank: true }), examples: ["Empêchement de dernière minute"] }),
    cancelledBy: enumOf(["mentor", "student"]),
  },
  { additionalProperties: noOtherProperty },
);

export const RescheduleBody = t.Object(
  { dateTime: t.String({ format: "date-time", examples: ["2026-12-02T17:30:00Z"] }) },
  { additionalProperties: noOtherProperty },
);

export const BookingSummary = t.Object({
  id: t.Integer(),
  startTime: t.String({ format: "date-time" }),
  endTime: t.String({ format: "date-time" }),
  status: enumOf(["ACCEPTED", "CANCELLED", "COMPLETED"]),
});

export const Booking = t.Object({
  id: t.Integer(),
  studentProfileId: t.String(),
  startTime: t.String({ format: "date-time" }),
  endTime: t.String({ format: "date-time" }),
  status: enumOf(["ACCEPTED", "CANCELLED", "COMPLETED"]),
  prospectiveStudent: t.Object({
    name: t.String(),
    email: t.String(),
    question: t.Nullable(t.String()),
    timeZone: t.Nullable(t.String()),
    locale: t.String(),
  }),
  meetingUrl: t.String(),
  meetingProvider: enumOf(["jitsi", "google_meet", "calcom"]),
  googleMeetLink: t.String({ description: "The session's video link (design-document name; see meetingProvider)" }),
  calendarEventId: t.Nullable(t.String()),
  cancellationReason: t.Nullable(t.String()),
  cancelledBy: t.Nullable(t.String()),
  history: t.Array(
    t.Object({
      action: t.String(),
      fromStatus: t.Nullable(t.String()),
      toStatus: t.String(),
      oldStartTime: t.Nullable(t.String()),
      newStartTime: t.Nullable(t.String()),
      actor: t.String(),
      at: t.String({ format: "date-time" }),
    }),
  ),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
});
export type Booking = typeof Booking.static;

export const BookingResult = t.Object({
  bookingId: t.Integer({ examples: [1234] }),
  googleMeetLink: t.String({ examples: ["https://meet.google.com/abc-defg-hij"] }),
  meetingUrl: t.String(),
  meetingProvider: enumOf(["jitsi", "google_meet", "calcom"]),
  calendarEventId: t.Nullable(t.String()),
  confirmationSent: t.Boolean({ description: "Whether confirmation e-mails were sent (e-mails arrive with a later milestone)" }),
  booking: BookingSummary,
});
export type BookingResult = typeof BookingResult.static;
