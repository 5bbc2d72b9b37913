import { pruneFinishedJobs } from "../../jobs/worker.ts";
import type { SharedDeps } from "../../wiring/shared.ts";

/** Finished jobs are kept a week (their dedupe keys still stop late duplicates), then deleted. */
export function wireJobPruning({ db, clock, jobs }: SharedDeps) {
  jobs.registry.register("jobs.prune", { handler: async () => void (await pruneFinishedJobs(db, clock, 7 * 86_400_000)), maxAttempts: 3 });
  jobs.every("jobs.prune", 3_600_000);
}
