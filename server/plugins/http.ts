import { Elysia } from "elysia";
import { AppError, ErrorCode } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { RateLimiter } from "../store/index.ts";
import { pathOf } from "../lib/url.ts";

const requestIdPattern = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Request id (kept from the caller when sane, so traces join up), one structured log line per request.
 * Both start in onRequest, which runs for every request, including those that never reach a route (404, body
 * parse errors, rate-limit refusals): a derive would be skipped for them, leaving no id header and no timing.
 */
export function createRequestLog(logger: Logger) {
  const started = new WeakMap<Request, { requestId: string; startedAt: number }>();
  const log = (request: Request, path: string, status: number) => {
    const info = started.get(request);
    logger.info("request", {
      requestId: info?.requestId,
      method: request.method,
      path,
      status,
      ms: info === undefined ? undefined : Math.round((performance.now() - info.startedAt) * 100) / 100,
    });
  };
  return {
    /** For answers given from an onRequest hook, which Elysia's afterResponse hooks do not see. */
    log,
    plugin: new Elysia({ name: "thotis/request-log" })
      .onRequest(({ request, set }) => {
        const incoming = request.headers.get("x-request-id");
        const requestId = incoming && requestIdPattern.test(incoming) ? incoming : crypto.randomUUID();
        set.headers["x-request-id"] = requestId;
        started.set(request, { requestId, startedAt: performance.now() });
      })
      .derive({ as: "global" }, ({ request }) => {
        const info = started.get(request);
        return { requestId: info?.requestId ?? "", startedAt: info?.startedAt ?? performance.now() };
      })
      .onAfterResponse({ as: "global" }, ({ request, set, path }) => {
        log(request, path, typeof set.status === "number" ? set.status : 200);
      }),
  };
}

/**
 * Headers every response carries, errors included (hence onRequest). JSON answers get a CSP that forbids everything
 * since they are never rendered; HTML routes (docs, widget, console) replace it with their own.
 */
export function securityHeadersPlugin() {
  return new Elysia({ name: "thotis/security-headers" }).onRequest(({ set }) => {
    const h = set.headers;
    h["x-content-type-options"] = "nosniff";
    h["referrer-policy"] = "no-referrer";
    h["x-frame-options"] = "DENY";
    h["cross-origin-opener-policy"] = "same-origin";
    h["permissions-policy"] = "camera=(), microphone=(), geolocation=()";
    h["content-security-policy"] = "default-src 'none'; frame-ancestors 'none'";
  });
}

const corsMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const corsAllowedHeaders = "authorization, content-type, idempotency-key, x-request-id";
const corsExposedHeaders = "x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset";

/**
 * CORS only for the configured origins: preflights are answered before any other hook (no token, no rate limit),
 * other origins get no CORS headers. Hand-written rather than @elysiajs/cors: that plugin's per-request origin and
 * method processing measured about 15% of a cached listing's CPU, for these few headers.
 */
export function corsPlugin(origins: string[]) {
  const allowed = new Set(origins);
  return new Elysia({ name: "thotis/cors" }).onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    const preflight = request.method === "OPTIONS" && request.headers.has("access-control-request-method");
    const granted = origin !== null && allowed.has(origin);
    if (preflight) {
      const headers: Record<string, string> = { vary: "Origin" };
      if (granted) {
        headers["access-control-allow-origin"] = origin;
        headers["access-control-allow-methods"] = corsMethods;
        headers["access-control-allow-headers"] = corsAllowedHeaders;
        headers["access-control-max-age"] = "600";
      }
      return new Response(null, { status: 204, headers });
    }
    if (origin === null) return;
    set.headers.vary = "Origin";
    if (granted) {
      set.headers["access-control-allow-origin"] = origin;
      set.headers["access-control-expose-headers"] = corsExposedHeaders;
    }
  });
}

/**
 * A tighter budget for one kind of request, on top of the general one. Widget tokens are printed in public pages, so
 * they identify nobody: their budget is per client address.
 */
export interface RouteBudget {
  name: string;
  method: string;
  path: RegExp;
  limiter: RateLimiter;
}

/**
 * Limits every route, keyed by VERIFIED identity: a bearer token that verifies has its own budget (its signature part
 * names it); a request without one, or with a token that does not verify, counts against its client address (a fresh
 * fake token per request used to get a fresh budget each time). Route budgets (sign-in, bookings, analytics events)
 * apply on top. Counters live in the shared store, so several server processes enforce one limit.
 */
export function rateLimitPlugin(
  limiter: RateLimiter,
  clientIp: (request: Request) => string | undefined,
  opts: { identify?: (request: Request) => Promise<{ role: string } | undefined>; routes?: RouteBudget[] } = {},
) {
  const refuse = (retryAfterSeconds: number) =>
    new AppError(429, ErrorCode.RATE_LIMITED, `Too many requests; retry in ${retryAfterSeconds} s`, undefined, {
      "retry-after": String(retryAfterSeconds),
    });
  return new Elysia({ name: "thotis/rate-limit" }).onRequest(async ({ request, set }) => {
    if (request.method === "OPTIONS") return;
    const token = request.headers.get("authorization")?.match(/^Bearer\s+\S+\.(\S{16,})$/i)?.[1];
    const principal = token && opts.identify ? await opts.identify(request) : undefined;
    const address = `ip:${clientIp(request) ?? "unknown"}`;
    const key = token && principal ? `t:${token.slice(-32)}` : address;
    const decision = await limiter.consume(key);
    set.headers["ratelimit-limit"] = String(decision.limit);
    set.headers["ratelimit-remaining"] = String(decision.remaining);
    set.headers["ratelimit-reset"] = String(decision.resetSeconds);
    if (!decision.allowed) throw refuse(decision.retryAfterSeconds);
    if (!opts.routes?.length) return;
    const path = pathOf(request.url);
    for (const route of opts.routes) {
      if (route.method !== request.method || !route.path.test(path)) continue;
      const routeKey = `${route.name}:${principal?.role === "widget" ? address : key}`;
      const routeDecision = await route.limiter.consume(routeKey);
      if (!routeDecision.allowed) throw refuse(routeDecision.retryAfterSeconds);
    }
  });
}
