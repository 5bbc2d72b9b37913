import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bound, prebuilt, prebuiltSql } from "../../../db/prebuilt.ts";
import { bookings } from "../../../db/schema/index.ts";
import type { Config } from "../../config.ts";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import { pipelined } from "../../lib/pipelined.ts";
import type { KeyValueStore } from "../../store/index.ts";
import type { BookingActor } from "./service.ts";
import { normaliseEmail } from "../../lib/email-address.ts";

/**
 * Limits against slot hoarding (one widget token booked 60 slots of one mentor in 4 s under one e-mail):
 * - one e-mail holds at most BOOKING_MAX_UPCOMING_PER_MENTOR upcoming sessions with a mentor (default 1) and
 *   BOOKING_MAX_UPCOMING_PER_EMAIL upcoming sessions in all (default 3), whoever books;
 * - widget tokens (printed in public pages) may attempt BOOKING_WIDGET_MAX_PER_HOUR bookings an hour per client
 *   address (default 10); integrators and admins book for many people from one server and are not limited per address.
 */
export function createBookingAbuseLimits(deps: { db: Database; store: KeyValueStore; limits: Config["abuse"] }) {
  const { db, store, limits } = deps;
  const lockAddress = prebuiltSql(db, "lock_booking_email", sql`select pg_advisory_xact_lock(hashtextextended(${bound("key")}, 0))`);
  // An address's upcoming sessions, in all and with this mentor; built once (db/prebuilt.ts), run in the booking's
  // transaction. Written so that Postgres settles on the statement's generic plan instead of planning it on every
  // booking (100 µs a time): the status is a literal (a parameter cannot prove the partial index's WHERE), and the
  // time is a filter (as an index condition with an unknown bound, the generic plan looked costlier than custom ones).
  // The index still finds the address's rows, and an address has few.
  const countUpcoming = prebuilt(db, (d) =>
    d
      .select({
        all: sql<number>`count(*) filter (where ${bookings.endTime} > ${bound("now")}::timestamptz)::int`,
        mentor: sql<number>`count(*) filter (where ${bookings.endTime} > ${bound("now")}::timestamptz and ${bookings.studentProfileId} = ${bound("studentProfileId")})::int`,
      })
      .from(bookings)
      .where(sql`${bookings.status} = 'ACCEPTED' and lower(${bookings.prospectiveEmail}) = ${bound("email")}`)
      .prepare("count_upcoming_by_email"),
  );
  const spend = async (prefix: string, clientIp: string | undefined, what: string) => {
    const { value, ttlMs } = await store.incr(`${prefix}:${clientIp ?? "unknown"}`, 3600);
    if (value <= limits.widgetBookingsPerHour) return;
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    throw new AppError(
      429,
      ErrorCode.BOOKING_ADDRESS_LIMIT,
      `At most ${limits.widgetBookingsPerHour} ${what} an hour from one address through the widget; retry in ${seconds} s`,
      { limit: limits.widgetBookingsPerHour, retryAfterSeconds: seconds },
      { "retry-after": String(seconds) },
    );
  };
  return {
    /** Before anything is written: the widget's per-address budget (an atomic counter in the shared store). */
    async beforeCreate(actor: BookingActor, clientIp: string | undefined): Promise<void> {
      if (actor.kind !== "role" || actor.role !== "widget") return;
      await spend("book-ip", clientIp, "bookings");
    },

    /**
     * Slot holds through the widget have the same per-address budget, counted apart: a hold keeps a slot from
     * everyone else just as a booking does, so 10 holds an hour from one address is the ceiling either way, while a
     * visitor's hold followed by its booking still costs each budget once.
     */
    async beforeHold(role: string, clientIp: string | undefined): Promise<void> {
      if (role !== "widget") return;
      await spend("hold-ip", clientIp, "slot holds");
    },

    /**
     * Inside the booking's transaction, before its insert. A transaction-scoped advisory lock on the e-mail makes
     * concurrent bookings of one address take turns, so the count each sees includes the others' committed rows.
     */
    async inTransaction(tx: Database, input: { email: string; studentProfileId: string; now: Date }): Promise<void> {
      const email = normaliseEmail(input.email);
      // The lock and the count go out together: the database runs the count after the lock is granted, so it sees
      // every booking committed by an earlier holder (read committed: a statement's snapshot starts when it runs).
      const [, [counts]] = await pipelined([
        lockAddress.on(tx, { key: `booking-email:${email}` }),
        countUpcoming.on(tx, { email, studentProfileId: input.studentProfileId, now: input.now.toISOString() }),
      ]);
      if ((counts?.mentor ?? 0) >= limits.upcomingPerMentor) {
        throw new AppError(
          409,
          ErrorCode.BOOKING_LIMIT_PER_MENTOR,
          `This e-mail address already has ${limits.upcomingPerMentor === 1 ? "an upcoming session" : `${limits.upcomingPerMentor} upcoming sessions`} with this mentor`,
          { limit: limits.upcomingPerMentor },
        );
      }
      if ((counts?.all ?? 0) >= limits.upcomingPerEmail) {
        throw new AppError(409, ErrorCode.BOOKING_LIMIT_PER_EMAIL, `This e-mail address already has ${limits.upcomingPerEmail} upcoming sessions`, {
          limit: limits.upcomingPerEmail,
        });
      }
    },
  };
}

export type BookingAbuseLimits = ReturnType<typeof createBookingAbuseLimits>;
