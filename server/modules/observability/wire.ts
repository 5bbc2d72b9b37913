import { createErrorReporter } from "../../integrations/errors/index.ts";
import { createRequestMetrics } from "../../plugins/metrics.ts";
import { runtimeName } from "../../runtime/index.ts";
import type { SharedDeps } from "../../wiring/shared.ts";
import { createHealthService } from "./service.ts";

/** Request metrics (per process), error reporting (Sentry when configured) and the admin health view. */
export function wireObservability({ config, db, clock, logger, cache, jobs }: SharedDeps, version: string) {
  const startedAt = clock.now();
  const metrics = createRequestMetrics({ clock });
  const reporter = createErrorReporter({ sentry: config.sentry && { ...config.sentry, release: version }, logger, runtime: runtimeName });
  // A job that failed for good (dead letter) is an unhandled error too: it goes to Sentry like a 500 would.
  jobs.reportDeadJobsTo((job, error) =>
    reporter.capture({
      error,
      tags: { feature: job.kind.split(".")[0] ?? "jobs", errorCode: "JOB_DEAD_LETTER" },
      extra: { jobId: job.id, kind: job.kind, attempts: job.attempts },
      logged: true,
    }),
  );
  const health = createHealthService({ db, clock, queue: jobs.queue, metrics, cacheStats: cache.stats, startedAt, version, logger });
  return { startedAt, metrics, reporter, health };
}
