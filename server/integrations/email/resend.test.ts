/**
 * The Resend adapter (the real `resend` SDK) against a loopback stand-in of Resend's HTTP API, then the whole app
 * sending booking e-mails through it: retries after a failure, a lost response, and a key Resend refuses.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { emailOutbox, jobs } from "../../../db/schema/index.ts";
import { book, bookBody, createMentor, type Ctx, type Mentor, student, T0 } from "../../modules/bookings/fixtures.ts";
import { fixedClock } from "../../lib/clock.ts";
import { LONG_TTL, useTestApp } from "../../test-support/mentors.ts";
import { EmailDeliveryFailure, type OutgoingEmail } from "./port.ts";
import { createResendProvider } from "./resend.ts";
import { startResendStandIn } from "../../test-support/email/stand-in.ts";

const API_KEY = "re_test_0123456789";
const standIn = startResendStandIn({ apiKey: API_KEY });
afterAll(() => standIn.stop());

const email = (over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  to: "lucas.martin@lycee.fr",
  subject: "Votre session est confirmée",
  html: "<p>Bonjour</p>",
  text: "Bonjour",
  attachments: [{ filename: "invite.ics", contentType: "text/calendar; method=REQUEST; charset=UTF-8", content: btoa("BEGIN:VCALENDAR\r\n") }],
  idempotencyKey: `booking_confirmation:h${crypto.randomUUID()}:student`,
  tags: { kind: "booking_confirmation" },
  ...over,
});

describe("Resend adapter", () => {
  const provider = createResendProvider({ apiKey: API_KEY, baseUrl: standIn.url, from: "Thotis <sessions@thotis.fr>", replyTo: "aide@thotis.fr" });

  test("POST /emails with the message, Bearer key and Idempotency-Key; the answer's id is returned", async () => {
    const message = email();
    const { providerMessageId } = await provider.send(message);
    const accepted = standIn.accepted.at(-1)!;
    expect(providerMessageId).toBe(accepted.id);
    expect(accepted.idempotencyKey).toBe(message.idempotencyKey);
    expect(accepted.body).toMatchObject({
      from: "Thotis <sessions@thotis.fr>",
      to: "lucas.martin@lycee.fr",
      subject: "Votre session est confirmée",
      html: "<p>Bonjour</p>",
      text: "Bonjour",
      reply_to: "aide@thotis.fr",
      attachments: [{ filename: "invite.ics", content_type: "text/calendar; method=REQUEST; charset=UTF-8", content: btoa("BEGIN:VCALENDAR\r\n") }],
      tags: [{ name: "kind", value: "booking_confirmation" }],
    });
  });

  test("the same idempotency key twice: Resend accepts the message once and answers the same id", async () => {
    const message = email();
    const before = standIn.accepted.length;
    const first = await provider.send(message);
    const second = await provider.send(message);
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(standIn.accepted.length).toBe(before + 1);
  });

  test("failures: 500 is worth retrying; a refused key or an invalid message is not", async () => {
    standIn.failNext(1, 500);
    const outage = await provider.send(email()).catch((e) => e);
    expect(outage).toBeInstanceOf(EmailDeliveryFailure);
    expect(outage).toMatchObject({ retryable: true, status: 500 });

    const wrongKey = createResendProvider({ apiKey: "re_wrong", baseUrl: standIn.url, from: "Thotis <sessions@thotis.fr>" });
    expect(await wrongKey.send(email()).catch((e) => e)).toMatchObject({ retryable: false, status: 403 });

    expect(await provider.send(email({ subject: "" })).catch((e) => e)).toMatchObject({ retryable: false, status: 422 });

    const unreachable = createResendProvider({ apiKey: API_KEY, baseUrl: "http://127.0.0.1:1", from: "Thotis <sessions@thotis.fr>" });
    expect(await unreachable.send(email()).catch((e) => e)).toMatchObject({ retryable: true, status: null });
  });
});

describe("booking e-mails through Resend", () => {
  const ctx: Ctx = useTestApp({
    clock: fixedClock(T0),
    ttlSeconds: LONG_TTL,
    env: () => ({ RESEND_API_KEY: API_KEY, RESEND_BASE_URL: standIn.url, EMAIL_FROM: "Thotis <sessions@thotis.fr>" }),
  });
  let mentor: Mentor;
  beforeAll(async () => {
    mentor = await createMentor(ctx);
  });
  const drain = () => ctx.app.jobs.createWorker().drain();
  const rowsOf = (bookingId: number) => ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.bookingId, bookingId)).orderBy(emailOutbox.id);
  async function bookAt(dateTime: string, email: string) {
    const r = await book(ctx, bookBody(mentor.profileId, dateTime, { prospectiveStudent: student({ email }) }));
    expect(r.status).toBe(201);
    return r.body.data.bookingId as number;
  }

  test("a 500 on the first try: logged as EMAIL_DELIVERY_ERROR, retried after the backoff, delivered exactly once", async () => {
    ctx.clock.set(T0);
    const id = await bookAt("2026-06-03T08:00:00.000Z", "first@lycee.fr");
    const acceptedBefore = standIn.accepted.length;
    standIn.failNext(1, 500);
    await drain();

    let rows = await rowsOf(id);
    expect(rows.map((r) => [r.toAddress === "first@lycee.fr" ? "student" : "mentor", r.status, r.attempts])).toEqual([
      ["mentor", "queued", 1],
      ["student", "sent", 1],
    ]);
    expect(rows[0]!.lastError).toContain("500");
    expect(ctx.app.logs.some((l) => l.includes('"code":"EMAIL_DELIVERY_ERROR"') && l.includes(`"bookingId":${id}`))).toBe(true);
    const [job] = await ctx.app.database.db.select().from(jobs).where(eq(jobs.dedupeKey, `email:history:${rows[0]!.dedupeKey.match(/:h(\d+):/)![1]}`));
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job!.runAt.getTime()).toBe(T0.getTime() + 30_000);

    ctx.clock.set(new Date(T0.getTime() + 30_000));
    await drain();
    rows = await rowsOf(id);
    expect(rows.map((r) => [r.status, r.attempts, r.provider])).toEqual([
      ["sent", 2, "resend"],
      ["sent", 1, "resend"],
    ]);
    const accepted = standIn.accepted.slice(acceptedBefore);
    expect(accepted).toHaveLength(2);
    for (const row of rows) {
      const mine = accepted.filter((a) => a.idempotencyKey === row.dedupeKey);
      expect(mine).toHaveLength(1);
      expect(row.providerMessageId).toBe(mine[0]!.id);
      expect(mine[0]!.body.attachments?.[0]?.filename).toBe("invite.ics");
    }
    expect(standIn.requests.filter((r) => r.idempotencyKey === rows[0]!.dedupeKey).map((r) => r.status)).toEqual([500, 200]);
  });

  test("a lost response: the retry carries the same Idempotency-Key and Resend delivers nothing twice", async () => {
    ctx.clock.set(T0);
    const id = await bookAt("2026-06-03T09:00:00.000Z", "second@lycee.fr");
    const acceptedBefore = standIn.accepted.length;
    standIn.failNext(1, 500, { afterAccepting: true });
    await drain();
    ctx.clock.set(new Date(T0.getTime() + 30_000));
    await drain();
    const rows = await rowsOf(id);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    const accepted = standIn.accepted.slice(acceptedBefore);
    expect(accepted.map((a) => a.idempotencyKey).sort()).toEqual(rows.map((r) => r.dedupeKey).sort());
    for (const row of rows) expect(row.providerMessageId).toBe(accepted.find((a) => a.idempotencyKey === row.dedupeKey)!.id);
  });
});

describe("a key Resend refuses", () => {
  const ctx: Ctx = useTestApp({
    clock: fixedClock(T0),
    ttlSeconds: LONG_TTL,
    env: () => ({ RESEND_API_KEY: "re_revoked", RESEND_BASE_URL: standIn.url }),
  });

  test("the message is marked failed at once and the job is dead-lettered (no pointless retries)", async () => {
    const mentor = await createMentor(ctx);
    const r = await book(ctx, bookBody(mentor.profileId, "2026-06-03T08:00:00.000Z"));
    expect(r.status).toBe(201);
    await ctx.app.jobs.createWorker().drain();
    const rows = await ctx.app.database.db.select().from(emailOutbox).where(eq(emailOutbox.bookingId, r.body.data.bookingId));
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ["failed", 1],
      ["failed", 1],
    ]);
    expect(rows[0]!.lastError).toContain("403");
    const failedJobs = await ctx.app.database.db.select().from(jobs).where(eq(jobs.kind, "email.booking"));
    expect(failedJobs.map((j) => j.status)).toEqual(["dead"]);
    const list = await ctx.app.request("/api/v2/admin/emails?status=failed", { token: ctx.admin });
    expect((await list.json()).data.total).toBe(2);
  });
});
