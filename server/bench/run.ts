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
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { and, desc, eq, sql } from "drizzle-orm";
import { Elysia } from "elysia";
import postgres from "postgres";
import { createDatabase, type Database, type DatabaseHandle, wrapPglite } from "../../db/client.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { studentProfiles, users } from "../../db/schema/index.ts";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { systemClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { signToken } from "../plugins/auth.ts";
import { type RunningServer, serve } from "../runtime/index.ts";
import { createStore } from "../store/index.ts";
import type { LoadResult } from "./load.ts";

export const MENTORS = 10_000;
export const FIELD = "LAW";
export const PAGE_SIZE = 20;
const TARGET_CACHED_RATIO = 0.4;
const TARGET_UNCACHED_P95_MS = 15;
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const SUITES = ["discovery", "scheduling", "stats", "webhooks"] as const;
/** Run unless --only names others; "stats" (server/bench/stats.ts, 1,000,000 bookings) is run on request only. */
const DEFAULT_SUITES: string[] = SUITES.filter((s) => s !== "stats");
export const DATABASES = ["pglite", "postgres"] as const;
export type DbKind = (typeof DATABASES)[number];

const here = fileURLToPath(new URL(".", import.meta.url));
const loadScript = fileURLToPath(new URL("./load.ts", import.meta.url));

/** Real French institutions; the skewed draw in the seed makes the first ones the biggest. */
const UNIVERSITIES = [
  "Université Paris 1 Panthéon-Sorbonne",
  "Sorbonne Université",
  "Université Paris Cité",
  "Université Paris-Saclay",
  "Aix-Marseille Université",
  "Université de Lille",
  "Université de Bordeaux",
  "Université Claude Bernard Lyon 1",
  "Université de Strasbourg",
  "Université Toulouse Capitole",
  "Université Grenoble Alpes",
  "Université de Montpellier",
  "Nantes Université",
  "Université Paris-Panthéon-Assas",
  "Université Lumière Lyon 2",
  "Université Jean Moulin Lyon 3",
  "Université de Rennes",
  "Université Côte d'Azur",
  "Université de Lorraine",
  "Université Paris Nanterre",
  "Université Sorbonne Nouvelle",
  "Université Paris Dauphine - PSL",
  "Université Sorbonne Paris Nord",
  "Université Paris-Est Créteil",
  "CY Cergy Paris Université",
  "Université Clermont Auvergne",
  "Université de Poitiers",
  "Université de Tours",
  "Université d'Orléans",
  "Université de Caen Normandie",
  "Université de Rouen Normandie",
  "Université de Reims Champagne-Ardenne",
  "Université de Bourgogne",
  "Université de Franche-Comté",
  "Université de Limoges",
  "Université d'Angers",
  "Université Savoie Mont Blanc",
  "Université de Pau et des Pays de l'Adour",
  "Université Toulouse - Jean Jaurès",
  "Université de Picardie Jules Verne",
] as const;

/** Per academic field (same order as academicFields): the subject used in degree names and bios. */
const SUBJECTS = [
  "Droit",
  "Médecine",
  "Sciences pour l'ingénieur",
  "Gestion",
  "Informatique",
  "Psychologie",
  "Sciences de l'éducation",
  "Arts plastiques",
  "Physique-Chimie",
  "Lettres modernes",
] as const;

// ---------------------------------------------------------------------------------------------------------------------
// Options

export interface Options {
  suites: string[];
  databases: DbKind[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  whatIf: boolean;
  out: string;
  /** Moderate concurrency at which the latency targets are judged (service time plus a little queueing). */
  moderate: number;
}

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

// ---------------------------------------------------------------------------------------------------------------------
// Databases

export interface BenchDatabase {
  kind: DbKind;
  handle: DatabaseHandle;
  /** Server version string, for the report. */
  version: string;
  /** Where it runs, for the report (URL without credentials, or "temp folder"). */
  location: string;
  /** Runs a statement with positional parameters on a raw client (EXPLAIN output, diagnostics). */
  raw(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

export async function openPglite(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "thotis-bench-"));
  const client = await PGlite.create({ dataDir: join(dir, "pglite"), extensions: { btree_gist } });
  const handle = wrapPglite(client);
  const [row] = (await client.query<{ v: string }>("select version() as v")).rows;
  return {
    kind: "pglite",
    handle,
    version: row?.v ?? "?",
    location: "PGlite (file-backed, temp folder)",
    raw: async (text, params = []) => (await client.query<Record<string, unknown>>(text, params)).rows,
    async dispose() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the server; undefined (after printing why) when the server can't be reached or used. */
export async function openPostgres(poolSize: number): Promise<BenchDatabase | undefined> {
  const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const shown = redact(url);
  const name = `thotis_bench_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    console.log(`Postgres skipped: ${shown} is unreachable or refused to create a database (${errorText(error)})`);
    await admin.end({ timeout: 1 }).catch(() => {});
    return undefined;
  }
  const dbUrl = withDatabase(url, name);
  const handle = await createDatabase({ url: dbUrl, maxConnections: poolSize });
  const rawClient = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const [row] = await rawClient.unsafe<{ v: string }[]>("select version() as v");
  let disposed = false;
  return {
    kind: "postgres",
    handle,
    version: row?.v ?? "?",
    location: `${redact(dbUrl)} (fresh database, dropped afterwards; pool of ${poolSize})`,
    raw: async (text, params = []) => [...(await rawClient.unsafe(text, params as never[]))] as Record<string, unknown>[],
    async dispose() {
      if (disposed) return;
      disposed = true;
      await handle.close().catch(() => {});
      await rawClient.end({ timeout: 2 }).catch(() => {});
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch((e) => console.error(`could not drop ${name}: ${errorText(e)}`));
      await admin.end({ timeout: 2 }).catch(() => {});
    },
  };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------------------------------------------------------------
// Seed: 10,000 mentors with complete, active profiles, in three set-based statements.

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const textArray = (items: readonly string[]) => `array[${items.map(literal).join(", ")}]::text[]`;

export async function seedMentors(db: Database, count: number): Promise<void> {
  await db.transaction(async (tx) => {
    // Same session for the whole seed, so the seeded random() makes the same data set on every run.
    await tx.execute(sql`select setseed(0.42)`);
    await tx.execute(
      sql.raw(`
        insert into users (email, name, role, time_zone, locale)
        select 'bench.mentor.' || g || '@bench.thotis.test', 'Mentor ' || g, 'mentor', 'Europe/Paris',
               case when g % 5 = 0 then 'en' else 'fr' end
        from generate_series(1, ${count}) as g`),
    );
    await tx.execute(
      sql.raw(`
        with base as (
          select u.id, u.n,
                 -- fields round-robin (1,000 per field); universities drawn with a skew (biggest ≈ 10 %, smallest ≈ 1.5 %)
                 1 + (u.n - 1) % 10 as f,
                 1 + least(${UNIVERSITIES.length - 1}, floor(${UNIVERSITIES.length} * power(random(), 1.6))::int) as uni,
                 1 + floor(random() * 5)::int as year,
                 random() as r_rated, random() as r_count, random() + random() + random() as r_rating,
                 random() as r_extra, random() as r_photo, random() as r_linkedin
          from (select id, row_number() over (order by id) as n from users where email like 'bench.mentor.%') as u
        ), shaped as (
          select b.*,
                 (${textArray(UNIVERSITIES)})[b.uni] as university,
                 (${textArray(SUBJECTS)})[b.f] as subject,
                 case when b.r_rated < 0.15 then 0 else 1 + floor(power(b.r_count, 2) * 80)::int end as ratings
          from base b
        )
        insert into student_profiles (id, user_id, university, degree, field, current_year, bio, profile_photo_url,
                                      linked_in_url, is_active, total_sessions, completed_sessions, cancelled_sessions,
                                      average_rating, total_ratings)
        select 'bench' || lpad(s.n::text, 20, '0'),
               s.id,
               s.university,
               case when s.year <= 3 then 'Licence ' else 'Master ' end || s.subject,
               (enum_range(null::academic_field))[s.f],
               s.year,
               'Étudiant·e en ' || s.year || 'e année de ' || s.subject || ' à ' || s.university ||
                 '. J''aide les lycéens à choisir leur orientation : cours, rythme de travail, vie étudiante, ' ||
                 'stages et débouchés. Posez-moi toutes vos questions, je réponds avec plaisir !',
               case when s.r_photo < 0.6 then 'https://cdn.thotis.test/photos/' || s.n || '.jpg' end,
               case when s.r_linkedin < 0.5 then 'https://www.linkedin.com/in/bench-mentor-' || s.n end,
               true,
               s.ratings + floor(s.r_extra * 10)::int + (s.n % 3)::int + (s.n % 2)::int,
               s.ratings + floor(s.r_extra * 10)::int,
               (s.n % 3)::int,
               case when s.ratings = 0 then null
                    else round(least(5, greatest(1, 4.1 + (s.r_rating - 1.5) * 0.9))::numeric, 2) end,
               s.ratings
        from shaped s`),
    );
  });
  await db.execute(sql`analyze users`);
  await db.execute(sql`analyze student_profiles`);
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

// ---------------------------------------------------------------------------------------------------------------------
// Servers and load

export const JWT_SECRET = randomBytes(48).toString("base64url");

function benchEnv(dataDir: string, cacheEnabled: boolean): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    THOTIS_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: "silent",
    // The configuration's ceiling; each server gets a fresh in-memory store, so a run never gets near it.
    RATE_LIMIT_MAX: "1000000",
    RATE_LIMIT_WINDOW_SECONDS: "60",
    CACHE_ENABLED: String(cacheEnabled),
    SEED_DEMO_DATA: "false",
  };
}

export interface AppServer {
  url: string;
  token: string;
  cacheStats(): { hits: number; misses: number };
  services: ReturnType<typeof createApp>["services"];
  stop(): Promise<void>;
}

export async function startAppServer(db: Database, cacheEnabled: boolean): Promise<AppServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "thotis-bench-app-"));
  const config = loadConfig(benchEnv(dataDir, cacheEnabled), { persistSecret: false });
  const store = createStore();
  const { handle, cache, services } = createApp({
    config,
    db,
    store,
    clock: systemClock,
    logger: createLogger("silent"),
    media: localMediaStorage(config.mediaDir),
  });
  const server = serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: config.maxUploadBytes + 65536, fetch: handle });
  const token = await signToken(config.jwtSecret, { sub: "bench-admin", role: "admin" }, 3600);
  return {
    url: `http://127.0.0.1:${server.port}`,
    token,
    cacheStats: () => cache.stats(),
    services,
    async stop() {
      await server.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The ceiling: a bare JSON route on a tiny Elysia app, through the same runtime adapter and HTTP stack. */
export function startCeilingServer(): { url: string; server: RunningServer } {
  const app = new Elysia().get("/bare", () => ({ status: "success", data: { ok: true } }));
  const server = serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: 65536, fetch: (request) => app.handle(request) });
  return { url: `http://127.0.0.1:${server.port}/bare`, server };
}

export async function runLoadProcess(urls: string[], opts: Options, token?: string, extra: string[] = []): Promise<LoadResult> {
  const args = [process.execPath, loadScript, "--duration", String(opts.durationSeconds), "--warmup", String(opts.warmupSeconds)];
  args.push("--connections", String(opts.connections));
  for (const url of urls) args.push("--url", url);
  if (token) args.push("--token", token);
  args.push(...extra);
  const child = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`load generator exited with ${code}: ${stderr.trim()}`);
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as LoadResult;
}

/** One request before the load, so a broken route shows as a clear failure rather than a table of errors. */
export async function checkRoute(url: string, token?: string): Promise<{ total: number; profiles: number }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { data?: { total?: number; profiles?: unknown[] } };
  return { total: body.data?.total ?? 0, profiles: body.data?.profiles?.length ?? 0 };
}

// ---------------------------------------------------------------------------------------------------------------------
// Scenarios and report

export type Verdict = "PASS" | "MISS" | "-";

export interface Row {
  scenario: string;
  /** Concurrent connections of the load generator. */
  connections: number;
  result: LoadResult;
  ratio: number;
  verdict: Verdict;
  target: string;
  /** 1-minute load average just before the measured round (other processes on the machine skew results). */
  loadAvg: number;
  /** How many rounds were run (the best by req/s is shown). */
  rounds: number;
  note?: string;
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

export const label = (kind: DbKind) => (kind === "pglite" ? "PGlite" : "Postgres");
export const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export function show(row: Row) {
  const r = row.result;
  console.log(
    `  ${`${row.scenario} [${row.connections}c]`.padEnd(52)} ${fmt(r.rps, 0).padStart(7)} req/s  p50 ${fmt(r.p50, 2).padStart(7)}  ` +
      `p95 ${fmt(r.p95, 2).padStart(7)}  p99 ${fmt(r.p99, 2).padStart(7)} ms  ${row.verdict === "-" ? "" : row.verdict}  (load ${row.loadAvg.toFixed(1)})` +
      (r.errors ? `  ERRORS ${r.errors} ${JSON.stringify(r.errorKinds)} ${r.firstError ?? ""}` : ""),
  );
}

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

export function table(report: { rows: Row[] }): string {
  const head = "| Scenario | Conns | req/s | p50 (ms) | p95 (ms) | p99 (ms) | Ratio to ceiling | Target | Result | Load avg |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---|---|---:|";
  const lines = report.rows.map((r) => {
    const errs = r.result.errors ? ` (${r.result.errors} errors)` : "";
    return (
      `| ${r.scenario}${errs} | ${r.connections} | ${fmt(r.result.rps, 0)} | ${fmt(r.result.p50, 2)} | ${fmt(r.result.p95, 2)} | ` +
      `${fmt(r.result.p99, 2)} | ${(r.ratio * 100).toFixed(1)}% | ${r.target || "-"} | ${r.verdict} | ${fmt(r.loadAvg, 1)} |`
    );
  });
  return [head, sep, ...lines].join("\n");
}

export function machine() {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  };
  return {
    nproc: sh("nproc", []),
    cpu: cpus()[0]?.model ?? "?",
    memoryGiB: (totalmem() / 2 ** 30).toFixed(1),
    bun: Bun.version,
    os: sh("uname", ["-srm"]),
  };
}

/** Hand-written analysis below this marker in RESULTS.md survives a re-run (the tables above it are regenerated). */
export const ANALYSIS_MARKER = "<!-- analysis: hand-written below this line, kept by run.ts -->";

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

