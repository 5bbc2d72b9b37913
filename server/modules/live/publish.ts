import type { AvailabilityService } from "../availability/service.ts";
import type { LiveBus } from "./bus.ts";

/**
 * The availability service as the booking service sees it, plus live updates: the booking service calls
 * `slotsChanged` after each committed booking, cancellation, move or completion, which is exactly when open widgets
 * must re-read. The cache is bumped first, so their re-read sees the change.
 */
export function withLiveUpdates(availability: AvailabilityService, bus: LiveBus): AvailabilityService {
  return {
    ...availability,
    async slotsChanged(studentProfileId: string) {
      await availability.slotsChanged(studentProfileId);
      await bus.publish({ studentProfileId, reason: "changed" });
    },
  };
}
