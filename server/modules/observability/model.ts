import { t } from "elysia";

const fraction = t.Nullable(t.Number({ minimum: 0, maximum: 1, description: "Fraction 0..1; null without traffic" }));
const millis = t.Nullable(t.Number({ minimum: 0, description: "Milliseconds; null without traffic" }));

const Window = t.Object({
  requests: t.Integer({ minimum: 0 }),
  errorRate: fraction,
  p50: millis,
  p95: millis,
  p99: millis,
  routes: t.Array(
    t.Object({
      method: t.String(),
      route: t.String({ description: "Route template, or `unmatched`" }),
      requests: t.Integer({ minimum: 0 }),
      errorRate: fraction,
      p50: millis,
      p95: millis,
      p99: millis,
    }),
  ),
});

const count = t.Nullable(t.Integer({ minimum: 0 }));

export const HealthReport = t.Object({
  status: t.UnionEnum(["ok", "degraded"]),
  version: t.String(),
  startedAt: t.String({ format: "date-time" }),
  uptimeSeconds: t.Integer({ minimum: 0 }),
  windows: t.Object({ "5m": Window, "1h": Window }),
  database: t.Object({ ok: t.Boolean(), latencyMs: t.Nullable(t.Number({ minimum: 0 })) }),
  queue: t.Object({ due: count, pending: count, running: count, dead: count, oldestDueSeconds: t.Nullable(t.Number({ minimum: 0 })) }),
  webhooks: t.Object({
    window: t.Literal("1h"),
    attempts: t.Integer({ minimum: 0 }),
    succeeded: t.Integer({ minimum: 0 }),
    failed: t.Integer({ minimum: 0 }),
    successRate: fraction,
  }),
  emails: t.Object({ window: t.Literal("1h"), sent: t.Integer({ minimum: 0 }), failed: t.Integer({ minimum: 0 }), successRate: fraction }),
  cache: t.Object({ hits: t.Integer({ minimum: 0 }), misses: t.Integer({ minimum: 0 }), hitRate: fraction }),
  bookings: t.Object({
    window: t.Literal("1h"),
    attempts: t.Integer({ minimum: 0 }),
    failures: t.Integer({ minimum: 0, description: "5xx answers (server and provider failures)" }),
    conflicts: t.Integer({ minimum: 0, description: "409 answers (slot taken): user outcomes, not failures" }),
    failureRate: fraction,
  }),
  alerts: t.Object({ apiErrorRate: t.Boolean(), bookingFailureRate: t.Boolean(), webhookFailureRate: t.Boolean() }),
  thresholds: t.Object({ apiErrorRate: t.Number(), bookingFailureRate: t.Number(), webhookFailureRate: t.Number() }),
});
