import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import type { Clock } from "../../lib/clock.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import type { RequestMetrics } from "../../plugins/metrics.ts";
import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from "./openmetrics.ts";
import { HealthReport } from "./model.ts";
import type { HealthService } from "./service.ts";

/** Constant-time comparison of the scrape token (its length is not secret). */
function sameToken(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

/**
 * GET /api/v2/admin/health (admins: the console's live system view) and GET /metrics (Prometheus, OpenMetrics text;
 * behind `Authorization: Bearer $METRICS_TOKEN` when that is set, else open).
 */
export function observabilityModule(deps: {
  auth: AuthPlugin;
  health: HealthService;
  metrics: RequestMetrics;
  cacheStats: () => { hits: number; misses: number };
  clock: Clock;
  startedAt: Date;
  metricsToken?: string;
}) {
  const { health, metrics, metricsToken } = deps;
  return new Elysia()
    .use(deps.auth)
    .get("/api/v2/admin/health", async () => ok(await health.report()), {
      auth: ["admin"],
      response: { 200: success(HealthReport), ...errors(403) },
      detail: {
        tags: ["Admin"],
        summary: "System health: traffic, latency, errors, queue, deliveries and alert flags",
        description:
          "Request figures (last 5 minutes and last hour, percentiles in milliseconds) are this server process's own; the queue, webhook " +
          "and e-mail figures come from the database. Rates are fractions from 0 to 1, null without traffic. Alerts: API 5xx rate over " +
          "5% (last 5 minutes), booking failures (5xx answers to POST /api/v2/bookings; 409 conflicts are counted apart) over 10% " +
          "(last hour), webhook attempt failures over 20% (last hour).",
      },
    })
    .get(
      "/metrics",
      async ({ headers }) => {
        if (metricsToken) {
          const given = headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
          if (!given || !sameToken(given, metricsToken)) {
            throw new AppError(401, ErrorCode.UNAUTHORIZED, "The metrics token is missing or wrong (Authorization: Bearer <METRICS_TOKEN>)", undefined, {
              "www-authenticate": 'Bearer realm="metrics"',
            });
          }
        }
        const text = renderOpenMetrics(metrics, {
          uptimeSeconds: Math.max(0, (deps.clock.now().getTime() - deps.startedAt.getTime()) / 1000),
          jobs: await health.jobGauges(),
          cache: deps.cacheStats(),
        });
        return new Response(text, { headers: { "content-type": OPENMETRICS_CONTENT_TYPE, "cache-control": "no-store" } });
      },
      {
        headers: t.Object({ authorization: t.Optional(t.String()) }),
        detail: {
          tags: ["Health"],
          summary: "Prometheus metrics (OpenMetrics text)",
          description:
            "Counters and histograms of this process since it started: scrape every process, Prometheus sums them. " +
            "Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; open otherwise.",
          security: [],
          responses: { 200: { description: "OpenMetrics 1.0 text", content: { "application/openmetrics-text": { schema: { type: "string" } } } } },
        },
      },
    );
}
