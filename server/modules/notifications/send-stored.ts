import { eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { emailOutbox } from "../../../db/schema/index.ts";
import { EmailDeliveryFailure, type EmailProvider } from "../../integrations/email/port.ts";
import { type JobContext, PermanentJobError } from "../../jobs/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { ErrorCode } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/**
 * Sends one stored e-mail row (the outbox) from a job, and records the outcome on the row. A sent row is not sent
 * again; a failed row is skipped on the job's own retries (its failure was final) but tried again when the job is
 * replayed from the start (attempt 1). A permanent provider refusal ends the job; anything else is retried.
 * Shared by the booking e-mails and the sign-in links.
 */
export async function sendStoredEmail(
  deps: { db: Database; clock: Clock; logger: Logger; provider: EmailProvider },
  row: typeof emailOutbox.$inferSelect | undefined,
  context: JobContext,
  failureLog: string,
): Promise<void> {
  const { db, clock, logger, provider } = deps;
  if (!row || row.status === "sent") return;
  if (row.status === "failed" && context.attempt > 1) return;
  try {
    const { providerMessageId } = await provider.send(
      {
        to: row.toAddress,
        subject: row.subject,
        html: row.html,
        text: row.text,
        attachments: row.attachments ?? [],
        idempotencyKey: row.dedupeKey,
        tags: { kind: row.kind },
      },
      { signal: context.signal },
    );
    await db
      .update(emailOutbox)
      .set({ status: "sent", provider: provider.name, providerMessageId, sentAt: clock.now(), attempts: sql`${emailOutbox.attempts} + 1`, lastError: null })
      .where(eq(emailOutbox.id, row.id));
  } catch (error) {
    const permanent = error instanceof EmailDeliveryFailure && !error.retryable;
    const final = permanent || context.attempt >= context.job.maxAttempts;
    const message = errorText(error);
    await db
      .update(emailOutbox)
      .set({ status: final ? "failed" : "queued", provider: provider.name, attempts: sql`${emailOutbox.attempts} + 1`, lastError: message })
      .where(eq(emailOutbox.id, row.id));
    logger.error(failureLog, {
      code: ErrorCode.EMAIL_DELIVERY_ERROR,
      emailId: row.id,
      kind: row.kind,
      bookingId: row.bookingId,
      provider: provider.name,
      attempt: context.attempt,
      final,
      error: message,
    });
    throw permanent ? new PermanentJobError(message) : error;
  }
}
