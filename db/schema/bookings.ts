import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { studentProfiles } from "./student-profiles.ts";

export const bookingStatuses = ["ACCEPTED", "CANCELLED", "COMPLETED"] as const;
export type BookingStatus = (typeof bookingStatuses)[number];
export const bookingStatus = pgEnum("booking_status", bookingStatuses);

export const meetingProviders = ["jitsi", "google_meet", "calcom"] as const;
export type MeetingProvider = (typeof meetingProviders)[number];

/**
 * A 15-minute session. Double booking is impossible in the database: migration 0002 adds
 * EXCLUDE USING gist (student_profile_id WITH =, tstzrange(start_time, end_time, '[)') WITH &&) WHERE status = 'ACCEPTED'.
 */
export const bookings = pgTable(
  "bookings",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    studentProfileId: text("student_profile_id")
      .notNull()
      .references(() => studentProfiles.id, { onDelete: "cascade" }),
    startTime: timestamp("start_time", { withTimezone: true }).notNull(),
    endTime: timestamp("end_time", { withTimezone: true }).notNull(),
    status: bookingStatus("status").notNull().default("ACCEPTED"),
    prospectiveName: varchar("prospective_name", { length: 120 }).notNull(),
    prospectiveEmail: varchar("prospective_email", { length: 254 }).notNull(),
    question: text("question"),
    prospectiveTimeZone: varchar("prospective_time_zone", { length: 64 }),
    prospectiveLocale: varchar("prospective_locale", { length: 2 }).notNull().default("fr"),
    meetingUrl: text("meeting_url").notNull(),
    meetingProvider: varchar("meeting_provider", { length: 16 }).$type<MeetingProvider>().notNull(),
    calendarEventId: text("calendar_event_id"),
    externalUid: text("external_uid"),
    cancellationReason: text("cancellation_reason"),
    cancelledBy: varchar("cancelled_by", { length: 16 }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Property 8: every session lasts exactly 15 minutes, starting on a quarter hour.
    check("bookings_duration_15_minutes", sql`${t.endTime} = ${t.startTime} + interval '15 minutes'`),
    check(
      "bookings_quarter_hour",
      sql`extract(second from ${t.startTime}) = 0 and extract(minute from ${t.startTime})::int % 15 = 0`,
    ),
    check("bookings_name_not_blank", sql`length(btrim(${t.prospectiveName})) > 0`),
    check("bookings_email_format", sql`${t.prospectiveEmail} ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`),
    check("bookings_question_len", sql`${t.question} is null or char_length(${t.question}) <= 500`),
    check("bookings_locale_known", sql`${t.prospectiveLocale} in ('fr', 'en')`),
    check("bookings_cancelled_fields", sql`(${t.status} = 'CANCELLED') = (${t.cancelledAt} is not null)`),
    uniqueIndex("bookings_meeting_url_key").on(t.meetingUrl),
    uniqueIndex("bookings_external_uid_key").on(t.externalUid),
    index("bookings_mentor_start_idx").on(t.studentProfileId, t.startTime),
    index("bookings_accepted_end_idx").on(t.endTime).where(sql`status = 'ACCEPTED'`),
    // The per-address limits count an address's upcoming sessions on every booking (bookings/abuse-limits.ts): without
    // this, each count read every upcoming session of the platform (50,000 in the bench seed).
    index("bookings_accepted_email_idx").on(sql`lower(${t.prospectiveEmail})`, t.endTime).where(sql`status = 'ACCEPTED'`),
    // Statistics over a date range (trends, platform stats, CSV export) read sessions by start time.
    index("bookings_start_idx").on(t.startTime, t.status),
  ],
);
export type Booking = typeof bookings.$inferSelect;

/** Every transition of a booking, for audit and for the e-mails and webhooks that follow. */
export const bookingHistory = pgTable(
  "booking_history",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    bookingId: integer("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    action: varchar("action", { length: 16 }).$type<"created" | "cancelled" | "rescheduled" | "completed">().notNull(),
    fromStatus: bookingStatus("from_status"),
    toStatus: bookingStatus("to_status").notNull(),
    oldStartTime: timestamp("old_start_time", { withTimezone: true }),
    newStartTime: timestamp("new_start_time", { withTimezone: true }),
    actor: varchar("actor", { length: 120 }).notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("booking_history_booking_idx").on(t.bookingId, t.id)],
);

/** Idempotency-Key replays: the first response is kept and returned again; nothing is created twice. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: varchar("scope", { length: 160 }).notNull(),
    key: varchar("key", { length: 200 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    responseStatus: integer("response_status").notNull(),
    responseBody: jsonb("response_body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
