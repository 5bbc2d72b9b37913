import type { Database } from "../../db/client.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { BookingEffects, BookingTransition } from "../modules/bookings/service.ts";
import { pipelined } from "../lib/pipelined.ts";
import { createJobQueue } from "./queue.ts";
import { createJobRegistry, createWorker, type RecurringJob, type WorkerDeps } from "./worker.ts";

export type { JobQueue, JobSpec } from "./queue.ts";
export { PermanentJobError, type JobContext, type JobKind, type JobRegistry, type Worker } from "./worker.ts";

/**
 * The job system one app shares: the queue producers write to, the handlers' registry, the recurring schedule, and
 * the booking side-effect hook that features (e-mails, webhooks) contribute to.
 */
export function createJobSystem(deps: { db: Database; clock: Clock; logger: Logger }) {
  const registry = createJobRegistry();
  const queue = createJobQueue({ db: deps.db, clock: deps.clock, maxAttemptsFor: registry.maxAttemptsFor });
  const recurring: RecurringJob[] = [];
  const bookingListeners: BookingEffects[] = [];
  let onDead: WorkerDeps["onDead"];
  return {
    queue,
    registry,
    /** Adds a job enqueued once per period by whichever worker sees the period start. */
    every(kind: string, everyMs: number, payload?: Record<string, unknown>) {
      recurring.push({ kind, everyMs, payload });
    },
    /** Features add what a booking change must cause; all of it is enqueued in the change's transaction. */
    onBookingTransition(listener: BookingEffects) {
      bookingListeners.push(listener);
    },
    /** The listeners' statements go out together (one round trip for all); none needs another's rows. */
    bookingEffects: (async (tx: Database, transition: BookingTransition) => {
      await pipelined(bookingListeners.map((listener) => listener(tx, transition)));
    }) satisfies BookingEffects,
    /** Where jobs that fail for good are reported (set once the error reporter exists). */
    reportDeadJobsTo(listener: NonNullable<WorkerDeps["onDead"]>) {
      onDead = listener;
    },
    createWorker(options: Partial<Pick<WorkerDeps, "id" | "concurrency" | "pollMs" | "leaseMs" | "recurring">> = {}) {
      return createWorker({ ...deps, registry, queue, recurring, onDead: (job, error) => onDead?.(job, error), ...options });
    },
  };
}

export type JobSystem = ReturnType<typeof createJobSystem>;
