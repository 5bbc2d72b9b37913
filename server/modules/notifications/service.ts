import { and, desc, eq, ilike, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bookingHistory, bookings, type EmailMessage, type EmailStatus, emailOutbox, studentProfiles, users } from "../../../db/schema/index.ts";
import type { EmailProvider, OutgoingAttachment } from "../../integrations/email/port.ts";
import type { JobContext, JobKind, JobQueue, JobSpec } from "../../jobs/index.ts";
import { PermanentJobError } from "../../jobs/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { ErrorCode, notFound } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import type { BookingTransition } from "../bookings/service.ts";
import type { ManageTokens } from "../bookings/manage-token.ts";
import type { RatingTokens } from "../ratings/rating-token.ts";
import { composeEmail } from "./compose.ts";
import { addressOf } from "./ics.ts";
import { DEFAULT_ZONE, type Locale } from "./templates/format.ts";
import type { Audience, EmailKind, Recipient, SessionFacts } from "./templates/render.ts";
import { isErasedAddress } from "../privacy/scrub.ts";
import { sendStoredEmail } from "./send-stored.ts";
import { isDatabaseUnavailable } from "../../faults/database.ts";

const HOUR = 3_600_000;
/** Reminders go out this long before a session starts. */
export const reminderOffsets = { "24h": 24 * HOUR, "1h": HOUR } as const;
export type ReminderOffset = keyof typeof reminderOffsets;

export const EMAIL_BOOKING_JOB = "email.booking";
export const EMAIL_REMINDER_JOB = "email.reminder";

export interface BookingEmailPayload {
  historyId: number;
}
export interface ReminderPayload {
  bookingId: number;
  /** The start the reminder was planned for (ISO); a moved or cancelled session makes it moot. */
  startTime: string;
  offset: ReminderOffset;
}

export interface NotificationDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  provider: EmailProvider;
  queue: JobQueue;
  manageTokens: ManageTokens;
  ratingTokens: RatingTokens;
  publicUrl: string;
  /** The sender (`Thotis <sessions@thotis.fr>`); its address is the invitations' organizer. */
  from: string;
}

export interface EmailListFilter {
  page: number;
  limit: number;
  status?: EmailStatus;
  bookingId?: number;
  to?: string;
}

/** One message to write and send; `render` runs only the first time (later attempts send the stored row). */
interface Delivery {
  dedupeKey: string;
  kind: EmailKind;
  bookingId: number;
  to: Recipient;
  render(): Promise<{ subject: string; html: string; text: string; attachments: OutgoingAttachment[] }>;
}

type BookingWithMentor = typeof bookings.$inferSelect & { mentor: { name: string; email: string; timeZone: string; locale: string } };

const localeOf = (value: string | null | undefined): Locale => (value === "en" ? "en" : "fr");
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

export type NotificationService = ReturnType<typeof createNotificationService>;

/**
 * Booking e-mails. A booking change enqueues jobs in its own transaction; the job handlers render each recipient's
 * message, keep it in email_outbox (one row per event and recipient: the idempotency record) and send it through
 * the provider unless that row is already sent.
 */
/** Longest wait for an outside calendar's video link before a booking message goes anyway (process died meanwhile). */
export const CALENDAR_GRACE_MS = 2 * 60_000;
const bookingEmailKey = (historyId: number) => `email:history:${historyId}`;

/** What every message about a session says, for a session starting at `start` (its old or new time). */
function sessionFacts(b: BookingWithMentor, start: Date): SessionFacts {
  return {
    mentorName: b.mentor.name,
    studentName: b.prospectiveName,
    question: b.question,
    start,
    end: new Date(start.getTime() + (b.endTime.getTime() - b.startTime.getTime())),
    meetingUrl: b.meetingUrl,
  };
}

export function createNotificationService(deps: NotificationDeps) {
  const { db, clock, logger, provider, queue } = deps;
  const organizer = { name: "Thotis", email: addressOf(deps.from) };

  function reminderJobs(bookingId: number, start: Date): JobSpec[] {
    const now = clock.now().getTime();
    return (Object.entries(reminderOffsets) as [ReminderOffset, number][])
      .filter(([, before]) => start.getTime() - before > now)
      .map(([offset, before]) => ({
        kind: EMAIL_REMINDER_JOB,
        payload: { bookingId, startTime: start.toISOString(), offset } satisfies ReminderPayload,
        runAt: new Date(start.getTime() - before),
        dedupeKey: `email:reminder:${bookingId}:${start.toISOString()}:${offset}`,
      }));
  }

  /** The booking's calendar step is done: its held confirmation or rescheduling message may go now. */
  async function releaseAfterCalendar(historyId: number): Promise<void> {
    await queue.runNow(bookingEmailKey(historyId));
  }

  /** jobs.onBookingTransition: runs inside the booking change's transaction, so the jobs exist exactly when it commits. */
  async function enqueueForTransition(tx: Database, transition: BookingTransition): Promise<void> {
    const specs: JobSpec[] = [
      {
        kind: EMAIL_BOOKING_JOB,
        payload: { historyId: transition.historyId } satisfies BookingEmailPayload,
        dedupeKey: bookingEmailKey(transition.historyId),
        // The video link is set by Google right after the commit: hold the message until releaseAfterCalendar (or the grace period).
        runAt: transition.calendarPending ? new Date(transition.at.getTime() + CALENDAR_GRACE_MS) : undefined,
      },
    ];
    if ((transition.action === "created" || transition.action === "rescheduled") && transition.newStartTime) {
      specs.push(...reminderJobs(transition.bookingId, transition.newStartTime));
    }
    await queue.enqueue(tx, specs);
  }

  async function loadBooking(bookingId: number): Promise<BookingWithMentor | null> {
    const [row] = await db
      .select({ booking: bookings, name: users.name, email: users.email, timeZone: users.timeZone, locale: users.locale })
      .from(bookings)
      .innerJoin(studentProfiles, eq(studentProfiles.id, bookings.studentProfileId))
      .innerJoin(users, eq(users.id, studentProfiles.userId))
      .where(eq(bookings.id, bookingId))
      .limit(1);
    if (!row) return null;
    return { ...row.booking, mentor: { name: row.name, email: row.email, timeZone: row.timeZone, locale: row.locale } };
  }

  function recipients(b: BookingWithMentor): Record<Audience, Recipient> {
    return {
      mentor: { audience: "mentor", name: b.mentor.name, email: b.mentor.email, locale: localeOf(b.mentor.locale), timeZone: b.mentor.timeZone },
      student: {
        audience: "student",
        name: b.prospectiveName,
        email: b.prospectiveEmail,
        locale: localeOf(b.prospectiveLocale),
        timeZone: b.prospectiveTimeZone ?? DEFAULT_ZONE,
      },
    };
  }

  /** The prospective student's link to view, cancel or reschedule this booking; valid until the session ends. */
  async function manageUrl(b: BookingWithMentor): Promise<string | undefined> {
    if (b.status !== "ACCEPTED" || b.endTime.getTime() <= clock.now().getTime()) return undefined;
    return `${deps.publicUrl}/widget/manage#${await deps.manageTokens.sign(b.id, b.endTime)}`;
  }

  /** The invite's SEQUENCE: how many times this booking's event changed up to this history entry. */
  async function sequenceAt(bookingId: number, historyId: number): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(bookingHistory)
      .where(
        and(
          eq(bookingHistory.bookingId, bookingId),
          lte(bookingHistory.id, historyId),
          inArray(bookingHistory.action, ["created", "rescheduled", "cancelled"]),
        ),
      );
    return Math.max(0, (row?.n ?? 1) - 1);
  }

  async function rowByKey(key: string): Promise<EmailMessage | undefined> {
    const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.dedupeKey, key)).limit(1);
    return row;
  }

  /** Writes the message once (ON CONFLICT DO NOTHING on its dedupe key), then sends it (see sendStoredEmail). */
  async function deliver(d: Delivery, context: JobContext): Promise<void> {
    // An erased person's address is a reserved .invalid one: nothing is written or sent to it.
    if (isErasedAddress(d.to.email)) return;
    let row = await rowByKey(d.dedupeKey);
    if (!row) {
      const rendered = await d.render();
      await db
        .insert(emailOutbox)
        .values({
          dedupeKey: d.dedupeKey,
          kind: d.kind,
          bookingId: d.bookingId,
          toAddress: d.to.email,
          // The column holds 120 characters (code points), as the names do.
          toName: Array.from(d.to.name).slice(0, 120).join(""),
          locale: d.to.locale,
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          attachments: rendered.attachments,
          status: "queued",
          provider: provider.name,
          createdAt: clock.now(),
        })
        .onConflictDoNothing({ target: emailOutbox.dedupeKey });
      row = await rowByKey(d.dedupeKey);
    }
    await sendStoredEmail({ db, clock, logger, provider }, row, context, "e-mail delivery failed");
  }

  /** Sends every delivery, then fails the job if any failed: one recipient's trouble does not hold the other's mail. */
  async function deliverAll(deliveries: Delivery[], context: JobContext): Promise<void> {
    const failures: unknown[] = [];
    for (const d of deliveries) {
      try {
        await deliver(d, context);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 0) return;
    const message = failures.map(errorText).join("; ");
    if (failures.every((f) => f instanceof PermanentJobError)) throw new PermanentJobError(message);
    // The cause lets the worker tell a dropped database connection (retried in a second, its attempt given back) from
    // a failure of the job's own (its kind's backoff): without it, e-mails cut short by an outage waited 30 s.
    throw new Error(message, { cause: failures.find(isDatabaseUnavailable) ?? failures[0] });
  }

  /** email.booking: the e-mails one booking change causes (confirmation, cancellation, rescheduling, rating request). */
  async function handleBookingEmail(payload: BookingEmailPayload, context: JobContext): Promise<void> {
    const [entry] = await db.select().from(bookingHistory).where(eq(bookingHistory.id, payload.historyId)).limit(1);
    const b = entry ? await loadBooking(entry.bookingId) : null;
    if (!entry || !b) {
      logger.warn("booking e-mail skipped: the booking no longer exists", { historyId: payload.historyId });
      return;
    }
    const to = recipients(b);
    const data = (entry.data ?? {}) as { reason?: unknown; cancelledBy?: unknown };
    const facts = (start: Date) => sessionFacts(b, start);
    const both = (kind: EmailKind, f: SessionFacts, method: "REQUEST" | "CANCEL", sequence: number): Delivery[] =>
      (["mentor", "student"] as const).map((audience) => ({
        dedupeKey: `${kind}:h${entry.id}:${audience}`,
        kind,
        bookingId: b.id,
        to: to[audience],
        render: async () =>
          composeEmail({
            kind,
            to: to[audience],
            facts: { ...f, manageUrl: audience === "student" && method === "REQUEST" ? await manageUrl(b) : undefined },
            invite: {
              method,
              bookingId: b.id,
              sequence,
              stamp: entry.at,
              organizer,
              mentor: { name: b.mentor.name, email: b.mentor.email },
              student: { name: b.prospectiveName, email: b.prospectiveEmail },
            },
            publicUrl: deps.publicUrl,
          }),
      }));

    switch (entry.action) {
      case "created":
        return deliverAll(both("booking_confirmation", facts(entry.newStartTime ?? b.startTime), "REQUEST", await sequenceAt(b.id, entry.id)), context);
      case "rescheduled": {
        const f = facts(entry.newStartTime ?? b.startTime);
        const previousStart = entry.oldStartTime ?? undefined;
        const previous = previousStart ? { previousStart, previousEnd: new Date(previousStart.getTime() + (f.end.getTime() - f.start.getTime())) } : {};
        return deliverAll(both("booking_rescheduled", { ...f, ...previous }, "REQUEST", await sequenceAt(b.id, entry.id)), context);
      }
      case "cancelled": {
        const f: SessionFacts = {
          ...facts(entry.oldStartTime ?? b.startTime),
          reason: typeof data.reason === "string" ? data.reason : b.cancellationReason,
          cancelledBy: typeof data.cancelledBy === "string" ? data.cancelledBy : b.cancelledBy,
        };
        return deliverAll(both("booking_cancellation", f, "CANCEL", await sequenceAt(b.id, entry.id)), context);
      }
      case "completed": {
        const kind = "rating_request" as const;
        return deliverAll(
          [
            {
              dedupeKey: `${kind}:h${entry.id}:student`,
              kind,
              bookingId: b.id,
              to: to.student,
              render: async () => {
                const token = await deps.ratingTokens.sign(b.id, b.prospectiveEmail);
                const ratingUrl = `${deps.publicUrl}/widget/rate#${token}`;
                return composeEmail({ kind, to: to.student, facts: { ...facts(b.startTime), ratingUrl }, publicUrl: deps.publicUrl });
              },
            },
          ],
          context,
        );
      }
    }
  }

  /** email.reminder: only while the session is still accepted at the start the reminder was planned for. */
  async function handleReminder(payload: ReminderPayload, context: JobContext): Promise<void> {
    const b = await loadBooking(payload.bookingId);
    const start = new Date(payload.startTime);
    if (!b || b.status !== "ACCEPTED" || b.startTime.getTime() !== start.getTime() || start.getTime() <= clock.now().getTime()) {
      logger.debug("reminder skipped: the session was moved, cancelled or has begun", { ...payload });
      return;
    }
    const kind: EmailKind = payload.offset === "24h" ? "reminder_24h" : "reminder_1h";
    const to = recipients(b);
    const facts = sessionFacts(b, b.startTime);
    await deliverAll(
      (["mentor", "student"] as const).map((audience) => ({
        dedupeKey: `${kind}:b${b.id}:${payload.startTime}:${audience}`,
        kind,
        bookingId: b.id,
        to: to[audience],
        render: async () =>
          composeEmail({
            kind,
            to: to[audience],
            facts: { ...facts, manageUrl: audience === "student" ? await manageUrl(b) : undefined },
            publicUrl: deps.publicUrl,
          }),
      })),
      context,
    );
  }

  const retry = { maxAttempts: 8, timeoutMs: 60_000, backoffMs: (attempt: number) => Math.min(HOUR, 30_000 * 2 ** (attempt - 1)) };

  const summary = (r: EmailMessage) => ({
    id: r.id,
    kind: r.kind,
    bookingId: r.bookingId,
    to: r.toAddress,
    toName: r.toName,
    locale: r.locale,
    subject: r.subject,
    status: r.status,
    provider: r.provider,
    providerMessageId: r.providerMessageId,
    attempts: r.attempts,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
  });

  return {
    enqueueForTransition,
    releaseAfterCalendar,
    /** One message outside any booking (privacy confirmations): kept in the outbox like the others, sent at once. */
    async sendDirect(m: { dedupeKey: string; kind: string; to: Recipient; subject: string; html: string; text: string }): Promise<void> {
      const context = { attempt: 1, job: { maxAttempts: 1 }, signal: AbortSignal.timeout(30_000) } as JobContext;
      await deliver({ dedupeKey: m.dedupeKey, kind: m.kind as EmailKind, bookingId: null as unknown as number, to: m.to, render: async () => ({ ...m, attachments: [] }) }, context);
    },
    /** Registered by the app under these names (durable jobs, retried with backoff). */
    jobKinds: {
      [EMAIL_BOOKING_JOB]: { handler: handleBookingEmail, ...retry } satisfies JobKind<BookingEmailPayload>,
      [EMAIL_REMINDER_JOB]: { handler: handleReminder, ...retry } satisfies JobKind<ReminderPayload>,
    } as Record<string, JobKind>,

    /** Admin mailbox: newest first. */
    async list(filter: EmailListFilter) {
      const like = filter.to ? `%${filter.to.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
      const where = and(
        filter.status ? eq(emailOutbox.status, filter.status) : undefined,
        filter.bookingId !== undefined ? eq(emailOutbox.bookingId, filter.bookingId) : undefined,
        like ? ilike(emailOutbox.toAddress, like) : undefined,
      );
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(emailOutbox)
          .where(where)
          .orderBy(desc(emailOutbox.id))
          .limit(filter.limit)
          .offset((filter.page - 1) * filter.limit),
        db.select({ n: sql<number>`count(*)::int` }).from(emailOutbox).where(where),
      ]);
      return { items: rows.map(summary), total: count?.n ?? 0, page: filter.page, limit: filter.limit };
    },

    /** One message as it was (or will be) sent, attachments named but not included. */
    async get(id: number) {
      const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id)).limit(1);
      if (!row) throw notFound(ErrorCode.NOT_FOUND, `E-mail ${id} not found`);
      return {
        ...summary(row),
        html: row.html,
        text: row.text,
        attachments: (row.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType })),
      };
    },
  };
}
