import { eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bookings, mentorSchedules, studentProfiles, users } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { badRequest, ErrorCode, notFound } from "../../lib/errors.ts";
import { computeSlots, HORIZON_DAYS, MIN_NOTICE_MINUTES, SLOT_MINUTES } from "../../scheduling/engine.ts";
import { joinPieces, type Piece } from "../../lib/gzip-pieces.ts";
import { parseInstant } from "../../scheduling/parse.ts";
import type { Schedule } from "../../scheduling/types.ts";
import { validateSchedule } from "../../scheduling/validate.ts";
import type { Cache } from "../../store/index.ts";
import { isTimeZone } from "../users/model.ts";
import { compactSlots, slotDayPieces, utcIso } from "./answer-text.ts";
import { createSlotInputsReader, type LiveHold, loadBusy, loadBusyForMany } from "./busy.ts";
import type { ScheduleBody, ScheduleResponse } from "./model.ts";

const DAY = 86_400_000;
const SLOT_MS = SLOT_MINUTES * 60_000;
/** Design document TTL for availability answers (seconds); every change to a mentor's slots bumps their namespace. */
export const AVAILABILITY_TTL = 120;
/** Cache namespace of the listings that filter or sort on free slots (see students/service.ts listingNamespaces). */
export const AVAILABILITY_LISTINGS = "profiles:availability";
/** The cache namespace of one mentor's availability answers and live holds: bumped whenever either changes. */
export const availabilityNamespace = (studentProfileId: string) => `availability:${studentProfileId}`;

export type AvailabilityService = ReturnType<typeof createAvailabilityService>;

/** An outside scheduler that owns some mentors' slots (Cal.com); null means "not this mentor, use the engine". */
export interface ExternalSlots {
  /** `executor`: the transaction the caller is in, if any (reads must go through it). */
  slotsFor(studentProfileId: string, from: Date, to: Date, executor?: Database): Promise<number[] | null>;
}

export function createAvailabilityService({
  db,
  clock,
  cache,
  external,
}: {
  db: Database;
  clock: Clock;
  cache: Cache;
  external?: ExternalSlots;
}) {
  const loadSlotInputs = createSlotInputsReader(db);

  async function loadSchedule(executor: Database, studentProfileId: string): Promise<Schedule | null> {
    const [row] = await executor.select().from(mentorSchedules).where(eq(mentorSchedules.studentProfileId, studentProfileId)).limit(1);
    return row ? scheduleOf(row) : null;
  }

  async function freeSlots(
    executor: Database,
    studentProfileId: string,
    from: Date,
    to: Date,
    excludeBookingId?: number,
  ): Promise<{ slots: number[]; schedule: Schedule | null }> {
    const schedule = await loadSchedule(executor, studentProfileId);
    if (external) {
      const now = clock.now().getTime();
      // The same notice and horizon rules apply whoever computes the slots (Properties 12 and 14).
      const lo = Math.max(from.getTime(), now + MIN_NOTICE_MINUTES * 60_000);
      const hi = Math.min(to.getTime(), now + HORIZON_DAYS * DAY);
      const offered = lo < hi ? await external.slotsFor(studentProfileId, new Date(lo), new Date(hi), executor) : [];
      if (offered !== null) {
        // A slot starting just before hi ends after it: busy times starting in [hi, hi + slot) overlap it too.
        const busy = await loadBusy(executor, studentProfileId, new Date(lo), new Date(hi + SLOT_MS), excludeBookingId);
        const free = offered.filter((s) => !busy.some((b) => b.start < s + SLOT_MS && b.end > s));
        if (excludeBookingId !== undefined) {
          // Cal.com does not offer the booking's own slot; it stays available to the booking being moved.
          const own = await ownSlot(executor, excludeBookingId, studentProfileId);
          if (own !== null && own >= lo && own < hi && !free.includes(own)) free.push(own);
        }
        return { slots: free.sort((a, b) => a - b), schedule };
      }
    }
    if (!schedule) return { slots: [], schedule };
    // The last slot starting before `to` ends up to 15 minutes after it: busy times starting there overlap it too.
    const busy = await loadBusy(executor, studentProfileId, from, new Date(to.getTime() + SLOT_MS), excludeBookingId);
    const slots = computeSlots({ schedule, now: clock.now().getTime(), from: from.getTime(), to: to.getTime(), busy });
    return { slots, schedule };
  }

  /**
   * The engine's free slots with their inputs read in one statement (loadSlotInputs); null when the profile does not
   * exist. Mentors on an outside scheduler go through freeSlots.
   */
  async function freeSlotsAtOnce(
    executor: Database,
    studentProfileId: string,
    from: Date,
    to: Date,
    excludeBookingId?: number,
    holdsAt?: Date,
  ): Promise<{ slots: number[]; schedule: Schedule | null; userZone: string; liveHolds?: LiveHold[] } | null> {
    const inputs = await loadSlotInputs(executor, studentProfileId, from, new Date(to.getTime() + SLOT_MS), excludeBookingId, holdsAt);
    if (!inputs) return null;
    const { schedule, busy, userZone, liveHolds } = inputs;
    if (!schedule) return { slots: [], schedule, userZone, liveHolds };
    return { slots: computeSlots({ schedule, now: clock.now().getTime(), from: from.getTime(), to: to.getTime(), busy }), schedule, userZone, liveHolds };
  }

  async function ownSlot(executor: Database, bookingId: number, studentProfileId: string): Promise<number | null> {
    const [row] = await executor
      .select({ start: bookings.startTime, mentor: bookings.studentProfileId, status: bookings.status })
      .from(bookings)
      .where(eq(bookings.id, bookingId));
    return row && row.mentor === studentProfileId && row.status === "ACCEPTED" ? row.start.getTime() : null;
  }

  /** Recomputes one mentor's free-slot summary; run inside the transaction that changed their slots. */
  async function refreshSummary(executor: Database, studentProfileId: string): Promise<void> {
    const now = clock.now();
    const { slots } = await freeSlots(executor, studentProfileId, now, new Date(now.getTime() + HORIZON_DAYS * DAY));
    await executor
      .update(studentProfiles)
      .set(summaryOf(slots, now.getTime()))
      .where(eq(studentProfiles.id, studentProfileId));
  }

  /**
   * Signals that a mentor's slots changed: their availability answers, their profile and the listings that filter or
   * sort on free slots are recomputed. Other listing pages are kept (their free-slot figures may lag by up to the
   * list TTL): bumping every page on every booking emptied the listing cache under booking load.
   */
  async function slotsChanged(studentProfileId: string): Promise<void> {
    await cache.bump(availabilityNamespace(studentProfileId));
    await cache.invalidate(`profile:${studentProfileId}`);
    await cache.bump(AVAILABILITY_LISTINGS);
  }

  return {
    refreshSummary,
    slotsChanged,

    /** Free slots for booking checks, with the transaction's view of the bookings (one statement on the engine). */
    freeSlots: async (executor: Database, studentProfileId: string, from: Date, to: Date, excludeBookingId?: number) => {
      if (!external) return (await freeSlotsAtOnce(executor, studentProfileId, from, to, excludeBookingId))?.slots ?? [];
      return (await freeSlots(executor, studentProfileId, from, to, excludeBookingId)).slots;
    },

    async getSchedule(studentProfileId: string): Promise<ScheduleResponse> {
      const [row] = await db
        .select({ schedule: mentorSchedules, userZone: users.timeZone, id: studentProfiles.id })
        .from(studentProfiles)
        .innerJoin(users, eq(users.id, studentProfiles.userId))
        .leftJoin(mentorSchedules, eq(mentorSchedules.studentProfileId, studentProfiles.id))
        .where(eq(studentProfiles.id, studentProfileId))
        .limit(1);
      if (!row) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
      const s = row.schedule;
      return {
        studentProfileId,
        timeZone: s?.timeZone ?? row.userZone,
        weekly: s?.weekly ?? [],
        overrides: s?.overrides ?? [],
        outOfOffice: s?.outOfOffice ?? [],
        configured: Boolean(s),
        updatedAt: s ? s.updatedAt.toISOString() : null,
      };
    },

    async putSchedule(studentProfileId: string, body: ScheduleBody): Promise<ScheduleResponse> {
      const checked = validateSchedule({ ...body, overrides: body.overrides ?? [], outOfOffice: body.outOfOffice ?? [] });
      if (!checked.ok) {
        const first = checked.issues[0];
        throw badRequest(ErrorCode.INVALID_INPUT, first ? `${first.field}: ${first.message}` : "Invalid schedule", {
          in: "body",
          issues: checked.issues,
        });
      }
      const schedule = checked.schedule;
      await db.transaction(async (tx) => {
        const [profile] = await tx
          .select({ id: studentProfiles.id })
          .from(studentProfiles)
          .where(eq(studentProfiles.id, studentProfileId))
          .for("update");
        if (!profile) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
        const values = {
          timeZone: schedule.timeZone,
          weekly: schedule.weekly,
          overrides: schedule.overrides,
          outOfOffice: schedule.outOfOffice,
          updatedAt: clock.now(),
        };
        await tx
          .insert(mentorSchedules)
          .values({ studentProfileId, ...values })
          .onConflictDoUpdate({ target: mentorSchedules.studentProfileId, set: values });
        await refreshSummary(tx as unknown as Database, studentProfileId);
      });
      await slotsChanged(studentProfileId);
      const [row] = await db.select().from(mentorSchedules).where(eq(mentorSchedules.studentProfileId, studentProfileId));
      return {
        studentProfileId,
        timeZone: row!.timeZone,
        weekly: row!.weekly,
        overrides: row!.overrides,
        outOfOffice: row!.outOfOffice,
        configured: true,
        updatedAt: row!.updatedAt.toISOString(),
      };
    },

    /**
     * Slots in UTC plus the requested zone's wall-clock time, within [now + 2 h, now + 30 days), as the success
     * envelope's JSON text: cached as text and sent as stored (no parse, check or re-serialisation on a hit).
     * `format: "compact"` gives slot starts and the offsets in force instead of one object per slot (see model.ts).
     */
    async getAvailabilityJson(
      studentProfileId: string,
      query: { start?: string; end?: string; timeZone?: string; rescheduleBookingId?: number; format?: "full" | "compact" },
    ): Promise<{ json: string; hit: boolean; pieces?: Piece[]; liveHolds?: LiveHold[] }> {
      const now = clock.now().getTime();
      // The window's far edge on the quarter-hour grid: the engine applies the exact 30-day horizon itself, and a
      // stable `to` keeps the cache key the same for the whole quarter hour.
      const horizon = Math.ceil(now / SLOT_MS) * SLOT_MS + HORIZON_DAYS * DAY;
      // Strict RFC 3339 (the route's date-time format also lets through "2026-02-30T10:00Z", rolled over to March 2,
      // and zone-less forms that Date.parse reads in the server's own zone).
      // Without a start, the window opens at the current quarter hour: slots cannot start before now + 2 h anyway,
      // and a stable window lets the answer be cached for the whole quarter hour.
      const from = query.start ? parseInstant(query.start) : Math.floor(now / SLOT_MS) * SLOT_MS;
      const end = query.end ? parseInstant(query.end) : horizon;
      if (from === null || end === null) {
        throw badRequest(ErrorCode.INVALID_INPUT, "start and end must be ISO 8601 date-times with an offset, e.g. 2026-07-01T08:00:00Z");
      }
      if (query.end && end < from) throw badRequest(ErrorCode.INVALID_INPUT, "end must be after start");
      // Clamped to the 30-day horizon; a window wholly beyond it is empty, not an error.
      const to = Math.max(from, Math.min(end, horizon));
      if (query.timeZone && !isTimeZone(query.timeZone)) {
        throw badRequest(ErrorCode.INVALID_INPUT, `timeZone: "${query.timeZone}" is not an IANA time zone`);
      }
      const compact = query.format === "compact";
      // Every instant in (q - 15 min, q] (q a quarter hour) sees the same slots: the first one is q + 2 h and the last one
      // q + 30 days - 15 min. Rounding down instead would serve an answer computed exactly at q (which still offers
      // q + 2 h) until q + 15 min, when that slot is less than 2 hours ahead (Property 14).
      const key = await cache.versioned(
        availabilityNamespace(studentProfileId),
        `${Math.ceil(now / SLOT_MS)}|${from}|${to}|${query.timeZone ?? ""}|${query.rescheduleBookingId ?? ""}${compact ? "|c" : ""}`,
      );
      // An answer computed here: its pieces, when each day of slots is deflated already (gzip without compressing), and
      // the holds live as its slots were read (not part of the answer: they are applied per visitor after the cache).
      let pieces: Piece[] | undefined;
      let liveHolds: LiveHold[] | undefined;
      const answer = await cache.getOrLoadText(key, AVAILABILITY_TTL, async () => {
        let computed: { slots: number[]; schedule: Schedule | null; userZone: string } | null;
        if (!external) {
          // The profile, its zone, the schedule, the busy times and the live holds in one statement.
          const read = await freeSlotsAtOnce(db, studentProfileId, new Date(from), new Date(to), query.rescheduleBookingId, clock.now());
          computed = read;
          liveHolds = read?.liveHolds;
        } else {
          const [profile] = await db
            .select({ id: studentProfiles.id, userZone: users.timeZone })
            .from(studentProfiles)
            .innerJoin(users, eq(users.id, studentProfiles.userId))
            .where(eq(studentProfiles.id, studentProfileId))
            .limit(1);
          computed = profile ? { ...(await freeSlots(db, studentProfileId, new Date(from), new Date(to), query.rescheduleBookingId)), userZone: profile.userZone } : null;
        }
        if (!computed) return "null";
        const { slots, schedule } = computed;
        const mentorTimeZone = schedule?.timeZone ?? computed.userZone;
        const zone = query.timeZone ?? mentorTimeZone;
        const head = { studentProfileId, timeZone: zone, mentorTimeZone, start: utcIso(from), end: utcIso(to) };
        if (compact) return JSON.stringify({ status: "success", data: { ...head, ...compactSlots(slots, zone) } });
        // Hundreds of slots: written as text, a piece per day (answer-text.ts). Left assembled: the cache flattens what
        // it keeps, and an answer sent once is flattened by its one send (or never, when it goes out as gzip pieces).
        const days = slotDayPieces(slots, zone);
        const all = [`{"status":"success","data":${JSON.stringify(head).slice(0, -1)},"slots":[`, ...days.pieces, "]}}"];
        if (days.deflated) pieces = all;
        return joinPieces(all);
      });
      if (answer.json === "null") throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
      return answer.hit ? answer : { ...answer, pieces, liveHolds };
    },

    /**
     * Recomputes every mentor's summary: the slot grid moves on each quarter hour (the 2-hour notice and the 30-day
     * horizon slide), so the ticker calls this once per quarter hour. Batches keep memory flat at any size.
     */
    async refreshAllSummaries(batchSize = 500): Promise<number> {
      const now = clock.now();
      const to = new Date(now.getTime() + HORIZON_DAYS * DAY);
      let done = 0;
      let after = "";
      for (;;) {
        const schedules = await db
          .select()
          .from(mentorSchedules)
          .where(sql`${mentorSchedules.studentProfileId} > ${after}`)
          .orderBy(mentorSchedules.studentProfileId)
          .limit(batchSize);
        if (schedules.length === 0) break;
        const ids = schedules.map((s) => s.studentProfileId);
        const busy = await loadBusyForMany(db, ids, now, new Date(to.getTime() + SLOT_MS));
        const rows = schedules.map((s) => {
          const slots = computeSlots({
            schedule: { timeZone: s.timeZone, weekly: s.weekly, overrides: s.overrides, outOfOffice: s.outOfOffice },
            now: now.getTime(),
            from: now.getTime(),
            to: to.getTime(),
            busy: busy.get(s.studentProfileId) ?? [],
          });
          return { id: s.studentProfileId, ...summaryOf(slots, now.getTime()) };
        });
        const values = sql.join(
          rows.map(
            (r) =>
              sql`(${r.id}, ${r.freeSlots7d}::int, ${r.freeSlots30d}::int, ${r.nextFreeSlotAt?.toISOString() ?? null}::timestamptz, ${r.availabilityComputedAt.toISOString()}::timestamptz)`,
          ),
          sql`, `,
        );
        await db.execute(sql`
          update student_profiles p set
            free_slots_7d = v.s7, free_slots_30d = v.s30, next_free_slot_at = v.next, availability_computed_at = v.at
          from (values ${values}) as v(id, s7, s30, next, at)
          where p.id = v.id
            -- Only rows whose summary moved: rewriting all 10,000 every quarter hour would bloat the table.
            and (p.free_slots_7d, p.free_slots_30d, p.next_free_slot_at) is distinct from (v.s7, v.s30, v.next)`);
        done += rows.length;
        after = ids[ids.length - 1]!;
        if (schedules.length < batchSize) break;
      }
      // Mentors without a schedule have nothing free; make sure no stale count survives a schedule removal.
      await db
        .update(studentProfiles)
        .set({ freeSlots7d: 0, freeSlots30d: 0, nextFreeSlotAt: null, availabilityComputedAt: now })
        .where(sql`not exists (select 1 from mentor_schedules s where s.student_profile_id = ${studentProfiles.id}) and (${studentProfiles.freeSlots30d} > 0 or ${studentProfiles.availabilityComputedAt} is null)`);
      if (external) {
        // Mentors on an outside scheduler: their summary comes from it, one mentor at a time.
        const mapped = await db
          .select({ id: studentProfiles.id })
          .from(studentProfiles)
          .where(sql`${studentProfiles.calcomEventTypeId} is not null`);
        for (const { id } of mapped) {
          await refreshSummary(db, id).then(
            () => done++,
            () => undefined,
          );
        }
      }
      await cache.bump("profiles");
      return done;
    },
  };
}

function scheduleOf(row: typeof mentorSchedules.$inferSelect): Schedule {
  return { timeZone: row.timeZone, weekly: row.weekly, overrides: row.overrides, outOfOffice: row.outOfOffice };
}

function summaryOf(slots: number[], now: number) {
  const weekEnd = now + 7 * DAY;
  let in7 = 0;
  for (const s of slots) {
    if (s >= weekEnd) break;
    in7++;
  }
  return {
    freeSlots7d: in7,
    freeSlots30d: slots.length,
    nextFreeSlotAt: slots.length ? new Date(slots[0]!) : null,
    availabilityComputedAt: new Date(now),
  };
}

