/**
 * Google Calendar end to end through our HTTP API: a real server (startTestApp) whose Google config points at the
 * loopback Google OAuth + Calendar v3 stand-in, so the real googleapis client talks real HTTP. Nothing of ours is mocked.
 *
 * Covers the connect flow (consent URL, OAuth callback, sealed refresh token, status, access rules), Property 6
 * (calendar conflict exclusion), Properties 30-32 (Meet links per booking, in the event description, new on
 * reschedule), cancellation, failure fallbacks to Jitsi, and disconnecting.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import fc from "fast-check";
import type { Database } from "../../../db/client.ts";
import { calendarBusy, emailOutbox, googleConnections, jobs } from "../../../db/schema/index.ts";
import { CALENDAR_GRACE_MS } from "../notifications/service.ts";
import { startGoogleStandIn, type GoogleStandIn, type StandInEvent } from "../../test-support/google/stand-in.ts";
import { fixedClock } from "../../lib/clock.ts";
import { createCryptoBox } from "../../lib/crypto-box.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";
import { BUSY_FRESHNESS_MS } from "./google-service.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
type Json = any;

const REDIRECT_URI = "https://api.thotis.test/oauth/google/callback";
const TOKEN_KEY = randomBytes(32).toString("base64");
const MEET = /^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
const JITSI = /^https:\/\/meet\.jit\.si\/Thotis-[A-Za-z0-9_-]+$/;
const MINUTE = 60_000;
const DAY = 86_400_000;
const SLOT = 15 * MINUTE;
const LONG_TTL = 60 * 86_400;

/** Monday 5 May 2031, 08:00 in Paris (summer time, far from any DST change). */
const START = new Date("2031-05-05T06:00:00.000Z");
const clock = fixedClock(START);
/** Midnight UTC of day `n` after the start day. Schedule: 09:00-17:00 Paris = 07:00-15:00 UTC every day. */
const dayStart = (n: number) => Date.UTC(2031, 4, 5 + n);
const at = (n: number, hourUtc: number, minute = 0) => new Date(dayStart(n) + hourUtc * 3_600_000 + minute * MINUTE).toISOString();

let standIn: GoogleStandIn;
let app: TestApp;
let admin: string;
let seq = 0;
const run = Date.now().toString(36);

interface Mentor {
  userId: number;
  profileId: string;
  email: string;
  name: string;
  token: string;
}
/** Connected in the connect flow; used by the availability, booking and disconnect tests. */
let mentor: Mentor;
/** Never connected; used for access rules and refused callbacks. */
let other: Mentor;

const json = async (res: Response): Promise<Json> => res.json();

async function createMentor(name: string): Promise<Mentor> {
  const email = `google.${++seq}.${run}@etu.example.fr`;
  const user = await app.request("/api/v2/users", { method: "POST", token: admin, json: { email, name, role: "mentor" } });
  expect(user.status).toBe(201);
  const userId: number = (await json(user)).data.id;
  const profile = await app.request(`/api/v2/students/${userId}/profile`, {
    method: "POST",
    token: admin,
    json: {
      university: "Université Claude Bernard Lyon 1",
      degree: "PASS — Parcours d'accès spécifique santé",
      field: "MEDICINE",
      currentYear: 2,
      bio: "Étudiant en deuxième année de médecine, je partage volontiers mon expérience de la PASS et des concours.",
    },
  });
  const created = await json(profile);
  expect(profile.status, JSON.stringify(created)).toBe(201);
  const profileId: string = created.data.id;
  const token = await app.token("mentor", { sub: String(userId), studentProfileId: profileId, ttlSeconds: LONG_TTL });
  const schedule = await app.request(`/api/v2/students/${profileId}/schedule`, {
    method: "PUT",
    token,
    json: {
      timeZone: "Europe/Paris",
      weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "09:00", end: "17:00" }] })),
    },
  });
  expect(schedule.status).toBe(200);
  return { userId, profileId, email, name, token };
}

/** Free slot starts (epoch ms) of a mentor in [from, to). */
async function slotsOf(profileId: string, from: number, to: number): Promise<number[]> {
  const q = new URLSearchParams({ start: new Date(from).toISOString(), end: new Date(to).toISOString() });
  const res = await app.request(`/api/v2/students/${profileId}/availability?${q}`, { token: admin });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.data.slots.map((s: { start: string }) => Date.parse(s.start));
}

/** Busy times are read again before slots are shown once the last sync is older than the freshness window. */
const passFreshnessWindow = () => clock.advance(BUSY_FRESHNESS_MS + 1_000);

async function status(profileId: string, token: string) {
  const res = await app.request(`/api/v2/students/${profileId}/google`, { token });
  return { res, body: await json(res) };
}

async function connectionRow(profileId: string) {
  const [row] = await app.database.db.select().from(googleConnections).where(eq(googleConnections.studentProfileId, profileId));
  return row;
}

async function consentUrl(m: Mentor): Promise<URL> {
  const res = await app.request(`/api/v2/students/${m.profileId}/google/connect`, { method: "POST", token: m.token });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return new URL(body.data.consentUrl);
}

/** Follows the consent URL like a browser at the stand-in's consent screen (auto-approves); returns the redirect's query. */
async function approve(consent: URL): Promise<URLSearchParams> {
  const res = await fetch(consent, { redirect: "manual" });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return location.searchParams;
}

async function callback(params: Record<string, string>) {
  const res = await app.request(`/oauth/google/callback?${new URLSearchParams(params)}`);
  return { res, html: await res.text() };
}

async function book(profileId: string, dateTime: string, who = { name: "Léa Martin", email: `lea.${++seq}@lycee.example.fr` }) {
  const res = await app.request("/api/v2/bookings", {
    method: "POST",
    token: admin,
    json: {
      studentProfileId: profileId,
      dateTime,
      prospectiveStudent: { ...who, question: "Comment se passe la première année ?" },
    },
  });
  const body = await json(res);
  return { res, body, data: body.data, who };
}

const eventOf = (eventId: string): StandInEvent => {
  const event = standIn.event("primary", eventId);
  expect(event).toBeDefined();
  return event!;
};

beforeAll(async () => {
  standIn = startGoogleStandIn();
  app = await startTestApp({
    clock,
    env: {
      GOOGLE_CLIENT_ID: standIn.clientId,
      GOOGLE_CLIENT_SECRET: standIn.clientSecret,
      GOOGLE_REDIRECT_URI: REDIRECT_URI,
      GOOGLE_API_ROOT_URL: standIn.rootUrl,
      GOOGLE_TOKEN_URL: standIn.tokenUrl,
      GOOGLE_AUTH_URL: standIn.authUrl,
      TOKEN_ENCRYPTION_KEY: TOKEN_KEY,
    },
  });
  admin = await app.token("admin", { ttlSeconds: LONG_TTL });
  mentor = await createMentor("Paul Durand");
  other = await createMentor("Inès Benali");
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await standIn?.stop();
});

describe("connect flow", () => {
  test("consent URL → stand-in consent → callback stores a sealed refresh token and syncs busy times", async () => {
    const consent = await consentUrl(mentor);
    expect(`${consent.origin}${consent.pathname}`).toBe(standIn.authUrl);
    expect(consent.searchParams.get("client_id")).toBe(standIn.clientId);
    expect(consent.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(consent.searchParams.get("access_type")).toBe("offline");
    expect(consent.searchParams.get("state")).toBeTruthy();
    expect(consent.searchParams.get("scope")).toContain("calendar");

    const back = await approve(consent);
    expect(back.get("state")).toBe(consent.searchParams.get("state"));
    const { res, html } = await callback({ code: back.get("code")!, state: back.get("state")!, scope: back.get("scope") ?? "" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(html).toContain("connecté");

    // The code was exchanged with our redirect URI, then the refresh token was used for the first busy-time sync.
    const exchange = standIn.tokenRequests("authorization_code");
    expect(exchange).toHaveLength(1);
    expect((exchange[0]!.body as Record<string, string>).redirect_uri).toBe(REDIRECT_URI);
    const refreshes = standIn.tokenRequests("refresh_token");
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    const plaintext = (refreshes[0]!.body as Record<string, string>).refresh_token!;
    expect(plaintext).toStartWith("1//standin-refresh-");
    expect(standIn.calendarRequests().some((r) => r.path === "/calendar/v3/freeBusy")).toBe(true);

    const row = await connectionRow(mentor.profileId);
    expect(row).toBeDefined();
    expect(row!.refreshTokenSealed).toStartWith("v1.");
    expect(row!.refreshTokenSealed).not.toContain(plaintext);
    expect(row!.refreshTokenSealed).not.toContain("standin");
    expect(await createCryptoBox(TOKEN_KEY).open(row!.refreshTokenSealed)).toBe(plaintext);
    // The token never reaches the logs either.
    expect(app.logs.some((l) => l.includes(plaintext))).toBe(false);

    const { res: st, body } = await status(mentor.profileId, mentor.token);
    expect(st.status).toBe(200);
    expect(body.data).toMatchObject({ connected: true, calendarId: "primary", lastError: null });
    expect(body.data.lastSyncAt).toBe(clock.now().toISOString());
    expect(body.data.connectedAt).toBe(clock.now().toISOString());
    // An admin sees it too.
    expect((await status(mentor.profileId, admin)).body.data.connected).toBe(true);
  });

  test("a tampered state gives a 400 page and no connection", async () => {
    const consent = await consentUrl(other);
    const back = await approve(consent);
    const state = back.get("state")!;
    const [h, p, sig] = state.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, studentProfileId: mentor.profileId })).toString("base64url");
    const flipped = sig.slice(0, -2) + (sig.at(-2) === "A" ? "B" : "A") + sig.at(-1);
    for (const bad of [`${h}.${p}.${flipped}`, `${h}.${forgedPayload}.${sig}`, "not-a-jwt", ""]) {
      const { res, html } = await callback({ code: standIn.issueAuthorizationCode(REDIRECT_URI), state: bad });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(html).not.toContain("Google Calendar connecté");
    }
    // Google's own refusal (user denied consent) is a 400 page too.
    const denied = await callback({ error: "access_denied", state });
    expect(denied.res.status).toBe(400);

    expect(await connectionRow(other.profileId)).toBeUndefined();
    expect((await status(other.profileId, other.token)).body.data).toMatchObject({ connected: false, lastSyncAt: null });
    // No code was exchanged for a bad state.
    expect(standIn.tokenRequests("authorization_code")).toHaveLength(1);
  });

  test("an expired state (links live 15 minutes) gives a 400 page and no connection", async () => {
    const consent = await consentUrl(other);
    const back = await approve(consent);
    clock.advance(16 * MINUTE);
    const { res, html } = await callback({ code: back.get("code")!, state: back.get("state")! });
    expect(res.status).toBe(400);
    expect(html).toContain("INVALID_TOKEN");
    expect(await connectionRow(other.profileId)).toBeUndefined();
    expect((await status(other.profileId, admin)).body.data.connected).toBe(false);
  });

  test("an authorization code Google refuses gives a 400 page and no connection", async () => {
    const consent = await consentUrl(other);
    const { res } = await callback({ code: "4/forged-code", state: consent.searchParams.get("state")! });
    expect(res.status).toBe(400);
    expect(await connectionRow(other.profileId)).toBeUndefined();
  });

  test("only the mentor themself or an admin: another mentor gets 403, no token 401", async () => {
    const routes: [string, string][] = [
      ["POST", `/api/v2/students/${mentor.profileId}/google/connect`],
      ["GET", `/api/v2/students/${mentor.profileId}/google`],
      ["DELETE", `/api/v2/students/${mentor.profileId}/google`],
    ];
    for (const [method, path] of routes) {
      const forbidden = await app.request(path, { method, token: other.token });
      expect(forbidden.status).toBe(403);
      expect((await json(forbidden)).error.code).toBe("INSUFFICIENT_PERMISSIONS");
      const anonymous = await app.request(path, { method });
      expect(anonymous.status).toBe(401);
      await anonymous.body?.cancel();
    }
    for (const role of ["widget", "integrator"] as const) {
      const res = await app.request(`/api/v2/students/${mentor.profileId}/google/connect`, { method: "POST", token: await app.token(role) });
      expect(res.status).toBe(403);
      await res.body?.cancel();
    }
    // An unknown /api/v2 route without a token is 401, not 404 (nothing about our routes leaks).
    const unknown = await app.request(`/api/v2/students/${mentor.profileId}/google/unknown`);
    expect(unknown.status).toBe(401);
    await unknown.body?.cancel();
    // The connection of the mentor is untouched.
    expect(await connectionRow(mentor.profileId)).toBeDefined();
  });
  test("an unknown profile is 404 for connect, status and disconnect", async () => {
    for (const [method, path] of [
      ["POST", "/api/v2/students/c0nosuchprofile000000000/google/connect"],
      ["GET", "/api/v2/students/c0nosuchprofile000000000/google"],
      ["DELETE", "/api/v2/students/c0nosuchprofile000000000/google"],
    ] as const) {
      const res = await app.request(path, { method, token: admin });
      expect({ path, method, status: res.status }).toEqual({ path, method, status: 404 });
      expect((await json(res)).error.code).toBe("PROFILE_NOT_FOUND");
    }
  });
});

describe("Property 6: calendar conflict exclusion", () => {
  test("no offered slot overlaps a Google busy time; every other free slot is still offered", async () => {
    const from = dayStart(2);
    const to = dayStart(3);
    standIn.setBusy("primary", []);
    passFreshnessWindow();
    const baseline = await slotsOf(mentor.profileId, from, to);
    expect(baseline).toHaveLength(32); // 07:00-15:00 UTC, every quarter hour

    // Busy times around the schedule's hours: aligned to quarter hours (touching slots exactly) or to any second.
    const offset = fc.oneof(
      fc.integer({ min: 5 * 4, max: 17 * 4 }).map((q) => q * SLOT),
      fc.integer({ min: 5 * 3600, max: 17 * 3600 }).map((s) => s * 1000),
    );
    const length = fc.oneof(
      fc.integer({ min: 1, max: 12 }).map((q) => q * SLOT),
      fc.integer({ min: 1, max: 4 * 3600 }).map((s) => s * 1000),
    );
    const intervals = fc.array(fc.tuple(offset, length).map(([o, l]) => ({ start: from + o, end: from + o + l })), { maxLength: 6 });

    let runs = 0;
    await fc.assert(
      fc.asyncProperty(intervals, async (busy) => {
        runs++;
        standIn.setBusy("primary", busy.map((b) => ({ start: new Date(b.start), end: new Date(b.end) })));
        passFreshnessWindow();
        const slots = await slotsOf(mentor.profileId, from, to);
        const overlaps = (s: number) => busy.some((b) => s < b.end && b.start < s + SLOT);
        for (const s of slots) expect(overlaps(s)).toBe(false);
        expect(slots).toEqual(baseline.filter((s) => !overlaps(s)));
      }),
      { numRuns: 100 },
    );
    expect(runs).toBeGreaterThanOrEqual(100);

    const { body } = await status(mentor.profileId, mentor.token);
    expect(body.data.lastSyncAt).toBe(clock.now().toISOString());
    expect(body.data.lastError).toBeNull();
  }, 120_000);

  test("within the freshness window Google is not asked again; busy times removed in Google free their slots", async () => {
    const from = dayStart(2);
    const to = dayStart(3);
    standIn.setBusy("primary", [{ start: at(2, 8), end: at(2, 10) }]);
    passFreshnessWindow();
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32 - 8);
    const freeBusyCalls = () => standIn.calendarRequests().filter((r) => r.path === "/calendar/v3/freeBusy").length;
    const before = freeBusyCalls();
    standIn.setBusy("primary", []);
    clock.advance(30_000);
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32 - 8);
    expect(freeBusyCalls()).toBe(before);
    passFreshnessWindow();
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32);
    expect(freeBusyCalls()).toBe(before + 1);
  });

  test("a Google outage while refreshing keeps the last known busy times and records the error", async () => {
    const from = dayStart(2);
    const to = dayStart(3);
    standIn.setBusy("primary", [{ start: at(2, 12), end: at(2, 13) }]);
    passFreshnessWindow();
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32 - 4);
    standIn.setBusy("primary", []);
    standIn.failNext({ status: 503, path: "/freeBusy", times: 10 });
    passFreshnessWindow();
    const slots = await slotsOf(mentor.profileId, from, to);
    expect(slots).toHaveLength(32 - 4);
    expect(slots.some((s) => s >= Date.parse(at(2, 12)) && s < Date.parse(at(2, 13)))).toBe(false);
    expect((await status(mentor.profileId, mentor.token)).body.data.lastError).toBeTruthy();
    expect(app.logs.some((l) => l.includes("busy-time sync failed"))).toBe(true);
    standIn.reset();
    passFreshnessWindow();
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32);
    expect((await status(mentor.profileId, mentor.token)).body.data.lastError).toBeNull();
  });
});

describe("bookings of a connected mentor", () => {
  test("Properties 30 & 31: each booking gets its own Meet link, in a calendar event with both attendees", async () => {
    const first = await book(mentor.profileId, at(3, 8), { name: "Léa Martin", email: "lea.martin@lycee.example.fr" });
    expect(first.res.status, JSON.stringify(first.body)).toBe(201);
    expect(first.data.meetingProvider).toBe("google_meet");
    expect(first.data.meetingUrl).toMatch(MEET);
    expect(first.data.googleMeetLink).toBe(first.data.meetingUrl);
    expect(first.data.calendarEventId).toBeTruthy();

    const event = eventOf(first.data.calendarEventId);
    expect(event.status).toBe("confirmed");
    expect(event.hangoutLink).toBe(first.data.meetingUrl);
    expect(event.description).toContain(first.data.meetingUrl);
    expect(event.start?.dateTime && Date.parse(event.start.dateTime)).toBe(Date.parse(at(3, 8)));
    expect(event.end?.dateTime && Date.parse(event.end.dateTime)).toBe(Date.parse(at(3, 8, 15)));
    const attendees = (event.attendees ?? []).map((a) => a.email);
    expect(attendees).toContain("lea.martin@lycee.example.fr");
    expect(attendees).toContain(mentor.email);

    const second = await book(mentor.profileId, at(3, 9));
    expect(second.res.status).toBe(201);
    expect(second.data.meetingProvider).toBe("google_meet");
    expect(second.data.meetingUrl).toMatch(MEET);
    expect(second.data.meetingUrl).not.toBe(first.data.meetingUrl);
    expect(second.data.calendarEventId).not.toBe(first.data.calendarEventId);
    expect(eventOf(second.data.calendarEventId).description).toContain(second.data.meetingUrl);

    // The stored booking shows the same link.
    const stored = await json(await app.request(`/api/v2/bookings/${first.data.bookingId}`, { token: mentor.token }));
    expect(stored.data).toMatchObject({ meetingUrl: first.data.meetingUrl, meetingProvider: "google_meet", calendarEventId: first.data.calendarEventId });
  });

  test("booking e-mails wait for Google's Meet link: held in the queue until the calendar step, then sent with it", async () => {
    const booked = await book(mentor.profileId, at(6, 8));
    expect(booked.res.status).toBe(201);
    expect(booked.data.meetingUrl).toMatch(MEET);
    expect(booked.data.confirmationSent).toBe(true);
    // The calendar step released the message before the response: due now on the (fixed) test clock.
    const [job] = await app.database.db.select().from(jobs).where(eq(jobs.kind, "email.booking")).orderBy(desc(jobs.id)).limit(1);
    expect(job!.runAt.getTime()).toBe(clock.now().getTime());
    await app.jobs.createWorker().drain();
    const mails = await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.bookingId, booked.data.bookingId));
    expect(mails.map((m) => m.kind).sort()).toEqual(["booking_confirmation", "booking_confirmation"]);
    for (const mail of mails) {
      expect(mail.text).toContain(booked.data.meetingUrl);
      expect(mail.text).not.toMatch(/meet\.jit\.si/);
    }
    // Had the process died before the calendar step, the message would still go after the grace period.
    await app.database.db.transaction(async (txn) => {
      const tx = txn as unknown as Database;
      await app.jobs.bookingEffects(tx, {
        historyId: 987_654_321,
        bookingId: booked.data.bookingId,
        action: "created",
        oldStartTime: null,
        newStartTime: new Date(at(6, 8)),
        actor: "test",
        reason: null,
        visitorId: null,
        at: clock.now(),
        calendarPending: true,
      });
      const [held] = await tx.select().from(jobs).where(eq(jobs.dedupeKey, "email:history:987654321"));
      expect(held!.runAt.getTime() - clock.now().getTime()).toBe(CALENDAR_GRACE_MS);
      throw new Error("roll back the simulated change");
    }).catch((error) => expect(String(error)).toContain("roll back"));
  });

  test("Property 30 over many bookings: all Meet links differ", async () => {
    const links = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const { res, data } = await book(mentor.profileId, at(3, 11, i * 15));
      expect(res.status).toBe(201);
      expect(data.meetingUrl).toMatch(MEET);
      links.add(data.meetingUrl);
      expect(eventOf(data.calendarEventId).description).toContain(data.meetingUrl);
    }
    expect(links.size).toBe(8);
  });

  test("Property 32: rescheduling gives a new Meet link and moves the event; cancelling deletes it", async () => {
    const booked = await book(mentor.profileId, at(3, 13));
    expect(booked.res.status).toBe(201);
    const oldLink: string = booked.data.meetingUrl;
    const eventId: string = booked.data.calendarEventId;

    const res = await app.request(`/api/v2/bookings/${booked.data.bookingId}/reschedule`, {
      method: "PATCH",
      token: admin,
      json: { dateTime: at(3, 14, 30) },
    });
    const moved = await json(res);
    expect(res.status, JSON.stringify(moved)).toBe(200);
    expect(moved.data.meetingProvider).toBe("google_meet");
    expect(moved.data.meetingUrl).toMatch(MEET);
    expect(moved.data.meetingUrl).not.toBe(oldLink);
    expect(moved.data.calendarEventId).toBe(eventId);
    expect(moved.data.booking.startTime).toBe(at(3, 14, 30));

    const event = eventOf(eventId);
    expect(event.status).toBe("confirmed");
    expect(Date.parse(event.start!.dateTime!)).toBe(Date.parse(at(3, 14, 30)));
    expect(Date.parse(event.end!.dateTime!)).toBe(Date.parse(at(3, 14, 45)));
    expect(event.hangoutLink).toBe(moved.data.meetingUrl);
    expect(event.description).toContain(moved.data.meetingUrl);
    expect(event.description).not.toContain(oldLink);
    expect(standIn.events("primary").filter((e) => e.status === "confirmed" && e.description?.includes(`n° ${booked.data.bookingId}`))).toHaveLength(1);

    // The session's own Google event is read back as a busy time: its slot is not offered (nor the old one).
    passFreshnessWindow();
    let slots = await slotsOf(mentor.profileId, dayStart(3), dayStart(4));
    expect(slots).not.toContain(Date.parse(at(3, 14, 30)));
    expect(slots).toContain(Date.parse(at(3, 13)));

    const cancel = await app.request(`/api/v2/bookings/${booked.data.bookingId}`, {
      method: "DELETE",
      token: admin,
      json: { reason: "Empêchement", cancelledBy: "student" },
    });
    expect(cancel.status).toBe(200);
    expect((await json(cancel)).data.status).toBe("CANCELLED");
    expect(eventOf(eventId).status).toBe("cancelled");
    const deletes = standIn.calendarRequests().filter((r) => r.method === "DELETE" && r.path.endsWith(`/events/${eventId}`));
    expect(deletes).toHaveLength(1);
    // The freed slot is offered again at once, without waiting for the freshness window.
    slots = await slotsOf(mentor.profileId, dayStart(3), dayStart(4));
    expect(slots).toContain(Date.parse(at(3, 14, 30)));
  });

  test("rescheduling frees the old slot at once even though Google had it as busy", async () => {
    const booked = await book(mentor.profileId, at(3, 7));
    expect(booked.res.status).toBe(201);
    passFreshnessWindow();
    expect(await slotsOf(mentor.profileId, dayStart(3), dayStart(4))).not.toContain(Date.parse(at(3, 7)));
    const res = await app.request(`/api/v2/bookings/${booked.data.bookingId}/reschedule`, {
      method: "PATCH",
      token: admin,
      json: { dateTime: at(3, 7, 30) },
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const slots = await slotsOf(mentor.profileId, dayStart(3), dayStart(4));
    expect(slots).toContain(Date.parse(at(3, 7)));
    expect(slots).not.toContain(Date.parse(at(3, 7, 30)));
  });
});

describe("Google failures never break a booking", () => {
  test("event creation fails with 500: the booking stands with a Jitsi link and the failure is logged", async () => {
    const before = standIn.events().length;
    standIn.failNext({ status: 500, method: "POST", path: "/events" });
    const { res, body, data } = await book(mentor.profileId, at(4, 8));
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(data.meetingProvider).toBe("jitsi");
    expect(data.meetingUrl).toMatch(JITSI);
    expect(data.calendarEventId).toBeNull();
    expect(standIn.events()).toHaveLength(before);
    const line = app.logs.find((l) => l.includes("calendar sync failed") && l.includes(`"bookingId":${data.bookingId}`));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: "error", hook: "created", code: "GOOGLE_CALENDAR_ERROR" });
    // No request ended in a 5xx.
    expect(app.logs.some((l) => /"status":5\d\d/.test(l))).toBe(false);

    // Cancelling a booking without a calendar event does not call Google.
    const deletesBefore = standIn.calendarRequests().filter((r) => r.method === "DELETE").length;
    const cancel = await app.request(`/api/v2/bookings/${data.bookingId}`, {
      method: "DELETE",
      token: admin,
      json: { reason: "Test", cancelledBy: "mentor" },
    });
    expect(cancel.status).toBe(200);
    await cancel.body?.cancel();
    expect(standIn.calendarRequests().filter((r) => r.method === "DELETE").length).toBe(deletesBefore);
  });

  test("Google cannot make a Meet conference: the event carries the Jitsi link instead", async () => {
    standIn.setConferenceMode("failure");
    try {
      const { res, body, data } = await book(mentor.profileId, at(4, 9));
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(data.meetingProvider).toBe("jitsi");
      expect(data.meetingUrl).toMatch(JITSI);
      expect(data.calendarEventId).toBeTruthy();
      const event = eventOf(data.calendarEventId);
      expect(event.status).toBe("confirmed");
      expect(event.hangoutLink).toBeUndefined();
      expect(event.description).toContain(data.meetingUrl);
      expect(event.location).toBe(data.meetingUrl);
      // The link-less Meet attempt was removed: one live event for this booking.
      const live = standIn.events("primary").filter((e) => e.status === "confirmed" && e.description?.includes(`n° ${data.bookingId}`));
      expect(live).toHaveLength(1);
    } finally {
      standIn.setConferenceMode("success");
    }
  });

  test("rescheduling when Google cannot make a new Meet conference: the moved event carries the new Jitsi link", async () => {
    const booked = await book(mentor.profileId, at(4, 12));
    expect(booked.data.meetingProvider).toBe("google_meet");
    const eventId: string = booked.data.calendarEventId;
    standIn.setConferenceMode("failure");
    try {
      const res = await app.request(`/api/v2/bookings/${booked.data.bookingId}/reschedule`, {
        method: "PATCH",
        token: admin,
        json: { dateTime: at(4, 13) },
      });
      const moved = await json(res);
      expect(res.status, JSON.stringify(moved)).toBe(200);
      expect(moved.data.meetingProvider).toBe("jitsi");
      expect(moved.data.meetingUrl).toMatch(JITSI);
      expect(moved.data.meetingUrl).not.toBe(booked.data.meetingUrl);
      expect(moved.data.calendarEventId).toBe(eventId);
      const event = eventOf(eventId);
      expect(event.status).toBe("confirmed");
      expect(Date.parse(event.start!.dateTime!)).toBe(Date.parse(at(4, 13)));
      expect(event.description).toContain(moved.data.meetingUrl);
      expect(event.description).not.toContain(booked.data.meetingUrl);
      expect(event.hangoutLink).toBeUndefined();
    } finally {
      standIn.setConferenceMode("success");
    }
  });

  test("a conference Google reports as pending: the link is awaited and ends up in the booking and the event", async () => {
    standIn.setConferenceMode("pending");
    try {
      const { res, data } = await book(mentor.profileId, at(4, 10));
      expect(res.status).toBe(201);
      expect(data.meetingProvider).toBe("google_meet");
      expect(data.meetingUrl).toMatch(MEET);
      expect(eventOf(data.calendarEventId).description).toContain(data.meetingUrl);
    } finally {
      standIn.setConferenceMode("success");
    }
  });
});

describe("disconnect", () => {
  test("DELETE removes the connection; Google busy times stop blocking slots and bookings fall back to Jitsi", async () => {
    const from = dayStart(5);
    const to = dayStart(6);
    standIn.setBusy("primary", [{ start: at(5, 7), end: at(5, 11) }]);
    passFreshnessWindow();
    const blocked = await slotsOf(mentor.profileId, from, to);
    expect(blocked).toHaveLength(32 - 16);
    expect(blocked.every((s) => s >= Date.parse(at(5, 11)))).toBe(true);

    const res = await app.request(`/api/v2/students/${mentor.profileId}/google`, { method: "DELETE", token: mentor.token });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data).toMatchObject({ connected: false, lastSyncAt: null });
    expect(await connectionRow(mentor.profileId)).toBeUndefined();
    expect(await app.database.db.select().from(calendarBusy).where(eq(calendarBusy.studentProfileId, mentor.profileId))).toHaveLength(0);
    expect((await status(mentor.profileId, mentor.token)).body.data.connected).toBe(false);

    // At once, and also after the freshness window (nothing is read from Google any more).
    const calls = standIn.calendarRequests().length;
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32);
    passFreshnessWindow();
    expect(await slotsOf(mentor.profileId, from, to)).toHaveLength(32);

    const booked = await book(mentor.profileId, at(5, 8));
    expect(booked.res.status).toBe(201);
    expect(booked.data.meetingProvider).toBe("jitsi");
    expect(booked.data.meetingUrl).toMatch(JITSI);
    expect(booked.data.calendarEventId).toBeNull();
    expect(standIn.calendarRequests().length).toBe(calls);

    // Disconnecting twice is harmless.
    const again = await app.request(`/api/v2/students/${mentor.profileId}/google`, { method: "DELETE", token: admin });
    expect(again.status).toBe(200);
    expect((await json(again)).data.connected).toBe(false);
  });
});
