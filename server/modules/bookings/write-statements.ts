import { eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bound, prebuilt } from "../../../db/prebuilt.ts";
import { type Booking as BookingRow, bookingHistory, bookings, studentProfiles } from "../../../db/schema/index.ts";
import { HORIZON_DAYS } from "../../scheduling/engine.ts";

/**
 * The statements every booking sends, built once (db/prebuilt.ts). Values are bound as they are given, so they are
 * passed in the driver's terms: dates as ISO strings, JSON as text, absent values as null.
 */
const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

const bookingColumns = [
  "id",
  "studentProfileId",
  "startTime",
  "endTime",
  "status",
  "prospectiveName",
  "prospectiveEmail",
  "question",
  "prospectiveTimeZone",
  "prospectiveLocale",
  "meetingUrl",
  "meetingProvider",
  "calendarEventId",
  "externalUid",
  "cancellationReason",
  "cancelledBy",
  "cancelledAt",
  "completedAt",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof BookingRow)[];

export function createBookingWriteStatements(db: Database) {
  /** A mentor's bookability with the ids the booking and its history row will carry (see bookableProfile). */
  const bookable = prebuilt(db, (d) =>
    d
      .select({
        isActive: studentProfiles.isActive,
        isComplete: studentProfiles.isComplete,
        // The identity columns' sequences, named in migration 0001 (pg_get_serial_sequence cost a catalog look-up each).
        bookingId: sql<number>`nextval('bookings_id_seq')::int`,
        historyId: sql<number>`nextval('booking_history_id_seq')::int`,
      })
      .from(studentProfiles)
      .where(eq(studentProfiles.id, bound("id")))
      .limit(1)
      .prepare("bookable_profile"),
  );

  const insertBooking = prebuilt(db, (d) =>
    d
      .insert(bookings)
      .overridingSystemValue()
      .values(Object.fromEntries(bookingColumns.map((column) => [column, bound(column)])) as unknown as typeof bookings.$inferInsert)
      .prepare("insert_booking"),
  );

  const insertHistory = prebuilt(db, (d) =>
    d
      .insert(bookingHistory)
      .overridingSystemValue()
      .values({
        id: bound("id"),
        bookingId: bound("bookingId"),
        action: bound("action"),
        fromStatus: bound("fromStatus"),
        toStatus: bound("toStatus"),
        oldStartTime: bound("oldStartTime"),
        newStartTime: bound("newStartTime"),
        actor: bound("actor"),
        data: bound("data"),
        at: bound("at"),
      } as unknown as typeof bookingHistory.$inferInsert)
      .prepare("insert_booking_history"),
  );

  // The counter and the free-slot summary after booking `at`: relative to the stored values, so bookings of the same
  // mentor committing together each take their slot off; `next` replaces the next free slot only when it was `at`.
  const at = sql`${sql.placeholder("at")}::timestamptz`;
  const counted = (days: number) =>
    sql`case when ${studentProfiles.availabilityComputedAt} is not null and ${at} < ${studentProfiles.availabilityComputedAt} + interval '${sql.raw(String(days))} days' then 1 else 0 end`;
  const countBooking = prebuilt(db, (d) =>
    d
      .update(studentProfiles)
      .set({
        totalSessions: sql`${studentProfiles.totalSessions} + 1`,
        freeSlots30d: sql`greatest(${studentProfiles.freeSlots30d} - ${counted(HORIZON_DAYS)}, 0)`,
        freeSlots7d: sql`greatest(${studentProfiles.freeSlots7d} - ${counted(7)}, 0)`,
        nextFreeSlotAt: sql`case when ${studentProfiles.nextFreeSlotAt} = ${at} then ${sql.placeholder("next")}::timestamptz else ${studentProfiles.nextFreeSlotAt} end`,
      })
      .where(eq(studentProfiles.id, bound("id")))
      .prepare("count_booking"),
  );

  return {
    bookable: (executor: Database, studentProfileId: string) => bookable.on(executor, { id: studentProfileId }),

    insertBooking: (executor: Database, row: BookingRow) =>
      insertBooking.on(
        executor,
        Object.fromEntries(bookingColumns.map((column) => [column, row[column] instanceof Date ? (row[column] as Date).toISOString() : row[column]])),
      ),

    insertHistory: (executor: Database, entry: typeof bookingHistory.$inferInsert & { id: number; at: Date }) =>
      insertHistory.on(executor, {
        id: entry.id,
        bookingId: entry.bookingId,
        action: entry.action,
        fromStatus: entry.fromStatus ?? null,
        toStatus: entry.toStatus,
        oldStartTime: iso(entry.oldStartTime),
        newStartTime: iso(entry.newStartTime),
        actor: entry.actor,
        data: entry.data === undefined || entry.data === null ? null : JSON.stringify(entry.data),
        at: entry.at.toISOString(),
      }),

    /** One session more for the mentor, and one free slot fewer in the summary (`next`: the next free slot after it). */
    countBooking: (executor: Database, studentProfileId: string, start: Date, next: Date | null) =>
      countBooking.on(executor, { id: studentProfileId, at: start.toISOString(), next: iso(next) }),
  };
}
