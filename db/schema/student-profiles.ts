import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  varchar,
} from "drizzle-orm/pg-core";
import { users } from "./users.ts";

export const academicFields = [
  "LAW",
  "MEDICINE",
  "ENGINEERING",
  "BUSINESS",
  "COMPUTER_SCIENCE",
  "PSYCHOLOGY",
  "EDUCATION",
  "ARTS",
  "SCIENCES",
  "OTHER",
] as const;
export type AcademicField = (typeof academicFields)[number];
export const academicField = pgEnum("academic_field", academicFields);

/**
 * A mentor's public profile. The academic fields and bio may be missing while a profile is being
 * set up (imported rosters, onboarding); such a profile is `is_complete = false` and is never listed
 * nor bookable. Whatever is present must satisfy the design document's validation rules, enforced
 * here as CHECK constraints as well as by the API.
 */
export const studentProfiles = pgTable(
  "student_profiles",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: "cascade" }),
    university: varchar("university", { length: 200 }),
    degree: varchar("degree", { length: 200 }),
    field: academicField("field"),
    currentYear: integer("current_year"),
    bio: text("bio"),
    profilePhotoUrl: text("profile_photo_url"),
    linkedInUrl: text("linked_in_url"),
    isActive: boolean("is_active").notNull().default(true),
    isComplete: boolean("is_complete")
      .notNull()
      .generatedAlwaysAs(
        sql`university is not null and degree is not null and field is not null and current_year is not null and bio is not null`,
      ),
    totalSessions: integer("total_sessions").notNull().default(0),
    completedSessions: integer("completed_sessions").notNull().default(0),
    cancelledSessions: integer("cancelled_sessions").notNull().default(0),
    averageRating: numeric("average_rating", { precision: 3, scale: 2, mode: "number" }),
    totalRatings: integer("total_ratings").notNull().default(0),
    // Free-slot summary kept by the availability service (bookings, schedule changes, busy syncs, the passing
    // of time), so discovery can filter and sort 10,000 mentors without computing anyone's slots.
    freeSlots7d: integer("free_slots_7d").notNull().default(0),
    freeSlots30d: integer("free_slots_30d").notNull().default(0),
    nextFreeSlotAt: timestamp("next_free_slot_at", { withTimezone: true }),
    availabilityComputedAt: timestamp("availability_computed_at", { withTimezone: true }),
    // Cal.com event type this mentor maps to when SCHEDULING_BACKEND=calcom.
    calcomEventTypeId: integer("calcom_event_type_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Listing order (rating, then number of ratings, then id) straight from the index, with or without a university.
    index("student_profiles_listing_idx")
      .on(t.field, t.averageRating.desc().nullsLast(), t.totalRatings.desc(), t.id)
      .where(sql`is_active and is_complete`),
    index("student_profiles_field_university_idx")
      .on(t.field, t.university, t.averageRating.desc().nullsLast(), t.totalRatings.desc(), t.id)
      .where(sql`is_active and is_complete`),
    // sort=availability, with and without hasAvailability (free_slots_7d > 0), in the query's exact order.
    index("student_profiles_free_slots_idx")
      .on(t.field, t.freeSlots30d.desc(), t.averageRating.desc().nullsLast(), t.totalRatings.desc(), t.id)
      .where(sql`is_active and is_complete`),
    index("student_profiles_available_idx")
      .on(t.field, t.freeSlots30d.desc(), t.averageRating.desc().nullsLast(), t.totalRatings.desc(), t.id)
      .where(sql`is_active and is_complete and free_slots_7d > 0`),
    index("student_profiles_university_idx").on(t.university).where(sql`is_active and is_complete`),
    check("student_profiles_university_len", sql`${t.university} is null or length(btrim(${t.university})) between 1 and 200`),
    check("student_profiles_degree_len", sql`${t.degree} is null or length(btrim(${t.degree})) between 1 and 200`),
    check("student_profiles_current_year_range", sql`${t.currentYear} is null or ${t.currentYear} between 1 and 10`),
    check("student_profiles_bio_len", sql`${t.bio} is null or char_length(${t.bio}) between 50 and 1000`),
    check("student_profiles_photo_https", sql`${t.profilePhotoUrl} is null or ${t.profilePhotoUrl} ~ '^(https://|/media/)'`),
    check(
      "student_profiles_linkedin_format",
      sql`${t.linkedInUrl} is null or ${t.linkedInUrl} ~ '^https://([a-z]{2,3}\\.)?linkedin\\.com/'`,
    ),
    check("student_profiles_rating_range", sql`${t.averageRating} is null or ${t.averageRating} between 1 and 5`),
    check(
      "student_profiles_counters",
      sql`${t.totalSessions} >= 0 and ${t.completedSessions} >= 0 and ${t.cancelledSessions} >= 0 and ${t.totalRatings} >= 0 and ${t.completedSessions} + ${t.cancelledSessions} <= ${t.totalSessions}`,
    ),
  ],
);

export type StudentProfile = typeof studentProfiles.$inferSelect;
export type NewStudentProfile = typeof studentProfiles.$inferInsert;
