import type { EmailProvider } from "./port.ts";

/**
 * The embedded default: nothing leaves the machine. The message is already stored in email_outbox (the notification
 * service writes the row before sending), so "sending" only means the row becomes `sent`, readable by admins.
 */
export function createOutboxProvider(): EmailProvider {
  return {
    name: "outbox",
    async send() {
      return { providerMessageId: null };
    },
  };
}
