/**
 * Webhook endpoints through the real API, and booking events delivered to a loopback receiver (Property 28). The
 * worker is driven with drain() on a fixed clock here; live retries, crashes and concurrency are in delivery.test.ts.
 */
import { afterAll, beforeAll, describe, expect, setSystemTime, test } from "bun:test";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import type { Job } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { createLogger } from "../../lib/logger.ts";
import { useTestApp } from "../../test-support/mentors.ts";
import { bookBody, call, cancelBooking, type Ctx, createMentor, expectError, LONG_TTL, type Mentor, MIN, reset, RUNS, T0 } from "../bookings/fixtures.ts";
import { createWebhookService } from "./service.ts";
import { verifyPayloadSignature } from "./signing.ts";
import { type Received, startTestReceiver, type TestReceiver } from "../../test-support/webhooks/test-receiver.ts";

const PLATFORM_SECRET = "platform-secret-for-webhook-tests-0123456789";
const DAY_MS = 86_400_000;

/** Checks both signatures of a received request; the Standard Webhooks check runs at the header's own time. */
function verifySignatures(r: Received, secret: string) {
  expect(verifyPayloadSignature(r.body, secret)).toBe(true);
  const webhook = secret.startsWith("whsec_") ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: "raw" });
  setSystemTime(new Date(Number(r.headers["webhook-timestamp"]) * 1000));
  try {
    return webhook.verify(r.body, r.headers) as Record<string, any>;
  } finally {
    setSystemTime();
  }
}

describe("webhook endpoints API", () => {
  const ctx: Ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true" }) });
  let receiver: TestReceiver;
  beforeAll(() => {
    receiver = startTestReceiver();
  });
  afterAll(() => receiver.stop());

  const create = (json: unknown, token = ctx.admin) => call(ctx, "/api/v2/webhooks", { method: "POST", token, json });

  test("admins register, read, change and delete endpoints; the secret is shown once", async () => {
    expectError(await call(ctx, "/api/v2/webhooks", { method: "POST", json: { url: receiver.url, events: ["booking.created"] } }), 401, "UNAUTHORIZED");
    expectError(await create({ url: receiver.url, events: ["booking.created"] }, ctx.integrator), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/webhooks", { token: ctx.widget }), 403, "INSUFFICIENT_PERMISSIONS");

    const created = await create({ url: `${receiver.url}/a`, events: ["booking.created", "booking.cancelled"], description: "CRM" });
    expect(created.status).toBe(201);
    const endpoint = created.body.data;
    expect(endpoint).toMatchObject({ url: `${receiver.url}/a`, events: ["booking.created", "booking.cancelled"], active: true, disabledReason: null, signingSecret: "endpoint", description: "CRM" });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.res.headers.get("location")).toBe(`/api/v2/webhooks/${endpoint.id}`);

    const got = await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { token: ctx.admin });
    expect(got.status).toBe(200);
    expect(got.body.data.secret).toBeUndefined();
    const list = await call(ctx, "/api/v2/webhooks", { token: ctx.admin });
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(list.body)).not.toContain(endpoint.secret);

    const patched = await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { method: "PATCH", token: ctx.admin, json: { events: ["booking.completed"], active: false } });
    expect(patched.body.data).toMatchObject({ events: ["booking.completed"], active: false, disabledReason: "disabled by an admin" });
    const back = await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { method: "PATCH", token: ctx.admin, json: { active: true } });
    expect(back.body.data).toMatchObject({ active: true, disabledReason: null });

    expect((await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { method: "DELETE", token: ctx.admin })).status).toBe(200);
    expectError(await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { token: ctx.admin }), 404, "WEBHOOK_NOT_FOUND");
    expectError(await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { method: "DELETE", token: ctx.admin }), 404, "WEBHOOK_NOT_FOUND");
  });

  test("bad input is a 400 with a code", async () => {
    expectError(await create({ url: receiver.url, events: [] }), 400, "INVALID_INPUT");
    expectError(await create({ url: receiver.url, events: ["booking.exploded"] }), 400, "INVALID_INPUT");
    expectError(await create({ url: receiver.url, events: ["booking.created"], extra: 1 }), 400, "INVALID_INPUT");
    expectError(await create({ url: receiver.url, events: ["booking.created"], secret: "hunter2" }), 400, "INVALID_INPUT");
    // null asks for the platform secret, which this app does not have.
    expectError(await create({ url: receiver.url, events: ["booking.created"], secret: null }), 400, "INVALID_INPUT");
    expectError(await create({ url: "ftp://example.com/hook", events: ["booking.created"] }), 400, "WEBHOOK_URL_NOT_ALLOWED");
    expectError(await create({ url: "not a url", events: ["booking.created"] }), 400, "WEBHOOK_URL_NOT_ALLOWED");
    expectError(await call(ctx, "/api/v2/webhooks/deliveries?status=lost", { token: ctx.admin }), 400, "INVALID_INPUT");
    expectError(await call(ctx, "/api/v2/webhooks/deliveries/msg_nope", { token: ctx.admin }), 404, "WEBHOOK_DELIVERY_NOT_FOUND");
    expectError(await call(ctx, "/api/v2/webhooks/deliveries/msg_nope/replay", { method: "POST", token: ctx.admin }), 404, "WEBHOOK_DELIVERY_NOT_FOUND");
  });

  test("test message, delivery log, paging and replay with the same webhook-id", async () => {
    const secret = "whsec_" + Buffer.alloc(32, 7).toString("base64");
    const endpoint = (await create({ url: `${receiver.url}/log`, events: ["booking.created"], secret })).body.data;
    expect(endpoint.secret).toBe(secret);
    const before = receiver.received.length;
    const sent = await call(ctx, `/api/v2/webhooks/${endpoint.id}/test`, { method: "POST", token: ctx.admin });
    expect(sent.status).toBe(202);
    expect(sent.body.data).toMatchObject({ endpointId: endpoint.id, event: "webhook.test", status: "pending", attempts: 0 });
    const id = sent.body.data.id as string;
    expectError(await call(ctx, `/api/v2/webhooks/deliveries/${id}/replay`, { method: "POST", token: ctx.admin }), 409, "CONFLICT");

    await ctx.app.jobs.createWorker().drain();
    const first = receiver.received.slice(before);
    expect(first.map((r) => r.webhookId)).toEqual([id]);
    expect(first[0]!.headers["content-type"]).toBe("application/json");
    expect(verifySignatures(first[0]!, secret)).toMatchObject({ event: "webhook.test", data: { endpointId: endpoint.id } });

    const detail = await call(ctx, `/api/v2/webhooks/deliveries/${id}`, { token: ctx.admin });
    expect(detail.body.data).toMatchObject({ id, status: "delivered", lastStatusCode: 204, payload: { event: "webhook.test" } });
    expect(detail.body.data.attempts).toEqual([{ attempt: 1, statusCode: 204, latencyMs: expect.any(Number), responseExcerpt: null, error: null, at: T0.toISOString() }]);

    const replay = await call(ctx, `/api/v2/webhooks/deliveries/${id}/replay`, { method: "POST", token: ctx.admin });
    expect(replay.body.data).toMatchObject({ id, status: "pending" });
    await ctx.app.jobs.createWorker().drain();
    const again = receiver.received.slice(before);
    expect(again.map((r) => r.webhookId)).toEqual([id, id]);
    expect(again[1]!.body).toBe(again[0]!.body);
    const after = await call(ctx, `/api/v2/webhooks/deliveries/${id}`, { token: ctx.admin });
    expect(after.body.data.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2]);
    expect(after.body.data.status).toBe("delivered");

    for (let i = 0; i < 4; i++) await call(ctx, `/api/v2/webhooks/${endpoint.id}/test`, { method: "POST", token: ctx.admin });
    const page = await call(ctx, `/api/v2/webhooks/deliveries?endpointId=${endpoint.id}&status=pending&page=2&limit=3`, { token: ctx.admin });
    expect(page.body.data).toMatchObject({ total: 4, page: 2, limit: 3 });
    expect(page.body.data.items).toHaveLength(1);
    const delivered = await call(ctx, `/api/v2/webhooks/deliveries?endpointId=${endpoint.id}&status=delivered`, { token: ctx.admin });
    expect(delivered.body.data.items.map((d: { id: string }) => d.id)).toEqual([id]);
    await ctx.app.jobs.createWorker().drain();
  });

  test("the response excerpt is at most 1 KB and failures are logged with their status", async () => {
    const endpoint = (await create({ url: `${receiver.url}/noisy`, events: ["booking.created"] })).body.data;
    receiver.respond = () => new Response("é".repeat(2000), { status: 503 });
    try {
      const sent = await call(ctx, `/api/v2/webhooks/${endpoint.id}/test`, { method: "POST", token: ctx.admin });
      await ctx.app.jobs.createWorker().drain();
      const detail = (await call(ctx, `/api/v2/webhooks/deliveries/${sent.body.data.id}`, { token: ctx.admin })).body.data;
      expect(detail).toMatchObject({ status: "pending", lastStatusCode: 503, lastError: "The receiver answered 503" });
      expect(new TextEncoder().encode(detail.attempts[0].responseExcerpt).length).toBeLessThanOrEqual(1024 + 3);
      expect(detail.attempts[0].responseExcerpt.startsWith("éé")).toBe(true);
    } finally {
      receiver.respond = () => new Response(null, { status: 204 });
      await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { method: "DELETE", token: ctx.admin });
    }
  });
});

describe("booking events", () => {
  const ctx: Ctx = useTestApp({
    clock: fixedClock(T0),
    ttlSeconds: LONG_TTL,
    env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true", THOTIS_WEBHOOK_SECRET: PLATFORM_SECRET }),
  });
  let receiver: TestReceiver;
  let mentor: Mentor;
  let all: { id: string; secret: string };
  let cancelledOnly: { id: string };
  beforeAll(async () => {
    receiver = startTestReceiver();
    mentor = await createMentor(ctx);
    const post = (json: unknown) => call(ctx, "/api/v2/webhooks", { method: "POST", token: ctx.admin, json });
    all = (await post({ url: `${receiver.url}/all`, events: ["booking.created", "booking.cancelled", "booking.completed", "booking.rescheduled"] })).body.data;
    // Signed with THOTIS_WEBHOOK_SECRET (secret: null).
    const r = await post({ url: `${receiver.url}/cancelled`, events: ["booking.cancelled"], secret: null });
    expect(r.body.data).toMatchObject({ signingSecret: "platform", secret: null });
    cancelledOnly = r.body.data;
    // Inactive: receives nothing.
    await post({ url: `${receiver.url}/off`, events: ["booking.created", "booking.cancelled"], active: false });
  }, 60_000);
  afterAll(() => receiver?.stop());

  const slot = (day: number, quarter: number) => new Date(T0.getTime() + day * DAY_MS + 2 * 3600_000 + quarter * 15 * MIN).toISOString();

  test("Property 28: Webhook Event Types", async () => {
    // Feature: thotis-student-mentoring, Property 28: Webhook Event Types
    const worker = ctx.app.jobs.createWorker();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("created", "cancelled", "rescheduled", "completed"),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 10 }),
        async (action, day, quarter, shift) => {
          await reset(ctx, [mentor]);
          receiver.received.length = 0;
          const start = slot(day, quarter);
          const email = `eleve.${++n}@lycee.fr`;
          const created = await call(ctx, "/api/v2/bookings", {
            method: "POST",
            token: ctx.widget,
            json: bookBody(mentor.profileId, start, { prospectiveStudent: { name: "Élève", email } }),
          });
          expect(created.status).toBe(201);
          const bookingId = created.body.data.bookingId as number;
          const createdAt = ctx.clock.now().toISOString();
          let moved = start;
          if (action === "cancelled") expect((await cancelBooking(ctx, bookingId, ctx.admin, { reason: "Empêchement", cancelledBy: "student" })).status).toBe(200);
          if (action === "rescheduled") {
            // Another of the quarters 0–30 the property books from (all inside the mentor's hours), never the same one.
            moved = slot(day, (quarter + shift) % 31);
            const r = await call(ctx, `/api/v2/bookings/${bookingId}/reschedule`, { method: "PATCH", token: ctx.admin, json: { dateTime: moved } });
            expect(r.status).toBe(200);
          }
          if (action === "completed") {
            ctx.clock.set(new Date(Date.parse(start) + 20 * MIN));
            expect((await call(ctx, `/api/v2/bookings/${bookingId}/complete`, { method: "POST", token: ctx.admin })).status).toBe(200);
          }
          const actedAt = ctx.clock.now().toISOString();
          await worker.drain();

          // This booking's messages: a retry of an earlier booking's delivery may land in a later drain (at least once).
          const toAll = receiver.received.filter((r) => r.path === "/all");
          const bodies = toAll.map((r) => verifySignatures(r, all.secret)).filter((body) => body.data.bookingId === bookingId);
          const expectedEvents = action === "created" ? ["booking.created"] : ["booking.created", `booking.${action}`];
          expect(bodies.map((b) => b.event).sort()).toEqual(expectedEvents.sort());
          for (const b of bodies) {
            expect(b.data).toMatchObject({ bookingId, studentProfileId: mentor.profileId, prospectiveStudentEmail: email });
            expect(b.signature).toMatch(/^[0-9a-f]{64}$/);
          }
          const first = bodies.find((b) => b.event === "booking.created")!;
          expect(first).toMatchObject({ timestamp: createdAt, data: { dateTime: start, metadata: { status: "ACCEPTED", endTime: new Date(Date.parse(start) + 15 * MIN).toISOString() } } });
          expect(first.data.metadata.meetingUrl).toMatch(/^https:\/\//);
          const second = bodies.find((b) => b.event !== "booking.created");
          if (action === "cancelled") expect(second).toMatchObject({ timestamp: actedAt, data: { dateTime: start, metadata: { status: "CANCELLED", reason: "Empêchement", cancelledBy: "student" } } });
          if (action === "rescheduled") expect(second).toMatchObject({ data: { dateTime: moved, metadata: { status: "ACCEPTED", previousDateTime: start } } });
          if (action === "completed") expect(second).toMatchObject({ timestamp: actedAt, data: { dateTime: start, metadata: { status: "COMPLETED" } } });

          // The cancelled-only endpoint (platform secret) got exactly the cancellations; the inactive one nothing.
          const toCancelled = receiver.received.filter((r) => r.path === "/cancelled");
          expect(toCancelled.map((r) => verifySignatures(r, PLATFORM_SECRET).event)).toEqual(action === "cancelled" ? ["booking.cancelled"] : []);
          expect(receiver.received.filter((r) => r.path === "/off")).toEqual([]);
          // Distinct webhook-ids, each a delivery of the log.
          const ids = receiver.received.map((r) => r.webhookId);
          expect(new Set(ids).size).toBe(ids.length);
          for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
        },
      ),
      { numRuns: RUNS },
    );
    const log = await call(ctx, `/api/v2/webhooks/deliveries?endpointId=${cancelledOnly.id}&limit=100`, { token: ctx.admin });
    expect(log.body.data.items.every((d: { event: string; status: string }) => d.event === "booking.cancelled" && d.status === "delivered")).toBe(true);
  }, 300_000);
});

describe("SSRF guard on the API", () => {
  const ctx: Ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ WEBHOOK_ALLOW_PRIVATE: "false" }) });
  let receiver: TestReceiver;
  beforeAll(() => {
    receiver = startTestReceiver();
  });
  afterAll(() => receiver.stop());

  test("URLs resolving to private, loopback or link-local addresses are refused with a clear message", async () => {
    for (const url of [receiver.url, "http://localhost:9/", "http://[::1]/", "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/", "http://[::ffff:192.168.0.1]/", "http://100.64.0.1/"]) {
      const r = await call(ctx, "/api/v2/webhooks", { method: "POST", token: ctx.admin, json: { url, events: ["booking.created"] } });
      expectError(r, 400, "WEBHOOK_URL_NOT_ALLOWED");
      expect(r.body.error.message).toMatch(/(loopback|private|link-local|CGNAT).*public addresses/);
    }
  });

  test("the rule is checked again before each delivery (DNS rebinding)", async () => {
    let answer = ["93.184.216.34"];
    const webhooks = createWebhookService({
      db: ctx.app.database.db,
      clock: ctx.clock,
      logger: createLogger("silent"),
      config: ctx.app.config.webhooks,
      queue: ctx.app.jobs.queue,
      resolve: async () => answer,
    });
    const endpoint = await webhooks.createEndpoint({ url: `http://rebind.example:${new URL(receiver.url).port}/`, events: ["booking.created"] });
    const patch = await call(ctx, `/api/v2/webhooks/${endpoint.id}`, { method: "PATCH", token: ctx.admin, json: { url: "http://127.0.0.1:9/" } });
    expectError(patch, 400, "WEBHOOK_URL_NOT_ALLOWED");
    answer = ["127.0.0.1"];
    const delivery = await webhooks.sendTest(endpoint.id);
    const job = { maxAttempts: 4, attempts: 1 } as Job;
    await expect(webhooks.deliveryJob.handler({ deliveryId: delivery.id }, { job, attempt: 1, signal: new AbortController().signal })).rejects.toThrow(/loopback/);
    const detail = await webhooks.getDelivery(delivery.id);
    expect(detail).toMatchObject({ status: "pending", attempts: [{ attempt: 1, statusCode: null, error: expect.stringContaining("127.0.0.1") }] });
    // The last allowed attempt ends the delivery.
    await expect(webhooks.deliveryJob.handler({ deliveryId: delivery.id }, { job, attempt: 4, signal: new AbortController().signal })).rejects.toThrow();
    expect((await webhooks.getDelivery(delivery.id)).status).toBe("dead");
    expect(receiver.received).toEqual([]);
  });
});
