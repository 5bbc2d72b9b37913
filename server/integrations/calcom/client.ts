/**
 * Cal.com API v2 client (SCHEDULING_BACKEND=calcom). A mentor maps to a Cal.com event type
 * (`student_profiles.calcom_event_type_id`); slots come from GET /v2/slots, bookings are made, fetched, cancelled
 * and rescheduled through /v2/bookings. Plain web-standard fetch, so it runs the same on Bun and Deno.
 *
 * Wire details (from Cal.com's OpenAPI document, `shared/calcom/openapi-v2.json`):
 *  - every request carries `Authorization: Bearer <api key>` and the `cal-api-version` its endpoint requires:
 *    2024-09-04 for /v2/slots, 2024-08-13 for the /v2/bookings endpoints;
 *  - responses are `{ status: "success", data }`; errors are `{ status: "error", error: { code, message } }`;
 *  - a slot that is taken is answered 400 "User either already has booking at this time or is not available".
 *
 * Failures become AppErrors: a conflict (409, or Cal.com saying the time is not available) is BOOKING_CONFLICT 409;
 * anything else (network, timeout, 4xx/5xx, unreadable body) is SERVICE_UNAVAILABLE 502 with a message that names
 * no internals; what Cal.com said goes to the logger.
 */
import { AppError, ErrorCode } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";

/** The `cal-api-version` header each endpoint requires (the spec: "Must be set to …"). */
export const CAL_API_VERSIONS = {
  slots: "2024-09-04",
  bookings: "2024-08-13",
} as const;

/** Languages Cal.com accepts for an attendee (CreateBookingAttendee.language enum). */
export const CALCOM_LANGUAGES = [
  "ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az", "cs", "el", "es-419",
  "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg", "da", "en", "et", "fr", "hu", "iw", "ko",
  "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn",
] as const;
export type CalcomLanguage = (typeof CALCOM_LANGUAGES)[number];

export const CALCOM_DEFAULT_TIMEOUT_MS = 10_000;

export interface CalcomClientOptions {
  /** CALCOM_API_URL, e.g. https://api.cal.com (a trailing /v2 is tolerated). */
  baseUrl: string;
  /** CALCOM_API_KEY (cal_live_… / cal_test_…). */
  apiKey: string;
  fetch?: typeof fetch;
  /** Per request; 10 s by default. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface CalcomSlot {
  start: Date;
}

export interface GetSlotsInput {
  eventTypeId: number;
  start: Date;
  end: Date;
  /** IANA zone the days are grouped in; instants are the same whatever it is. */
  timeZone?: string;
}

export interface CalcomAttendee {
  name: string;
  email: string;
  timeZone: string;
  /** Any BCP 47 tag; mapped onto the languages Cal.com knows ("fr-FR" → "fr"), left out when none fits. */
  language?: string | null;
}

export interface CreateCalcomBookingInput {
  eventTypeId: number;
  start: Date;
  attendee: CalcomAttendee;
  /** The student's question; sent as the "notes" booking field (Cal.com's default "Additional notes"). */
  question?: string | null;
  /** Our booking id, stored in Cal.com's booking metadata and echoed in its webhooks. */
  thotisBookingId: number | string;
  /** Only for event types with several lengths. */
  lengthInMinutes?: number;
}

export type CalcomBookingStatus = "accepted" | "pending" | "cancelled" | "rejected";

export interface CalcomBooking {
  uid: string;
  id: number;
  status: CalcomBookingStatus;
  start: Date;
  end: Date;
  /** The Google Meet link (or whatever https link Cal.com's location resolved to); null until one exists. */
  meetingUrl: string | null;
  eventTypeId: number | null;
  metadata: Record<string, unknown>;
  cancellationReason: string | null;
  /** Set on the new booking of a reschedule. */
  rescheduledFromUid: string | null;
  /** Set on the old booking of a reschedule. */
  rescheduledToUid: string | null;
}

export interface CalcomClient {
  getSlots(input: GetSlotsInput): Promise<CalcomSlot[]>;
  createBooking(input: CreateCalcomBookingInput): Promise<CalcomBooking>;
  /** Cancelling a booking that is already cancelled succeeds. */
  cancelBooking(uid: string, reason?: string | null): Promise<void>;
  /** Cal.com makes a new booking (new uid) and cancels the old one. */
  rescheduleBooking(uid: string, newStart: Date, reason?: string | null): Promise<CalcomBooking>;
  getBooking(uid: string): Promise<CalcomBooking>;
}

const CONFLICT_MESSAGE = "That time is no longer available";
const UNAVAILABLE_MESSAGE = "The scheduling service is unavailable, please try again later";

/** Cal.com's wording when the time cannot be booked (taken, outside availability or booking window). */
const NOT_AVAILABLE = [
  /already has booking/i,
  /not available/i,
  /no_available_users_found/i,
  /booking_time_out_of_bounds/i,
  /can't be booked at the "start" time/i,
  /slot.*(taken|unavailable|reserved)/i,
];
const ALREADY_CANCELLED = /already been cancell?ed|booking is already cancell?ed/i;

export function createCalcomClient(options: CalcomClientOptions): CalcomClient {
  const base = options.baseUrl.replace(/\/+$/, "").replace(/\/v2$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? CALCOM_DEFAULT_TIMEOUT_MS;
  const log = options.logger;

  interface Call {
    op: string;
    method: "GET" | "POST";
    path: string;
    version: string;
    query?: Record<string, string | undefined>;
    body?: unknown;
  }

  async function call(c: Call): Promise<{ ok: true; status: number; data: unknown } | { ok: false; status: number; message: string | null }> {
    const url = new URL(base + c.path);
    for (const [k, v] of Object.entries(c.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      "cal-api-version": c.version,
      accept: "application/json",
    };
    if (c.body !== undefined) headers["content-type"] = "application/json";

    let res: Response;
    try {
      res = await doFetch(url, {
        method: c.method,
        headers,
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      log?.warn("calcom request failed", { op: c.op, reason: timedOut ? "timeout" : "network", error: String(err) });
      throw unavailable(c.op, timedOut ? "timeout" : "network");
    }

    let text = "";
    try {
      text = await res.text();
    } catch (err) {
      log?.warn("calcom response unreadable", { op: c.op, status: res.status, error: String(err) });
      throw unavailable(c.op, "unreadable", res.status);
    }
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    const envelope = isObject(json) ? json : {};
    const message = errorMessage(envelope) ?? (text && !isObject(json) ? text.slice(0, 300) : null);

    if (res.ok && envelope.status !== "error") {
      if (!("data" in envelope)) {
        log?.warn("calcom response without data", { op: c.op, status: res.status });
        throw unavailable(c.op, "malformed", res.status);
      }
      return { ok: true, status: res.status, data: envelope.data };
    }

    if (res.status === 409 || (res.status === 400 && NOT_AVAILABLE.some((re) => re.test(message ?? "")))) {
      log?.info("calcom slot not available", { op: c.op, status: res.status, message });
      throw new AppError(409, ErrorCode.BOOKING_CONFLICT, CONFLICT_MESSAGE);
    }
    return { ok: false, status: res.status, message };
  }

  function fail(op: string, r: { status: number; message: string | null }): never {
    log?.warn("calcom request rejected", { op, status: r.status, message: r.message });
    throw unavailable(op, "rejected", r.status);
  }

  function bookingFrom(op: string, data: unknown): CalcomBooking {
    // GET on a recurring booking's uid answers an array of occurrences; we never create those, take the first.
    const raw = Array.isArray(data) ? data[0] : data;
    const booking = isObject(raw) ? toBooking(raw) : null;
    if (!booking) {
      log?.warn("calcom booking payload malformed", { op });
      throw unavailable(op, "malformed");
    }
    return booking;
  }

  return {
    async getSlots({ eventTypeId, start, end, timeZone }) {
      const r = await call({
        op: "getSlots",
        method: "GET",
        path: "/v2/slots",
        version: CAL_API_VERSIONS.slots,
        query: { eventTypeId: String(eventTypeId), start: start.toISOString(), end: end.toISOString(), timeZone },
      });
      if (!r.ok) fail("getSlots", r);
      if (!isObject(r.data)) {
        log?.warn("calcom slots payload malformed", { op: "getSlots" });
        throw unavailable("getSlots", "malformed");
      }
      return flattenSlots(r.data);
    },

    async createBooking(input) {
      const body: Record<string, unknown> = {
        start: input.start.toISOString(),
        eventTypeId: input.eventTypeId,
        attendee: attendeeBody(input.attendee),
        location: { type: "integration", integration: "google-meet" },
        metadata: { thotisBookingId: String(input.thotisBookingId) },
      };
      const question = input.question?.trim();
      if (question) body.bookingFieldsResponses = { notes: question };
      if (input.lengthInMinutes !== undefined) body.lengthInMinutes = input.lengthInMinutes;
      const r = await call({ op: "createBooking", method: "POST", path: "/v2/bookings", version: CAL_API_VERSIONS.bookings, body });
      if (!r.ok) fail("createBooking", r);
      return bookingFrom("createBooking", r.data);
    },

    async cancelBooking(uid, reason) {
      const body: Record<string, unknown> = {};
      if (reason?.trim()) body.cancellationReason = reason.trim();
      const r = await call({
        op: "cancelBooking",
        method: "POST",
        path: `/v2/bookings/${encodeURIComponent(uid)}/cancel`,
        version: CAL_API_VERSIONS.bookings,
        body,
      });
      if (!r.ok) {
        // Cancelling twice (our retry, or a cancel that Cal.com's webhook already told us about) is a success.
        if (r.status === 400 && ALREADY_CANCELLED.test(r.message ?? "")) return;
        fail("cancelBooking", r);
      }
    },

    async rescheduleBooking(uid, newStart, reason) {
      const body: Record<string, unknown> = { start: newStart.toISOString() };
      if (reason?.trim()) body.reschedulingReason = reason.trim();
      const r = await call({
        op: "rescheduleBooking",
        method: "POST",
        path: `/v2/bookings/${encodeURIComponent(uid)}/reschedule`,
        version: CAL_API_VERSIONS.bookings,
        body,
      });
      if (!r.ok) fail("rescheduleBooking", r);
      return bookingFrom("rescheduleBooking", r.data);
    },

    async getBooking(uid) {
      const r = await call({
        op: "getBooking",
        method: "GET",
        path: `/v2/bookings/${encodeURIComponent(uid)}`,
        version: CAL_API_VERSIONS.bookings,
      });
      if (!r.ok) fail("getBooking", r);
      return bookingFrom("getBooking", r.data);
    },
  };
}

/** Maps a language tag onto Cal.com's list: exact (case-insensitive), then the primary subtag; undefined if none. */
export function toCalcomLanguage(tag: string | null | undefined): CalcomLanguage | undefined {
  if (!tag) return undefined;
  const t = tag.trim().replace(/_/g, "-").toLowerCase();
  const exact = CALCOM_LANGUAGES.find((l) => l.toLowerCase() === t);
  if (exact) return exact;
  if (t === "he" || t.startsWith("he-")) return "he";
  const primary = t.split("-")[0];
  return CALCOM_LANGUAGES.find((l) => l.toLowerCase() === primary);
}

function attendeeBody(a: CalcomAttendee): Record<string, unknown> {
  const out: Record<string, unknown> = { name: a.name, email: a.email, timeZone: a.timeZone };
  const language = toCalcomLanguage(a.language);
  if (language) out.language = language;
  return out;
}

/** `{ "2050-09-05": ["…"] | [{ start }] | [{ start, end }] }` → instants, sorted, without duplicates. */
export function flattenSlots(days: Record<string, unknown>): CalcomSlot[] {
  const seen = new Set<number>();
  const out: CalcomSlot[] = [];
  for (const list of Object.values(days)) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const raw = typeof item === "string" ? item : isObject(item) && typeof item.start === "string" ? item.start : null;
      if (raw === null) continue;
      const ms = Date.parse(raw);
      if (Number.isNaN(ms) || seen.has(ms)) continue;
      seen.add(ms);
      out.push({ start: new Date(ms) });
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

function toBooking(raw: Record<string, unknown>): CalcomBooking | null {
  const uid = raw.uid;
  const id = raw.id;
  const start = typeof raw.start === "string" ? Date.parse(raw.start) : Number.NaN;
  const end = typeof raw.end === "string" ? Date.parse(raw.end) : Number.NaN;
  if (typeof uid !== "string" || !uid || typeof id !== "number" || Number.isNaN(start) || Number.isNaN(end)) return null;
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const eventType = isObject(raw.eventType) ? raw.eventType : null;
  const eventTypeId = typeof eventType?.id === "number" ? eventType.id : typeof raw.eventTypeId === "number" ? raw.eventTypeId : null;
  const status = typeof raw.status === "string" && ["accepted", "pending", "cancelled", "rejected"].includes(raw.status)
    ? (raw.status as CalcomBookingStatus)
    : "pending";
  return {
    uid,
    id,
    status,
    start: new Date(start),
    end: new Date(end),
    meetingUrl: [raw.location, raw.meetingUrl, metadata.videoCallUrl].find(isHttpUrl) ?? null,
    eventTypeId,
    metadata,
    cancellationReason: typeof raw.cancellationReason === "string" ? raw.cancellationReason : null,
    rescheduledFromUid: typeof raw.rescheduledFromUid === "string" ? raw.rescheduledFromUid : null,
    rescheduledToUid: typeof raw.rescheduledToUid === "string" ? raw.rescheduledToUid : null,
  };
}

function isHttpUrl(v: unknown): v is string {
  return typeof v === "string" && /^https?:\/\//i.test(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function errorMessage(envelope: Record<string, unknown>): string | null {
  const e = envelope.error;
  if (isObject(e) && typeof e.message === "string") return e.message;
  if (typeof e === "string") return e;
  if (typeof envelope.message === "string") return envelope.message;
  if (Array.isArray(envelope.message)) return envelope.message.join("; ");
  return null;
}

function unavailable(op: string, reason: string, status?: number): AppError {
  return new AppError(502, ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, {
    service: "calcom",
    operation: op,
    reason,
    ...(status !== undefined ? { upstreamStatus: status } : {}),
  });
}
