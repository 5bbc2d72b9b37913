import type { Logger } from "../../lib/logger.ts";
import { createLogReporter } from "./log-reporter.ts";
import type { ErrorReporter } from "./port.ts";
import { createSentryReporter, type SentryOptions } from "./sentry.ts";

export type { ErrorReport, ErrorReporter, SanitisedRequest } from "./port.ts";
export { createLogReporter } from "./log-reporter.ts";
export { featureOf, sanitiseRequest } from "./sanitise.ts";

/** Sentry when configured (and on Bun), else structured log lines. */
export function createErrorReporter(deps: { sentry?: SentryOptions; logger: Logger; runtime: "bun" | "deno" }): ErrorReporter {
  return deps.sentry ? createSentryReporter(deps.sentry, deps) : createLogReporter(deps.logger);
}
