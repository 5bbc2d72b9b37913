import { Resend } from "resend";
import { EmailDeliveryFailure, type EmailProvider } from "./port.ts";

export interface ResendProviderOptions {
  apiKey: string;
  from: string;
  replyTo?: string;
  /** Another API root (tests: the loopback stand-in). Passed to the SDK explicitly, never through process.env. */
  baseUrl?: string;
}

/** Resend answers these when trying again later can succeed (overload, outage, a concurrent request with our key). */
const retryableStatus = (status: number | null) => status === null || status === 429 || status >= 500;

/**
 * Sends through Resend's API (POST /emails) with the `resend` SDK. The message's idempotency key goes out as the
 * `Idempotency-Key` header, so a retry after a lost response never delivers twice (Resend keeps keys 24 hours).
 * The SDK reports failures as `{ error }` rather than throwing; they become EmailDeliveryFailure here.
 */
export function createResendProvider(options: ResendProviderOptions): EmailProvider {
  const client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  return {
    name: "resend",
    async send(email, { signal } = {}) {
      const { data, error } = await client.emails.send(
        {
          from: options.from,
          to: email.to,
          subject: email.subject,
          html: email.html,
          text: email.text,
          ...(options.replyTo ? { replyTo: options.replyTo } : {}),
          attachments: email.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
          tags: Object.entries(email.tags ?? {}).map(([name, value]) => ({ name, value })),
        },
        { idempotencyKey: email.idempotencyKey, signal },
      );
      if (error) {
        const status = error.statusCode ?? null;
        const retryable = retryableStatus(status) || error.name === "concurrent_idempotent_requests";
        throw new EmailDeliveryFailure(`Resend ${status ?? "network"} ${error.name}: ${error.message}`, retryable, status);
      }
      if (!data?.id) throw new EmailDeliveryFailure("Resend answered without a message id", true);
      return { providerMessageId: data.id };
    },
  };
}
