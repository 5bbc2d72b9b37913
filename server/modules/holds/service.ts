import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bound, prebuilt } from "../../../db/prebuilt.ts";
import { slotHolds, studentProfiles } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { badRequest, conflict, ErrorCode, notFound } from "../../lib/errors.ts";
import { pipelined, send } from "../../lib/pipelined.ts";
import { sqlState } from "../../plugins/errors.ts";
import { SLOT_MINUTES } from "../../scheduling/engine.ts";
import type { Cache } from "../../store/cache.ts";
import type { LiveHold } from "../availability/busy.ts";
import { availabilityNamespace, type AvailabilityService } from "../availability/service.ts";
import type { SlotsEvent } from "../live/bus.ts";

/** How long a chosen slot is kept for the visitor filling the form. */
export const HOLD_MINUTES = 5;
const SLOT_MS = SLOT_MINUTES * 60_000;


/** A hold a booking let go of on another mentor (the booker's earlier choice): told after the booking commits. */
export interface ReleasedHold {
  studentProfileId: string;
  start: Date;
}

export interface Hold {
  id: string;
  studentProfileId: string;
  start: string;
  expiresAt: string;
}

/**
 * Slot holds. Every question "is this slot held?" is a query with `expires_at > now` (now from the injectable Clock),
 * so a hold ends at its expiry in every process at once and nothing has to sweep it. Races are settled by the
 * database: the unique index on (mentor, start) makes two visitors' holds of one slot one row, and a booking deletes
 * the slot's hold row in its own transaction (waiting on, then seeing, any concurrent hold of that slot).
 * Reads of a mentor's live holds (every availability answer) come from the cache, under the mentor's availability
 * namespace: every committed change of a hold or a booking bumps it before widgets are told.
 */
export function createHoldService(deps: {
  db: Database;
  clock: Clock;
  cache: Cache;
  availability: AvailabilityService;
  /** Told after commit, so open widgets update (live availability). */
  publish?: (event: SlotsEvent) => Promise<void>;
}) {
  const { db, clock, cache, availability } = deps;
  const publish = (event: SlotsEvent) => deps.publish?.(event) ?? Promise.resolve();
  /** After commit: cached answers of the mentor are dropped first, so widgets re-reading on the event see the change. */
  const changed = async (studentProfileId: string, reason: "held" | "released", start: Date) => {
    await cache.bump(availabilityNamespace(studentProfileId));
    await publish({ studentProfileId, reason, start: start.toISOString() });
  };
  // Read on every cache miss of an availability answer (with the cache off, on every answer): built once.
  const liveHolds = prebuilt(db, (d) =>
    d
      .select({ start: slotHolds.startTime, expiresAt: slotHolds.expiresAt, visitorId: slotHolds.visitorId })
      .from(slotHolds)
      .where(and(eq(slotHolds.studentProfileId, bound("studentProfileId")), gt(slotHolds.expiresAt, sql`${bound("now")}::timestamptz`)))
      .prepare("live_slot_holds"),
  );
  const liveHoldsOf = async (studentProfileId: string): Promise<LiveHold[]> => {
    const rows = await liveHolds.on(db, { studentProfileId, now: clock.now().toISOString() });
    return rows.map((r) => ({ start: r.start.getTime(), expiresAt: r.expiresAt.getTime(), visitorId: r.visitorId }));
  };
  // Every booking releases its slot's hold; built once (db/prebuilt.ts).
  const releaseSlot = prebuilt(db, (d) =>
    d
      .delete(slotHolds)
      .where(and(eq(slotHolds.studentProfileId, bound("studentProfileId")), eq(slotHolds.startTime, sql`${bound("start")}::timestamptz`)))
      .returning({ visitorId: slotHolds.visitorId, expiresAt: slotHolds.expiresAt })
      .prepare("release_slot_hold"),
  );

  return {
    /** Holds a free slot for a visitor, replacing that visitor's previous hold (one at a time). */
    async hold(input: { studentProfileId: string; dateTime: string; visitorId: string; holder: string }): Promise<Hold> {
      const start = new Date(input.dateTime);
      if (Number.isNaN(start.getTime())) throw badRequest(ErrorCode.INVALID_INPUT, "dateTime must be an ISO 8601 date-time");
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + HOLD_MINUTES * 60_000);
      let replaced: { studentProfileId: string; startTime: Date }[] = [];
      const row = await db
        .transaction(async (txn) => {
          const tx = txn as unknown as Database;
          const [profile] = await tx.select({ id: studentProfiles.id }).from(studentProfiles).where(eq(studentProfiles.id, input.studentProfileId));
          if (!profile) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${input.studentProfileId} not found`);
          replaced = await tx
            .delete(slotHolds)
            .where(
              and(
                eq(slotHolds.visitorId, input.visitorId),
                sql`not (${slotHolds.studentProfileId} = ${input.studentProfileId} and ${slotHolds.startTime} = ${start.toISOString()}::timestamptz)`,
              ),
            )
            .returning({ studentProfileId: slotHolds.studentProfileId, startTime: slotHolds.startTime, expiresAt: slotHolds.expiresAt })
            .then((rows) => rows.filter((r) => r.expiresAt > now));
          // Takes the slot's row: a live hold of someone else stays as it is and nothing comes back.
          const [held] = await tx
            .insert(slotHolds)
            .values({ studentProfileId: input.studentProfileId, startTime: start, visitorId: input.visitorId, holder: input.holder, expiresAt, createdAt: now })
            .onConflictDoUpdate({
              target: [slotHolds.studentProfileId, slotHolds.startTime],
              set: { id: sql`gen_random_uuid()`, visitorId: input.visitorId, holder: input.holder, expiresAt, createdAt: now },
              setWhere: sql`${slotHolds.expiresAt} <= ${now.toISOString()}::timestamptz or ${slotHolds.visitorId} = ${input.visitorId}`,
            })
            .returning();
          if (!held) throw conflict(ErrorCode.SLOT_HELD, "Another visitor is booking this time slot; choose another one");
          // Checked after taking the row, in a later statement: a booking that committed meanwhile is seen here.
          const free = await availability.freeSlots(tx, input.studentProfileId, start, new Date(start.getTime() + SLOT_MS));
          if (!free.includes(start.getTime())) throw conflict(ErrorCode.BOOKING_CONFLICT, "This time slot is no longer available");
          return held;
        })
        .catch((error) => {
          // The same visitor holding two slots at the same instant (two tabs): one wins, the other is told.
          if (sqlState(error) === "23505") throw conflict(ErrorCode.CONFLICT, "Another hold of this visitor was made at the same time; try again");
          throw error;
        });
      for (const r of replaced) await changed(r.studentProfileId, "released", r.startTime);
      await changed(row.studentProfileId, "held", row.startTime);
      return view(row);
    },

    /** Releases a hold (the visitor changed their mind or left). Only its visitor may; releasing twice is fine. */
    async release(id: string, visitorId: string): Promise<{ released: boolean }> {
      const now = clock.now();
      const [gone] = await db.delete(slotHolds).where(and(eq(slotHolds.id, id), eq(slotHolds.visitorId, visitorId))).returning();
      if (!gone) return { released: false };
      if (gone.expiresAt > now) await changed(gone.studentProfileId, "released", gone.startTime);
      return { released: true };
    },

    /**
     * Inside a booking's transaction: refuses a slot another visitor holds (SLOT_HELD) and removes the slot's hold
     * and the booker's own hold. Deleting the slot's row locks it until the booking commits or rolls back (the hold
     * comes back with the rollback), so the hold's owner books it without a race. Gives the visitor's live holds it
     * let go of on other mentors, for `releasedByBooking` once the booking has committed.
     */
    async claimForBooking(tx: Database, studentProfileId: string, start: Date, visitorId: string | undefined): Promise<ReleasedHold[]> {
      const now = clock.now();
      // The slot's hold and the visitor's other holds are released together (one round trip); a hold of another
      // visitor still live refuses the booking, which rolls both deletes back.
      const [[slotHold], visitorHolds] = await pipelined([
        releaseSlot.on(tx, { studentProfileId, start: start.toISOString() }),
        visitorId
          ? send(
              tx
                .delete(slotHolds)
                .where(eq(slotHolds.visitorId, visitorId))
                .returning({ studentProfileId: slotHolds.studentProfileId, start: slotHolds.startTime, expiresAt: slotHolds.expiresAt }),
            )
          : null,
      ]);
      if (slotHold && slotHold.expiresAt > now && slotHold.visitorId !== visitorId) {
        throw conflict(ErrorCode.SLOT_HELD, "Another visitor is booking this time slot; choose another one");
      }
      // The booked mentor's answers are refreshed by the booking itself.
      return (visitorHolds ?? []).filter((h) => h.expiresAt > now && h.studentProfileId !== studentProfileId).map(({ studentProfileId, start }) => ({ studentProfileId, start }));
    },

    /** After a booking committed: the holds it let go of on other mentors are offered again. */
    async releasedByBooking(released: ReleasedHold[]): Promise<void> {
      for (const r of released) await changed(r.studentProfileId, "released", r.start);
    },

    /**
     * Starts (ms) of this mentor's slots held by visitors other than `visitorId`, live now. From the cache; on a miss,
     * from `read` when it gives them (an availability answer computed for this request reads the live holds in the
     * same statement as its slots), else from their own query, cached. Holds from `read` are used, not cached: that
     * statement may have run before this key's version was read, and a hold taken in between would stay hidden.
     */
    async heldByOthers(studentProfileId: string, visitorId?: string, read?: () => Promise<LiveHold[] | undefined>): Promise<Set<number>> {
      const key = await cache.versioned(availabilityNamespace(studentProfileId), "holds");
      const stored = await cache.peekJson(key);
      const live =
        (stored !== null ? parseHolds(stored) : await read?.()) ??
        (await cache.getOrLoad(key, HOLD_MINUTES * 60, () => liveHoldsOf(studentProfileId))).value;
      // Holds end by the clock: an entry loaded earlier may list some that have expired since.
      const now = clock.now().getTime();
      return new Set(live.filter((h) => h.expiresAt > now && h.visitorId !== visitorId).map((h) => h.start));
    },
  };
}
export type HoldService = ReturnType<typeof createHoldService>;

/** Cached holds; undefined when the entry is not readable (then read again and overwritten, as getOrLoad does). */
function parseHolds(json: string): LiveHold[] | undefined {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? (value as LiveHold[]) : undefined;
  } catch {
    return undefined;
  }
}

const view = (row: typeof slotHolds.$inferSelect): Hold => ({
  id: row.id,
  studentProfileId: row.studentProfileId,
  start: row.startTime.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
});
