import type { ErrorReporter } from "../integrations/errors/port.ts";
import type { Logger } from "../lib/logger.ts";

/**
 * Runs `stop` once on SIGINT or SIGTERM (a second signal while stopping is ignored), then exits. Shared by the server
 * and the dedicated worker so both drain their jobs and flush error reports the same way. `stop` is bounded by
 * `hardLimitMs`: a step that hangs (a pool closing on a dead network) cannot keep the process from ending.
 */
export function stopOnSignals(
  logger: Logger,
  message: string,
  stop: () => Promise<void>,
  details: () => Record<string, unknown> = () => ({}),
  hardLimitMs = 30_000,
) {
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info(message, { signal, ...details() });
    const limit = setTimeout(() => {
      logger.error("shutdown took too long; exiting", { limitMs: hardLimitMs });
      process.exit(1);
    }, hardLimitMs);
    try {
      await stop();
    } catch (error) {
      logger.error("shutdown step failed", { error: error instanceof Error ? error.message : String(error) });
    }
    clearTimeout(limit);
    logger.info("stopped", { ms: Date.now() - started });
    process.exit(0);
  };
  process.on("SIGINT", () => void onSignal("SIGINT"));
  process.on("SIGTERM", () => void onSignal("SIGTERM"));
}

/**
 * The last guard: an error nobody caught (a driver callback, a forgotten promise) is logged and reported to Sentry,
 * and the process keeps serving. Exiting would turn one dropped connection into an outage of every request the
 * process holds; the driver faults that used to end here are fixed where they live (db/patch-postgres.mjs).
 */
export function installLastGuard(logger: Logger): { reportTo(reporter: ErrorReporter): void } {
  // Installed before start-up (a fault there is guarded too); the reporter exists only once the app is built.
  let reporter: ErrorReporter | undefined;
  const handle = (kind: "uncaughtException" | "unhandledRejection") => (error: unknown) => {
    logger.error(`${kind} (process kept running)`, {
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    try {
      reporter?.capture({ error, tags: { feature: "process", errorCode: kind.toUpperCase() }, logged: true });
    } catch {
      // Reporting must never throw from here.
    }
  };
  process.on("uncaughtException", handle("uncaughtException"));
  process.on("unhandledRejection", handle("unhandledRejection"));
  return {
    reportTo(next) {
      reporter = next;
    },
  };
}
