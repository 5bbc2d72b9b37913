import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { noOtherProperty } from "../../lib/schema.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { MAGIC_LINK_TTL_MINUTES, type MagicLinkService, MENTOR_EXCHANGE_TTL_SECONDS } from "./magic-link.ts";

const tags = ["Auth"];

/** Reachable without a token (listed in the auth gate's public paths). */
export const MAGIC_LINK_PATH = "/api/v2/auth/magic-link";
export const MAGIC_LINK_VERIFY_PATH = "/api/v2/auth/magic-link/verify";

const MagicLinkBody = t.Object(
  {
    email: t.String({ minLength: 3, maxLength: 254, examples: ["camille.martin@etu.thotis.fr"] }),
    locale: t.Optional(t.UnionEnum(["fr", "en"], { description: "Language of the e-mail; the account's own by default" })),
  },
  { additionalProperties: noOtherProperty },
);
const VerifyBody = t.Object({ token: t.String({ minLength: 16, maxLength: 200 }) }, { additionalProperties: noOtherProperty });
const MentorTokenBody = t.Object({ userId: t.Integer({ minimum: 1, maximum: 2_147_483_647 }) }, { additionalProperties: noOtherProperty });
const SessionToken = t.Object({
  token: t.String({ description: "JWT (HS256)" }),
  role: t.String({ examples: ["mentor"] }),
  expiresAt: t.String({ format: "date-time" }),
  userId: t.Integer(),
  studentProfileId: t.Optional(t.String({ description: "Set on mentor tokens" })),
});

export function magicLinkModule(deps: { auth: AuthPlugin; magicLinks: MagicLinkService; clientIp: (request: Request) => string | undefined }) {
  const { magicLinks } = deps;
  return new Elysia()
    .use(deps.auth)
    .post(
      MAGIC_LINK_PATH,
      async ({ body, request, set }) => {
        await magicLinks.request(body, deps.clientIp(request));
        set.status = 202;
        return ok({ accepted: true });
      },
      {
        body: MagicLinkBody,
        response: { 202: success(t.Object({ accepted: t.Boolean() })), ...errors(400) },
        detail: {
          tags,
          summary: "E-mail me a sign-in link (no token needed)",
          description:
            `Always 202, whether or not the address belongs to anyone. An active mentor or an admin gets a one-time link to ` +
            `/console/sign-in?token=..., valid ${MAGIC_LINK_TTL_MINUTES} minutes. At most 3 e-mails per address per 15 minutes ` +
            `(further requests get 202 and no e-mail) and 10 requests per client per 15 minutes (429 RATE_LIMITED with Retry-After).`,
          security: [],
        },
      },
    )
    .post(MAGIC_LINK_VERIFY_PATH, async ({ body }) => ok(await magicLinks.verify(body.token)), {
      body: VerifyBody,
      response: { 200: success(SessionToken), ...errors(400) },
      detail: {
        tags,
        summary: "Spend a sign-in link (no token needed)",
        description:
          "The link's token → a 12-hour JWT (a mentor's carries studentProfileId). A link works once: 401 MAGIC_LINK_USED " +
          "the second time, 401 MAGIC_LINK_EXPIRED after 15 minutes, 401 MAGIC_LINK_INVALID for an unknown token.",
        security: [],
      },
    })
    .post("/api/v2/auth/mentor-token", async ({ body, principal }) => ok(await magicLinks.mentorToken(body.userId, principal)), {
      auth: ["integrator", "admin"],
      body: MentorTokenBody,
      response: { 200: success(SessionToken), ...errors(400, 403, 404) },
      detail: {
        tags,
        summary: "Token exchange: act for one of your mentors",
        description:
          `For the Thotis site: the user id of its signed-in mentor → a mentor JWT valid ${MENTOR_EXCHANGE_TTL_SECONDS / 60} minutes, ` +
          "with which the site reads and changes that mentor's schedule, profile and calendar connection (and nobody else's). " +
          "Every exchange is logged. 404 USER_NOT_FOUND when the user is not a mentor; 403 PROFILE_INACTIVE for a deactivated mentor.",
      },
    });
}
