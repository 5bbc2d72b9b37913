import { eq, sql } from "drizzle-orm";
import { webhookDeliveries, webhookEndpoints, type WebhookDeliveryStatus } from "../../../db/schema/index.ts";
import { type JobContext, PermanentJobError } from "../../jobs/index.ts";
import type { WebhookServiceDeps } from "./deps.ts";
import { checkWebhookUrl } from "./address-guard.ts";
import { signedBody, standardWebhookHeaders, type UnsignedPayload } from "./signing.ts";

export interface DeliveryJobPayload {
  deliveryId: string;
}

/** Longest response text kept per attempt, in bytes. */
export const EXCERPT_BYTES = 1024;

interface AttemptOutcome {
  status: WebhookDeliveryStatus;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

/**
 * One HTTP attempt of one delivery (the `webhook.deliver` job). Any 2xx delivers; 410 Gone disables the endpoint and
 * ends the delivery; anything else (other statuses, network errors, the timeout) throws so the job system retries,
 * and the last allowed attempt marks the delivery dead. Every attempt is logged in webhook_attempts.
 */
export function createDeliveryHandler(deps: WebhookServiceDeps & { maxAttempts: number; /** Clears the booking path's endpoint list. */ endpointsChanged?: () => void }) {
  const { db, clock, config, logger } = deps;
  const fetchImpl = deps.fetch ?? fetch;

  /** Counts the attempt on the delivery and logs it, in one statement (one round trip per attempt). */
  async function record(deliveryId: string, at: Date, o: AttemptOutcome): Promise<void> {
    // ISO text with casts: postgres.js cannot serialise a bare Date inside a raw sql template.
    const deliveredAt = o.status === "delivered" ? at.toISOString() : null;
    await db.execute(sql`
      with d as (
        update ${webhookDeliveries}
        set attempts = attempts + 1, status = ${o.status}, last_status_code = ${o.statusCode}::int, last_error = ${o.error}::text,
            delivered_at = coalesce(${deliveredAt}::timestamptz, delivered_at)
        where id = ${deliveryId}
        returning attempts
      )
      insert into webhook_attempts (delivery_id, attempt, status_code, latency_ms, response_excerpt, error, at)
      select ${deliveryId}, d.attempts, ${o.statusCode}::int, ${o.latencyMs}::int, ${o.excerpt}::text, ${o.error}::text, ${at.toISOString()}::timestamptz from d`);
  }

  async function endWithoutAttempt(deliveryId: string, error: string): Promise<never> {
    await db.update(webhookDeliveries).set({ status: "dead", lastError: error }).where(eq(webhookDeliveries.id, deliveryId));
    throw new PermanentJobError(error);
  }

  // Built once (at the first delivery): query building is a visible share of a delivery's CPU when thousands are drained.
  const prepareLoad = () =>
    db
      .select({
        id: webhookDeliveries.id,
        status: webhookDeliveries.status,
        payload: webhookDeliveries.payload,
        endpointId: webhookEndpoints.id,
        url: webhookEndpoints.url,
        secret: webhookEndpoints.secret,
        active: webhookEndpoints.active,
      })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(eq(webhookDeliveries.id, sql.placeholder("id")))
      .prepare("webhook_delivery_load");
  let load: ReturnType<typeof prepareLoad> | undefined;

  return async function deliver(payload: DeliveryJobPayload, context: JobContext): Promise<void> {
    const { deliveryId } = payload;
    load ??= prepareLoad();
    const [row] = await load.execute({ id: deliveryId });
    // Deleted with its endpoint, or delivered by a worker that died before finishing its job: nothing left to do.
    if (!row || row.status === "delivered") return;
    if (!row.active) return endWithoutAttempt(deliveryId, "The endpoint is disabled");
    const secret = row.secret ?? config.secret;
    if (!secret) return endWithoutAttempt(deliveryId, "The endpoint has no secret and THOTIS_WEBHOOK_SECRET is not set");
    const last = context.attempt >= Math.min(context.job.maxAttempts, deps.maxAttempts);
    const retryOrDead: WebhookDeliveryStatus = last ? "dead" : "pending";

    const at = clock.now();
    // DNS may have changed since registration (rebinding): the address rule is checked again before each attempt.
    const check = await checkWebhookUrl(row.url, { allowPrivate: config.allowPrivate, resolve: deps.resolve });
    if (!check.ok) {
      await record(deliveryId, at, { status: retryOrDead, statusCode: null, latencyMs: 0, excerpt: null, error: check.reason });
      throw new Error(check.reason);
    }

    const body = signedBody(row.payload as unknown as UnsignedPayload, secret);
    const headers = {
      "content-type": "application/json",
      "user-agent": "Thotis-Webhooks/1.0",
      ...standardWebhookHeaders(secret, row.id, at, body),
    };
    const timeout = AbortSignal.timeout(config.timeoutMs);
    const started = performance.now();
    let statusCode: number | null = null;
    let excerpt: string | null = null;
    let error: string | null = null;
    try {
      // No redirects: a 3xx to an internal address would get around the address rule.
      const res = await fetchImpl(check.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.any([context.signal, timeout]) });
      statusCode = res.status;
      excerpt = await readExcerpt(res).catch(() => null);
    } catch (e) {
      error = timeout.aborted
        ? `No answer within ${config.timeoutMs} ms`
        : context.signal.aborted
          ? `Attempt interrupted (${String((context.signal.reason as Error | undefined)?.message ?? context.signal.reason)})`
          : `Request failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    const latencyMs = Math.round(performance.now() - started);

    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      await record(deliveryId, clock.now(), { status: "delivered", statusCode, latencyMs, excerpt, error: null });
      return;
    }
    if (statusCode === 410) {
      const reason = `The receiver answered 410 Gone on ${at.toISOString()}`;
      await record(deliveryId, clock.now(), { status: "dead", statusCode, latencyMs, excerpt, error: "410 Gone: endpoint disabled" });
      await db.update(webhookEndpoints).set({ active: false, disabledReason: reason, updatedAt: clock.now() }).where(eq(webhookEndpoints.id, row.endpointId));
      deps.endpointsChanged?.();
      logger.warn("webhook endpoint disabled after 410 Gone", { endpointId: row.endpointId, deliveryId });
      throw new PermanentJobError(reason);
    }
    error ??= `The receiver answered ${statusCode}`;
    await record(deliveryId, clock.now(), { status: retryOrDead, statusCode, latencyMs, excerpt, error });
    throw new Error(error);
  };
}

/** The first EXCERPT_BYTES of the response body (decoded leniently, NULs dropped: Postgres text refuses them). */
async function readExcerpt(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < EXCERPT_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  if (size >= EXCERPT_BYTES) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, EXCERPT_BYTES));
  let offset = 0;
  for (const c of chunks) {
    if (offset >= bytes.length) break;
    const part = c.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  const text = new TextDecoder().decode(bytes).replaceAll("\u0000", "");
  return text === "" ? null : text;
}
