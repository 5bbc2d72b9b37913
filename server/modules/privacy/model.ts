import { t } from "elysia";
import { characters, noOtherProperty } from "../../lib/schema.ts";

export const SubjectQuery = t.Object(
  {
    email: t.String({ minLength: 3, maxLength: 254, description: "The person's e-mail address (case-insensitive)", examples: ["lucas.martin@lycee.fr"] }),
    download: t.Optional(t.Boolean({ description: "true: answer the data as a JSON file (Content-Disposition: attachment)" })),
  },
  { additionalProperties: noOtherProperty },
);
export const DownloadQuery = t.Object({ download: t.Optional(t.Boolean()) }, { additionalProperties: noOtherProperty });

export const ReasonBody = t.Object(
  { reason: t.String({ minLength: 3, pattern: characters(3, 500, { notBlank: true }), description: "Why (kept in the audit log), 3 to 500 characters", examples: ["Art. 17 request by e-mail of 2026-12-01"] }) },
  { additionalProperties: noOtherProperty },
);

export const MentorIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });

/** The export: every place that holds the address, as the person would receive it (Art. 15 and 20). */
export const SubjectExport = t.Object(
  {
    email: t.String(),
    generatedAt: t.String({ format: "date-time" }),
    bookings: t.Array(t.Record(t.String(), t.Unknown()), { description: "Bookings with their history" }),
    ratings: t.Array(t.Record(t.String(), t.Unknown())),
    emails: t.Array(t.Record(t.String(), t.Unknown()), { description: "E-mails sent about their bookings or to the address: subjects and bodies" }),
    analyticsEvents: t.Array(t.Record(t.String(), t.Unknown()), { description: "Events tied to their bookings or to the widget visitor ids they booked with" }),
    webhookDeliveries: t.Array(t.Record(t.String(), t.Unknown()), { description: "Webhook messages that carried their data" }),
    queuedJobs: t.Array(t.Record(t.String(), t.Unknown()), { description: "Job payloads that mention the address" }),
    account: t.Nullable(t.Record(t.String(), t.Unknown())),
  },
);

export const ErasureReceipt = t.Object({
  subjectHash: t.String({ description: "Keyed hash of the address: how the audit log refers to it" }),
  erasedAt: t.String({ format: "date-time" }),
  reason: t.String(),
  futureSessionsCancelled: t.Array(t.Integer(), { description: "Booking ids cancelled first (mentor notified, Google and Cal.com told)" }),
  bookingsAnonymised: t.Integer(),
  historyEntriesScrubbed: t.Integer(),
  ratingsAnonymised: t.Integer({ description: "Kept (they still count in averages) without address or comment" }),
  emailsDeleted: t.Integer(),
  analyticsEventsAnonymised: t.Integer(),
  webhookDeliveriesScrubbed: t.Integer(),
  jobsDeleted: t.Integer(),
  idempotencyRecordsDeleted: t.Integer(),
  mentorAccount: t.Boolean(),
});

export const MentorExport = t.Record(t.String(), t.Unknown());
export const MentorErasure = t.Object({
  mentorProfileId: t.String(),
  erasedAt: t.String({ format: "date-time" }),
  alreadyErased: t.Boolean(),
  reason: t.Optional(t.String()),
  emailsDeleted: t.Integer(),
  jobsDeleted: t.Integer(),
  webhookDeliveriesScrubbed: t.Optional(t.Integer()),
});

export const ErasureRequested = t.Object({
  sentTo: t.String({ description: "The address the confirmation link went to, partly masked", examples: ["l***@lycee.fr"] }),
  expiresInHours: t.Integer(),
});
