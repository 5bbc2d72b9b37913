import { Elysia, StatusMap } from "elysia";
import type { Clock } from "../lib/clock.ts";
import { pathOf } from "../lib/url.ts";

/**
 * Request metrics kept in process memory, in bounded space:
 * - cumulative counters per (method, route template, status) and a cumulative latency histogram per (method, route),
 *   exposed at /metrics for Prometheus;
 * - a ring of 60 one-minute buckets (per method and route: requests, 5xx, 409s, a fixed latency histogram) from which
 *   the admin health route reads the last 5 minutes and the last hour, with percentiles estimated from the histogram.
 * Routes are Elysia's matched templates (`/api/v2/students/:id`), never raw paths, so the number of series is bounded
 * by the number of routes. Each process reports its own figures; Prometheus scrapes every process and sums.
 */

/** Upper bounds (ms) of the fine histogram used for percentiles: 0.25 ms to ~2 min, each bound 25% above the last. */
const FINE_BOUNDS_MS: number[] = (() => {
  const bounds: number[] = [];
  for (let b = 0.25; b < 120_000; b *= 1.25) bounds.push(b);
  return bounds;
})();

/** Prometheus histogram buckets (seconds), the usual spread for HTTP APIs. */
export const PROMETHEUS_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const MINUTE_MS = 60_000;
const RING_MINUTES = 60;
/** Route label of requests no route matched (404s, probes of random paths). */
export const UNMATCHED = "unmatched";

interface Series {
  requests: number;
  /** 5xx answers. */
  errors: number;
  /** 409 answers (booking conflicts are user outcomes, counted apart from failures). */
  conflicts: number;
  /** Counts per FINE_BOUNDS_MS bucket, plus one overflow bucket. */
  histogram: Uint32Array;
}

interface MinuteBucket {
  minute: number;
  series: Map<string, Series>;
}

interface Cumulative {
  method: string;
  route: string;
  /** Per status code. */
  statuses: Map<number, number>;
  /** Non-cumulative counts per PROMETHEUS_BUCKETS_SECONDS bucket, plus +Inf. */
  buckets: Float64Array;
  sumSeconds: number;
  count: number;
}

export interface RouteWindowStats {
  method: string;
  route: string;
  requests: number;
  errors: number;
  conflicts: number;
  /** Fraction 0..1 of 5xx answers, null without traffic. */
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface WindowStats {
  requests: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  routes: RouteWindowStats[];
}

const seriesKey = (method: string, route: string) => `${method} ${route}`;

export function createRequestMetrics(deps: { clock: Clock }) {
  const { clock } = deps;
  const ring: (MinuteBucket | undefined)[] = new Array(RING_MINUTES);
  const cumulative = new Map<string, Cumulative>();

  function bucketFor(minute: number): MinuteBucket {
    const slot = minute % RING_MINUTES;
    let bucket = ring[slot];
    // A slot left from an earlier hour is recycled: this is what keeps memory bounded.
    if (!bucket || bucket.minute !== minute) {
      bucket = { minute, series: new Map() };
      ring[slot] = bucket;
    }
    return bucket;
  }

  function observe(method: string, route: string, status: number, durationMs: number) {
    const key = seriesKey(method, route);
    const bucket = bucketFor(Math.floor(clock.now().getTime() / MINUTE_MS));
    let series = bucket.series.get(key);
    if (!series) {
      series = { requests: 0, errors: 0, conflicts: 0, histogram: new Uint32Array(FINE_BOUNDS_MS.length + 1) };
      bucket.series.set(key, series);
    }
    series.requests++;
    if (status >= 500) series.errors++;
    if (status === 409) series.conflicts++;
    series.histogram[fineIndex(durationMs)]!++;

    let total = cumulative.get(key);
    if (!total) {
      total = { method, route, statuses: new Map(), buckets: new Float64Array(PROMETHEUS_BUCKETS_SECONDS.length + 1), sumSeconds: 0, count: 0 };
      cumulative.set(key, total);
    }
    total.statuses.set(status, (total.statuses.get(status) ?? 0) + 1);
    const seconds = durationMs / 1000;
    let i = 0;
    while (i < PROMETHEUS_BUCKETS_SECONDS.length && seconds > PROMETHEUS_BUCKETS_SECONDS[i]!) i++;
    total.buckets[i]!++;
    total.sumSeconds += seconds;
    total.count++;
  }

  /** The last `minutes` one-minute buckets, the current (partial) minute included. */
  function window(minutes: number): WindowStats {
    const current = Math.floor(clock.now().getTime() / MINUTE_MS);
    const merged = new Map<string, Series>();
    for (let m = current - Math.min(minutes, RING_MINUTES) + 1; m <= current; m++) {
      const bucket = ring[((m % RING_MINUTES) + RING_MINUTES) % RING_MINUTES];
      if (!bucket || bucket.minute !== m) continue;
      for (const [key, s] of bucket.series) {
        let into = merged.get(key);
        if (!into) {
          into = { requests: 0, errors: 0, conflicts: 0, histogram: new Uint32Array(FINE_BOUNDS_MS.length + 1) };
          merged.set(key, into);
        }
        into.requests += s.requests;
        into.errors += s.errors;
        into.conflicts += s.conflicts;
        for (let i = 0; i < s.histogram.length; i++) into.histogram[i]! += s.histogram[i]!;
      }
    }
    const all: Series = { requests: 0, errors: 0, conflicts: 0, histogram: new Uint32Array(FINE_BOUNDS_MS.length + 1) };
    const routes: RouteWindowStats[] = [];
    for (const [key, s] of merged) {
      const space = key.indexOf(" ");
      routes.push({ method: key.slice(0, space), route: key.slice(space + 1), ...summarise(s) });
      all.requests += s.requests;
      all.errors += s.errors;
      all.conflicts += s.conflicts;
      for (let i = 0; i < s.histogram.length; i++) all.histogram[i]! += s.histogram[i]!;
    }
    routes.sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
    const { conflicts: _c, ...overall } = summarise(all);
    return { ...overall, routes };
  }

  return {
    observe,
    window,
    /** Cumulative series since the process started, for the OpenMetrics exposition. */
    cumulative: () => [...cumulative.values()],
  };
}

export type RequestMetrics = ReturnType<typeof createRequestMetrics>;

function fineIndex(ms: number): number {
  // Binary search for the first bound >= ms; values past the last bound land in the overflow bucket.
  let lo = 0;
  let hi = FINE_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (FINE_BOUNDS_MS[mid]! >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function summarise(s: Series) {
  return {
    requests: s.requests,
    errors: s.errors,
    conflicts: s.conflicts,
    errorRate: s.requests ? s.errors / s.requests : null,
    p50: percentile(s.histogram, s.requests, 0.5),
    p95: percentile(s.histogram, s.requests, 0.95),
    p99: percentile(s.histogram, s.requests, 0.99),
  };
}

/**
 * The q-quantile in milliseconds, interpolated linearly inside the bucket holding it (error at most one bucket
 * width, 25% of the value). Null without samples.
 */
export function percentile(histogram: ArrayLike<number>, count: number, q: number): number | null {
  if (count === 0) return null;
  const rank = q * count;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i]!;
    if (n === 0) continue;
    if (seen + n >= rank) {
      const lower = i === 0 ? 0 : FINE_BOUNDS_MS[i - 1]!;
      const upper = FINE_BOUNDS_MS[i] ?? lower * 1.25;
      const value = lower + ((rank - seen) / n) * (upper - lower);
      return Math.round(value * 1000) / 1000;
    }
    seen += n;
  }
  return FINE_BOUNDS_MS[FINE_BOUNDS_MS.length - 1]!;
}

/**
 * Matches a request against the app's route templates. Elysia names the matched route on the context, but requests
 * refused before routing (401 from the auth gate, 429, answers given from onRequest hooks) have none: this finds
 * their template so they are counted under their route rather than as unmatched.
 */
export function createRouteMatcher(routes: () => readonly { method: string; path: string }[]) {
  let compiled: { method: string; path: string; pattern: RegExp }[] | undefined;
  let compiledFrom = -1;
  const seen = new Map<string, string>();
  return (method: string, path: string): string => {
    const list = routes();
    if (!compiled || compiledFrom !== list.length) {
      compiledFrom = list.length;
      seen.clear();
      compiled = list
        .filter((r) => typeof r.path === "string")
        .map((r) => ({
          method: r.method.toUpperCase(),
          path: r.path,
          pattern: new RegExp(
            `^${r.path
              .replace(/\/+$/, "")
              .split("/")
              .map((seg) => (seg === "*" ? ".*" : seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
              .join("/")}/?$`,
          ),
        }));
    }
    const key = `${method} ${path}`;
    const known = seen.get(key);
    if (known !== undefined) return known;
    const upper = method.toUpperCase();
    let found = UNMATCHED;
    for (const r of compiled) {
      if ((r.method === upper || r.method === "ALL" || (upper === "HEAD" && r.method === "GET")) && r.pattern.test(path)) {
        found = r.path;
        break;
      }
    }
    // Hot paths (a cached listing page) skip the scan; the memo is emptied when full, so it stays bounded.
    if (seen.size >= 2000) seen.clear();
    seen.set(key, found);
    return found;
  };
}

/**
 * Measures every request: started in onRequest (which sees them all), recorded after the response with the matched
 * route template. Requests answered from an onRequest hook never reach afterResponse; their plugins call `record`.
 */
export function metricsPlugin(metrics: RequestMetrics, routes: () => readonly { method: string; path: string }[]) {
  const started = new WeakMap<Request, number>();
  const recorded = new WeakSet<Request>();
  const match = createRouteMatcher(routes);
  const record = (request: Request, status: number, route?: string) => {
    if (recorded.has(request)) return;
    recorded.add(request);
    const since = started.get(request);
    const ms = since === undefined ? 0 : performance.now() - since;
    metrics.observe(request.method, route ?? match(request.method, pathOf(request.url)), status, ms);
  };
  return {
    record,
    plugin: new Elysia({ name: "thotis/metrics" })
      .onRequest(({ request }) => {
        started.set(request, performance.now());
      })
      .onAfterResponse({ as: "global" }, (ctx) => {
        const route = (ctx as { route?: string }).route;
        const status = ctx.set.status;
        const code = typeof status === "number" ? status : status ? (StatusMap as Record<string, number>)[status] ?? 200 : 200;
        record(ctx.request, code, route || undefined);
      }),
  };
}
