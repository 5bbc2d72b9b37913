/**
 * E-mails through the whole system: bookings made, moved, cancelled and completed over HTTP, jobs run by a worker
 * (drained deterministically on the fixed clock), messages read back through the admin mailbox routes.
 */
import { Buffer } from "node:buffer";
import { beforeAll, describe, expect, test } from "bun:test";
import { and, eq, like, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bookingHistory, emailOutbox, jobs } from "../../../db/schema/index.ts";
import type { JobContext } from "../../jobs/index.ts";
import { book, bookBody, call, cancelBooking, type Ctx, createMentor, expectError, HOUR, type Json, type Mentor, student, T0, useApp } from "../bookings/fixtures.ts";

const ctx: Ctx = useApp();
let mentor: Mentor;
let mentorEmail: string;

beforeAll(async () => {
  mentor = await createMentor(ctx);
  mentorEmail = (await call(ctx, `/api/v2/users/${mentor.userId}`, { token: ctx.admin })).body.data.email;
});

const drain = () => ctx.app.jobs.createWorker().drain();
const mailbox = async (query: Record<string, string | number>) => {
  const r = await call(ctx, `/api/v2/admin/emails?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, { token: ctx.admin });
  expect(r.status).toBe(200);
  return r.body.data as { items: Json[]; total: number; page: number; limit: number };
};
const detail = async (id: number) => {
  const r = await call(ctx, `/api/v2/admin/emails/${id}`, { token: ctx.admin });
  expect(r.status).toBe(200);
  return r.body.data as Json;
};
async function bookAt(dateTime: string, over: Record<string, unknown> = {}): Promise<number> {
  const r = await book(ctx, bookBody(mentor.profileId, dateTime, { prospectiveStudent: student(over) }));
  expect(r.status).toBe(201);
  return r.body.data.bookingId;
}
const byKind = (items: Json[], kind: string) => items.filter((i) => i.kind === kind);
const fakeContext = (): JobContext =>
  ({ job: { maxAttempts: 8, attempts: 1 } as never, attempt: 1, signal: new AbortController().signal }) satisfies JobContext;

describe("booking confirmation through HTTP", () => {
  test("creating a booking enqueues the e-mail job; draining the queue writes and sends one confirmation to each side", async () => {
    ctx.clock.set(T0);
    const start = "2026-06-03T08:00:00.000Z";
    const id = await bookAt(start, { name: "Léa <b>Durand</b>", timeZone: "America/Sao_Paulo", locale: "en", question: "Débouchés & stages ?" });
    // Committed with the booking, not yet run.
    expect((await mailbox({ bookingId: id })).total).toBe(0);
    await drain();

    const list = await mailbox({ bookingId: id });
    expect(list.total).toBe(2);
    expect(list.items.map((i) => i.kind)).toEqual(["booking_confirmation", "booking_confirmation"]);
    for (const item of list.items) expect(item).toMatchObject({ status: "sent", provider: "outbox", attempts: 1, lastError: null, bookingId: id });

    const toStudent = await detail(list.items.find((i) => i.to === "lucas.martin@lycee.fr").id);
    expect(toStudent.locale).toBe("en");
    // 08:00 UTC is 05:00 in São Paulo, on Wednesday 3 June.
    expect(toStudent.text).toContain("3 June 2026");
    expect(toStudent.text).toContain("Wednesday");
    expect(toStudent.text).toContain("05:00 – 05:15");
    expect(toStudent.text).toContain("Léa <b>Durand</b>");
    expect(toStudent.html).toContain("Léa &lt;b&gt;Durand&lt;/b&gt;");
    expect(toStudent.html).not.toContain("<b>Durand");
    expect(toStudent.text).toContain("Débouchés & stages ?");
    expect(toStudent.attachments).toEqual([{ filename: "invite.ics", contentType: "text/calendar; method=REQUEST; charset=UTF-8" }]);

    const booking = (await call(ctx, `/api/v2/bookings/${id}`, { token: ctx.admin })).body.data;
    expect(toStudent.text).toContain(booking.meetingUrl);

    // The manage link works for this booking, and for nothing else.
    const token = toStudent.text.match(/\/widget\/manage#(\S+)/)?.[1];
    expect(toStudent.text).toContain(`${ctx.app.config.publicUrl}/widget/manage#${token}`);
    expect(await ctx.app.services.manageTokens.verify(token)).toBe(id);
    expect((await call(ctx, `/api/v2/bookings/${id}`, { token })).status).toBe(200);
    expectError(await call(ctx, `/api/v2/admin/emails`, { token }), 401);

    const toMentor = await detail(list.items.find((i) => i.to === mentorEmail).id);
    expect(toMentor.locale).toBe("fr");
    expect(toMentor.text).toContain("mercredi 3 juin 2026");
    expect(toMentor.text).toContain("10:00 – 10:15");
    expect(toMentor.text).toContain(booking.meetingUrl);
    expect(toMentor.text).not.toContain("/widget/manage");

    // The invitation itself, as stored.
    const [row] = await ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.id, toMentor.id));
    const ics = Buffer.from(row!.attachments![0]!.content, "base64").toString("utf8");
    expect(ics).toContain("METHOD:REQUEST\r\n");
    expect(ics).toContain("DTSTART:20260603T080000Z\r\n");
    expect(ics).toContain(`UID:booking-${id}@`);
    expect(ics).toContain("SEQUENCE:0\r\n");

    // Reminders wait for start − 24 h and start − 1 h.
    const reminders = await ctx.app.database.db.select().from(jobs).where(and(eq(jobs.kind, "email.reminder"), sql`${jobs.payload}->>'bookingId' = ${String(id)}`));
    expect(reminders.map((j) => [j.runAt.toISOString(), j.status]).sort()).toEqual([
      ["2026-06-02T08:00:00.000Z", "pending"],
      ["2026-06-03T07:00:00.000Z", "pending"],
    ]);
  });

  test("running the same e-mail job again sends nothing more", async () => {
    ctx.clock.set(T0);
    const id = await bookAt("2026-06-03T09:00:00.000Z");
    await drain();
    const [history] = await ctx.app.database.db.select().from(bookingHistory).where(eq(bookingHistory.bookingId, id));
    const before = await ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.bookingId, id)).orderBy(emailOutbox.id);
    const kind = ctx.app.jobs.registry.get("email.booking")!;
    await kind.handler({ historyId: history!.id }, fakeContext());
    await kind.handler({ historyId: history!.id }, fakeContext());
    const after = await ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.bookingId, id)).orderBy(emailOutbox.id);
    expect(after).toEqual(before);
    expect(after.map((r) => r.attempts)).toEqual([1, 1]);
  });

  test("a transaction that enqueues e-mails and then rolls back leaves no job and no e-mail", async () => {
    ctx.clock.set(T0);
    const id = await bookAt("2026-06-03T10:00:00.000Z");
    await drain();
    const db = ctx.app.database.db;
    let historyId = 0;
    const failure = await db
      .transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const [h] = await tx
          .insert(bookingHistory)
          .values({ bookingId: id, action: "cancelled", fromStatus: "ACCEPTED", toStatus: "CANCELLED", actor: "test", data: { reason: "rollback" } })
          .returning({ id: bookingHistory.id });
        historyId = h!.id;
        await ctx.app.jobs.bookingEffects(tx, {
          historyId,
          bookingId: id,
          action: "cancelled",
          oldStartTime: new Date("2026-06-03T10:00:00.000Z"),
          newStartTime: null,
          actor: "test",
          calendarPending: false,
          reason: "rollback",
          visitorId: null,
          at: T0,
        });
        const inside = await tx.select().from(jobs).where(eq(jobs.dedupeKey, `email:history:${historyId}`));
        expect(inside).toHaveLength(1);
        throw new Error("roll back");
      })
      .catch((e: Error) => e);
    expect((failure as Error).message).toBe("roll back");
    expect(await db.select().from(jobs).where(eq(jobs.dedupeKey, `email:history:${historyId}`))).toEqual([]);
    await drain();
    expect(await db.select().from(emailOutbox).where(like(emailOutbox.dedupeKey, `%:h${historyId}:%`))).toEqual([]);
    expect(byKind((await mailbox({ bookingId: id })).items, "booking_cancellation")).toEqual([]);
  });
});

describe("changes, reminders and the rating request", () => {
  test("Property 33 and 17 through the system: a cancellation reaches both sides, a move shows old and new times; reminders of the old plans do nothing", async () => {
    ctx.clock.set(T0);
    const cancelled = await bookAt("2026-06-04T08:00:00.000Z");
    const moved = await bookAt("2026-06-04T09:00:00.000Z", { email: "zoe@lycee.fr" });
    await drain();

    expect((await cancelBooking(ctx, cancelled, ctx.admin, { reason: "Empêchement", cancelledBy: "student" })).status).toBe(200);
    const r = await call(ctx, `/api/v2/bookings/${moved}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: "2026-06-05T12:00:00.000Z" } });
    expect(r.status).toBe(200);
    await drain();

    const cancellation = byKind((await mailbox({ bookingId: cancelled })).items, "booking_cancellation");
    expect(cancellation.map((i) => i.to).sort()).toEqual(["lucas.martin@lycee.fr", mentorEmail].sort());
    for (const item of cancellation) {
      const d = await detail(item.id);
      expect(d.status).toBe("sent");
      expect(d.text).toContain("jeudi 4 juin 2026");
      expect(d.text).toContain("10:00");
      expect(d.text).toContain("Empêchement");
      expect(d.attachments[0].contentType).toBe("text/calendar; method=CANCEL; charset=UTF-8");
      const [row] = await ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.id, d.id));
      const ics = Buffer.from(row!.attachments![0]!.content, "base64").toString("utf8");
      expect(ics).toContain("METHOD:CANCEL\r\n");
      expect(ics).toContain("SEQUENCE:1\r\n");
    }

    const rescheduled = byKind((await mailbox({ bookingId: moved })).items, "booking_rescheduled");
    expect(rescheduled.map((i) => i.to).sort()).toEqual(["zoe@lycee.fr", mentorEmail].sort());
    const newLink = (await call(ctx, `/api/v2/bookings/${moved}`, { token: ctx.admin })).body.data.meetingUrl;
    for (const item of rescheduled) {
      const d = await detail(item.id);
      expect(d.text).toContain("jeudi 4 juin 2026, 11:00 – 11:15");
      expect(d.text).toContain("vendredi 5 juin 2026, 14:00 – 14:15");
      expect(d.text).toContain(newLink);
      expect(d.text.includes("/widget/manage#")).toBe(item.to === "zoe@lycee.fr");
    }

    // The day before the old times: nothing for either booking; the moved one is reminded the day before its new time.
    ctx.clock.set("2026-06-03T09:00:00.000Z");
    await drain();
    expect(byKind((await mailbox({ bookingId: cancelled })).items, "reminder_24h")).toEqual([]);
    expect(byKind((await mailbox({ bookingId: moved })).items, "reminder_24h")).toEqual([]);
    ctx.clock.set("2026-06-04T12:00:00.000Z");
    await drain();
    const reminders = byKind((await mailbox({ bookingId: moved })).items, "reminder_24h");
    expect(reminders.map((i) => i.to).sort()).toEqual(["zoe@lycee.fr", mentorEmail].sort());
    expect((await detail(reminders[0].id)).text).toContain("14:00");
    expect(byKind((await mailbox({ bookingId: cancelled })).items, "reminder_1h")).toEqual([]);
  });

  test("reminders go out 24 hours and 1 hour before, to both sides, once", async () => {
    ctx.clock.set(T0);
    const start = Date.parse("2026-06-06T08:00:00.000Z");
    const id = await bookAt(new Date(start).toISOString());
    await drain();
    ctx.clock.set(new Date(start - 24 * HOUR - 60_000));
    await drain();
    expect(byKind((await mailbox({ bookingId: id })).items, "reminder_24h")).toEqual([]);
    ctx.clock.set(new Date(start - 24 * HOUR));
    await drain();
    expect(byKind((await mailbox({ bookingId: id })).items, "reminder_24h")).toHaveLength(2);
    ctx.clock.set(new Date(start - HOUR));
    await drain();
    await drain();
    const items = (await mailbox({ bookingId: id })).items;
    expect(byKind(items, "reminder_24h")).toHaveLength(2);
    const hour = byKind(items, "reminder_1h");
    expect(hour.map((i) => i.to).sort()).toEqual(["lucas.martin@lycee.fr", mentorEmail].sort());
    const d = await detail(hour.find((i) => i.to === "lucas.martin@lycee.fr").id);
    expect(d.subject).toMatch(/^Rappel : session avec Mentor \d+ dans 1 heure$/);
    expect(d.text).not.toContain("/widget/manage");
  });

  test("a completed session sends the prospective student, and only them, a signed rating link", async () => {
    ctx.clock.set(T0);
    const start = Date.parse("2026-06-07T08:00:00.000Z");
    const id = await bookAt(new Date(start).toISOString(), { email: "noemie@lycee.fr" });
    await drain();
    ctx.clock.set(new Date(start + 20 * 60_000));
    await drain(); // the automatic completion runs, then the rating request it enqueued
    await drain();
    const rating = byKind((await mailbox({ bookingId: id })).items, "rating_request");
    expect(rating).toHaveLength(1);
    expect(rating[0].to).toBe("noemie@lycee.fr");
    const d = await detail(rating[0].id);
    const token = d.text.match(/\/widget\/rate#(\S+)/)?.[1];
    expect(await ctx.app.services.ratingTokens.verify(token)).toEqual({ bookingId: id, email: "noemie@lycee.fr" });
    expect(await ctx.app.services.manageTokens.verify(token)).toBeNull();
  });
});

describe("admin mailbox routes", () => {
  test("filters, pagination and errors", async () => {
    const all = await mailbox({ limit: 100 });
    expect(all.total).toBeGreaterThan(4);
    const page = await mailbox({ page: 2, limit: 2 });
    expect(page).toMatchObject({ page: 2, limit: 2, total: all.total });
    expect(page.items.map((i) => i.id)).toEqual(all.items.slice(2, 4).map((i) => i.id));
    const zoe = await mailbox({ to: "ZOE@" });
    expect(zoe.total).toBeGreaterThan(0);
    expect(zoe.items.every((i) => i.to === "zoe@lycee.fr")).toBe(true);
    expect((await mailbox({ status: "failed" })).total).toBe(0);
    expect((await mailbox({ status: "sent" })).total).toBe(all.total);
    expect((await mailbox({ to: "%" })).total).toBe(0);

    expectError(await call(ctx, "/api/v2/admin/emails?status=lost", { token: ctx.admin }), 400);
    expectError(await call(ctx, "/api/v2/admin/emails?limit=500", { token: ctx.admin }), 400);
    expectError(await call(ctx, "/api/v2/admin/emails?colour=blue", { token: ctx.admin }), 400);
    expectError(await call(ctx, "/api/v2/admin/emails", { token: ctx.integrator }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/admin/emails/1", { token: mentor.token }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/admin/emails"), 401);
    expectError(await call(ctx, "/api/v2/admin/emails/999999", { token: ctx.admin }), 404, "NOT_FOUND");
  });

  test("the logo the e-mails show is served as a PNG", async () => {
    const res = await ctx.app.request("/brand/logo.png");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
