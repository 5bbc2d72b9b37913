/**
 * Closed-loop HTTP load generator, run as its own process so it does not share the server's event loop:
 *
 *   bun server/bench/load.ts --url http://127.0.0.1:PORT/path [--url ...] [--duration 5] [--warmup 1]
 *                            [--connections 32] [--token JWT] [--post-file bodies.json]
 *                            [--idempotency PREFIX] [--header name:value] [--rate N]
 *
 * With --post-file (a JSON array of request bodies), each request is a POST of the next body, every body sent once
 * (distinct bookings); the run ends when the time is up or the bodies run out.
 *
 * N workers each send a request, read the whole body, record the latency (performance.now()) and send the next one,
 * cycling through the given URLs. --idempotency sends `Idempotency-Key: PREFIX-<request number>` with each request;
 * --header adds a header (e.g. `accept-encoding:identity`); --rate N paces the whole run to N requests a second (an
 * open-loop background load, e.g. bookings while a listing is measured). Requests completed during the warm-up are not recorded. The result is one JSON
 * line on stdout (see LoadResult). Non-2xx answers and network failures count as errors and are not in the latencies.
 */

import { readFileSync } from "node:fs";

export interface LoadOptions {
  urls: string[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  token?: string;
  /** POST these bodies (each once) instead of GETs. */
  bodies?: unknown[];
  /** Idempotency-Key prefix: each request gets PREFIX-<its number>. */
  idempotency?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Requests a second for the whole run (paced); absent means as fast as the connections go. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Status code (or "network") -> count, errors only. */
  errorKinds: Record<string, number>;
  /** First error body seen, to tell what went wrong. */
  firstError?: string;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  let firstError: string | undefined;
  let next = 0;

  const start = performance.now();
  const measureFrom = start + opts.warmupSeconds * 1000;
  const stopAt = measureFrom + opts.durationSeconds * 1000;

  const record = (ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };

  async function worker() {
    for (;;) {
      const i = next++;
      const url = opts.urls[i % opts.urls.length] as string;
      if (opts.bodies && i >= opts.bodies.length) return;
      if (opts.rate) {
        const due = start + (i / opts.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await Bun.sleep(wait);
      }
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      const sent = opts.idempotency ? { ...headers, "idempotency-key": `${opts.idempotency}-${i}` } : headers;
      let status: number | "network";
      let body = "";
      try {
        // Bodies are read as sent, not decompressed (as wrk does): the load generator shares the cores with the server.
        const res = opts.bodies
          ? await fetch(url, { method: "POST", headers: { ...sent, "content-type": "application/json" }, body: JSON.stringify(opts.bodies[i]), decompress: false } as RequestInit)
          : await fetch(url, { headers: sent, decompress: false } as RequestInit);
        status = res.status;
        if (res.ok) await res.arrayBuffer();
        else body = await res.text();
      } catch (error) {
        status = "network";
        body = String(error);
      }
      const t1 = performance.now();
      // Only requests that both started and finished inside the measured window count.
      if (t0 < measureFrom || t1 > stopAt) continue;
      if (status !== "network" && status >= 200 && status < 300) {
        record(t1 - t0);
      } else {
        errors++;
        errorKinds[String(status)] = (errorKinds[String(status)] ?? 0) + 1;
        firstError ??= `${status}: ${body.slice(0, 300)}`;
      }
    }
  }

  await Promise.all(Array.from({ length: opts.connections }, () => worker()));
  const sorted = latencies.subarray(0, count).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    requests: count,
    errors,
    errorKinds,
    ...(firstError ? { firstError } : {}),
    seconds: opts.durationSeconds,
    rps: Math.round((count / opts.durationSeconds) * 10) / 10,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(count ? sum / count : Number.NaN),
    max: round(count ? (sorted[count - 1] as number) : Number.NaN),
  };
}

function parseArgs(argv: string[]): LoadOptions {
  const opts: LoadOptions = { urls: [], durationSeconds: 5, warmupSeconds: 1, connections: 32 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === "--url") opts.urls.push(value);
    else if (flag === "--duration") opts.durationSeconds = positive(flag, value);
    else if (flag === "--warmup") opts.warmupSeconds = Number(value);
    else if (flag === "--connections") opts.connections = Math.round(positive(flag, value));
    else if (flag === "--token") opts.token = value;
    else if (flag === "--post-file") opts.bodies = JSON.parse(readFileSync(value, "utf8")) as unknown[];
    else if (flag === "--idempotency") opts.idempotency = value;
    else if (flag === "--rate") opts.rate = positive(flag, value);
    else if (flag === "--header") {
      const colon = value.indexOf(":");
      if (colon < 1) throw new Error(`--header takes name:value (got "${value}")`);
      opts.headers = { ...opts.headers, [value.slice(0, colon).trim().toLowerCase()]: value.slice(colon + 1).trim() };
    }
    else throw new Error(`unknown option ${flag}`);
  }
  if (opts.urls.length === 0) throw new Error("at least one --url is required");
  return opts;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${flag} must be a positive number (got "${value}")`);
  return n;
}

if (import.meta.main) {
  try {
    const result = await runLoad(parseArgs(process.argv.slice(2)));
    console.log(JSON.stringify(result));
  } catch (error) {
    console.error(`load: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
