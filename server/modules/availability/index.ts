import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { forbidden } from "../../lib/errors.ts";
import { assertSelfOrAdmin, type AuthPlugin, type Principal, type Role } from "../../plugins/auth.ts";
import { ProfileIdParams } from "../students/model.ts";
import { AvailabilityQuery, AvailabilityResponse, CompactAvailabilityResponse, ScheduleBody, ScheduleResponse } from "./model.ts";
import type { LiveHold } from "./busy.ts";
import type { AvailabilityService } from "./service.ts";
import { textResponse } from "../../plugins/compression.ts";

const tags = ["Availability"];
const readers: readonly Role[] = ["admin", "integrator", "mentor", "widget"];

export function availabilityModule(deps: {
  auth: AuthPlugin;
  availability: AvailabilityService;
  /** Runs before slots are computed: re-reads stale outside-calendar busy times. */
  beforeRead?: (studentProfileId: string) => Promise<void>;
  /** The request's verified role token (throws 401 without one). */
  principalOf: (request: Request) => Promise<Principal>;
  /** Whether a booking's manage token may read these slots (to reschedule that booking): see manage-access.ts. */
  manageAccess?: (authorization: string | undefined, studentProfileId: string, rescheduleBookingId: number | undefined) => Promise<boolean>;
  /**
   * Slots other visitors hold right now (issue 17): not offered; applied after the cache, as holds end by the clock.
   * `read`: the live holds an answer computed for this request read along with its slots (undefined after a hit).
   */
  heldByOthers?: (studentProfileId: string, visitorId?: string, read?: () => Promise<LiveHold[] | undefined>) => Promise<Set<number>>;
}) {
  const { availability } = deps;
  // Role tokens of every role, or a manage token rescheduling its own booking (checked here rather than by the
  // `auth` macro, which accepts role tokens only).
  const authorizeRead = async (request: Request, studentProfileId: string, rescheduleBookingId: number | undefined) => {
    let principal: Principal;
    try {
      principal = await deps.principalOf(request);
    } catch (error) {
      if (await deps.manageAccess?.(request.headers.get("authorization") ?? undefined, studentProfileId, rescheduleBookingId)) return;
      throw error;
    }
    if (!readers.includes(principal.role)) throw forbidden(`The ${principal.role} role may not use this route`);
  };
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
      async ({ params, query, request, set }) => {
        await authorizeRead(request, params.id, query.rescheduleBookingId);
        await deps.beforeRead?.(params.id);
        const { visitorId, ...rest } = query;
        // The shared answer is cached as stored text; slots other visitors hold are looked up alongside it (a cache hit
        // does not wait for them first) and taken out per request. When both miss, the answer computed for this request
        // reads them in the same statement as its slots.
        const answer = availability.getAvailabilityJson(params.id, rest);
        const liveHolds = () => answer.then((a) => a.liveHolds, () => undefined);
        const [held, { json, hit, pieces }] = await Promise.all([deps.heldByOthers?.(params.id, visitorId, liveHolds), answer]);
        if (!held?.size) return textResponse(request, json, hit, set, pieces);
        const body = JSON.parse(json) as { data: { slots?: { start: string }[]; slotStarts?: string[] } };
        if (body.data.slots) body.data.slots = body.data.slots.filter((s) => !held.has(Date.parse(s.start)));
        if (body.data.slotStarts) body.data.slotStarts = body.data.slotStarts.filter((s) => !held.has(Date.parse(s)));
        return textResponse(request, JSON.stringify(body), false, set);
      },
      {
      params: ProfileIdParams,
      query: AvailabilityQuery,
      response: { 200: success(t.Union([AvailabilityResponse, CompactAvailabilityResponse])), ...errors(400, 403, 404) },
      detail: {
        tags,
        summary: "Free 15-minute slots of a mentor",
        description:
          "Slots in UTC plus wall-clock times in `timeZone`, from 2 hours to 30 days ahead, minus bookings and calendar busy times. Any role token; a booking's manage token only with `rescheduleBookingId` set to its own booking. `format=compact`: `slotStarts` (UTC, each slot lasting `slotMinutes`) and `utcOffsets` (the offset of `timeZone` in force from a slot on) instead of one object per slot; 10-20x smaller. Compressed (br, gzip) when the client accepts it.",
        },
      },
    );
}
