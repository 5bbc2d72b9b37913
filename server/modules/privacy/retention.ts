import { and, inArray, lt, ne, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bookings, emailOutbox, webhookDeliveries } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import type { AuditService } from "../audit/service.ts";
import { containsPattern, ERASED_DOMAIN } from "./scrub.ts";
import type { PrivacyService } from "./service.ts";

const DAY = 86_400_000;
/** People erased per run; the next run (hourly) takes the rest, so one run never holds the database long. */
const BATCH = 200;

export interface RetentionDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  privacy: PrivacyService;
  /** PRIVACY_RETENTION_DAYS after a person's last session their data is anonymised. */
  retentionDays: number;
  /** LOG_RETENTION_DAYS after it was written an e-mail loses its bodies and a finished webhook delivery goes. */
  logRetentionDays: number;
}

const actor = { actor: "system:retention", role: "system" };

/** Storage limitation (GDPR Art. 5(1)(e)), run by the recurring `privacy.retention` job. */
export function createRetention(deps: RetentionDeps) {
  const { db, clock } = deps;
  return async function runRetention() {
    const now = clock.now().getTime();
    const subjectCutoff = new Date(now - deps.retentionDays * DAY);
    const logCutoff = new Date(now - deps.logRetentionDays * DAY);

    // People whose every session (any status) ended before the cutoff and who are not anonymised yet.
    const expired = await db
      .select({ email: sql<string>`lower(${bookings.prospectiveEmail})` })
      .from(bookings)
      .where(sql`${bookings.prospectiveEmail} not ilike ${containsPattern(`@${ERASED_DOMAIN}`)}`)
      .groupBy(sql`lower(${bookings.prospectiveEmail})`)
      .having(sql`max(${bookings.endTime}) < ${subjectCutoff.toISOString()}::timestamptz`)
      .limit(BATCH);
    for (const { email } of expired) await deps.privacy.eraseExpired(email, actor);

    // E-mails keep their envelope (kind, booking, status: the dedupe record) but lose their bodies (the text the person was sent).
    const pruned = await db
      .update(emailOutbox)
      .set({ html: "", text: "", attachments: null })
      .where(and(lt(emailOutbox.createdAt, logCutoff), inArray(emailOutbox.status, ["sent", "failed"]), ne(emailOutbox.text, "")))
      .returning({ id: emailOutbox.id });
    const deliveries = await db
      .delete(webhookDeliveries)
      .where(and(lt(webhookDeliveries.createdAt, logCutoff), ne(webhookDeliveries.status, "pending")))
      .returning({ id: webhookDeliveries.id });

    const result = { subjectsAnonymised: expired.length, emailBodiesPruned: pruned.length, webhookDeliveriesDeleted: deliveries.length };
    if (expired.length || pruned.length || deliveries.length) {
      await deps.audit.record(db, { ...actor, action: "privacy.retention", target: "retention", details: result });
      deps.logger.info("privacy retention ran", result);
    }
    return result;
  };
}
