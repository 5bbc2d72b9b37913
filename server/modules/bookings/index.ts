import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError } from "../../lib/errors.ts";
import type { Principal, TokenVerifier } from "../../plugins/auth.ts";
import type { ManageTokens } from "./manage-token.ts";
import { Booking, BookingIdParams, BookingResult, CancelBody, CreateBookingBody, RescheduleBody } from "./model.ts";
import type { BookingActor, BookingService } from "./service.ts";

const tags = ["Bookings"];
const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;

const fromPrincipal = (p: Principal): BookingActor => {
  const actor: BookingActor = { kind: "role", role: p.role, sub: p.sub };
  if (p.studentProfileId) actor.studentProfileId = p.studentProfileId;
  return actor;
};

/**
 * Booking routes accept a role token, or the booking's own manage token (carried by the prospective student's
 * e-mails) for viewing, cancelling and rescheduling that one booking.
 */
export function bookingsModule(deps: {
  verify: TokenVerifier;
  manageTokens: ManageTokens;
  bookings: BookingService;
  /** Per-address limits before a booking is attempted (abuse-limits.ts). */
  beforeCreate?: (actor: BookingActor, request: Request) => Promise<void>;
}) {
  const { verify, manageTokens, bookings } = deps;
  const actorOf = async (authorization: string | undefined): Promise<BookingActor> => {
    try {
      return fromPrincipal(await verify(authorization));
    } catch (error) {
      const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      const bookingId = token ? await manageTokens.verify(token) : null;
      if (bookingId !== null) return { kind: "manage", bookingId };
      throw error;
    }
  };
  const roleOnly = async (authorization: string | undefined, allowed: Principal["role"][]): Promise<BookingActor> => {
    const principal = await verify(authorization);
    if (!allowed.includes(principal.role)) throw new AppError(403, "INSUFFICIENT_PERMISSIONS", `The ${principal.role} role may not use this route`);
    return fromPrincipal(principal);
  };

  return new Elysia({ prefix: "/api/v2/bookings" })
    .post(
      "/",
      async ({ body, headers, set, request }) => {
        const actor = await roleOnly(headers.authorization, ["admin", "integrator", "widget"]);
        // A widget token minted for one mentor's page books that mentor only (a leaked token cannot book anyone else).
        if (actor.kind === "role" && actor.role === "widget" && actor.studentProfileId && actor.studentProfileId !== body.studentProfileId) {
          throw new AppError(403, "INSUFFICIENT_PERMISSIONS", "This widget token is for another mentor's page");
        }
        const key = headers["idempotency-key"];
        if (key !== undefined && !idempotencyKeyPattern.test(key)) {
          throw new AppError(400, "INVALID_INPUT", "Idempotency-Key must be 1 to 200 visible ASCII characters");
        }
        await deps.beforeCreate?.(actor, request);
        const outcome = await bookings.create(body, actor, key);
        set.status = outcome.status;
        set.headers.location = `/api/v2/bookings/${outcome.body.data.bookingId}`;
        if (outcome.replayed) set.headers["idempotent-replayed"] = "true";
        return outcome.body;
      },
      {
        body: CreateBookingBody,
        headers: t.Object({
          authorization: t.Optional(t.String()),
          "idempotency-key": t.Optional(t.String({ description: "Replays return the first response" })),
        }),
        response: { 201: success(BookingResult), ...errors(400, 403, 404, 409) },
        detail: {
          tags,
          summary: "Book a 15-minute session",
          description:
            "The slot must be one GET /students/:id/availability offers. Send an Idempotency-Key header so a retry never books twice. " +
            "Optional visitorId (1 to 128 visible ASCII characters): the widget's anonymous visitor id, recorded as the distinctId of the booking_created analytics event so the admin funnel follows the visitor. Roles: admin, integrator, widget. " +
            "Abuse limits: one e-mail holds at most 1 upcoming session with a mentor (409 BOOKING_LIMIT_PER_MENTOR) and 3 in all (409 BOOKING_LIMIT_PER_EMAIL); " +
            "widget tokens may attempt 10 bookings an hour per client address (429 BOOKING_ADDRESS_LIMIT). See the README's Security section for the settings.",
        },
      },
    )
    .get("/:id", async ({ params, headers }) => ok(await bookings.get(params.id, await actorOf(headers.authorization))), {
      params: BookingIdParams,
      response: { 200: success(Booking), ...errors(403, 404) },
      detail: { tags, summary: "Get a booking with its history", description: "Admin, integrator, the mentor, or the booking's manage token." },
    })
    .delete(
      "/:id",
      async ({ params, body, headers }) => ok(await bookings.cancel(params.id, body, await actorOf(headers.authorization))),
      {
        params: BookingIdParams,
        body: CancelBody,
        response: { 200: success(Booking), ...errors(400, 403, 404, 409) },
        detail: {
          tags,
          summary: "Cancel a booking",
          description: "Up to 2 hours before the start (CANCELLATION_TOO_LATE after). Cancelling twice is harmless.",
        },
      },
    )
    .patch(
      "/:id/reschedule",
      async ({ params, body, headers }) => ok(await bookings.reschedule(params.id, body.dateTime, await actorOf(headers.authorization))),
      {
        params: BookingIdParams,
        body: RescheduleBody,
        response: { 200: success(BookingResult), ...errors(400, 403, 404, 409) },
        detail: {
          tags,
          summary: "Move a booking to another free slot",
          description: "The new slot must be offered (availability with rescheduleBookingId); the session gets a new video link.",
        },
      },
    )
    .post(
      "/:id/complete",
      async ({ params, headers }) => ok(await bookings.complete(params.id, await actorOf(headers.authorization))),
      {
        params: BookingIdParams,
        response: { 200: success(Booking), ...errors(403, 404, 409) },
        detail: { tags, summary: "Mark a session completed", description: "Sessions are also completed automatically once they end." },
      },
    );
}
