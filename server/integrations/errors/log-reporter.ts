import type { Logger } from "../../lib/logger.ts";
import type { ErrorReport, ErrorReporter } from "./port.ts";
import { causeChain } from "../../lib/errors.ts";

/** The embedded default: one structured error line per unexpected failure, with its stack and the causes under it. */
export function createLogReporter(logger: Logger): ErrorReporter {
  return {
    kind: "log",
    capture(report) {
      if (report.logged) return;
      logger.error("unhandled error", logFields(report));
    },
    flush: async () => true,
  };
}

export function logFields(report: ErrorReport): Record<string, unknown> {
  const { error } = report;
  return {
    requestId: report.requestId,
    path: report.path,
    method: report.request?.method,
    userId: report.user?.id,
    feature: report.tags.feature,
    errorCode: report.tags.errorCode,
    error: error instanceof Error ? error.message : String(error),
    // Drizzle wraps the driver's error ("Failed query: ..."): the cause says what actually went wrong.
    cause: causesOf(error),
    stack: error instanceof Error ? error.stack : undefined,
    ...report.extra,
  };
}

function causesOf(error: unknown): string | undefined {
  const messages: string[] = [];
  for (const e of causeChain((error as { cause?: unknown } | undefined)?.cause, 4)) {
    messages.push(e instanceof Error ? `${e.name}: ${e.message}${"code" in e ? ` (${String(e.code)})` : ""}` : String(e));
  }
  return messages.length ? messages.join(" <- ") : undefined;
}
