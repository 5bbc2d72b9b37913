import { index, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { studentProfiles } from "./student-profiles.ts";

/**
 * A slot kept for one widget visitor while they fill the form (issue 17). A hold counts only while
 * `expires_at > now`: every query says so, so an expired row is simply ignored (and overwritten by the next hold of
 * that slot); no timer in any process has to remove it. One row per slot (the unique index settles two visitors
 * racing for it) and one per visitor (one hold at a time).
 */
export const slotHolds = pgTable(
  "slot_holds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    studentProfileId: text("student_profile_id")
      .notNull()
      .references(() => studentProfiles.id, { onDelete: "cascade" }),
    startTime: timestamp("start_time", { withTimezone: true }).notNull(),
    visitorId: varchar("visitor_id", { length: 128 }).notNull(),
    /** The token subject that created it (the host site's widget token), for audit and abuse limits. */
    holder: varchar("holder", { length: 200 }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("slot_holds_slot_key").on(t.studentProfileId, t.startTime),
    uniqueIndex("slot_holds_visitor_key").on(t.visitorId),
    index("slot_holds_expires_idx").on(t.expiresAt),
  ],
);
export type SlotHold = typeof slotHolds.$inferSelect;
