/**
 * How a webhook message is signed, twice over:
 * - the payload's `signature` field (design document, Property 27): hex HMAC-SHA256 over the exact JSON text of the
 *   payload without that field; the body sent is that text with `,"signature":"<hex>"` inserted before its final `}`;
 * - the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature `v1,<base64>` over
 *   `id.timestamp.body`), so receivers can use the `standardwebhooks` library.
 * Both use the same key bytes: for a "whsec_<base64>" secret the decoded base64, for any other secret (a plain
 * THOTIS_WEBHOOK_SECRET) its UTF-8 bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";

export const SECRET_PREFIX = "whsec_";

/** Design document's WebhookPayload, before signing. Key order is fixed: the signature covers this exact text. */
export interface UnsignedPayload {
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export function secretKey(secret: string): Uint8Array {
  if (secret.startsWith(SECRET_PREFIX)) return new Uint8Array(Buffer.from(secret.slice(SECRET_PREFIX.length), "base64"));
  return new TextEncoder().encode(secret);
}

/** A new Standard Webhooks secret: "whsec_" + 32 random bytes in base64. */
export const generateSecret = () => SECRET_PREFIX + randomBytes(32).toString("base64");

/** Secrets admins supply must be Standard Webhooks secrets of 24 to 64 bytes. */
export function isValidSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return false;
  const bytes = Buffer.from(b64, "base64").length;
  return bytes >= 24 && bytes <= 64;
}

/** The canonical text the `signature` field signs: JSON.stringify of { event, timestamp, data } in that order. */
export const canonicalText = (payload: UnsignedPayload) =>
  JSON.stringify({ event: payload.event, timestamp: payload.timestamp, data: payload.data });

export const payloadSignature = (canonical: string, secret: string) => createHmac("sha256", secretKey(secret)).update(canonical).digest("hex");

/** The request body: the canonical text with the signature field appended (so it is also the last key). */
export function signedBody(payload: UnsignedPayload, secret: string): string {
  const canonical = canonicalText(payload);
  return `${canonical.slice(0, -1)},"signature":"${payloadSignature(canonical, secret)}"}`;
}

/** Standard Webhooks headers for one attempt; `msgId` stays the same on every attempt of a delivery. */
export function standardWebhookHeaders(secret: string, msgId: string, at: Date, body: string): Record<string, string> {
  const signature = new Webhook(secretKey(secret), { format: "raw" }).sign(msgId, at, body);
  return { "webhook-id": msgId, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature };
}

/** Receiver-side check of the signature field (what the README shows integrators). */
export function verifyPayloadSignature(body: string, secret: string): boolean {
  const match = body.match(/^(\{[\s\S]*),"signature":"([0-9a-f]{64})"\}$/);
  if (!match) return false;
  const expected = payloadSignature(`${match[1]}}`, secret);
  return timingSafeEqual(Buffer.from(expected), Buffer.from(match[2] as string));
}
