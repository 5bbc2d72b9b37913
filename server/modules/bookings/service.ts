import { and, eq, gt, lt, lte, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { type Booking as BookingRow, bookingHistory, bookings, studentProfiles } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { AppError, badRequest, conflict, ErrorCode, forbidden, notFound } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { sqlState } from "../../plugins/errors.ts";
import { HORIZON_DAYS, MIN_NOTICE_MINUTES, SLOT_MINUTES } from "../../scheduling/engine.ts";
import type { CalcomBooking } from "../../integrations/calcom/client.ts";
import type { CalcomBookingSync } from "../../integrations/calcom/webhook.ts";
import type { AvailabilityService } from "../availability/service.ts";
import type { CalcomService } from "../integrations/calcom-service.ts";
import { isTimeZone } from "../users/model.ts";
import type { BookingAbuseLimits } from "./abuse-limits.ts";
import { createBookingIdempotency, requestHash } from "./idempotency.ts";
import { jitsiRoomUrl } from "./meeting-links.ts";
import { pipelined, send } from "../../lib/pipelined.ts";
import { createBookingWriteStatements } from "./write-statements.ts";
import type { Booking, BookingResult, CreateBookingBody } from "./model.ts";
import type { HoldService, ReleasedHold } from "../holds/service.ts";

const SLOT_MS = SLOT_MINUTES * 60_000;
const NOTICE_MS = MIN_NOTICE_MINUTES * 60_000;
const DAY = 86_400_000;

/** Who acts on a booking: a role token, or a prospective student holding that booking's manage token. */
export type BookingActor =
  | { kind: "role"; role: "admin" | "integrator" | "mentor" | "widget"; sub: string; studentProfileId?: string }
  | { kind: "manage"; bookingId: number };

/** Outside calendar hooks (Google Calendar when the mentor connected it). Failures never undo a booking. */
export interface CalendarEventResult {
  meetingUrl: string;
  provider: "google_meet" | "jitsi";
  eventId: string;
}
export interface CalendarHooks {
  created(booking: BookingRow): Promise<CalendarEventResult | null>;
  rescheduled(booking: BookingRow): Promise<CalendarEventResult | null>;
  cancelled(booking: BookingRow): Promise<void>;
}

/** One committed-or-not change of a booking, handed to the side-effect hook inside the change's transaction. */
export interface BookingTransition {
  historyId: number;
  bookingId: number;
  action: "created" | "cancelled" | "rescheduled" | "completed";
  oldStartTime: Date | null;
  newStartTime: Date | null;
  actor: string;
  reason: string | null;
  /** The widget's anonymous visitor id sent with the booking (created only; kept in the history row's data). */
  visitorId: string | null;
  /** The booking's mentor, when the change knows it (listeners then need not read the booking for it). */
  studentProfileId?: string;
  /** The booking row as this change leaves it, when the change has it at hand (created): saves listeners a read. */
  booking?: BookingRow;
  at: Date;
  /**
   * An outside calendar (Google) will set the video link right after the commit: messages carrying the link should
   * wait for `calendarSettled(historyId)` (they run anyway after a grace period if the process dies first).
   */
  calendarPending: boolean;
}

/**
 * Enqueues the change's side effects (e-mails, webhooks, reminders) in the transaction that makes the change:
 * they exist exactly when the change commits (transactional outbox).
 */
export type BookingEffects = (tx: Database, transition: BookingTransition) => Promise<void>;

export interface BookingServiceDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  availability: AvailabilityService;
  jitsiBaseUrl: string;
  calendar?: CalendarHooks;
  /** SCHEDULING_BACKEND=calcom: Cal.com books, cancels and moves sessions of mentors mapped to an event type. */
  calcom?: CalcomService;
  effects?: BookingEffects;
  /** Called after a transaction that enqueued effects has committed (wakes the in-process worker). */
  afterCommit?: () => void;
  /** Called once the outside calendar has set (or failed to set) the link of the change `historyId`. */
  calendarSettled?: (historyId: number) => Promise<void>;
  /** True when booking effects include the confirmation e-mails (reported as confirmationSent). */
  confirmationsEnqueued?: boolean;
  /** Per-e-mail limits checked inside the booking's transaction (abuse-limits.ts). */
  abuse?: Pick<BookingAbuseLimits, "inTransaction">;
  /** Slot holds (issue 17): refuses a slot held by another visitor (SLOT_HELD) and releases the booker's hold. */
  holds?: Pick<HoldService, "claimForBooking" | "releasedByBooking">;
}

export type BookingService = ReturnType<typeof createBookingService>;

const actorName = (actor: BookingActor) => (actor.kind === "manage" ? "prospective-student" : `${actor.role}:${actor.sub}`);

export function createBookingService(deps: BookingServiceDeps) {
  const { db, clock, logger, availability } = deps;
  const statements = createBookingWriteStatements(db);

  function assertCanSee(actor: BookingActor, booking: { id: number; studentProfileId: string }) {
    if (actor.kind === "manage") {
      if (actor.bookingId !== booking.id) throw forbidden("This link is for another booking");
      return;
    }
    if (actor.role === "admin" || actor.role === "integrator") return;
    if (actor.role === "mentor" && actor.studentProfileId === booking.studentProfileId) return;
    throw forbidden("This token may not access this booking");
  }

  async function view(id: number): Promise<Booking> {
    const [row] = await db.select().from(bookings).where(eq(bookings.id, id)).limit(1);
    if (!row) throw notFound(ErrorCode.BOOKING_NOT_FOUND, `Booking ${id} not found`);
    const history = await db.select().from(bookingHistory).where(eq(bookingHistory.bookingId, id)).orderBy(bookingHistory.id);
    return {
      id: row.id,
      studentProfileId: row.studentProfileId,
      startTime: row.startTime.toISOString(),
      endTime: row.endTime.toISOString(),
      status: row.status,
      prospectiveStudent: {
        name: row.prospectiveName,
        email: row.prospectiveEmail,
        question: row.question,
        timeZone: row.prospectiveTimeZone,
        locale: row.prospectiveLocale,
      },
      meetingUrl: row.meetingUrl,
      meetingProvider: row.meetingProvider,
      googleMeetLink: row.meetingUrl,
      calendarEventId: row.calendarEventId,
      cancellationReason: row.cancellationReason,
      cancelledBy: row.cancelledBy,
      history: history.map((h) => ({
        action: h.action,
        fromStatus: h.fromStatus,
        toStatus: h.toStatus,
        oldStartTime: h.oldStartTime?.toISOString() ?? null,
        newStartTime: h.newStartTime?.toISOString() ?? null,
        actor: h.actor,
        at: h.at.toISOString(),
      })),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** The slot must be one the engine offers right now; tell a taken slot (409) from one never offered (400). */
  async function assertOffered(tx: Database, studentProfileId: string, start: Date, excludeBookingId?: number) {
    const end = new Date(start.getTime() + SLOT_MS);
    const free = await availability.freeSlots(tx, studentProfileId, start, end, excludeBookingId);
    if (free.includes(start.getTime())) return;
    const [overlap] = await tx
      .select({ id: bookings.id })
      .from(bookings)
      .where(
        and(
          eq(bookings.studentProfileId, studentProfileId),
          eq(bookings.status, "ACCEPTED"),
          // Column operators, not raw sql: they send the dates through the column's mapping (postgres.js cannot bind a Date).
          lt(bookings.startTime, end),
          gt(bookings.endTime, start),
          excludeBookingId ? sql`${bookings.id} <> ${excludeBookingId}` : sql`true`,
        ),
      )
      .limit(1);
    if (overlap) throw conflict(ErrorCode.BOOKING_CONFLICT, "This time slot has just been booked by someone else");
    throw badRequest(ErrorCode.SLOT_NOT_AVAILABLE, "This time is not one of the mentor's available slots");
  }

  /**
   * A mentor's bookability (null: no such profile), with the ids the booking and its history row will carry, drawn
   * before they are inserted: the rows that refer to them (history, outbox jobs, the idempotency answer) then go out
   * together with the booking instead of after its answer. One statement of the booking's first round trip.
   */
  async function bookableProfile(executor: Database, studentProfileId: string) {
    const [profile] = await statements.bookable(executor, studentProfileId);
    return profile ?? null;
  }

  function assertBookable(profile: { isActive: boolean; isComplete: boolean } | null, studentProfileId: string) {
    if (!profile) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
    if (!profile.isComplete) throw badRequest(ErrorCode.PROFILE_INCOMPLETE, "This mentor's profile is not complete yet");
    if (!profile.isActive) throw badRequest(ErrorCode.PROFILE_INACTIVE, "This mentor is not taking bookings at the moment");
  }

  /**
   * The summary's next free slot once `start` is booked (see refreshSummary): it moves on only when it was this one,
   * which the statement checks against the stored value. The counts lose this slot where they counted it.
   */
  function nextFreeAfter(start: Date, free: number[]): Date | null {
    const next = free.find((s) => s !== start.getTime());
    return next === undefined ? null : new Date(next);
  }

  /** Checks the timing rules shared by booking and rescheduling; returns the parsed start. */
  function checkNewStart(dateTime: string): Date {
    const start = new Date(dateTime);
    if (Number.isNaN(start.getTime())) throw badRequest(ErrorCode.INVALID_INPUT, "dateTime must be an ISO 8601 date-time");
    const now = clock.now().getTime();
    if (start.getTime() < now + NOTICE_MS) {
      throw badRequest(ErrorCode.MINIMUM_NOTICE_REQUIRED, "Sessions must be booked at least 2 hours in advance");
    }
    if (start.getTime() >= now + HORIZON_DAYS * DAY) {
      throw badRequest(ErrorCode.SLOT_NOT_AVAILABLE, "Sessions can be booked up to 30 days ahead");
    }
    return start;
  }

  function translateConstraint(error: unknown): unknown {
    const state = sqlState(error);
    if (state === "23P01") return conflict(ErrorCode.BOOKING_CONFLICT, "This time slot has just been booked by someone else");
    return error;
  }

  /**
   * Records a transition and enqueues its side effects in the same transaction. With `id` drawn beforehand (bookableProfile),
   * the history row and the effects go out together.
   */
  async function history(
    tx: Database,
    entry: Omit<typeof bookingHistory.$inferInsert, "at" | "id"> & { at?: Date },
    known?: Pick<BookingTransition, "studentProfileId" | "booking">,
    id?: number,
  ): Promise<number> {
    const at = entry.at ?? clock.now();
    if (id !== undefined) {
      await pipelined([statements.insertHistory(tx, { ...entry, id, at }), deps.effects?.(tx, { ...transitionOf(id, { ...entry, at }), ...known })]);
      return id;
    }
    const [row] = await tx.insert(bookingHistory).values({ ...entry, at }).returning({ id: bookingHistory.id });
    await deps.effects?.(tx, { ...transitionOf(row!.id, { ...entry, at }), ...known });
    return row!.id;
  }

  function transitionOf(historyId: number, entry: typeof bookingHistory.$inferInsert & { at: Date }): BookingTransition {
    const data = entry.data as { reason?: unknown; visitorId?: unknown } | null | undefined;
    const reason = data?.reason;
    return {
      historyId,
      bookingId: entry.bookingId,
      action: entry.action,
      oldStartTime: entry.oldStartTime ?? null,
      newStartTime: entry.newStartTime ?? null,
      actor: entry.actor,
      reason: typeof reason === "string" ? reason : null,
      visitorId: typeof data?.visitorId === "string" ? data.visitorId : null,
      at: entry.at,
      calendarPending: Boolean(deps.calendar) && (entry.action === "created" || entry.action === "rescheduled"),
    };
  }

  /** Lets the outside calendar set the link, then releases the messages that were waiting for it. */
  async function applyCalendar(bookingId: number, hook: "created" | "rescheduled", historyId: number) {
    await setCalendarLink(bookingId, hook);
    if (deps.calendar) {
      await deps.calendarSettled?.(historyId).catch((error) =>
        logger.error("releasing messages after the calendar step failed", { bookingId, error: error instanceof Error ? error.message : String(error) }),
      );
    }
  }

  async function setCalendarLink(bookingId: number, hook: "created" | "rescheduled") {
    if (!deps.calendar) return;
    const [row] = await db.select().from(bookings).where(eq(bookings.id, bookingId));
    if (!row || row.status !== "ACCEPTED") return;
    try {
      const result = await deps.calendar[hook](row);
      if (result) {
        await db
          .update(bookings)
          .set({ meetingUrl: result.meetingUrl, meetingProvider: result.provider, calendarEventId: result.eventId, updatedAt: clock.now() })
          .where(eq(bookings.id, bookingId));
      }
    } catch (error) {
      // The booking stands with its Jitsi link; the calendar can be fixed later without losing the session.
      logger.error("calendar sync failed", {
        bookingId,
        hook,
        code: error instanceof AppError ? error.code : ErrorCode.GOOGLE_CALENDAR_ERROR,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const resultOfRow = (row: BookingRow): BookingResult =>
    result({
      id: row.id,
      meetingUrl: row.meetingUrl,
      meetingProvider: row.meetingProvider,
      calendarEventId: row.calendarEventId,
      startTime: row.startTime.toISOString(),
      endTime: row.endTime.toISOString(),
      status: row.status,
    });

  const result = (b: Pick<Booking, "id" | "meetingUrl" | "meetingProvider" | "calendarEventId" | "startTime" | "endTime" | "status">): BookingResult => ({
    bookingId: b.id,
    googleMeetLink: b.meetingUrl,
    meetingUrl: b.meetingUrl,
    meetingProvider: b.meetingProvider,
    calendarEventId: b.calendarEventId,
    // The confirmation e-mails are enqueued in the booking's own transaction: once it commits, they will be sent.
    confirmationSent: deps.confirmationsEnqueued ?? false,
    booking: { id: b.id, startTime: b.startTime, endTime: b.endTime, status: b.status },
  });

  const idempotency = createBookingIdempotency({
    db,
    build: async (bookingId: number) => ({ status: "success" as const, data: result(await view(bookingId)) }),
  });

  return {
    view,

    async get(id: number, actor: BookingActor): Promise<Booking> {
      // Checked before the lookup, so a widget token cannot even learn which booking ids exist.
      if (actor.kind === "role" && actor.role === "widget") throw forbidden("The widget may create bookings, not read them");
      const booking = await view(id);
      assertCanSee(actor, booking);
      return booking;
    },

    /**
     * Books a slot. The EXCLUDE constraint settles races; the Idempotency-Key row is written first in the same
     * transaction, so a concurrent replay waits for the first request and then returns its response.
     */
    async create(
      input: CreateBookingBody,
      actor: BookingActor,
      idempotencyKey?: string,
    ): Promise<{ status: number; body: { status: "success"; data: BookingResult }; replayed: boolean }> {
      if (input.durationMinutes !== undefined && input.durationMinutes !== SLOT_MINUTES) {
        throw badRequest(ErrorCode.INVALID_DURATION, "Sessions last exactly 15 minutes", {
          providedDuration: input.durationMinutes,
          requiredDuration: SLOT_MINUTES,
        });
      }
      const start = new Date(input.dateTime);
      if (input.endTime !== undefined && new Date(input.endTime).getTime() - start.getTime() !== SLOT_MS) {
        throw badRequest(ErrorCode.INVALID_DURATION, "Sessions last exactly 15 minutes", { requiredDuration: SLOT_MINUTES });
      }
      const zone = input.prospectiveStudent.timeZone;
      if (zone && !isTimeZone(zone)) throw badRequest(ErrorCode.INVALID_INPUT, `prospectiveStudent.timeZone: "${zone}" is not an IANA time zone`);
      const scope = actorName(actor);
      const hash = requestHash(input);
      const replay = () => (idempotencyKey ? idempotency.replay(scope, idempotencyKey, hash) : Promise.resolve(null));

      // On Cal.com, Cal.com decides first (so the profile is checked before asking it); our copy follows, and is
      // undone there if we cannot record it.
      let external: CalcomBooking | null = null;
      if (deps.calcom) {
        const earlier = await replay();
        if (earlier) return earlier;
        assertBookable(await bookableProfile(db, input.studentProfileId), input.studentProfileId);
        checkNewStart(input.dateTime);
        const eventTypeId = await deps.calcom.eventTypeOf(input.studentProfileId);
        if (eventTypeId !== null) {
          external = await deps.calcom.client.createBooking({
            eventTypeId,
            start,
            attendee: {
              name: input.prospectiveStudent.name.trim(),
              email: input.prospectiveStudent.email.trim(),
              timeZone: zone ?? "Europe/Paris",
              language: input.prospectiveStudent.locale ?? "fr",
            },
            question: input.prospectiveStudent.question ?? null,
            thotisBookingId: idempotencyKey ? `key:${idempotencyKey}` : `req:${crypto.randomUUID()}`,
          });
        }
      }

      const studentProfileId = input.studentProfileId;
      let row: BookingRow;
      let historyId: number;
      let releasedHolds: ReleasedHold[] | undefined;
      try {
        ({ row, historyId, releasedHolds } = await db.transaction(async (txn) => {
          const tx = txn as unknown as Database;
          const now = clock.now();
          // Round trip 1: every check, and the ids the booking's rows will carry, sent together. Each statement is
          // independent of the others' answers; the database runs them in this order (the per-e-mail lock before its count).
          const [profile, held, free, limited] = await Promise.allSettled([
            bookableProfile(tx, studentProfileId),
            deps.holds?.claimForBooking(tx, studentProfileId, start, input.visitorId),
            external ? null : availability.freeSlots(tx, studentProfileId, now, new Date(now.getTime() + HORIZON_DAYS * DAY)),
            deps.abuse?.inTransaction(tx, { email: input.prospectiveStudent.email, studentProfileId, now }),
          ]);
          // Outcomes in the order the rules rank them.
          const mentor = valueOf(profile);
          assertBookable(mentor, studentProfileId);
          checkNewStart(input.dateTime);
          for (const outcome of [held, free, limited]) if (outcome.status === "rejected") throw outcome.reason;
          const freeSlots = valueOf(free);
          if (freeSlots && !freeSlots.includes(start.getTime())) await assertOffered(tx, studentProfileId, start);
          const { bookingId, historyId } = mentor!;

          const created: BookingRow = {
            id: bookingId,
            studentProfileId,
            startTime: start,
            endTime: new Date(start.getTime() + SLOT_MS),
            status: "ACCEPTED",
            prospectiveName: input.prospectiveStudent.name.trim(),
            prospectiveEmail: input.prospectiveStudent.email.trim(),
            question: input.prospectiveStudent.question?.trim() || null,
            prospectiveTimeZone: zone ?? null,
            prospectiveLocale: input.prospectiveStudent.locale ?? "fr",
            meetingUrl: external?.meetingUrl ?? jitsiRoomUrl(deps.jitsiBaseUrl),
            meetingProvider: external?.meetingUrl ? "calcom" : "jitsi",
            calendarEventId: null,
            externalUid: external?.uid ?? null,
            cancellationReason: null,
            cancelledBy: null,
            cancelledAt: null,
            completedAt: null,
            createdAt: now,
            updatedAt: now,
          };
          // Round trip 2: the booking, the mentor's counter and free-slot summary, the history with its side effects
          // (outbox), and the idempotency answer, in the order the foreign keys need.
          await pipelined([
            statements.insertBooking(tx, created),
            // The summary moves by this one slot (relative, so concurrent bookings of the same mentor compose under the
            // row lock); the quarter-hourly refresh recomputes it from scratch. On Cal.com the outside slots are asked again.
            freeSlots
              ? statements.countBooking(tx, studentProfileId, start, nextFreeAfter(start, freeSlots))
              : send(tx.update(studentProfiles).set({ totalSessions: sql`${studentProfiles.totalSessions} + 1` }).where(eq(studentProfiles.id, studentProfileId))),
            history(
              tx,
              {
                bookingId,
                action: "created",
                toStatus: "ACCEPTED",
                newStartTime: start,
                actor: scope,
                ...(input.visitorId ? { data: { visitorId: input.visitorId } } : {}),
              },
              { studentProfileId, booking: created },
              historyId,
            ),
            // The key commits with the booking, holding its answer (with an outside calendar, which sets the link after
            // the commit, a reference to the booking until the full answer is stored below). A key already used makes
            // this insert fail (after waiting for a holder still running), and the catch below answers from it.
            idempotencyKey
              ? idempotency.record(tx, scope, idempotencyKey, hash, deps.calendar ? { bookingId } : { body: { status: "success", data: resultOfRow(created) } })
              : null,
          ]);
          if (!freeSlots) await availability.refreshSummary(tx, studentProfileId);
          return { row: created, historyId, releasedHolds: valueOf(held) };
        }));
      } catch (error) {
        if (external && deps.calcom) {
          await deps.calcom.client.cancelBooking(external.uid, "Thotis could not record this booking").catch((e) =>
            logger.error("Cal.com compensation failed", { uid: external?.uid, error: e instanceof Error ? e.message : String(e) }),
          );
        }
        // Whatever stopped this attempt (its slot now taken by its own first attempt, the per-address limit counting
        // that attempt, the key row itself, a mentor since deactivated), a key a committed request used answers with
        // that request's outcome; a key used for another body is a 409.
        if (idempotencyKey) {
          const again = await replay().catch((e) => {
            if (e instanceof AppError) throw e;
            return null;
          });
          if (again) return again;
        }
        throw translateConstraint(error);
      }
      deps.afterCommit?.();
      await availability.slotsChanged(studentProfileId);
      if (releasedHolds?.length) await deps.holds?.releasedByBooking(releasedHolds);
      await applyCalendar(row.id, "created", historyId);
      const body = { status: "success" as const, data: deps.calendar ? result(await view(row.id)) : resultOfRow(row) };
      // Only an outside calendar left a reference to replace; otherwise the answer was stored with the booking.
      if (idempotencyKey && deps.calendar) await idempotency.remember(scope, idempotencyKey, body);
      return { status: 201, body, replayed: false };
    },

    async cancel(id: number, input: { reason: string; cancelledBy: "mentor" | "student" }, actor: BookingActor): Promise<Booking> {
      const before = await view(id);
      assertCanSee(actor, before);
      if (actor.kind === "role" && actor.role === "widget") throw forbidden("The widget may not cancel bookings");
      const cancelledBy = actor.kind === "manage" ? "student" : actor.role === "mentor" ? "mentor" : input.cancelledBy;
      const changed = await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const [row] = await tx.select().from(bookings).where(eq(bookings.id, id)).for("update");
        if (!row) throw notFound(ErrorCode.BOOKING_NOT_FOUND, `Booking ${id} not found`);
        if (row.status === "CANCELLED") return false;
        if (row.status === "COMPLETED") throw conflict(ErrorCode.CONFLICT, "A completed session cannot be cancelled");
        const now = clock.now();
        if (row.startTime.getTime() - now.getTime() < NOTICE_MS) {
          throw badRequest(ErrorCode.CANCELLATION_TOO_LATE, "Sessions can only be cancelled up to 2 hours before they start");
        }
        // Cal.com cancels while we hold the row: its webhook echo waits for our commit and then finds nothing to do.
        if (deps.calcom && row.externalUid) await deps.calcom.client.cancelBooking(row.externalUid, input.reason);
        await tx
          .update(bookings)
          .set({ status: "CANCELLED", cancellationReason: input.reason, cancelledBy, cancelledAt: now, updatedAt: now })
          .where(eq(bookings.id, id));
        await tx
          .update(studentProfiles)
          .set({ cancelledSessions: sql`${studentProfiles.cancelledSessions} + 1` })
          .where(eq(studentProfiles.id, row.studentProfileId));
        await history(tx, {
          bookingId: id,
          action: "cancelled",
          fromStatus: "ACCEPTED",
          toStatus: "CANCELLED",
          oldStartTime: row.startTime,
          actor: actorName(actor),
          data: { reason: input.reason, cancelledBy },
        }, { studentProfileId: row.studentProfileId });
        await availability.refreshSummary(tx, row.studentProfileId);
        return true;
      });
      if (changed) {
        deps.afterCommit?.();
        await availability.slotsChanged(before.studentProfileId);
        if (deps.calendar && before.calendarEventId) {
          const [row] = await db.select().from(bookings).where(eq(bookings.id, id));
          await deps.calendar.cancelled(row!).catch((error) =>
            logger.error("calendar sync failed", { bookingId: id, hook: "cancelled", error: error instanceof Error ? error.message : String(error) }),
          );
        }
      }
      return view(id);
    },

    async reschedule(id: number, dateTime: string, actor: BookingActor): Promise<BookingResult> {
      const before = await view(id);
      assertCanSee(actor, before);
      if (actor.kind === "role" && actor.role === "widget") throw forbidden("The widget may not reschedule bookings");
      const newStart = new Date(dateTime);
      if (Number.isNaN(newStart.getTime())) throw badRequest(ErrorCode.INVALID_INPUT, "dateTime must be an ISO 8601 date-time");
      let historyId = 0;
      const moved = await db
        .transaction(async (txn) => {
          const tx = txn as unknown as Database;
          const [row] = await tx.select().from(bookings).where(eq(bookings.id, id)).for("update");
          if (!row) throw notFound(ErrorCode.BOOKING_NOT_FOUND, `Booking ${id} not found`);
          if (row.status !== "ACCEPTED") throw conflict(ErrorCode.CONFLICT, `A ${row.status.toLowerCase()} session cannot be rescheduled`);
          if (row.startTime.getTime() === newStart.getTime()) return false;
          const now = clock.now();
          if (row.startTime.getTime() - now.getTime() < NOTICE_MS) {
            throw badRequest(ErrorCode.CANCELLATION_TOO_LATE, "Sessions can only be rescheduled up to 2 hours before they start");
          }
          checkNewStart(dateTime);
          // Cal.com moves it while we hold the row (as for cancel: its webhook echo then finds nothing to do).
          const external: CalcomBooking | null =
            deps.calcom && row.externalUid ? await deps.calcom.client.rescheduleBooking(row.externalUid, newStart) : null;
          if (!external) await assertOffered(tx, row.studentProfileId, newStart, id);
          await tx
            .update(bookings)
            .set({
              startTime: newStart,
              endTime: new Date(newStart.getTime() + SLOT_MS),
              // Property 32: a moved session gets a new link.
              meetingUrl: external?.meetingUrl ?? jitsiRoomUrl(deps.jitsiBaseUrl),
              meetingProvider: external?.meetingUrl ? "calcom" : "jitsi",
              externalUid: external ? external.uid : row.externalUid,
              updatedAt: now,
            })
            .where(eq(bookings.id, id));
          historyId = await history(tx, {
            bookingId: id,
            action: "rescheduled",
            fromStatus: "ACCEPTED",
            toStatus: "ACCEPTED",
            oldStartTime: row.startTime,
            newStartTime: newStart,
            actor: actorName(actor),
          });
          await availability.refreshSummary(tx, row.studentProfileId);
          return true;
        })
        .catch((error) => {
          throw translateConstraint(error);
        });
      if (moved) {
        deps.afterCommit?.();
        await availability.slotsChanged(before.studentProfileId);
        await applyCalendar(id, "rescheduled", historyId);
      }
      return result(await view(id));
    },

    async complete(id: number, actor: BookingActor): Promise<Booking> {
      const before = await view(id);
      assertCanSee(actor, before);
      if (actor.kind === "manage" || actor.role === "widget") throw forbidden("Only the mentor or an admin may complete a session");
      await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const [row] = await tx.select().from(bookings).where(eq(bookings.id, id)).for("update");
        if (!row) throw notFound(ErrorCode.BOOKING_NOT_FOUND, `Booking ${id} not found`);
        if (row.status === "COMPLETED") return;
        if (row.status === "CANCELLED") throw conflict(ErrorCode.CONFLICT, "A cancelled session cannot be completed");
        const now = clock.now();
        if (row.startTime.getTime() > now.getTime()) throw conflict(ErrorCode.CONFLICT, "The session has not started yet");
        await tx.update(bookings).set({ status: "COMPLETED", completedAt: now, updatedAt: now }).where(eq(bookings.id, id));
        await tx
          .update(studentProfiles)
          .set({ completedSessions: sql`${studentProfiles.completedSessions} + 1` })
          .where(eq(studentProfiles.id, row.studentProfileId));
        await history(tx, { bookingId: id, action: "completed", fromStatus: "ACCEPTED", toStatus: "COMPLETED", actor: actorName(actor) });
      });
      deps.afterCommit?.();
      await availability.slotsChanged(before.studentProfileId);
      return view(id);
    },

    /** Completes every accepted session that has ended: one statement, counters and history included. */
    async completeEnded(): Promise<number> {
      const now = clock.now();
      const rows = await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const done = await tx
          .update(bookings)
          .set({ status: "COMPLETED", completedAt: now, updatedAt: now })
          .where(and(eq(bookings.status, "ACCEPTED"), lte(bookings.endTime, now)))
          .returning({ id: bookings.id, studentProfileId: bookings.studentProfileId });
        if (done.length === 0) return done;
        const entries = done.map((d) => ({ bookingId: d.id, action: "completed" as const, fromStatus: "ACCEPTED" as const, toStatus: "COMPLETED" as const, actor: "system:auto-complete", at: now }));
        const inserted = await tx.insert(bookingHistory).values(entries).returning({ id: bookingHistory.id });
        if (deps.effects) for (const [i, h] of inserted.entries()) await deps.effects(tx, transitionOf(h.id, entries[i]!));
        const perMentor = new Map<string, number>();
        for (const d of done) perMentor.set(d.studentProfileId, (perMentor.get(d.studentProfileId) ?? 0) + 1);
        for (const [mentor, n] of perMentor) {
          await tx
            .update(studentProfiles)
            .set({ completedSessions: sql`${studentProfiles.completedSessions} + ${n}` })
            .where(eq(studentProfiles.id, mentor));
        }
        return done;
      });
      if (rows.length) deps.afterCommit?.();
      for (const mentor of new Set(rows.map((r) => r.studentProfileId))) await availability.slotsChanged(mentor);
      return rows.length;
    },

    /**
     * Keeps our copy in step with Cal.com's webhooks. Our own API calls come back this way too, so every branch
     * is a no-op when the copy already matches.
     */
    async applyCalcomSync(sync: CalcomBookingSync): Promise<"applied" | "unchanged" | "unknown"> {
      const uid = sync.kind === "rescheduled" ? sync.previousUid : sync.uid;
      const [row] = await db.select().from(bookings).where(eq(bookings.externalUid, uid)).limit(1);
      if (!row) {
        if (sync.kind === "rescheduled") {
          const [moved] = await db.select({ id: bookings.id }).from(bookings).where(eq(bookings.externalUid, sync.uid));
          if (moved) return "unchanged";
        }
        return "unknown";
      }
      const now = clock.now();
      const actor = "calcom:webhook";
      if (sync.kind === "confirmed") {
        if (!sync.meetingUrl || sync.meetingUrl === row.meetingUrl) return "unchanged";
        await db.update(bookings).set({ meetingUrl: sync.meetingUrl, meetingProvider: "calcom", updatedAt: now }).where(eq(bookings.id, row.id));
        return "applied";
      }
      if (sync.kind === "cancelled" || sync.kind === "rejected") {
        const changed = await db.transaction(async (txn) => {
          const tx = txn as unknown as Database;
          const [locked] = await tx.select().from(bookings).where(eq(bookings.id, row.id)).for("update");
          // Re-checked under the lock: our own change may have committed since the read above.
          if (!locked || locked.status !== "ACCEPTED" || locked.externalUid !== uid) return false;
          await tx
            .update(bookings)
            .set({ status: "CANCELLED", cancellationReason: sync.reason ?? "Cancelled on Cal.com", cancelledBy: "external", cancelledAt: now, updatedAt: now })
            .where(eq(bookings.id, row.id));
          await tx
            .update(studentProfiles)
            .set({ cancelledSessions: sql`${studentProfiles.cancelledSessions} + 1` })
            .where(eq(studentProfiles.id, row.studentProfileId));
          await history(tx, { bookingId: row.id, action: "cancelled", fromStatus: "ACCEPTED", toStatus: "CANCELLED", oldStartTime: locked.startTime, actor, data: { reason: sync.reason } });
          await availability.refreshSummary(tx, row.studentProfileId);
          return true;
        });
        if (changed) {
          deps.afterCommit?.();
          await availability.slotsChanged(row.studentProfileId);
        }
        return changed ? "applied" : "unchanged";
      }
      const applied = await db
        .transaction(async (txn) => {
          const tx = txn as unknown as Database;
          const [locked] = await tx.select().from(bookings).where(eq(bookings.id, row.id)).for("update");
          // Re-checked under the lock: our own reschedule may have moved it to sync.uid since the read above.
          if (!locked || locked.status !== "ACCEPTED" || locked.externalUid !== uid) return false;
          await tx
            .update(bookings)
            .set({
              startTime: sync.start,
              endTime: new Date(sync.start.getTime() + SLOT_MS),
              externalUid: sync.uid,
              meetingUrl: sync.meetingUrl ?? locked.meetingUrl,
              updatedAt: now,
            })
            .where(eq(bookings.id, row.id));
          await history(tx, { bookingId: row.id, action: "rescheduled", fromStatus: "ACCEPTED", toStatus: "ACCEPTED", oldStartTime: locked.startTime, newStartTime: sync.start, actor });
          await availability.refreshSummary(tx, row.studentProfileId);
          return true;
        })
        .catch((error) => {
          throw translateConstraint(error);
        });
      if (!applied) return "unchanged";
      deps.afterCommit?.();
      await availability.slotsChanged(row.studentProfileId);
      return "applied";
    },

  };
}

/** The value of a settled statement whose failure is thrown elsewhere (in the rules' order). */
function valueOf<T>(outcome: PromiseSettledResult<T>): T {
  if (outcome.status === "rejected") throw outcome.reason;
  return outcome.value;
}
