/**
 * Cal.com webhooks: signature check and payload parsing.
 *
 * Cal.com POSTs `{ triggerEvent, createdAt, payload }` as JSON and signs the exact body it sends with the webhook's
 * secret: header `X-Cal-Signature-256` = hex HMAC-SHA256(secret, raw body) (without a secret it sends the literal
 * "no-secret-provided", which never verifies here). For booking events `payload` is the calendar event: `uid`,
 * `bookingId`, `startTime`, `endTime`, `status`, `metadata` (the booking's metadata, plus `videoCallUrl` when there
 * is a video link), `organizer`, `attendees`, `responses`, `location`… On BOOKING_RESCHEDULED, `uid` is the NEW
 * booking and `rescheduleUid` / `rescheduleId` / `rescheduleStartTime` / `rescheduleEndTime` describe the booking
 * it replaces. BOOKING_NO_SHOW_UPDATED carries `bookingUid` instead of `uid`; PING (Cal.com's "test" button) has
 * no booking at all.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError, ErrorCode } from "../../lib/errors.ts";

export const CALCOM_SIGNATURE_HEADER = "x-cal-signature-256";

export type CalcomTriggerEvent =
  | "BOOKING_CREATED"
  | "BOOKING_CANCELLED"
  | "BOOKING_RESCHEDULED"
  | "BOOKING_REQUESTED"
  | "BOOKING_REJECTED"
  | "BOOKING_PAYMENT_INITIATED"
  | "BOOKING_PAID"
  | "BOOKING_NO_SHOW_UPDATED"
  | "MEETING_STARTED"
  | "MEETING_ENDED"
  | "RECORDING_READY"
  | "RECORDING_TRANSCRIPTION_GENERATED"
  | "INSTANT_MEETING"
  | "OOO_CREATED"
  | "FORM_SUBMITTED"
  | "PING";

export interface CalcomWebhookAttendee {
  name: string | null;
  email: string | null;
  timeZone: string | null;
}

export interface CalcomWebhookEvent {
  /** One of CalcomTriggerEvent, or a newer trigger this code does not know (kept as sent). */
  triggerEvent: CalcomTriggerEvent | (string & {});
  createdAt: Date | null;
  /** The booking the event is about (on BOOKING_RESCHEDULED: the new one); null for PING/OOO. */
  uid: string | null;
  bookingId: number | null;
  /** BOOKING_RESCHEDULED: uid of the booking that was replaced. */
  rescheduleUid?: string;
  /** BOOKING_RESCHEDULED: when the replaced booking was. */
  rescheduleStart?: Date;
  rescheduleEnd?: Date;
  start: Date | null;
  end: Date | null;
  /** As Cal.com sends it, upper case (ACCEPTED, CANCELLED, PENDING, REJECTED); null when absent. */
  status: string | null;
  eventTypeId: number | null;
  metadata: Record<string, unknown>;
  /** metadata.thotisBookingId, which createBooking stores. */
  thotisBookingId: string | null;
  /** metadata.videoCallUrl, videoCallData.url or an http(s) location. */
  meetingUrl: string | null;
  cancellationReason: string | null;
  attendees: CalcomWebhookAttendee[];
  /** The untouched payload, for anything else. */
  payload: Record<string, unknown>;
}

/** Cal.com's signature of a body: hex HMAC-SHA256 with the webhook secret. */
export function signCalcomPayload(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
}

/** Checks `X-Cal-Signature-256` against the raw request body, in constant time. */
export function verifyCalcomSignature(rawBody: string, signatureHeader: string | null, secret: string): boolean {
  if (!secret || !signatureHeader) return false;
  const given = signatureHeader.trim().replace(/^sha256=/i, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = Buffer.from(signCalcomPayload(rawBody, secret), "hex");
  const actual = Buffer.from(given, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Parses a webhook body (the parsed JSON or its text). Throws INVALID_INPUT 400 when it is not Cal.com's shape. */
export function parseCalcomWebhook(body: unknown): CalcomWebhookEvent {
  let data = body;
  if (typeof body === "string") {
    try {
      data = JSON.parse(body);
    } catch {
      throw invalid("The webhook body is not JSON");
    }
  }
  if (!isObject(data)) throw invalid("The webhook body is not an object");
  const triggerEvent = data.triggerEvent;
  if (typeof triggerEvent !== "string" || !triggerEvent) throw invalid("The webhook has no triggerEvent");
  const payload = data.payload;
  if (!isObject(payload)) throw invalid("The webhook has no payload");

  const metadata = isObject(payload.metadata) ? payload.metadata : {};
  const uid = str(payload.uid) ?? str(payload.bookingUid);
  const bookingId = num(payload.bookingId) ?? (triggerEvent.startsWith("MEETING_") ? num(payload.id) : null);
  const eventTypeId = num(payload.eventTypeId);
  const videoCallData = isObject(payload.videoCallData) ? payload.videoCallData : {};
  const thotisBookingId = metadata.thotisBookingId;

  const event: CalcomWebhookEvent = {
    triggerEvent,
    createdAt: date(data.createdAt),
    uid,
    bookingId,
    start: date(payload.startTime),
    end: date(payload.endTime),
    status: str(payload.status),
    eventTypeId,
    metadata,
    thotisBookingId:
      typeof thotisBookingId === "string" || typeof thotisBookingId === "number" ? String(thotisBookingId) : null,
    meetingUrl: [metadata.videoCallUrl, videoCallData.url, payload.location].find(isHttpUrl) ?? null,
    cancellationReason: str(payload.cancellationReason),
    attendees: Array.isArray(payload.attendees)
      ? payload.attendees.filter(isObject).map((a) => ({ name: str(a.name), email: str(a.email), timeZone: str(a.timeZone) }))
      : [],
    payload,
  };
  const rescheduleUid = str(payload.rescheduleUid);
  if (rescheduleUid) event.rescheduleUid = rescheduleUid;
  const rs = date(payload.rescheduleStartTime);
  const re = date(payload.rescheduleEndTime);
  if (rs) event.rescheduleStart = rs;
  if (re) event.rescheduleEnd = re;
  if (triggerEvent.startsWith("BOOKING_") && triggerEvent !== "BOOKING_NO_SHOW_UPDATED" && (!uid || !event.start || !event.end)) {
    throw invalid("The booking webhook lacks uid, startTime or endTime");
  }
  return event;
}

/**
 * Reads a webhook request: raw body, signature check, parse. Unsigned or wrongly signed → UNAUTHORIZED 401;
 * malformed → INVALID_INPUT 400.
 */
export async function readCalcomWebhook(request: Request, secret: string): Promise<CalcomWebhookEvent> {
  return readCalcomWebhookBody(await request.text(), request.headers.get(CALCOM_SIGNATURE_HEADER), secret);
}

/** The same from a body already read as text (a framework that parsed it for us). */
export function readCalcomWebhookBody(raw: string, signatureHeader: string | null, secret: string): CalcomWebhookEvent {
  if (!verifyCalcomSignature(raw, signatureHeader, secret)) {
    throw new AppError(401, ErrorCode.UNAUTHORIZED, "Invalid webhook signature");
  }
  return parseCalcomWebhook(raw);
}

/** What a webhook means for our copy of a booking; null when it does not concern one. */
export type CalcomBookingSync =
  | { kind: "confirmed"; uid: string; thotisBookingId: string | null; start: Date; end: Date; meetingUrl: string | null }
  | { kind: "cancelled"; uid: string; thotisBookingId: string | null; reason: string | null }
  | {
      kind: "rescheduled";
      /** The uid our booking row holds today. */
      previousUid: string;
      uid: string;
      thotisBookingId: string | null;
      start: Date;
      end: Date;
      meetingUrl: string | null;
    }
  | { kind: "rejected"; uid: string; thotisBookingId: string | null; reason: string | null };

export function toBookingSync(event: CalcomWebhookEvent): CalcomBookingSync | null {
  const { uid, thotisBookingId } = event;
  if (!uid) return null;
  switch (event.triggerEvent) {
    case "BOOKING_CREATED":
    case "BOOKING_PAID":
      if (!event.start || !event.end) return null;
      return { kind: "confirmed", uid, thotisBookingId, start: event.start, end: event.end, meetingUrl: event.meetingUrl };
    case "BOOKING_RESCHEDULED":
      if (!event.start || !event.end) return null;
      if (!event.rescheduleUid) {
        return { kind: "confirmed", uid, thotisBookingId, start: event.start, end: event.end, meetingUrl: event.meetingUrl };
      }
      return {
        kind: "rescheduled",
        previousUid: event.rescheduleUid,
        uid,
        thotisBookingId,
        start: event.start,
        end: event.end,
        meetingUrl: event.meetingUrl,
      };
    case "BOOKING_CANCELLED":
      return { kind: "cancelled", uid, thotisBookingId, reason: event.cancellationReason };
    case "BOOKING_REJECTED":
      return { kind: "rejected", uid, thotisBookingId, reason: str(event.payload.rejectionReason) };
    default:
      return null;
  }
}

function invalid(message: string): AppError {
  return new AppError(400, ErrorCode.INVALID_INPUT, message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function date(v: unknown): Date | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function isHttpUrl(v: unknown): v is string {
  return typeof v === "string" && /^https?:\/\//i.test(v);
}
