import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { bookings } from "./bookings.ts";
import { studentProfiles } from "./student-profiles.ts";
import { users } from "./users.ts";

export const ratingReviews = ["pending", "kept", "hidden"] as const;
export type RatingReview = (typeof ratingReviews)[number];

/** One rating per completed booking (Property 20); ratings under 3 are flagged for review (Property 42). */
export const sessionRatings = pgTable(
  "session_ratings",
  {
    id: text("id").primaryKey(),
    bookingId: integer("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    studentProfileId: text("student_profile_id")
      .notNull()
      .references(() => studentProfiles.id, { onDelete: "cascade" }),
    rating: integer("rating").notNull(),
    feedback: text("feedback"),
    prospectiveEmail: varchar("prospective_email", { length: 254 }).notNull(),
    flagged: boolean("flagged").notNull().default(false),
    // Moderation of flagged ratings: pending until an admin keeps or hides it. Hidden ratings leave the average.
    review: varchar("review", { length: 16 }).$type<RatingReview>().notNull().default("kept"),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewedBy: integer("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("session_ratings_booking_key").on(t.bookingId),
    index("session_ratings_profile_idx").on(t.studentProfileId, t.createdAt),
    index("session_ratings_flagged_idx").on(t.createdAt).where(sql`flagged`),
    check("session_ratings_range", sql`${t.rating} between 1 and 5`),
    check("session_ratings_feedback_len", sql`${t.feedback} is null or char_length(${t.feedback}) <= 500`),
    check("session_ratings_flag_rule", sql`${t.flagged} = (${t.rating} < 3)`),
    check("session_ratings_review_known", sql`${t.review} in ('pending', 'kept', 'hidden')`),
  ],
);
export type SessionRating = typeof sessionRatings.$inferSelect;
