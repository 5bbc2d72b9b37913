import type { Logger } from "../lib/logger.ts";

/**
 * Runs `stop` once on SIGINT or SIGTERM (a second signal while stopping is ignored), then exits. Shared by the server
 * and the dedicated worker so both drain their jobs and flush error reports the same way.
 */
export function stopOnSignals(logger: Logger, message: string, stop: () => Promise<void>, details: () => Record<string, unknown> = () => ({})) {
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(message, { signal, ...details() });
    await stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void onSignal("SIGINT"));
  process.on("SIGTERM", () => void onSignal("SIGTERM"));
}
