/**
 * Live delivery: real workers on the system clock against a loopback receiver. Retry spacing (Property 29), dead
 * letter, 410 Gone, a worker killed mid-delivery (a child worker process on Postgres, worker.abandon() on PGlite),
 * and two workers sharing one queue.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { loadConfig } from "../../config.ts";
import { systemClock } from "../../lib/clock.ts";
import { createLogger } from "../../lib/logger.ts";
import { TEST_JWT_SECRET } from "../../test-support/app.ts";
import { testDatabaseKind } from "../../test-support/database.ts";
import { call, type TestCtx, useTestApp } from "../../test-support/mentors.ts";
import { createWebhookService } from "./service.ts";
import { startTestReceiver, type TestReceiver } from "../../test-support/webhooks/test-receiver.ts";

const RUNS = 100;

async function register(ctx: TestCtx, url: string): Promise<string> {
  const r = await call(ctx, "/api/v2/webhooks", { method: "POST", token: ctx.admin, json: { url, events: ["booking.created"] } });
  expect(r.status).toBe(201);
  return r.body.data.id;
}

async function sendTest(ctx: TestCtx, endpointId: string): Promise<string> {
  const r = await call(ctx, `/api/v2/webhooks/${endpointId}/test`, { method: "POST", token: ctx.admin });
  expect(r.status).toBe(202);
  return r.body.data.id;
}

/** Polls the delivery until `done` says so (or fails after `timeoutMs`). */
async function waitForDelivery(ctx: TestCtx, id: string, done: (d: any) => boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const d = (await call(ctx, `/api/v2/webhooks/deliveries/${id}`, { token: ctx.admin })).body.data;
    if (done(d)) return d;
    if (Date.now() > until) throw new Error(`delivery ${id} still ${JSON.stringify(d)}`);
    await Bun.sleep(50);
  }
}

describe("retry schedule", () => {
  test("Property 29: Webhook Retry Exponential Backoff (the schedule)", () => {
    // Feature: thotis-student-mentoring, Property 29: Webhook Retry Exponential Backoff
    const build = (env: Record<string, string>) => {
      const config = loadConfig({ THOTIS_JWT_SECRET: TEST_JWT_SECRET, ...env }, { persistSecret: false });
      const noQueue = { enqueue: async () => [], poke() {} } as never;
      return createWebhookService({ db: undefined as never, clock: systemClock, logger: createLogger("silent"), config: config.webhooks, queue: noQueue }).deliveryJob;
    };
    // Default: 1 s, 2 s, 4 s after the first, second and third failures; 4 attempts in all (3 retries).
    const standard = build({});
    expect([1, 2, 3].map((a) => standard.backoffMs!(a))).toEqual([1000, 2000, 4000]);
    expect(standard.maxAttempts).toBe(4);
    expect(standard.timeoutMs).toBeGreaterThanOrEqual(10_000);
    // A longer schedule is configurable (WEBHOOK_RETRY_SCHEDULE) and followed exactly.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 86_400 }), { minLength: 1, maxLength: 20 }), (seconds) => {
        const job = build({ WEBHOOK_RETRY_SCHEDULE: seconds.join(",") });
        expect(job.maxAttempts).toBe(seconds.length + 1);
        expect(seconds.map((_, i) => job.backoffMs!(i + 1))).toEqual(seconds.map((s) => s * 1000));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("live worker", () => {
  const ctx = useTestApp({ env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true", RUN_WORKER: "true", WORKER_POLL_MS: "50" }) });
  let receiver: TestReceiver;
  beforeAll(() => {
    receiver = startTestReceiver();
  });
  afterAll(() => receiver.stop());

  test("Property 29: a receiver failing three times sees retries 1 s, 2 s and 4 s apart, with the same webhook-id", async () => {
    // Feature: thotis-student-mentoring, Property 29: Webhook Retry Exponential Backoff
    const endpointId = await register(ctx, `${receiver.url}/flaky`);
    const seen = new Map<string, number>();
    receiver.respond = (r) => {
      const n = (seen.get(r.webhookId) ?? 0) + 1;
      seen.set(r.webhookId, n);
      return new Response(n <= 3 ? "try later" : "ok", { status: n <= 3 ? 500 : 200 });
    };
    const id = await sendTest(ctx, endpointId);
    const got = (await receiver.waitFor(4, 30_000)).filter((r) => r.path === "/flaky");
    expect(got.map((r) => r.webhookId)).toEqual([id, id, id, id]);
    const gaps = [1, 2, 3].map((i) => got[i]!.at - got[i - 1]!.at);
    // Never early (the retry is not due before its delay); late by at most 1.5 s on a busy 2-core machine.
    [1000, 2000, 4000].forEach((expected, i) => {
      expect(gaps[i]!).toBeGreaterThanOrEqual(expected - 50);
      expect(gaps[i]!).toBeLessThanOrEqual(expected + 1500);
    });
    // Each attempt is freshly timestamped and signed; the body is the same.
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    const d = await waitForDelivery(ctx, id, (x) => x.status === "delivered");
    expect(d.attempts.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 500], [3, 500], [4, 200]]);
    expect(d.attempts[0].responseExcerpt).toBe("try later");
    for (const a of d.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
  }, 60_000);

  test("410 Gone disables the endpoint at once, without retries", async () => {
    const endpointId = await register(ctx, `${receiver.url}/gone`);
    receiver.respond = () => new Response("gone", { status: 410 });
    const before = receiver.received.length;
    const id = await sendTest(ctx, endpointId);
    const d = await waitForDelivery(ctx, id, (x) => x.status !== "pending");
    expect(d).toMatchObject({ status: "dead", lastStatusCode: 410 });
    const endpoint = (await call(ctx, `/api/v2/webhooks/${endpointId}`, { token: ctx.admin })).body.data;
    expect(endpoint.active).toBe(false);
    expect(endpoint.disabledReason).toMatch(/410 Gone/);
    await Bun.sleep(1500);
    expect(receiver.received.slice(before).map((r) => r.webhookId)).toEqual([id]);
    expect((await call(ctx, `/api/v2/webhooks/${endpointId}/test`, { method: "POST", token: ctx.admin })).status).toBe(409);
  }, 30_000);
});

describe("dead letter after the configured schedule", () => {
  const ctx = useTestApp({ env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true", RUN_WORKER: "true", WORKER_POLL_MS: "50", WEBHOOK_RETRY_SCHEDULE: "1,1" }) });
  let receiver: TestReceiver;
  beforeAll(() => {
    receiver = startTestReceiver(() => new Response("down", { status: 503 }));
  });
  afterAll(() => receiver.stop());

  test("a receiver that never recovers gets 1 + 2 attempts, then the delivery is dead and can be replayed", async () => {
    const endpointId = await register(ctx, receiver.url);
    const id = await sendTest(ctx, endpointId);
    const d = await waitForDelivery(ctx, id, (x) => x.status === "dead");
    expect(d.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 503]);
    expect(receiver.received.map((r) => r.webhookId)).toEqual([id, id, id]);
    const dead = await ctx.app.jobs.queue.list({ status: "dead", kind: "webhook.deliver" });
    expect(dead.total).toBe(1);
    // Replayed by an admin once the receiver is back: same webhook-id.
    receiver.respond = () => new Response(null, { status: 202 });
    expect((await call(ctx, `/api/v2/webhooks/deliveries/${id}/replay`, { method: "POST", token: ctx.admin })).status).toBe(200);
    const after = await waitForDelivery(ctx, id, (x) => x.status === "delivered");
    expect(after.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 503, 202]);
    expect(receiver.received.at(-1)!.webhookId).toBe(id);
    // The replay revived the dead job: nothing is counted dead any more.
    expect((await ctx.app.jobs.queue.list({ status: "dead", kind: "webhook.deliver" })).total).toBe(0);
  }, 30_000);
});

describe("workers sharing the queue", () => {
  const ctx = useTestApp({ env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true" }) });
  let receiver: TestReceiver;
  beforeAll(() => {
    receiver = startTestReceiver();
  });
  afterAll(() => receiver.stop());

  test("two workers never deliver one delivery at the same time, even when deliveries outlast the lease", async () => {
    const endpointId = await register(ctx, receiver.url);
    // The recurring jobs run first: on PGlite (one connection) their transactions would hold up lease renewals.
    await ctx.app.jobs.createWorker().drain();
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push(await sendTest(ctx, endpointId));
    const slow = new Set(ids.slice(0, 16));
    // Slow answers outlast the 3 s lease: only its renewal (every second) keeps the other worker away. A shorter lease
    // would measure event-loop stalls of a loaded 2-core machine rather than the queue.
    receiver.respond = async (r) => {
      await Bun.sleep(slow.has(r.webhookId) ? 4000 : 5);
      return new Response(null, { status: 204 });
    };
    const workers = ["a", "b"].map((id) => ctx.app.jobs.createWorker({ id: `worker-${id}`, concurrency: 8, pollMs: 20, leaseMs: 3000 }));
    for (const w of workers) w.start();
    try {
      await receiver.waitFor(ids.length, 60_000);
      await Bun.sleep(800);
    } finally {
      await Promise.all(workers.map((w) => w.stop(2000)));
    }
    expect(receiver.overlaps).toEqual([]);
    const counts = new Map<string, number>();
    for (const r of receiver.received) counts.set(r.webhookId, (counts.get(r.webhookId) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const delivered = await call(ctx, `/api/v2/webhooks/deliveries?status=delivered&limit=1`, { token: ctx.admin });
    expect(delivered.body.data.total).toBe(ids.length);
  }, 90_000);
});

describe("a worker killed mid-delivery", () => {
  const ctx = useTestApp({ env: () => ({ WEBHOOK_ALLOW_PRIVATE: "true" }) });
  let receiver: TestReceiver;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  beforeAll(() => {
    // The first request is held (never answered while its worker lives); later ones succeed.
    receiver = startTestReceiver(async (_r, index) => {
      if (index === 0) await held;
      return new Response(null, { status: 204 });
    });
  });
  afterAll(async () => {
    release();
    await receiver.stop();
  });

  test(`the delivery is made again with the same webhook-id (${testDatabaseKind === "postgres" ? "child worker process, SIGKILL" : "PGlite: worker.abandon()"})`, async () => {
    const endpointId = await register(ctx, receiver.url);
    const id = await sendTest(ctx, endpointId);
    const leaseMs = 1000;
    if (testDatabaseKind === "postgres") {
      const url = (ctx.app.database as { url?: string }).url;
      expect(url).toBeDefined();
      const dataDir = mkdtempSync(join(tmpdir(), "thotis-worker-"));
      const child = spawn(process.execPath, ["server/worker.ts"], {
        cwd: join(import.meta.dir, "../../.."),
        env: {
          ...process.env,
          DATABASE_URL: url,
          DATA_DIR: dataDir,
          THOTIS_JWT_SECRET: TEST_JWT_SECRET,
          WEBHOOK_ALLOW_PRIVATE: "true",
          WORKER_POLL_MS: "50",
          WORKER_LEASE_MS: String(leaseMs),
          LOG_LEVEL: "warn",
          REDIS_URL: "",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      try {
        await receiver.waitFor(1, 40_000);
      } finally {
        child.kill("SIGKILL");
        await new Promise((resolve) => child.once("exit", resolve));
        rmSync(dataDir, { recursive: true, force: true });
      }
    } else {
      const doomed = ctx.app.jobs.createWorker({ id: "doomed", pollMs: 20, leaseMs });
      doomed.start();
      await receiver.waitFor(1, 10_000);
      await doomed.abandon();
    }
    const killedAt = performance.now();
    // The dead worker's lease, as it left it.
    const [job] = (await ctx.app.jobs.queue.list({ kind: "webhook.deliver" })).items;
    expect(job).toMatchObject({ status: "running", payload: { deliveryId: id } });
    const leaseEnd = job!.lockedUntil!.getTime();
    const survivor = ctx.app.jobs.createWorker({ id: "survivor", pollMs: 20, leaseMs });
    survivor.start();
    try {
      const [first, second] = await receiver.waitFor(2, 20_000);
      expect(first!.webhookId).toBe(id);
      expect(second!.webhookId).toBe(id);
      expect(second!.body).toBe(first!.body);
      // Not before the dead worker's lease ran out.
      expect(second!.wall).toBeGreaterThanOrEqual(leaseEnd - 20);
      expect(second!.at - killedAt).toBeLessThan(10_000);
      const d = await waitForDelivery(ctx, id, (x) => x.status === "delivered");
      expect(d.attempts.at(-1)).toMatchObject({ statusCode: 204 });
    } finally {
      await survivor.stop(1000);
    }
  }, 90_000);
});
