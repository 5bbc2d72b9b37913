import { t } from "elysia";
import { limitParam, noOtherProperty, pageParam } from "../../lib/schema.ts";

export const AuditQuery = t.Object(
  {
    page: pageParam,
    limit: limitParam,
    action: t.Optional(t.String({ minLength: 1, maxLength: 48, examples: ["privacy.erase"] })),
    actor: t.Optional(t.String({ minLength: 1, maxLength: 120, examples: ["admin:1"] })),
    subject: t.Optional(t.String({ minLength: 3, maxLength: 254, description: "An e-mail address: entries about it (matched by its keyed hash)" })),
    from: t.Optional(t.String({ format: "date-time", description: "Entries at or after (ISO 8601)" })),
    to: t.Optional(t.String({ format: "date-time", description: "Entries before (ISO 8601)" })),
  },
  { additionalProperties: noOtherProperty },
);

export const AuditEntry = t.Object({
  id: t.Integer(),
  at: t.String({ format: "date-time" }),
  actor: t.String({ examples: ["admin:1"] }),
  role: t.Nullable(t.String()),
  action: t.String({ examples: ["privacy.export"] }),
  target: t.Nullable(t.String()),
  subjectHash: t.Nullable(t.String({ description: "HMAC-SHA256 of the address the action was about (never the address itself)" })),
  ip: t.Nullable(t.String({ examples: ["203.0.113.7"] })),
  details: t.Nullable(t.Record(t.String(), t.Unknown())),
});

export const AuditList = t.Object({ items: t.Array(AuditEntry), total: t.Integer(), page: t.Integer(), limit: t.Integer() });
