import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseHandle } from "../../db/client.ts";
import { createApp } from "../app.ts";
import { type Config, loadConfig } from "../config.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { type Role, signToken } from "../plugins/auth.ts";
import { serverBodyCap } from "../plugins/limits.ts";
import { serve } from "../runtime/index.ts";
import { createStore, type KeyValueStore } from "../store/index.ts";
import { createTestDatabase } from "./database.ts";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

export interface TestApp {
  baseUrl: string;
  database: DatabaseHandle;
  config: Config;
  store: KeyValueStore;
  logs: string[];
  /** The app's services (createApp's `services`), for tests that drive jobs or mint manage tokens. */
  services: ReturnType<typeof createApp>["services"];
  /** The job system; a worker runs only when the test sets RUN_WORKER=true (else drive it with jobs.createWorker().drain()). */
  jobs: ReturnType<typeof createApp>["jobs"];
  /** fetch against the running server, with a bearer token when given. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  token(role: Role, claims?: { sub?: string; studentProfileId?: string; ttlSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

/** A real server on an ephemeral port over a fresh test database; env overrides go through the real config parser. */
export async function startTestApp(options: { env?: Record<string, string>; clock?: Clock; database?: DatabaseHandle } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "thotis-test-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    THOTIS_JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_MAX: "100000",
    // Suites book, sign in and send events far more than any one person would; the abuse tests set these back.
    RATE_LIMIT_SIGNIN_MAX: "100000",
    RATE_LIMIT_BOOKINGS_MAX: "100000",
    RATE_LIMIT_EVENTS_MAX: "100000",
    BOOKING_WIDGET_MAX_PER_HOUR: "100000",
    BOOKING_MAX_UPCOMING_PER_MENTOR: "100000",
    BOOKING_MAX_UPCOMING_PER_EMAIL: "100000",
    LOG_LEVEL: "info",
    RUN_WORKER: "false",
    ...options.env,
  });
  const database = options.database ?? (await createTestDatabase());
  const store = createStore({ redisUrl: config.redisUrl, keyPrefix: `thotis-test:${crypto.randomUUID()}:` });
  const logs: string[] = [];
  const clock = options.clock ?? systemClock;
  const { handle, services, jobs } = createApp({
    config,
    db: database.db,
    store,
    clock,
    logger: createLogger(config.logLevel, (line) => logs.push(line)),
    media: localMediaStorage(config.mediaDir),
  });
  const server = serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: serverBodyCap(config.maxUploadBytes), fetch: handle });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const worker = config.runWorker ? jobs.createWorker(config.worker) : null;
  worker?.start();
  return {
    baseUrl,
    database,
    config,
    store,
    logs,
    services,
    jobs,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      return fetch(`${baseUrl}${path}`, { ...init, headers, body });
    },
    token(role, claims = {}) {
      const c: { sub: string; role: Role; studentProfileId?: string } = { sub: claims.sub ?? `test-${role}`, role };
      if (claims.studentProfileId) c.studentProfileId = claims.studentProfileId;
      return signToken(config.jwtSecret, c, claims.ttlSeconds ?? 3600, clock.now());
    },
    async stop() {
      await services.live.close();
      await server.stop();
      await worker?.stop(1000);
      await store.close();
      // A test may have closed the database on purpose (to provoke failures).
      if (!options.database) await database.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
