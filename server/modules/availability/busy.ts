import { and, eq, gt, lt, ne, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bound, prebuiltSql } from "../../../db/prebuilt.ts";
import { bookings, calendarBusy } from "../../../db/schema/index.ts";
import type { Interval, Schedule } from "../../scheduling/types.ts";

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

/** A slot a visitor holds while filling the booking form (holds/service.ts), live at the time it was read. */
export interface LiveHold {
  start: number;
  expiresAt: number;
  visitorId: string;
}

/** What the engine needs for one mentor: their account's zone, their schedule (null: none) and busy times. */
export interface MentorSlotInputs {
  userZone: string;
  schedule: Schedule | null;
  busy: Interval[];
  /** The mentor's live holds, when asked for (`holdsAt`). */
  liveHolds?: LiveHold[];
}

const epochMs = (column: SQL) => sql`floor(extract(epoch from ${column}) * 1000)`;

/**
 * loadBusy plus the mentor's zone and schedule, in one statement (null when the profile does not exist): a booking's
 * check and an uncached availability answer each cost one round trip instead of four (profile, schedule, bookings,
 * calendar busy times). With `holdsAt`, the holds live at that instant too: an uncached answer then needs no second
 * statement for the slots other visitors hold. Built once per database (db/prebuilt.ts); run on the pool or a
 * transaction.
 */
export function createSlotInputsReader(db: Database) {
  const lo = sql`${bound("from")}::timestamptz`;
  const hi = sql`${bound("to")}::timestamptz`;
  const statement = prebuiltSql(
    db,
    "mentor_slot_inputs",
    sql`
    select u.time_zone as "userZone", s.time_zone as "timeZone", s.weekly, s.overrides, s.out_of_office as "outOfOffice",
      (select coalesce(json_agg(json_build_array(${epochMs(sql`b.start_time`)}, ${epochMs(sql`b.end_time`)})), '[]'::json)
         from bookings b
        where b.student_profile_id = p.id and b.status = 'ACCEPTED' and b.start_time < ${hi} and b.end_time > ${lo}
          and (${bound("exclude")}::int is null or b.id <> ${bound("exclude")}::int)) as booked,
      (select coalesce(json_agg(json_build_array(${epochMs(sql`c.start_time`)}, ${epochMs(sql`c.end_time`)})), '[]'::json)
         from calendar_busy c
        where c.student_profile_id = p.id and c.start_time < ${hi} and c.end_time > ${lo}) as external,
      (select coalesce(json_agg(json_build_array(${epochMs(sql`h.start_time`)}, ${epochMs(sql`h.expires_at`)}, h.visitor_id)), '[]'::json)
         from slot_holds h
        where ${bound("holdsAt")}::timestamptz is not null and h.student_profile_id = p.id and h.expires_at > ${bound("holdsAt")}::timestamptz) as holds
    from student_profiles p
    join users u on u.id = p.user_id
    left join mentor_schedules s on s.student_profile_id = p.id
    where p.id = ${bound("id")}`,
  );
  return async function loadSlotInputs(
    executor: Database,
    studentProfileId: string,
    from: Date,
    to: Date,
    excludeBookingId?: number,
    holdsAt?: Date,
  ): Promise<MentorSlotInputs | null> {
    const result = await statement.on(executor, {
      id: studentProfileId,
      from: from.toISOString(),
      to: to.toISOString(),
      exclude: excludeBookingId ?? null,
      holdsAt: holdsAt?.toISOString() ?? null,
    });
    const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as {
      userZone: string;
      timeZone: string | null;
      weekly: Schedule["weekly"];
      overrides: Schedule["overrides"];
      outOfOffice: Schedule["outOfOffice"];
      booked: [number | string, number | string][] | string;
      external: [number | string, number | string][] | string;
      holds: [number | string, number | string, string][] | string;
    }[];
    const row = rows[0];
    if (!row) return null;
    // The JSON aggregates come parsed or as text, depending on the driver.
    const array = <T>(v: T[] | string): T[] => (typeof v === "string" ? (JSON.parse(v) as T[]) : v);
    const busy = [...array(row.booked), ...array(row.external)].map(([start, end]) => ({ start: Number(start), end: Number(end) }));
    const schedule =
      row.timeZone === null ? null : { timeZone: row.timeZone, weekly: row.weekly, overrides: row.overrides, outOfOffice: row.outOfOffice };
    if (!holdsAt) return { userZone: row.userZone, schedule, busy };
    const liveHolds = array(row.holds).map(([start, expiresAt, visitorId]) => ({ start: Number(start), expiresAt: Number(expiresAt), visitorId }));
    return { userZone: row.userZone, schedule, busy, liveHolds };
  };
}
