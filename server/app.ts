import { Elysia } from "elysia";
import type { Database } from "../db/client.ts";
import type { Config } from "./config.ts";
import type { Clock } from "./lib/clock.ts";
import type { Logger } from "./lib/logger.ts";
import type { MediaStorage } from "./lib/media-storage.ts";
import { availabilityModule } from "./modules/availability/index.ts";
import { createAvailabilityService } from "./modules/availability/service.ts";
import { bookingsModule } from "./modules/bookings/index.ts";
import { createManageTokens } from "./modules/bookings/manage-token.ts";
import { createBookingService } from "./modules/bookings/service.ts";
import { healthModule } from "./modules/health/index.ts";
import { createGoogleService } from "./modules/integrations/google-service.ts";
import { integrationsModule } from "./modules/integrations/index.ts";
import { createCalcomService } from "./modules/integrations/calcom-service.ts";
import { calcomModule } from "./modules/integrations/calcom-routes.ts";
import { createCalcomClient } from "./integrations/calcom/client.ts";
import { createGoogleCalendar } from "./integrations/google/calendar.ts";
import { createCryptoBox } from "./lib/crypto-box.ts";
import { createProfileService } from "./modules/students/service.ts";
import { studentsModule } from "./modules/students/index.ts";
import { createUserService } from "./modules/users/service.ts";
import { usersModule } from "./modules/users/index.ts";
import { createAuth, createTokenVerifier } from "./plugins/auth.ts";
import { docsPlugin } from "./plugins/docs.ts";
import { errorPlugin } from "./plugins/errors.ts";
import { corsPlugin, createRequestLog, rateLimitPlugin, securityHeadersPlugin } from "./plugins/http.ts";
import { mediaModule } from "./modules/media/index.ts";
import { createCache, createRateLimiter, type KeyValueStore } from "./store/index.ts";
import { createJobSystem } from "./jobs/index.ts";
import { pruneFinishedJobs } from "./jobs/worker.ts";

export const version = "0.1.0";

export interface AppDeps {
  config: Config;
  db: Database;
  store: KeyValueStore;
  clock: Clock;
  logger: Logger;
  media: MediaStorage;
}

/** Composes plugins and feature modules. Everything it needs is handed in, so tests can swap any part. */
export function createApp(deps: AppDeps) {
  const { config, db, store, clock, logger, media } = deps;
  const clientIps = new WeakMap<Request, string>();
  const clientIp = (request: Request) => {
    if (config.trustProxy) {
      const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
      if (forwarded) return forwarded;
    }
    return clientIps.get(request);
  };
  const requestLog = createRequestLog(logger);
  const cache = createCache(store, { enabled: config.cacheEnabled, logger });
  const verify = createTokenVerifier(config.jwtSecret, clock);
  const manageTokens = createManageTokens(config.jwtSecret, clock);
  const { gate: authGate, plugin: auth, principalOf } = createAuth(verify, {
    alternative: async (token) => (await manageTokens.verify(token)) !== null,
  });
  const jobs = createJobSystem({ db, clock, logger });
  const profiles = createProfileService({ db, cache, clock, publicUrl: config.publicUrl });
  const users = createUserService({ db, clock });
  const calcom =
    config.schedulingBackend === "calcom" && config.calcom
      ? createCalcomService({ db, client: createCalcomClient({ baseUrl: config.calcom.apiUrl, apiKey: config.calcom.apiKey, logger }) })
      : undefined;
  const availability = createAvailabilityService({ db, clock, cache, external: calcom });
  const google = config.google
    ? createGoogleService({
        db,
        clock,
        logger,
        availability,
        calendar: createGoogleCalendar({
          clientId: config.google.clientId,
          clientSecret: config.google.clientSecret,
          redirectUri: config.google.redirectUri,
          rootUrl: config.google.apiRootUrl,
          oauthTokenUrl: config.google.tokenUrl,
          oauthAuthUrl: config.google.authUrl,
        }),
        box: createCryptoBox(config.tokenEncryptionKey),
        stateSecret: config.jwtSecret,
      })
    : undefined;
  const bookings = createBookingService({
    db,
    clock,
    logger,
    availability,
    jitsiBaseUrl: config.jitsiBaseUrl,
    calendar: google?.hooks,
    calcom,
    effects: jobs.bookingEffects,
    afterCommit: () => jobs.queue.poke(),
  });

  // Scheduled work, run by whichever worker sees each period start (safe with several workers).
  jobs.registry.register("bookings.complete-ended", { handler: async () => void (await bookings.completeEnded()), maxAttempts: 3 });
  jobs.every("bookings.complete-ended", 60_000);
  // The slot grid moves each quarter hour, so free-slot summaries are recomputed then.
  jobs.registry.register("availability.refresh-summaries", { handler: async () => void (await availability.refreshAllSummaries()), maxAttempts: 3 });
  jobs.every("availability.refresh-summaries", 15 * 60_000);
  if (google) {
    jobs.registry.register("calendar.sync-all", { handler: async () => void (await google.syncAll()), maxAttempts: 3 });
    jobs.every("calendar.sync-all", 15 * 60_000);
  }
  // Finished jobs are kept a week (their dedupe keys still stop late duplicates), then deleted.
  jobs.registry.register("jobs.prune", { handler: async () => void (await pruneFinishedJobs(db, clock, 7 * 86_400_000)), maxAttempts: 3 });
  jobs.every("jobs.prune", 3_600_000);

  const app = new Elysia({ normalize: true })
    .use(errorPlugin(logger))
    .use(requestLog.plugin)
    .use(corsPlugin(config.corsOrigins))
    .use(securityHeadersPlugin())
    .use(rateLimitPlugin(createRateLimiter(store, { limit: config.rateLimit.max, windowSeconds: config.rateLimit.windowSeconds, logger }), clientIp))
    .use(authGate)
    .use(
      docsPlugin({
        title: "Thotis mentoring API",
        version,
        description:
          "REST API of the Thotis mentoring platform: mentor discovery, profiles and (soon) bookings. " +
          "Every /api/v2 route needs `Authorization: Bearer <JWT>` (HS256; roles admin, integrator, mentor, widget). " +
          "Success: `{ status: 'success', data }`; errors: `{ status: 'error', error: { code, message, details? } }`.",
        tags: [
          { name: "Students", description: "Mentor profiles and discovery" },
          { name: "Availability", description: "Mentors' schedules and free 15-minute slots" },
          { name: "Bookings", description: "Booking, cancelling, rescheduling and completing sessions" },
          { name: "Users", description: "Accounts mentors' profiles attach to" },
          { name: "Integrations", description: "Google Calendar connection of mentors" },
          { name: "Health", description: "Liveness and readiness probes" },
        ],
      }),
    )
    .use(healthModule({ db, store, clock, startedAt: clock.now(), version }))
    .use(mediaModule({ media }))
    .use(usersModule({ auth, users }))
    .use(studentsModule({ auth, principalOf, logRequest: requestLog.log, profiles, media, maxUploadBytes: config.maxUploadBytes }))
    .use(availabilityModule({ auth, availability, beforeRead: google ? (id) => google.ensureFresh(id) : undefined }))
    .use(bookingsModule({ verify, manageTokens, bookings }))
    .use(google ? integrationsModule({ auth, google }) : new Elysia())
    .use(calcom ? calcomModule({ auth, secret: config.calcom?.webhookSecret, bookings, calcom, availability }) : new Elysia());

  return {
    app,
    cache,
    services: { profiles, users, availability, bookings, manageTokens, google, calcom },
    jobs,
    /** The HTTP entry point: the runtime adapter passes the peer address along with each request. */
    handle(request: Request, ip?: string): Promise<Response> {
      if (ip) clientIps.set(request, ip);
      return app.handle(request);
    },
  };
}

export type App = ReturnType<typeof createApp>["app"];
