import { type AnyColumn, and, eq, inArray, or, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import {
  analyticsEvents,
  bookingHistory,
  bookings,
  calendarBusy,
  emailOutbox,
  googleConnections,
  idempotencyKeys,
  jobs,
  mentorSchedules,
  sessionRatings,
  studentProfiles,
  users,
  webhookAttempts,
  webhookDeliveries,
} from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { badRequest, conflict, ErrorCode, notFound } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import type { AuditActor, AuditService } from "../audit/service.ts";
import { normaliseEmail } from "../../lib/email-address.ts";
import type { BookingService } from "../bookings/service.ts";
import { anonymousAddress, containsPattern, ERASED_DOMAIN, ERASED_NAME, isErasedAddress, scrubJson } from "./scrub.ts";
import { MIN_NOTICE_MINUTES } from "../../scheduling/engine.ts";

/** Sessions closer than this cannot be cancelled (the booking rules' notice); an erasure waits for them to end. */
const NOTICE_MS = MIN_NOTICE_MINUTES * 60_000;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export interface PrivacyDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  /** The booking service: future sessions are cancelled through its normal path (e-mails, webhooks, Google, Cal.com). */
  bookings: Pick<BookingService, "cancel">;
  /** Deletes an uploaded file (a mentor's photo) once its erasure has committed. */
  removeMedia?: (publicPath: string) => Promise<void>;
}

export interface ErasureReceipt {
  subjectHash: string;
  erasedAt: string;
  reason: string;
  futureSessionsCancelled: number[];
  bookingsAnonymised: number;
  historyEntriesScrubbed: number;
  ratingsAnonymised: number;
  emailsDeleted: number;
  analyticsEventsAnonymised: number;
  webhookDeliveriesScrubbed: number;
  jobsDeleted: number;
  idempotencyRecordsDeleted: number;
  mentorAccount: boolean;
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
type Tx = Database;

export function createPrivacyService(deps: PrivacyDeps) {
  const { db, clock, audit } = deps;

  function checkEmail(raw: string): string {
    const email = normaliseEmail(raw);
    if (!EMAIL_PATTERN.test(email) || email.length > 254) throw badRequest(ErrorCode.INVALID_INPUT, "email must be an e-mail address");
    return email;
  }

  const sameAddress = (column: Parameters<typeof sql>[1], email: string) => sql`lower(${column}) = ${email}`;
  const jsonMentions = (column: Parameters<typeof sql>[1], email: string) => sql`${column}::text ilike ${containsPattern(email)}`;

  /** Everything that ties rows to the person: their bookings, and the widget visitor ids recorded with them. */
  async function footprint(tx: Tx, email: string) {
    const rows = await tx.select().from(bookings).where(sameAddress(bookings.prospectiveEmail, email)).orderBy(bookings.id);
    const ids = rows.map((r) => r.id);
    const history = ids.length ? await tx.select().from(bookingHistory).where(inArray(bookingHistory.bookingId, ids)).orderBy(bookingHistory.id) : [];
    const visitorIds = [
      ...new Set(history.map((h) => (h.data as { visitorId?: unknown } | null)?.visitorId).filter((v): v is string => typeof v === "string")),
    ];
    const names = [...new Set(rows.map((r) => r.prospectiveName))];
    return { rows, ids, history, visitorIds, names };
  }

  /** Rows of the side tables that hold the person's data, found by booking, address or visitor id. */
  function related(email: string, ids: number[], visitorIds: string[]) {
    const byBooking = (column: AnyColumn) => (ids.length ? inArray(column, ids) : sql`false`);
    return {
      ratings: or(byBooking(sessionRatings.bookingId), sameAddress(sessionRatings.prospectiveEmail, email)),
      emails: or(byBooking(emailOutbox.bookingId), sameAddress(emailOutbox.toAddress, email)),
      analytics: or(byBooking(analyticsEvents.bookingId), visitorIds.length ? inArray(analyticsEvents.distinctId, visitorIds) : sql`false`),
      deliveries: or(
        ids.length ? sql`(${webhookDeliveries.payload} -> 'data' ->> 'bookingId') in ${ids.map(String)}` : sql`false`,
        jsonMentions(webhookDeliveries.payload, email),
      ),
      jobs: jsonMentions(jobs.payload, email),
      // A replay record holds the booking's answer and a hash of the request (which carried the address).
      idempotency: or(
        ids.length ? sql`(${idempotencyKeys.responseBody} -> 'data' ->> 'bookingId') in ${ids.map(String)}` : sql`false`,
        jsonMentions(idempotencyKeys.responseBody, email),
      ),
    };
  }

  async function account(tx: Tx, email: string) {
    const [user] = await tx.select().from(users).where(sameAddress(users.email, email)).limit(1);
    return user;
  }

  async function exportSubject(rawEmail: string) {
    const email = checkEmail(rawEmail);
    const { rows, ids, history, visitorIds } = await footprint(db, email);
    const where = related(email, ids, visitorIds);
    const [ratings, emails, events, deliveries, queued, user] = await Promise.all([
      db.select().from(sessionRatings).where(where.ratings),
      db.select().from(emailOutbox).where(where.emails).orderBy(emailOutbox.id),
      db.select().from(analyticsEvents).where(where.analytics).orderBy(analyticsEvents.id),
      db.select().from(webhookDeliveries).where(where.deliveries).orderBy(webhookDeliveries.createdAt),
      db.select().from(jobs).where(where.jobs).orderBy(jobs.id),
      account(db, email),
    ]);
    return {
      email,
      generatedAt: clock.now().toISOString(),
      bookings: rows.map((b) => ({
        id: b.id,
        mentorProfileId: b.studentProfileId,
        startTime: iso(b.startTime),
        endTime: iso(b.endTime),
        status: b.status,
        name: b.prospectiveName,
        email: b.prospectiveEmail,
        question: b.question,
        timeZone: b.prospectiveTimeZone,
        locale: b.prospectiveLocale,
        meetingUrl: b.meetingUrl,
        cancellationReason: b.cancellationReason,
        cancelledBy: b.cancelledBy,
        createdAt: iso(b.createdAt),
        history: history
          .filter((h) => h.bookingId === b.id)
          .map((h) => ({ action: h.action, fromStatus: h.fromStatus, toStatus: h.toStatus, oldStartTime: iso(h.oldStartTime), newStartTime: iso(h.newStartTime), actor: h.actor, data: h.data, at: iso(h.at) })),
      })),
      ratings: ratings.map((r) => ({ id: r.id, bookingId: r.bookingId, rating: r.rating, feedback: r.feedback, email: r.prospectiveEmail, createdAt: iso(r.createdAt) })),
      emails: emails.map((m) => ({
        id: m.id,
        kind: m.kind,
        bookingId: m.bookingId,
        to: m.toAddress,
        toName: m.toName,
        subject: m.subject,
        text: m.text,
        html: m.html,
        status: m.status,
        createdAt: iso(m.createdAt),
        sentAt: iso(m.sentAt),
      })),
      analyticsEvents: events.map((e) => ({ id: e.id, name: e.name, visitorId: e.distinctId, bookingId: e.bookingId, properties: e.properties, at: iso(e.at) })),
      webhookDeliveries: deliveries.map((d) => ({ id: d.id, endpointId: d.endpointId, event: d.event, payload: d.payload, status: d.status, createdAt: iso(d.createdAt) })),
      queuedJobs: queued.map((j) => ({ id: j.id, kind: j.kind, status: j.status, payload: j.payload, runAt: iso(j.runAt) })),
      account: user ? { id: user.id, name: user.name, email: user.email, role: user.role, timeZone: user.timeZone, locale: user.locale, createdAt: iso(user.createdAt) } : null,
    };
  }

  /**
   * The erasure proper, in the caller's transaction. Bookings stay (statistics count them) with name, address,
   * question and reasons replaced; e-mails about them are deleted; payloads and analytics lose what named the person.
   * Also gives the bookings' ids and the names they carried, for the sweep after the commit.
   */
  async function eraseIn(
    tx: Tx,
    email: string,
    reason: string,
    actor: AuditActor,
    cancelled: number[],
  ): Promise<{ receipt: ErasureReceipt; ids: number[]; names: string[] }> {
    // Locks the rows: a booking change racing the erasure waits, then sees the anonymised row.
    await tx.select({ id: bookings.id }).from(bookings).where(sameAddress(bookings.prospectiveEmail, email)).for("update");
    const { rows, ids, history, visitorIds, names } = await footprint(tx, email);
    const where = related(email, ids, visitorIds);
    const needles = [email, ...names];
    const now = clock.now();

    if (ids.length) {
      // A fresh random address per booking: nothing links the anonymised bookings to each other or to the person.
      await tx
        .update(bookings)
        .set({
          prospectiveName: ERASED_NAME,
          prospectiveEmail: sql`'erased-' || gen_random_uuid() || ${`@${ERASED_DOMAIN}`}`,
          question: null,
          prospectiveTimeZone: null,
          cancellationReason: null,
          updatedAt: now,
        })
        .where(inArray(bookings.id, ids));
    }
    let historyScrubbed = 0;
    for (const h of history) {
      if (!h.data) continue;
      await tx.update(bookingHistory).set({ data: scrubJson(h.data, needles, ["visitorId"]) as Record<string, unknown> }).where(eq(bookingHistory.id, h.id));
      historyScrubbed++;
    }
    const ratings = await tx
      .update(sessionRatings)
      .set({ prospectiveEmail: sql`'erased-' || ${sessionRatings.id} || ${`@${ERASED_DOMAIN}`}`, feedback: null })
      .where(where.ratings)
      .returning({ id: sessionRatings.id });
    const emails = await tx.delete(emailOutbox).where(where.emails).returning({ id: emailOutbox.id });
    // One random id replaces the visitor ids: the funnel still counts one person, no longer linkable to anyone.
    const events = await tx.select().from(analyticsEvents).where(where.analytics);
    const pseudonym = `erased-${crypto.randomUUID()}`;
    for (const e of events) {
      await tx
        .update(analyticsEvents)
        .set({ distinctId: e.distinctId === null ? null : pseudonym, properties: e.properties ? (scrubJson(e.properties, needles) as Record<string, unknown>) : null })
        .where(eq(analyticsEvents.id, e.id));
    }
    const deliveries = await tx.select({ id: webhookDeliveries.id, payload: webhookDeliveries.payload }).from(webhookDeliveries).where(where.deliveries);
    for (const d of deliveries) {
      await tx.update(webhookDeliveries).set({ payload: scrubJson(d.payload, needles) as Record<string, unknown> }).where(eq(webhookDeliveries.id, d.id));
    }
    if (deliveries.length) {
      // A receiver may have echoed the payload back; its answers go too.
      await tx.update(webhookAttempts).set({ responseExcerpt: null }).where(inArray(webhookAttempts.deliveryId, deliveries.map((d) => d.id)));
    }
    const deletedJobs = await tx.delete(jobs).where(where.jobs).returning({ id: jobs.id });
    const replays = await tx.delete(idempotencyKeys).where(where.idempotency).returning({ key: idempotencyKeys.key });
    const user = await account(tx, email);

    const receipt: ErasureReceipt = {
      subjectHash: audit.hashSubject(email),
      erasedAt: now.toISOString(),
      reason,
      futureSessionsCancelled: cancelled,
      bookingsAnonymised: rows.length,
      historyEntriesScrubbed: historyScrubbed,
      ratingsAnonymised: ratings.length,
      emailsDeleted: emails.length,
      analyticsEventsAnonymised: events.length,
      webhookDeliveriesScrubbed: deliveries.length,
      jobsDeleted: deletedJobs.length,
      idempotencyRecordsDeleted: replays.length,
      mentorAccount: Boolean(user),
    };
    const { subjectHash: _, erasedAt: __, ...counts } = receipt;
    await audit.record(tx, { ...actor, action: "privacy.erase", target: "subject", subject: email, details: counts });
    return { receipt, ids, names };
  }

  /** Cancels the person's future sessions through the booking service, so mentor, Google and Cal.com hear of it. */
  async function cancelFuture(email: string, actor: AuditActor): Promise<number[]> {
    const now = clock.now().getTime();
    const upcoming = await db
      .select({ id: bookings.id, startTime: bookings.startTime, endTime: bookings.endTime })
      .from(bookings)
      .where(and(sameAddress(bookings.prospectiveEmail, email), eq(bookings.status, "ACCEPTED")));
    const imminent = upcoming.filter((b) => b.endTime.getTime() > now && b.startTime.getTime() - now < NOTICE_MS);
    if (imminent.length) {
      throw conflict(ErrorCode.CONFLICT, "A session of this person starts within 2 hours or is under way; erase once it has ended", {
        bookingIds: imminent.map((b) => b.id),
      });
    }
    const cancelled: number[] = [];
    for (const b of upcoming.filter((x) => x.startTime.getTime() - now >= NOTICE_MS)) {
      await deps.bookings.cancel(b.id, { reason: "Cancelled: the participant's personal data was erased", cancelledBy: "student" }, {
        kind: "role",
        role: "admin",
        sub: actor.actor,
      });
      cancelled.push(b.id);
    }
    return cancelled;
  }

  async function eraseSubject(rawEmail: string, reason: string, actor: AuditActor): Promise<ErasureReceipt> {
    const email = checkEmail(rawEmail);
    if (isErasedAddress(email)) throw badRequest(ErrorCode.INVALID_INPUT, "This address is already an anonymised one");
    const user = await account(db, email);
    if (user) {
      // Accounts (mentors, admins) have their own path: a mentor is erased once deactivated, keeping session statistics.
      throw conflict(ErrorCode.CONFLICT, "This address belongs to an account; erase a mentor with DELETE /api/v2/admin/privacy/mentors/:id", {
        userId: user.id,
      });
    }
    const cancelled = await cancelFuture(email, actor);
    const { receipt, ids, names } = await db.transaction((txn) => eraseIn(txn as unknown as Database, email, reason, actor, cancelled));
    await sweepLateEmails(email, ids, names);
    return receipt;
  }

  /**
   * The cancellations above wake the worker, which may have read the booking before the erasure committed and write
   * its e-mail just after: once committed, such late rows (to the address, or about these bookings and naming the
   * person) are deleted too. Only these bookings: someone else may share the name.
   */
  async function sweepLateEmails(email: string, ids: number[], names: string[]) {
    const mentions = ids.length ? names.filter((n) => n.trim()).map((n) => sql`${emailOutbox.text} ilike ${containsPattern(n)}`) : [];
    const aboutThem = mentions.length ? and(inArray(emailOutbox.bookingId, ids), or(...mentions)) : undefined;
    await db.delete(emailOutbox).where(or(sameAddress(emailOutbox.toAddress, email), aboutThem));
  }

  async function mentorRow(profileId: string) {
    const [row] = await db
      .select({ profile: studentProfiles, user: users })
      .from(studentProfiles)
      .innerJoin(users, eq(users.id, studentProfiles.userId))
      .where(eq(studentProfiles.id, profileId))
      .limit(1);
    if (!row) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${profileId} not found`);
    return row;
  }

  async function exportMentor(profileId: string) {
    const { profile, user } = await mentorRow(profileId);
    const [schedule] = await db.select().from(mentorSchedules).where(eq(mentorSchedules.studentProfileId, profileId));
    const [sessions, ratings, emails, google] = await Promise.all([
      db
        .select({ id: bookings.id, startTime: bookings.startTime, status: bookings.status, meetingUrl: bookings.meetingUrl })
        .from(bookings)
        .where(eq(bookings.studentProfileId, profileId))
        .orderBy(bookings.startTime),
      db
        .select({ id: sessionRatings.id, bookingId: sessionRatings.bookingId, rating: sessionRatings.rating, feedback: sessionRatings.feedback, createdAt: sessionRatings.createdAt })
        .from(sessionRatings)
        .where(eq(sessionRatings.studentProfileId, profileId)),
      db.select().from(emailOutbox).where(sameAddress(emailOutbox.toAddress, normaliseEmail(user.email))).orderBy(emailOutbox.id),
      db.select({ calendarId: googleConnections.calendarId, connectedAt: googleConnections.connectedAt }).from(googleConnections).where(eq(googleConnections.studentProfileId, profileId)),
    ]);
    return {
      generatedAt: clock.now().toISOString(),
      account: { id: user.id, name: user.name, email: user.email, role: user.role, timeZone: user.timeZone, locale: user.locale, createdAt: iso(user.createdAt) },
      profile: {
        id: profile.id,
        university: profile.university,
        degree: profile.degree,
        field: profile.field,
        currentYear: profile.currentYear,
        bio: profile.bio,
        profilePhotoUrl: profile.profilePhotoUrl,
        linkedInUrl: profile.linkedInUrl,
        isActive: profile.isActive,
        statistics: { totalSessions: profile.totalSessions, completedSessions: profile.completedSessions, cancelledSessions: profile.cancelledSessions, averageRating: profile.averageRating, totalRatings: profile.totalRatings },
      },
      schedule: schedule ? { timeZone: schedule.timeZone, weekly: schedule.weekly, overrides: schedule.overrides, outOfOffice: schedule.outOfOffice } : null,
      googleCalendar: google[0] ? { calendarId: google[0].calendarId, connectedAt: iso(google[0].connectedAt) } : null,
      // The sessions the mentor held; the prospective students' own data is theirs to export, not the mentor's.
      sessions: sessions.map((s) => ({ id: s.id, startTime: iso(s.startTime), status: s.status, meetingUrl: s.meetingUrl })),
      ratingsReceived: ratings.map((r) => ({ ...r, createdAt: iso(r.createdAt) })),
      emails: emails.map((m) => ({ id: m.id, kind: m.kind, bookingId: m.bookingId, subject: m.subject, text: m.text, status: m.status, createdAt: iso(m.createdAt) })),
    };
  }

  /**
   * A deactivated mentor's account and profile lose everything personal; the profile row, its counters, its sessions
   * and their ratings stay, so platform and field statistics do not move.
   */
  async function eraseMentor(profileId: string, reason: string, actor: AuditActor) {
    const { profile, user } = await mentorRow(profileId);
    if (profile.isActive) throw conflict(ErrorCode.CONFLICT, "Deactivate the mentor first (PATCH /api/v2/students/:id/status)");
    const email = normaliseEmail(user.email);
    if (isErasedAddress(email)) {
      await audit.record(db, { ...actor, action: "privacy.erase-mentor", target: `mentor:${profileId}`, details: { alreadyErased: true } });
      return { mentorProfileId: profileId, erasedAt: clock.now().toISOString(), alreadyErased: true, emailsDeleted: 0, jobsDeleted: 0 };
    }
    const erased = await db.transaction(async (txn) => {
      const tx = txn as unknown as Database;
      const now = clock.now();
      const needles = [email, user.name];
      await tx.update(users).set({ email: anonymousAddress(), name: "Former mentor", updatedAt: now }).where(eq(users.id, user.id));
      await tx
        .update(studentProfiles)
        .set({ bio: null, profilePhotoUrl: null, linkedInUrl: null, updatedAt: now })
        .where(eq(studentProfiles.id, profileId));
      await tx.delete(googleConnections).where(eq(googleConnections.studentProfileId, profileId));
      await tx.delete(calendarBusy).where(eq(calendarBusy.studentProfileId, profileId));
      // The mentor's copies of booking e-mails carry their name; the students' copies do too.
      const mentorBookings = tx.select({ id: bookings.id }).from(bookings).where(eq(bookings.studentProfileId, profileId));
      const emails = await tx
        .delete(emailOutbox)
        .where(or(sameAddress(emailOutbox.toAddress, email), inArray(emailOutbox.bookingId, mentorBookings)))
        .returning({ id: emailOutbox.id });
      const deletedJobs = await tx.delete(jobs).where(jsonMentions(jobs.payload, email)).returning({ id: jobs.id });
      const deliveries = await tx.select({ id: webhookDeliveries.id, payload: webhookDeliveries.payload }).from(webhookDeliveries).where(jsonMentions(webhookDeliveries.payload, email));
      for (const d of deliveries) {
        await tx.update(webhookDeliveries).set({ payload: scrubJson(d.payload, needles) as Record<string, unknown> }).where(eq(webhookDeliveries.id, d.id));
      }
      const details = { reason, emailsDeleted: emails.length, jobsDeleted: deletedJobs.length, webhookDeliveriesScrubbed: deliveries.length };
      await audit.record(tx, { ...actor, action: "privacy.erase-mentor", target: `mentor:${profileId}`, subject: email, details });
      return { mentorProfileId: profileId, erasedAt: now.toISOString(), alreadyErased: false, ...details };
    });
    // The photo file goes after the commit (a file cannot roll back); a failure is logged, the row no longer points to it.
    if (profile.profilePhotoUrl) {
      await deps.removeMedia?.(profile.profilePhotoUrl).catch((error) =>
        deps.logger.error("removing an erased mentor's photo failed", { profileId, error: error instanceof Error ? error.message : String(error) }),
      );
    }
    return erased;
  }

  return {
    checkEmail,
    exportSubject,
    eraseSubject,
    /** The retention job's entry: erase one person whose last session is long past (no future sessions to cancel). */
    eraseExpired: async (email: string, actor: AuditActor) =>
      (await db.transaction((txn) => eraseIn(txn as unknown as Database, email, "retention period over", actor, []))).receipt,
    exportMentor,
    eraseMentor,
    /** Audit entry for a read (exports). */
    recordRead: (action: string, target: string, subject: string | null, actor: AuditActor) => audit.record(db, { ...actor, action, target, subject }),
  };
}

