import { Elysia } from "elysia";
import type { Database } from "../../../db/client.ts";
import type { Config } from "../../config.ts";
import type { JobSystem } from "../../jobs/index.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import type { MediaStorage } from "../../lib/media-storage.ts";
import type { AuthPlugin, Principal } from "../../plugins/auth.ts";
import { auditModule } from "../audit/index.ts";
import { createAuditService } from "../audit/service.ts";
import { auditTrail } from "../audit/trail.ts";
import type { ManageTokens } from "../bookings/manage-token.ts";
import type { BookingService } from "../bookings/service.ts";
import type { NotificationService } from "../notifications/service.ts";
import { privacyModule } from "./index.ts";
import { createRetention } from "./retention.ts";
import { createPrivacyService } from "./service.ts";
import { createErasureTokens } from "./tokens.ts";

export const RETENTION_JOB = "privacy.retention";

/**
 * Privacy and audit, wired in one place so the app adds two lines: `trail` (used before the feature modules, it
 * records their admin reads) and `routes`. Also registers the hourly retention job.
 */
export function wirePrivacy(deps: {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  jobs: JobSystem;
  auth: AuthPlugin;
  principalOf: (request: Request) => Promise<Principal>;
  clientIp: (request: Request) => string | undefined;
  manageTokens: ManageTokens;
  bookings: BookingService;
  notifications: () => NotificationService;
  media?: MediaStorage;
}) {
  const { config, db, clock, logger } = deps;
  const audit = createAuditService({ db, clock, secret: config.jwtSecret });
  const privacy = createPrivacyService({ db, clock, logger, audit, bookings: deps.bookings, removeMedia: deps.media && ((path) => deps.media!.remove(path)) });
  const retention = createRetention({
    db,
    clock,
    logger,
    audit,
    privacy,
    retentionDays: config.privacy.retentionDays,
    logRetentionDays: config.privacy.logRetentionDays,
  });
  deps.jobs.registry.register(RETENTION_JOB, { handler: async () => void (await retention()), maxAttempts: 3 });
  deps.jobs.every(RETENTION_JOB, 3_600_000);
  return {
    audit,
    privacy,
    retention,
    trail: auditTrail({ db, audit, principalOf: deps.principalOf, clientIp: deps.clientIp }),
    routes: new Elysia()
      .use(auditModule({ auth: deps.auth, audit }))
      .use(
        privacyModule({
          auth: deps.auth,
          db,
          privacy,
          manageTokens: deps.manageTokens,
          erasureTokens: createErasureTokens(config.jwtSecret, clock),
          clientIp: deps.clientIp,
          publicUrl: config.publicUrl,
          clockNow: () => clock.now(),
          sendMail: (m) => deps.notifications().sendDirect(m),
        }),
      ),
  };
}
