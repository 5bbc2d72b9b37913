import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { forbidden } from "../../lib/errors.ts";
import type { AuthPlugin, TokenVerifier } from "../../plugins/auth.ts";
import { BookingIdParams } from "../bookings/model.ts";
import { ProfileIdParams } from "../students/model.ts";
import {
  AdminRating,
  AdminRatingList,
  AdminRatingQuery,
  RatingBody,
  RatingIdParams,
  RatingList,
  RatingListQuery,
  ReviewBody,
  SubmittedRating,
} from "./model.ts";
import type { RatingTokens } from "./rating-token.ts";
import type { RatingActor, RatingService } from "./service.ts";

const tags = ["Ratings"];

/**
 * Rating routes. Submitting takes the signed rating link of the after-session e-mail (one booking, one address) or an
 * admin/integrator token; the unique rating per booking makes every link single-use.
 */
export function ratingsModule(deps: { auth: AuthPlugin; verify: TokenVerifier; ratingTokens: RatingTokens; ratings: RatingService }) {
  const { verify, ratingTokens, ratings } = deps;

  const actorFor = async (authorization: string | undefined, bookingId: number): Promise<RatingActor> => {
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const link = bearer ? await ratingTokens.verify(bearer).catch(() => null) : null;
    if (link) {
      if (link.bookingId !== bookingId) throw forbidden("This rating link is for another booking");
      return { kind: "link", email: link.email };
    }
    const principal = await verify(authorization);
    if (principal.role !== "admin" && principal.role !== "integrator") throw forbidden(`The ${principal.role} role may not rate sessions`);
    return { kind: "role" };
  };

  return new Elysia()
    .use(deps.auth)
    .post(
      "/api/v2/bookings/:id/rating",
      async ({ params, body, headers, set }) => {
        const rating = await ratings.submit(params.id, body, await actorFor(headers.authorization, params.id));
        set.status = 201;
        return ok(rating);
      },
      {
        params: BookingIdParams,
        body: RatingBody,
        headers: t.Object({ authorization: t.Optional(t.String()) }),
        response: { 201: success(SubmittedRating), ...errors(400, 403, 404, 409) },
        detail: {
          tags,
          summary: "Rate a completed session",
          description:
            "Bearer: the rating link's token (its booking and e-mail must match) or an admin/integrator token. Completed sessions only " +
            "(409 SESSION_NOT_COMPLETED), once per booking (409 RATING_ALREADY_EXISTS), 1 to 5 (400 INVALID_RATING). Under 3 is flagged for review.",
        },
      },
    )
    .get(
      "/api/v2/students/:id/ratings",
      async ({ params, query, principal }) =>
        ok(await ratings.listForMentor(params.id, { page: query.page ?? 1, limit: query.limit ?? 20, admin: principal.role === "admin" })),
      {
        auth: ["admin", "integrator", "mentor", "widget"],
        params: ProfileIdParams,
        query: RatingListQuery,
        response: { 200: success(RatingList), ...errors(400, 403, 404) },
        detail: { tags, summary: "A mentor's ratings, newest first", description: "Hidden ratings and the review state are shown to admins only." },
      },
    )
    .get("/api/v2/admin/ratings", async ({ query }) => ok(await ratings.listForAdmin({ ...query, page: query.page ?? 1, limit: query.limit ?? 20 })), {
      auth: ["admin"],
      query: AdminRatingQuery,
      response: { 200: success(AdminRatingList), ...errors(400, 403) },
      detail: { tags, summary: "Ratings for moderation", description: "flagged=true&review=pending is the review queue (ratings under 3)." },
    })
    .patch(
      "/api/v2/admin/ratings/:id",
      async ({ params, body, principal }) => ok(await ratings.review(params.id, body.review, principal.userId)),
      {
        auth: ["admin"],
        params: RatingIdParams,
        body: ReviewBody,
        response: { 200: success(AdminRating), ...errors(400, 403, 404) },
        detail: { tags, summary: "Keep or hide a rating", description: "Hidden ratings leave the mentor's average (recomputed at once)." },
      },
    );
}
