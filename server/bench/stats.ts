/**
 * Statistics and CSV export benchmark (`bun server/bench/stats.ts`, or `bun server/bench/run.ts --only stats`).
 *
 *   bun server/bench/stats.ts [--db postgres,pglite] [--bookings 1000000] [--duration 5] [--connections 32]
 *
 * For each database: migrate, seed 10,000 mentors (run.ts's seed) and 1,000,000 past bookings (85 % completed,
 * 15 % cancelled, spread over the last year) with a rating on a third of the completed ones, all set-based
 * (generate_series), then the mentors' counters and averages from those rows. Then, on the real app:
 *   - the bare-route ceiling (same runtime, same load generator) for scale;
 *   - GET /api/v2/platform/stats (all time, and a 90-day range) and /admin/stats/trends (day over 90 days, week over a
 *     year): cold (cache off, one connection, so the figure is the query's service time) and cached (cache on, load
 *     generator at --connections); target p95 < 50 ms with caching;
 *   - GET /api/v2/admin/export/sessions.csv at 100,000 and 1,000,000 rows: time, rows/s and the process's peak RSS and
 *     heap over its baseline, sampled every 20 ms while the client reads the stream (flat memory = streaming works).
 * Writes its own section into RESULTS.md (between the stats markers, after the analysis marker, which run.ts keeps).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { loadConfig } from "../config.ts";
import {
  ANALYSIS_MARKER,
  type BenchDatabase,
  type DbKind,
  errorText,
  fmt,
  label,
  machine,
  MENTORS,
  openPglite,
  openPostgres,
  type Options,
  runLoadProcess,
  seedMentors,
  startAppServer,
  startCeilingServer,
} from "./harness.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const BEGIN = "<!-- stats bench: begin (written by server/bench/stats.ts) -->";
const END = "<!-- stats bench: end -->";
const TARGET_P95_MS = 50;
const DAY = 86_400_000;

export interface StatsOptions {
  databases: DbKind[];
  bookings: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  coldSamples: number;
  out: string;
}

/** 1,000,000 past bookings in one statement per 250,000, ids ascending with time; ratings on a third of the completed. */
export async function seedBookings(db: Database, total: number, now: Date): Promise<void> {
  const chunk = 250_000;
  await db.execute(sql`create temporary table if not exists bench_mentors as
                         select id, (row_number() over (order by id) - 1)::int as i from student_profiles`);
  for (let first = 1; first <= total; first += chunk) {
    const last = Math.min(total, first + chunk - 1);
    // Row g: mentor g % 10,000; start = now - (365 days * (total - g) / total), snapped to a quarter hour, so ids
    // ascend with time. Past rows are never ACCEPTED, so the no-overlap constraint does not apply.
    await db.execute(sql`
      insert into bookings (student_profile_id, start_time, end_time, status, prospective_name, prospective_email,
                            meeting_url, meeting_provider, cancelled_at, cancelled_by, completed_at, created_at)
      select m.id, s.t, s.t + interval '15 minutes', s.status::booking_status, 'Élève ' || g, 'eleve' || g || '@lycee.test',
             'https://meet.jit.si/bench-' || g, 'jitsi',
             case when s.status = 'CANCELLED' then s.t - interval '1 day' end,
             case when s.status = 'CANCELLED' then 'student' end,
             case when s.status = 'COMPLETED' then s.t + interval '15 minutes' end,
             s.t - interval '3 days'
        from generate_series(${first}::int, ${last}::int) g
        join bench_mentors m on m.i = g % ${MENTORS}
        cross join lateral (
          select date_trunc('hour', ${now.toISOString()}::timestamptz - (${total}::int - g) * (interval '365 days' / ${total}::int) - interval '1 hour')
                   + (g % 4) * interval '15 minutes' as t,
                 case when g % 20 < 3 then 'CANCELLED' else 'COMPLETED' end as status
        ) s`);
  }
  await db.execute(sql`
    insert into session_ratings (id, booking_id, student_profile_id, rating, feedback, prospective_email, flagged, review, created_at)
    select 'rb' || b.id, b.id, b.student_profile_id, r.v, case when b.id % 7 = 0 then 'Très clair, merci !' end,
           b.prospective_email, r.v < 3, case when r.v < 3 then 'pending' else 'kept' end, b.end_time + interval '1 hour'
      from bookings b cross join lateral (select (1 + ((b.id::bigint * 7919) % 100 + 20) / 24)::int as v) r
     where b.status = 'COMPLETED' and b.id % 3 = 0`);
  await db.execute(sql`
    update student_profiles p set total_sessions = c.total, completed_sessions = c.completed, cancelled_sessions = c.cancelled
      from (select student_profile_id, count(*)::int as total, (count(*) filter (where status = 'COMPLETED'))::int as completed,
                   (count(*) filter (where status = 'CANCELLED'))::int as cancelled
              from bookings group by student_profile_id) c
     where p.id = c.student_profile_id`);
  await db.execute(sql`
    update student_profiles p set average_rating = r.mean, total_ratings = r.n
      from (select student_profile_id, round(avg(rating)::numeric, 1) as mean, count(*)::int as n
              from session_ratings where review <> 'hidden' group by student_profile_id) r
     where p.id = r.student_profile_id`);
  await db.execute(sql`drop table if exists bench_mentors`);
  for (const table of ["bookings", "session_ratings", "student_profiles"]) await db.execute(sql.raw(`analyze ${table}`));
}

async function count(bench: BenchDatabase, text: string): Promise<number> {
  const [row] = await bench.raw(text);
  return Number(Object.values(row ?? {})[0] ?? 0);
}

interface Latency {
  scenario: string;
  mode: "cold" | "cached";
  connections: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

/** Sequential requests on one connection; each URL differs (a distinct range), so none is a cache hit even with caching on. */
async function coldLatency(urls: string[], token: string): Promise<{ p50: number; p95: number; p99: number; rps: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  for (const url of urls) {
    const start = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    times.push(performance.now() - start);
    if (!res.ok) errors++;
  }
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), rps: urls.length / seconds, errors };
}

interface ExportFigure {
  rows: number;
  bytes: number;
  seconds: number;
  baselineRssMb: number;
  peakRssDeltaMb: number;
  peakHeapDeltaMb: number;
}

/** Downloads an export while sampling this process's memory (the server runs here); the body is counted, not kept. */
async function measureExport(url: string, token: string): Promise<ExportFigure> {
  Bun.gc(true);
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok || !res.body) throw new Error(`export answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  let bytes = 0;
  let newlines = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) newlines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const mb = (n: number) => n / 1024 / 1024;
  return {
    rows: newlines - 1, // the header row; no cell of this data set holds a line break
    bytes,
    seconds,
    baselineRssMb: mb(base.rss),
    peakRssDeltaMb: mb(peakRss - base.rss),
    peakHeapDeltaMb: mb(peakHeap - base.heapUsed),
  };
}

interface Report {
  kind: DbKind;
  version: string;
  seedSeconds: number;
  bookings: number;
  ratings: number;
  ceiling: { rps: number; p95: number };
  latencies: Latency[];
  exports: ExportFigure[];
  /** 1-minute load average at the start and the end of the measurements (others' work skews the figures). */
  load: [number, number];
}

async function benchOne(bench: BenchDatabase, opts: StatsOptions, ceilingUrl: string): Promise<Report> {
  const db = bench.handle.db;
  const now = new Date();
  const t0 = performance.now();
  await migrateDatabase(bench.handle);
  await seedMentors(db, MENTORS);
  await seedBookings(db, opts.bookings, now);
  const seedSeconds = (performance.now() - t0) / 1000;
  const bookings = await count(bench, "select count(*) from bookings");
  const ratings = await count(bench, "select count(*) from session_ratings");
  console.log(`  seeded ${MENTORS} mentors, ${bookings} bookings, ${ratings} ratings in ${seedSeconds.toFixed(1)} s`);

  const loadAtStart = loadavg()[0] ?? 0;
  const load = { durationSeconds: opts.durationSeconds, warmupSeconds: opts.warmupSeconds, connections: opts.connections } as Options;
  const ceiling = await runLoadProcess([ceilingUrl], load);
  console.log(`  ceiling (bare route) ${fmt(ceiling.rps, 0)} req/s, p95 ${fmt(ceiling.p95, 2)} ms`);

  const iso = (ms: number) => new Date(ms).toISOString();
  const end = Date.parse(now.toISOString().slice(0, 10));
  const routes: { scenario: string; path: string; cold: (i: number) => string }[] = [
    { scenario: "platform stats, all time", path: "/api/v2/platform/stats", cold: (i) => `/api/v2/platform/stats?university=${encodeURIComponent(UNIS[i % UNIS.length] as string)}` },
    {
      scenario: "platform stats, 90-day range",
      path: `/api/v2/platform/stats?from=${iso(end - 90 * DAY)}&to=${iso(end)}`,
      cold: (i) => `/api/v2/platform/stats?from=${iso(end - 90 * DAY - i * 60_000)}&to=${iso(end)}`,
    },
    {
      scenario: "trends by day, 90 days",
      path: `/api/v2/admin/stats/trends?granularity=day&from=${iso(end - 90 * DAY)}&to=${iso(end)}`,
      cold: (i) => `/api/v2/admin/stats/trends?granularity=day&from=${iso(end - 90 * DAY - i * 60_000)}&to=${iso(end)}`,
    },
    {
      scenario: "trends by ISO week, 1 year",
      path: `/api/v2/admin/stats/trends?granularity=week&from=${iso(end - 365 * DAY)}&to=${iso(end)}`,
      cold: (i) => `/api/v2/admin/stats/trends?granularity=week&from=${iso(end - 365 * DAY - i * 60_000)}&to=${iso(end)}`,
    },
  ];
  const latencies: Latency[] = [];
  const cold = await startAppServer(db, false);
  try {
    for (const r of routes) {
      const urls = Array.from({ length: opts.coldSamples }, (_, i) => `${cold.url}${r.cold(i)}`);
      await coldLatency(urls.slice(0, 2), cold.token); // warm the JIT and the plan cache
      const m = await coldLatency(urls, cold.token);
      latencies.push({ scenario: r.scenario, mode: "cold", connections: 1, ...m });
      console.log(`  ${r.scenario.padEnd(32)} cold   [1c]  p50 ${fmt(m.p50, 1)}  p95 ${fmt(m.p95, 1)} ms${m.errors ? `  ERRORS ${m.errors}` : ""}`);
    }
  } finally {
    await cold.stop();
  }
  const cached = await startAppServer(db, true);
  const exports: ExportFigure[] = [];
  try {
    for (const r of routes) {
      // One request fills the cache, as a dashboard's first viewer does; the load then measures cached answers.
      await coldLatency([`${cached.url}${r.path}`], cached.token);
      const m = await runLoadProcess([`${cached.url}${r.path}`], load, cached.token);
      latencies.push({ scenario: r.scenario, mode: "cached", connections: opts.connections, rps: m.rps, p50: m.p50, p95: m.p95, p99: m.p99, errors: m.errors });
      console.log(`  ${r.scenario.padEnd(32)} cached [${opts.connections}c] ${fmt(m.rps, 0)} req/s  p95 ${fmt(m.p95, 2)} ms${m.errors ? `  ERRORS ${m.errors}` : ""}`);
    }
    // A tenth of the rows (the seed spreads them evenly over the year: about 100,000), then every row.
    for (const qs of [`?from=${iso(now.getTime() - 36.5 * DAY)}`, ""]) {
      const figure = await measureExport(`${cached.url}/api/v2/admin/export/sessions.csv${qs}`, cached.token);
      exports.push(figure);
      console.log(
        `  sessions.csv ${figure.rows} rows: ${fmt(figure.seconds, 1)} s (${fmt(figure.rows / figure.seconds, 0)} rows/s, ${fmt(figure.bytes / 1024 / 1024, 0)} MB); ` +
          `peak RSS +${fmt(figure.peakRssDeltaMb, 1)} MB over ${fmt(figure.baselineRssMb, 0)} MB, heap +${fmt(figure.peakHeapDeltaMb, 1)} MB`,
      );
    }
  } finally {
    await cached.stop();
  }
  return {
    kind: bench.kind,
    version: bench.version.split(",")[0] ?? bench.version,
    seedSeconds,
    bookings,
    ratings,
    ceiling: { rps: ceiling.rps, p95: ceiling.p95 },
    latencies,
    exports,
    load: [loadAtStart, loadavg()[0] ?? 0],
  };
}

const UNIS = ["Sorbonne Université", "Université de Lille", "Université de Bordeaux", "Nantes Université", "Université de Rennes"];

function render(reports: Report[], opts: StatsOptions, started: Date): string {
  const m = machine();
  const out = [
    BEGIN,
    "## Statistics and CSV export",
    "",
    `Run of ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${m.nproc} cores, Bun ${Bun.version}; ${MENTORS.toLocaleString("en")} mentors, ` +
      `${opts.bookings.toLocaleString("en")} past bookings. Cold: cache off, one connection, a distinct query each time (service time). ` +
      `Cached: cache on, ${opts.connections} connections, ${opts.warmupSeconds}+${opts.durationSeconds} s. Target: cached p95 < ${TARGET_P95_MS} ms.`,
    "",
  ];
  for (const r of reports) {
    out.push(`### ${label(r.kind)} (${r.version})`, "");
    out.push(`Seed: ${r.bookings.toLocaleString("en")} bookings, ${r.ratings.toLocaleString("en")} ratings in ${fmt(r.seedSeconds, 1)} s (set-based). ` +
      `Bare-route ceiling in the same run: ${fmt(r.ceiling.rps, 0)} req/s, p95 ${fmt(r.ceiling.p95, 2)} ms. ` +
      `Load average ${fmt(r.load[0], 1)} at the start, ${fmt(r.load[1], 1)} at the end (${m.nproc} cores).`, "");
    out.push("| scenario | mode | conns | req/s | p50 ms | p95 ms | p99 ms | verdict |", "|---|---|---:|---:|---:|---:|---:|---|");
    for (const l of r.latencies) {
      const verdict = l.mode === "cached" ? (l.p95 < TARGET_P95_MS && l.errors === 0 ? "PASS" : "MISS") : "-";
      out.push(`| ${l.scenario} | ${l.mode} | ${l.connections} | ${fmt(l.rps, 0)} | ${fmt(l.p50, 2)} | ${fmt(l.p95, 2)} | ${fmt(l.p99, 2)} | ${verdict}${l.errors ? ` (${l.errors} errors)` : ""} |`);
    }
    out.push("", "| export | rows | seconds | rows/s | MB | baseline RSS MB | peak RSS over baseline MB | peak heap over baseline MB |", "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const e of r.exports) {
      out.push(`| sessions.csv | ${e.rows.toLocaleString("en")} | ${fmt(e.seconds, 1)} | ${fmt(e.rows / e.seconds, 0)} | ${fmt(e.bytes / 1024 / 1024, 0)} | ${fmt(e.baselineRssMb, 0)} | ${fmt(e.peakRssDeltaMb, 1)} | ${fmt(e.peakHeapDeltaMb, 1)} |`);
    }
    out.push("");
  }
  out.push(END);
  return out.join("\n");
}

/** Replaces (or appends) this benchmark's section; it sits after the analysis marker so run.ts's rewrites keep it. */
function writeSection(file: string, section: string) {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = `# Benchmark results\n\n${ANALYSIS_MARKER}\n`;
  }
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  const next = a >= 0 && b > a ? `${text.slice(0, a)}${section}${text.slice(b + END.length)}` : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

export async function runStatsBench(opts: StatsOptions): Promise<void> {
  const started = new Date();
  const poolSize = loadConfig({ DATA_DIR: "/tmp" }, { persistSecret: false }).databasePoolSize;
  const ceiling = startCeilingServer();
  const reports: Report[] = [];
  try {
    for (const kind of opts.databases) {
      const bench = kind === "pglite" ? await openPglite() : await openPostgres(poolSize);
      if (!bench) continue;
      console.log(`\n${label(kind)} — ${bench.version.split(",")[0]}`);
      try {
        reports.push(await benchOne(bench, opts, ceiling.url));
      } catch (error) {
        console.error(`  ${label(kind)} failed: ${errorText(error)}`);
      } finally {
        await bench.dispose();
      }
    }
  } finally {
    await ceiling.server.stop();
  }
  if (reports.length) {
    writeSection(opts.out, render(reports, opts, started));
    console.log(`\nWrote the statistics section of ${opts.out}`);
  }
}

/** The defaults, with what the caller (run.ts) sets. */
export function statsOptions(given: Partial<StatsOptions> = {}): StatsOptions {
  return {
    databases: ["postgres", "pglite"],
    bookings: 1_000_000,
    durationSeconds: 5,
    warmupSeconds: 1,
    connections: 32,
    coldSamples: 30,
    out: join(here, "RESULTS.md"),
    ...given,
  };
}

function parse(argv: string[]): StatsOptions {
  const opts = statsOptions();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ""];
    if (flag === "--db") opts.databases = value.split(",") as DbKind[];
    else if (flag === "--bookings") opts.bookings = Number(value);
    else if (flag === "--duration") opts.durationSeconds = Number(value);
    else if (flag === "--warmup") opts.warmupSeconds = Number(value);
    else if (flag === "--connections") opts.connections = Number(value);
    else if (flag === "--cold-samples") opts.coldSamples = Number(value);
    else if (flag === "--out") opts.out = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

if (import.meta.main) {
  runStatsBench(parse(process.argv.slice(2)))
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(`stats bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    });
}
