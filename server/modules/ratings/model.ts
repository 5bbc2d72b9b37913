import { t } from "elysia";
import { characters, enumOf, limitParam, noOtherProperty, pageParam } from "../../lib/schema.ts";

const ratingCode = { errorCode: "INVALID_RATING" };

/** Property 20: an integer from 1 to 5, feedback of at most 500 characters (Unicode code points). */
export const RatingBody = t.Object(
  {
    rating: t.Integer({ minimum: 1, maximum: 5, description: "1 to 5 stars", examples: [5] }),
    feedback: t.Optional(
      t.Nullable(t.String({ pattern: characters(0, 500), description: "At most 500 characters", examples: ["Très utile, merci !"] })),
    ),
    prospectiveEmail: t.String({ format: "email", maxLength: 254, description: "The address the session was booked with", examples: ["lucas.martin@lycee.fr"] }),
  },
  { ...ratingCode, additionalProperties: noOtherProperty },
);
export type RatingBody = typeof RatingBody.static;

export const RatingReviewSchema = enumOf(["pending", "kept", "hidden"], { description: "Moderation state; hidden ratings leave the average" });

export const SubmittedRating = t.Object({
  id: t.String(),
  bookingId: t.Integer(),
  studentProfileId: t.String(),
  rating: t.Integer({ minimum: 1, maximum: 5 }),
  feedback: t.Nullable(t.String()),
  flagged: t.Boolean({ description: "Ratings under 3 are flagged for review (Property 42)" }),
  createdAt: t.String({ format: "date-time" }),
});
export type SubmittedRating = typeof SubmittedRating.static;

export const PublicRating = t.Object({
  id: t.String(),
  rating: t.Integer({ minimum: 1, maximum: 5 }),
  feedback: t.Nullable(t.String()),
  createdAt: t.String({ format: "date-time" }),
  flagged: t.Boolean(),
  review: t.Optional(RatingReviewSchema),
});
export type PublicRating = typeof PublicRating.static;

export const RatingListQuery = t.Object({ page: pageParam, limit: limitParam }, { additionalProperties: noOtherProperty });

export const RatingList = t.Object({
  items: t.Array(PublicRating),
  total: t.Integer(),
  page: t.Integer(),
  limit: t.Integer(),
  averageRating: t.Nullable(t.Number({ description: "Mean of the visible ratings rounded to one decimal, null without any" })),
  totalRatings: t.Integer({ description: "Number of visible (not hidden) ratings" }),
});
export type RatingList = typeof RatingList.static;

export const AdminRatingQuery = t.Object(
  {
    review: t.Optional(RatingReviewSchema),
    flagged: t.Optional(t.Boolean()),
    page: pageParam,
    limit: limitParam,
  },
  { additionalProperties: noOtherProperty },
);
export type AdminRatingQuery = typeof AdminRatingQuery.static;

export const AdminRating = t.Object({
  id: t.String(),
  bookingId: t.Integer(),
  studentProfileId: t.String(),
  mentorName: t.String(),
  rating: t.Integer({ minimum: 1, maximum: 5 }),
  feedback: t.Nullable(t.String()),
  prospectiveEmail: t.String(),
  flagged: t.Boolean(),
  review: RatingReviewSchema,
  reviewedAt: t.Nullable(t.String({ format: "date-time" })),
  createdAt: t.String({ format: "date-time" }),
});
export type AdminRating = typeof AdminRating.static;

export const AdminRatingList = t.Object({ items: t.Array(AdminRating), total: t.Integer(), page: t.Integer(), limit: t.Integer() });

export const ReviewBody = t.Object({ review: enumOf(["kept", "hidden"]) }, { additionalProperties: noOtherProperty });
export const RatingIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
