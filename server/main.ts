import { join } from "node:path";
import { createDatabase } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { seedDemoHistory } from "../db/seed/history.ts";
import { seedDemoData } from "../db/seed/index.ts";
import { seedConsoleAdmin } from "./modules/auth/service.ts";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { systemClock } from "./lib/clock.ts";
import { createLogger } from "./lib/logger.ts";
import { localMediaStorage } from "./lib/media-storage.ts";
import { signToken } from "./plugins/auth.ts";
import { serverBodyCap } from "./plugins/limits.ts";
import { runtimeName, serve } from "./runtime/index.ts";
import { installLastGuard, stopOnSignals } from "./runtime/shutdown.ts";
import { createStore } from "./store/index.ts";

/** Start-up only: configuration, database, HTTP listener. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const lastGuard = installLastGuard(logger);
  const database = await createDatabase(
    config.databaseUrl
      ? {
          url: config.databaseUrl,
          maxConnections: config.databasePoolSize,
          connectTimeoutMs: config.faults.connectTimeoutMs,
          statementTimeoutMs: config.faults.statementTimeoutMs,
        }
      : { dataDir: join(config.dataDir, "pglite") },
  );
  await migrateDatabase(database);
  if (config.seedDemoData) {
    const seeded = await seedDemoData(database.db);
    if (seeded.created) logger.info("demo data seeded", { users: seeded.users, profiles: seeded.profiles });
    // Bookings, ratings, e-mails and analytics of the last 90 days and the next 30, replayed through the services.
    const history = await seedDemoHistory(database.db, { config });
    if (history.created) logger.info("demo history seeded", { ...history, ms: Math.round(history.ms) });
  }
  // The console's admin account (ADMIN_EMAIL/ADMIN_PASSWORD, or a generated one in embedded mode).
  const consoleAdmin = await seedConsoleAdmin(database.db, systemClock, config);
  const store = createStore({ redisUrl: config.redisUrl });
  const app = createApp({
    config,
    db: database.db,
    database,
    store,
    clock: systemClock,
    logger,
    media: localMediaStorage(config.mediaDir),
  });
  const { handle, jobs, reporter } = app;
  lastGuard.reportTo(reporter);
  // The job worker (e-mails, webhooks, reminders, scheduled work); RUN_WORKER=false leaves jobs to `npm run worker`.
  const worker = config.runWorker ? jobs.createWorker(config.worker) : null;
  worker?.start();
  const server = serve({
    port: config.port,
    hostname: config.host,
    // Far above every route class: the app refuses oversized bodies itself, in the error envelope (plugins/limits.ts).
    maxRequestBodySize: serverBodyCap(config.maxUploadBytes),
    fetch: handle,
  });
  const base = config.publicUrl.replace(`:${config.port}`, `:${server.port}`);
  const lines = [
    `Thotis API listening on port ${server.port} (${runtimeName}, ${database.kind}, ${store.kind} cache)`,
    `  API:  ${base}/api/v2`,
    `  Docs: ${base}/docs`,
  ];
  if (config.embedded && config.jwtSecretGenerated) {
    const token = await signToken(config.jwtSecret, { sub: "dev-admin", role: "admin" }, 7 * 24 * 3600);
    lines.push(`  Development admin token (7 days; embedded mode only):`, `  ${token}`);
  }
  lines.push(`  Console: ${base}/console`);
  if (consoleAdmin?.password) lines.push(`  Console sign-in: ${consoleAdmin.email} / ${consoleAdmin.password}`);
  if (config.widgetDemo) lines.push(`  Widget demo: ${base}/widget/demo`);
  console.log(lines.join("\n"));

  // Graceful stop (SIGTERM, SIGINT): /ready turns 503 at once, the listener closes, requests in flight get their
  // answer (up to SHUTDOWN_TIMEOUT_MS), the worker finishes or hands back its jobs, then the pools close.
  const grace = config.faults.shutdownTimeoutMs;
  stopOnSignals(
    logger,
    "shutting down",
    async () => {
      app.drain();
      // Open live streams would hold the server open: they end first (their clients reconnect elsewhere).
      await app.services.live.close();
      await Promise.all([server.stop(grace), worker?.stop(grace)]);
      app.stopMonitor();
      // The last error reports (Sentry sends in the background) go out before the process ends.
      await reporter.flush(2000);
      await store.close();
      await database.close();
    },
    () => ({ graceMs: grace }),
    grace + 15_000,
  );
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error("Thotis failed to start:", error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(1);
});
