import type { SharedDeps } from "../../wiring/shared.ts";
import { createWebhookService, DELIVER_JOB } from "./service.ts";

/** Each booking change freezes one delivery per subscribed endpoint in its own transaction. */
export function wireWebhooks({ db, clock, logger, config, jobs }: SharedDeps) {
  const webhooks = createWebhookService({ db, clock, logger, config: config.webhooks, queue: jobs.queue });
  jobs.registry.register(DELIVER_JOB, webhooks.deliveryJob);
  jobs.onBookingTransition(webhooks.onBookingTransition);
  return webhooks;
}
