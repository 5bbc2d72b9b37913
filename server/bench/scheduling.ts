/**
 * Scheduling benchmarks (`npx bun server/bench/run.ts --only scheduling`; part of the default `npm run bench`).
 *
 * Per database (PGlite, Postgres as in run.ts): migrate, seed 10,000 mentors (run.ts's seed), give each a weekly
 * schedule (Europe/Paris and a few other zones; 1 in 25 paused with no ranges) and 30 bookings (300,000: 25 past
 * COMPLETED/CANCELLED, 5 upcoming ACCEPTED on distinct quarter hours, so the EXCLUDE constraint holds), then:
 *   - time services.availability.refreshAllSummaries() (the quarter-hourly refresh of every mentor's summary);
 *   - load, beside the bare-route ceiling in the same run: GET /api/v2/students/:id/availability for random mentors
 *     (cache off, cache on, cache on with a fixed start/end window) and
 *     GET /api/v2/students/by-field/LAW?hasAvailability=true&sort=availability&pageSize=20 (cache off / on);
 *   - on Postgres only: POST /api/v2/bookings (widget token) on distinct free slots of many mentors, with the EXCLUDE
 *     constraint and again after dropping it in the throwaway database, plus EXPLAIN ANALYZE of a 5,000-row insert
 *     with and without it: the constraint's share of a booking.
 * Then the slot engine micro-benchmark (slot-engine.ts) as a subprocess.
 * Target: discovery (hasAvailability, sort=availability) p95 < 20 ms uncached on Postgres, judged at --moderate
 * connections (32 shown too).
 */
import { listingQuery } from "../modules/students/service.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { mentorSchedules, studentProfiles, users } from "../../db/schema/index.ts";
import { loadBusyForMany } from "../modules/availability/busy.ts";
import { signToken } from "../plugins/auth.ts";
import { computeSlots, HORIZON_DAYS } from "../scheduling/engine.ts";
import type { LoadResult } from "./load.ts";
import {
  type BenchDatabase,
  checkRoute,
  DEFAULT_POSTGRES_URL,
  errorText,
  FIELD,
  fmt,
  JWT_SECRET,
  label,
  MENTORS,
  type Options,
  openPglite,
  openPostgres,
  PAGE_SIZE,
  redact,
  type Row,
  runLoadProcess,
  seedMentors,
  show,
  startAppServer,
  table,
} from "./harness.ts";

const BOOKINGS_PER_MENTOR = 30;
const TARGET_DISCOVERY_P95_MS = 20;
const DAY = 86_400_000;
const SLOT_MS = 15 * 60_000;
const slotEngineScript = fileURLToPath(new URL("./slot-engine.ts", import.meta.url));

interface SuiteArgs {
  opts: Options;
  ceilingUrl: string;
  poolSize: number;
  track(b: BenchDatabase): void;
  untrack(b: BenchDatabase): void;
}

interface Measured {
  result: LoadResult;
  loadAvg: number;
}

interface SchedulingReport {
  bench: BenchDatabase;
  seedSeconds: number;
  bookings: number;
  accepted: number;
  refresh: { mentors: number; coldSeconds: number; warmSeconds: number };
  withAvailability: number;
  rows: Row[];
  explain?: string;
  explainSql?: string;
  booking?: BookingFigures;
  whatIf?: WhatIf[];
}

interface WhatIf {
  label: string;
  ms: number;
  plan: string;
}

/** Index matching the availability order, partial on the hasAvailability filter; created in the bench database only. */
export const AVAILABILITY_INDEX =
  "create index student_profiles_availability_idx on student_profiles " +
  "(field, free_slots_30d desc, average_rating desc nulls last, total_ratings desc nulls last, id) " +
  "where is_active and is_complete and free_slots_7d > 0";

/**
 * What-if for the discovery miss (EXPLAIN ANALYZE only, best of 5, in the throwaway database): the statement as is;
 * without count(*) over () (total from a separate count); with AVAILABILITY_INDEX and the filter as a literal.
 */
async function discoveryWhatIf(bench: BenchDatabase): Promise<WhatIf[]> {
  const q = availabilityListing(bench.handle.db, 1);
  const noWindow = q.sql.replace(', count(*) over ()', '').replace('"free_slots_7d" > $2', '"free_slots_7d" > 0').replace("limit $3", "limit $2");
  const params = [q.params[0], q.params[2]];
  const count = `select count(*) from "student_profiles" where "student_profiles"."is_active" and "student_profiles"."is_complete" and "field" = $1 and "free_slots_7d" > 0`;
  const time = async (label: string, text: string, p: unknown[]): Promise<WhatIf> => {
    let best: WhatIf | undefined;
    for (let i = 0; i < 5; i++) {
      const plan = (await bench.raw(`explain (analyze, buffers) ${text}`, p)).map((x) => String(Object.values(x)[0])).join("\n");
      const ms = Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? Number.NaN);
      if (!best || ms < best.ms) best = { label, ms, plan };
    }
    return best!;
  };
  const out = [await time("as is (current indexes)", q.sql, q.params), await time("without count(*) over (), current indexes", noWindow, params)];
  await bench.raw(AVAILABILITY_INDEX);
  await bench.raw("analyze student_profiles");
  out.push(await time("as is + availability index", q.sql, q.params));
  out.push(await time("without count(*) over () + availability index (page)", noWindow, params));
  out.push(await time("  + separate count(*) for the total", count, [q.params[0]]));
  await bench.raw("drop index student_profiles_availability_idx");
  for (const w of out) console.log(`  what-if ${w.label}: ${w.ms.toFixed(2)} ms`);
  return out;
}

interface BookingFigures {
  rows: Row[];
  insertWith?: number;
  insertWithout?: number;
  insertRows: number;
  planWith?: string;
  planWithout?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Seed

const ZONES = [
  "Europe/Paris",
  "Europe/Paris",
  "Europe/Paris",
  "Europe/Paris",
  "Europe/Paris",
  "Europe/Paris",
  "Europe/London",
  "America/Montreal",
  "Indian/Reunion",
  "Asia/Tokyo",
];
const r = (start: string, end: string) => ({ start, end });
const WEEKLY = [
  [1, 2, 3, 4, 5].map((weekday) => ({ weekday, ranges: [r("09:00", "12:00"), r("14:00", "18:00")] })),
  [...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, ranges: [r("18:00", "21:00")] })), { weekday: 6, ranges: [r("10:00", "13:00")] }],
  [1, 3, 5].map((weekday) => ({ weekday, ranges: [r("08:00", "10:00"), r("12:00", "14:00"), r("17:30", "20:00")] })),
  [...[2, 4].map((weekday) => ({ weekday, ranges: [r("17:00", "19:00")] })), ...[6, 7].map((weekday) => ({ weekday, ranges: [r("09:00", "12:00")] }))],
];

export async function seedScheduling(bench: BenchDatabase): Promise<void> {
  const zones = `array[${ZONES.map((z) => `'${z}'`).join(", ")}]::text[]`;
  const weekly = `array[${WEEKLY.map((w) => `'${JSON.stringify(w)}'`).join(", ")}]::jsonb[]`;
  await bench.raw(`
    insert into mentor_schedules (student_profile_id, time_zone, weekly)
    select p.id, (${zones})[1 + p.n % ${ZONES.length}],
           case when p.n % 25 = 0 then '[]'::jsonb else (${weekly})[1 + p.n % ${WEEKLY.length}] end
    from (select id, row_number() over (order by id) as n from student_profiles) as p`);
  // 25 past sessions (1 in 6 cancelled) and 5 upcoming accepted ones per mentor, each on its own quarter hour.
  await bench.raw(`
    insert into bookings (student_profile_id, start_time, end_time, status, prospective_name, prospective_email,
                          prospective_time_zone, meeting_url, meeting_provider, cancellation_reason, cancelled_by,
                          cancelled_at, completed_at, created_at, updated_at)
    select b.id, b.start, b.start + interval '15 minutes', b.status::booking_status, 'Lycéen ' || b.k,
           'lyceen.' || b.n || '.' || b.k || '@example.fr', 'Europe/Paris',
           'https://meet.jit.si/bench-' || b.n || '-' || b.k, 'jitsi',
           case when b.status = 'CANCELLED' then 'Empêchement' end,
           case when b.status = 'CANCELLED' then 'student' end,
           case when b.status = 'CANCELLED' then b.start - interval '1 day' end,
           case when b.status = 'COMPLETED' then b.start + interval '15 minutes' end,
           b.start - interval '3 days', b.start - interval '3 days'
    from (
      select p.id, p.n, k,
             case when k <= 25 then date_trunc('hour', now()) - (k * 97 + p.n % 13) * interval '15 minutes'
                  else date_trunc('day', now()) + (1 + (k - 26) * 6) * interval '1 day' + (32 + p.n % 48) * interval '15 minutes' end as start,
             case when k > 25 then 'ACCEPTED' when k % 6 = 0 then 'CANCELLED' else 'COMPLETED' end as status
      from (select id, row_number() over (order by id) as n from student_profiles) as p
      cross join generate_series(1, ${BOOKINGS_PER_MENTOR}) as k
    ) as b`);
  await bench.raw("analyze");
}

// ---------------------------------------------------------------------------------------------------------------------
// The discovery statement with hasAvailability and sort=availability, built as ProfileService.queryProfiles builds it.

function availabilityListing(db: Database, page: number) {
  return listingQuery(db, { field: FIELD, hasAvailability: true, sort: "availability", page, pageSize: PAGE_SIZE }).toSQL();
}

async function explain(bench: BenchDatabase, q: { sql: string; params: unknown[] }, analyze = "analyze, buffers"): Promise<string> {
  for (let i = 0; i < 5; i++) await bench.raw(q.sql, q.params);
  const rows = await bench.raw(`explain (${analyze}) ${q.sql}`, q.params);
  return rows.map((row) => String(Object.values(row)[0])).join("\n");
}

// ---------------------------------------------------------------------------------------------------------------------

export function shuffle<T>(items: T[], seed = 7): T[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Every mentor's free slots now, computed in bulk the way refreshAllSummaries does. */
export async function freeSlotsOfAll(db: Database): Promise<Map<string, number[]>> {
  const now = Date.now();
  const to = now + HORIZON_DAYS * DAY;
  const schedules = await db.select().from(mentorSchedules);
  const out = new Map<string, number[]>();
  for (let i = 0; i < schedules.length; i += 1000) {
    const batch = schedules.slice(i, i + 1000);
    const busy = await loadBusyForMany(db, batch.map((s) => s.studentProfileId), new Date(now), new Date(to + SLOT_MS));
    for (const s of batch) {
      const slots = computeSlots({
        schedule: { timeZone: s.timeZone, weekly: s.weekly, overrides: s.overrides, outOfOffice: s.outOfOffice },
        now,
        from: now,
        to,
        busy: busy.get(s.studentProfileId) ?? [],
      });
      out.set(s.studentProfileId, slots);
    }
  }
  return out;
}

async function benchScheduling(bench: BenchDatabase, { opts, ceilingUrl }: SuiteArgs): Promise<SchedulingReport> {
  const t0 = performance.now();
  await migrateDatabase(bench.handle);
  await seedMentors(bench.handle.db, MENTORS);
  await seedScheduling(bench);
  const seedSeconds = (performance.now() - t0) / 1000;
  const [counts] = await bench.raw("select count(*)::int as n, count(*) filter (where status = 'ACCEPTED')::int as a from bookings");
  const bookings = Number(counts?.n ?? 0);
  const accepted = Number(counts?.a ?? 0);
  console.log(`  seeded ${MENTORS} mentors, schedules and ${bookings} bookings (${accepted} upcoming accepted) in ${seedSeconds.toFixed(1)} s`);

  const cached = await startAppServer(bench.handle.db, true);
  const uncached = await startAppServer(bench.handle.db, false);
  const rows: Row[] = [];
  try {
    // The quarter-hourly refresh of every mentor's free-slot summary: first run (cold caches) and a second one.
    let s = performance.now();
    const mentors = await uncached.services.availability.refreshAllSummaries();
    const coldSeconds = (performance.now() - s) / 1000;
    s = performance.now();
    await uncached.services.availability.refreshAllSummaries();
    const warmSeconds = (performance.now() - s) / 1000;
    await bench.raw("analyze student_profiles");
    console.log(`  refreshAllSummaries: ${mentors} mentors in ${coldSeconds.toFixed(2)} s (first), ${warmSeconds.toFixed(2)} s (second)`);
    const [avail] = await bench.raw(
      `select count(*)::int as n from student_profiles where field = '${FIELD}' and is_active and is_complete and free_slots_7d > 0`,
    );
    const withAvailability = Number(avail?.n ?? 0);

    const ids = shuffle((await bench.raw("select id from student_profiles order by id")).map((x) => String(x.id)));
    const availabilityPaths = ids.slice(0, 500).map((id) => `/api/v2/students/${id}/availability`);
    const windowStart = new Date(Math.ceil(Date.now() / SLOT_MS) * SLOT_MS + DAY).toISOString();
    const windowEnd = new Date(Date.parse(windowStart) + 7 * DAY).toISOString();
    const windowPaths = availabilityPaths.slice(0, 100).map((p) => `${p}?start=${windowStart}&end=${windowEnd}`);
    const listing = (page: number) => `/api/v2/students/by-field/${FIELD}?hasAvailability=true&sort=availability&pageSize=${PAGE_SIZE}&page=${page}`;
    const listingPaths = [1, 2, 3, 4, 5].map(listing);

    await checkRoute(ceilingUrl);
    for (const server of [cached, uncached]) {
      const check = await checkRoute(server.url + listing(1), server.token);
      if (check.profiles === 0) throw new Error(`${listing(1)} returned no profiles`);
      const res = await fetch(server.url + availabilityPaths[0], { headers: { authorization: `Bearer ${server.token}` } });
      if (!res.ok) throw new Error(`availability answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
    }

    const measure = async (urls: string[], connections: number, token?: string): Promise<Measured> => {
      const loadAvg = loadavg()[0] ?? 0;
      return { result: await runLoadProcess(urls, { ...opts, connections }, token), loadAvg };
    };
    const ceiling = await measure([ceilingUrl], opts.connections);
    const ratio = (x: LoadResult) => (ceiling.result.rps > 0 ? x.rps / ceiling.result.rps : 0);
    const row = (scenario: string, m: Measured, connections: number, note?: string, target = ""): Row => {
      const judged = target !== "" && bench.kind === "postgres" && connections === opts.moderate;
      const out: Row = {
        scenario,
        connections,
        ...m,
        ratio: ratio(m.result),
        verdict: judged ? (m.result.errors === 0 && m.result.p95 < TARGET_DISCOVERY_P95_MS ? "PASS" : "MISS") : "-",
        target: judged ? target : target && bench.kind === "postgres" ? `(judged at ${opts.moderate} conns)` : "",
        rounds: 1,
        ...(note ? { note } : {}),
      };
      rows.push(out);
      show(out);
      return out;
    };
    row("ceiling: bare JSON route", ceiling, opts.connections);
    const url = (server: typeof cached, paths: string[]) => paths.map((p) => server.url + p);
    row("availability, cache off", await measure(url(uncached, availabilityPaths), opts.connections, uncached.token), opts.connections, `${availabilityPaths.length} random mentors, 30-day window`);
    row("availability, cache off", await measure(url(uncached, availabilityPaths), opts.moderate, uncached.token), opts.moderate);
    const before = cached.cacheStats();
    row("availability, cache on", await measure(url(cached, availabilityPaths), opts.connections, cached.token), opts.connections);
    const after = cached.cacheStats();
    const hits = after.hits - before.hits;
    const misses = after.misses - before.misses;
    rows.at(-1)!.note = `same ${availabilityPaths.length} mentors, no start/end (the widget's call); cache hit rate ${((hits / Math.max(1, hits + misses)) * 100).toFixed(1)}%`;
    const before2 = cached.cacheStats();
    row("availability, cache on, fixed window", await measure(url(cached, windowPaths), opts.connections, cached.token), opts.connections);
    const after2 = cached.cacheStats();
    const hits2 = after2.hits - before2.hits;
    rows.at(-1)!.note = `${windowPaths.length} mentors, start/end given (7 days); cache hit rate ${((hits2 / Math.max(1, hits2 + after2.misses - before2.misses)) * 100).toFixed(1)}%`;
    const target = `p95 < ${TARGET_DISCOVERY_P95_MS} ms`;
    row("discovery hasAvailability, cache off", await measure(url(uncached, listingPaths), opts.connections, uncached.token), opts.connections, "sort=availability, pages 1–5 rotated", target);
    row("discovery hasAvailability, cache off", await measure(url(uncached, listingPaths), opts.moderate, uncached.token), opts.moderate, undefined, target);
    row("discovery hasAvailability, cache off", await measure(url(uncached, listingPaths), 1, uncached.token), 1, "one connection: service time", target);
    row("discovery hasAvailability, cache on", await measure(url(cached, [listing(1)]), opts.connections, cached.token), opts.connections, "page 1, same URL");

    let explainPlan: string | undefined;
    let explainSql: string | undefined;
    try {
      const q = availabilityListing(bench.handle.db, 1);
      explainSql = q.sql;
      explainPlan = await explain(bench, q);
    } catch (error) {
      console.log(`  (EXPLAIN failed: ${errorText(error)})`);
    }

    const whatIf = opts.whatIf ? await discoveryWhatIf(bench).catch((error) => (console.log(`  (what-if failed: ${errorText(error)})`), undefined)) : undefined;

    let booking: BookingFigures | undefined;
    if (bench.kind === "postgres") booking = await benchBookings(bench, cached.url, opts, ratio, rows);

    return {
      bench,
      seedSeconds,
      bookings,
      accepted,
      refresh: { mentors, coldSeconds, warmSeconds },
      withAvailability,
      rows,
      ...(explainPlan ? { explain: explainPlan } : {}),
      ...(explainSql ? { explainSql } : {}),
      ...(booking ? { booking } : {}),
      ...(whatIf ? { whatIf } : {}),
    };
  } finally {
    await cached.stop();
    await uncached.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Bookings on distinct slots (Postgres)

const INSERT_ROWS = 5000;

/** EXPLAIN ANALYZE of one INSERT of INSERT_ROWS accepted bookings on distinct slots 40+ days ahead; rows removed afterwards. */
async function explainInsert(bench: BenchDatabase): Promise<{ ms: number; plan: string }> {
  const statement = `
    insert into bookings (student_profile_id, start_time, end_time, status, prospective_name, prospective_email, meeting_url, meeting_provider)
    select p.id, date_trunc('day', now()) + interval '40 days' + g * interval '15 minutes',
           date_trunc('day', now()) + interval '40 days' + (g + 1) * interval '15 minutes', 'ACCEPTED', 'Lycéen EXPLAIN',
           'explain.' || g || '@example.fr', 'https://meet.jit.si/explain-' || g, 'jitsi'
    from generate_series(1, ${INSERT_ROWS}) as g
    join (select id, row_number() over (order by id) as n from student_profiles) as p on p.n = 1 + g % ${MENTORS}`;
  let best: { ms: number; plan: string } | undefined;
  for (let i = 0; i < 3; i++) {
    const rows = await bench.raw(`explain (analyze, buffers) ${statement}`);
    await bench.raw("delete from bookings where meeting_url like 'https://meet.jit.si/explain-%'");
    const plan = rows.map((x) => String(Object.values(x)[0])).join("\n");
    const ms = Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? Number.NaN);
    if (!best || ms < best.ms) best = { ms, plan };
  }
  await bench.raw("vacuum bookings");
  return best!;
}

async function benchBookings(
  bench: BenchDatabase,
  appUrl: string,
  opts: Options,
  ratio: (r: LoadResult) => number,
  allRows: Row[],
): Promise<BookingFigures> {
  const free = await freeSlotsOfAll(bench.handle.db);
  const mentors = shuffle([...free.keys()].filter((id) => (free.get(id)?.length ?? 0) > 60), 11);
  // Disjoint slot sets per run: slot index 12, 24, 36, 48 of each mentor (all more than 2 hours ahead).
  const bodiesFor = (slotIndex: number, count: number) =>
    mentors.slice(0, count).map((id, i) => ({
      studentProfileId: id,
      dateTime: new Date(free.get(id)![slotIndex]!).toISOString(),
      prospectiveStudent: { name: `Lycéen ${i}`, email: `bench.${slotIndex}.${i}@example.fr`, timeZone: "Europe/Paris", locale: "fr" },
    }));
  const dir = mkdtempSync(join(tmpdir(), "thotis-bench-bookings-"));
  const widget = await signToken(JWT_SECRET, { sub: "bench-widget", role: "widget" }, 3600);
  const url = `${appUrl}/api/v2/bookings`;
  const rows: Row[] = [];
  const run = async (scenario: string, slotIndex: number, connections: number, note: string) => {
    const file = join(dir, `bodies-${slotIndex}.json`);
    writeFileSync(file, JSON.stringify(bodiesFor(slotIndex, mentors.length)));
    const loadAvg = loadavg()[0] ?? 0;
    const result = await runLoadProcess([url], { ...opts, connections, warmupSeconds: Math.min(opts.warmupSeconds, 0.5) }, widget, ["--post-file", file]);
    const out: Row = { scenario, connections, result, loadAvg, ratio: ratio(result), verdict: "-", target: "", rounds: 1, note };
    rows.push(out);
    allRows.push(out);
    show(out);
  };
  console.log(`  bookings: ${mentors.length} mentors with free slots; every request books a distinct slot`);
  try {
    await run("POST /bookings, with EXCLUDE", 12, opts.connections, "widget token, distinct slots of random mentors");
    await run("POST /bookings, with EXCLUDE", 24, 1, "one connection: service time");
    const withC = await explainInsert(bench);
    await bench.raw("alter table bookings drop constraint bookings_no_overlap");
    await bench.raw("analyze bookings");
    const withoutC = await explainInsert(bench);
    await run("POST /bookings, without EXCLUDE", 36, opts.connections, "constraint dropped in the bench database");
    await run("POST /bookings, without EXCLUDE", 48, 1, "constraint dropped, one connection");
    return { rows, insertWith: withC.ms, insertWithout: withoutC.ms, insertRows: INSERT_ROWS, planWith: withC.plan, planWithout: withoutC.plan };
  } catch (error) {
    console.log(`  (bookings benchmark failed: ${errorText(error)})`);
    return { rows, insertRows: INSERT_ROWS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------

async function slotEngine(): Promise<string> {
  const child = Bun.spawn([process.execPath, slotEngineScript], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) return `slot-engine.ts exited with ${code}: ${stderr.trim()}`;
  return stdout.trim();
}

function bookingSummary(b: BookingFigures): string[] {
  const out: string[] = [];
  const w = b.rows.find((r) => r.scenario.endsWith("with EXCLUDE") && r.connections > 1);
  const wo = b.rows.find((r) => r.scenario.endsWith("without EXCLUDE") && r.connections > 1);
  const w1 = b.rows.find((r) => r.scenario.endsWith("with EXCLUDE") && r.connections === 1);
  if (w) out.push(`- Bookings/s (${w.connections} connections, distinct slots, constraint in place): **${fmt(w.result.rps, 0)}**; errors ${w.result.errors} ${w.result.errors ? JSON.stringify(w.result.errorKinds) : ""}`);
  if (w && wo) {
    const share = 1 - w.result.rps / Math.max(1e-9, wo.result.rps);
    out.push(`- Without the constraint: ${fmt(wo.result.rps, 0)} bookings/s, i.e. the constraint costs ${(share * 100).toFixed(1)}% of end-to-end throughput (within run-to-run noise if near 0 or negative).`);
  }
  if (b.insertWith !== undefined && b.insertWithout !== undefined) {
    const perRow = ((b.insertWith - b.insertWithout) / b.insertRows) * 1000;
    out.push(
      `- EXPLAIN ANALYZE of one ${b.insertRows.toLocaleString("en")}-row INSERT (best of 3): ${b.insertWith.toFixed(1)} ms with the constraint, ${b.insertWithout.toFixed(1)} ms without: ` +
        `${perRow.toFixed(1)} µs per row for the gist index insert + exclusion check (${((1 - b.insertWithout / b.insertWith) * 100).toFixed(0)}% of the INSERT itself)` +
        (w1 ? `, ${((perRow / 1000 / w1.result.mean) * 100).toFixed(2)}% of a booking request's ${fmt(w1.result.mean, 2)} ms (mean, one connection).` : "."),
    );
  }
  return out;
}

export async function runSchedulingSuite(args: SuiteArgs): Promise<{ markdown: string[]; missed: string[]; skipped: string[] }> {
  const { opts, poolSize } = args;
  const reports: SchedulingReport[] = [];
  const skipped: string[] = [];
  for (const kind of opts.databases) {
    const bench = kind === "pglite" ? await openPglite() : await openPostgres(poolSize);
    if (!bench) {
      skipped.push(`Scheduling on Postgres was skipped (unreachable at ${redact(process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL)}).`);
      continue;
    }
    args.track(bench);
    console.log(`\n${label(kind)} — ${bench.version.split(",")[0]}`);
    try {
      reports.push(await benchScheduling(bench, args));
    } finally {
      await bench.dispose();
      args.untrack(bench);
    }
  }
  console.log("\nSlot engine (slot-engine.ts):");
  const engine = await slotEngine();
  console.log(engine);

  const md: string[] = [
    "## Scheduling",
    "",
    `- Data: ${MENTORS.toLocaleString("en")} mentors (as above) with weekly schedules (60% Europe/Paris, the rest Europe/London, America/Montreal, Indian/Reunion, Asia/Tokyo; 4 weekly patterns, 1 in 25 paused) and ${(MENTORS * BOOKINGS_PER_MENTOR).toLocaleString("en")} bookings (25 past COMPLETED/CANCELLED and 5 upcoming ACCEPTED per mentor, distinct quarter hours).`,
    `- Availability: \`GET /api/v2/students/:id/availability\` (default window: now → 30 days) over 500 random mentors; "fixed window" adds \`start\`/\`end\` (7 days). Discovery: \`GET /api/v2/students/by-field/${FIELD}?hasAvailability=true&sort=availability&pageSize=${PAGE_SIZE}\` (cache off: pages 1–5 rotated).`,
    `- Target: discovery p95 < ${TARGET_DISCOVERY_P95_MS} ms uncached on Postgres, judged at ${opts.moderate} connections. Bookings: Postgres only, widget token, every request a distinct free slot of a random mentor; then the EXCLUDE constraint is dropped in the bench database and the run repeated on other slots.`,
    "",
  ];
  const missed: string[] = [];
  for (const r of reports) {
    md.push(`### ${label(r.bench.kind)}`, "");
    md.push(
      `${r.bench.version.split(",")[0]} — ${r.bench.location}. Seed (mentors, schedules, ${r.bookings.toLocaleString("en")} bookings, ${r.accepted.toLocaleString("en")} upcoming accepted) + migrations: ${r.seedSeconds.toFixed(1)} s.`,
      "",
      `- **refreshAllSummaries()** (every quarter hour): ${r.refresh.mentors.toLocaleString("en")} mentors in **${r.refresh.coldSeconds.toFixed(2)} s** (first run), ${r.refresh.warmSeconds.toFixed(2)} s (second run). ${FIELD} mentors with a free slot in 7 days: ${r.withAvailability}.`,
      "",
    );
    md.push(table(r), "");
    md.push(...r.rows.filter((x) => x.note).map((x) => `- ${x.scenario} [${x.connections}c]: ${x.note}`), "");
    if (r.booking) md.push(...bookingSummary(r.booking), "");
    if (r.explain) md.push(`EXPLAIN (ANALYZE, BUFFERS), discovery with hasAvailability and sort=availability, page 1, warm:`, "", "```", r.explain, "```", "");
    if (r.whatIf) {
      md.push(`What-if for the discovery statement (EXPLAIN ANALYZE execution time, best of 5; index \`${AVAILABILITY_INDEX.replace("create index ", "")}\` created in the bench database only):`, "");
      md.push("| Variant | Execution (ms) |", "|---|---:|", ...r.whatIf.map((w) => `| ${w.label} | ${w.ms.toFixed(2)} |`), "");
      const page = r.whatIf.find((w) => w.label.startsWith("without count(*) over () + availability"));
      if (page) md.push("Plan of the page query without the window function, with the index:", "", "```", page.plan, "```", "");
    }
    if (r.booking?.planWith) md.push(`EXPLAIN ANALYZE of the ${r.booking.insertRows}-row INSERT with the constraint (without it: ${r.booking.insertWithout?.toFixed(1)} ms):`, "", "```", r.booking.planWith, "```", "");
    missed.push(...r.rows.filter((x) => x.verdict === "MISS").map((x) => `${r.bench.kind}: ${x.scenario} [${x.connections}c]`));
  }
  if (reports[0]?.explainSql) md.push("Discovery statement (as built by ProfileService.queryProfiles with hasAvailability, sort=availability):", "", "```sql", reports[0].explainSql, "```", "");
  md.push("### Slot engine (server/bench/slot-engine.ts, target < 300 µs a call)", "", "```", engine, "```", "");
  if (engine.trim().endsWith("MISS")) missed.push("slot engine");
  return { markdown: md, missed, skipped };
}
