/**
 * SCHEDULING_BACKEND=calcom end to end: our real HTTP server talks to the loopback Cal.com API v2 stand-in (no
 * mocks). A mentor mapped to a Cal.com event type gets Cal.com's slots and books, cancels and moves sessions through
 * Cal.com; Cal.com's signed webhooks keep our copy in step; a mentor without a mapping stays on the native engine.
 * Every request our server sends (and every answer the stand-in gives) is checked against Cal.com's OpenAPI document.
 *
 * Time: the app runs on a fixedClock at Monday 2026-06-01 06:00 UTC and the stand-in reads the same clock, so the
 * slots Cal.com offers are known: every day 08:00-18:00 UTC, 15-minute slots.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { bookings, studentProfiles } from "../../../db/schema/index.ts";
import { createCalcomClient, type CalcomClient } from "../../integrations/calcom/client.ts";
import { loadSharedCalcomContract } from "../../test-support/calcom/contract.ts";
import { type CalcomStandIn, type StandInEventType, startCalcomStandIn, type WebhookTarget } from "../../test-support/calcom/stand-in.ts";
import { signCalcomPayload } from "../../integrations/calcom/webhook.ts";
import { fixedClock } from "../../lib/clock.ts";
import { call, createMentor, DAY, expectErrorCode as expectError, HOUR, type Json, LONG_TTL, listSlots, type Mentor, MIN, run, SLOT, useTestApp } from "../../test-support/mentors.ts";

const T0 = new Date("2026-06-01T06:00:00.000Z"); // a Monday
const API_KEY = "cal_test_thotis_e2e_0123456789abcdef";
const WEBHOOK_SECRET = "whsec_thotis_calcom_e2e_0123456789";

const EVENT_TYPE: StandInEventType = {
  id: 9100,
  slug: "thotis-mentoring-15",
  title: "Thotis mentoring",
  lengthInMinutes: 15,
  // Every day 08:00-18:00 UTC.
  availability: Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [d, [["08:00", "18:00"]]])) as StandInEventType["availability"],
  host: { id: 31, name: "Camille Mentor", email: "camille.mentor@example.org", username: "camille", timeZone: "Europe/Paris" },
};

/** Day `d` after T0's day at hh:mm UTC. */
const at = (d: number, hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return new Date(Date.UTC(2026, 5, 1 + d, h!, m!)).toISOString();
};

const clock = fixedClock(T0);
const contract = await loadSharedCalcomContract("server/modules/integrations/calcom.test.ts");
let standIn: CalcomStandIn;
let target: WebhookTarget;
/** Our own Cal.com client, acting as someone else using Cal.com directly (its requests are contract-checked too). */
let direct: CalcomClient;
let mentor: Mentor;

beforeAll(async () => {
  // Without the shared spec the stand-in checks nothing and only the final contract test skips (said so at load).
  standIn = await startCalcomStandIn({ apiKey: API_KEY, eventTypes: [EVENT_TYPE], contract, now: () => clock.now() });
}, 120_000);

const ctx = useTestApp({
  clock,
  ttlSeconds: LONG_TTL,
  env: () => ({
    SCHEDULING_BACKEND: "calcom",
    CALCOM_API_URL: standIn.url,
    CALCOM_API_KEY: API_KEY,
    CALCOM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    RUN_WORKER: "false",
  }),
});

beforeAll(async () => {
  target = { url: `${ctx.app.baseUrl}/webhooks/calcom`, secret: WEBHOOK_SECRET };
  direct = createCalcomClient({ baseUrl: standIn.url, apiKey: API_KEY });
  // The Cal.com mentor every test below books with (the first test checks the mapping route itself).
  mentor = await newMentor();
  expect((await mapTo(mentor.profileId, EVENT_TYPE.id)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await standIn?.stop();
});

/** A mentor made through the API: user and complete profile, no schedule. */
const newMentor = () => createMentor(ctx, { emailPrefix: "calcom.mentor" });

const mapTo = (profileId: string, eventTypeId: number | null, token = ctx.admin) =>
  call(ctx, `/api/v2/students/${profileId}/calcom`, { method: "PUT", token, json: { eventTypeId } });

const question = "Comment se passe la première année de droit ?";
const bookBody = (profileId: string, dateTime: string) => ({
  studentProfileId: profileId,
  dateTime,
  prospectiveStudent: { name: "Lucas Martin", email: "lucas.martin@lycee.fr", question, timeZone: "Europe/Paris", locale: "fr" },
});

async function book(profileId: string, dateTime: string, key?: string) {
  return call(ctx, "/api/v2/bookings", {
    method: "POST",
    token: ctx.admin,
    json: bookBody(profileId, dateTime),
    headers: key ? { "idempotency-key": key } : undefined,
  });
}

async function row(bookingId: number) {
  const [r] = await ctx.app.database.db.select().from(bookings).where(eq(bookings.id, bookingId));
  return r!;
}

async function counters(profileId: string) {
  const [p] = await ctx.app.database.db
    .select({
      total: studentProfiles.totalSessions,
      cancelled: studentProfiles.cancelledSessions,
      eventTypeId: studentProfiles.calcomEventTypeId,
      free30d: studentProfiles.freeSlots30d,
    })
    .from(studentProfiles)
    .where(eq(studentProfiles.id, profileId));
  return p!;
}

const bookingCount = async () => (await ctx.app.database.db.select({ id: bookings.id }).from(bookings)).length;

/** POSTs a raw body to our webhook receiver, signed with `secret` (or with the given header, or none). */
function postWebhook(body: string, signature: string | null | undefined = signCalcomPayload(body, WEBHOOK_SECRET)) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null && signature !== undefined) headers["x-cal-signature-256"] = signature;
  return call(ctx, "/webhooks/calcom", { method: "POST", headers, body });
}

describe("Cal.com backend through our HTTP API", () => {
  test("PUT /students/:id/calcom maps a mentor: admin only, unknown profile 404, null unmaps", async () => {
    const m = await newMentor();

    expectError(await mapTo(m.profileId, EVENT_TYPE.id, m.token), 403);
    expectError(await mapTo(m.profileId, EVENT_TYPE.id, ctx.widget), 403);
    expectError(await mapTo(m.profileId, EVENT_TYPE.id, await ctx.app.token("integrator")), 403);
    expectError(await call(ctx, `/api/v2/students/${m.profileId}/calcom`, { method: "PUT", json: { eventTypeId: EVENT_TYPE.id } }), 401);
    expectError(await mapTo("c000000000000000000000000", EVENT_TYPE.id), 404, "PROFILE_NOT_FOUND");
    expect((await mapTo(m.profileId, 0)).status).toBe(400);
    expect((await counters(m.profileId)).eventTypeId).toBeNull();

    const mapped = await mapTo(m.profileId, EVENT_TYPE.id);
    expect(mapped.status).toBe(200);
    expect(mapped.body.data).toEqual({ studentProfileId: m.profileId, eventTypeId: EVENT_TYPE.id });
    expect(await counters(m.profileId)).toMatchObject({ eventTypeId: EVENT_TYPE.id, free30d: 30 * 40 }); // summary from Cal.com
    expect((await listSlots(ctx, m.profileId, { start: at(3, "09:00"), end: at(3, "09:30") })).length).toBe(2);

    // null hands the mentor back to the native engine.
    const unmapped = await mapTo(m.profileId, null);
    expect(unmapped.status).toBe(200);
    expect(unmapped.body.data).toEqual({ studentProfileId: m.profileId, eventTypeId: null });
    expect(await counters(m.profileId)).toMatchObject({ eventTypeId: null, free30d: 0 });
    const before = standIn.requests.length;
    expect(await listSlots(ctx, m.profileId, { start: at(3, "09:00"), end: at(3, "09:30") })).toEqual([]); // no schedule; Cal.com is not asked
    expect(standIn.requests.length).toBe(before);
  }, 120_000);

  test("availability comes from Cal.com, never less than 2 h nor more than 30 days ahead", async () => {
    const before = standIn.requests.length;
    const slots = await listSlots(ctx, mentor.profileId);
    const asked = standIn.requests.slice(before).filter((r) => r.path === "/v2/slots");
    expect(asked.length).toBeGreaterThan(0);
    expect(asked[0]!.query.eventTypeId).toBe(String(EVENT_TYPE.id));
    expect(asked[0]!.headers["cal-api-version"]).toBe("2024-09-04");
    expect(asked[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);

    // What Cal.com offers (every day 08:00-18:00 UTC) clipped to [now + 2 h, now + 30 days).
    const expected: string[] = [];
    for (let d = 0; d <= 30; d++) {
      for (let s = Date.parse(at(d, "08:00")); s < Date.parse(at(d, "18:00")); s += SLOT) {
        if (s >= T0.getTime() + 2 * HOUR && s < T0.getTime() + 30 * DAY) expected.push(new Date(s).toISOString());
      }
    }
    expect(expected.length).toBe(30 * 40);
    expect(slots).toEqual(expected);
    expect(slots[0]).toBe(at(0, "08:00")); // exactly now + 2 h

    // A window reaching before now + 2 h and past the horizon is clipped the same way.
    const wide = await listSlots(ctx, mentor.profileId, { start: at(-1, "00:00"), end: at(40, "00:00") });
    expect(wide).toEqual(expected);
    // A narrow window: just what Cal.com offers in it.
    expect(await listSlots(ctx, mentor.profileId, { start: at(3, "09:00"), end: at(3, "10:00") })).toEqual([
      at(3, "09:00"),
      at(3, "09:15"),
      at(3, "09:30"),
      at(3, "09:45"),
    ]);
    // Later in the day: the 2-hour notice moves with the clock.
    clock.set(at(0, "07:10"));
    try {
      expect((await listSlots(ctx, mentor.profileId, { end: at(0, "10:00") }))[0]).toBe(at(0, "09:15"));
    } finally {
      clock.set(T0);
    }
  }, 120_000);

  test("POST /bookings books through Cal.com: Cal.com's uid and link stored, question and attendee sent", async () => {
    const start = at(1, "10:00");
    const { total } = await counters(mentor.profileId);
    const r = await book(mentor.profileId, start, `calcom-e2e-${run}-1`);
    expect(r.status).toBe(201);
    const data = r.body.data;
    expect(data.meetingProvider).toBe("calcom");
    expect(data.booking).toMatchObject({ startTime: start, endTime: new Date(Date.parse(start) + SLOT).toISOString(), status: "ACCEPTED" });

    const stored = await row(data.bookingId);
    expect(stored.externalUid).toMatch(/^[A-Za-z0-9]{22}$/);
    const onCal = standIn.bookings.get(stored.externalUid!)!;
    expect(onCal).toBeDefined();
    expect(onCal.status).toBe("accepted");
    expect(onCal.start.toISOString()).toBe(start);
    expect(onCal.end.toISOString()).toBe(new Date(Date.parse(start) + SLOT).toISOString());
    expect(onCal.eventTypeId).toBe(EVENT_TYPE.id);
    expect(onCal.attendee).toEqual({ name: "Lucas Martin", email: "lucas.martin@lycee.fr", timeZone: "Europe/Paris", language: "fr" });
    expect(onCal.bookingFieldsResponses.notes).toBe(question);
    expect(onCal.metadata).toEqual({ thotisBookingId: `key:calcom-e2e-${run}-1` });
    // The stand-in resolved Google Meet: that link is the session's.
    expect(onCal.location).toMatch(/^https:\/\/meet\.google\.com\//);
    expect(data.meetingUrl).toBe(onCal.location);
    expect(stored.meetingUrl).toBe(onCal.location);
    expect(stored.meetingProvider).toBe("calcom");
    expect(stored.question).toBe(question);

    expect((await counters(mentor.profileId)).total).toBe(total + 1);
    const profile = await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: ctx.widget });
    expect(profile.body.data.totalSessions).toBe(total + 1);

    // The slot is gone from the mentor's availability.
    const slots = await listSlots(ctx, mentor.profileId, { start: at(1, "09:30"), end: at(1, "10:30") });
    expect(slots).toEqual([at(1, "09:30"), at(1, "09:45"), at(1, "10:15")]);

    // GET shows the stored booking.
    const got = await call(ctx, `/api/v2/bookings/${data.bookingId}`, { token: ctx.admin });
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({ status: "ACCEPTED", meetingProvider: "calcom", meetingUrl: onCal.location, startTime: start });
  }, 120_000);

  test("a slot already taken on Cal.com answers 409 BOOKING_CONFLICT and stores nothing", async () => {
    const start = at(2, "11:00");
    // Someone books it on Cal.com directly.
    const theirs = await direct.createBooking({
      eventTypeId: EVENT_TYPE.id,
      start: new Date(start),
      attendee: { name: "Someone Else", email: "someone@example.org", timeZone: "UTC" },
      thotisBookingId: "outside",
    });
    const rows = await bookingCount();
    const calBookings = standIn.bookings.size;
    const { total } = await counters(mentor.profileId);

    const key = `calcom-e2e-${run}-conflict`;
    const r = await book(mentor.profileId, start, key);
    expectError(r, 409, "BOOKING_CONFLICT");
    expect(await bookingCount()).toBe(rows);
    expect(standIn.bookings.size).toBe(calBookings);
    expect((await counters(mentor.profileId)).total).toBe(total);
    expect(standIn.bookings.get(theirs.uid)!.status).toBe("accepted");
    // Availability no longer offers it either (Cal.com does not).
    expect(await listSlots(ctx, mentor.profileId, { start: at(2, "11:00"), end: at(2, "11:15") })).toEqual([]);
    // The Idempotency-Key was not spent on the failure: the same key works for another slot.
    const again = await book(mentor.profileId, at(2, "11:15"), key);
    expect(again.status).toBe(201);
  }, 120_000);

  test("DELETE /bookings/:id cancels on Cal.com too", async () => {
    const start = at(3, "14:00");
    const created = await book(mentor.profileId, start);
    expect(created.status).toBe(201);
    const id: number = created.body.data.bookingId;
    const uid = (await row(id)).externalUid!;
    const { cancelled } = await counters(mentor.profileId);

    const r = await call(ctx, `/api/v2/bookings/${id}`, { method: "DELETE", token: ctx.admin, json: { reason: "Empêchement", cancelledBy: "student" } });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ status: "CANCELLED", cancellationReason: "Empêchement", cancelledBy: "student" });
    const onCal = standIn.bookings.get(uid)!;
    expect(onCal.status).toBe("cancelled");
    expect(onCal.cancellationReason).toBe("Empêchement");
    expect((await counters(mentor.profileId)).cancelled).toBe(cancelled + 1);
    expect(await listSlots(ctx, mentor.profileId, { start, end: new Date(Date.parse(start) + SLOT).toISOString() })).toEqual([start]);

    // Cancelling twice is harmless, here and on Cal.com.
    const twice = await call(ctx, `/api/v2/bookings/${id}`, { method: "DELETE", token: ctx.admin, json: { reason: "Encore", cancelledBy: "student" } });
    expect(twice.status).toBe(200);
    expect(twice.body.data.status).toBe("CANCELLED");
    expect((await counters(mentor.profileId)).cancelled).toBe(cancelled + 1);
  }, 120_000);

  test("PATCH /bookings/:id/reschedule moves it on Cal.com: new uid stored, new link", async () => {
    const from = at(4, "09:00");
    const to = at(4, "15:30");
    const created = await book(mentor.profileId, from);
    expect(created.status).toBe(201);
    const id: number = created.body.data.bookingId;
    const oldUid = (await row(id)).externalUid!;
    const oldLink: string = created.body.data.meetingUrl;
    const { total, cancelled } = await counters(mentor.profileId);

    // Availability for the move offers the booking's own slot.
    const offered = await listSlots(ctx, mentor.profileId, { start: from, end: at(4, "09:15"), rescheduleBookingId: String(id) });
    expect(offered).toEqual([from]);

    const r = await call(ctx, `/api/v2/bookings/${id}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: to } });
    expect(r.status).toBe(200);
    expect(r.body.data.booking).toMatchObject({ startTime: to, status: "ACCEPTED" });
    expect(r.body.data.meetingProvider).toBe("calcom");
    expect(r.body.data.meetingUrl).not.toBe(oldLink);

    const stored = await row(id);
    expect(stored.externalUid).not.toBe(oldUid);
    expect(stored.startTime.toISOString()).toBe(to);
    const fresh = standIn.bookings.get(stored.externalUid!)!;
    expect(fresh.status).toBe("accepted");
    expect(fresh.start.toISOString()).toBe(to);
    expect(fresh.rescheduledFromUid).toBe(oldUid);
    expect(r.body.data.meetingUrl).toBe(fresh.location);
    const old = standIn.bookings.get(oldUid)!;
    expect(old.status).toBe("cancelled");
    expect(old.rescheduledToUid).toBe(stored.externalUid!);
    // A move is not a cancellation nor a new session.
    expect(await counters(mentor.profileId)).toMatchObject({ total, cancelled });
    expect(await listSlots(ctx, mentor.profileId, { start: from, end: at(4, "09:15") })).toEqual([from]);
    expect(await listSlots(ctx, mentor.profileId, { start: to, end: at(4, "15:45") })).toEqual([]);

    // A time Cal.com has taken: 409, our copy stays.
    await direct.createBooking({
      eventTypeId: EVENT_TYPE.id,
      start: new Date(at(4, "16:00")),
      attendee: { name: "Someone Else", email: "someone@example.org", timeZone: "UTC" },
      thotisBookingId: "outside-2",
    });
    const blocked = await call(ctx, `/api/v2/bookings/${id}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: at(4, "16:00") } });
    expectError(blocked, 409, "BOOKING_CONFLICT");
    expect((await row(id)).startTime.toISOString()).toBe(to);
    expect((await row(id)).externalUid).toBe(stored.externalUid);
  }, 120_000);

  describe("webhooks", () => {
    test("BOOKING_CANCELLED for a booking cancelled on Cal.com cancels our copy, once", async () => {
      const created = await book(mentor.profileId, at(5, "10:00"));
      expect(created.status).toBe(201);
      const id: number = created.body.data.bookingId;
      const uid = (await row(id)).externalUid!;
      const { total, cancelled } = await counters(mentor.profileId);

      await direct.cancelBooking(uid, "Le mentor est malade");
      expect((await row(id)).status).toBe("ACCEPTED"); // nothing told us yet

      const delivery = await standIn.sendWebhook("BOOKING_CANCELLED", uid, target);
      expect(delivery.status).toBe(200);
      const after = await row(id);
      expect(after.status).toBe("CANCELLED");
      expect(after.cancelledBy).toBe("external");
      expect(after.cancellationReason).toBe("Le mentor est malade");
      expect(await counters(mentor.profileId)).toMatchObject({ total, cancelled: cancelled + 1 });
      const view = await call(ctx, `/api/v2/bookings/${id}`, { token: ctx.admin });
      expect(view.body.data.status).toBe("CANCELLED");
      expect(view.body.data.history.at(-1)).toMatchObject({ action: "cancelled", actor: "calcom:webhook" });

      // Delivered again (Cal.com retries): nothing more changes.
      const replay = await postWebhook(delivery.body, delivery.signature);
      expect(replay.status).toBe(200);
      expect(replay.body.data).toEqual({ outcome: "unchanged" });
      expect((await standIn.sendWebhook("BOOKING_CANCELLED", uid, target)).status).toBe(200);
      expect(await counters(mentor.profileId)).toMatchObject({ total, cancelled: cancelled + 1 });
      expect((await row(id)).updatedAt.getTime()).toBe(after.updatedAt.getTime());
      // The slot is free again.
      expect(await listSlots(ctx, mentor.profileId, { start: at(5, "10:00"), end: at(5, "10:15") })).toEqual([at(5, "10:00")]);
    }, 120_000);

    test("BOOKING_RESCHEDULED moves our copy to the new time and uid", async () => {
      const created = await book(mentor.profileId, at(6, "10:00"));
      expect(created.status).toBe(201);
      const id: number = created.body.data.bookingId;
      const oldUid = (await row(id)).externalUid!;
      const { total, cancelled } = await counters(mentor.profileId);

      const moved = await direct.rescheduleBooking(oldUid, new Date(at(6, "13:45")), "Conflit d'agenda");
      const delivery = await standIn.sendWebhook("BOOKING_RESCHEDULED", moved.uid, target);
      expect(delivery.status).toBe(200);

      const after = await row(id);
      expect(after.status).toBe("ACCEPTED");
      expect(after.startTime.toISOString()).toBe(at(6, "13:45"));
      expect(after.endTime.toISOString()).toBe(at(6, "14:00"));
      expect(after.externalUid).toBe(moved.uid);
      expect(after.meetingUrl).toBe(moved.meetingUrl!);
      expect(await counters(mentor.profileId)).toMatchObject({ total, cancelled });
      const view = await call(ctx, `/api/v2/bookings/${id}`, { token: ctx.admin });
      expect(view.body.data.history.at(-1)).toMatchObject({ action: "rescheduled", oldStartTime: at(6, "10:00"), newStartTime: at(6, "13:45"), actor: "calcom:webhook" });

      // Delivered again: already applied.
      const replay = await postWebhook(delivery.body, delivery.signature);
      expect(replay.status).toBe(200);
      expect(replay.body.data).toEqual({ outcome: "unchanged" });
      expect((await row(id)).updatedAt.getTime()).toBe(after.updatedAt.getTime());
      // Our slots follow: the old time is free, the new one taken.
      expect(await listSlots(ctx, mentor.profileId, { start: at(6, "10:00"), end: at(6, "10:15") })).toEqual([at(6, "10:00")]);
      expect(await listSlots(ctx, mentor.profileId, { start: at(6, "13:45"), end: at(6, "14:00") })).toEqual([]);

      // And our API keeps working on the moved booking: cancelling reaches the new uid on Cal.com.
      const del = await call(ctx, `/api/v2/bookings/${id}`, { method: "DELETE", token: ctx.admin, json: { reason: "Plus besoin", cancelledBy: "student" } });
      expect(del.status).toBe(200);
      expect(standIn.bookings.get(moved.uid)!.status).toBe("cancelled");
    }, 120_000);

    test("BOOKING_CREATED about our own booking is harmless; an unknown uid is 'unknown'", async () => {
      const created = await book(mentor.profileId, at(7, "10:00"));
      const id: number = created.body.data.bookingId;
      const uid = (await row(id)).externalUid!;
      const before = await row(id);
      const delivery = await standIn.sendWebhook("BOOKING_CREATED", uid, target);
      expect(delivery.status).toBe(200);
      const echo = await postWebhook(delivery.body, delivery.signature);
      expect(echo.body.data).toEqual({ outcome: "unchanged" });
      expect(await row(id)).toEqual(before);

      // A booking we never made (someone used Cal.com's own page): not ours, nothing changes.
      const theirs = await direct.createBooking({
        eventTypeId: EVENT_TYPE.id,
        start: new Date(at(7, "12:00")),
        attendee: { name: "Someone Else", email: "someone@example.org", timeZone: "UTC" },
        thotisBookingId: "outside-3",
      });
      const rows = await bookingCount();
      for (const trigger of ["BOOKING_CREATED", "BOOKING_CANCELLED"] as const) {
        const d = await standIn.sendWebhook(trigger, theirs.uid, target);
        expect(d.status).toBe(200);
        const r = await postWebhook(d.body, d.signature);
        expect(r.body.data).toEqual({ outcome: "unknown" });
      }
      const body = JSON.stringify({
        triggerEvent: "BOOKING_CANCELLED",
        createdAt: clock.now().toISOString(),
        payload: { uid: "NoSuchUidAnywhere0000000", bookingId: 1, startTime: at(8, "10:00"), endTime: at(8, "10:15"), status: "CANCELLED" },
      });
      const unknown = await postWebhook(body);
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({ status: "success", data: { outcome: "unknown" } });
      expect(await bookingCount()).toBe(rows);
      // PING (Cal.com's "test" button) concerns no booking.
      const ping = await postWebhook(JSON.stringify({ triggerEvent: "PING", createdAt: clock.now().toISOString(), payload: {} }));
      expect(ping.status).toBe(200);
      expect(ping.body.data).toEqual({ outcome: "unknown" });
    }, 120_000);

    test("a wrong or missing signature is 401 and changes nothing; malformed JSON with a valid signature is 400", async () => {
      const created = await book(mentor.profileId, at(9, "10:00"));
      const id: number = created.body.data.bookingId;
      const uid = (await row(id)).externalUid!;
      await direct.cancelBooking(uid, "Annulé sur Cal.com");
      const before = await row(id);
      const counts = await counters(mentor.profileId);
      const wrongTarget = { url: target.url, secret: "not-the-secret-at-all" };

      // Signed with another secret, by the stand-in.
      const forged = await standIn.sendWebhook("BOOKING_CANCELLED", uid, wrongTarget);
      expect(forged.status).toBe(401);
      const body = forged.body;
      const rejected = [
        await postWebhook(body, null), // no header
        await postWebhook(body, ""),
        await postWebhook(body, "0".repeat(64)),
        await postWebhook(body, signCalcomPayload(body, "not-the-secret-at-all")),
        await postWebhook(`${body} `, signCalcomPayload(body, WEBHOOK_SECRET)), // signature of another body
        await postWebhook(body, "no-secret-provided"),
      ];
      for (const r of rejected) {
        expect(r.status).toBe(401);
        expect(r.body.status).toBe("error");
      }
      expect(await row(id)).toEqual(before);
      expect(await counters(mentor.profileId)).toEqual(counts);

      // Malformed JSON, validly signed.
      for (const bad of ["{not json", "", "[]", JSON.stringify({ triggerEvent: "BOOKING_CANCELLED" }), JSON.stringify({ triggerEvent: "BOOKING_CANCELLED", payload: { uid } })]) {
        const r = await postWebhook(bad);
        expectError(r, 400, "INVALID_INPUT");
      }
      expect(await row(id)).toEqual(before);

      // The genuine delivery still works ("sha256=" prefixed signatures too).
      const genuine = await standIn.sendWebhook("BOOKING_CANCELLED", uid, { url: `${target.url}`, secret: WEBHOOK_SECRET });
      expect(genuine.status).toBe(200);
      expect((await row(id)).status).toBe("CANCELLED");
      const prefixed = await postWebhook(genuine.body, `sha256=${genuine.signature}`);
      expect(prefixed.status).toBe(200);
      expect(prefixed.body.data).toEqual({ outcome: "unchanged" });
    }, 120_000);

    test("Cal.com's echoes of our own changes (delivered as they happen) change nothing more", async () => {
      standIn.setWebhook(target);
      try {
        const { total, cancelled } = await counters(mentor.profileId);
        const deliveries = standIn.webhookDeliveries.length;
        const a = await book(mentor.profileId, at(10, "10:00"));
        const b = await book(mentor.profileId, at(10, "11:00"));
        expect([a.status, b.status]).toEqual([201, 201]);
        const idA: number = a.body.data.bookingId;
        const idB: number = b.body.data.bookingId;
        const moved = await call(ctx, `/api/v2/bookings/${idA}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: at(10, "12:00") } });
        expect(moved.status).toBe(200);
        const del = await call(ctx, `/api/v2/bookings/${idB}`, { method: "DELETE", token: ctx.admin, json: { reason: "Empêchement", cancelledBy: "student" } });
        expect(del.status).toBe(200);
        expect(del.body.data).toMatchObject({ status: "CANCELLED", cancelledBy: "student", cancellationReason: "Empêchement" });
        await standIn.settle();

        const sent = standIn.webhookDeliveries.slice(deliveries);
        expect(sent.map((d) => d.triggerEvent).sort()).toEqual(["BOOKING_CANCELLED", "BOOKING_CREATED", "BOOKING_CREATED", "BOOKING_RESCHEDULED"]);
        for (const d of sent) expect(d.status).toBe(200);

        const rowA = await row(idA);
        expect(rowA.status).toBe("ACCEPTED");
        expect(rowA.startTime.toISOString()).toBe(at(10, "12:00"));
        expect(standIn.bookings.get(rowA.externalUid!)!.start.toISOString()).toBe(at(10, "12:00"));
        expect(rowA.meetingUrl).toBe(standIn.bookings.get(rowA.externalUid!)!.location);
        const rowB = await row(idB);
        expect(rowB.status).toBe("CANCELLED");
        expect(rowB.cancelledBy).toBe("student");
        expect(await counters(mentor.profileId)).toMatchObject({ total: total + 2, cancelled: cancelled + 1 });
        // Our own changes stay ours: one history entry each, by the admin who made them, not by the webhook.
        const historyA = (await call(ctx, `/api/v2/bookings/${idA}`, { token: ctx.admin })).body.data.history;
        expect(historyA.map((h: Json) => [h.action, h.actor])).toEqual([
          ["created", "admin:test-admin"],
          ["rescheduled", "admin:test-admin"],
        ]);
        const historyB = (await call(ctx, `/api/v2/bookings/${idB}`, { token: ctx.admin })).body.data.history;
        expect(historyB.map((h: Json) => [h.action, h.actor])).toEqual([
          ["created", "admin:test-admin"],
          ["cancelled", "admin:test-admin"],
        ]);
        expect(moved.body.data.meetingUrl).toBe(rowA.meetingUrl);
      } finally {
        await standIn.settle();
        standIn.setWebhook(null);
      }
    }, 120_000);
  });

  test("a mentor without an event type mapping stays on the native engine", async () => {
    const native = await newMentor();
    // Mondays and Tuesdays 10:00-11:00 Paris time (08:00-09:00 UTC in June).
    const schedule = await call(ctx, `/api/v2/students/${native.profileId}/schedule`, {
      method: "PUT",
      token: ctx.admin,
      json: { timeZone: "Europe/Paris", weekly: [1, 2].map((weekday) => ({ weekday, ranges: [{ start: "10:00", end: "11:00" }] })) },
    });
    expect(schedule.status).toBe(200);
    const requests = standIn.requests.length;
    const calBookings = standIn.bookings.size;

    const slots = await listSlots(ctx, native.profileId, { end: at(7, "23:59") });
    // Monday 1 June 08:00 UTC is exactly now + 2 h; then Tuesday 2, Monday 8 June.
    const expected = [0, 1, 7].flatMap((d) => ["08:00", "08:15", "08:30", "08:45"].map((t) => at(d, t)));
    expect(slots).toEqual(expected);

    const r = await book(native.profileId, at(1, "08:30"));
    expect(r.status).toBe(201);
    expect(r.body.data.meetingProvider).toBe("jitsi");
    expect(r.body.data.meetingUrl).toMatch(/^https:\/\/meet\.jit\.si\//);
    expect((await row(r.body.data.bookingId)).externalUid).toBeNull();
    // A slot the engine does not offer is refused by the engine, not Cal.com.
    expectError(await book(native.profileId, at(1, "12:00")), 400, "SLOT_NOT_AVAILABLE");
    expectError(await book(native.profileId, at(1, "08:30")), 409, "BOOKING_CONFLICT");
    const moved = await call(ctx, `/api/v2/bookings/${r.body.data.bookingId}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: at(1, "08:45") } });
    expect(moved.status).toBe(200);
    expect(moved.body.data.meetingProvider).toBe("jitsi");
    const del = await call(ctx, `/api/v2/bookings/${r.body.data.bookingId}`, { method: "DELETE", token: ctx.admin, json: { reason: "Oups", cancelledBy: "mentor" } });
    expect(del.status).toBe(200);

    // Cal.com was never involved.
    expect(standIn.requests.length).toBe(requests);
    expect(standIn.bookings.size).toBe(calBookings);
    expect((await counters(native.profileId)).total).toBe(1);
  }, 120_000);

  test.skipIf(contract === null)("contract: every request our server sent to Cal.com (and every answer) conforms to Cal.com's OpenAPI document", () => {
    const paths = new Set(standIn.requests.map((r) => `${r.method} ${r.path.replace(/\/v2\/bookings\/[^/]+/, "/v2/bookings/{uid}")}`));
    for (const op of ["GET /v2/slots", "POST /v2/bookings", "POST /v2/bookings/{uid}/cancel", "POST /v2/bookings/{uid}/reschedule"]) {
      expect(paths.has(op)).toBe(true);
    }
    expect(standIn.violations).toEqual([]);
  });
});
