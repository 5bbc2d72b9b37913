import type { Database } from "../../../db/client.ts";
import type { Config } from "../../config.ts";
import type { EmailProvider } from "../../integrations/email/port.ts";
import type { JobSystem } from "../../jobs/index.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { createRateLimiter, type KeyValueStore } from "../../store/index.ts";
import {
  createMagicLinkService,
  LINKS_PER_ADDRESS,
  LINKS_PER_CLIENT,
  MAGIC_LINK_EMAIL_JOB,
  THROTTLE_WINDOW_SECONDS,
} from "./magic-link.ts";
import { MAGIC_LINK_PATH, MAGIC_LINK_VERIFY_PATH, magicLinkModule } from "./magic-link-routes.ts";

export const MAGIC_LINK_PUBLIC_PATHS = [MAGIC_LINK_PATH, MAGIC_LINK_VERIFY_PATH] as const;

/** Passwordless sign-in and the mentor token exchange: service, its e-mail job and its routes. */
export function wireMagicLinks(deps: {
  config: Config;
  db: Database;
  store: KeyValueStore;
  clock: Clock;
  logger: Logger;
  jobs: JobSystem;
  provider: EmailProvider;
  auth: AuthPlugin;
  clientIp: (request: Request) => string | undefined;
}) {
  const { config, store, logger } = deps;
  // Counted in the shared store (Redis when configured), so every server process shares the budgets.
  const perAddress = createRateLimiter(store, { limit: LINKS_PER_ADDRESS, windowSeconds: THROTTLE_WINDOW_SECONDS, prefix: "ml:", logger });
  const perClient = createRateLimiter(store, { limit: LINKS_PER_CLIENT, windowSeconds: THROTTLE_WINDOW_SECONDS, prefix: "ml:", logger });
  const magicLinks = createMagicLinkService({
    db: deps.db,
    clock: deps.clock,
    logger,
    jwtSecret: config.jwtSecret,
    publicUrl: config.publicUrl,
    queue: deps.jobs.queue,
    provider: deps.provider,
    perAddress,
    perClient,
  });
  deps.jobs.registry.register(MAGIC_LINK_EMAIL_JOB, magicLinks.emailJob);
  return magicLinkModule({ auth: deps.auth, magicLinks, clientIp: deps.clientIp });
}
