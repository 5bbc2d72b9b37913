/**
 * What the benchmark suites share (`run.ts` runs them; `scheduling.ts`, `stats.ts` and `webhooks.ts` import this
 * module, never `run.ts`): the benchmark databases, the 10,000-mentor seed, the app and ceiling servers, the load
 * generator process and the report helpers.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { sql } from "drizzle-orm";
import { Elysia } from "elysia";
import postgres from "postgres";
import { createDatabase, type Database, type DatabaseHandle, wrapPglite } from "../../db/client.ts";
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
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DATABASES = ["pglite", "postgres"] as const;
export type DbKind = (typeof DATABASES)[number];
const loadScript = fileURLToPath(new URL("./load.ts", import.meta.url));
/** Real French institutions; the skewed draw in the seed makes the first ones the biggest. */
export const UNIVERSITIES = [
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

// ---------------------------------------------------------------------------------------------------------------------
// Servers and load

export const JWT_SECRET = randomBytes(48).toString("base64url");

export function benchEnv(dataDir: string, cacheEnabled: boolean): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    THOTIS_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: "silent",
    // The configuration's ceiling; each server gets a fresh in-memory store, so a run never gets near it.
    RATE_LIMIT_MAX: "1000000",
    RATE_LIMIT_WINDOW_SECONDS: "60",
    // The per-route and per-address budgets too: one load generator on loopback is one client sending thousands of
    // bookings. The per-e-mail limits stay on (every bench booking has its own address), so their check is measured.
    RATE_LIMIT_BOOKINGS_MAX: "1000000",
    RATE_LIMIT_SIGNIN_MAX: "1000000",
    RATE_LIMIT_EVENTS_MAX: "1000000",
    BOOKING_WIDGET_MAX_PER_HOUR: "1000000",
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

