/**
 * Test set-up shared by the ratings, statistics and export suites: bookings written straight to the table (many
 * per property run, in any state, at any past instant), which the booking API would only produce through hours of
 * clock moves. The table's own constraints still apply (quarter hours, 15 minutes, no overlap while ACCEPTED).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { type BookingStatus, bookings } from "../../../db/schema/index.ts";

export interface DirectBooking {
  profileId: string;
  /** Start instant (ms), on a quarter hour. */
  start: number;
  status: BookingStatus;
  email?: string;
  name?: string;
  question?: string | null;
}

let seq = 0;

/** Inserts the bookings in one statement and returns their ids in the same order. */
export async function insertBookings(db: Database, rows: DirectBooking[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const tag = `${Date.now().toString(36)}-${++seq}`;
  const inserted = await db
    .insert(bookings)
    .values(
      rows.map((r, i) => ({
        studentProfileId: r.profileId,
        startTime: new Date(r.start),
        endTime: new Date(r.start + 15 * 60_000),
        status: r.status,
        prospectiveName: r.name ?? "Lucas Martin",
        prospectiveEmail: r.email ?? "lucas.martin@lycee.fr",
        question: r.question ?? null,
        meetingUrl: `https://meet.jit.si/thotis-test-${tag}-${i}`,
        meetingProvider: "jitsi" as const,
        cancelledAt: r.status === "CANCELLED" ? new Date(r.start - 86_400_000) : null,
        cancelledBy: r.status === "CANCELLED" ? "student" : null,
        completedAt: r.status === "COMPLETED" ? new Date(r.start + 15 * 60_000) : null,
      })),
    )
    .returning({ id: bookings.id });
  return inserted.map((r) => r.id);
}

/** Forgets every rating and booking and zeroes the counters (between property runs). */
export async function clearBookings(db: Database): Promise<void> {
  await db.execute(sql`delete from session_ratings`);
  await db.execute(sql`delete from booking_history`);
  await db.execute(sql`delete from bookings`);
  await db.execute(
    sql`update student_profiles set total_sessions = 0, completed_sessions = 0, cancelled_sessions = 0, average_rating = null, total_ratings = 0`,
  );
}
