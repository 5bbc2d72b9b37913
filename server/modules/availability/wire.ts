import type { SharedDeps } from "../../wiring/shared.ts";
import { createAvailabilityService, type ExternalSlots } from "./service.ts";

export function wireAvailability({ db, clock, cache, jobs }: SharedDeps, external: ExternalSlots | undefined) {
  const availability = createAvailabilityService({ db, clock, cache, external });
  // The slot grid moves each quarter hour, so free-slot summaries are recomputed then.
  jobs.registry.register("availability.refresh-summaries", { handler: async () => void (await availability.refreshAllSummaries()), maxAttempts: 3 });
  jobs.every("availability.refresh-summaries", 15 * 60_000);
  return availability;
}
