import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import {
  CAL_API_VERSIONS,
  CALCOM_LANGUAGES,
  createCalcomClient,
  flattenSlots,
  toCalcomLanguage,
  type CalcomClient,
} from "./client.ts";
import { createCalcomContract, loadCalcomContract, loadSharedCalcomContract } from "../../test-support/calcom/contract.ts";
import { startCalcomStandIn, type CalcomStandIn, type StandInEventType } from "../../test-support/calcom/stand-in.ts";
import {
  parseCalcomWebhook,
  readCalcomWebhook,
  signCalcomPayload,
  toBookingSync,
  verifyCalcomSignature,
} from "./webhook.ts";

// Cal.com's published spec, kept beside the repository (never copied into it). Absent → no contract checks, said so.
const contract = await loadSharedCalcomContract("server/integrations/calcom/calcom.test.ts");
const noSpec = contract === null;

const API_KEY = "cal_test_0123456789abcdef";
const EVENT_TYPE: StandInEventType = {
  id: 4242,
  slug: "mentoring-30",
  title: "Mentoring",
  lengthInMinutes: 30,
  // 09:00–12:00 UTC on weekdays: six 30-minute slots a day.
  availability: { 1: [["09:00", "12:00"]], 2: [["09:00", "12:00"]], 3: [["09:00", "12:00"]], 4: [["09:00", "12:00"]], 5: [["09:00", "12:00"]] },
  host: { id: 7, name: "Camille Mentor", email: "camille@example.org", username: "camille", timeZone: "Europe/Paris" },
};
const MONDAY = "2050-09-05"; // a Monday
const at = (iso: string) => new Date(iso);
const attendee = { name: "Léa Student", email: "lea@example.org", timeZone: "Europe/Paris", language: "fr-FR" };

async function expectAppError(p: Promise<unknown>, status: number, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect({ status: e.status, code: e.code as string }).toEqual({ status, code });
    return e;
  }
  throw new Error("expected an AppError");
}

describe("Cal.com client against the loopback stand-in", () => {
  let standIn: CalcomStandIn;
  let client: CalcomClient;

  beforeEach(async () => {
    standIn = await startCalcomStandIn({ apiKey: API_KEY, eventTypes: [EVENT_TYPE], contract });
    client = createCalcomClient({ baseUrl: standIn.url, apiKey: API_KEY });
  });

  afterEach(async () => {
    // Every request the client made and every response the stand-in gave conform to Cal.com's spec.
    const violations = standIn.takeViolations();
    await standIn.stop();
    expect(violations).toEqual([]);
  });

  const book = (start: string, thotisBookingId = 77, question: string | null = "How is the first year of CPGE?") =>
    client.createBooking({ eventTypeId: EVENT_TYPE.id, start: at(start), attendee, question, thotisBookingId });

  test("getSlots flattens the per-day map into instants, with the slots headers", async () => {
    const slots = await client.getSlots({
      eventTypeId: EVENT_TYPE.id,
      start: at(`${MONDAY}T00:00:00Z`),
      end: at("2050-09-06T23:59:59Z"),
      timeZone: "Europe/Paris",
    });
    expect(slots).toHaveLength(12);
    expect(slots[0]!.start).toBeInstanceOf(Date);
    expect(slots[0]!.start.toISOString()).toBe(`${MONDAY}T09:00:00.000Z`);
    expect(slots[5]!.start.toISOString()).toBe(`${MONDAY}T11:30:00.000Z`);
    expect(slots[6]!.start.toISOString()).toBe("2050-09-06T09:00:00.000Z");

    const req = standIn.requests.at(-1)!;
    expect(req.method).toBe("GET");
    expect(req.path).toBe("/v2/slots");
    expect(req.query).toEqual({
      eventTypeId: "4242",
      start: `${MONDAY}T00:00:00.000Z`,
      end: "2050-09-06T23:59:59.000Z",
      timeZone: "Europe/Paris",
    });
    expect(req.headers["cal-api-version"]).toBe("2024-09-04");
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);

    // Weekend: no availability.
    expect(await client.getSlots({ eventTypeId: EVENT_TYPE.id, start: at("2050-09-10T00:00:00Z"), end: at("2050-09-11T23:59:59Z") })).toEqual([]);
  });

  test("the stand-in answers slots as Cal.com does: days in the asked zone, times with their offset", async () => {
    const res = await fetch(`${standIn.url}/v2/slots?eventTypeId=4242&start=${MONDAY}&end=${MONDAY}&timeZone=Europe/Paris`, {
      headers: { authorization: `Bearer ${API_KEY}`, "cal-api-version": "2024-09-04" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; data: Record<string, Array<{ start: string }>> };
    expect(body.status).toBe("success");
    expect(body.data[MONDAY]![0]).toEqual({ start: `${MONDAY}T11:00:00.000+02:00` });
    expect(flattenSlots(body.data)[0]!.start.toISOString()).toBe(`${MONDAY}T09:00:00.000Z`);
    // The older string form is understood too.
    expect(flattenSlots({ [MONDAY]: [`${MONDAY}T11:00:00.000+02:00`] })[0]!.start.toISOString()).toBe(`${MONDAY}T09:00:00.000Z`);
  });

  test("createBooking sends Google Meet, the question and our id, and returns uid, times and the Meet link", async () => {
    const booking = await book(`${MONDAY}T09:30:00Z`);
    expect(booking.uid).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(typeof booking.id).toBe("number");
    expect(booking.start.toISOString()).toBe(`${MONDAY}T09:30:00.000Z`);
    expect(booking.end.toISOString()).toBe(`${MONDAY}T10:00:00.000Z`);
    expect(booking.meetingUrl).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(booking.status).toBe("accepted");
    expect(booking.eventTypeId).toBe(EVENT_TYPE.id);
    expect(booking.metadata).toEqual({ thotisBookingId: "77" });

    const req = standIn.requests.at(-1)!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/v2/bookings");
    expect(req.headers["cal-api-version"]).toBe("2024-08-13");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.body).toEqual({
      start: `${MONDAY}T09:30:00.000Z`,
      eventTypeId: 4242,
      attendee: { name: "Léa Student", email: "lea@example.org", timeZone: "Europe/Paris", language: "fr" },
      location: { type: "integration", integration: "google-meet" },
      metadata: { thotisBookingId: "77" },
      bookingFieldsResponses: { notes: "How is the first year of CPGE?" },
    });

    // The slot is gone.
    const slots = await client.getSlots({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T00:00:00Z`), end: at(`${MONDAY}T23:59:59Z`) });
    expect(slots.map((s) => s.start.toISOString())).not.toContain(`${MONDAY}T09:30:00.000Z`);
    expect(slots).toHaveLength(5);
  });

  test("createBooking without a question sends no booking fields", async () => {
    await book(`${MONDAY}T10:00:00Z`, 78, null);
    expect(standIn.requests.at(-1)!.body).not.toHaveProperty("bookingFieldsResponses");
  });

  test("getBooking returns what was booked", async () => {
    const made = await book(`${MONDAY}T10:30:00Z`, 79);
    const got = await client.getBooking(made.uid);
    expect(got).toEqual(made);
    const req = standIn.requests.at(-1)!;
    expect(req.path).toBe(`/v2/bookings/${made.uid}`);
    expect(req.headers["cal-api-version"]).toBe("2024-08-13");
  });

  test("a taken slot is BOOKING_CONFLICT 409 (Cal.com answers 400 'already has booking')", async () => {
    await book(`${MONDAY}T11:00:00Z`, 80);
    const err = await expectAppError(book(`${MONDAY}T11:00:00Z`, 81), 409, ErrorCode.BOOKING_CONFLICT);
    expect(err.message).not.toMatch(/cal\.com|already has booking/i);
    // Outside the availability: the same answer.
    await expectAppError(book(`${MONDAY}T08:00:00Z`, 82), 409, ErrorCode.BOOKING_CONFLICT);
    expect(standIn.bookings.size).toBe(1);
  });

  test("a 409 from Cal.com is BOOKING_CONFLICT too", async () => {
    const other = await startCalcomStandIn({ apiKey: API_KEY, eventTypes: [EVENT_TYPE], contract, takenSlotStatus: 409 });
    try {
      const c = createCalcomClient({ baseUrl: other.url, apiKey: API_KEY });
      await c.createBooking({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T09:00:00Z`), attendee, thotisBookingId: 1 });
      await expectAppError(
        c.createBooking({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T09:00:00Z`), attendee, thotisBookingId: 2 }),
        409,
        ErrorCode.BOOKING_CONFLICT,
      );
      expect(other.takeViolations()).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  test("rescheduleBooking makes a new booking (new uid, new Meet link) and marks the old one rescheduled", async () => {
    const old = await book(`${MONDAY}T09:00:00Z`, 83);
    const moved = await client.rescheduleBooking(old.uid, at("2050-09-06T10:00:00Z"), "Exam moved");
    expect(moved.uid).not.toBe(old.uid);
    expect(moved.start.toISOString()).toBe("2050-09-06T10:00:00.000Z");
    expect(moved.end.toISOString()).toBe("2050-09-06T10:30:00.000Z");
    expect(moved.meetingUrl).toMatch(/^https:\/\/meet\.google\.com\//);
    expect(moved.rescheduledFromUid).toBe(old.uid);
    expect(moved.metadata).toEqual({ thotisBookingId: "83" });

    const req = standIn.requests.at(-1)!;
    expect(req.path).toBe(`/v2/bookings/${old.uid}/reschedule`);
    expect(req.headers["cal-api-version"]).toBe("2024-08-13");
    expect(req.body).toEqual({ start: "2050-09-06T10:00:00.000Z", reschedulingReason: "Exam moved" });

    const before = await client.getBooking(old.uid);
    expect(before.status).toBe("cancelled");
    expect(before.rescheduledToUid).toBe(moved.uid);

    const monday = await client.getSlots({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T00:00:00Z`), end: at(`${MONDAY}T23:59:59Z`) });
    expect(monday.map((s) => s.start.toISOString())).toContain(`${MONDAY}T09:00:00.000Z`);
    const tuesday = await client.getSlots({ eventTypeId: EVENT_TYPE.id, start: at("2050-09-06T00:00:00Z"), end: at("2050-09-06T23:59:59Z") });
    expect(tuesday.map((s) => s.start.toISOString())).not.toContain("2050-09-06T10:00:00.000Z");

    // Onto a taken slot: conflict.
    const other = await book(`${MONDAY}T11:30:00Z`, 84);
    await expectAppError(client.rescheduleBooking(other.uid, at("2050-09-06T10:00:00Z")), 409, ErrorCode.BOOKING_CONFLICT);
  });

  test("cancelBooking cancels with the reason, frees the slot, and is idempotent", async () => {
    const b = await book(`${MONDAY}T10:00:00Z`, 85);
    await client.cancelBooking(b.uid, "Student unwell");
    const req = standIn.requests.at(-1)!;
    expect(req.path).toBe(`/v2/bookings/${b.uid}/cancel`);
    expect(req.headers["cal-api-version"]).toBe("2024-08-13");
    expect(req.body).toEqual({ cancellationReason: "Student unwell" });

    const got = await client.getBooking(b.uid);
    expect(got.status).toBe("cancelled");
    expect(got.cancellationReason).toBe("Student unwell");
    const slots = await client.getSlots({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T00:00:00Z`), end: at(`${MONDAY}T23:59:59Z`) });
    expect(slots).toHaveLength(6);

    await client.cancelBooking(b.uid); // Cal.com: 400 "already been cancelled" → success
    expect(standIn.requests.at(-1)!.body).toEqual({});
  });

  test("a wrong API key is a 502 SERVICE_UNAVAILABLE that leaks nothing", async () => {
    const bad = createCalcomClient({ baseUrl: standIn.url, apiKey: "cal_test_wrong" });
    const err = await expectAppError(
      bad.getSlots({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T00:00:00Z`), end: at(`${MONDAY}T23:59:59Z`) }),
      502,
      ErrorCode.SERVICE_UNAVAILABLE,
    );
    expect(err.message).not.toMatch(/cal_test|api key|401|Unauthorized/i);
    expect(err.details).toMatchObject({ service: "calcom", upstreamStatus: 401 });
    await expectAppError(bad.createBooking({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T09:00:00Z`), attendee, thotisBookingId: 1 }), 502, ErrorCode.SERVICE_UNAVAILABLE);
    expect(standIn.bookings.size).toBe(0);
  });

  test("an unknown booking or event type is a 502 SERVICE_UNAVAILABLE", async () => {
    const e1 = await expectAppError(client.getBooking("doesNotExist"), 502, ErrorCode.SERVICE_UNAVAILABLE);
    expect(e1.details).toMatchObject({ upstreamStatus: 404 });
    await expectAppError(client.cancelBooking("doesNotExist"), 502, ErrorCode.SERVICE_UNAVAILABLE);
    await expectAppError(
      client.getSlots({ eventTypeId: 1, start: at(`${MONDAY}T00:00:00Z`), end: at(`${MONDAY}T23:59:59Z`) }),
      502,
      ErrorCode.SERVICE_UNAVAILABLE,
    );
  });

  test("a Meet link Cal.com could not make is null, not the internal location", async () => {
    const noMeet = await startCalcomStandIn({ apiKey: API_KEY, eventTypes: [EVENT_TYPE], contract, meetLinks: false });
    try {
      const c = createCalcomClient({ baseUrl: `${noMeet.url}/v2/`, apiKey: API_KEY }); // a trailing /v2 is tolerated
      const b = await c.createBooking({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T09:00:00Z`), attendee, thotisBookingId: 3 });
      expect(b.meetingUrl).toBeNull();
      expect(noMeet.requests.at(-1)!.path).toBe("/v2/bookings");
      expect(noMeet.takeViolations()).toEqual([]);
    } finally {
      await noMeet.stop();
    }
  });
});

describe("Cal.com client failures without a server", () => {
  test("a timeout is a 502 SERVICE_UNAVAILABLE", async () => {
    const hanging: typeof fetch = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      })) as typeof fetch;
    const c = createCalcomClient({ baseUrl: "http://127.0.0.1:9", apiKey: API_KEY, fetch: hanging, timeoutMs: 50 });
    const err = await expectAppError(c.getBooking("x"), 502, ErrorCode.SERVICE_UNAVAILABLE);
    expect(err.details).toMatchObject({ reason: "timeout" });
  });

  test("a refused connection is a 502 SERVICE_UNAVAILABLE", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${server.port}`;
    await server.stop(true);
    const c = createCalcomClient({ baseUrl: url, apiKey: API_KEY });
    const err = await expectAppError(c.getBooking("x"), 502, ErrorCode.SERVICE_UNAVAILABLE);
    expect(err.details).toMatchObject({ reason: "network" });
  });

  test("a non-JSON or envelope-less success is a 502", async () => {
    const c = createCalcomClient({ baseUrl: "http://cal.invalid", apiKey: API_KEY, fetch: (async () => new Response("<html>", { status: 200 })) as unknown as typeof fetch });
    await expectAppError(c.getBooking("x"), 502, ErrorCode.SERVICE_UNAVAILABLE);
  });

  test("languages map onto Cal.com's list", () => {
    expect(toCalcomLanguage("fr-FR")).toBe("fr");
    expect(toCalcomLanguage("pt_br")).toBe("pt-BR");
    expect(toCalcomLanguage("zh-TW")).toBe("zh-TW");
    expect(toCalcomLanguage("en")).toBe("en");
    expect(toCalcomLanguage("xx")).toBeUndefined();
    expect(toCalcomLanguage(null)).toBeUndefined();
  });
});

describe("contract validation", () => {
  test("a missing spec means no contract", async () => {
    expect(await loadCalcomContract(new URL("./no-such-spec.json", import.meta.url))).toBeNull();
  });

  test.skipIf(noSpec)("the cal-api-version values are the ones the spec mandates", () => {
    const c = contract!;
    expect(c.requiredHeaderValue("get", "/v2/slots", "cal-api-version")).toBe(CAL_API_VERSIONS.slots);
    for (const [m, p] of [
      ["post", "/v2/bookings"],
      ["get", "/v2/bookings/{bookingUid}"],
      ["post", "/v2/bookings/{bookingUid}/cancel"],
      ["post", "/v2/bookings/{bookingUid}/reschedule"],
    ] as const) {
      expect(c.requiredHeaderValue(m, p, "cal-api-version")).toBe(CAL_API_VERSIONS.bookings);
    }
  });

  test.skipIf(noSpec)("the attendee languages are the spec's enum", () => {
    const schema = contract!.pointer("#/components/schemas/CreateBookingAttendee") as { properties: { language: { enum: string[] } } };
    expect([...CALCOM_LANGUAGES].map(String).sort()).toEqual([...schema.properties.language.enum].sort());
  });

  test.skipIf(noSpec)("malformed requests ARE flagged by the stand-in", async () => {
    const standIn = await startCalcomStandIn({ apiKey: API_KEY, eventTypes: [EVENT_TYPE], contract });
    try {
      await fetch(`${standIn.url}/v2/bookings`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }, // no cal-api-version
        body: JSON.stringify({
          start: `${MONDAY}T09:00:00Z`,
          eventTypeId: "4242", // a string, the spec says number
          attendee: { name: "No Zone", email: "x@example.org", language: "fr-FR" }, // no timeZone, bad language
          location: { type: "integration", integration: "googlemeet" },
        }),
      });
      await fetch(`${standIn.url}/v2/slots?eventTypeID=4242&end=${MONDAY}`, {
        headers: { authorization: `Bearer ${API_KEY}`, "cal-api-version": "2024-08-13" }, // wrong version
      });
      await fetch(`${standIn.url}/v2/bookings/abc/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "cal-api-version": "2024-08-13" }, // no body
      });
      const v = standIn.takeViolations();
      const requestProblems = v.filter((x) => x.direction === "request");
      expect(requestProblems).toHaveLength(3);
      const [create, slots, cancel] = requestProblems.map((x) => x.problems.join(" | "));
      expect(create).toContain("missing required header cal-api-version");
      expect(create).toMatch(/eventTypeId must be number/);
      expect(create).toMatch(/attendee must have required property 'timeZone'/);
      expect(create).toMatch(/language must be equal to one of the allowed values/);
      expect(create).toMatch(/integration must be equal to one of the allowed values/);
      expect(slots).toContain("header cal-api-version must be 2024-09-04, got 2024-08-13");
      expect(slots).toContain("missing required query parameter start");
      expect(slots).toContain("query parameter eventTypeID is not declared by the spec");
      expect(cancel).toContain("missing required JSON request body");
      expect(requestProblems[0]!.operation).toBe("/v2/bookings");
    } finally {
      await standIn.stop();
    }
  });

  test.skipIf(noSpec)("malformed responses are flagged", () => {
    const c = contract!;
    const get = { method: "GET", url: "/v2/bookings/abc" };
    expect(c.validateResponse(get, { status: 200, body: { status: "success", data: { id: 1, start: "x" } } }).join(" ")).toMatch(
      /must have required property 'uid'/,
    );
    expect(c.validateResponse(get, { status: 200, body: { data: {} } }).join(" ")).toMatch(/required property 'status'/);
    // 201 is documented for POST /v2/bookings; 200 is not.
    expect(c.validateResponse({ method: "POST", url: "/v2/bookings" }, { status: 200, body: {} })[0]).toMatch(/status 200 is not documented/);
    // Slots: the schema describes `data`, Cal.com's example (and the API) wrap it in { status, data }.
    const slots = { method: "GET", url: "/v2/slots?eventTypeId=1&start=a&end=b" };
    expect(c.validateResponse(slots, { status: 200, body: { status: "success", data: { [MONDAY]: [{ start: "x" }] } } })).toEqual([]);
    expect(c.validateResponse(slots, { status: 200, body: { status: "success", data: { [MONDAY]: 3 } } })).not.toEqual([]);
    expect(c.validateResponse(slots, { status: 200, body: { [MONDAY]: [] } })).not.toEqual([]);
    // Unknown paths and methods.
    expect(c.validateRequest({ method: "GET", url: "/v2/nope", headers: {} })[0]).toMatch(/not a path of the spec/);
    expect(c.validateRequest({ method: "DELETE", url: "/v2/bookings", headers: {} })[0]).toMatch(/DELETE is not an operation/);
  });

  test("nullable becomes a type array / anyOf with null; non-exclusive oneOf is read as anyOf", () => {
    const c = createCalcomContract({
      openapi: "3.0.0",
      paths: {
        "/x/{id}": {
          post: {
            parameters: [
              { name: "id", in: "path", required: true, schema: { type: "number" } },
              { name: "v", in: "header", required: true, description: "Must be set to 2024-01-01", schema: { type: "string" } },
            ],
            requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/A" } } } },
            responses: { "201": { description: "", content: { "application/json": { schema: { $ref: "#/components/schemas/Out" } } } } },
          },
        },
      },
      components: {
        schemas: {
          A: {
            type: "object",
            properties: {
              n: { type: "string", nullable: true },
              e: { type: "string", enum: ["a", "b"], nullable: true },
              r: { allOf: [{ $ref: "#/components/schemas/B" }], nullable: true },
            },
            required: ["n"],
          },
          B: { type: "object", properties: { k: { type: "number" } }, required: ["k"] },
          // Both branches accept { x: 1, y: 2 }: a strict oneOf would refuse it.
          Out: {
            oneOf: [
              { type: "object", properties: { x: { type: "number" } }, required: ["x"] },
              { type: "object", properties: { y: { type: "number" } }, required: ["y"] },
            ],
          },
        },
      },
    });
    const req = (body: unknown, id = "1") => c.validateRequest({ method: "POST", url: `/x/${id}`, headers: { v: "2024-01-01", "content-type": "application/json" }, body });
    expect(req({ n: null, e: null, r: null })).toEqual([]);
    expect(req({ n: "s", e: "a", r: { k: 1 } })).toEqual([]);
    expect(req({ n: 3 }).join(" ")).toMatch(/\/n must be string,null/);
    expect(req({ n: "s", e: "c" }).join(" ")).toMatch(/\/e must be equal to one of the allowed values/);
    expect(req({ n: "s", r: {} }).join(" ")).toMatch(/required property 'k'/);
    expect(req({ n: null }, "abc").join(" ")).toMatch(/path id/);
    expect(c.validateRequest({ method: "POST", url: "/x/1", headers: { v: "2023", "content-type": "application/json" }, body: { n: null } })[0]).toBe(
      "header v must be 2024-01-01, got 2023",
    );
    expect(c.validateResponse({ method: "POST", url: "/x/1" }, { status: 201, body: { x: 1, y: 2 } })).toEqual([]);
    expect(c.validateResponse({ method: "POST", url: "/x/1" }, { status: 201, body: { x: "no" } })).not.toEqual([]);
    // Error statuses the spec does not document are not checked.
    expect(c.validateResponse({ method: "POST", url: "/x/1" }, { status: 400, body: "anything" })).toEqual([]);
  });
});

describe("Cal.com webhooks", () => {
  const SECRET = "whsec_thotis_test";

  test("signature: valid, invalid, tampered, missing", () => {
    const body = JSON.stringify({ triggerEvent: "BOOKING_CREATED", createdAt: "2050-09-01T10:00:00.000Z", payload: { uid: "u1" } });
    const sig = signCalcomPayload(body, SECRET);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyCalcomSignature(body, sig, SECRET)).toBe(true);
    expect(verifyCalcomSignature(body, sig.toUpperCase(), SECRET)).toBe(true);
    expect(verifyCalcomSignature(body, `sha256=${sig}`, SECRET)).toBe(true);
    expect(verifyCalcomSignature(body, sig, "another-secret")).toBe(false);
    expect(verifyCalcomSignature(body.replace("u1", "u2"), sig, SECRET)).toBe(false);
    expect(verifyCalcomSignature(`${body} `, sig, SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, null, SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, "", SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, "no-secret-provided", SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, sig.slice(0, 63), SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, sig, "")).toBe(false);
  });

  test("the stand-in's signed webhooks keep a booking in step through create, reschedule and cancel", async () => {
    const received: Array<{ raw: string; signature: string | null }> = [];
    const receiver = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const clone = req.clone();
        received.push({ raw: await req.text(), signature: req.headers.get("x-cal-signature-256") });
        try {
          await readCalcomWebhook(clone, SECRET);
          return new Response(null, { status: 204 });
        } catch (err) {
          return new Response(null, { status: err instanceof AppError ? err.status : 500 });
        }
      },
    });
    const standIn = await startCalcomStandIn({
      apiKey: API_KEY,
      eventTypes: [EVENT_TYPE],
      contract,
      webhook: { url: `http://127.0.0.1:${receiver.port}/webhooks/calcom`, secret: SECRET },
    });
    try {
      const client = createCalcomClient({ baseUrl: standIn.url, apiKey: API_KEY });
      const made = await client.createBooking({ eventTypeId: EVENT_TYPE.id, start: at(`${MONDAY}T09:00:00Z`), attendee, question: "Prépa?", thotisBookingId: 501 });
      const moved = await client.rescheduleBooking(made.uid, at(`${MONDAY}T10:00:00Z`));
      await client.cancelBooking(moved.uid, "No longer needed");
      await standIn.settle();

      expect(standIn.webhookDeliveries.map((d) => [d.triggerEvent, d.status])).toEqual([
        ["BOOKING_CREATED", 204],
        ["BOOKING_RESCHEDULED", 204],
        ["BOOKING_CANCELLED", 204],
      ]);
      for (const r of received) {
        expect(verifyCalcomSignature(r.raw, r.signature, SECRET)).toBe(true);
        expect(verifyCalcomSignature(r.raw, r.signature, "wrong")).toBe(false);
      }
      const [created, rescheduled, cancelled] = received.map((r) => parseCalcomWebhook(r.raw));

      expect(created!.triggerEvent).toBe("BOOKING_CREATED");
      expect(created!.uid).toBe(made.uid);
      expect(created!.thotisBookingId).toBe("501");
      expect(created!.start?.toISOString()).toBe(`${MONDAY}T09:00:00.000Z`);
      expect(created!.meetingUrl).toBe(made.meetingUrl);
      expect(toBookingSync(created!)).toEqual({
        kind: "confirmed",
        uid: made.uid,
        thotisBookingId: "501",
        start: made.start,
        end: made.end,
        meetingUrl: made.meetingUrl,
      });

      expect(rescheduled!.uid).toBe(moved.uid);
      expect(rescheduled!.rescheduleUid).toBe(made.uid);
      expect(rescheduled!.rescheduleStart?.toISOString()).toBe(`${MONDAY}T09:00:00.000Z`);
      expect(toBookingSync(rescheduled!)).toEqual({
        kind: "rescheduled",
        previousUid: made.uid,
        uid: moved.uid,
        thotisBookingId: "501",
        start: moved.start,
        end: moved.end,
        meetingUrl: moved.meetingUrl,
      });

      expect(cancelled!.uid).toBe(moved.uid);
      expect(cancelled!.status).toBe("CANCELLED");
      expect(toBookingSync(cancelled!)).toEqual({ kind: "cancelled", uid: moved.uid, thotisBookingId: "501", reason: "No longer needed" });

      // A tampered delivery is refused by readCalcomWebhook.
      const tampered = new Request("http://x/", {
        method: "POST",
        headers: { "x-cal-signature-256": received[0]!.signature! },
        body: received[0]!.raw.replace("501", "502"),
      });
      await expectAppError(readCalcomWebhook(tampered, SECRET), 401, ErrorCode.UNAUTHORIZED);
      // And a delivery signed with another secret gets the receiver's 401.
      const wrong = await standIn.sendWebhook("BOOKING_CREATED", moved.uid, { url: `http://127.0.0.1:${receiver.port}/`, secret: "other" });
      expect(wrong.status).toBe(401);
      expect(standIn.takeViolations()).toEqual([]);
    } finally {
      await standIn.stop();
      await receiver.stop(true);
    }
  });

  // Shapes as Cal.com documents and sends them (sendPayload: { triggerEvent, createdAt, payload }).
  const organizer = { id: 7, name: "Camille Mentor", email: "camille@example.org", username: "camille", timeZone: "Europe/Paris", language: { locale: "en" }, timeFormat: "h:mma", utcOffset: 120 };
  const attendees = [{ name: "Léa Student", email: "lea@example.org", timeZone: "Europe/Paris", language: { locale: "fr" }, utcOffset: 120 }];
  const bookingPayload = {
    type: "mentoring-30",
    title: "Mentoring between Camille Mentor and Léa Student",
    description: "",
    additionalNotes: "Prépa?",
    customInputs: {},
    startTime: "2050-09-05T09:00:00Z",
    endTime: "2050-09-05T09:30:00Z",
    organizer,
    responses: { name: { label: "your_name", value: "Léa Student" }, email: { label: "email_address", value: "lea@example.org" }, notes: { label: "additional_notes", value: "Prépa?" } },
    userFieldsResponses: {},
    attendees,
    location: "integrations:google:meet",
    destinationCalendar: null,
    hideCalendarNotes: false,
    requiresConfirmation: null,
    eventTypeId: 4242,
    seatsShowAttendees: true,
    seatsPerTimeSlot: null,
    uid: "bFJeNb2uX8ANpT3JL5EfXw",
    videoCallData: { type: "google_video", id: "abc-defg-hij", password: "", url: "https://meet.google.com/abc-defg-hij" },
    eventTitle: "Mentoring",
    eventDescription: null,
    price: 0,
    currency: "usd",
    length: 30,
    bookingId: 91,
    metadata: { videoCallUrl: "https://meet.google.com/abc-defg-hij", thotisBookingId: "12" },
    status: "ACCEPTED",
  };

  test("parses BOOKING_CREATED", () => {
    const e = parseCalcomWebhook({ triggerEvent: "BOOKING_CREATED", createdAt: "2050-09-01T10:00:00.000Z", payload: bookingPayload });
    expect(e.triggerEvent).toBe("BOOKING_CREATED");
    expect(e.createdAt?.toISOString()).toBe("2050-09-01T10:00:00.000Z");
    expect(e.uid).toBe("bFJeNb2uX8ANpT3JL5EfXw");
    expect(e.bookingId).toBe(91);
    expect(e.eventTypeId).toBe(4242);
    expect(e.start?.toISOString()).toBe("2050-09-05T09:00:00.000Z");
    expect(e.end?.toISOString()).toBe("2050-09-05T09:30:00.000Z");
    expect(e.status).toBe("ACCEPTED");
    expect(e.metadata).toEqual({ videoCallUrl: "https://meet.google.com/abc-defg-hij", thotisBookingId: "12" });
    expect(e.thotisBookingId).toBe("12");
    expect(e.meetingUrl).toBe("https://meet.google.com/abc-defg-hij");
    expect(e.attendees).toEqual([{ name: "Léa Student", email: "lea@example.org", timeZone: "Europe/Paris" }]);
    expect(e.rescheduleUid).toBeUndefined();
  });

  test("parses BOOKING_RESCHEDULED (uid is the new booking, rescheduleUid the old one)", () => {
    const e = parseCalcomWebhook(
      JSON.stringify({
        triggerEvent: "BOOKING_RESCHEDULED",
        createdAt: "2050-09-02T10:00:00.000Z",
        payload: {
          ...bookingPayload,
          uid: "newUid000000000000000a",
          bookingId: 92,
          startTime: "2050-09-06T10:00:00Z",
          endTime: "2050-09-06T10:30:00Z",
          rescheduleId: 91,
          rescheduleUid: "bFJeNb2uX8ANpT3JL5EfXw",
          rescheduleStartTime: "2050-09-05T09:00:00Z",
          rescheduleEndTime: "2050-09-05T09:30:00Z",
          rescheduledBy: "lea@example.org",
        },
      }),
    );
    expect(e.uid).toBe("newUid000000000000000a");
    expect(e.rescheduleUid).toBe("bFJeNb2uX8ANpT3JL5EfXw");
    expect(e.rescheduleStart?.toISOString()).toBe("2050-09-05T09:00:00.000Z");
    expect(e.rescheduleEnd?.toISOString()).toBe("2050-09-05T09:30:00.000Z");
    expect(e.start?.toISOString()).toBe("2050-09-06T10:00:00.000Z");
    expect(toBookingSync(e)).toMatchObject({ kind: "rescheduled", previousUid: "bFJeNb2uX8ANpT3JL5EfXw", uid: "newUid000000000000000a" });
  });

  test("parses BOOKING_CANCELLED (metadata may be absent)", () => {
    const { metadata: _m, videoCallData: _v, ...rest } = bookingPayload;
    const e = parseCalcomWebhook({
      triggerEvent: "BOOKING_CANCELLED",
      createdAt: "2050-09-03T10:00:00.000Z",
      payload: { ...rest, status: "CANCELLED", cancellationReason: "Conflict", cancelledBy: "camille@example.org" },
    });
    expect(e.status).toBe("CANCELLED");
    expect(e.cancellationReason).toBe("Conflict");
    expect(e.metadata).toEqual({});
    expect(e.thotisBookingId).toBeNull();
    expect(e.meetingUrl).toBeNull();
    expect(toBookingSync(e)).toEqual({ kind: "cancelled", uid: "bFJeNb2uX8ANpT3JL5EfXw", thotisBookingId: null, reason: "Conflict" });
  });

  test("parses PING, MEETING_ENDED, BOOKING_NO_SHOW_UPDATED and unknown triggers", () => {
    const ping = parseCalcomWebhook({
      triggerEvent: "PING",
      createdAt: "2050-09-01T10:00:00.000Z",
      payload: { type: "Test", title: "Test trigger event", startTime: "2050-09-01T10:00:00.000Z", endTime: "2050-09-01T10:00:00.000Z", attendees, organizer },
    });
    expect(ping.triggerEvent).toBe("PING");
    expect(ping.uid).toBeNull();
    expect(toBookingSync(ping)).toBeNull();

    const ended = parseCalcomWebhook({
      triggerEvent: "MEETING_ENDED",
      createdAt: "2050-09-05T09:31:00.000Z",
      payload: { id: 91, uid: "bFJeNb2uX8ANpT3JL5EfXw", startTime: "2050-09-05T09:00:00.000Z", endTime: "2050-09-05T09:30:00.000Z", metadata: { thotisBookingId: "12" } },
    });
    expect(ended.bookingId).toBe(91);
    expect(ended.thotisBookingId).toBe("12");
    expect(toBookingSync(ended)).toBeNull();

    const noShow = parseCalcomWebhook({
      triggerEvent: "BOOKING_NO_SHOW_UPDATED",
      createdAt: "2050-09-05T10:00:00.000Z",
      payload: { message: "x", bookingUid: "bFJeNb2uX8ANpT3JL5EfXw", bookingId: 91, attendees: [{ email: "lea@example.org", noShow: true }] },
    });
    expect(noShow.uid).toBe("bFJeNb2uX8ANpT3JL5EfXw");

    expect(parseCalcomWebhook({ triggerEvent: "SOMETHING_NEW", payload: {} }).triggerEvent).toBe("SOMETHING_NEW");
  });

  test("malformed bodies are INVALID_INPUT 400", () => {
    for (const bad of ["not json", 42, null, {}, { triggerEvent: "BOOKING_CREATED" }, { triggerEvent: "BOOKING_CREATED", payload: { uid: "x" } }]) {
      let caught: unknown;
      try {
        parseCalcomWebhook(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).status).toBe(400);
      expect((caught as AppError).code).toBe(ErrorCode.INVALID_INPUT);
    }
  });
});
