import { and, eq, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type Job, jobs } from "../../db/schema/index.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { JobQueue } from "./queue.ts";
import { causeChain } from "../lib/errors.ts";
import { isDatabaseUnavailable } from "../faults/database.ts";

export interface JobContext {
  job: Job;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the kind's timeout passes or the worker stops. */
  signal: AbortSignal;
}

export interface JobKind<P = any> {
  handler(payload: P, context: JobContext): Promise<void>;
  maxAttempts?: number;
  /** Delay before the next attempt after a failed attempt number `attempt` (1-based). */
  backoffMs?(attempt: number): number;
  timeoutMs?: number;
}

/** Thrown by a handler when retrying cannot help (the job goes straight to the dead-letter state). */
export class PermanentJobError extends Error {}

export type JobRegistry = ReturnType<typeof createJobRegistry>;

export function createJobRegistry() {
  const kinds = new Map<string, JobKind>();
  return {
    register<P>(kind: string, definition: JobKind<P>) {
      if (kinds.has(kind)) throw new Error(`job kind ${kind} registered twice`);
      kinds.set(kind, definition as JobKind);
    },
    get: (kind: string) => kinds.get(kind),
    maxAttemptsFor: (kind: string) => kinds.get(kind)?.maxAttempts,
    kinds: () => [...kinds.keys()],
  };
}

/** A job enqueued once per period, whichever process notices first (the period index is its dedupe key). */
export interface RecurringJob {
  kind: string;
  everyMs: number;
  payload?: Record<string, unknown>;
}

/** Default retry delay: 10 s doubling each attempt, at most an hour. */
/** How soon a job cut short by a database connection error runs again. */
export const DATABASE_RETRY_MS = 1000;

export const defaultBackoff = (attempt: number) => Math.min(3_600_000, 10_000 * 2 ** (attempt - 1));

export interface WorkerDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  registry: JobRegistry;
  queue: JobQueue;
  /** Distinguishes this worker's leases; default a random id. */
  id?: string;
  /** Jobs run at the same time by this worker. */
  concurrency?: number;
  /** Longest idle wait before looking for due jobs again (other processes' jobs are seen this way). */
  pollMs?: number;
  /** A claimed job belongs to this worker this long; the lease is renewed while the handler runs. */
  leaseMs?: number;
  recurring?: RecurringJob[];
  /** Told about every job that reaches the dead-letter state (error reporting: Sentry or the log). */
  onDead?: (job: Job, error: unknown) => void;
}

export type Worker = ReturnType<typeof createWorker>;

/**
 * Claims due jobs with FOR UPDATE SKIP LOCKED, so several workers (threads of one process or separate processes)
 * never take the same job, and runs them under a lease. A job whose worker died (lease expired) is claimed again.
 * Completion is fenced on (locked_by, attempts): a worker that lost its lease cannot overwrite the new owner's result.
 */
export function createWorker(deps: WorkerDeps) {
  const { db, clock, logger, registry, queue } = deps;
  const id = deps.id ?? `worker-${crypto.randomUUID().slice(0, 8)}`;
  const concurrency = deps.concurrency ?? 16;
  const pollMs = deps.pollMs ?? 1000;
  const leaseMs = deps.leaseMs ?? 30_000;
  const active = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  const lastPeriod = new Map<string, number>();
  let stopped = true;
  let loopDone: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  let saturated = false;
  const refillAt = Math.max(1, Math.floor(concurrency / 4));
  // Set by abandon(): the worker then behaves as if its process died, writing nothing more.
  let crashed = false;

  queue.onPoke(() => wake?.());

  async function claim(limit: number): Promise<Job[]> {
    const now = clock.now();
    // Due jobs first, each kind of candidate through its own partial index: an OR of "due" and "lease expired" would
    // sort every due job on each claim (10,000 queued jobs cost milliseconds per claim). Expired leases are looked
    // for when due jobs leave room. UPDATE … RETURNING gives the claimed rows in the same round trip.
    const due = await claimWhere(and(eq(jobs.status, "pending"), lte(jobs.runAt, now))!, limit, now, true);
    if (due.length >= limit) return due;
    const expired = await claimWhere(and(eq(jobs.status, "running"), lt(jobs.lockedUntil, now))!, limit - due.length, now, false);
    return [...due, ...expired];
  }

  function claimWhere(where: SQL, limit: number, now: Date, byRunAt: boolean): Promise<Job[]> {
    const candidates = db
      .select({ id: jobs.id })
      .from(jobs)
      .where(where)
      // run_at alone follows the partial index; adding id would sort every job sharing a run_at (a bulk enqueue).
      .orderBy(byRunAt ? jobs.runAt : jobs.lockedUntil)
      .limit(limit)
      .for("update", { skipLocked: true });
    return db
      .update(jobs)
      .set({ status: "running", attempts: sql`${jobs.attempts} + 1`, lockedBy: id, lockedUntil: new Date(now.getTime() + leaseMs), updatedAt: now })
      .where(inArray(jobs.id, candidates))
      .returning();
  }

  async function nextDueInMs(): Promise<number> {
    const [row] = await db
      .select({ next: sql<Date | string | null>`min(${jobs.runAt})` })
      .from(jobs)
      .where(eq(jobs.status, "pending"));
    if (!row?.next) return pollMs;
    return Math.max(0, Math.min(pollMs, new Date(row.next).getTime() - clock.now().getTime()));
  }

  const fence = (job: Job) => and(eq(jobs.id, job.id), eq(jobs.lockedBy, id), eq(jobs.attempts, job.attempts));

  async function execute(job: Job): Promise<void> {
    const kind = registry.get(job.kind);
    const controller = new AbortController();
    controllers.add(controller);
    const heartbeat = setInterval(() => {
      if (crashed) return;
      const until = new Date(clock.now().getTime() + leaseMs);
      db.update(jobs)
        .set({ lockedUntil: until })
        .where(fence(job))
        .catch((error) => logger.warn("job lease renewal failed", { jobId: job.id, error: String(error) }));
    }, Math.max(50, leaseMs / 3));
    const timeout = kind?.timeoutMs ? setTimeout(() => controller.abort(new Error("job timed out")), kind.timeoutMs) : undefined;
    try {
      if (!kind) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      await kind.handler(job.payload, { job, attempt: job.attempts, signal: controller.signal });
      if (crashed) return;
      await markSucceeded(job);
    } catch (error) {
      if (crashed) return;
      const message = describeFailure(error).slice(0, 2000);
      const now = clock.now();
      // Cut short by a stopping worker (SIGTERM): hand the job back for another worker to take at once, neither
      // delayed by a backoff nor dead-lettered for a shutdown that is no fault of its own. The attempt stays counted.
      if (stopped && controller.signal.aborted) {
        logger.warn("job released by a stopping worker", { jobId: job.id, kind: job.kind, attempt: job.attempts });
        await db
          .update(jobs)
          .set({ status: "pending", runAt: now, updatedAt: now, lockedBy: null, lockedUntil: null, lastError: `released by a stopping worker: ${message}` })
          .where(fence(job));
        return;
      }
      // The database dropped the connection under the handler (a restart, a cut, a killed backend): not the job's
      // fault. It runs again shortly, its attempt given back, instead of waiting out a backoff meant for its own
      // failures (30 s for an e-mail) or being dead-lettered by an outage.
      if (isDatabaseUnavailable(error)) {
        logger.warn("job interrupted by the database, will retry", { jobId: job.id, kind: job.kind, attempt: job.attempts, retryInMs: DATABASE_RETRY_MS, error: message });
        await db
          .update(jobs)
          .set({
            status: "pending",
            attempts: job.attempts - 1,
            runAt: new Date(now.getTime() + DATABASE_RETRY_MS),
            updatedAt: now,
            lockedBy: null,
            lockedUntil: null,
            lastError: message,
          })
          .where(fence(job));
        return;
      }
      const dead = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      if (dead) {
        logger.error("job moved to the dead-letter state", { jobId: job.id, kind: job.kind, attempts: job.attempts, error: message });
        try {
          deps.onDead?.(job, error);
        } catch (reportError) {
          logger.warn("reporting a dead job failed", { jobId: job.id, error: String(reportError) });
        }
        await db
          .update(jobs)
          .set({ status: "dead", finishedAt: now, updatedAt: now, lockedBy: null, lockedUntil: null, lastError: message })
          .where(fence(job));
      } else {
        const delay = (kind?.backoffMs ?? defaultBackoff)(job.attempts);
        logger.warn("job failed, will retry", { jobId: job.id, kind: job.kind, attempt: job.attempts, retryInMs: delay, error: message });
        await db
          .update(jobs)
          .set({ status: "pending", runAt: new Date(now.getTime() + delay), updatedAt: now, lockedBy: null, lockedUntil: null, lastError: message })
          .where(fence(job));
      }
    } finally {
      clearInterval(heartbeat);
      if (timeout) clearTimeout(timeout);
      controllers.delete(controller);
    }
  }

  // Successes are written in batches: jobs finishing within a couple of milliseconds share one fenced UPDATE. The job
  // keeps its slot until its batch is written, so "succeeded" is on disk before the worker takes more work.
  let succeeded: { job: Job; done(error?: unknown): void }[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const SUCCESS_BATCH = 64;

  function markSucceeded(job: Job): Promise<void> {
    return new Promise((resolve, reject) => {
      succeeded.push({ job, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (succeeded.length >= SUCCESS_BATCH) void flushSucceeded();
      else flushTimer ??= setTimeout(() => void flushSucceeded(), 2);
    });
  }

  async function flushSucceeded(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const batch = succeeded;
    succeeded = [];
    if (batch.length === 0) return;
    if (crashed) return void batch.forEach((b) => b.done());
    const now = clock.now();
    try {
      // Fenced like a single completion: only rows this worker still holds under the same attempt.
      const pairs = sql.join(
        batch.map(({ job }) => sql`(${job.id}::bigint, ${job.attempts}::int)`),
        sql`, `,
      );
      await db
        .update(jobs)
        .set({ status: "succeeded", finishedAt: now, updatedAt: now, lockedBy: null, lockedUntil: null, lastError: null })
        .where(and(eq(jobs.lockedBy, id), sql`(${jobs.id}, ${jobs.attempts}) in (${pairs})`));
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.done(error ?? new Error("completion batch failed"));
    }
  }

  async function scheduleRecurring(): Promise<void> {
    if (!deps.recurring?.length) return;
    const now = clock.now().getTime();
    const due = deps.recurring.filter((r) => lastPeriod.get(r.kind) !== Math.floor(now / r.everyMs));
    if (due.length === 0) return;
    await queue.enqueue(
      db,
      due.map((r) => {
        const period = Math.floor(now / r.everyMs);
        return { kind: r.kind, payload: r.payload ?? {}, dedupeKey: `recurring:${r.kind}:${period}`, runAt: new Date(period * r.everyMs) };
      }),
    );
    for (const r of due) lastPeriod.set(r.kind, Math.floor(now / r.everyMs));
  }

  /** Claims what is free and starts it; returns how many jobs were started. */
  async function fill(): Promise<number> {
    const free = concurrency - active.size;
    if (free <= 0) return 0;
    const claimed = await claim(free);
    for (const job of claimed) {
      const run: Promise<void> = execute(job)
        .catch((error) => logger.error("job bookkeeping failed", { jobId: job.id, error: String(error) }))
        .finally(() => {
          active.delete(run);
          // Refill a few slots at a time: one claim per freed slot would cost a round trip per job.
          if (saturated && concurrency - active.size >= refillAt) wake?.();
        });
      active.add(run);
    }
    saturated = active.size >= concurrency;
    return claimed.length;
  }

  function sleep(ms: number): Promise<void> {
    if (stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function loop() {
    while (!stopped) {
      let started = 0;
      try {
        await scheduleRecurring();
        started = await fill();
      } catch (error) {
        logger.error("worker poll failed", { error: error instanceof Error ? error.message : String(error) });
      }
      if (stopped) break;
      if (saturated) await sleep(pollMs);
      else if (started === 0) await sleep(await nextDueInMs().catch(() => pollMs));
    }
  }

  return {
    id,
    start() {
      if (!stopped) return;
      stopped = false;
      loopDone = loop();
    },
    /** Stops claiming, waits for running jobs (aborting them after `graceMs`). */
    async stop(graceMs = 10_000) {
      stopped = true;
      wake?.();
      await loopDone;
      const timer = setTimeout(() => {
        for (const c of controllers) c.abort(new Error("worker stopping"));
      }, graceMs);
      await Promise.allSettled([...active]);
      clearTimeout(timer);
    },
    /** Runs due jobs until none is left (tests and CLIs); returns how many ran. */
    async drain(): Promise<number> {
      await scheduleRecurring();
      let total = 0;
      for (;;) {
        // Done only when a claim that began with nothing running found nothing: a job's run leaves `active` after its
        // retry is written, so a claim racing that write may miss the job it puts back.
        const idle = active.size === 0;
        const started = await fill();
        total += started;
        if (started === 0 && idle && active.size === 0) return total;
        if (active.size > 0) await Promise.race(active);
      }
    },
    /** Releases nothing: simulates a crash for tests by forgetting running jobs (their leases must expire). */
    async abandon() {
      crashed = true;
      stopped = true;
      wake?.();
      for (const c of controllers) c.abort(new Error("abandoned"));
      await loopDone;
    },
    activeCount: () => active.size,
  };
}

/**
 * The message of a failed attempt with its causes: Drizzle's "Failed query: select ..." hides the driver's reason
 * (a closed connection, a timeout), which is the part an operator needs.
 */
function describeFailure(error: unknown): string {
  const parts: string[] = [];
  for (const link of causeChain(error)) {
    if (typeof link !== "object") {
      parts.push(String(link));
      break;
    }
    const e = link as { message?: unknown; code?: unknown };
    const message = String(e.message ?? e);
    const code = typeof e.code === "string" ? ` [${e.code}]` : "";
    parts.push(parts.length === 0 ? `${message.split("\nparams:")[0]}${code}` : `${message}${code}`);
  }
  return parts.length ? parts.join(" <- caused by: ") : String(error);
}

/** Deletes finished jobs older than `olderThanMs` (kept for a while so dedupe keys still protect late replays). */
export async function pruneFinishedJobs(db: Database, clock: Clock, olderThanMs: number): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - olderThanMs);
  const rows = await db
    .delete(jobs)
    .where(and(eq(jobs.status, "succeeded"), lt(jobs.finishedAt, cutoff)))
    .returning({ id: jobs.id });
  return rows.length;
}
