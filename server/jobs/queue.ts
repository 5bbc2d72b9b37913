import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { bound, prebuilt } from "../../db/prebuilt.ts";
import { type Job, type JobStatus, jobs } from "../../db/schema/index.ts";
import type { Clock } from "../lib/clock.ts";

/** What to run, when, and how many times at most. */
export interface JobSpec {
  kind: string;
  payload: Record<string, unknown>;
  /** Not before this instant; default now. */
  runAt?: Date;
  /** Enqueued at most once per key: a second enqueue with the same key is a no-op. */
  dedupeKey?: string;
  /** Default: the kind's registered maxAttempts, else 5. */
  maxAttempts?: number;
}

/**
 * The producer side of the durable queue. `enqueue` takes the transaction of the change that causes the job
 * (transactional outbox): the job exists if and only if the change commits.
 */
export interface JobQueue {
  enqueue(executor: Database, specs: JobSpec | JobSpec[]): Promise<number[]>;
  /** Wakes the in-process worker at once instead of at its next poll (call after the enqueuing transaction commits). */
  poke(): void;
  list(filter?: { status?: JobStatus; kind?: string; limit?: number; offset?: number }): Promise<{ items: Job[]; total: number }>;
  /** Makes a pending job that waits for a later run_at due now (e.g. a message held until a calendar link is set). */
  runNow(dedupeKey: string): Promise<boolean>;
  /**
   * Puts a dead (or succeeded) job back in the queue with a fresh attempt budget; in `executor`'s transaction when
   * given (the caller pokes after its commit).
   */
  replay(id: number, executor?: Database): Promise<Job | null>;
  /** Counts by status, and the number of jobs due now (queue depth). */
  stats(): Promise<{ pending: number; due: number; running: number; dead: number; succeeded: number; oldestDueSeconds: number | null }>;
  /** Sets a listener the worker uses to hear about new work. */
  onPoke(listener: () => void): void;
}

export interface QueueDeps {
  db: Database;
  clock: Clock;
  /** Per-kind attempt budgets, read when a spec names none. */
  maxAttemptsFor?: (kind: string) => number | undefined;
}

export function createJobQueue(deps: QueueDeps): JobQueue {
  const { db, clock } = deps;
  const listeners: (() => void)[] = [];
  // One built statement per batch size (a booking enqueues 1 to 3 jobs); see db/prebuilt.ts.
  const inserts = new Map<number, ReturnType<typeof buildInsert>>();
  const buildInsert = (count: number) =>
    prebuilt(db, (d) =>
      d
        .insert(jobs)
        .values(
          Array.from({ length: count }, (_, i) => ({
            kind: bound(`kind${i}`),
            payload: bound(`payload${i}`),
            runAt: bound(`runAt${i}`),
            dedupeKey: bound(`dedupeKey${i}`),
            maxAttempts: bound(`maxAttempts${i}`),
            createdAt: bound("now"),
            updatedAt: bound("now"),
          })) as unknown as (typeof jobs.$inferInsert)[],
        )
        .onConflictDoNothing({ target: jobs.dedupeKey })
        .returning({ id: jobs.id })
        .prepare(`enqueue_${count}`),
    );
  const insertOf = (count: number) => {
    let statement = inserts.get(count);
    if (!statement) inserts.set(count, (statement = buildInsert(count)));
    return statement;
  };
  return {
    async enqueue(executor, input) {
      const specs = Array.isArray(input) ? input : [input];
      if (specs.length === 0) return [];
      const now = clock.now().toISOString();
      const values: Record<string, unknown> = { now };
      specs.forEach((s, i) => {
        values[`kind${i}`] = s.kind;
        values[`payload${i}`] = JSON.stringify(s.payload);
        values[`runAt${i}`] = s.runAt?.toISOString() ?? now;
        values[`dedupeKey${i}`] = s.dedupeKey ?? null;
        values[`maxAttempts${i}`] = s.maxAttempts ?? deps.maxAttemptsFor?.(s.kind) ?? 5;
      });
      const rows = await insertOf(specs.length).on(executor, values);
      return rows.map((r) => r.id);
    },

    poke() {
      for (const l of listeners) l();
    },

    onPoke(listener) {
      listeners.push(listener);
    },

    async list(filter = {}) {
      const where = and(
        filter.status ? eq(jobs.status, filter.status) : undefined,
        filter.kind ? eq(jobs.kind, filter.kind) : undefined,
      );
      const [items, [count]] = await Promise.all([
        db
          .select()
          .from(jobs)
          .where(where)
          .orderBy(desc(jobs.id))
          .limit(filter.limit ?? 50)
          .offset(filter.offset ?? 0),
        db.select({ n: sql<number>`count(*)::int` }).from(jobs).where(where),
      ]);
      return { items, total: count?.n ?? 0 };
    },

    async runNow(dedupeKey) {
      const now = clock.now();
      const rows = await db
        .update(jobs)
        .set({ runAt: now, updatedAt: now })
        .where(and(eq(jobs.dedupeKey, dedupeKey), eq(jobs.status, "pending"), gt(jobs.runAt, now)))
        .returning({ id: jobs.id });
      if (rows.length) this.poke();
      return rows.length > 0;
    },

    async replay(id, executor) {
      const now = clock.now();
      const [row] = await (executor ?? db)
        .update(jobs)
        .set({ status: "pending", attempts: 0, runAt: now, lockedBy: null, lockedUntil: null, finishedAt: null, updatedAt: now })
        .where(and(eq(jobs.id, id), inArray(jobs.status, ["dead", "succeeded"])))
        .returning();
      if (row && !executor) this.poke();
      return row ?? null;
    },

    async stats() {
      const now = clock.now();
      const at = sql`${now.toISOString()}::timestamptz`;
      const [row] = await db
        .select({
          pending: sql<number>`count(*) filter (where ${jobs.status} = 'pending')::int`,
          due: sql<number>`count(*) filter (where ${jobs.status} = 'pending' and ${jobs.runAt} <= ${at})::int`,
          running: sql<number>`count(*) filter (where ${jobs.status} = 'running')::int`,
          dead: sql<number>`count(*) filter (where ${jobs.status} = 'dead')::int`,
          succeeded: sql<number>`count(*) filter (where ${jobs.status} = 'succeeded')::int`,
          oldestDue: sql<Date | string | null>`min(${jobs.runAt}) filter (where ${jobs.status} = 'pending' and ${jobs.runAt} <= ${at})`,
        })
        .from(jobs);
      const oldest = row?.oldestDue ? new Date(row.oldestDue) : null;
      return {
        pending: row?.pending ?? 0,
        due: row?.due ?? 0,
        running: row?.running ?? 0,
        dead: row?.dead ?? 0,
        succeeded: row?.succeeded ?? 0,
        oldestDueSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : null,
      };
    },
  };
}
