import { rateLimitFailOpen } from "../../store/rate-limit.ts";
import { PROMETHEUS_BUCKETS_SECONDS, type RequestMetrics } from "../../plugins/metrics.ts";

export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export interface ProcessFigures {
  uptimeSeconds: number;
  jobs: Record<string, number> | null;
  cache: { hits: number; misses: number };
}

/** Label values escape backslash, double quote and newline (OpenMetrics ABNF). */
const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;
const number = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

/**
 * The OpenMetrics 1.0 text exposition of this process's figures. Counters and histograms are cumulative since the
 * process started; Prometheus computes rates and sums processes itself.
 */
export function renderOpenMetrics(metrics: RequestMetrics, figures: ProcessFigures): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, unit?: string) => {
    out.push(`# TYPE ${name} ${type}`);
    if (unit) out.push(`# UNIT ${name} ${unit}`);
    out.push(`# HELP ${name} ${help}`);
  };
  const series = metrics.cumulative().sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method));

  family("http_requests", "counter", "HTTP requests answered, by method, route template and status.");
  for (const s of series) {
    for (const [status, count] of [...s.statuses].sort((a, b) => a[0] - b[0])) {
      out.push(`http_requests_total${labels({ method: s.method, route: s.route, status: String(status) })} ${count}`);
    }
  }

  family("http_request_duration_seconds", "histogram", "Time from receiving a request to answering it.", "seconds");
  for (const s of series) {
    let cumulative = 0;
    PROMETHEUS_BUCKETS_SECONDS.forEach((le, i) => {
      cumulative += s.buckets[i]!;
      out.push(`http_request_duration_seconds_bucket${labels({ method: s.method, route: s.route, le: String(le) })} ${cumulative}`);
    });
    cumulative += s.buckets[PROMETHEUS_BUCKETS_SECONDS.length]!;
    out.push(`http_request_duration_seconds_bucket${labels({ method: s.method, route: s.route, le: "+Inf" })} ${cumulative}`);
    out.push(`http_request_duration_seconds_sum${labels({ method: s.method, route: s.route })} ${number(s.sumSeconds)}`);
    out.push(`http_request_duration_seconds_count${labels({ method: s.method, route: s.route })} ${s.count}`);
  }

  family("thotis_jobs", "gauge", "Durable jobs by state (shared by every process: read from the database).");
  if (figures.jobs) {
    for (const [state, n] of Object.entries(figures.jobs)) out.push(`thotis_jobs${labels({ state })} ${number(n)}`);
  }

  family("thotis_uptime_seconds", "gauge", "Seconds since this process started.", "seconds");
  out.push(`thotis_uptime_seconds ${number(figures.uptimeSeconds)}`);

  const memory = process.memoryUsage();
  family("process_resident_memory_bytes", "gauge", "Resident set size of this process.", "bytes");
  out.push(`process_resident_memory_bytes ${memory.rss}`);
  family("process_heap_used_bytes", "gauge", "JavaScript heap in use.", "bytes");
  out.push(`process_heap_used_bytes ${memory.heapUsed}`);

  family("thotis_cache_hits", "counter", "Response-cache reads answered from the cache (this process).");
  out.push(`thotis_cache_hits_total ${figures.cache.hits}`);
  family("thotis_cache_misses", "counter", "Response-cache reads that had to load from the database (this process).");
  out.push(`thotis_cache_misses_total ${figures.cache.misses}`);

  family("thotis_rate_limit_fail_open", "counter", "Requests let through unlimited because the rate-limit store was unreachable (this process).");
  out.push(`thotis_rate_limit_fail_open_total ${rateLimitFailOpen.total}`);

  out.push("# EOF");
  return `${out.join("\n")}\n`;
}
