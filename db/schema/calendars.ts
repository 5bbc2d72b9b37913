import { index, integer, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { studentProfiles } from "./student-profiles.ts";

/** A mentor's connected Google account. The refresh token is sealed with AES-256-GCM (TOKEN_ENCRYPTION_KEY). */
export const googleConnections = pgTable("google_connections", {
  studentProfileId: text("student_profile_id")
    .primaryKey()
    .references(() => studentProfiles.id, { onDelete: "cascade" }),
  refreshTokenSealed: text("refresh_token_sealed").notNull(),
  calendarId: varchar("calendar_id", { length: 254 }).notNull().default("primary"),
  scope: text("scope"),
  connectedAt: timestamp("connected_at", { withTimezone: true }).notNull().defaultNow(),
  lastSyncAt: timestamp("last_sync_at", { withTimezone: true }),
  lastError: text("last_error"),
});

/** Busy times read from a mentor's outside calendar; replaced whole for the synced window on every sync. */
export const calendarBusy = pgTable(
  "calendar_busy",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    studentProfileId: text("student_profile_id")
      .notNull()
      .references(() => studentProfiles.id, { onDelete: "cascade" }),
    startTime: timestamp("start_time", { withTimezone: true }).notNull(),
    endTime: timestamp("end_time", { withTimezone: true }).notNull(),
    source: varchar("source", { length: 16 }).notNull().default("google"),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("calendar_busy_mentor_idx").on(t.studentProfileId, t.startTime)],
);
