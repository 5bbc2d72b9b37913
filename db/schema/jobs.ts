import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";

export const jobStatuses = ["pending", "running", "succeeded", "dead"] as const;
export type JobStatus = (typeof jobStatuses)[number];
export const jobStatus = pgEnum("job_status", jobStatuses);

/**
 * The durable job queue (transactional outbox). A job is inserted in the same transaction as the change that causes
 * it; workers claim due jobs with FOR UPDATE SKIP LOCKED and hold a lease (locked_until), so a worker that dies
 * mid-job leaves a job another worker reclaims once the lease runs out.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: varchar("kind", { length: 64 }).notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: jobStatus("status").notNull().default("pending"),
    // A job with a key is enqueued at most once (ON CONFLICT DO NOTHING): one e-mail per event, one sweep per minute.
    dedupeKey: text("dedupe_key"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    lockedBy: text("locked_by"),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("jobs_dedupe_key").on(t.dedupeKey),
    index("jobs_due_idx").on(t.runAt).where(sql`status = 'pending'`),
    index("jobs_lease_idx").on(t.lockedUntil).where(sql`status = 'running'`),
    index("jobs_status_kind_idx").on(t.status, t.kind),
    check("jobs_attempts_range", sql`${t.attempts} >= 0 and ${t.maxAttempts} >= 1`),
  ],
);
export type Job = typeof jobs.$inferSelect;
