import { jwt } from "@elysiajs/jwt";
import { and, eq, gte, lt } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { type Booking, calendarBusy, googleConnections, studentProfiles, users } from "../../../db/schema/index.ts";
import type { CalendarPort, CalendarOAuthPort, SessionEvent } from "../../integrations/ports.ts";
import type { Clock } from "../../lib/clock.ts";
import type { CryptoBox } from "../../lib/crypto-box.ts";
import { AppError, ErrorCode, notFound } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { HORIZON_DAYS } from "../../scheduling/engine.ts";
import type { AvailabilityService } from "../availability/service.ts";
import type { CalendarHooks } from "../bookings/service.ts";

const DAY = 86_400_000;
/** Busy times older than this are fetched again before slots are shown. */
export const BUSY_FRESHNESS_MS = 2 * 60_000;

export interface GoogleServiceDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  calendar: CalendarPort & CalendarOAuthPort;
  box: CryptoBox;
  availability: AvailabilityService;
  stateSecret: string;
}

export type GoogleService = ReturnType<typeof createGoogleService>;

/**
 * Google Calendar for mentors: the OAuth connection (refresh token sealed at rest), busy-time sync into
 * calendar_busy (Property 6), and the booking hooks that create, move and delete calendar events with Meet links.
 */
export function createGoogleService(deps: GoogleServiceDeps) {
  const { db, clock, logger, calendar, box, availability } = deps;
  const stateSigner = jwt({ name: "jwt", secret: deps.stateSecret, alg: "HS256" }).decorator.jwt;

  async function connectionOf(studentProfileId: string) {
    const [row] = await db.select().from(googleConnections).where(eq(googleConnections.studentProfileId, studentProfileId)).limit(1);
    if (!row) return null;
    return { row, connection: { refreshToken: await box.open(row.refreshTokenSealed), calendarId: row.calendarId } };
  }

  async function sessionEvent(booking: Booking): Promise<SessionEvent> {
    const [mentor] = await db
      .select({ name: users.name, email: users.email, timeZone: users.timeZone })
      .from(studentProfiles)
      .innerJoin(users, eq(users.id, studentProfiles.userId))
      .where(eq(studentProfiles.id, booking.studentProfileId));
    return {
      bookingId: booking.id,
      startTime: booking.startTime,
      endTime: booking.endTime,
      mentorName: mentor?.name ?? "",
      mentorEmail: mentor?.email ?? "",
      prospectiveName: booking.prospectiveName,
      prospectiveEmail: booking.prospectiveEmail,
      question: booking.question,
      timeZone: mentor?.timeZone ?? "Europe/Paris",
    };
  }

  async function syncBusy(studentProfileId: string): Promise<number> {
    const found = await connectionOf(studentProfileId);
    if (!found) return 0;
    const now = clock.now();
    const to = new Date(now.getTime() + HORIZON_DAYS * DAY);
    try {
      const busy = await calendar.freeBusy(found.connection, now, to);
      await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        // Replace the synced window whole, so busy times removed in Google free their slots again.
        await tx
          .delete(calendarBusy)
          .where(and(eq(calendarBusy.studentProfileId, studentProfileId), gte(calendarBusy.endTime, now), lt(calendarBusy.startTime, to)));
        if (busy.length) {
          await tx.insert(calendarBusy).values(
            busy.map((b) => ({ studentProfileId, startTime: new Date(b.start), endTime: new Date(b.end), source: "google", syncedAt: now })),
          );
        }
        await tx.update(googleConnections).set({ lastSyncAt: now, lastError: null }).where(eq(googleConnections.studentProfileId, studentProfileId));
        await availability.refreshSummary(tx, studentProfileId);
      });
      await availability.slotsChanged(studentProfileId);
      return busy.length;
    } catch (error) {
      const message = error instanceof AppError ? error.message : "Google Calendar could not be read";
      await db.update(googleConnections).set({ lastError: message }).where(eq(googleConnections.studentProfileId, studentProfileId));
      throw error;
    }
  }

  /**
   * The session's own event was synced into calendar_busy like any other busy time: once it moved or was deleted,
   * read the busy times again so the freed slot is offered at once, not after the freshness window.
   */
  async function resyncAfterOwnChange(studentProfileId: string) {
    await syncBusy(studentProfileId).catch((error) =>
      logger.warn("busy-time sync failed", { studentProfileId, error: error instanceof Error ? error.message : String(error) }),
    );
  }

  async function assertProfile(studentProfileId: string) {
    const [profile] = await db.select({ id: studentProfiles.id }).from(studentProfiles).where(eq(studentProfiles.id, studentProfileId));
    if (!profile) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
  }

  const hooks: CalendarHooks = {
    async created(booking) {
      const found = await connectionOf(booking.studentProfileId);
      if (!found) return null;
      const event = await sessionEvent(booking);
      try {
        const created = await calendar.createEvent(found.connection, event);
        if (created.meetingUrl) return { meetingUrl: created.meetingUrl, provider: "google_meet", eventId: created.eventId };
        return null;
      } catch (error) {
        // No Meet link could be made: put the event in the calendar with the session's Jitsi link instead.
        if (error instanceof AppError && error.code === ErrorCode.GOOGLE_MEET_ERROR) {
          const created = await calendar.createEvent(found.connection, { ...event, meetingUrl: booking.meetingUrl });
          return { meetingUrl: booking.meetingUrl, provider: "jitsi", eventId: created.eventId };
        }
        throw error;
      }
    },
    async rescheduled(booking) {
      const found = await connectionOf(booking.studentProfileId);
      if (!found) return null;
      const event = await sessionEvent(booking);
      const place = (e: SessionEvent) =>
        booking.calendarEventId ? calendar.updateEvent(found.connection, booking.calendarEventId, e) : calendar.createEvent(found.connection, e);
      try {
        const updated = await place(event);
        return updated.meetingUrl ? { meetingUrl: updated.meetingUrl, provider: "google_meet", eventId: updated.eventId } : null;
      } catch (error) {
        // As on creation: no new Meet link, so the moved event carries the session's new Jitsi link (Property 31).
        if (error instanceof AppError && error.code === ErrorCode.GOOGLE_MEET_ERROR) {
          const placed = await place({ ...event, meetingUrl: booking.meetingUrl });
          return { meetingUrl: booking.meetingUrl, provider: "jitsi", eventId: placed.eventId };
        }
        throw error;
      } finally {
        await resyncAfterOwnChange(booking.studentProfileId);
      }
    },
    async cancelled(booking) {
      if (!booking.calendarEventId) return;
      const found = await connectionOf(booking.studentProfileId);
      if (!found) return;
      await calendar.deleteEvent(found.connection, booking.calendarEventId);
      await resyncAfterOwnChange(booking.studentProfileId);
    },
  };

  return {
    hooks,
    syncBusy,

    /** Re-reads busy times when the last sync is older than BUSY_FRESHNESS_MS; failures keep the previous ones. */
    async ensureFresh(studentProfileId: string): Promise<void> {
      const [row] = await db
        .select({ lastSyncAt: googleConnections.lastSyncAt })
        .from(googleConnections)
        .where(eq(googleConnections.studentProfileId, studentProfileId))
        .limit(1);
      if (!row || (row.lastSyncAt && clock.now().getTime() - row.lastSyncAt.getTime() < BUSY_FRESHNESS_MS)) return;
      await syncBusy(studentProfileId).catch((error) =>
        logger.warn("busy-time sync failed", { studentProfileId, code: ErrorCode.GOOGLE_CALENDAR_ERROR, error: error instanceof Error ? error.message : String(error) }),
      );
    },

    async syncAll(): Promise<number> {
      const rows = await db.select({ id: googleConnections.studentProfileId }).from(googleConnections);
      let ok = 0;
      for (const { id } of rows) {
        await syncBusy(id).then(
          () => ok++,
          (error) => logger.warn("busy-time sync failed", { studentProfileId: id, error: error instanceof Error ? error.message : String(error) }),
        );
      }
      return ok;
    },

    async consentUrl(studentProfileId: string): Promise<string> {
      await assertProfile(studentProfileId);
      const state = await stateSigner.sign({
        scope: "google:connect",
        studentProfileId,
        exp: Math.floor(clock.now().getTime() / 1000) + 15 * 60,
      } as never);
      return calendar.consentUrl(state);
    },

    /** OAuth callback: checks the signed state, stores the sealed refresh token, then reads busy times once. */
    async completeConnection(code: string, state: string): Promise<string> {
      const payload = await stateSigner.verify(state, { algorithms: ["HS256"], currentDate: clock.now() });
      if (!payload || payload.scope !== "google:connect" || typeof payload.studentProfileId !== "string") {
        throw new AppError(400, ErrorCode.INVALID_TOKEN, "This connection link has expired or is invalid; start again from Thotis");
      }
      const studentProfileId = payload.studentProfileId;
      const tokens = await calendar.exchangeCode(code);
      const sealed = await box.seal(tokens.refreshToken);
      await db
        .insert(googleConnections)
        .values({ studentProfileId, refreshTokenSealed: sealed, scope: tokens.scope ?? null, connectedAt: clock.now() })
        .onConflictDoUpdate({
          target: googleConnections.studentProfileId,
          set: { refreshTokenSealed: sealed, scope: tokens.scope ?? null, connectedAt: clock.now(), lastError: null },
        });
      await syncBusy(studentProfileId).catch((error) =>
        logger.warn("first busy-time sync failed", { studentProfileId, error: error instanceof Error ? error.message : String(error) }),
      );
      return studentProfileId;
    },

    async disconnect(studentProfileId: string): Promise<void> {
      await assertProfile(studentProfileId);
      await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        await tx.delete(googleConnections).where(eq(googleConnections.studentProfileId, studentProfileId));
        await tx.delete(calendarBusy).where(eq(calendarBusy.studentProfileId, studentProfileId));
        await availability.refreshSummary(tx, studentProfileId);
      });
      await availability.slotsChanged(studentProfileId);
    },

    async status(studentProfileId: string) {
      const [row] = await db.select().from(googleConnections).where(eq(googleConnections.studentProfileId, studentProfileId));
      if (!row) await assertProfile(studentProfileId);
      return {
        connected: Boolean(row),
        calendarId: row?.calendarId ?? null,
        connectedAt: row?.connectedAt.toISOString() ?? null,
        lastSyncAt: row?.lastSyncAt?.toISOString() ?? null,
        lastError: row?.lastError ?? null,
      };
    },
  };
}
