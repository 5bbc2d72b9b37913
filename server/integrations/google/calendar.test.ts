/**
 * The Google Calendar adapter against a loopback stand-in of Google's OAuth and Calendar v3 wire protocol:
 * the real googleapis client makes real HTTP requests (rootUrl and the token endpoint point at the stand-in).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { AppError } from "../../lib/errors.ts";
import type { CalendarConnection, SessionEvent } from "../ports.ts";
import { createGoogleCalendar, GOOGLE_CALENDAR_SCOPES, type GoogleCalendarOptions } from "./calendar.ts";
import { startGoogleStandIn, type GoogleStandIn } from "../../test-support/google/stand-in.ts";

const REDIRECT = "https://api.thotis.test/v1/integrations/google/callback";
const MEET = /^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
const JITSI = "https://meet.jit.si/thotis-7f3c9a1b2d";

let s: GoogleStandIn;
let seq = 0;

beforeAll(() => {
  s = startGoogleStandIn();
});
afterAll(async () => {
  await s.stop();
});
beforeEach(() => {
  s.reset();
});

function adapter(overrides: Partial<GoogleCalendarOptions> = {}) {
  return createGoogleCalendar({
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    redirectUri: REDIRECT,
    rootUrl: s.rootUrl,
    oauthTokenUrl: s.tokenUrl,
    oauthAuthUrl: s.authUrl,
    retryDelayMs: 1,
    ...overrides,
  });
}

const connection = (): CalendarConnection => ({ refreshToken: s.issueRefreshToken(), calendarId: "primary" });

function session(overrides: Partial<SessionEvent> = {}): SessionEvent {
  const start = new Date(Date.UTC(2031, 2, 10, 14, 0) + ++seq * 3_600_000);
  return {
    bookingId: 1000 + seq,
    startTime: start,
    endTime: new Date(start.getTime() + 30 * 60_000),
    mentorName: "Paul Durand",
    mentorEmail: "paul.durand@etu.univ-lyon1.fr",
    prospectiveName: "Léa Martin",
    prospectiveEmail: "lea.martin@example.fr",
    question: "Comment se passe la première année de PASS ?",
    timeZone: "Europe/Paris",
    ...overrides,
  };
}

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected a failure");
}

/** No Google wording, URL, host, token or status text may leak into what the client sees. */
function expectNoInternals(err: AppError) {
  const shown = JSON.stringify({ message: err.message, details: err.details });
  for (const leak of ["Backend Error", "127.0.0.1", "googleapis", "ya29", "1//", "invalid_grant", "Gaxios", "Request failed", "500"]) {
    expect(shown).not.toContain(leak);
  }
}

describe("OAuth connect flow", () => {
  test("consent URL asks for offline access with forced consent, the calendar scopes and the state", () => {
    const url = new URL(adapter().consentUrl("signed.state-value"));
    const q = url.searchParams;
    expect(url.origin + url.pathname).toBe(s.authUrl);
    expect(q.get("client_id")).toBe(s.clientId);
    expect(q.get("redirect_uri")).toBe(REDIRECT);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("access_type")).toBe("offline");
    expect(q.get("prompt")).toBe("consent");
    expect(q.get("state")).toBe("signed.state-value");
    expect(q.get("scope")!.split(" ").sort()).toEqual([...GOOGLE_CALENDAR_SCOPES].sort());
  });

  test("default consent screen is Google's", () => {
    const url = createGoogleCalendar({ clientId: "id", clientSecret: "secret", redirectUri: REDIRECT }).consentUrl("x");
    expect(url.startsWith("https://accounts.google.com/o/oauth2/v2/auth?")).toBe(true);
  });

  test("consent → callback code → exchangeCode gives a refresh token that then works", async () => {
    const g = adapter();
    const consent = await fetch(g.consentUrl("st-42"), { redirect: "manual" });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get("location")!);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get("state")).toBe("st-42");

    const tokens = await g.exchangeCode(callback.searchParams.get("code")!);
    expect(tokens.refreshToken).toMatch(/^1\/\//);
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.expiryDate).toBeGreaterThan(Date.now());
    expect(tokens.scope).toContain("calendar.events");

    const exchange = s.tokenRequests("authorization_code")[0]!.body as Record<string, string>;
    expect(exchange).toMatchObject({ client_id: s.clientId, client_secret: s.clientSecret, redirect_uri: REDIRECT });

    expect(await g.freeBusy({ refreshToken: tokens.refreshToken, calendarId: "primary" }, new Date(), new Date(Date.now() + 3_600_000))).toEqual([]);
  });

  test("an invalid or reused code is a 400 GOOGLE_CALENDAR_ERROR", async () => {
    const g = adapter();
    const code = s.issueAuthorizationCode(REDIRECT);
    await g.exchangeCode(code);
    for (const bad of [code, "4/not-a-code"]) {
      const err = await appErrorOf(g.exchangeCode(bad));
      expect(err.status).toBe(400);
      expect(err.code).toBe("GOOGLE_CALENDAR_ERROR");
      expectNoInternals(err);
    }
  });

  test("a partial grant (calendar events unticked) is refused with the missing scopes", async () => {
    const partial = startGoogleStandIn({ grantedScope: "https://www.googleapis.com/auth/calendar.freebusy" });
    try {
      const g = createGoogleCalendar({
        clientId: partial.clientId,
        clientSecret: partial.clientSecret,
        redirectUri: REDIRECT,
        rootUrl: partial.rootUrl,
        oauthTokenUrl: partial.tokenUrl,
      });
      const err = await appErrorOf(g.exchangeCode(partial.issueAuthorizationCode(REDIRECT)));
      expect(err.status).toBe(400);
      expect(err.details).toMatchObject({ missingScopes: ["https://www.googleapis.com/auth/calendar.events"] });
    } finally {
      await partial.stop();
    }
  });
});

describe("access tokens", () => {
  test("one refresh serves several calls", async () => {
    const g = adapter();
    const conn = connection();
    const from = new Date("2031-01-01T00:00:00Z");
    const to = new Date("2031-01-02T00:00:00Z");
    await Promise.all([g.freeBusy(conn, from, to), g.freeBusy(conn, from, to)]);
    await g.freeBusy(conn, from, to);
    expect(s.tokenRequests("refresh_token")).toHaveLength(1);
    const refresh = s.tokenRequests("refresh_token")[0]!.body as Record<string, string>;
    expect(refresh).toMatchObject({ refresh_token: conn.refreshToken, client_id: s.clientId, client_secret: s.clientSecret });
    expect(new Set(s.calendarRequests().map((r) => r.authorization)).size).toBe(1);
  });

  test("an expired access token is refreshed transparently", async () => {
    const g = adapter();
    const conn = connection();
    s.setBusy("primary", [{ start: "2031-01-01T09:00:00Z", end: "2031-01-01T10:00:00Z" }]);
    const from = new Date("2031-01-01T00:00:00Z");
    const to = new Date("2031-01-02T00:00:00Z");
    await g.freeBusy(conn, from, to);
    s.expireAccessTokens();
    expect(await g.freeBusy(conn, from, to)).toEqual([{ start: Date.parse("2031-01-01T09:00:00Z"), end: Date.parse("2031-01-01T10:00:00Z") }]);
    expect(s.tokenRequests("refresh_token")).toHaveLength(2);
    const calls = s.calendarRequests();
    expect(calls.map((r) => r.path)).toEqual(Array(3).fill("/calendar/v3/freeBusy"));
    expect(calls[2]!.authorization).not.toBe(calls[1]!.authorization);
  });

  test("short-lived access tokens are renewed before they lapse", async () => {
    const shortLived = startGoogleStandIn({ accessTokenTtlSeconds: 60 });
    try {
      const g = createGoogleCalendar({
        clientId: shortLived.clientId,
        clientSecret: shortLived.clientSecret,
        redirectUri: REDIRECT,
        rootUrl: shortLived.rootUrl,
        oauthTokenUrl: shortLived.tokenUrl,
      });
      const conn = { refreshToken: shortLived.issueRefreshToken(), calendarId: "primary" };
      await g.freeBusy(conn, new Date(), new Date(Date.now() + 3_600_000));
      await g.freeBusy(conn, new Date(), new Date(Date.now() + 3_600_000));
      // 60 s is inside google-auth-library's eager refresh window (5 min): each call refreshes first, no 401 seen.
      expect(shortLived.tokenRequests("refresh_token")).toHaveLength(2);
      expect(shortLived.requests.filter((r) => r.path.startsWith("/calendar/")).length).toBe(2);
    } finally {
      await shortLived.stop();
    }
  });

  test("a revoked refresh token asks for reconnection, without internals", async () => {
    const g = adapter();
    const conn = connection();
    s.revokeRefreshToken(conn.refreshToken);
    const err = await appErrorOf(g.freeBusy(conn, new Date(), new Date(Date.now() + 3_600_000)));
    expect(err.status).toBe(502);
    expect(err.code).toBe("GOOGLE_CALENDAR_ERROR");
    expect(err.details).toMatchObject({ operation: "freeBusy", reconnectRequired: true });
    expectNoInternals(err);
    expect(s.calendarRequests()).toHaveLength(0);
  });
});

describe("freeBusy (Property 6 input)", () => {
  test("returns the calendar's busy intervals in epoch ms, including its own events", async () => {
    const g = adapter();
    const conn = connection();
    s.setBusy("primary", [
      { start: "2031-04-01T08:00:00Z", end: "2031-04-01T09:00:00Z" },
      { start: "2031-04-01T12:00:00Z", end: "2031-04-01T13:30:00Z" },
    ]);
    const created = await g.createEvent(conn, session({ startTime: new Date("2031-04-01T15:00:00Z"), endTime: new Date("2031-04-01T15:30:00Z"), meetingUrl: JITSI }));
    expect(created.eventId).toBeTruthy();
    const busy = await g.freeBusy(conn, new Date("2031-04-01T00:00:00Z"), new Date("2031-04-02T00:00:00Z"));
    expect(busy).toEqual([
      { start: Date.parse("2031-04-01T08:00:00Z"), end: Date.parse("2031-04-01T09:00:00Z") },
      { start: Date.parse("2031-04-01T12:00:00Z"), end: Date.parse("2031-04-01T13:30:00Z") },
      { start: Date.parse("2031-04-01T15:00:00Z"), end: Date.parse("2031-04-01T15:30:00Z") },
    ]);
    const req = s.calendarRequests().find((r) => r.path === "/calendar/v3/freeBusy")!;
    expect(req.method).toBe("POST");
    expect(req.body).toEqual({ timeMin: "2031-04-01T00:00:00.000Z", timeMax: "2031-04-02T00:00:00.000Z", items: [{ id: "primary" }] });
  });

  test("any set of busy intervals comes back as their clipped union", async () => {
    const g = adapter();
    const conn = connection();
    const day = Date.parse("2031-05-01T00:00:00Z");
    const interval = fc
      .tuple(fc.integer({ min: -120, max: 24 * 60 + 120 }), fc.integer({ min: 1, max: 300 }))
      .map(([m, len]) => ({ start: day + m * 60_000, end: day + (m + len) * 60_000 }));
    await fc.assert(
      fc.asyncProperty(fc.array(interval, { maxLength: 8 }), async (intervals) => {
        s.setBusy("primary", intervals.map((i) => ({ start: new Date(i.start), end: new Date(i.end) })));
        const busy = await g.freeBusy(conn, new Date(day), new Date(day + 86_400_000));
        // Same minutes covered, sorted and disjoint.
        const covered = (list: { start: number; end: number }[], t: number) => list.some((i) => i.start <= t && t < i.end);
        for (let t = day; t < day + 86_400_000; t += 60_000) {
          expect(covered(busy, t)).toBe(covered(intervals, t));
        }
        for (let i = 1; i < busy.length; i++) expect(busy[i]!.start).toBeGreaterThan(busy[i - 1]!.end);
      }),
      { numRuns: 25 },
    );
  });

  test("long ranges are queried in chunks and merged", async () => {
    const g = adapter();
    const conn = connection();
    s.setBusy("primary", [{ start: "2031-07-28T00:00:00Z", end: "2031-08-03T00:00:00Z" }]);
    const busy = await g.freeBusy(conn, new Date("2031-06-01T00:00:00Z"), new Date("2031-09-01T00:00:00Z"));
    expect(s.calendarRequests().filter((r) => r.path === "/calendar/v3/freeBusy").length).toBe(2);
    expect(busy).toEqual([{ start: Date.parse("2031-07-28T00:00:00Z"), end: Date.parse("2031-08-03T00:00:00Z") }]);
  });

  test("an empty range asks nothing", async () => {
    const at = new Date("2031-01-01T00:00:00Z");
    expect(await adapter().freeBusy(connection(), at, at)).toEqual([]);
    expect(s.calendarRequests()).toHaveLength(0);
  });

  test("a transient 503 is retried; a lasting one is a GOOGLE_CALENDAR_ERROR", async () => {
    const conn = connection();
    const from = new Date("2031-01-01T00:00:00Z");
    const to = new Date("2031-01-02T00:00:00Z");
    s.failNext({ status: 503, path: "/freeBusy" });
    expect(await adapter().freeBusy(conn, from, to)).toEqual([]);
    expect(s.calendarRequests()).toHaveLength(2);

    s.failNext({ status: 503, path: "/freeBusy", times: 5 });
    const err = await appErrorOf(adapter({ retries: 1 }).freeBusy(conn, from, to));
    expect(err).toMatchObject({ status: 502, code: "GOOGLE_CALENDAR_ERROR" });
    expect(err.details).toEqual({ operation: "freeBusy" });
    expectNoInternals(err);
  });
});

describe("createEvent", () => {
  test("makes the event with a Meet conference and puts the link in the description (Property 31)", async () => {
    const g = adapter();
    const conn = connection();
    const ev = session();
    const created = await g.createEvent(conn, ev);
    expect(created.meetingUrl).toMatch(MEET);

    const insert = s.calendarRequests().find((r) => r.method === "POST" && r.path === "/calendar/v3/calendars/primary/events")!;
    expect(insert.query.conferenceDataVersion).toBe("1");
    expect(insert.query.sendUpdates).toBe("none");
    const body = insert.body as any;
    expect(body.summary).toBe("Thotis — Léa Martin × Paul Durand");
    expect(body.start).toEqual({ dateTime: ev.startTime.toISOString(), timeZone: "Europe/Paris" });
    expect(body.end).toEqual({ dateTime: ev.endTime.toISOString(), timeZone: "Europe/Paris" });
    expect(body.attendees.map((a: { email: string }) => a.email)).toEqual([ev.mentorEmail, ev.prospectiveEmail]);
    expect(body.conferenceData.createRequest.conferenceSolutionKey).toEqual({ type: "hangoutsMeet" });
    expect(body.conferenceData.createRequest.requestId).toBeTruthy();
    expect(body.extendedProperties.private.thotisBookingId).toBe(String(ev.bookingId));

    const stored = s.event("primary", created.eventId)!;
    expect(stored.hangoutLink).toBe(created.meetingUrl!);
    expect(stored.description).toContain(created.meetingUrl!);
    expect(stored.description).toContain(ev.question!);
    expect(stored.summary).toBe("Thotis — Léa Martin × Paul Durand");
  });

  test("two bookings get two different Meet links (Property 30)", async () => {
    const g = adapter();
    const conn = connection();
    const links = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const created = await g.createEvent(conn, session());
      links.add(created.meetingUrl!);
      expect(s.event("primary", created.eventId)!.description).toContain(created.meetingUrl!);
    }
    expect(links.size).toBe(4);
    const requestIds = s
      .calendarRequests()
      .filter((r) => r.method === "POST" && r.path.endsWith("/events"))
      .map((r) => (r.body as any).conferenceData.createRequest.requestId);
    expect(new Set(requestIds).size).toBe(4);
  });

  test("with a Jitsi link given, no conference is requested and the description holds that link", async () => {
    const g = adapter();
    const created = await g.createEvent(connection(), session({ meetingUrl: JITSI, question: null }));
    expect(created.meetingUrl).toBeNull();
    const calls = s.calendarRequests();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query.conferenceDataVersion).toBeUndefined();
    expect((calls[0]!.body as any).conferenceData).toBeUndefined();
    const stored = s.event("primary", created.eventId)!;
    expect(stored.hangoutLink).toBeUndefined();
    expect(stored.description).toContain(JITSI);
    expect(stored.location).toBe(JITSI);
    expect(stored.description).not.toContain("Question");
  });

  test("a conference Google reports as pending is awaited", async () => {
    s.setConferenceMode("pending");
    const created = await adapter().createEvent(connection(), session());
    expect(created.meetingUrl).toMatch(MEET);
    expect(s.calendarRequests().some((r) => r.method === "GET")).toBe(true);
    expect(s.event("primary", created.eventId)!.description).toContain(created.meetingUrl!);
  });

  test("a conference that fails is a GOOGLE_MEET_ERROR and leaves no event behind", async () => {
    s.setConferenceMode("failure");
    const err = await appErrorOf(adapter().createEvent(connection(), session()));
    expect(err).toMatchObject({ status: 502, code: "GOOGLE_MEET_ERROR" });
    expectNoInternals(err);
    expect(s.events("primary").every((e) => e.status === "cancelled")).toBe(true);
    expect(s.events("primary")).toHaveLength(1);
  });

  test("a 500 from Google is a GOOGLE_CALENDAR_ERROR with no internals and is not retried", async () => {
    s.failNext({ status: 500, path: "/events" });
    const err = await appErrorOf(adapter().createEvent(connection(), session()));
    expect(err.status).toBe(502);
    expect(err.code).toBe("GOOGLE_CALENDAR_ERROR");
    expect(err.message).toBe("Could not create the Google Calendar event");
    expect(err.details).toEqual({ operation: "createEvent" });
    expectNoInternals(err);
    expect((err as Error & { cause?: unknown }).cause).toBeDefined();
    expect(s.calendarRequests().filter((r) => r.method === "POST")).toHaveLength(1);
    expect(s.events()).toHaveLength(0);
  });
});

describe("updateEvent", () => {
  test("a reschedule without a link gets a new Meet link, in the description (Property 32)", async () => {
    const g = adapter();
    const conn = connection();
    const first = session();
    const created = await g.createEvent(conn, first);
    const moved = { ...first, startTime: new Date(first.startTime.getTime() + 86_400_000), endTime: new Date(first.endTime.getTime() + 86_400_000) };
    const updated = await g.updateEvent(conn, created.eventId, moved);
    expect(updated.eventId).toBe(created.eventId);
    expect(updated.meetingUrl).toMatch(MEET);
    expect(updated.meetingUrl).not.toBe(created.meetingUrl);

    const stored = s.event("primary", created.eventId)!;
    expect(stored.start).toEqual({ dateTime: moved.startTime.toISOString(), timeZone: "Europe/Paris" });
    expect(stored.hangoutLink).toBe(updated.meetingUrl!);
    expect(stored.description).toContain(updated.meetingUrl!);
    expect(stored.description).not.toContain(created.meetingUrl!);

    const patches = s.calendarRequests().filter((r) => r.method === "PATCH");
    const move = patches[patches.length - 2]!;
    expect(move.query.conferenceDataVersion).toBe("1");
    const insert = s.calendarRequests().find((r) => r.method === "POST" && r.path.endsWith("/events"))!;
    expect((move.body as any).conferenceData.createRequest.requestId).not.toBe((insert.body as any).conferenceData.createRequest.requestId);
  });

  test("a reschedule with a Jitsi link drops the Meet conference and writes the Jitsi link", async () => {
    const g = adapter();
    const conn = connection();
    const created = await g.createEvent(conn, session());
    const updated = await g.updateEvent(conn, created.eventId, session({ meetingUrl: JITSI }));
    expect(updated).toEqual({ eventId: created.eventId, meetingUrl: null });
    const stored = s.event("primary", created.eventId)!;
    expect(stored.hangoutLink).toBeUndefined();
    expect(stored.conferenceData).toBeUndefined();
    expect(stored.description).toContain(JITSI);
    expect(stored.description).not.toContain("meet.google.com");
  });

  test("an event the mentor deleted in Google is made again", async () => {
    const g = adapter();
    const conn = connection();
    const created = await g.createEvent(conn, session({ meetingUrl: JITSI }));
    await g.deleteEvent(conn, created.eventId);
    const updated = await g.updateEvent(conn, created.eventId, session({ meetingUrl: JITSI }));
    expect(updated.eventId).not.toBe(created.eventId);
    expect(s.event("primary", updated.eventId)!.status).toBe("confirmed");
  });

  test("a 500 is a GOOGLE_CALENDAR_ERROR", async () => {
    const g = adapter();
    const conn = connection();
    const created = await g.createEvent(conn, session({ meetingUrl: JITSI }));
    s.failNext({ status: 500, method: "PATCH" });
    const err = await appErrorOf(g.updateEvent(conn, created.eventId, session({ meetingUrl: JITSI })));
    expect(err).toMatchObject({ status: 502, code: "GOOGLE_CALENDAR_ERROR", details: { operation: "updateEvent" } });
    expectNoInternals(err);
  });
});

describe("deleteEvent", () => {
  test("cancels the event; already deleted (410) and unknown (404) events count as deleted", async () => {
    const g = adapter();
    const conn = connection();
    const created = await g.createEvent(conn, session());
    await g.deleteEvent(conn, created.eventId);
    expect(s.event("primary", created.eventId)!.status).toBe("cancelled");
    await g.deleteEvent(conn, created.eventId);
    await g.deleteEvent(conn, "nosuchevent0123456789");
    const deletes = s.calendarRequests().filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => r.path)).toEqual([
      `/calendar/v3/calendars/primary/events/${created.eventId}`,
      `/calendar/v3/calendars/primary/events/${created.eventId}`,
      "/calendar/v3/calendars/primary/events/nosuchevent0123456789",
    ]);
  });

  test("injected 404 and 410 are tolerated; a lasting 500 is a GOOGLE_CALENDAR_ERROR", async () => {
    const g = adapter({ retries: 0 });
    const conn = connection();
    const created = await g.createEvent(conn, session({ meetingUrl: JITSI }));
    s.failNext({ status: 410, method: "DELETE" });
    await g.deleteEvent(conn, created.eventId);
    s.failNext({ status: 404, method: "DELETE" });
    await g.deleteEvent(conn, created.eventId);
    s.failNext({ status: 500, method: "DELETE" });
    const err = await appErrorOf(g.deleteEvent(conn, created.eventId));
    expect(err).toMatchObject({ status: 502, code: "GOOGLE_CALENDAR_ERROR", details: { operation: "deleteEvent" } });
    expectNoInternals(err);
    expect(s.event("primary", created.eventId)!.status).toBe("confirmed");
  });
});
