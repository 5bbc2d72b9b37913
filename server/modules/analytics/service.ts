import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bound, prebuilt } from "../../../db/prebuilt.ts";
import { type AnalyticsEventName, analyticsEvents, bookings } from "../../../db/schema/index.ts";
import type { MixpanelClient } from "../../integrations/mixpanel/client.ts";
import { MixpanelError } from "../../integrations/mixpanel/client.ts";
import type { Clock } from "../../lib/clock.ts";
import { badRequest, ErrorCode } from "../../lib/errors.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { PermanentJobError } from "../../jobs/worker.ts";
import type { BookingTransition } from "../bookings/service.ts";

export type AnalyticsProperties = Record<string, string | number | boolean | null>;

export interface AnalyticsEventInput {
  name: AnalyticsEventName;
  /** Who did it, as the caller identifies them (the widget's anonymous visitor id); at most 128 characters. */
  distinctId?: string | null;
  studentProfileId?: string | null;
  bookingId?: number | null;
  properties?: AnalyticsProperties;
  /** Default: the injected clock's now. */
  at?: Date;
}

export const MIXPANEL_JOB = "analytics.mixpanel";
const FUNNEL_STEPS = ["widget_opened", "slot_chosen", "booking_created"] as const;
const DAY_MS = 86_400_000;

/**
 * Product analytics: every event is a row of analytics_events (always), written with the caller's executor so an
 * event caused by a change commits with it. With Mixpanel configured each row also enqueues a job, in the same
 * transaction, that forwards it (the job's retries are safe: the row id is Mixpanel's $insert_id).
 */
export function createAnalyticsService(deps: { db: Database; clock: Clock; queue: JobQueue; mixpanel?: MixpanelClient }) {
  const { db, clock, queue, mixpanel } = deps;

  // Built once: every booking records an event (db/prebuilt.ts).
  const insertEvent = prebuilt(db, (d) =>
    d
      .insert(analyticsEvents)
      .values({
        name: bound("name"),
        distinctId: bound("distinctId"),
        studentProfileId: bound("studentProfileId"),
        bookingId: bound("bookingId"),
        properties: bound("properties"),
        at: bound("at"),
      } as unknown as typeof analyticsEvents.$inferInsert)
      .returning({ id: analyticsEvents.id })
      .prepare("insert_analytics_event"),
  );

  async function record(executor: Database, event: AnalyticsEventInput): Promise<number> {
    const [row] = await insertEvent.on(executor, {
      name: event.name,
      distinctId: event.distinctId ?? null,
      studentProfileId: event.studentProfileId ?? null,
      bookingId: event.bookingId ?? null,
      properties: event.properties && Object.keys(event.properties).length ? JSON.stringify(event.properties) : null,
      at: (event.at ?? clock.now()).toISOString(),
    });
    const id = row!.id;
    if (mixpanel) await queue.enqueue(executor, { kind: MIXPANEL_JOB, payload: { eventId: id }, dedupeKey: `${MIXPANEL_JOB}:${id}` });
    return id;
  }

  return {
    record,

    /** booking_created / booking_cancelled, recorded inside the booking's transaction (jobs.onBookingTransition). */
    async onBookingTransition(tx: Database, transition: BookingTransition): Promise<void> {
      const name = transition.action === "created" ? "booking_created" : transition.action === "cancelled" ? "booking_cancelled" : null;
      if (!name) return;
      // The booking change says whose booking it is; read it only when it does not (one statement less per booking).
      const [booking] = transition.studentProfileId
        ? [{ studentProfileId: transition.studentProfileId }]
        : await tx.select({ studentProfileId: bookings.studentProfileId }).from(bookings).where(eq(bookings.id, transition.bookingId));
      await record(tx, {
        name,
        // The visitor id the widget sent with the booking: the funnel follows that visitor to the booked step.
        distinctId: transition.visitorId,
        studentProfileId: booking?.studentProfileId ?? null,
        bookingId: transition.bookingId,
        // The actor kind only ("widget", "mentor", …), never the free-text reason: analytics carry no personal data.
        properties: { actor: transition.actor.split(":")[0] ?? transition.actor },
        at: transition.at,
      });
    },

    /** The job handler forwarding one recorded event to Mixpanel. */
    async forward(payload: { eventId: number }, signal?: AbortSignal): Promise<void> {
      if (!mixpanel) return;
      const [event] = await db.select().from(analyticsEvents).where(eq(analyticsEvents.id, payload.eventId));
      if (!event) return;
      try {
        await mixpanel.track(
          [
            {
              event: event.name,
              time: event.at.getTime(),
              distinctId: event.distinctId ?? "",
              insertId: `thotis-${event.id}`,
              properties: {
                ...event.properties,
                ...(event.studentProfileId ? { studentProfileId: event.studentProfileId } : {}),
                ...(event.bookingId ? { bookingId: event.bookingId } : {}),
              },
            },
          ],
          signal,
        );
      } catch (error) {
        if (error instanceof MixpanelError && error.permanent) throw new PermanentJobError(error.message);
        throw error;
      }
    },

    /**
     * The booking funnel over [from, to): widget opened → slot chosen → booked. Each step counts people: distinct
     * distinctId values, plus every event that carries none (each counts as one person, since nothing ties it to
     * another). Default range: the last 30 days.
     */
    async funnel(filter: { from?: string; to?: string; studentProfileId?: string }) {
      const to = filter.to ? new Date(filter.to) : clock.now();
      const from = filter.from ? new Date(filter.from) : new Date(to.getTime() - 30 * DAY_MS);
      if (!(from.getTime() < to.getTime())) throw badRequest(ErrorCode.INVALID_INPUT, "from must be before to");
      const rows = await db
        .select({
          name: analyticsEvents.name,
          people: sql<number>`(count(distinct ${analyticsEvents.distinctId}) + count(*) filter (where ${analyticsEvents.distinctId} is null))::int`,
        })
        .from(analyticsEvents)
        .where(
          and(
            inArray(analyticsEvents.name, [...FUNNEL_STEPS]),
            gte(analyticsEvents.at, from),
            lt(analyticsEvents.at, to),
            filter.studentProfileId ? eq(analyticsEvents.studentProfileId, filter.studentProfileId) : undefined,
          ),
        )
        .groupBy(analyticsEvents.name);
      const count = (name: string) => rows.find((r) => r.name === name)?.people ?? 0;
      const [opened, chosen, booked] = FUNNEL_STEPS.map(count) as [number, number, number];
      const rate = (n: number, d: number) => (d > 0 ? n / d : null);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        studentProfileId: filter.studentProfileId ?? null,
        steps: FUNNEL_STEPS.map((name) => ({ name, count: count(name) })),
        conversion: { slotChosenRate: rate(chosen, opened), bookedRate: rate(booked, chosen), overallRate: rate(booked, opened) },
      };
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
