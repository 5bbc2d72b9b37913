/**
 * Discovery benchmark (`npm run bench`; not a CI test).
 *
 *   bun server/bench/run.ts [--only discovery,scheduling] [--db pglite,postgres] [--duration 5] [--warmup 1]
 *                           [--connections 32] [--moderate 4] [--rounds 2] [--no-what-if] [--out server/bench/RESULTS.md]
 *
 * Suites: "discovery" (below) and "scheduling" (server/bench/scheduling.ts: availability endpoint, discovery with
 * hasAvailability and free-slot ordering at 10,000 mentors and 300,000 bookings, summary refresh, bookings/s and the
 * EXCLUDE constraint's share, the slot engine). Both run by default. "stats" (server/bench/stats.ts: platform stats,
 * trends and CSV export at 10,000 mentors and 1,000,000 bookings) runs only with --only stats and writes its own
 * section of RESULTS.md. "webhooks" (server/bench/webhooks.ts: booking commit → webhook latency, 10,000 queued
 * deliveries drained) likewise runs only with --only webhooks and writes its own section.
 *
 * For each database (PGlite in a temp folder; Postgres at BENCH_DATABASE_URL / DATABASE_URL /
 * postgres://postgres@127.0.0.1:5432/test, in a fresh database `thotis_bench_<pid>` that is dropped afterwards;
 * skipped with a message when unreachable): migrate, seed 10,000 complete active mentors, then measure with a
 * separate load-generator process (load.ts), so the generator does not share the server's event loop:
 *   - ceiling: a bare JSON route on a tiny Elysia app, served by the same runtime serve() in this process;
 *   - GET /api/v2/students/by-field/LAW?page=1&pageSize=20&university=… on the real app (createApp), cache on;
 *   - the same listing with the cache off, rotating over universities and pages;
 * the three interleaved over --rounds rounds (best round kept), then the uncached listing on one connection
 * (service time without queueing) and, unless --no-what-if, again after creating the index the report suggests.
 * Prints a table per database and writes RESULTS.md next to this file. Targets: cached ≥ 40% of the ceiling's
 * req/s; uncached p95 < 15 ms on Postgres. A miss is reported, not an exit failure.
 */
import { listingQuery as productionListingQuery } from "../modules/students/service.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database, DatabaseHandle } from "../../db/client.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { studentProfiles } from "../../db/schema/index.ts";
import { loadConfig } from "../config.ts";
import {
  ANALYSIS_MARKER,
  type AppServer,
  type BenchDatabase,
  benchEnv,
  checkRoute,
  DATABASES,
  type DbKind,
  DEFAULT_POSTGRES_URL,
  errorText,
  FIELD,
  fmt,
  label,
  machine,
  MENTORS,
  openPglite,
  openPostgres,
  type Options,
  PAGE_SIZE,
  redact,
  type Row,
  runLoadProcess,
  seedMentors,
  show,
  startAppServer,
  startCeilingServer,
  table,
  UNIVERSITIES,
} from "./harness.ts";
import type { LoadResult } from "./load.ts";

const TARGET_CACHED_RATIO = 0.4;
const TARGET_UNCACHED_P95_MS = 15;
const SUITES = ["discovery", "scheduling", "stats", "webhooks", "limits", "live"] as const;
/** Run unless --only names others; "stats" (1,000,000 bookings), "limits" and "live" (1,000 streams) run on request only. */
const DEFAULT_SUITES: string[] = SUITES.filter((s) => s !== "stats" && s !== "limits" && s !== "live");

const here = fileURLToPath(new URL(".", import.meta.url));

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    suites: [...DEFAULT_SUITES],
    databases: [...DATABASES],
    durationSeconds: 5,
    warmupSeconds: 1,
    connections: 32,
    rounds: 2,
    whatIf: true,
    moderate: 4,
    out: join(here, "RESULTS.md"),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === "--help" || flag === "-h") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0]);
      process.exit(0);
    }
    if (flag === "--no-what-if") {
      opts.whatIf = false;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const list = () => value.split(",").map((s) => s.trim()).filter(Boolean);
    switch (flag) {
      case "--only":
        opts.suites = list();
        for (const s of opts.suites) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`unknown suite "${s}" (known: ${SUITES.join(", ")})`);
        break;
      case "--db":
        opts.databases = list() as DbKind[];
        for (const d of opts.databases) if (!DATABASES.includes(d)) throw new Error(`unknown database "${d}" (pglite or postgres)`);
        break;
      case "--duration":
        opts.durationSeconds = positive(flag, value);
        break;
      case "--warmup":
        opts.warmupSeconds = Number(value);
        if (!(opts.warmupSeconds >= 0)) throw new Error("--warmup must be >= 0");
        break;
      case "--connections":
        opts.connections = Math.round(positive(flag, value));
        break;
      case "--moderate":
        opts.moderate = Math.round(positive(flag, value));
        break;
      case "--rounds":
        opts.rounds = Math.round(positive(flag, value));
        break;
      case "--out":
        opts.out = value;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return opts;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${flag} must be a positive number (got "${value}")`);
  return n;
}

interface SeedFacts {
  profiles: number;
  listed: number;
  /** Universities present in the benchmarked field, most mentors first. */
  fieldUniversities: { university: string; mentors: number }[];
}

async function seedFacts(db: DatabaseHandle["db"]): Promise<SeedFacts> {
  const where = and(eq(studentProfiles.isActive, true), eq(studentProfiles.isComplete, true));
  const [all] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(studentProfiles);
  const [listed] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(studentProfiles).where(where);
  const rows = await db
    .select({ university: studentProfiles.university, mentors: sql<number>`count(*)`.mapWith(Number) })
    .from(studentProfiles)
    .where(and(where, eq(studentProfiles.field, FIELD)))
    .groupBy(studentProfiles.university)
    .orderBy(desc(sql`count(*)`), studentProfiles.university);
  return {
    profiles: all?.n ?? 0,
    listed: listed?.n ?? 0,
    fieldUniversities: rows.map((r) => ({ university: r.university ?? "", mentors: r.mentors })),
  };
}

/** The production listing statement (server/modules/students/service.ts), so EXPLAIN ANALYZE sees the real SQL. */
function listingQuery(db: Database, university: string, page: number) {
  return productionListingQuery(db, { field: FIELD, university, page, pageSize: PAGE_SIZE }).toSQL();
}

async function explainListing(bench: BenchDatabase, university: string): Promise<{ sql: string; plan: string }> {
  const q = listingQuery(bench.handle.db, university, 1);
  // Warm the caches (and, on Postgres, let the plan settle) before the measured EXPLAIN.
  for (let i = 0; i < 5; i++) await bench.raw(q.sql, q.params);
  const rows = await bench.raw(`explain (analyze, buffers) ${q.sql}`, q.params);
  const plan = rows.map((r) => String(Object.values(r)[0])).join("\n");
  return { sql: q.sql, plan };
}

interface DbReport {
  bench: BenchDatabase;
  facts: SeedFacts;
  seedSeconds: number;
  rows: Row[];
  university: string;
  uncachedPaths: string[];
  explain?: { sql: string; plan: string };
  /** The same EXPLAIN with the what-if planner setting (PGlite). */
  explainWhatIf?: { plan: string };
}

/** Suggested planner setting for PGlite (applied in the what-if rows). */
const PGLITE_RANDOM_PAGE_COST = 1.1;

async function benchDatabase(bench: BenchDatabase, ceilingUrl: string, opts: Options): Promise<DbReport> {
  const t0 = performance.now();
  await migrateDatabase(bench.handle);
  await seedMentors(bench.handle.db, MENTORS);
  const seedSeconds = (performance.now() - t0) / 1000;
  const facts = await seedFacts(bench.handle.db);
  if (facts.listed !== MENTORS) throw new Error(`seed produced ${facts.listed} listed profiles, expected ${MENTORS}`);
  const top = facts.fieldUniversities[0];
  if (!top) throw new Error(`no ${FIELD} mentors after seeding`);
  console.log(
    `  seeded ${facts.profiles} mentors in ${seedSeconds.toFixed(1)} s (migrations included); ` +
      `${FIELD}: ${facts.fieldUniversities.reduce((n, u) => n + u.mentors, 0)} mentors over ${facts.fieldUniversities.length} universities, ` +
      `largest "${top.university}" (${top.mentors})`,
  );

  const path = (university: string, page: number) =>
    `/api/v2/students/by-field/${FIELD}?page=${page}&pageSize=${PAGE_SIZE}&university=${encodeURIComponent(university)}`;
  const cachedPath = path(top.university, 1);
  // Cache off: rotate over the ten biggest universities (page 1) and the second page of five that have one.
  const rotation = facts.fieldUniversities.slice(0, 10);
  const uncachedPaths = [
    ...rotation.map((u) => path(u.university, 1)),
    ...rotation
      .filter((u) => u.mentors > PAGE_SIZE)
      .slice(0, 5)
      .map((u) => path(u.university, 2)),
  ];

  const cached = await startAppServer(bench.handle.db, true);
  const uncached = await startAppServer(bench.handle.db, false);
  const rows: Row[] = [];
  try {
    await checkRoute(ceilingUrl);
    for (const [app, paths] of [[cached, [cachedPath]], [uncached, uncachedPaths]] as const) {
      for (const p of paths) {
        const check = await checkRoute(app.url + p, app.token);
        if (check.profiles === 0) throw new Error(`${p} returned no profiles`);
      }
    }

    type Measured = { result: LoadResult; loadAvg: number };
    const measure = async (urls: string[], connections: number, token?: string): Promise<Measured> => {
      const loadAvg = loadavg()[0] ?? 0;
      const result = await runLoadProcess(urls, { ...opts, connections }, token);
      return { result, loadAvg };
    };
    const best = <T extends { result: LoadResult }>(runs: T[]): T =>
      runs.reduce((a, b) => (b.result.rps > a.result.rps ? b : a));

    // Main scenarios, interleaved round by round so a burst of outside load hits all three alike.
    const runs = { ceiling: [] as Measured[], cached: [] as Measured[], uncached: [] as Measured[] };
    for (let round = 1; round <= opts.rounds; round++) {
      if (opts.rounds > 1) console.log(`  round ${round}/${opts.rounds}`);
      runs.ceiling.push(await measure([ceilingUrl], opts.connections));
      runs.cached.push(await measure([app(cached, cachedPath)], opts.connections, cached.token));
      runs.uncached.push(await measure(uncachedPaths.map((p) => app(uncached, p)), opts.connections, uncached.token));
      console.log(
        `    ceiling ${fmt(runs.ceiling.at(-1)!.result.rps, 0)}, cached ${fmt(runs.cached.at(-1)!.result.rps, 0)}, ` +
          `uncached ${fmt(runs.uncached.at(-1)!.result.rps, 0)} req/s (load ${fmt(runs.ceiling.at(-1)!.loadAvg, 1)})`,
      );
    }
    const ceiling = best(runs.ceiling);
    const ratio = (r: LoadResult) => (ceiling.result.rps > 0 ? r.rps / ceiling.result.rps : 0);
    const clean = (r: LoadResult) => r.errors === 0;
    const postgresOnly = bench.kind === "postgres";
    // The p95 target is judged at the moderate concurrency (opts.moderate connections): with 32 requests in flight on
    // 2 cores, the closed loop measures the wait for a turn (Little's law: p50 ≈ 32 / req/s), not the listing.
    const uncachedRow = (scenario: string, m: Measured, connections: number, rounds: number, note: string): Row => ({
      scenario,
      connections,
      result: m.result,
      ratio: ratio(m.result),
      verdict: postgresOnly && connections === opts.moderate ? (clean(m.result) && m.result.p95 < TARGET_UNCACHED_P95_MS ? "PASS" : "MISS") : "-",
      target: postgresOnly ? (connections === opts.moderate ? `p95 < ${TARGET_UNCACHED_P95_MS} ms` : "(judged at " + opts.moderate + " conns)") : "",
      loadAvg: m.loadAvg,
      rounds,
      note,
    });

    rows.push({ scenario: "ceiling: bare JSON route", connections: opts.connections, ...ceiling, ratio: 1, verdict: "-", target: "", rounds: opts.rounds });
    const c = best(runs.cached);
    const stats = cached.cacheStats();
    rows.push({
      scenario: "by-field, cache on",
      connections: opts.connections,
      ...c,
      ratio: ratio(c.result),
      verdict: clean(c.result) && ratio(c.result) >= TARGET_CACHED_RATIO ? "PASS" : "MISS",
      target: `≥ ${TARGET_CACHED_RATIO * 100}% of ceiling`,
      rounds: opts.rounds,
      note: `cache hit rate ${((stats.hits / Math.max(1, stats.hits + stats.misses)) * 100).toFixed(2)}%`,
    });
    rows.push(
      uncachedRow("by-field, cache off", best(runs.uncached), opts.connections, opts.rounds, `${uncachedPaths.length} URLs rotated; cache hits ${uncached.cacheStats().hits}`),
    );
    for (const row of rows) show(row);

    const moderate = await measure(uncachedPaths.map((p) => app(uncached, p)), opts.moderate, uncached.token);
    rows.push(uncachedRow("by-field, cache off, moderate", moderate, opts.moderate, 1, `${opts.moderate} connections: the target's concurrency`));
    show(rows.at(-1)!);

    // Latency without queueing: one connection, so p95 is the service time rather than the wait for a turn.
    const single = await measure(uncachedPaths.map((p) => app(uncached, p)), 1, uncached.token);
    rows.push(uncachedRow("by-field, cache off, unloaded", single, 1, 1, "one connection: service time, no queueing"));
    show(rows.at(-1)!);

    let explain: DbReport["explain"];
    let explainWhatIf: DbReport["explainWhatIf"];
    try {
      explain = await explainListing(bench, top.university);
    } catch (error) {
      console.log(`  (EXPLAIN ANALYZE failed: ${errorText(error)})`);
    }

    // What-if (PGlite only; the composite index it used to suggest is now migration 0003): the planner setting.
    if (opts.whatIf && bench.kind === "pglite") {
      // PGlite's planner, with the default random_page_cost of 4, may hash-join all 10,000 users instead of 20-odd
      // primary-key lookups; its pages are local, so the SSD-style 1.1 is the right cost. (PGlite has one session.)
      await bench.raw(`set random_page_cost = ${PGLITE_RANDOM_PAGE_COST}`);
      try {
        explainWhatIf = { plan: (await explainListing(bench, top.university)).plan };
      } catch (error) {
        console.log(`  (EXPLAIN ANALYZE with random_page_cost = ${PGLITE_RANDOM_PAGE_COST} failed: ${errorText(error)})`);
      }
      const whatIf = `random_page_cost = ${PGLITE_RANDOM_PAGE_COST}`;
      const loaded = await measure(uncachedPaths.map((p) => app(uncached, p)), opts.connections, uncached.token);
      rows.push(uncachedRow("what-if: cache off", loaded, opts.connections, 1, `with ${whatIf}`));
      show(rows.at(-1)!);
      const one = await measure(uncachedPaths.map((p) => app(uncached, p)), 1, uncached.token);
      rows.push(uncachedRow("what-if: cache off, unloaded", one, 1, 1, `with ${whatIf}, one connection`));
      show(rows.at(-1)!);
      await bench.raw("reset random_page_cost");
    }
    return { bench, facts, seedSeconds, rows, university: top.university, uncachedPaths, explain, explainWhatIf };
  } finally {
    await cached.stop();
    await uncached.stop();
  }
}

const app = (server: AppServer, path: string) => server.url + path;

function header(opts: Options, started: Date, seconds: number): string[] {
  const m = machine();
  return [
    "# Benchmark results",
    "",
    `Generated by \`npm run bench\` (server/bench/run.ts, suites: ${opts.suites.join(", ")}) on ${started.toISOString().replace("T", " ").slice(0, 16)} UTC; the run took ${Math.round(seconds)} s.`,
    "",
    `- Machine: ${m.nproc} cores (\`nproc\`), ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}, shared with other work. Load average at start: ${startLoad.map((x) => x.toFixed(1)).join(" / ")} (1 / 5 / 15 min); each row shows the 1-minute load before it — anything near or above ${m.nproc} means other processes took CPU from the run.`,
    `- Runtime: Bun ${m.bun}. The load generator (server/bench/load.ts) is a separate Bun process on the same machine, sharing the cores with the server (and with Postgres).`,
    `- Load: closed loop, ${opts.warmupSeconds} s warm-up then ${opts.durationSeconds} s measured per scenario; latency = request sent → body read. ${opts.connections} connections for throughput; latency targets are judged at ${opts.moderate} connections (with ${opts.connections} in flight on ${m.nproc} cores a closed loop measures queueing: p50 ≈ ${opts.connections} / req/s).`,
    "",
  ];
}

function renderDiscovery(reports: DbReport[], opts: Options): string[] {
  const out: string[] = [
    "## Discovery listing",
    "",
    `- Data: ${MENTORS.toLocaleString("en")} mentors with complete, active profiles; 10 fields (1,000 each); ${UNIVERSITIES.length} universities drawn with a skew (largest ≈ 10% of a field); ~15% unrated.`,
    `- Request: \`GET /api/v2/students/by-field/${FIELD}?page=1&pageSize=${PAGE_SIZE}&university=<largest ${FIELD} university>\`, admin bearer token, through the whole app. Cache off: the same route rotated over ${reports[0]?.uncachedPaths.length ?? "several"} URLs (10 universities, pages 1–2). Main rows: ${opts.rounds} interleaved round(s), best by req/s.`,
    `- Ceiling: a bare JSON route on a tiny Elysia app served by the same runtime \`serve()\` in the same process.`,
    `- Targets: cached listing ≥ ${TARGET_CACHED_RATIO * 100}% of the ceiling's req/s (at ${opts.connections} connections); uncached p95 < ${TARGET_UNCACHED_P95_MS} ms on Postgres (judged at ${opts.moderate} connections; ${opts.connections} and 1 connection shown too). PGlite "what-if" rows: \`set random_page_cost = ${PGLITE_RANDOM_PAGE_COST}\`.`,
    "",
  ];
  for (const r of reports) {
    out.push(`### ${label(r.bench.kind)}`, "");
    out.push(`${r.bench.version.split(",")[0]} — ${r.bench.location}. Seed + migrations: ${r.seedSeconds.toFixed(1)} s.`, "");
    out.push(table(r), "");
    const notes = r.rows.filter((x) => x.note).map((x) => `${x.scenario} [${x.connections}c]: ${x.note}`);
    if (notes.length) out.push(...notes.map((n) => `- ${n}`), "");
    if (r.explain) {
      out.push(`EXPLAIN (ANALYZE, BUFFERS), listing statement (university = "${r.university}", page 1), warm:`, "");
      out.push("```", r.explain.plan, "```", "");
    }
    if (r.explainWhatIf) {
      out.push(`The same with random_page_cost = ${PGLITE_RANDOM_PAGE_COST}:`, "");
      out.push("```", r.explainWhatIf.plan, "```", "");
    }
  }
  if (reports[0]?.explain) out.push("Listing statement (as built by ProfileService.queryProfiles):", "", "```sql", reports[0].explain.sql, "```", "");
  return out;
}

const startLoad = loadavg();

// ---------------------------------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = new Date();
  const poolSize = loadConfig(benchEnv(tmpdir(), true), { persistSecret: false }).databasePoolSize;
  const ceiling = startCeilingServer();
  const reports: DbReport[] = [];
  const skipped: string[] = [];
  const open: BenchDatabase[] = [];
  const cleanup = async () => {
    for (const b of open.splice(0)) await b.dispose().catch(() => {});
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  const m = machine();
  console.log(
    `Benchmarks (${opts.suites.join(", ")}): ${opts.connections} connections (latency targets at ${opts.moderate}), ${opts.warmupSeconds}+${opts.durationSeconds} s per scenario, ` +
      `${opts.rounds} round(s), ${m.nproc} cores, Bun ${Bun.version}`,
  );
  const busy = loadavg()[0] ?? 0;
  if (busy > Number(m.nproc) * 0.75) {
    console.log(`Note: load average is ${busy.toFixed(1)} on ${m.nproc} cores; other processes will skew the figures.`);
  }
  const sections: string[][] = [];
  const missed: string[] = [];
  try {
    if (opts.suites.includes("discovery")) {
      console.log("\n== Discovery listing ==");
      for (const kind of opts.databases) {
        const bench = kind === "pglite" ? await openPglite() : await openPostgres(poolSize);
        if (!bench) {
          skipped.push(`Postgres was skipped (unreachable at ${redact(process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL)}).`);
          continue;
        }
        open.push(bench);
        console.log(`\n${label(kind)} — ${bench.version.split(",")[0]}`);
        try {
          reports.push(await benchDatabase(bench, ceiling.url, opts));
        } finally {
          await bench.dispose();
          open.splice(open.indexOf(bench), 1);
        }
      }
      for (const r of reports) console.log(`\n${label(r.bench.kind)}\n${table(r)}`);
      if (reports.length) sections.push(renderDiscovery(reports, opts));
      missed.push(
        ...reports.flatMap((r) =>
          r.rows.filter((x) => x.verdict === "MISS" && !x.scenario.startsWith("what-if")).map((x) => `${r.bench.kind}: ${x.scenario} [${x.connections}c]`),
        ),
      );
    }
    if (opts.suites.includes("scheduling")) {
      console.log("\n== Scheduling ==");
      const { runSchedulingSuite } = await import("./scheduling.ts");
      const result = await runSchedulingSuite({ opts, ceilingUrl: ceiling.url, poolSize, track: (b) => open.push(b), untrack: (b) => open.splice(open.indexOf(b), 1) });
      sections.push(result.markdown);
      missed.push(...result.missed);
      skipped.push(...result.skipped);
    }
    if (opts.suites.includes("stats")) {
      console.log("\n== Statistics and CSV export ==");
      const { runStatsBench, statsOptions } = await import("./stats.ts");
      await runStatsBench(statsOptions({ databases: opts.databases, durationSeconds: opts.durationSeconds, warmupSeconds: opts.warmupSeconds, connections: opts.connections, out: opts.out }));
    }
    if (opts.suites.includes("webhooks")) {
      console.log("\n== Webhooks ==");
      const { runWebhooksBench } = await import("./webhooks.ts");
      missed.push(...(await runWebhooksBench({ databases: opts.databases, poolSize, out: opts.out })));
    }
    if (opts.suites.includes("limits")) {
      console.log("\n== Hostile input: event-loop hold per route class (server/bench/limits.ts) ==");
      const { runLimitsBench } = await import("./limits.ts");
      missed.push(...(await runLimitsBench()));
    }
    if (opts.suites.includes("live")) {
      console.log("\n== Live availability (1,000 streams) ==");
      const { runLiveBench } = await import("./live.ts");
      await runLiveBench();
    }
  } finally {
    await ceiling.server.stop();
    await cleanup();
  }

  const seconds = (Date.now() - started.getTime()) / 1000;
  if (sections.length > 0) {
    let tail = "";
    try {
      const previous = readFileSync(opts.out, "utf8");
      const at = previous.indexOf(ANALYSIS_MARKER);
      if (at >= 0) tail = previous.slice(at);
    } catch {
      // no previous report
    }
    const body = [...header(opts, started, seconds), ...sections.flat(), ...skipped.map((x) => `- ${x}`), ""].join("\n").trimEnd();
    writeFileSync(opts.out, `${body}\n\n${tail || `${ANALYSIS_MARKER}\n`}`);
    console.log(`\nWrote ${relative(process.cwd(), opts.out) || opts.out} (${Math.round(seconds)} s)`);
  } else {
    console.log(`\nNothing measured; ${relative(process.cwd(), opts.out) || opts.out} left as it was.`);
  }
  if (missed.length) console.log(`Targets missed: ${missed.join("; ")}`);
  // The benchmark reports; a miss doesn't fail the command (not a CI test).
  process.exit(0);
}

if (import.meta.main) {
  main().catch((error) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}

