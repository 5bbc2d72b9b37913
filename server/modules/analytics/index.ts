import { Elysia } from "elysia";
import type { Database } from "../../../db/client.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import { badRequest, ErrorCode } from "../../lib/errors.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import type { JobSystem } from "../../jobs/index.ts";
import { Funnel, FunnelQuery, RecordEventBody, RecordedEvent } from "./model.ts";
import { type AnalyticsService, MIXPANEL_JOB } from "./service.ts";

/**
 * Hooks analytics into the job system: booking_created / booking_cancelled are recorded in every booking change's
 * transaction, and recorded events are forwarded to Mixpanel by a job when it is configured.
 */
export function wireAnalytics(jobs: JobSystem, analytics: AnalyticsService) {
  jobs.onBookingTransition((tx, transition) => analytics.onBookingTransition(tx, transition));
  jobs.registry.register<{ eventId: number }>(MIXPANEL_JOB, {
    handler: (payload, { signal }) => analytics.forward(payload, signal),
    maxAttempts: 8,
    timeoutMs: 15_000,
  });
}

export function analyticsModule(deps: { auth: AuthPlugin; db: Database; analytics: AnalyticsService }) {
  const { db, analytics } = deps;
  return new Elysia()
    .use(deps.auth)
    .post(
      "/api/v2/analytics/events",
      async ({ body, set }) => {
        const id = await analytics.record(db, {
          name: body.name,
          distinctId: body.distinctId,
          studentProfileId: body.studentProfileId,
          properties: body.properties,
        });
        set.status = 202;
        return ok({ id });
      },
      {
        auth: ["widget", "integrator", "admin"],
        // Elysia 1.4's input normalization turns a bare number or boolean `properties` into {} before the record
        // schema sees it, so the raw value is checked first.
        transform({ body }) {
          const props = (body as { properties?: unknown } | null)?.properties;
          if (props !== undefined && (typeof props !== "object" || props === null || Array.isArray(props))) {
            throw badRequest(ErrorCode.INVALID_INPUT, "properties: Expected object", { in: "body", issues: [{ field: "properties", message: "Expected object" }] });
          }
          // Hundreds of refused keys each cost the validator an error report (499 keys held the loop ~50 ms).
          if (props && Object.keys(props).length > 20) {
            throw badRequest(ErrorCode.INVALID_INPUT, "properties: at most 20 keys", { in: "body", issues: [{ field: "properties", message: "Expected at most 20 properties" }] });
          }
        },
        body: RecordEventBody,
        response: { 202: success(RecordedEvent), ...errors(400, 403) },
        detail: {
          tags: ["Analytics"],
          summary: "Record a product analytics event",
          description:
            "widget_opened, profile_viewed, availability_viewed or slot_chosen, with the visitor's anonymous distinctId. " +
            "Stored in analytics_events and, when MIXPANEL_TOKEN is set, forwarded to Mixpanel. Roles: widget, integrator, admin.",
        },
      },
    )
    .get("/api/v2/admin/analytics/funnel", async ({ query }) => ok(await analytics.funnel(query)), {
      auth: ["admin"],
      query: FunnelQuery,
      response: { 200: success(Funnel), ...errors(400, 403) },
      detail: {
        tags: ["Admin"],
        summary: "Booking funnel: widget opened, slot chosen, booked",
        description:
          "People per step over [from, to): distinct distinctId values, plus each event without one. " +
          "slotChosenRate = slot chosen / widget opened, bookedRate = booked / slot chosen, overallRate = booked / widget opened (null when the denominator is 0). " +
          "Bookings made outside the widget count too, so bookedRate can exceed 1.",
      },
    });
}
