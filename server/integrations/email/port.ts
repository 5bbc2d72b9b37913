/**
 * The e-mail port. The notification service renders messages and keeps each one in the email_outbox table; a
 * provider only carries a rendered message out (Resend) or keeps it in that table (the embedded "outbox").
 */

export interface OutgoingAttachment {
  filename: string;
  /** MIME type, parameters included (`text/calendar; method=REQUEST; charset=UTF-8`). */
  contentType: string;
  /** Base64. */
  content: string;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: OutgoingAttachment[];
  /** The same key for every attempt at the same message: the provider accepts it once. */
  idempotencyKey: string;
  /** Short ASCII labels for the provider's dashboard (kind of message). */
  tags?: Record<string, string>;
}

export interface EmailProvider {
  readonly name: "resend" | "outbox";
  /** Resolves with the provider's message id (null when the provider has none); throws EmailDeliveryFailure. */
  send(email: OutgoingEmail, options?: { signal?: AbortSignal }): Promise<{ providerMessageId: string | null }>;
}

/** A send the provider refused or could not take. `retryable` is false when trying again cannot help (bad key, invalid message). */
export class EmailDeliveryFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "EmailDeliveryFailure";
  }
}
