import { Elysia } from "elysia";
import type { Database } from "../db/client.ts";
import type { Config } from "./config.ts";
import type { Clock } from "./lib/clock.ts";
import type { Logger } from "./lib/logger.ts";
import type { MediaStorage } from "./lib/media-storage.ts";
import { availabilityModule } from "./modules/availability/index.ts";
import { createAvailabilityService } from "./modules/availability/service.ts";
import { manageTokenAvailabilityAccess } from "./modules/availability/manage-access.ts";
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
import { widgetModule } from "./modules/widget/index.ts";
import { consoleModule } from "./modules/console/index.ts";
import { webhooksModule } from "./modules/webhooks/index.ts";
import { createWebhookService, DELIVER_JOB } from "./modules/webhooks/service.ts";
import { createCache, createRateLimiter, type KeyValueStore } from "./store/index.ts";
import { createJobSystem } from "./jobs/index.ts";
import { pruneFinishedJobs } from "./jobs/worker.ts";
import { createErrorReporter } from "./integrations/errors/index.ts";
import { createMixpanelClient } from "./integrations/mixpanel/client.ts";
import { analyticsModule, wireAnalytics } from "./modules/analytics/index.ts";
import { createAnalyticsService } from "./modules/analytics/service.ts";
import { observabilityModule } from "./modules/observability/index.ts";
import { createHealthService } from "./modules/observability/service.ts";
import { createRequestMetrics, metricsPlugin } from "./plugins/metrics.ts";
import { runtimeName } from "./runtime/index.ts";
import { jobsModule } from "./modules/jobs/index.ts";
import { authModule, LOGIN_PATH } from "./modules/auth/index.ts";
import { createAdminAuthService } from "./modules/auth/service.ts";
import { ratingsModule } from "./modules/ratings/index.ts";
import { createRatingTokens } from "./modules/ratings/rating-token.ts";
import { createRatingService } from "./modules/ratings/service.ts";
import { statsModule } from "./modules/stats/index.ts";
import { createOutboxProvider } from "./integrations/email/outbox.ts";
import { createResendProvider } from "./integrations/email/resend.ts";
import { notificationsModule } from "./modules/notifications/index.ts";
import { createNotificationService } from "./modules/notifications/service.ts";
import { createStatsService } from "./modules/stats/service.ts";

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
  const ratingTokens = createRatingTokens(config.jwtSecret, clock);
  const { gate: authGate, plugin: auth, principalOf } = createAuth(verify, {
    alternative: async (token) => (await manageTokens.verify(token)) !== null || (await ratingTokens.verify(token)) !== null,
    publicPaths: [LOGIN_PATH],
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
    // Booking e-mails carrying the video link wait for Google to set it (notifications is created below).
    calendarSettled: (historyId) => notifications.releaseAfterCalendar(historyId),
    confirmationsEnqueued: true,
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
  // Webhooks: each booking change freezes one delivery per subscribed endpoint in its own transaction.
  const webhooks = createWebhookService({ db, clock, logger, config: config.webhooks, queue: jobs.queue });
  jobs.registry.register(DELIVER_JOB, webhooks.deliveryJob);
  jobs.onBookingTransition(webhooks.onBookingTransition);
  // E-mails: Resend when RESEND_API_KEY is set, else the outbox table admins read (nothing leaves the machine).
  const notifications = createNotificationService({
    db,
    clock,
    logger,
    provider:
      config.email.provider === "resend" && config.email.resendApiKey
        ? createResendProvider({ apiKey: config.email.resendApiKey, baseUrl: config.email.resendBaseUrl, from: config.email.from, replyTo: config.email.replyTo })
        : createOutboxProvider(),
    queue: jobs.queue,
    manageTokens,
    ratingTokens,
    publicUrl: config.publicUrl,
    from: config.email.from,
  });
  for (const [kind, definition] of Object.entries(notifications.jobKinds)) jobs.registry.register(kind, definition);
  jobs.onBookingTransition(notifications.enqueueForTransition);

  // Observability: request metrics (per process), error reporting (Sentry when configured), product analytics.
  const startedAt = clock.now();
  const metrics = createRequestMetrics({ clock });
  const measure = metricsPlugin(metrics, () => app.routes);
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
  const userOf = (request: Request) => principalOf(request).then((p) => ({ id: p.sub, role: p.role }), () => undefined);
  const mixpanel = config.mixpanel ? createMixpanelClient(config.mixpanel) : undefined;
  const analytics = createAnalyticsService({ db, clock, queue: jobs.queue, mixpanel });
  // Ratings, statistics and console sign-in.
  const ratings = createRatingService({
    db,
    clock,
    cache,
    onRated: async (tx, r) =>
      void (await analytics.record(tx, {
        name: "rating_submitted",
        studentProfileId: r.studentProfileId,
        bookingId: r.bookingId,
        properties: { rating: r.rating, flagged: r.flagged },
      })),
  });
  const stats = createStatsService({ db, clock, cache, profiles });
  const adminAuth = createAdminAuthService({ db, clock, jwtSecret: config.jwtSecret });
  wireAnalytics(jobs, analytics);
  const health = createHealthService({ db, clock, queue: jobs.queue, metrics, cacheStats: cache.stats, startedAt, version, logger });
  /** Answers given from onRequest hooks (cached listings) are logged and measured by hand. */
  const logShortCircuit = (request: Request, path: string, status: number) => {
    requestLog.log(request, path, status);
    measure.record(request, status);
  };

  const app = new Elysia({ normalize: true })
    .use(errorPlugin(logger, { reporter, userOf }))
    .use(measure.plugin)
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
          { name: "Widget", description: "Short-lived tokens for the embeddable booking widget" },
          { name: "Analytics", description: "Product analytics events (widget funnel)" },
          { name: "Admin", description: "Administration: system health, analytics funnel" },
          { name: "Webhooks", description: "Signed booking events POSTed to integrators' endpoints, with a delivery log" },
          { name: "Ratings", description: "Ratings of completed sessions and their moderation" },
          { name: "Statistics", description: "Mentor and platform statistics" },
          { name: "Auth", description: "Console sign-in" },
          { name: "Notifications", description: "E-mails the platform sent (admin mailbox)" },
        ],
      }),
    )
    .use(healthModule({ db, store, clock, startedAt, version }))
    .use(observabilityModule({ auth, health, metrics, cacheStats: cache.stats, clock, startedAt, metricsToken: config.metricsToken }))
    .use(analyticsModule({ auth, db, analytics }))
    .use(mediaModule({ media }))
    .use(widgetModule({ auth, config, clock, db, profiles }))
    .use(consoleModule())
    .use(usersModule({ auth, users }))
    .use(jobsModule({ auth, queue: jobs.queue }))
    .use(studentsModule({ auth, principalOf, logRequest: logShortCircuit, profiles, media, maxUploadBytes: config.maxUploadBytes }))
    .use(
      availabilityModule({
        auth,
        principalOf,
        availability,
        manageAccess: manageTokenAvailabilityAccess(manageTokens, bookings),
        beforeRead: google ? (id) => google.ensureFresh(id) : undefined,
      }),
    )
    .use(bookingsModule({ verify, manageTokens, bookings }))
    .use(ratingsModule({ auth, verify, ratingTokens, ratings }))
    .use(statsModule({ auth, stats, db, clock, logger }))
    .use(authModule({ auth, adminAuth }))
    .use(webhooksModule({ auth, webhooks }))
    .use(notificationsModule({ auth, notifications }))
    .use(google ? integrationsModule({ auth, google }) : new Elysia())
    .use(calcom ? calcomModule({ auth, secret: config.calcom?.webhookSecret, bookings, calcom, availability }) : new Elysia());

  return {
    app,
    cache,
    services: { profiles, users, availability, bookings, manageTokens, google, calcom, webhooks, analytics, ratings, ratingTokens, stats, adminAuth, notifications },
    jobs,
    /** Unexpected errors go here; main.ts flushes it on shutdown so the last reports reach Sentry. */
    reporter,
    metrics,
    /** The HTTP entry point: the runtime adapter passes the peer address along with each request. */
    handle(request: Request, ip?: string): Promise<Response> {
      if (ip) clientIps.set(request, ip);
      return app.handle(request);
    },
  };
}

export type App = ReturnType<typeof createApp>["app"];
