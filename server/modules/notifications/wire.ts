import { createOutboxProvider } from "../../integrations/email/outbox.ts";
import { createResendProvider } from "../../integrations/email/resend.ts";
import type { SharedDeps } from "../../wiring/shared.ts";
import { createNotificationService } from "./service.ts";

/** E-mails: Resend when RESEND_API_KEY is set, else the outbox table admins read (nothing leaves the machine). */
export function createEmailProvider(email: SharedDeps["config"]["email"]) {
  return email.provider === "resend" && email.resendApiKey
    ? createResendProvider({ apiKey: email.resendApiKey, baseUrl: email.resendBaseUrl, from: email.from, replyTo: email.replyTo })
    : createOutboxProvider();
}

export function wireNotifications(
  { db, clock, logger, config, jobs, manageTokens, ratingTokens }: SharedDeps,
  provider: ReturnType<typeof createEmailProvider>,
) {
  const { email } = config;
  const notifications = createNotificationService({
    db,
    clock,
    logger,
    provider,
    queue: jobs.queue,
    manageTokens,
    ratingTokens,
    publicUrl: config.publicUrl,
    from: email.from,
  });
  for (const [kind, definition] of Object.entries(notifications.jobKinds)) jobs.registry.register(kind, definition);
  jobs.onBookingTransition(notifications.enqueueForTransition);
  return notifications;
}
