/**
 * Webhook benchmarks (`npx bun server/bench/webhooks.ts [--db pglite,postgres] [--samples 200] [--deliveries 10000]
 * [--concurrency 64]`, or `npx bun server/bench/run.ts --only webhooks`). Standalone, it rewrites only its own
 * "## Webhooks" section of RESULTS.md.
 *
 * Per database (PGlite in a temp folder; Postgres as in run.ts, skipped when unreachable):
 *   (a) booking commit → webhook received: the real app (createApp) with its in-process worker (woken by the
 *       booking's after-commit poke, as in production) and a healthy loopback receiver in the same process; bookings
 *       are made one at a time through POST /api/v2/bookings; latency = the commit's poke → the receiver reading
 *       the request. p50/p95 over --samples bookings after a warm-up. Target p95 < 100 ms.
 *   (b) 10,000 queued deliveries (inserted in bulk with their jobs) drained by one worker of --concurrency to a
 *       loopback receiver in a separate process: deliveries/s from worker start to the last delivery recorded.
 *       Ceiling in the same run: the bare receiver's request rate from a separate load-generator process (load.ts)
 *       with the same number of connections. Target ≥ 1,000 deliveries/s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { count, eq, inArray } from "drizzle-orm";
import { migrateDatabase } from "../../db/migrate.ts";
import { webhookDeliveries, webhookEndpoints } from "../../db/schema/index.ts";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { systemClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { DELIVER_JOB, newDeliveryId } from "../modules/webhooks/service.ts";
import { startTestReceiver } from "../test-support/webhooks/test-receiver.ts";
import { signToken } from "../plugins/auth.ts";
import { serve } from "../runtime/index.ts";
import { createStore } from "../store/index.ts";
import { percentile } from "./load.ts";
import { ANALYSIS_MARKER, type BenchDatabase, type DbKind, errorText, fmt, JWT_SECRET, label, type Options, openPglite, openPostgres, runLoadProcess } from "./harness.ts";

const TARGET_P95_MS = 100;
const TARGET_PER_SECOND = 1000;
const here = fileURLToPath(new URL(".", import.meta.url));
const self = fileURLToPath(import.meta.url);

interface WebhookOptions {
  databases: DbKind[];
  samples: number;
  warmup: number;
  deliveries: number;
  concurrency: number;
  poolSize: number;
  /** Ceiling measurement (load.ts) duration. */
  ceilingSeconds: number;
}

interface DbResult {
  kind: DbKind;
  version: string;
  latency: { samples: number; p50: number; p95: number; p99: number; max: number; requestP50: number; loadAvg: number };
  drain: { deliveries: number; seconds: number; perSecond: number; ceiling: number; ceilingP50: number; loadAvg: number; failed: number };
}

// ---------------------------------------------------------------------------------------------------------------------
// The receiver process for the drain: answers 204 to anything, counts webhook deliveries, reports on /__count.

async function receiverMain() {
  let received = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (request.url.endsWith("/__count")) return Response.json({ received });
      if (request.method === "POST") {
        await request.arrayBuffer();
        received++;
      }
      return new Response(null, { status: 204 });
    },
  });
  console.log(JSON.stringify({ port: server.port }));
}

async function startReceiverProcess(): Promise<{ url: string; count(): Promise<number>; stop(): void }> {
  const child = Bun.spawn([process.execPath, self, "--receiver"], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("receiver process exited before listening");
    text += new TextDecoder().decode(value);
  }
  const { port } = JSON.parse(text.split("\n")[0] as string) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    count: async () => ((await (await fetch(`${url}/__count`)).json()) as { received: number }).received,
    stop: () => child.kill(),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// App set-up

async function startApp(bench: BenchDatabase, concurrency: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "thotis-bench-webhooks-"));
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      THOTIS_JWT_SECRET: JWT_SECRET,
      LOG_LEVEL: "silent",
      RATE_LIMIT_MAX: "1000000",
      SEED_DEMO_DATA: "false",
      WEBHOOK_ALLOW_PRIVATE: "true",
      WORKER_CONCURRENCY: String(concurrency),
    },
    { persistSecret: false },
  );
  const store = createStore();
  const created = createApp({ config, db: bench.handle.db, store, clock: systemClock, logger: createLogger("silent"), media: localMediaStorage(config.mediaDir) });
  const server = serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: 1 << 20, fetch: created.handle });
  const token = await signToken(config.jwtSecret, { sub: "bench-admin", role: "admin" }, 3600);
  const url = `http://127.0.0.1:${server.port}`;
  const api = async (path: string, method: string, json?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { "content-type": "application/json" }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const body = (await res.json()) as { data: any };
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body.data;
  };
  return {
    ...created,
    config,
    api,
    async stop() {
      await server.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// (a) Booking commit → webhook received

async function measureLatency(bench: BenchDatabase, opts: WebhookOptions): Promise<DbResult["latency"]> {
  const app = await startApp(bench, 16);
  const receiver = startTestReceiver();
  const worker = app.jobs.createWorker(app.config.worker);
  let committedAt = 0;
  app.jobs.queue.onPoke(() => {
    committedAt = performance.now();
  });
  try {
    const user = await app.api("/api/v2/users", "POST", { email: `bench.webhooks.${Date.now()}@example.fr`, name: "Mentor Bench", role: "mentor", timeZone: "UTC" });
    const profile = await app.api(`/api/v2/students/${user.id}/profile`, "POST", {
      university: "Université de Lille",
      degree: "Licence de Droit",
      field: "LAW",
      currentYear: 2,
      bio: "Étudiante en droit, j'aime expliquer comment se passe la première année et comment s'organiser pour réussir.",
    });
    await app.api(`/api/v2/students/${profile.id}/schedule`, "PUT", {
      timeZone: "UTC",
      weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "06:00", end: "22:00" }] })),
    });
    await app.api("/api/v2/webhooks", "POST", { url: `${receiver.url}/hook`, events: ["booking.created"] });
    worker.start();
    // Distinct slots from tomorrow 06:00 UTC on, 64 a day.
    const day0 = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1, 6);
    const slotAt = (i: number) => new Date(day0 + Math.floor(i / 64) * 86_400_000 + (i % 64) * 15 * 60_000).toISOString();
    const latencies: number[] = [];
    const requestLatencies: number[] = [];
    const total = opts.warmup + opts.samples;
    for (let i = 0; i < total; i++) {
      const arrived = receiver.waitFor(i + 1, 10_000);
      const sent = performance.now();
      await app.api("/api/v2/bookings", "POST", { studentProfileId: profile.id, dateTime: slotAt(i), prospectiveStudent: { name: "Élève Bench", email: `eleve.${i}@lycee.fr` } });
      const got = (await arrived)[i]!;
      if (i >= opts.warmup) {
        latencies.push(got.at - committedAt);
        requestLatencies.push(got.at - sent);
      }
    }
    const sorted = Float64Array.from(latencies).sort();
    const sortedRequests = Float64Array.from(requestLatencies).sort();
    return {
      samples: latencies.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      requestP50: percentile(sortedRequests, 50),
      loadAvg: loadavg()[0] ?? 0,
    };
  } finally {
    await worker.stop(2000);
    await receiver.stop();
    await app.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// (b) Draining queued deliveries

async function measureDrain(bench: BenchDatabase, opts: WebhookOptions): Promise<DbResult["drain"]> {
  const app = await startApp(bench, opts.concurrency);
  const receiver = await startReceiverProcess();
  try {
    const db = bench.handle.db;
    const endpoint = await app.api("/api/v2/webhooks", "POST", { url: `${receiver.url}/drain`, events: ["booking.created"] });
    const now = new Date();
    const payload = (i: number) => ({
      event: "booking.created",
      timestamp: now.toISOString(),
      data: {
        bookingId: i + 1,
        studentProfileId: "c0123456789abcdefghijklmn",
        prospectiveStudentEmail: `eleve.${i}@lycee.fr`,
        dateTime: new Date(now.getTime() + 86_400_000).toISOString(),
        metadata: { endTime: new Date(now.getTime() + 86_400_000 + 900_000).toISOString(), status: "ACCEPTED", meetingUrl: `https://meet.jit.si/thotis-${i}` },
      },
    });
    const maxAttempts = app.config.webhooks.retrySeconds.length + 1;
    for (let start = 0; start < opts.deliveries; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, opts.deliveries - start) }, (_, k) => ({
        id: newDeliveryId(),
        endpointId: endpoint.id as string,
        event: "booking.created" as const,
        payload: payload(start + k),
        createdAt: now,
      }));
      await db.transaction(async (tx) => {
        await tx.insert(webhookDeliveries).values(rows);
        await app.jobs.queue.enqueue(
          tx as never,
          rows.map((r) => ({ kind: DELIVER_JOB, payload: { deliveryId: r.id }, maxAttempts })),
        );
      });
    }
    // The ceiling first (the queue waits): the bare receiver, same number of connections, separate process.
    const ceiling = await runLoadProcess([`${receiver.url}/ceiling`], { durationSeconds: opts.ceilingSeconds, warmupSeconds: 1, connections: opts.concurrency } as Options);
    const before = await receiver.count();
    const worker = app.jobs.createWorker({ concurrency: opts.concurrency, pollMs: 1000 });
    const loadAvg = loadavg()[0] ?? 0;
    const t0 = performance.now();
    worker.start();
    let done = before;
    const deadline = t0 + 600_000;
    while (done - before < opts.deliveries && performance.now() < deadline) {
      await Bun.sleep(25);
      done = await receiver.count();
    }
    const seconds = (performance.now() - t0) / 1000;
    await worker.stop(5000);
    const [failed] = await db
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.status, ["pending", "dead"]));
    await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    const delivered = done - before;
    return {
      deliveries: delivered,
      seconds,
      perSecond: delivered / seconds,
      ceiling: ceiling.rps,
      ceilingP50: ceiling.p50,
      loadAvg,
      failed: Number(failed?.n ?? 0),
    };
  } finally {
    receiver.stop();
    await app.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Suite and report

export async function runWebhooksSuite(args: {
  opts: Partial<WebhookOptions> & { databases?: DbKind[] };
  poolSize?: number;
  track?(b: BenchDatabase): void;
  untrack?(b: BenchDatabase): void;
}): Promise<{ markdown: string[]; missed: string[]; skipped: string[] }> {
  const opts: WebhookOptions = {
    databases: args.opts.databases ?? ["pglite", "postgres"],
    samples: args.opts.samples ?? 200,
    warmup: args.opts.warmup ?? 20,
    deliveries: args.opts.deliveries ?? 10_000,
    // Deliveries wait on the network, not the CPU: a dedicated webhook worker runs with WORKER_CONCURRENCY=64.
    concurrency: args.opts.concurrency ?? 64,
    poolSize: args.poolSize ?? 20,
    ceilingSeconds: args.opts.ceilingSeconds ?? 3,
  };
  const results: DbResult[] = [];
  const skipped: string[] = [];
  for (const kind of opts.databases) {
    const bench = kind === "pglite" ? await openPglite() : await openPostgres(opts.poolSize);
    if (!bench) {
      skipped.push("Webhooks on Postgres were skipped (server unreachable).");
      continue;
    }
    args.track?.(bench);
    try {
      await migrateDatabase(bench.handle);
      console.log(`\n${label(kind)}: booking commit → webhook received (${opts.samples} bookings, one at a time)`);
      const latency = await measureLatency(bench, opts);
      console.log(`  p50 ${fmt(latency.p50, 2)} ms  p95 ${fmt(latency.p95, 2)} ms  p99 ${fmt(latency.p99, 2)} ms  max ${fmt(latency.max, 2)} ms  (request sent → received p50 ${fmt(latency.requestP50, 2)} ms)`);
      console.log(`${label(kind)}: draining ${opts.deliveries} queued deliveries (worker concurrency ${opts.concurrency})`);
      const drain = await measureDrain(bench, opts);
      console.log(
        `  ${drain.deliveries} delivered in ${fmt(drain.seconds, 2)} s: ${fmt(drain.perSecond, 0)}/s; ceiling (bare receiver, ${opts.concurrency} connections) ${fmt(drain.ceiling, 0)} req/s → ${fmt((100 * drain.perSecond) / drain.ceiling, 1)}%`,
      );
      results.push({ kind, version: bench.version, latency, drain });
    } catch (error) {
      console.error(`webhooks bench on ${label(kind)} failed: ${errorText(error)}`);
      skipped.push(`Webhooks on ${label(kind)} failed: ${errorText(error)}`);
    } finally {
      await bench.dispose();
      args.untrack?.(bench);
    }
  }
  const missed: string[] = [];
  for (const r of results) {
    if (!(r.latency.p95 < TARGET_P95_MS)) missed.push(`${r.kind}: webhook latency p95`);
    if (!(r.drain.perSecond >= TARGET_PER_SECOND)) missed.push(`${r.kind}: webhook drain rate`);
  }
  return { markdown: render(results, opts, skipped), missed, skipped };
}

function render(results: DbResult[], opts: WebhookOptions, skipped: string[]): string[] {
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const lines = [
    "## Webhooks",
    "",
    `Generated by \`npx bun server/bench/webhooks.ts\` on ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC (also \`run.ts --only webhooks\`).`,
    "",
    `- Latency: the real app with its in-process worker (concurrency ${opts.concurrency}, woken by the after-commit poke), one endpoint, a healthy loopback receiver in the same process; ${opts.samples} bookings made one at a time through POST /api/v2/bookings after ${opts.warmup} warm-up ones. Latency = the booking transaction's commit (its after-commit poke) → the receiver reading the webhook request. Target p95 < ${TARGET_P95_MS} ms.`,
    `- Drain: ${opts.deliveries.toLocaleString("en")} deliveries and their jobs inserted in bulk, then one worker (concurrency ${opts.concurrency}) started; rate = deliveries the receiver counted / time from worker start to the last one. The receiver (204, body read) runs in its own process. Ceiling: the same receiver loaded by load.ts (separate process, ${opts.concurrency} connections, closed loop). Target ≥ ${TARGET_PER_SECOND.toLocaleString("en")} deliveries/s.`,
    "",
    "| Database | Latency p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | Target p95 < 100 ms | Drain (deliveries/s) | Ceiling (req/s) | Ratio | Target ≥ 1,000/s | Load avg |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|",
    ...results.map(
      (r) =>
        `| ${label(r.kind)} | ${fmt(r.latency.p50, 2)} | ${fmt(r.latency.p95, 2)} | ${fmt(r.latency.p99, 2)} | ${fmt(r.latency.max, 2)} | ${verdict(r.latency.p95 < TARGET_P95_MS)} | ` +
        `${fmt(r.drain.perSecond, 0)} | ${fmt(r.drain.ceiling, 0)} | ${fmt((100 * r.drain.perSecond) / r.drain.ceiling, 1)}% | ${verdict(r.drain.perSecond >= TARGET_PER_SECOND)} | ${fmt(r.drain.loadAvg, 1)} |`,
    ),
    "",
    ...results.map(
      (r) =>
        `- ${label(r.kind)} (${r.version.split(",")[0]}): ${r.drain.deliveries} delivered in ${fmt(r.drain.seconds, 2)} s, ${r.drain.failed} left pending or dead; request sent → webhook received p50 ${fmt(r.latency.requestP50, 2)} ms.`,
    ),
    ...skipped.map((s) => `- ${s}`),
    "",
  ];
  return lines;
}

/** Runs the suite and writes its section (run.ts --only webhooks); returns the missed targets. */
export async function runWebhooksBench(args: { databases: DbKind[]; poolSize?: number; out: string }): Promise<string[]> {
  const result = await runWebhooksSuite({ opts: { databases: args.databases }, poolSize: args.poolSize });
  writeSection(args.out, result.markdown);
  return result.missed;
}

/** Replaces (or adds, before the analysis marker) the "## Webhooks" section of RESULTS.md. */
function writeSection(file: string, section: string[]) {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = `# Benchmark results\n\n${ANALYSIS_MARKER}\n`;
  }
  const body = `${section.join("\n").trimEnd()}\n\n`;
  const start = text.indexOf("## Webhooks\n");
  const marker = text.indexOf(ANALYSIS_MARKER);
  if (start >= 0 && (marker < 0 || start < marker)) {
    const rest = text.slice(start + 1);
    const next = [rest.search(/\n## /), rest.indexOf(`\n${ANALYSIS_MARKER}`)].filter((i) => i >= 0);
    const end = next.length ? start + 1 + Math.min(...next) + 1 : text.length;
    text = text.slice(0, start) + body + text.slice(end);
  } else if (marker >= 0) {
    text = text.slice(0, marker) + body + text.slice(marker);
  } else {
    text += `\n${body}`;
  }
  writeFileSync(file, text);
}

function parseArgs(argv: string[]): Partial<WebhookOptions> & { out: string } {
  const out: Partial<WebhookOptions> & { out: string } = { out: join(here, "RESULTS.md") };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--db") out.databases = value.split(",") as DbKind[];
    else if (flag === "--samples") out.samples = Number(value);
    else if (flag === "--deliveries") out.deliveries = Number(value);
    else if (flag === "--concurrency") out.concurrency = Number(value);
    else if (flag === "--out") out.out = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return out;
}

if (import.meta.main) {
  if (process.argv.includes("--receiver")) {
    await receiverMain();
  } else {
    const args = parseArgs(process.argv.slice(2));
    const result = await runWebhooksSuite({ opts: args });
    writeSection(args.out, result.markdown);
    if (result.missed.length) console.log(`Targets missed: ${result.missed.join("; ")}`);
    console.log(`Wrote the Webhooks section of ${args.out}`);
    process.exit(0);
  }
}
