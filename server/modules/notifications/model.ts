import { t } from "elysia";
import { emailStatuses } from "../../../db/schema/index.ts";
import { enumOf, limitParam, noOtherProperty, pageParam } from "../../lib/schema.ts";
import { emailKinds } from "./templates/render.ts";

export const EmailListQuery = t.Object(
  {
    page: pageParam,
    limit: limitParam,
    status: t.Optional(enumOf(emailStatuses, { description: "queued (not sent yet, or retrying), sent, failed (gave up)" })),
    bookingId: t.Optional(t.Integer({ minimum: 1 })),
    to: t.Optional(t.String({ minLength: 1, maxLength: 254, description: "Part of the recipient's address (case-insensitive)" })),
  },
  { additionalProperties: noOtherProperty },
);

export const EmailIdParams = t.Object({ id: t.Integer({ minimum: 1, examples: [42] }) });

const summaryFields = {
  id: t.Integer(),
  kind: t.String({ description: emailKinds.join(", "), examples: ["booking_confirmation"] }),
  bookingId: t.Nullable(t.Integer()),
  to: t.String({ examples: ["lucas.martin@lycee.fr"] }),
  toName: t.Nullable(t.String()),
  locale: t.String({ examples: ["fr"] }),
  subject: t.String(),
  status: enumOf(emailStatuses),
  provider: t.String({ description: "outbox (embedded, nothing leaves the machine) or resend", examples: ["outbox"] }),
  providerMessageId: t.Nullable(t.String({ description: "Resend's message id once sent through Resend" })),
  attempts: t.Integer(),
  lastError: t.Nullable(t.String()),
  createdAt: t.String({ format: "date-time" }),
  sentAt: t.Nullable(t.String({ format: "date-time" })),
};

export const EmailSummary = t.Object(summaryFields);

export const EmailList = t.Object({
  items: t.Array(EmailSummary),
  total: t.Integer({ description: "Messages matching the filters, all pages together" }),
  page: t.Integer(),
  limit: t.Integer(),
});

export const EmailDetail = t.Object({
  ...summaryFields,
  html: t.String(),
  text: t.String(),
  attachments: t.Array(t.Object({ filename: t.String({ examples: ["invite.ics"] }), contentType: t.String({ examples: ["text/calendar; method=REQUEST; charset=UTF-8"] }) })),
});
