import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import type { Database, DatabaseHandle } from "../../db/client.ts";
import { jobs } from "../../db/schema/index.ts";
import { fixedClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { createTestDatabase, testDatabaseKind } from "../test-support/database.ts";
import { createJobQueue } from "./queue.ts";
import { createJobRegistry, createWorker, DATABASE_RETRY_MS, PermanentJobError } from "./worker.ts";

/**
 * The durable queue on the real database (PGlite, or Postgres with TEST_DATABASE_URL): transactional enqueue,
 * dedupe, retries with backoff, dead letter and replay, lease expiry after a crash, and exclusive claims.
 */
let handle: DatabaseHandle;
let db: Database;
const logger = createLogger("silent");

beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  await db.delete(jobs);
});

function setup(at = "2026-06-01T10:00:00Z") {
  const clock = fixedClock(at);
  const registry = createJobRegistry();
  const queue = createJobQueue({ db, clock, maxAttemptsFor: registry.maxAttemptsFor });
  const worker = (options: { id?: string; leaseMs?: number; concurrency?: number } = {}) =>
    createWorker({ db, clock, logger, registry, queue, pollMs: 20, ...options });
  return { clock, registry, queue, worker };
}

const rowOf = async (id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!;

describe("enqueue", () => {
  test("a job enqueued in a transaction that rolls back does not exist; a committed one runs", async () => {
    const { registry, queue, worker } = setup();
    const ran: unknown[] = [];
    registry.register("note", { handler: async (payload) => void ran.push(payload) });
    await db
      .transaction(async (txn) => {
        await queue.enqueue(txn as unknown as Database, { kind: "note", payload: { n: 1 } });
        throw new Error("the change fails");
      })
      .catch(() => {});
    expect((await queue.list()).total).toBe(0);
    await db.transaction(async (txn) => {
      await queue.enqueue(txn as unknown as Database, { kind: "note", payload: { n: 2 } });
    });
    expect(await worker().drain()).toBe(1);
    expect(ran).toEqual([{ n: 2 }]);
  });

  test("the same dedupe key enqueues once", async () => {
    const { queue } = setup();
    const first = await queue.enqueue(db, { kind: "k", payload: {}, dedupeKey: "once" });
    const second = await queue.enqueue(db, [
      { kind: "k", payload: {}, dedupeKey: "once" },
      { kind: "k", payload: {}, dedupeKey: "other" },
    ]);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect((await queue.list()).total).toBe(2);
  });

  test("a job scheduled for later waits for its time", async () => {
    const { clock, registry, queue, worker } = setup();
    let runs = 0;
    registry.register("later", { handler: async () => void runs++ });
    await queue.enqueue(db, { kind: "later", payload: {}, runAt: new Date(clock.now().getTime() + 3_600_000) });
    const w = worker();
    expect(await w.drain()).toBe(0);
    clock.advance(3_600_000);
    expect(await w.drain()).toBe(1);
    expect(runs).toBe(1);
  });
});

describe("retries and dead letter", () => {
  test("failures retry after the kind's backoff, then the job is dead with its last error; replay runs it again", async () => {
    const { clock, registry, queue, worker } = setup();
    let calls = 0;
    let fail = true;
    registry.register("flaky", {
      maxAttempts: 3,
      backoffMs: (attempt) => attempt * 1000,
      handler: async () => {
        calls++;
        if (fail) throw new Error(`boom ${calls}`);
      },
    });
    const [id] = await queue.enqueue(db, { kind: "flaky", payload: {} });
    const w = worker();
    expect(await w.drain()).toBe(1);
    let row = await rowOf(id!);
    expect(row.status).toBe("pending");
    expect(row.attempts).toBe(1);
    expect(row.runAt.getTime() - clock.now().getTime()).toBe(1000);
    expect(row.lastError).toBe("boom 1");

    clock.advance(999);
    expect(await w.drain()).toBe(0);
    clock.advance(1);
    expect(await w.drain()).toBe(1);
    row = await rowOf(id!);
    expect(row.runAt.getTime() - clock.now().getTime()).toBe(2000);

    clock.advance(2000);
    expect(await w.drain()).toBe(1);
    row = await rowOf(id!);
    expect(row.status).toBe("dead");
    expect(row.attempts).toBe(3);
    expect(row.lastError).toBe("boom 3");
    expect((await queue.list({ status: "dead" })).items.map((j) => j.id)).toEqual([id!]);
    expect((await queue.stats()).dead).toBe(1);

    fail = false;
    expect((await queue.replay(id!))?.status).toBe("pending");
    expect(await w.drain()).toBe(1);
    row = await rowOf(id!);
    expect(row.status).toBe("succeeded");
    expect(calls).toBe(4);
    // Only dead or finished jobs can be replayed.
    await queue.enqueue(db, { kind: "flaky", payload: {}, runAt: new Date(clock.now().getTime() + 60_000) });
    const pending = (await queue.list({ status: "pending" })).items[0]!;
    expect(await queue.replay(pending.id)).toBeNull();
  });

  test("a job cut short by a database connection error runs again after a second, its attempt given back", async () => {
    const { clock, registry, queue, worker } = setup();
    let calls = 0;
    registry.register("interrupted", {
      maxAttempts: 1,
      backoffMs: () => 30_000,
      handler: async () => {
        calls++;
        // As Drizzle wraps the driver's error: the connection code sits on the cause.
        if (calls === 1) throw new Error("Failed query: select 1", { cause: Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }) });
      },
    });
    const [id] = await queue.enqueue(db, { kind: "interrupted", payload: {} });
    const w = worker();
    expect(await w.drain()).toBe(1);
    const row = await rowOf(id!);
    // Not dead although its only attempt failed, and due in a second rather than after the kind's 30 s backoff.
    expect({ status: row.status, attempts: row.attempts, dueInMs: row.runAt.getTime() - clock.now().getTime() }).toEqual({
      status: "pending",
      attempts: 0,
      dueInMs: DATABASE_RETRY_MS,
    });
    clock.advance(DATABASE_RETRY_MS);
    expect(await w.drain()).toBe(1);
    expect({ status: (await rowOf(id!)).status, calls }).toEqual({ status: "succeeded", calls: 2 });
  });

  test("a permanent error skips the remaining attempts; an unknown kind is dead at once", async () => {
    const { registry, queue, worker } = setup();
    registry.register("hopeless", {
      maxAttempts: 5,
      handler: async () => {
        throw new PermanentJobError("gone for good");
      },
    });
    const [a] = await queue.enqueue(db, { kind: "hopeless", payload: {} });
    const [b] = await queue.enqueue(db, { kind: "nobody-handles-this", payload: {} });
    await worker().drain();
    expect((await rowOf(a!)).status).toBe("dead");
    expect((await rowOf(a!)).attempts).toBe(1);
    expect((await rowOf(b!)).status).toBe("dead");
    expect((await rowOf(b!)).lastError).toContain("no handler");
  });

  test("drain() runs the retry of a job that failed while drain was claiming (CI saw the claim miss it)", async () => {
    const { clock, registry, queue } = setup();
    // The failing job waits for drain's next claim to read the time, then fails at once: its retry is written while
    // that claim runs, due a millisecond after the instant the claim looks for.
    let claimStarted: (() => void) | null = null;
    const watchedClock = {
      now() {
        const at = clock.now();
        claimStarted?.();
        return at;
      },
    };
    const w = createWorker({ db, clock: watchedClock, logger, registry, queue, pollMs: 20 });
    let calls = 0;
    let quickDone = false;
    registry.register("quick", { handler: async () => void (quickDone = true) });
    registry.register("fails-once", {
      maxAttempts: 2,
      backoffMs: () => 0,
      handler: async (_payload, { job }) => {
        calls++;
        if (job.attempts > 1) return;
        await new Promise<void>((resolve) => {
          claimStarted = () => {
            if (!quickDone || w.activeCount() > 1) return;
            claimStarted = null;
            resolve();
          };
        });
        clock.advance(1);
        throw new Error("first attempt fails");
      },
    });
    const [, retried] = await queue.enqueue(db, [{ kind: "quick", payload: {} }, { kind: "fails-once", payload: {} }]);
    await w.drain();
    expect(calls).toBe(2);
    expect((await rowOf(retried!)).status).toBe("succeeded");
  });
});

describe("crashes and concurrency", () => {
  test("a worker that dies mid-job loses nothing: the lease runs out and another worker runs the job again", async () => {
    const { clock, registry, queue, worker } = setup();
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    registry.register("slow", {
      handler: async (_payload, ctx) => {
        seen.push(`${ctx.attempt}`);
        if (ctx.attempt === 1) await held;
      },
    });
    const [id] = await queue.enqueue(db, { kind: "slow", payload: {} });
    const first = worker({ id: "first", leaseMs: 30_000 });
    first.start();
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(seen).toEqual(["1"]);
    await first.abandon(); // the process "dies": nothing more is written
    expect((await rowOf(id!)).status).toBe("running");

    const second = worker({ id: "second" });
    expect(await second.drain()).toBe(0); // the lease still holds
    clock.advance(30_001);
    expect(await second.drain()).toBe(1);
    const row = await rowOf(id!);
    expect(row.status).toBe("succeeded");
    expect(row.attempts).toBe(2);
    expect(seen).toEqual(["1", "2"]);

    // The first worker's late finish cannot overwrite the second's result (fenced on owner and attempt).
    release();
    await Bun.sleep(20);
    expect((await rowOf(id!)).lockedBy).toBeNull();
    expect((await rowOf(id!)).status).toBe("succeeded");
  });

  test("two workers never run one job at the same time, and every job runs exactly once", async () => {
    const { registry, queue, worker } = setup();
    const running = new Set<number>();
    const runs = new Map<number, number>();
    let overlaps = 0;
    registry.register("work", {
      handler: async (payload: { n: number }) => {
        if (running.has(payload.n)) overlaps++;
        running.add(payload.n);
        runs.set(payload.n, (runs.get(payload.n) ?? 0) + 1);
        await Bun.sleep(1 + (payload.n % 3));
        running.delete(payload.n);
      },
    });
    const total = 150;
    await queue.enqueue(
      db,
      Array.from({ length: total }, (_, n) => ({ kind: "work", payload: { n } })),
    );
    const a = worker({ id: "a", concurrency: 8 });
    const b = worker({ id: "b", concurrency: 8 });
    const [ranA, ranB] = await Promise.all([a.drain(), b.drain()]);
    expect(ranA + ranB).toBe(total);
    expect(overlaps).toBe(0);
    expect(runs.size).toBe(total);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    if (testDatabaseKind === "postgres") {
      // On a real server both workers took a share (PGlite serialises them on one connection).
      expect(Math.min(ranA, ranB)).toBeGreaterThan(0);
    }
    const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(jobs).where(sql`status <> 'succeeded'`);
    expect(left!.n).toBe(0);
  });

  test("a recurring job is enqueued once per period however many workers see the period start", async () => {
    const clock = fixedClock("2026-06-01T10:00:10Z");
    const registry = createJobRegistry();
    const queue = createJobQueue({ db, clock });
    let runs = 0;
    registry.register("sweep", { handler: async () => void runs++ });
    const make = (id: string) =>
      createWorker({ db, clock, logger, registry, queue, id, recurring: [{ kind: "sweep", everyMs: 60_000 }] });
    const [a, b] = [make("a"), make("b")];
    await Promise.all([a.drain(), b.drain()]);
    await a.drain();
    expect(runs).toBe(1);
    clock.advance(60_000);
    await Promise.all([a.drain(), b.drain()]);
    expect(runs).toBe(2);
  });

  test("a live worker picks up a new job at once when poked, and stop() waits for running jobs", async () => {
    const { registry, queue, worker } = setup();
    let finished = 0;
    registry.register("quick", {
      handler: async () => {
        await Bun.sleep(30);
        finished++;
      },
    });
    const w = createWorker({ db, clock: { now: () => new Date() }, logger, registry, queue, pollMs: 60_000 });
    w.start();
    await Bun.sleep(50); // idle now, sleeping up to a minute
    await queue.enqueue(db, { kind: "quick", payload: {}, runAt: new Date() });
    const started = Date.now();
    queue.poke();
    while (w.activeCount() === 0 && finished === 0 && Date.now() - started < 5000) await Bun.sleep(5);
    expect(Date.now() - started).toBeLessThan(2000);
    await w.stop();
    expect(finished).toBe(1);
  });
});

describe("a stopping worker (SIGTERM)", () => {
  test("hands back a job that outlasts the grace period: pending, due at once, attempt counted, not dead", async () => {
    const { registry, queue, worker } = setup();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let ran = false;
    let hang = true;
    registry.register("long", {
      maxAttempts: 1,
      handler: (_payload, ctx) =>
        !hang
          ? Promise.resolve(void (ran = true))
          : new Promise((_, reject) => {
          started();
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
        }),
    });
    const [job] = await queue.enqueue(db, { kind: "long", payload: {} });
    const w = worker();
    w.start();
    await running;
    await w.stop(50);
    const row = await rowOf(job!);
    // maxAttempts 1: a failure would be dead; a shutdown is no failure of the job.
    expect(row.status).toBe("pending");
    expect(row.lockedBy).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.runAt.getTime()).toBeLessThanOrEqual(Date.parse("2026-06-01T10:00:00Z"));
    expect(row.lastError).toContain("released by a stopping worker");
    // Another worker takes it at once.
    hang = false;
    expect(await worker().drain()).toBe(1);
    expect(ran).toBe(true);
  });
});
