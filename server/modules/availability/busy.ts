import { and, eq, gt, lt, ne, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bookings, calendarBusy } from "../../../db/schema/index.ts";
import type { Interval } from "../../scheduling/types.ts";

/**
 * Everything that blocks a mentor's slots in [from, to): accepted bookings (except the one being rescheduled,
 * Property 34) and busy times synced from their outside calendar (Property 6). Out-of-office periods and
 * overrides are part of the schedule itself.
 */
export async function loadBusy(
  db: Database,
  studentProfileId: string,
  from: Date,
  to: Date,
  excludeBookingId?: number,
): Promise<Interval[]> {
  const bookingConditions = [
    eq(bookings.studentProfileId, studentProfileId),
    eq(bookings.status, "ACCEPTED"),
    lt(bookings.startTime, to),
    gt(bookings.endTime, from),
  ];
  if (excludeBookingId !== undefined) bookingConditions.push(ne(bookings.id, excludeBookingId));
  const [booked, external] = await Promise.all([
    db.select({ start: bookings.startTime, end: bookings.endTime }).from(bookings).where(and(...bookingConditions)),
    db
      .select({ start: calendarBusy.startTime, end: calendarBusy.endTime })
      .from(calendarBusy)
      .where(and(eq(calendarBusy.studentProfileId, studentProfileId), lt(calendarBusy.startTime, to), gt(calendarBusy.endTime, from))),
  ]);
  return [...booked, ...external].map((b) => ({ start: b.start.getTime(), end: b.end.getTime() }));
}

/** Busy intervals of many mentors at once, for the periodic summary refresh. */
export async function loadBusyForMany(db: Database, ids: string[], from: Date, to: Date): Promise<Map<string, Interval[]>> {
  const result = new Map<string, Interval[]>();
  if (ids.length === 0) return result;
  const idList = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  const [booked, external] = await Promise.all([
    db
      .select({ id: bookings.studentProfileId, start: bookings.startTime, end: bookings.endTime })
      .from(bookings)
      .where(and(sql`${bookings.studentProfileId} in (${idList})`, eq(bookings.status, "ACCEPTED"), lt(bookings.startTime, to), gt(bookings.endTime, from))),
    db
      .select({ id: calendarBusy.studentProfileId, start: calendarBusy.startTime, end: calendarBusy.endTime })
      .from(calendarBusy)
      .where(and(sql`${calendarBusy.studentProfileId} in (${idList})`, lt(calendarBusy.startTime, to), gt(calendarBusy.endTime, from))),
  ]);
  for (const row of [...booked, ...external]) {
    let list = result.get(row.id);
    if (!list) result.set(row.id, (list = []));
    list.push({ start: row.start.getTime(), end: row.end.getTime() });
  }
  return result;
}
