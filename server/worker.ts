import { join } from "node:path";
import { createDatabase } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { systemClock } from "./lib/clock.ts";
import { createLogger } from "./lib/logger.ts";
import { localMediaStorage } from "./lib/media-storage.ts";
import { installLastGuard, stopOnSignals } from "./runtime/shutdown.ts";
import { createStore } from "./store/index.ts";

/**
 * A dedicated job worker (`npm run worker`): the same app and handlers as the server, no HTTP listener. Run as many
 * as needed next to API processes started with RUN_WORKER=false; they share the queue through Postgres.
 */
async function main() {
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new ConfigError("npm run worker needs DATABASE_URL: the embedded database belongs to the server process, which runs its own worker");
  }
  const logger = createLogger(config.logLevel);
  const lastGuard = installLastGuard(logger);
  const database = await createDatabase({
    url: config.databaseUrl,
    maxConnections: Math.max(2, Math.min(config.databasePoolSize, config.worker.concurrency + 2)),
    connectTimeoutMs: config.faults.connectTimeoutMs,
    statementTimeoutMs: config.faults.statementTimeoutMs,
  });
  await migrateDatabase(database);
  const store = createStore({ redisUrl: config.redisUrl });
  const { jobs, reporter } = createApp({ config, db: database.db, store, clock: systemClock, logger, media: localMediaStorage(config.mediaDir) });
  lastGuard.reportTo(reporter);
  const worker = jobs.createWorker(config.worker);
  worker.start();
  // A worker has no listener: while the database is unreachable its loop may wait on nothing but a driver promise,
  // and a runtime with an empty event loop would end the process (exit 0, seen during outages). This timer keeps it
  // alive until it is told to stop.
  const keepAlive = setInterval(() => {}, 60_000);
  logger.info("job worker started", { worker: worker.id, concurrency: config.worker.concurrency, kinds: jobs.registry.kinds() });

  stopOnSignals(
    logger,
    "worker stopping",
    async () => {
      // Running jobs get SHUTDOWN_TIMEOUT_MS to finish; the rest are handed back for another worker to take at once.
      await worker.stop(config.faults.shutdownTimeoutMs);
      clearInterval(keepAlive);
      // Dead jobs are reported to Sentry in the background: send the last ones before the process ends.
      await reporter.flush(2000);
      await store.close();
      await database.close();
    },
    () => ({ running: worker.activeCount() }),
    config.faults.shutdownTimeoutMs + 15_000,
  );
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : `Thotis worker failed to start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
