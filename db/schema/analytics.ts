import { index, integer, jsonb, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";

export const analyticsEventNames = [
  "widget_opened",
  "profile_viewed",
  "availability_viewed",
  "slot_chosen",
  "booking_created",
  "booking_cancelled",
  "rating_submitted",
] as const;
export type AnalyticsEventName = (typeof analyticsEventNames)[number];

/** Product analytics, always recorded here; also forwarded to Mixpanel when MIXPANEL_TOKEN is set. */
export const analyticsEvents = pgTable(
  "analytics_events",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    name: varchar("name", { length: 32 }).$type<AnalyticsEventName>().notNull(),
    distinctId: varchar("distinct_id", { length: 128 }),
    studentProfileId: text("student_profile_id"),
    bookingId: integer("booking_id"),
    properties: jsonb("properties").$type<Record<string, unknown>>(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("analytics_events_name_at_idx").on(t.name, t.at)],
);
export type AnalyticsEvent = typeof analyticsEvents.$inferSelect;
