/**
 * Loopback stand-in for Cal.com API v2 (test support; Bun.serve on 127.0.0.1, port 0).
 *
 * It implements exactly what the client uses, with the shapes of Cal.com's OpenAPI document:
 *   GET  /v2/slots                          (cal-api-version 2024-09-04)
 *   POST /v2/bookings                       (cal-api-version 2024-08-13)
 *   GET  /v2/bookings/{uid}                 (2024-08-13)
 *   POST /v2/bookings/{uid}/cancel          (2024-08-13)
 *   POST /v2/bookings/{uid}/reschedule      (2024-08-13)
 * Slots come from a weekly availability per event type (UTC hours) minus its live bookings. A taken or unavailable
 * start is refused like Cal.com does (400 "User either already has booking at this time or is not available"; 409
 * with `takenSlotStatus: 409`). Rescheduling makes a new booking (new uid, `rescheduledFromUid`) and cancels the
 * old one (`rescheduledToUid`). Errors use Cal.com's envelope `{ status: "error", timestamp, path, error }`.
 *
 * It checks `Authorization: Bearer <apiKey>` and the cal-api-version of each endpoint, and, given a contract
 * (`loadCalcomContract()`), validates every request it receives and every response it sends, recording violations
 * in `violations` for tests to assert on. Booking changes can be sent as signed webhooks (Cal.com's payload and
 * `X-Cal-Signature-256`) to a configured URL.
 */
import type { CalcomContract, ContractViolation } from "./contract.ts";
import { signCalcomPayload } from "../../integrations/calcom/webhook.ts";

const VERSION_SLOTS = "2024-09-04";
const VERSION_BOOKINGS = "2024-08-13";
const TAKEN_MESSAGE = "User either already has booking at this time or is not available";

type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface StandInHost {
  id: number;
  name: string;
  email: string;
  username: string;
  timeZone: string;
}

export interface StandInEventType {
  id: number;
  slug: string;
  title?: string;
  lengthInMinutes: number;
  /** Weekly availability in UTC: weekday (0 = Sunday) → windows ["09:00", "12:00"]. */
  availability: Partial<Record<Weekday, Array<[string, string]>>>;
  host: StandInHost;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface CalcomStandInOptions {
  apiKey: string;
  eventTypes: StandInEventType[];
  /** When given, every request and response is validated against it. */
  contract?: CalcomContract | null;
  /** Status for a start that cannot be booked: Cal.com answers 400 (default). */
  takenSlotStatus?: 400 | 409;
  /** When false, a Google Meet booking gets no link (location "integrations:google:meet"), as when Meet failed. */
  meetLinks?: boolean;
  /** Booking changes made through the API are sent here as signed webhooks. */
  webhook?: WebhookTarget | null;
  now?: () => Date;
}

export interface StoredBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  start: Date;
  end: Date;
  status: "accepted" | "cancelled";
  attendee: { name: string; email: string; timeZone: string; language: string };
  location: string;
  metadata: Record<string, unknown>;
  bookingFieldsResponses: Record<string, unknown>;
  cancellationReason?: string;
  reschedulingReason?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface WebhookDelivery {
  triggerEvent: string;
  url: string;
  status: number;
  body: string;
  signature: string;
}

export interface CalcomStandIn {
  readonly url: string;
  /** Contract violations seen so far (requests received and responses sent). */
  readonly violations: ContractViolation[];
  readonly requests: RecordedRequest[];
  readonly webhookDeliveries: WebhookDelivery[];
  readonly bookings: ReadonlyMap<string, StoredBooking>;
  /** Empties `violations` and returns what it held. */
  takeViolations(): ContractViolation[];
  setWebhook(target: WebhookTarget | null): void;
  /** Sends a signed webhook about a stored booking now (to `target`, or the configured one). */
  sendWebhook(
    triggerEvent: "BOOKING_CREATED" | "BOOKING_CANCELLED" | "BOOKING_RESCHEDULED",
    uid: string,
    target?: WebhookTarget,
  ): Promise<WebhookDelivery>;
  /** Waits for the webhooks that booking changes queued. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startCalcomStandIn(options: CalcomStandInOptions): Promise<CalcomStandIn> {
  const contract = options.contract ?? null;
  const now = options.now ?? (() => new Date());
  const eventTypes = new Map(options.eventTypes.map((e) => [e.id, e]));
  const bookings = new Map<string, StoredBooking>();
  const violations: ContractViolation[] = [];
  const requests: RecordedRequest[] = [];
  const deliveries: WebhookDelivery[] = [];
  const pending = new Set<Promise<unknown>>();
  let webhook = options.webhook ?? null;
  let nextId = 1000;

  const record = (direction: "request" | "response", method: string, url: URL, problems: string[]) => {
    if (!problems.length) return;
    const op = contract?.findOperation(method, url.pathname);
    violations.push({ direction, method, path: url.pathname + url.search, operation: op?.template ?? null, problems });
  };

  function liveBookings(eventTypeId: number, exceptUid?: string) {
    return [...bookings.values()].filter((b) => b.eventTypeId === eventTypeId && b.status !== "cancelled" && b.uid !== exceptUid);
  }

  /** Free slot starts of an event type within [from, to], in ms. */
  function freeSlots(et: StandInEventType, from: number, to: number, exceptUid?: string): number[] {
    const length = et.lengthInMinutes * 60_000;
    const taken = liveBookings(et.id, exceptUid);
    const earliest = now().getTime();
    const out: number[] = [];
    const DAY = 86_400_000;
    for (let day = Math.floor(from / DAY) * DAY; day <= to; day += DAY) {
      const weekday = new Date(day).getUTCDay() as Weekday;
      for (const [a, b] of et.availability[weekday] ?? []) {
        const winStart = day + minutes(a) * 60_000;
        const winEnd = day + minutes(b) * 60_000;
        for (let s = winStart; s + length <= winEnd; s += length) {
          if (s < from || s > to || s < earliest) continue;
          if (taken.some((t) => t.start.getTime() < s + length && s < t.end.getTime())) continue;
          out.push(s);
        }
      }
    }
    return out;
  }

  function isFree(et: StandInEventType, start: number, exceptUid?: string): boolean {
    return freeSlots(et, start, start, exceptUid).includes(start);
  }

  function bookingOutput(b: StoredBooking): Record<string, unknown> {
    const et = eventTypes.get(b.eventTypeId)!;
    const out: Record<string, unknown> = {
      id: b.id,
      uid: b.uid,
      title: `${et.title ?? et.slug} between ${et.host.name} and ${b.attendee.name}`,
      description: "",
      hosts: [{ ...et.host }],
      status: b.status,
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      duration: Math.round((b.end.getTime() - b.start.getTime()) / 60_000),
      eventTypeId: et.id,
      eventType: { id: et.id, slug: et.slug },
      meetingUrl: b.location,
      location: b.location,
      absentHost: false,
      createdAt: b.createdAt.toISOString(),
      updatedAt: b.updatedAt.toISOString(),
      metadata: { ...b.metadata },
      attendees: [{ ...b.attendee, absent: false }],
      guests: [],
      bookingFieldsResponses: { ...b.bookingFieldsResponses },
    };
    if (b.cancellationReason !== undefined) {
      out.cancellationReason = b.cancellationReason;
      out.cancelledByEmail = et.host.email;
    }
    if (b.reschedulingReason !== undefined) out.reschedulingReason = b.reschedulingReason;
    if (b.rescheduledFromUid) {
      out.rescheduledFromUid = b.rescheduledFromUid;
      out.rescheduledByEmail = et.host.email;
    }
    if (b.rescheduledToUid) out.rescheduledToUid = b.rescheduledToUid;
    return out;
  }

  function newBooking(et: StandInEventType, start: number, from: Partial<StoredBooking> & Pick<StoredBooking, "attendee">, locationKind: string) {
    const uid = newUid();
    const meet = locationKind === "google-meet";
    const location = meet
      ? options.meetLinks === false
        ? "integrations:google:meet"
        : newMeetUrl()
      : locationKind === "cal-video" || locationKind === ""
        ? `https://app.cal.com/video/${uid}`
        : locationKind;
    const t = now();
    const booking: StoredBooking = {
      id: nextId++,
      uid,
      eventTypeId: et.id,
      start: new Date(start),
      end: new Date(start + et.lengthInMinutes * 60_000),
      status: "accepted",
      attendee: from.attendee,
      location,
      metadata: { ...(from.metadata ?? {}) },
      bookingFieldsResponses: {
        ...(from.bookingFieldsResponses ?? {}),
        name: from.attendee.name,
        email: from.attendee.email,
        location: { value: meet ? "integrations:google:meet" : location, optionValue: "" },
      },
      createdAt: t,
      updatedAt: t,
    };
    bookings.set(uid, booking);
    return booking;
  }

  function bookingOrThrow(uid: string): StoredBooking {
    const b = bookings.get(uid);
    if (!b) throw new HttpError(404, "NotFoundException", `Booking with uid=${uid} was not found in the database`);
    return b;
  }

  async function handle(req: Request, url: URL, body: unknown): Promise<{ status: number; body: unknown }> {
    if (req.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
      throw new HttpError(401, "UnauthorizedException", "ApiAuthStrategy - api key - Invalid API Key");
    }
    const version = req.headers.get("cal-api-version");
    const needVersion = (v: string) => {
      if (version !== v) throw new HttpError(400, "BadRequestException", `cal-api-version header must be ${v}`);
    };
    const parts = url.pathname.replace(/\/+$/, "").split("/").filter(Boolean);
    const m = req.method;

    if (m === "GET" && url.pathname === "/v2/slots") {
      needVersion(VERSION_SLOTS);
      const q = url.searchParams;
      const et = eventTypes.get(Number(q.get("eventTypeId")));
      if (!q.get("eventTypeId") || !et) throw new HttpError(404, "NotFoundException", "Event Type not found");
      const from = parseRangeBound(q.get("start"), "start");
      const to = parseRangeBound(q.get("end"), "end");
      if (from === null || to === null) throw new HttpError(400, "BadRequestException", "start and end must be ISO 8601 dates");
      const timeZone = q.get("timeZone") ?? "UTC";
      if (!validZone(timeZone)) throw new HttpError(400, "BadRequestException", `Invalid time zone ${timeZone}`);
      const days: Record<string, Array<{ start: string }>> = {};
      for (const s of freeSlots(et, from, to, q.get("bookingUidToReschedule") ?? undefined)) {
        const local = inZone(new Date(s), timeZone);
        (days[local.day] ??= []).push({ start: local.iso });
      }
      return { status: 200, body: { status: "success", data: days } };
    }

    if (m === "POST" && url.pathname === "/v2/bookings") {
      needVersion(VERSION_BOOKINGS);
      const input = asObject(body, "body");
      const et = eventTypes.get(Number(input.eventTypeId));
      if (!et) throw new HttpError(404, "NotFoundException", `Event type with id=${String(input.eventTypeId)} not found`);
      const attendee = asObject(input.attendee, "attendee");
      if (typeof attendee.name !== "string" || typeof attendee.timeZone !== "string" || typeof attendee.email !== "string") {
        throw new HttpError(400, "BadRequestException", "attendee needs name, email and timeZone");
      }
      const start = typeof input.start === "string" ? Date.parse(input.start) : Number.NaN;
      if (Number.isNaN(start)) throw new HttpError(400, "BadRequestException", "start must be an ISO 8601 date");
      if (!isFree(et, start)) throw new HttpError(options.takenSlotStatus ?? 400, options.takenSlotStatus === 409 ? "ConflictException" : "BadRequestException", TAKEN_MESSAGE);
      const location = input.location === undefined ? { type: "integration", integration: "cal-video" } : asObject(input.location, "location");
      const kind = location.type === "integration" ? String(location.integration) : String(location.link ?? location.address ?? location.phone ?? "");
      const booking = newBooking(
        et,
        start,
        {
          attendee: {
            name: attendee.name,
            email: attendee.email,
            timeZone: attendee.timeZone,
            language: typeof attendee.language === "string" ? attendee.language : "en",
          },
          metadata: input.metadata === undefined ? {} : asObject(input.metadata, "metadata"),
          bookingFieldsResponses: input.bookingFieldsResponses === undefined ? {} : asObject(input.bookingFieldsResponses, "bookingFieldsResponses"),
        },
        kind,
      );
      queueWebhook("BOOKING_CREATED", booking);
      return { status: 201, body: { status: "success", data: bookingOutput(booking) } };
    }

    if (parts.length >= 3 && parts[0] === "v2" && parts[1] === "bookings") {
      const uid = decodeURIComponent(parts[2]!);
      const action = parts[3];
      if (m === "GET" && parts.length === 3) {
        needVersion(VERSION_BOOKINGS);
        return { status: 200, body: { status: "success", data: bookingOutput(bookingOrThrow(uid)) } };
      }
      if (m === "POST" && parts.length === 4 && action === "cancel") {
        needVersion(VERSION_BOOKINGS);
        const input = body === undefined ? {} : asObject(body, "body");
        const b = bookingOrThrow(uid);
        if (b.status === "cancelled") throw new HttpError(400, "BadRequestException", "This booking has already been cancelled.");
        b.status = "cancelled";
        b.cancellationReason = typeof input.cancellationReason === "string" ? input.cancellationReason : "";
        b.updatedAt = now();
        queueWebhook("BOOKING_CANCELLED", b);
        return { status: 200, body: { status: "success", data: bookingOutput(b) } };
      }
      if (m === "POST" && parts.length === 4 && action === "reschedule") {
        needVersion(VERSION_BOOKINGS);
        const input = asObject(body, "body");
        const old = bookingOrThrow(uid);
        if (old.status === "cancelled") throw new HttpError(400, "BadRequestException", "Can't reschedule a cancelled booking");
        const et = eventTypes.get(old.eventTypeId)!;
        const start = typeof input.start === "string" ? Date.parse(input.start) : Number.NaN;
        if (Number.isNaN(start)) throw new HttpError(400, "BadRequestException", "start must be an ISO 8601 date");
        if (!isFree(et, start, old.uid)) throw new HttpError(options.takenSlotStatus ?? 400, options.takenSlotStatus === 409 ? "ConflictException" : "BadRequestException", TAKEN_MESSAGE);
        const fresh = newBooking(et, start, old, old.location.startsWith("https://meet.google.com/") || old.location === "integrations:google:meet" ? "google-meet" : old.location);
        fresh.rescheduledFromUid = old.uid;
        if (typeof input.reschedulingReason === "string") fresh.reschedulingReason = input.reschedulingReason;
        old.status = "cancelled";
        old.rescheduledToUid = fresh.uid;
        old.updatedAt = now();
        queueWebhook("BOOKING_RESCHEDULED", fresh);
        return { status: 201, body: { status: "success", data: bookingOutput(fresh) } };
      }
    }
    throw new HttpError(404, "NotFoundException", `Cannot ${m} ${url.pathname}`);
  }

  function webhookBody(triggerEvent: string, b: StoredBooking): string {
    const et = eventTypes.get(b.eventTypeId)!;
    const meetingUrl = /^https?:\/\//.test(b.location) ? b.location : null;
    const payload: Record<string, unknown> = {
      type: et.slug,
      title: `${et.title ?? et.slug} between ${et.host.name} and ${b.attendee.name}`,
      description: "",
      additionalNotes: typeof b.bookingFieldsResponses.notes === "string" ? b.bookingFieldsResponses.notes : "",
      customInputs: {},
      startTime: utcSeconds(b.start),
      endTime: utcSeconds(b.end),
      organizer: {
        id: et.host.id,
        name: et.host.name,
        email: et.host.email,
        username: et.host.username,
        timeZone: et.host.timeZone,
        language: { locale: "en" },
        timeFormat: "h:mma",
        utcOffset: utcOffsetMinutes(b.start, et.host.timeZone),
      },
      responses: {
        name: { label: "your_name", value: b.attendee.name },
        email: { label: "email_address", value: b.attendee.email },
        location: { label: "location", value: { optionValue: "", value: "integrations:google:meet" } },
        ...(typeof b.bookingFieldsResponses.notes === "string"
          ? { notes: { label: "additional_notes", value: b.bookingFieldsResponses.notes } }
          : {}),
      },
      userFieldsResponses: {},
      attendees: [
        {
          name: b.attendee.name,
          email: b.attendee.email,
          timeZone: b.attendee.timeZone,
          language: { locale: b.attendee.language },
          utcOffset: utcOffsetMinutes(b.start, b.attendee.timeZone),
        },
      ],
      location: b.location,
      destinationCalendar: null,
      hideCalendarNotes: false,
      requiresConfirmation: null,
      eventTypeId: et.id,
      seatsShowAttendees: true,
      seatsPerTimeSlot: null,
      uid: b.uid,
      iCalUID: `${b.uid}@Cal.com`,
      eventTitle: et.title ?? et.slug,
      eventDescription: "",
      price: 0,
      currency: "usd",
      length: et.lengthInMinutes,
      bookingId: b.id,
      metadata: { ...(meetingUrl ? { videoCallUrl: meetingUrl } : {}), ...b.metadata },
      status: triggerEvent === "BOOKING_CANCELLED" ? "CANCELLED" : "ACCEPTED",
    };
    if (meetingUrl) payload.videoCallData = { type: "google_video", id: meetingUrl.split("/").pop(), password: "", url: meetingUrl };
    if (triggerEvent === "BOOKING_CANCELLED") {
      payload.cancellationReason = b.cancellationReason ?? "";
      payload.cancelledBy = et.host.email;
    }
    if (triggerEvent === "BOOKING_RESCHEDULED" && b.rescheduledFromUid) {
      const old = bookings.get(b.rescheduledFromUid);
      payload.rescheduleUid = b.rescheduledFromUid;
      if (old) {
        payload.rescheduleId = old.id;
        payload.rescheduleStartTime = utcSeconds(old.start);
        payload.rescheduleEndTime = utcSeconds(old.end);
      }
      payload.rescheduledBy = et.host.email;
    }
    return JSON.stringify({ triggerEvent, createdAt: now().toISOString(), payload });
  }

  async function deliver(triggerEvent: string, b: StoredBooking, target: WebhookTarget): Promise<WebhookDelivery> {
    const body = webhookBody(triggerEvent, b);
    const signature = signCalcomPayload(body, target.secret);
    let status = 0;
    try {
      const res = await fetch(target.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Cal-Signature-256": signature },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    const delivery = { triggerEvent, url: target.url, status, body, signature };
    deliveries.push(delivery);
    return delivery;
  }

  function queueWebhook(triggerEvent: string, b: StoredBooking) {
    if (!webhook) return;
    const p = deliver(triggerEvent, b, webhook).finally(() => pending.delete(p));
    pending.add(p);
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const text = await req.text();
      let body: unknown = undefined;
      let badJson = false;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          badJson = true;
        }
      }
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });

      if (contract) {
        const problems = badJson ? ["request body is not JSON"] : contract.validateRequest({ method: req.method, url, headers: req.headers, body });
        record("request", req.method, url, problems);
      }

      let result: { status: number; body: unknown };
      try {
        if (badJson) throw new HttpError(400, "BadRequestException", "Body is not valid JSON");
        result = await handle(req, url, body);
      } catch (err) {
        const e = err instanceof HttpError ? err : new HttpError(500, "InternalServerErrorException", "Internal server error");
        result = {
          status: e.status,
          body: { status: "error", timestamp: now().toISOString(), path: url.pathname, error: { code: e.code, message: e.message } },
        };
      }
      if (contract) record("response", req.method, url, contract.validateResponse({ method: req.method, url }, result));
      return Response.json(result.body, { status: result.status });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    violations,
    requests,
    webhookDeliveries: deliveries,
    bookings,
    takeViolations: () => violations.splice(0, violations.length),
    setWebhook(target) {
      webhook = target;
    },
    async sendWebhook(triggerEvent, uid, target) {
      const b = bookings.get(uid);
      const to = target ?? webhook;
      if (!b) throw new Error(`stand-in has no booking ${uid}`);
      if (!to) throw new Error("stand-in has no webhook target");
      return deliver(triggerEvent, b, to);
    },
    async settle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    async stop() {
      while (pending.size) await Promise.allSettled([...pending]);
      await server.stop(true);
    },
  };
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new HttpError(400, "BadRequestException", `${what} must be an object`);
  return v as Record<string, unknown>;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Cal.com: "2050-09-05" means the start (or, for `end`, the end) of that UTC day; otherwise an ISO instant. */
function parseRangeBound(v: string | null, which: "start" | "end"): number | null {
  if (!v) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const day = Date.parse(`${v}T00:00:00Z`);
    return Number.isNaN(day) ? null : which === "start" ? day : day + 86_400_000 - 1;
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The local date and ISO time with offset of an instant in a zone, as Cal.com lists slots. */
function inZone(d: Date, timeZone: string): { day: string; iso: string } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  const day = `${get("year")}-${get("month")}-${get("day")}`;
  const offset = utcOffsetMinutes(d, timeZone);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return { day, iso: `${day}T${get("hour")}:${get("minute")}:${get("second")}.000${off}` };
}

function utcOffsetMinutes(d: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
  }).formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - (d.getTime() - d.getMilliseconds())) / 60_000);
}

/** dayjs(...).utc().format(): "2050-09-05T09:00:00Z". */
function utcSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function newUid(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

function newMeetUrl(): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const s = [...bytes].map((b) => letters[b % 26]).join("");
  return `https://meet.google.com/${s.slice(0, 3)}-${s.slice(3, 7)}-${s.slice(7, 10)}`;
}
