import { Elysia } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { assertSelfOrAdmin, type AuthPlugin } from "../../plugins/auth.ts";
import { ProfileIdParams } from "../students/model.ts";
import { AvailabilityQuery, AvailabilityResponse, ScheduleBody, ScheduleResponse } from "./model.ts";
import type { AvailabilityService } from "./service.ts";

const tags = ["Availability"];

export function availabilityModule(deps: {
  auth: AuthPlugin;
  availability: AvailabilityService;
  /** Runs before slots are computed: re-reads stale outside-calendar busy times. */
  beforeRead?: (studentProfileId: string) => Promise<void>;
}) {
  const { availability } = deps;
  return new Elysia({ prefix: "/api/v2/students" })
    .use(deps.auth)
    .get(
      "/:id/schedule",
      async ({ params, principal }) => {
        assertSelfOrAdmin(principal, params.id, "see or change this schedule");
        return ok(await availability.getSchedule(params.id));
      },
      {
        auth: ["admin", "mentor"],
        params: ProfileIdParams,
        response: { 200: success(ScheduleResponse), ...errors(403, 404) },
        detail: { tags, summary: "Get a mentor's weekly schedule, date overrides and out-of-office periods" },
      },
    )
    .put(
      "/:id/schedule",
      async ({ params, body, principal }) => {
        assertSelfOrAdmin(principal, params.id, "see or change this schedule");
        return ok(await availability.putSchedule(params.id, body));
      },
      {
        auth: ["admin", "mentor"],
        params: ProfileIdParams,
        body: ScheduleBody,
        response: { 200: success(ScheduleResponse), ...errors(400, 403, 404) },
        detail: {
          tags,
          summary: "Replace a mentor's schedule",
          description:
            "Weekly ranges per ISO weekday in the mentor's IANA zone, date overrides (no ranges = day off) and out-of-office periods. Ranges may not overlap.",
        },
      },
    )
    .get(
      "/:id/availability",
      async ({ params, query }) => {
        await deps.beforeRead?.(params.id);
        return ok(await availability.getAvailability(params.id, query));
      },
      {
      auth: ["admin", "integrator", "mentor", "widget"],
      params: ProfileIdParams,
      query: AvailabilityQuery,
      response: { 200: success(AvailabilityResponse), ...errors(400, 403, 404) },
      detail: {
        tags,
        summary: "Free 15-minute slots of a mentor",
        description:
          "Slots in UTC plus wall-clock times in `timeZone`, from 2 hours to 30 days ahead, minus bookings and calendar busy times.",
        },
      },
    );
}
