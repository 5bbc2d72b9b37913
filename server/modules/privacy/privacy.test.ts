/**
 * Privacy through the real HTTP API on a fixed clock: the export finds an address seeded into every table that can
 * hold one; the erasure leaves it nowhere in the database (a scan of every text and JSON column) while statistics
 * stay; the audit log records each action and refuses to be rewritten; retention runs on a fixed clock; the
 * self-service path works from the manage link; a deactivated mentor is erased with their statistics kept.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { bookings, emailOutbox, webhookDeliveries } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { useTestApp } from "../../test-support/mentors.ts";
import { book, bookBody, call, createMentor, type Ctx, DAY, HOUR, type Json, LONG_TTL, type Mentor, run, T0 } from "../bookings/fixtures.ts";
import { startTestReceiver, type TestReceiver } from "../../test-support/webhooks/test-receiver.ts";
import { rows } from "../stats/sql.ts";
import { scanDatabase, scannedColumnCount } from "./fixtures.ts";

let receiver: TestReceiver;
beforeAll(() => {
  receiver = startTestReceiver();
});
afterAll(async () => {
  await receiver.stop();
});

const person = (tag: string) => ({ name: `Zoé Privat-${tag}${run}`, email: `zoe.${tag}.${run}@lycee.fr` });
const drain = (ctx: Ctx) => ctx.app.jobs.createWorker().drain();
const exportOf = (ctx: Ctx, email: string) => call(ctx, `/api/v2/admin/privacy/subjects?email=${encodeURIComponent(email)}`, { token: ctx.admin });
const erase = (ctx: Ctx, email: string, reason = "Demande RGPD article 17") =>
  call(ctx, `/api/v2/admin/privacy/subjects?email=${encodeURIComponent(email)}`, { method: "DELETE", token: ctx.admin, json: { reason } });

async function bookAs(ctx: Ctx, mentor: Mentor, who: { name: string; email: string }, dateTime: string, extra: Record<string, unknown> = {}, key?: string) {
  const r = await book(ctx, bookBody(mentor.profileId, dateTime, { prospectiveStudent: { ...who, question: `Question de ${who.name} sur le droit` }, ...extra }), key ? { key } : {});
  expect(r.status).toBe(201);
  return r.body.data.bookingId as number;
}

async function totals(ctx: Ctx) {
  const [t] = await rows<{ total: number; completed: number; ratings: number; avg: string | null }>(
    ctx.app.database.db,
    sql`select sum(total_sessions)::int as total, sum(completed_sessions)::int as completed, sum(total_ratings)::int as ratings, max(average_rating)::text as avg from student_profiles`,
  );
  const [b] = await rows<{ n: number }>(ctx.app.database.db, sql`select count(*)::int as n from bookings`);
  const platform = await call(ctx, "/api/v2/platform/stats", { token: ctx.admin });
  expect(platform.status).toBe(200);
  return { ...t, bookings: b?.n, platformTotal: platform.body.data.totalSessions as number };
}

describe("export and erasure of a prospective student", () => {
  const ctx: Ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true" }) });
  let mentor: Mentor;
  const zoe = person("a");
  const bystander = person("b");
  let past: number;
  let future: number;
  let other: number;

  beforeAll(async () => {
    mentor = await createMentor(ctx);
    const hook = await call(ctx, "/api/v2/webhooks", {
      method: "POST",
      token: ctx.admin,
      json: { url: `${receiver.url}/hook`, events: ["booking.created", "booking.cancelled", "booking.completed"] },
    });
    expect(hook.status).toBe(201);
    // Every table that can hold the address: bookings + history (with a visitor id), idempotency replay record,
    // analytics events (booking and widget visitor), e-mails, webhook deliveries, a rating, a queued job payload.
    past = await bookAs(ctx, mentor, zoe, "2026-06-01T10:00:00.000Z", { visitorId: `visitor-${run}` }, `key-${run}`);
    future = await bookAs(ctx, mentor, zoe, "2026-06-03T10:00:00.000Z");
    other = await bookAs(ctx, mentor, bystander, "2026-06-01T11:00:00.000Z");
    const opened = await call(ctx, "/api/v2/analytics/events", { method: "POST", token: ctx.widget, json: { name: "widget_opened", distinctId: `visitor-${run}` } });
    expect(opened.status).toBe(202);
    await ctx.app.jobs.queue.enqueue(ctx.app.database.db, { kind: "test.unknown", payload: { to: zoe.email, note: `for ${zoe.name}` }, runAt: new Date(T0.getTime() + 30 * DAY) });
    ctx.clock.set("2026-06-01T11:30:00.000Z");
    await drain(ctx); // completes both sessions of the morning, sends the e-mails and webhooks
    const rated = await call(ctx, `/api/v2/bookings/${past}/rating`, {
      method: "POST",
      token: ctx.admin,
      json: { rating: 2, feedback: `Merci, signé ${zoe.name}`, prospectiveEmail: zoe.email },
    });
    expect(rated.status).toBe(201);
    await drain(ctx);
  }, 120_000);

  test("the export finds the address in every table that holds it, and is audited", async () => {
    const r = await exportOf(ctx, zoe.email.toUpperCase());
    expect(r.status).toBe(200);
    const d: Json = r.body.data;
    expect(d.bookings.map((b: Json) => b.id).sort()).toEqual([past, future].sort());
    expect(d.bookings.find((b: Json) => b.id === past).history.map((h: Json) => h.action)).toEqual(["created", "completed"]);
    expect(d.ratings).toHaveLength(1);
    expect(d.ratings[0].feedback).toContain(zoe.name);
    expect(d.emails.length).toBeGreaterThanOrEqual(4);
    expect(d.emails.some((m: Json) => m.to === zoe.email && m.kind === "booking_confirmation" && m.text.includes(zoe.name))).toBe(true);
    expect(d.emails.every((m: Json) => typeof m.subject === "string" && m.html.length > 0)).toBe(true);
    expect(d.analyticsEvents.map((e: Json) => e.name).sort()).toEqual(expect.arrayContaining(["booking_created", "widget_opened"]));
    expect(d.webhookDeliveries.length).toBeGreaterThanOrEqual(2);
    expect(d.queuedJobs.some((j: Json) => j.kind === "test.unknown")).toBe(true);
    // Nothing about the bystander leaks into Zoé's export.
    expect(JSON.stringify(d)).not.toContain(bystander.email);

    const file = await ctx.app.request(`/api/v2/admin/privacy/subjects?email=${encodeURIComponent(zoe.email)}&download=true`, { token: ctx.admin });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toMatch(/^attachment; filename="thotis-personal-data-2026-06-01\.json"$/);
    expect((await file.json()).bookings).toHaveLength(2);

    const audit = await call(ctx, `/api/v2/admin/audit?subject=${encodeURIComponent(zoe.email)}&action=privacy.export`, { token: ctx.admin });
    expect(audit.status).toBe(200);
    expect(audit.body.data.total).toBe(2);
    expect(audit.body.data.items[0]).toMatchObject({ actor: "admin:test-admin", role: "admin", ip: "127.0.0.1", target: "subject" });
  }, 60_000);

  test("bad input is a 400 with a code; a widget token is refused", async () => {
    const bad = await exportOf(ctx, "not-an-address");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_INPUT");
    const noReason = await call(ctx, `/api/v2/admin/privacy/subjects?email=${encodeURIComponent(zoe.email)}`, { method: "DELETE", token: ctx.admin, json: {} });
    expect(noReason.status).toBe(400);
    const widget = await call(ctx, `/api/v2/admin/privacy/subjects?email=${encodeURIComponent(zoe.email)}`, { token: ctx.widget });
    expect(widget.status).toBe(403);
  }, 60_000);

  test("erasure cancels the future session first, leaves the address and name nowhere, and keeps the statistics", async () => {
    const before = await totals(ctx);
    const ratingBefore = (await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: ctx.widget })).body.data;
    const mentorMailsBefore = await ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "booking_cancellation"));
    expect(mentorMailsBefore).toHaveLength(0);

    const r = await erase(ctx, zoe.email);
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ futureSessionsCancelled: [future], bookingsAnonymised: 2, ratingsAnonymised: 1, jobsDeleted: 1, idempotencyRecordsDeleted: 1 });
    expect(r.body.data.emailsDeleted).toBeGreaterThanOrEqual(4);
    expect(r.body.data.webhookDeliveriesScrubbed).toBeGreaterThanOrEqual(3);
    await drain(ctx); // the cancellation e-mail to the mentor and the booking.cancelled webhook go out after the erasure

    const db = ctx.app.database.db;
    expect(await scannedColumnCount(db)).toBeGreaterThan(40);
    expect(await scanDatabase(db, [zoe.email, zoe.name, `visitor-${run}`])).toEqual([]);
    // The bystander is untouched.
    expect((await scanDatabase(db, [bystander.email])).length).toBeGreaterThan(0);

    // The mentor heard of the cancellation (without the name), the webhook receivers got the scrubbed payload.
    const cancellations = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "booking_cancellation"));
    expect(cancellations.map((m) => m.toAddress)).toEqual([expect.stringMatching(/^mentor\./)]);
    const sent = receiver.received.map((x) => x.body).filter((b) => b.includes('"booking.cancelled"'));
    expect(sent.length).toBe(1);
    expect(sent[0]).not.toContain(zoe.email);

    const after = await totals(ctx);
    expect(after).toEqual(before);
    const ratingAfter = (await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: ctx.widget })).body.data;
    expect({ avg: ratingAfter.averageRating, n: ratingAfter.totalRatings, total: ratingAfter.totalSessions, cancelled: ratingAfter.cancelledSessions }).toEqual({
      avg: ratingBefore.averageRating,
      n: ratingBefore.totalRatings,
      total: ratingBefore.totalSessions,
      cancelled: ratingBefore.cancelledSessions + 1,
    });
    const [cancelled] = await db.select().from(bookings).where(eq(bookings.id, future));
    expect(cancelled?.status).toBe("CANCELLED");

    const empty = await exportOf(ctx, zoe.email);
    expect(empty.body.data).toMatchObject({ bookings: [], ratings: [], emails: [], analyticsEvents: [], webhookDeliveries: [], queuedJobs: [], account: null });
    const mailbox = await call(ctx, `/api/v2/admin/emails?to=${encodeURIComponent(zoe.email)}`, { token: ctx.admin });
    expect(mailbox.body.data.total).toBe(0);
    const otherBooking = await call(ctx, `/api/v2/bookings/${other}`, { token: ctx.admin });
    expect(otherBooking.body.data.prospectiveStudent.email).toBe(bystander.email);
  }, 60_000);

  test("erasing again is harmless and says nothing more was erased", async () => {
    const again = await erase(ctx, zoe.email);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ futureSessionsCancelled: [], bookingsAnonymised: 0, emailsDeleted: 0, ratingsAnonymised: 0, jobsDeleted: 0 });
  }, 60_000);

  test("the audit log lists exports, erasures, e-mail reads and CSV exports, and refuses to be rewritten", async () => {
    await call(ctx, "/api/v2/admin/export/sessions.csv", { token: ctx.admin });
    const listed = await call(ctx, "/api/v2/admin/emails?limit=1", { token: ctx.admin });
    await call(ctx, `/api/v2/admin/emails/${listed.body.data.items[0].id}`, { token: ctx.admin });
    await call(ctx, "/api/v2/widget/token", { method: "POST", token: ctx.integrator, json: {} });
    const flagged = await call(ctx, "/api/v2/admin/ratings?flagged=true", { token: ctx.admin });
    const ratingId = flagged.body.data.items[0].id;
    expect((await call(ctx, `/api/v2/admin/ratings/${ratingId}`, { method: "PATCH", token: ctx.admin, json: { review: "kept" } })).status).toBe(200);
    const erasures = await call(ctx, `/api/v2/admin/audit?subject=${encodeURIComponent(zoe.email)}&action=privacy.erase`, { token: ctx.admin });
    expect(erasures.body.data.total).toBe(2);
    expect(erasures.body.data.items[1].details).toMatchObject({ reason: "Demande RGPD article 17", bookingsAnonymised: 2 });
    const all = await call(ctx, "/api/v2/admin/audit?limit=100", { token: ctx.admin });
    const actions = all.body.data.items.map((e: Json) => e.action);
    for (const a of ["csv.export", "email.list", "email.read", "token.exchange", "privacy.export", "privacy.erase", "booking.read", "rating.list", "rating.moderate"]) expect(actions).toContain(a);
    // The mailbox query ?to=<address> was recorded hashed, never in clear.
    expect(JSON.stringify(all.body.data)).not.toContain(zoe.email);
    expect(all.body.data.items.find((e: Json) => e.action === "rating.moderate").target).toBe(`rating:${ratingId}`);
    const csv = all.body.data.items.find((e: Json) => e.action === "csv.export");
    expect(csv).toMatchObject({ target: "export:sessions.csv", actor: "admin:test-admin", ip: "127.0.0.1" });

    const db = ctx.app.database.db;
    const refused = async (statement: ReturnType<typeof sql>) => {
      try {
        await db.execute(statement);
        return "accepted";
      } catch (error) {
        return String((error as { message?: string }).message ?? error) + String((error as { cause?: { message?: string } }).cause?.message ?? "");
      }
    };
    expect(await refused(sql`update audit_log set actor = 'someone else'`)).toContain("append-only");
    expect(await refused(sql`delete from audit_log`)).toContain("append-only");
    expect(await refused(sql`truncate audit_log`)).toContain("append-only");
    const [count] = await rows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`);
    expect(count!.n).toBe(all.body.data.total);

    const filtered = await call(ctx, "/api/v2/admin/audit?action=nope", { token: ctx.admin });
    expect(filtered.body.data).toMatchObject({ items: [], total: 0 });
    const badFilter = await call(ctx, "/api/v2/admin/audit?from=yesterday", { token: ctx.admin });
    expect(badFilter.status).toBe(400);
  }, 60_000);

  test("a session starting within 2 hours blocks the erasure (409) until it has ended", async () => {
    const soon = person("c");
    await bookAs(ctx, mentor, soon, "2026-06-01T15:00:00.000Z");
    ctx.clock.set("2026-06-01T14:00:00.000Z");
    const r = await erase(ctx, soon.email);
    expect(r.status).toBe(409);
    expect((await exportOf(ctx, soon.email)).body.data.bookings[0].name).toBe(soon.name);
    ctx.clock.set("2026-06-01T15:20:00.000Z");
    expect((await erase(ctx, soon.email)).status).toBe(200);
  }, 60_000);
});

describe("retention on a fixed clock", () => {
  const ctx: Ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true" }) });
  test("people are anonymised PRIVACY_RETENTION_DAYS after their last session; e-mail bodies and deliveries after LOG_RETENTION_DAYS", async () => {
    const mentor = await createMentor(ctx);
    const hook = await call(ctx, "/api/v2/webhooks", { method: "POST", token: ctx.admin, json: { url: `${receiver.url}/retention`, events: ["booking.created"] } });
    expect(hook.status).toBe(201);
    const old = person("old");
    const recent = person("recent");
    await bookAs(ctx, mentor, old, "2026-06-01T10:00:00.000Z");
    ctx.clock.set("2026-06-01T12:00:00.000Z");
    await ctx.app.jobs.createWorker().drain();
    const retention = ctx.app.services.retention;
    const db = ctx.app.database.db;

    // 90 days on: the e-mail bodies go, the people stay.
    // 89 days on, nothing is due yet.
    ctx.clock.set(new Date(Date.parse("2026-06-01T12:00:00.000Z") + 89 * DAY));
    expect(await retention()).toEqual({ subjectsAnonymised: 0, emailBodiesPruned: 0, webhookDeliveriesDeleted: 0 });
    ctx.clock.set(new Date(Date.parse("2026-06-01T12:00:00.000Z") + 91 * DAY));
    expect((await db.select().from(webhookDeliveries)).length).toBe(1);
    expect(await retention()).toMatchObject({ subjectsAnonymised: 0, webhookDeliveriesDeleted: 1 });
    expect(await db.select().from(webhookDeliveries)).toEqual([]);
    const mails = await db.select().from(emailOutbox);
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.every((m) => m.text === "" && m.html === "")).toBe(true);

    // Someone books again later; then time passes 365 days after the first person's last session only.
    ctx.clock.set("2027-05-20T06:00:00.000Z");
    const slot = "2027-05-21T10:00:00.000Z";
    await ctx.app.services.availability.slotsChanged(mentor.profileId);
    await bookAs(ctx, mentor, recent, slot);
    ctx.clock.set(new Date(Date.parse("2026-06-01T10:15:00.000Z") + 365 * DAY + HOUR));
    const result = await retention();
    expect(result.subjectsAnonymised).toBe(1);
    expect(await scanDatabase(db, [old.email, old.name])).toEqual([]);
    expect((await scanDatabase(db, [recent.email])).length).toBeGreaterThan(0);
    const audit = await call(ctx, "/api/v2/admin/audit?actor=system:retention", { token: ctx.admin });
    expect(audit.body.data.items.map((e: Json) => e.action)).toEqual(expect.arrayContaining(["privacy.retention", "privacy.erase"]));
    // Running again finds nothing more to do.
    expect(await retention()).toMatchObject({ subjectsAnonymised: 0, emailBodiesPruned: 0 });
  }, 120_000);
});
