import { Elysia } from "elysia";
import { createDatabaseMonitor, databaseUnavailableError } from "./faults/database.ts";
import { sharedStoreWriteGuard } from "./faults/store.ts";
import { analyticsModule } from "./modules/analytics/index.ts";
import { wireProductAnalytics } from "./modules/analytics/wire.ts";
import { authModule, LOGIN_PATH } from "./modules/auth/index.ts";
import { MAGIC_LINK_PUBLIC_PATHS, wireMagicLinks } from "./modules/auth/magic-link-wire.ts";
import { createAdminAuthService } from "./modules/auth/service.ts";
import { holdsModule } from "./modules/holds/index.ts";
import { createHoldService } from "./modules/holds/service.ts";
import { createLiveBus } from "./modules/live/bus.ts";
import { LIVE_STREAM_PATH, liveModule } from "./modules/live/index.ts";
import { withLiveUpdates } from "./modules/live/publish.ts";
import { createStreamTokens } from "./modules/live/stream-token.ts";
import { createSignInThrottle } from "./modules/auth/throttle.ts";
import { createBookingAbuseLimits } from "./modules/bookings/abuse-limits.ts";
import { availabilityModule } from "./modules/availability/index.ts";
import { manageTokenAvailabilityAccess } from "./modules/availability/manage-access.ts";
import { wireAvailability } from "./modules/availability/wire.ts";
import { bookingsModule } from "./modules/bookings/index.ts";
import { wireBookings } from "./modules/bookings/wire.ts";
import { consoleModule } from "./modules/console/index.ts";
import { faviconModule } from "./modules/favicon/index.ts";
import { healthModule } from "./modules/health/index.ts";
import { calcomModule } from "./modules/integrations/calcom-routes.ts";
import { integrationsModule } from "./modules/integrations/index.ts";
import { wireCalcom, wireGoogle } from "./modules/integrations/wire.ts";
import { jobsModule } from "./modules/jobs/index.ts";
import { wireJobPruning } from "./modules/jobs/wire.ts";
import { mediaModule } from "./modules/media/index.ts";
import { notificationsModule } from "./modules/notifications/index.ts";
import { createEmailProvider, wireNotifications } from "./modules/notifications/wire.ts";
import { mentorSpaceModule } from "./modules/mentor-space/index.ts";
import { wirePrivacy } from "./modules/privacy/wire.ts";
import { observabilityModule } from "./modules/observability/index.ts";
import { wireObservability } from "./modules/observability/wire.ts";
import { ratingsModule } from "./modules/ratings/index.ts";
import { wireRatings } from "./modules/ratings/wire.ts";
import { statsModule } from "./modules/stats/index.ts";
import { createStatsService } from "./modules/stats/service.ts";
import { studentsModule } from "./modules/students/index.ts";
import { createProfileService } from "./modules/students/service.ts";
import { usersModule } from "./modules/users/index.ts";
import { createUserService } from "./modules/users/service.ts";
import { webhooksModule } from "./modules/webhooks/index.ts";
import { wireWebhooks } from "./modules/webhooks/wire.ts";
import { widgetModule } from "./modules/widget/index.ts";
import { apiDocsPlugin } from "./plugins/api-docs.ts";
import { createAuth } from "./plugins/auth.ts";
import { compressionPlugin } from "./plugins/compression.ts";
import { createRequestLimits } from "./plugins/limits.ts";
import { routeBudgets } from "./plugins/route-budgets.ts";
import { errorBody, errorPlugin } from "./plugins/errors.ts";
import { corsPlugin, createRequestLog, rateLimitPlugin, securityHeadersPlugin } from "./plugins/http.ts";
import { metricsPlugin } from "./plugins/metrics.ts";
import { createRateLimiter } from "./store/index.ts";
import { type AppDeps, wireShared } from "./wiring/shared.ts";

export type { AppDeps } from "./wiring/shared.ts";

export const version = "0.1.0";

/**
 * Composes plugins and feature modules. Everything it needs is handed in, so tests can swap any part; each feature
 * wires its own services (and registers its jobs) from the shared deps in its folder's `wire.ts`.
 */
export function createApp(deps: AppDeps) {
  const shared = wireShared(deps);
  const { config, db, store, clock, logger, media, cache, jobs, verify, manageTokens, ratingTokens } = shared;
  const { gate: authGate, plugin: auth, principalOf } = createAuth(verify, {
    alternative: async (token) => (await manageTokens.verify(token)) !== null || (await ratingTokens.verify(token)) !== null,
    // The live stream checks its own stream token (EventSource cannot send an Authorization header).
    publicPaths: [LOGIN_PATH, ...MAGIC_LINK_PUBLIC_PATHS, LIVE_STREAM_PATH],
  });

  const profiles = createProfileService({ db, cache, clock, publicUrl: config.publicUrl });
  const users = createUserService({ db, clock });
  const calcom = wireCalcom(shared);
  const availability = wireAvailability(shared, calcom);
  const google = wireGoogle(shared, availability);
  // Live availability: slot changes fan out to open widgets through the store's pub/sub; holds keep a slot.
  const live = createLiveBus(store, logger);
  const holds = createHoldService({ db, clock, cache, availability, publish: live.publish });
  const bookingAbuse = createBookingAbuseLimits({ db, store, limits: config.abuse });
  const bookings = wireBookings(shared, {
    availability: withLiveUpdates(availability, live),
    holds,
    calendar: google?.hooks,
    calcom,
    // Booking e-mails carrying the video link wait for Google to set it (notifications is created below).
    calendarSettled: (historyId) => notifications.releaseAfterCalendar(historyId),
    abuse: bookingAbuse,
  });
  wireJobPruning(shared);
  // Booking changes reach webhooks, then e-mails, then analytics, in the change's transaction.
  const webhooks = wireWebhooks(shared);
  const emailProvider = createEmailProvider(config.email);
  const notifications = wireNotifications(shared, emailProvider);
  const analytics = wireProductAnalytics(shared);
  const ratings = wireRatings(shared, analytics);
  const stats = createStatsService({ db, clock, cache, profiles });
  const adminAuth = createAdminAuthService({ db, clock, jwtSecret: config.jwtSecret, throttle: createSignInThrottle({ store, clock }) });
  const { startedAt, metrics, reporter, health } = wireObservability(shared, version);

  // HTTP plumbing: the runtime adapter's peer address, request log and metrics.
  const clientIps = new WeakMap<Request, string>();
  const clientIp = (request: Request) => {
    if (config.trustProxy) {
      const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
      if (forwarded) return forwarded;
    }
    return clientIps.get(request);
  };
  const requestLog = createRequestLog(logger);
  const limits = createRequestLimits({ maxUploadBytes: config.maxUploadBytes });
  const measure = metricsPlugin(metrics, () => app.routes);
  // Faults: only a networked database can vanish under a running process, so PGlite has no monitor.
  const monitor = deps.database?.kind === "postgres" ? createDatabaseMonitor({ probe: deps.database.probe, logger }) : undefined;
  // /ready shares the monitor's probe (one in flight at a time, and its up/down state follows what /ready saw).
  const readinessProbe = () =>
    monitor
      ? () =>
          monitor.check().then((ok) => {
            if (!ok) throw databaseUnavailableError();
          })
      : deps.database && (() => deps.database!.probe(1000));
  let draining = false;
  const unavailableResponse = () => {
    const error = databaseUnavailableError();
    return new Response(JSON.stringify(errorBody(error.code, error.message)), {
      status: 503,
      headers: { "content-type": "application/json; charset=utf-8", ...error.headers },
    });
  };
  const userOf = (request: Request) => principalOf(request).then((p) => ({ id: p.sub, role: p.role }), () => undefined);
  /** Answers given from onRequest hooks (cached listings) are logged and measured by hand. */
  const logShortCircuit = (request: Request, path: string, status: number) => {
    requestLog.log(request, path, status);
    measure.record(request, status);
  };

  const privacy = wirePrivacy({ config, db, clock, logger, jobs, auth, principalOf, clientIp, manageTokens, bookings, media, notifications: () => notifications });
  const app = new Elysia({ normalize: true })
    .use(errorPlugin(logger, { reporter, userOf, onDatabaseUnavailable: () => monitor?.suspect() }))
    .use(measure.plugin)
    .use(requestLog.plugin)
    .use(corsPlugin(config.corsOrigins))
    .use(securityHeadersPlugin())
    .use(compressionPlugin())
    .use(
      rateLimitPlugin(createRateLimiter(store, { limit: config.rateLimit.max, windowSeconds: config.rateLimit.windowSeconds, logger }), clientIp, {
        identify: (request) => principalOf(request).then((p) => ({ role: p.role }), () => undefined),
        routes: routeBudgets(store, config.abuse, logger),
      }),
    )
    // Writes that could not invalidate the shared cache are refused while it is unreachable (README "Operations").
    .use(sharedStoreWriteGuard(store, [LOGIN_PATH, ...MAGIC_LINK_PUBLIC_PATHS, "/api/v2/analytics/events"]))
    // Refusals of the raw body (already made in \`handle\`) are answered after the credential check: no token, no detail.
    .use(authGate)
    .use(limits.plugin)
    .use(privacy.trail)
    .use(apiDocsPlugin(version, [LOGIN_PATH, ...MAGIC_LINK_PUBLIC_PATHS]))
    .use(healthModule({ db, store, clock, startedAt, version, probe: readinessProbe(), draining: () => draining }))
    .use(observabilityModule({ auth, health, metrics, cacheStats: cache.stats, clock, startedAt, metricsToken: config.metricsToken }))
    .use(analyticsModule({ auth, db, analytics }))
    .use(mediaModule({ media }))
    .use(widgetModule({ auth, config, clock, db, profiles }))
    .use(consoleModule())
    .use(faviconModule())
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
        heldByOthers: holds.heldByOthers,
      }),
    )
    .use(holdsModule({ auth, holds, beforeHold: (role, request) => bookingAbuse.beforeHold(role, clientIp(request)) }))
    .use(liveModule({ auth, bus: live, streamTokens: createStreamTokens(config.jwtSecret, clock) }))
    .use(bookingsModule({ verify, manageTokens, bookings, beforeCreate: (actor, request) => bookingAbuse.beforeCreate(actor, clientIp(request)) }))
    .use(ratingsModule({ auth, verify, ratingTokens, ratings }))
    .use(statsModule({ auth, stats, db, clock, logger }))
    .use(authModule({ auth, adminAuth, clientIp }))
    .use(wireMagicLinks({ config, db, store, clock, logger, jobs, provider: emailProvider, auth, clientIp }))
    .use(mentorSpaceModule({ auth, db, clock }))
    .use(webhooksModule({ auth, webhooks }))
    .use(notificationsModule({ auth, notifications }))
    .use(privacy.routes)
    .use(google ? integrationsModule({ auth, google }) : new Elysia())
    .use(calcom ? calcomModule({ auth, secret: config.calcom?.webhookSecret, bookings, calcom, availability }) : new Elysia());

  return {
    app,
    cache,
    services: { profiles, users, availability, bookings, manageTokens, google, calcom, webhooks, analytics, ratings, ratingTokens, stats, adminAuth, notifications, privacy: privacy.privacy, audit: privacy.audit, retention: privacy.retention, holds, live },
    jobs,
    /** Unexpected errors go here; main.ts flushes it on shutdown so the last reports reach Sentry. */
    reporter,
    metrics,
    /** The HTTP entry point: the runtime adapter passes the peer address along with each request. */
    async handle(incoming: Request, ip?: string): Promise<Response> {
      // Body size, JSON depth and string length are checked on the raw body before Elysia parses or validates it.
      const request = await limits.screen(incoming);
      if (ip) clientIps.set(request, ip);
      const answer = app.handle(request);
      return monitor ? monitor.guard(answer, unavailableResponse) : answer;
    },
    /** Stopping (SIGTERM): /ready answers 503 from now on. */
    drain() {
      draining = true;
    },
    /** Stops the database monitor's timer (shutdown). */
    stopMonitor() {
      monitor?.stop();
    },
  };
}

export type App = ReturnType<typeof createApp>["app"];
