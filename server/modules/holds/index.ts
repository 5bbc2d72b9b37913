import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { forbidden } from "../../lib/errors.ts";
import { noOtherProperty } from "../../lib/schema.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { HOLD_MINUTES, type HoldService } from "./service.ts";

const tags = ["Bookings"];
const visitorId = t.String({
  pattern: "^[\\x21-\\x7E]{1,128}$",
  description: "The widget's anonymous visitor id; send the same one with the booking so the hold is yours",
  examples: ["3141592653-589793238-462643383-279502884"],
});
const HoldBody = t.Object(
  {
    studentProfileId: t.String({ minLength: 1, maxLength: 64 }),
    dateTime: t.String({ format: "date-time", description: "Start of the 15-minute slot to hold" }),
    visitorId,
  },
  { additionalProperties: noOtherProperty },
);
const Hold = t.Object({
  id: t.String({ format: "uuid" }),
  studentProfileId: t.String(),
  start: t.String({ format: "date-time" }),
  expiresAt: t.String({ format: "date-time" }),
});

/** Slot holds: POST to keep a slot 5 minutes while the visitor fills the form, DELETE to let it go. */
export function holdsModule(deps: {
  auth: AuthPlugin;
  holds: HoldService;
  /** Per-address budget before a hold is taken (bookings/abuse-limits.ts). */
  beforeHold?: (role: string, request: Request) => Promise<void>;
}) {
  const { holds } = deps;
  return new Elysia({ prefix: "/api/v2/bookings/holds" })
    .use(deps.auth)
    .post(
      "/",
      async ({ body, principal, set, request }) => {
        // A widget token minted for one mentor's page holds that mentor's slots only.
        if (principal.role === "widget" && principal.studentProfileId && principal.studentProfileId !== body.studentProfileId) {
          throw forbidden("This widget token is for another mentor's page");
        }
        await deps.beforeHold?.(principal.role, request);
        const hold = await holds.hold({ ...body, holder: principal.sub });
        set.status = 201;
        return ok(hold);
      },
      {
        auth: ["admin", "integrator", "widget"],
        body: HoldBody,
        response: { 201: success(Hold), ...errors(400, 403, 404, 409, 429) },
        detail: {
          tags,
          summary: `Hold a free slot for ${HOLD_MINUTES} minutes while the visitor fills the form`,
          description:
            "One hold per visitor: a new hold replaces the visitor's previous one. Held slots are not offered to other visitors, and their bookings of it are refused with SLOT_HELD (409); a booking with the same visitorId takes it. The hold ends on booking, on DELETE or at expiresAt.",
        },
      },
    )
    .delete(
      "/:id",
      async ({ params, query }) => ok(await holds.release(params.id, query.visitorId)),
      {
        auth: ["admin", "integrator", "widget"],
        params: t.Object({ id: t.String({ format: "uuid" }) }),
        query: t.Object({ visitorId }, { additionalProperties: noOtherProperty }),
        response: { 200: success(t.Object({ released: t.Boolean() })), ...errors(400, 403) },
        detail: { tags, summary: "Release a slot hold", description: "Only with the visitorId that made it. Releasing twice is not an error (released: false)." },
      },
    );
}
