import { jsonb, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { studentProfiles } from "./student-profiles.ts";

/** Local wall-clock range "HH:MM"-"HH:MM" (end may be "24:00"). */
export interface StoredTimeRange {
  start: string;
  end: string;
}

/**
 * A mentor's availability in their IANA zone (Property 5: stored and returned exactly). The rules are small,
 * always read and written whole and validated by server/scheduling/validate.ts, hence JSON columns.
 */
export const mentorSchedules = pgTable("mentor_schedules", {
  studentProfileId: text("student_profile_id")
    .primaryKey()
    .references(() => studentProfiles.id, { onDelete: "cascade" }),
  timeZone: varchar("time_zone", { length: 64 }).notNull(),
  weekly: jsonb("weekly").$type<{ weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7; ranges: StoredTimeRange[] }[]>().notNull().default([]),
  overrides: jsonb("overrides").$type<{ date: string; ranges: StoredTimeRange[] }[]>().notNull().default([]),
  outOfOffice: jsonb("out_of_office").$type<{ start: string; end: string }[]>().notNull().default([]),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type MentorSchedule = typeof mentorSchedules.$inferSelect;
