import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { bookings } from "./bookings.ts";

export const emailStatuses = ["queued", "sent", "failed"] as const;
export type EmailStatus = (typeof emailStatuses)[number];

/**
 * Every e-mail the platform sends, rendered. With the embedded provider this table is the mailbox admins read;
 * with Resend it is the delivery record. dedupe_key (event + recipient) guarantees one message per event.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    dedupeKey: text("dedupe_key").notNull(),
    kind: varchar("kind", { length: 32 }).notNull(),
    bookingId: integer("booking_id").references(() => bookings.id, { onDelete: "set null" }),
    toAddress: varchar("to_address", { length: 254 }).notNull(),
    toName: varchar("to_name", { length: 120 }),
    locale: varchar("locale", { length: 2 }).notNull().default("fr"),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    attachments: jsonb("attachments").$type<{ filename: string; contentType: string; content: string }[]>(),
    status: varchar("status", { length: 16 }).$type<EmailStatus>().notNull().default("queued"),
    provider: varchar("provider", { length: 16 }).notNull(),
    providerMessageId: text("provider_message_id"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("email_outbox_dedupe_key").on(t.dedupeKey),
    index("email_outbox_created_idx").on(t.createdAt),
    index("email_outbox_booking_idx").on(t.bookingId),
    check("email_outbox_status_known", sql`${t.status} in ('queued', 'sent', 'failed')`),
  ],
);
export type EmailMessage = typeof emailOutbox.$inferSelect;
