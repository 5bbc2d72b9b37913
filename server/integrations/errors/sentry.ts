import type { Logger } from "../../lib/logger.ts";
import { createLogReporter } from "./log-reporter.ts";
import type { ErrorReport, ErrorReporter } from "./port.ts";

export interface SentryOptions {
  dsn: string;
  environment: string;
  release?: string;
}

/**
 * Sentry through @sentry/bun, loaded only when SENTRY_DSN is set and we run on Bun (the SDK is Bun-specific; on Deno
 * the log reporter stays, and the start says so). A client of our own with its own scope, not `Sentry.init`: no
 * process-wide state, no automatic instrumentation of fetch or the HTTP server, and two apps in one process (tests)
 * report to their own DSN. Every report is also written to the log, so logs stay complete.
 */
export function createSentryReporter(options: SentryOptions, deps: { logger: Logger; runtime: "bun" | "deno" }): ErrorReporter {
  const log = createLogReporter(deps.logger);
  if (deps.runtime !== "bun") {
    deps.logger.warn("SENTRY_DSN is set but @sentry/bun needs Bun: errors are only logged", { runtime: deps.runtime });
    return log;
  }
  const loading = loadSentry(options).catch((error) => {
    deps.logger.error("Sentry could not start: errors are only logged", { error: error instanceof Error ? error.message : String(error) });
    return null;
  });
  const pending = new Set<Promise<unknown>>();
  return {
    kind: "sentry",
    capture(report) {
      log.capture(report);
      const sending = loading.then((sentry) => sentry?.capture(report)).catch(() => {});
      pending.add(sending);
      void sending.finally(() => pending.delete(sending));
    },
    async flush(timeoutMs = 2000) {
      const sentry = await loading;
      await Promise.all(pending);
      return sentry ? sentry.flush(timeoutMs) : true;
    },
  };
}

async function loadSentry(options: SentryOptions) {
  const Sentry = await import("@sentry/bun");
  // BunClient is marked deprecated only because Sentry.init no longer uses it; it is still the SDK's client for
  // setting one up by hand, which is what keeps this free of global state.
  const client = new Sentry.BunClient({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    transport: Sentry.makeFetchTransport,
    stackParser: Sentry.defaultStackParser,
    // No dedupe: two requests failing the same way are two events. Linked errors keep Drizzle's `cause` chain.
    integrations: [Sentry.linkedErrorsIntegration()],
  });
  const base = new Sentry.Scope();
  base.setClient(client);
  client.init();
  return {
    capture(report: ErrorReport) {
      const scope = base.clone();
      if (report.user) scope.setUser({ id: report.user.id });
      scope.setTags({ feature: report.tags.feature, errorCode: report.tags.errorCode });
      if (report.requestId) scope.setTag("requestId", report.requestId);
      if (report.user?.role) scope.setTag("role", report.user.role);
      if (report.extra) scope.setContext("details", report.extra);
      const request = report.request;
      if (request) {
        const query = new URL(request.url).search.slice(1);
        scope.addEventProcessor((event) => ({
          ...event,
          request: { method: request.method, url: request.url, headers: request.headers, query_string: query || undefined, data: request.data },
        }));
      }
      const error = report.error instanceof Error ? report.error : new Error(String(report.error));
      scope.captureException(error);
    },
    flush: (timeoutMs: number) => client.flush(timeoutMs),
  };
}
