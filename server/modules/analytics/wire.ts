import { createMixpanelClient } from "../../integrations/mixpanel/client.ts";
import type { SharedDeps } from "../../wiring/shared.ts";
import { wireAnalytics } from "./index.ts";
import { createAnalyticsService } from "./service.ts";

/** Product analytics: events in our table, forwarded to Mixpanel when it is configured. */
export function wireProductAnalytics({ config, db, clock, jobs }: SharedDeps) {
  const mixpanel = config.mixpanel ? createMixpanelClient(config.mixpanel) : undefined;
  const analytics = createAnalyticsService({ db, clock, queue: jobs.queue, mixpanel });
  wireAnalytics(jobs, analytics);
  return analytics;
}
