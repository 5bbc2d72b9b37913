import { gte, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { emailOutbox, webhookAttempts } from "../../../db/schema/index.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import type { RequestMetrics, WindowStats } from "../../plugins/metrics.ts";

/** The design document's alert thresholds (fractions): a flag goes up when a rate is strictly above its threshold. */
export const thresholds = { apiErrorRate: 0.05, bookingFailureRate: 0.1, webhookFailureRate: 0.2 } as const;

const HOUR_MS = 3_600_000;
const rate = (n: number, d: number) => (d > 0 ? n / d : null);
const above = (value: number | null, limit: number) => value !== null && value > limit;

export interface HealthDeps {
  db: Database;
  clock: Clock;
  queue: JobQueue;
  metrics: RequestMetrics;
  cacheStats: () => { hits: number; misses: number };
  startedAt: Date;
  version: string;
  logger?: Logger;
}

/** Is this the booking-creation route (POST /api/v2/bookings, whatever trailing slash the template has)? */
const isBookingCreation = (r: { method: string; route: string }) => r.method === "POST" && r.route.replace(/\/+$/, "") === "/api/v2/bookings";

/**
 * The admin health report. Request figures are this process's (in memory); queue, webhook and e-mail figures come
 * from the database and so cover every process.
 */
export function createHealthService(deps: HealthDeps) {
  const { db, clock, queue, metrics } = deps;
  /** A figure that cannot be read is reported empty (the report must answer while the database struggles), and logged. */
  const unavailable = (what: string, error: unknown) => deps.logger?.warn("health figure unavailable", { what, error: error instanceof Error ? error.message : String(error) });

  async function databaseLatency() {
    const start = performance.now();
    try {
      await db.execute(sql`select 1`);
      return { ok: true, latencyMs: Math.round((performance.now() - start) * 100) / 100 };
    } catch (error) {
      unavailable("database", error);
      return { ok: false, latencyMs: null };
    }
  }

  async function queueStats() {
    try {
      const s = await queue.stats();
      return { ok: true, due: s.due, pending: s.pending, running: s.running, dead: s.dead, oldestDueSeconds: s.oldestDueSeconds };
    } catch (error) {
      unavailable("queue", error);
      return { ok: false, due: null, pending: null, running: null, dead: null, oldestDueSeconds: null };
    }
  }

  /** Every HTTP attempt of the last hour; a 2xx answer is a success, anything else (or no answer) a failure. */
  async function webhookStats(since: Date) {
    try {
      const [row] = await db
        .select({
          attempts: sql<number>`count(*)::int`,
          succeeded: sql<number>`count(*) filter (where ${webhookAttempts.statusCode} between 200 and 299)::int`,
        })
        .from(webhookAttempts)
        .where(gte(webhookAttempts.at, since));
      const attempts = row?.attempts ?? 0;
      const succeeded = row?.succeeded ?? 0;
      return { window: "1h" as const, attempts, succeeded, failed: attempts - succeeded, successRate: rate(succeeded, attempts) };
    } catch (error) {
      unavailable("webhooks", error);
      return { window: "1h" as const, attempts: 0, succeeded: 0, failed: 0, successRate: null };
    }
  }

  /**
   * Messages sent in the last hour (by sending time: a message may wait) against messages given up on (status
   * failed) created in it. The scan is bounded to messages created in the last day (indexed on created_at).
   */
  async function emailStats(since: Date) {
    try {
      const [row] = await db
        .select({
          // ISO text with a cast: postgres.js cannot serialise a bare Date inside a raw sql template.
          sent: sql<number>`count(*) filter (where ${emailOutbox.status} = 'sent' and ${emailOutbox.sentAt} >= ${since.toISOString()}::timestamptz)::int`,
          failed: sql<number>`count(*) filter (where ${emailOutbox.status} = 'failed' and ${emailOutbox.createdAt} >= ${since.toISOString()}::timestamptz)::int`,
        })
        .from(emailOutbox)
        .where(gte(emailOutbox.createdAt, new Date(since.getTime() - 24 * HOUR_MS)));
      const sent = row?.sent ?? 0;
      const failed = row?.failed ?? 0;
      return { window: "1h" as const, sent, failed, successRate: rate(sent, sent + failed) };
    } catch (error) {
      unavailable("emails", error);
      return { window: "1h" as const, sent: 0, failed: 0, successRate: null };
    }
  }

  return {
    async report() {
      const now = clock.now();
      const since = new Date(now.getTime() - HOUR_MS);
      const [database, jobs, webhooks, emails] = await Promise.all([databaseLatency(), queueStats(), webhookStats(since), emailStats(since)]);
      const fiveMinutes = metrics.window(5);
      const hour = metrics.window(60);
      const bookingRoutes = hour.routes.filter(isBookingCreation);
      const attempts = bookingRoutes.reduce((n, r) => n + r.requests, 0);
      const failures = bookingRoutes.reduce((n, r) => n + r.errors, 0);
      const conflicts = bookingRoutes.reduce((n, r) => n + r.conflicts, 0);
      const bookings = { window: "1h" as const, attempts, failures, conflicts, failureRate: rate(failures, attempts) };
      const webhookFailureRate = webhooks.successRate === null ? null : 1 - webhooks.successRate;
      const alerts = {
        apiErrorRate: above(fiveMinutes.errorRate, thresholds.apiErrorRate),
        bookingFailureRate: above(bookings.failureRate, thresholds.bookingFailureRate),
        webhookFailureRate: above(webhookFailureRate, thresholds.webhookFailureRate),
      };
      const cache = deps.cacheStats();
      const degraded = !database.ok || !jobs.ok || Object.values(alerts).some(Boolean);
      const { ok: _jobsOk, ...queueFigures } = jobs;
      return {
        status: degraded ? ("degraded" as const) : ("ok" as const),
        version: deps.version,
        startedAt: deps.startedAt.toISOString(),
        uptimeSeconds: Math.max(0, Math.round((now.getTime() - deps.startedAt.getTime()) / 1000)),
        windows: { "5m": publicWindow(fiveMinutes), "1h": publicWindow(hour) },
        database,
        queue: queueFigures,
        webhooks,
        emails,
        cache: { hits: cache.hits, misses: cache.misses, hitRate: rate(cache.hits, cache.hits + cache.misses) },
        bookings,
        alerts,
        thresholds,
      };
    },

    /** Job counts by state for /metrics (null when the database does not answer). */
    async jobGauges(): Promise<Record<string, number> | null> {
      try {
        const s = await queue.stats();
        return { due: s.due, pending: s.pending, running: s.running, dead: s.dead, succeeded: s.succeeded };
      } catch {
        return null;
      }
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;

function publicWindow(w: WindowStats) {
  return {
    requests: w.requests,
    errorRate: w.errorRate,
    p50: w.p50,
    p95: w.p95,
    p99: w.p99,
    routes: w.routes.map((r) => ({ method: r.method, route: r.route, requests: r.requests, errorRate: r.errorRate, p50: r.p50, p95: r.p95, p99: r.p99 })),
  };
}
