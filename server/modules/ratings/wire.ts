import type { SharedDeps } from "../../wiring/shared.ts";
import type { AnalyticsService } from "../analytics/service.ts";
import { createRatingService } from "./service.ts";

export function wireRatings({ db, clock, cache }: SharedDeps, analytics: AnalyticsService) {
  return createRatingService({
    db,
    clock,
    cache,
    onRated: async (tx, r) =>
      void (await analytics.record(tx, {
        name: "rating_submitted",
        studentProfileId: r.studentProfileId,
        bookingId: r.bookingId,
        properties: { rating: r.rating, flagged: r.flagged },
      })),
  });
}
