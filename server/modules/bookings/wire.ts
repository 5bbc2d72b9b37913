import type { SharedDeps } from "../../wiring/shared.ts";
import { createBookingService, type BookingServiceDeps } from "./service.ts";

export function wireBookings(
  { db, clock, logger, config, jobs }: SharedDeps,
  parts: Pick<BookingServiceDeps, "availability" | "calendar" | "calcom" | "calendarSettled" | "abuse" | "holds">,
) {
  const bookings = createBookingService({
    db,
    clock,
    logger,
    jitsiBaseUrl: config.jitsiBaseUrl,
    ...parts,
    effects: jobs.bookingEffects,
    afterCommit: () => jobs.queue.poke(),
    confirmationsEnqueued: true,
  });
  // Scheduled work, run by whichever worker sees each period start (safe with several workers).
  jobs.registry.register("bookings.complete-ended", { handler: async () => void (await bookings.completeEnded()), maxAttempts: 3 });
  jobs.every("bookings.complete-ended", 60_000);
  return bookings;
}
