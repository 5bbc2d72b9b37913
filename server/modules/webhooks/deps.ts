/** What the webhook service and its delivery handler are built from (its own module, so neither imports the other for it). */
import type { Database } from "../../../db/client.ts";
import type { Config } from "../../config.ts";
import type { JobQueue } from "../../jobs/index.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Resolver } from "./address-guard.ts";

export interface WebhookServiceDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  config: Config["webhooks"];
  queue: JobQueue;
  /** DNS for the SSRF guard; default the system resolver. */
  resolve?: Resolver;
  /** HTTP client of deliveries; default the global fetch. */
  fetch?: typeof fetch;
}
