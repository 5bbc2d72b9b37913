import { randomBytes } from "node:crypto";
import { and, asc, count, desc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import {
  bookings,
  jobs,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
  type WebhookEvent,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
} from "../../../db/schema/index.ts";
import type { JobKind } from "../../jobs/index.ts";
import { badRequest, conflict, ErrorCode, notFound } from "../../lib/errors.ts";
import type { BookingEffects, BookingTransition } from "../bookings/service.ts";
import { checkWebhookUrl } from "./address-guard.ts";
import { createDeliveryHandler, type DeliveryJobPayload } from "./delivery.ts";
import type { WebhookServiceDeps } from "./deps.ts";
import { generateSecret, isValidSecret, type UnsignedPayload } from "./signing.ts";

export const DELIVER_JOB = "webhook.deliver";
/** Event of the deliveries POST /webhooks/:id/test sends: not a booking event, so receivers can ignore it. */
export const TEST_EVENT = "webhook.test";

export type { WebhookServiceDeps };

export interface EndpointInput {
  url: string;
  events: WebhookEvent[];
  /** A "whsec_" secret; absent → generated; null → THOTIS_WEBHOOK_SECRET signs. */
  secret?: string | null;
  description?: string;
  active?: boolean;
}

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  events: WebhookEvent[];
  active: boolean;
  disabledReason: string | null;
  /** "endpoint": signed with its own secret; "platform": with THOTIS_WEBHOOK_SECRET. */
  signingSecret: "endpoint" | "platform";
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  event: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AttemptView {
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  error: string | null;
  at: string;
}

const endpointView = (e: WebhookEndpoint): EndpointView => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  active: e.active,
  disabledReason: e.disabledReason,
  signingSecret: e.secret ? "endpoint" : "platform",
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

const deliveryView = (d: typeof webhookDeliveries.$inferSelect): DeliveryView => ({
  id: d.id,
  endpointId: d.endpointId,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

/** How long this process trusts its list of subscribed endpoints (see subscribers()). */
export const ENDPOINTS_TTL_MS = 1000;

const newEndpointId = () => `wh_${randomBytes(12).toString("base64url")}`;
/** The webhook-id header: the same on every attempt and on replay, so receivers can de-duplicate. */
export const newDeliveryId = () => `msg_${randomBytes(16).toString("base64url")}`;

/**
 * Webhook endpoints, the deliveries booking changes cause, and their delivery job. Deliveries are written and their
 * jobs enqueued in the booking change's own transaction (outbox); the job system retries them.
 */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, clock, config, queue } = deps;
  const jobOptions = {
    maxAttempts: config.retrySeconds.length + 1,
  };

  async function assertAllowedUrl(url: string) {
    const check = await checkWebhookUrl(url, { allowPrivate: config.allowPrivate, resolve: deps.resolve });
    if (!check.ok) throw badRequest(ErrorCode.WEBHOOK_URL_NOT_ALLOWED, check.reason, { url });
  }

  function checkSecret(secret: string | null | undefined) {
    if (secret === null && !config.secret) {
      throw badRequest(ErrorCode.INVALID_INPUT, "secret: null asks for THOTIS_WEBHOOK_SECRET to sign, but it is not configured");
    }
    if (typeof secret === "string" && !isValidSecret(secret)) {
      throw badRequest(ErrorCode.INVALID_INPUT, 'secret must be "whsec_" followed by 24 to 64 bytes in base64 (omit it to get one generated)');
    }
  }

  async function findEndpoint(id: string): Promise<WebhookEndpoint> {
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    if (!row) throw notFound(ErrorCode.WEBHOOK_NOT_FOUND, `No webhook endpoint ${id}`);
    return row;
  }

  /** Inserts deliveries and their jobs with `executor` (the caller's transaction when there is one). */
  async function enqueueDeliveries(executor: Database, rows: { endpointId: string; payload: UnsignedPayload }[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const now = clock.now();
    const values = rows.map((r) => ({
      id: newDeliveryId(),
      endpointId: r.endpointId,
      event: r.payload.event as WebhookEvent,
      payload: r.payload as unknown as Record<string, unknown>,
      createdAt: now,
    }));
    await executor.insert(webhookDeliveries).values(values);
    await queue.enqueue(
      executor,
      values.map((v) => ({ kind: DELIVER_JOB, payload: { deliveryId: v.id } satisfies DeliveryJobPayload, maxAttempts: jobOptions.maxAttempts })),
    );
    return values.map((v) => v.id);
  }

  /**
   * Active endpoints subscribed to each event, read at most once a second instead of on every booking (the read was
   * one of a booking's statements even with no endpoint at all). Changes made through this process clear it at once;
   * one made by another process (a worker disabling an endpoint after a 410, another API instance) shows within
   * ENDPOINTS_TTL_MS: deliveries enqueued meanwhile for a disabled endpoint end without an attempt (delivery.ts).
   */
  const subscribed = new Map<WebhookEvent, { ids: { id: string }[]; at: number }>();
  const endpointsChanged = () => subscribed.clear();
  async function subscribers(tx: Database, event: WebhookEvent): Promise<{ id: string }[]> {
    const cached = subscribed.get(event);
    const now = performance.now();
    if (cached && now - cached.at < ENDPOINTS_TTL_MS) return cached.ids;
    const ids = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.active, true), sql`${webhookEndpoints.events} @> ${JSON.stringify([event])}::jsonb`));
    subscribed.set(event, { ids, at: now });
    return ids;
  }

  /** Booking-transition listener: one frozen payload per subscribed active endpoint, in the change's transaction. */
  const onBookingTransition: BookingEffects = async (tx: Database, transition: BookingTransition) => {
    const event = `booking.${transition.action}` as WebhookEvent;
    const endpoints = await subscribers(tx, event);
    if (endpoints.length === 0) return;
    const [booking] = transition.booking ? [transition.booking] : await tx.select().from(bookings).where(eq(bookings.id, transition.bookingId));
    if (!booking) return;
    const metadata: Record<string, unknown> = {
      endTime: booking.endTime.toISOString(),
      status: booking.status,
      meetingUrl: booking.meetingUrl,
      meetingProvider: booking.meetingProvider,
      actor: transition.actor,
    };
    if (transition.action === "rescheduled" && transition.oldStartTime) metadata.previousDateTime = transition.oldStartTime.toISOString();
    if (transition.action === "cancelled") {
      metadata.reason = transition.reason ?? booking.cancellationReason;
      metadata.cancelledBy = booking.cancelledBy;
    }
    const payload: UnsignedPayload = {
      event,
      timestamp: transition.at.toISOString(),
      data: {
        bookingId: booking.id,
        studentProfileId: booking.studentProfileId,
        prospectiveStudentEmail: booking.prospectiveEmail,
        dateTime: booking.startTime.toISOString(),
        metadata,
      },
    };
    await enqueueDeliveries(
      tx,
      endpoints.map((e) => ({ endpointId: e.id, payload })),
    );
  };

  const handler = createDeliveryHandler({ ...deps, maxAttempts: jobOptions.maxAttempts, endpointsChanged });

  /** The `webhook.deliver` job kind: retries after retrySeconds (1 s, 2 s, 4 s by default), then dead letter. */
  const deliveryJob: JobKind<DeliveryJobPayload> = {
    handler,
    maxAttempts: jobOptions.maxAttempts,
    backoffMs: (attempt) => (config.retrySeconds[attempt - 1] ?? config.retrySeconds.at(-1) ?? 1) * 1000,
    // The HTTP timeout plus time for the bookkeeping around it; the handler enforces the HTTP timeout itself.
    timeoutMs: config.timeoutMs + 5_000,
  };

  return {
    onBookingTransition,
    deliveryJob,

    async createEndpoint(input: EndpointInput): Promise<EndpointView & { secret: string | null }> {
      checkSecret(input.secret);
      await assertAllowedUrl(input.url);
      const secret = input.secret === undefined ? generateSecret() : input.secret;
      const now = clock.now();
      const [row] = await db
        .insert(webhookEndpoints)
        .values({
          id: newEndpointId(),
          url: input.url,
          description: input.description ?? null,
          events: [...new Set(input.events)],
          secret,
          active: input.active ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      endpointsChanged();
      return { ...endpointView(row!), secret };
    },

    async listEndpoints(): Promise<EndpointView[]> {
      const rows = await db.select().from(webhookEndpoints).orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
      return rows.map(endpointView);
    },

    getEndpoint: async (id: string) => endpointView(await findEndpoint(id)),

    async updateEndpoint(id: string, patch: Partial<EndpointInput>): Promise<EndpointView> {
      await findEndpoint(id);
      checkSecret(patch.secret);
      if (patch.url !== undefined) await assertAllowedUrl(patch.url);
      const set: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: clock.now() };
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.events !== undefined) set.events = [...new Set(patch.events)];
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.secret !== undefined) set.secret = patch.secret;
      if (patch.active !== undefined) {
        set.active = patch.active;
        // Turning it back on (after a 410 or by hand) forgets why it was off.
        set.disabledReason = patch.active ? null : "disabled by an admin";
      }
      const [row] = await db.update(webhookEndpoints).set(set).where(eq(webhookEndpoints.id, id)).returning();
      if (!row) throw notFound(ErrorCode.WEBHOOK_NOT_FOUND, `No webhook endpoint ${id}`);
      endpointsChanged();
      return endpointView(row);
    },

    async deleteEndpoint(id: string): Promise<void> {
      // Its deliveries and attempts go too (cascade); jobs still queued for them find nothing and end.
      const rows = await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning({ id: webhookEndpoints.id });
      endpointsChanged();
      if (rows.length === 0) throw notFound(ErrorCode.WEBHOOK_NOT_FOUND, `No webhook endpoint ${id}`);
    },

    async listDeliveries(filter: { status?: WebhookDeliveryStatus; endpointId?: string; page: number; limit: number }) {
      const where = and(
        filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
        filter.endpointId ? eq(webhookDeliveries.endpointId, filter.endpointId) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(webhookDeliveries)
          .where(where)
          .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
          .limit(filter.limit)
          .offset((filter.page - 1) * filter.limit),
        db.select({ n: count() }).from(webhookDeliveries).where(where),
      ]);
      return { items: rows.map(deliveryView), total: Number(total?.n ?? 0), page: filter.page, limit: filter.limit };
    },

    async getDelivery(id: string) {
      const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
      if (!row) throw notFound(ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, `No webhook delivery ${id}`);
      const attempts = await db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, id)).orderBy(asc(webhookAttempts.attempt));
      return {
        ...deliveryView(row),
        payload: row.payload,
        attempts: attempts.map(
          (a): AttemptView => ({
            attempt: a.attempt,
            statusCode: a.statusCode,
            latencyMs: a.latencyMs,
            responseExcerpt: a.responseExcerpt,
            error: a.error,
            at: a.at.toISOString(),
          }),
        ),
      };
    },

    /** Sends a delivered or dead delivery again, with the same webhook-id and body, and a fresh retry budget. */
    async replay(id: string): Promise<DeliveryView> {
      const row = await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const [updated] = await tx
          .update(webhookDeliveries)
          .set({ status: "pending", lastError: null })
          .where(and(eq(webhookDeliveries.id, id), ne(webhookDeliveries.status, "pending")))
          .returning();
        if (!updated) {
          const [existing] = await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
          if (!existing) throw notFound(ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, `No webhook delivery ${id}`);
          throw conflict(ErrorCode.CONFLICT, "This delivery is still pending; it can be replayed once delivered or dead");
        }
        // The delivery's last finished job is put back to work (fresh retry budget) rather than a new one enqueued:
        // a dead job left behind kept counting in /admin/jobs?status=dead and the health page after the replay.
        const [last] = await tx
          .select({ id: jobs.id })
          .from(jobs)
          .where(and(eq(jobs.kind, DELIVER_JOB), inArray(jobs.status, ["dead", "succeeded"]), sql`${jobs.payload}->>'deliveryId' = ${id}`))
          .orderBy(desc(jobs.id))
          .limit(1);
        const revived = last ? await queue.replay(last.id, tx) : null;
        if (!revived) {
          await queue.enqueue(tx, { kind: DELIVER_JOB, payload: { deliveryId: id } satisfies DeliveryJobPayload, maxAttempts: jobOptions.maxAttempts });
        }
        return updated;
      });
      queue.poke();
      return deliveryView(row);
    },

    /** A signed test message to one endpoint (event "webhook.test"), delivered and retried like the others. */
    async sendTest(endpointId: string): Promise<DeliveryView> {
      const endpoint = await findEndpoint(endpointId);
      if (!endpoint.active) throw conflict(ErrorCode.CONFLICT, "This endpoint is disabled; enable it first (PATCH active: true)");
      const now = clock.now();
      const payload = { event: TEST_EVENT, timestamp: now.toISOString(), data: { endpointId, message: "Test webhook from Thotis" } };
      const [id] = await db.transaction((txn) => enqueueDeliveries(txn as unknown as Database, [{ endpointId, payload }]));
      queue.poke();
      const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id!));
      return deliveryView(row!);
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
