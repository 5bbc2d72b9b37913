import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import { CALCOM_SIGNATURE_HEADER, readCalcomWebhookBody, toBookingSync } from "../../integrations/calcom/webhook.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import type { AvailabilityService } from "../availability/service.ts";
import type { BookingService } from "../bookings/service.ts";
import { ProfileIdParams } from "../students/model.ts";
import type { CalcomService } from "./calcom-service.ts";

/**
 * Cal.com's webhooks (BOOKING_CREATED, _RESCHEDULED, _CANCELLED, _REJECTED), signed with X-Cal-Signature-256.
 * Outside /api/v2: Cal.com cannot send our JWT; the signature is the credential.
 */
export function calcomModule(deps: {
  auth: AuthPlugin;
  secret: string | undefined;
  bookings: BookingService;
  calcom: CalcomService;
  /** Mapping or unmapping a mentor changes where their slots come from: summary and cached answers are redone. */
  availability?: Pick<AvailabilityService, "refreshSummary" | "slotsChanged">;
}) {
  return new Elysia()
    .use(deps.auth)
    .put(
      "/api/v2/students/:id/calcom",
      async ({ params, body }) => {
        const availability = deps.availability;
        // A summary Cal.com cannot give right now is left to the ticker; it never blocks the mapping.
        const refresh = availability && ((tx: Database) => availability.refreshSummary(tx, params.id).catch(() => undefined));
        await deps.calcom.setEventType(params.id, body.eventTypeId, refresh);
        await availability?.slotsChanged(params.id);
        return ok({ studentProfileId: params.id, eventTypeId: body.eventTypeId });
      },
      {
        auth: ["admin"],
        params: ProfileIdParams,
        body: t.Object({ eventTypeId: t.Nullable(t.Integer({ minimum: 1, description: "Cal.com event type id; null returns the mentor to the native engine" })) }),
        response: { 200: success(t.Object({ studentProfileId: t.String(), eventTypeId: t.Nullable(t.Integer()) })), ...errors(400, 403, 404) },
        detail: { tags: ["Integrations"], summary: "Map a mentor to a Cal.com event type" },
      },
    )
    .post(
    "/webhooks/calcom",
    async ({ body, headers }) => {
      if (!deps.secret) throw new AppError(503, ErrorCode.SERVICE_UNAVAILABLE, "Cal.com webhooks are not configured (CALCOM_WEBHOOK_SECRET)");
      const event = readCalcomWebhookBody(typeof body === "string" ? body : "", headers[CALCOM_SIGNATURE_HEADER] ?? null, deps.secret);
      const sync = toBookingSync(event);
      const outcome = sync ? await deps.bookings.applyCalcomSync(sync) : "unknown";
      return ok({ outcome });
    },
    {
      parse: "text",
      body: t.String({ description: "Cal.com's JSON payload, verified against X-Cal-Signature-256 before parsing" }),
      response: { 200: success(t.Object({ outcome: t.UnionEnum(["applied", "unchanged", "unknown"]) })), ...errors(400, 503) },
      detail: { tags: ["Integrations"], summary: "Cal.com webhook receiver", security: [] },
    },
  );
}
