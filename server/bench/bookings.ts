/**
 * Where users wait (`npx bun server/bench/bookings.ts`, or `npm run bench -- --only bookings`; Postgres only; not a
 * CI test). In one run, on the scheduling seed (10,000 mentors, weekly schedules, 300,000 bookings):
 *
 *   - the bare route (ceiling) and /health of the real app;
 *   - the booking floor: a bare Bun route whose handler runs one postgres.js transaction inserting into a copy of
 *     `bookings` (same EXCLUDE constraint, checks and indexes, same 300,000 rows) plus one row into a copy of `jobs`
 *     (the outbox), with postgres.js's own prepared statements and the app's pool size;
 *   - POST /api/v2/bookings (widget token, Idempotency-Key, every request a distinct free slot of a random mentor)
 *     at 8 and 32 connections, with req/s, p99 and the ratio to the floor and to the bare route;
 *   - GET /api/v2/students/:id/availability: cached (gzip accepted, and identity), cached compact, uncached (gzip, a
 *     browser's Accept-Encoding, identity), at 8 and 32 connections, and a one-day window against the 30-day default
 *     (cost proportional to the window);
 *   - the cached discovery listing while bookings run at --write-rate a second (open loop), with its cache hit rate;
 *   - response sizes and compression time for availability, a listing, the docs document and a CSV export.
 *
 *   bun server/bench/bookings.ts [--duration 5] [--warmup 1] [--mentors 10000] [--write-rate 100] [--markdown FILE]
 *                                [--pairs 3] [--bookings-only]
 *
 * The share of the floor at 32 connections is judged on --pairs alternating measurements (floor, app, floor, app…):
 * on two cores shared by the load generator, the server and Postgres, one pair moves by ±6 points from run to run,
 * so the report gives every pair and judges the median one.
 *
 * The machine is shared: absolute numbers move with the load average printed per row; ratios measured in the same
 * run are what the targets are judged on, each share of the bare route against the bare route measured last before
 * its row (the bookings, availability and listing blocks each start with one).
 */
import { loadavg } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { signToken } from "../plugins/auth.ts";
import { BROTLI_QUALITY, compress, GZIP_LEVEL, GZIP_LIBRARY, negotiate, ZSTD_LEVEL } from "../plugins/compression.ts";
import { serve } from "../runtime/index.ts";
import type { LoadResult } from "./load.ts";
import {
  type BenchDatabase,
  DEFAULT_POSTGRES_URL,
  errorText,
  FIELD,
  JWT_SECRET,
  type Options,
  openPglite,
  openPostgres,
  PAGE_SIZE,
  runLoadProcess,
  seedMentors,
  startAppServer,
  startCeilingServer,
} from "./harness.ts";
import { freeSlotsOfAll, seedScheduling, shuffle } from "./scheduling.ts";
import { migrateDatabase } from "../../db/migrate.ts";

const POOL = 10;
const TARGET_FLOOR_SHARE = 0.3;
const TARGET_CACHED_AVAILABILITY_VS_HEALTH = 0.25;
/** What current Chrome and Firefox send. */
const BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd";

interface Args {
  durationSeconds: number;
  warmupSeconds: number;
  mentors: number;
  writeRate: number;
  markdown?: string;
  /** Only the bookings rows (bare route, floor, POST /bookings): a quick loop while working on the booking path. */
  bookingsOnly: boolean;
  /** Alternating floor/app measurements at 32 connections; the median pair's share is the one judged. */
  pairs: number;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { durationSeconds: 5, warmupSeconds: 1, mentors: 10_000, writeRate: 100, bookingsOnly: false, pairs: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--bookings-only") {
      out.bookingsOnly = true;
      i -= 1;
      continue;
    }
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--duration") out.durationSeconds = Number(value);
    else if (flag === "--warmup") out.warmupSeconds = Number(value);
    else if (flag === "--mentors") out.mentors = Number(value);
    else if (flag === "--write-rate") out.writeRate = Number(value);
    else if (flag === "--markdown") out.markdown = value;
    else if (flag === "--pairs") out.pairs = Math.max(1, Math.round(Number(value)));
    else throw new Error(`unknown option ${flag}`);
  }
  return out;
}

interface Line {
  scenario: string;
  connections: number;
  result: LoadResult;
  loadAvg: number;
  note?: string;
  /** For a booking row: the floor measured beside it (same connections), for the "vs floor" column. */
  floorRps?: number;
  /** The bare route measured last before this row (the "vs bare route" column). */
  bareRps: number;
}

/** The floor's tables: copies of bookings (with its rows) and jobs, constraints and indexes included. */
async function createFloorTables(bench: BenchDatabase) {
  await bench.raw("create table bookings_floor (like bookings including all)");
  await bench.raw("insert into bookings_floor overriding system value select * from bookings");
  await bench.raw("select setval(pg_get_serial_sequence('bookings_floor', 'id'), (select max(id) from bookings_floor))");
  await bench.raw("create table jobs_floor (like jobs including all)");
  await bench.raw("analyze bookings_floor");
}

/** The minimal booking behind a bare Bun route: one transaction, one booking insert, one outbox insert. */
function startFloorServer(url: string) {
  const sql = postgres(url, { max: POOL, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  const server = serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 65536,
    fetch: async (request) => {
      const body = (await request.json()) as { studentProfileId: string; dateTime: string; prospectiveStudent: { name: string; email: string } };
      const start = new Date(body.dateTime);
      const end = new Date(start.getTime() + 15 * 60_000);
      try {
        const id = await sql.begin(async (tx) => {
          const [row] = await tx`
            insert into bookings_floor (student_profile_id, start_time, end_time, status, prospective_name, prospective_email, meeting_url, meeting_provider)
            values (${body.studentProfileId}, ${start}, ${end}, 'ACCEPTED', ${body.prospectiveStudent.name}, ${body.prospectiveStudent.email}, ${`https://meet.jit.si/floor-${crypto.randomUUID()}`}, 'jitsi')
            returning id`;
          await tx`insert into jobs_floor (kind, payload) values ('email.booking', ${tx.json({ bookingId: row!.id })})`;
          return row!.id as number;
        });
        return Response.json({ status: "success", data: { bookingId: id } }, { status: 201 });
      } catch (error) {
        return Response.json({ status: "error", message: errorText(error) }, { status: (error as { code?: string }).code === "23P01" ? 409 : 500 });
      }
    },
  });
  return { url: `http://127.0.0.1:${server.port}/bookings`, stop: async () => (await server.stop(), await sql.end({ timeout: 2 })) };
}

/** PGlite: fewer mentors (its seed is slow), same requests; the embedded default's booking rate at 8 connections. */
const PGLITE_MENTORS = 2000;
const TARGET_PGLITE_BOOKINGS = 150;

async function measurePgliteBookings(
  mentorCount: number,
  widget: string,
  posts: (file: string, key: string) => string[],
  measure: (scenario: string, urls: string[], connections: number, token?: string, extra?: string[]) => Promise<LoadResult>,
  dir: string,
): Promise<LoadResult> {
  const bench = await openPglite();
  try {
    // As the app's own embedded database does (db/client.ts).
    await bench.raw("set random_page_cost = 1.1");
    await migrateDatabase(bench.handle);
    await seedMentors(bench.handle.db, mentorCount);
    await seedScheduling(bench);
    const app = await startAppServer(bench.handle.db, true);
    try {
      const free = await freeSlotsOfAll(bench.handle.db);
      const mentors = [...free.keys()].filter((id) => (free.get(id)?.length ?? 0) > 40);
      const bodies = mentors.flatMap((id, i) =>
        [12, 13, 14].map((k) => ({
          studentProfileId: id,
          dateTime: new Date(free.get(id)![k]!).toISOString(),
          prospectiveStudent: { name: `Lycéen ${i}`, email: `pglite.${k}.${i}@example.fr`, timeZone: "Europe/Paris", locale: "fr" },
        })),
      );
      const file = join(dir, "pglite-bodies.json");
      writeFileSync(file, JSON.stringify(bodies));
      return await measure(`POST /api/v2/bookings on PGlite (${mentorCount.toLocaleString("en")} mentors)`, [`${app.url}/api/v2/bookings`], 8, widget, posts(file, `pglite-${process.pid}`));
    } finally {
      await app.stop();
    }
  } finally {
    await bench.dispose();
  }
}

const BARE = "bare route";
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const opts: Options = {
    suites: [],
    databases: ["postgres"],
    durationSeconds: args.durationSeconds,
    warmupSeconds: args.warmupSeconds,
    connections: 32,
    rounds: 1,
    whatIf: false,
    moderate: 8,
    out: "",
  };
  const bench = await openPostgres(POOL);
  if (!bench) {
    console.log(`Postgres unreachable at ${process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL}; nothing measured.`);
    return;
  }
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "thotis-bench-bookings-"));
  const lines: Line[] = [];
  const extras: string[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  try {
    await migrateDatabase(bench.handle);
    await seedMentors(bench.handle.db, args.mentors);
    await seedScheduling(bench);
    await createFloorTables(bench);
    console.log(`seeded ${args.mentors} mentors with schedules and bookings in ${((performance.now() - started) / 1000).toFixed(1)} s — ${bench.version.split(",")[0]}`);

    const ceiling = startCeilingServer();
    stops.push(() => ceiling.server.stop());
    const app = await startAppServer(bench.handle.db, true);
    stops.push(() => app.stop());
    const uncached = await startAppServer(bench.handle.db, false);
    stops.push(() => uncached.stop());
    const floorDbUrl = new URL(process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL);
    floorDbUrl.pathname = `/thotis_bench_${process.pid}`; // openPostgres's fresh database
    const floor = startFloorServer(floorDbUrl.toString());
    stops.push(floor.stop);

    // Distinct free slots: each run takes its own slot indices (from the 12th on: well past the 2-hour notice).
    // Only the first 80 free slots of each mentor are kept: 30 days of 10,000 mentors' free slots (millions of numbers)
    // would stay on the heap of this process, which also serves the app, for every garbage collection to scan.
    const free = new Map([...(await freeSlotsOfAll(bench.handle.db))].filter(([, slots]) => slots.length > 80).map(([id, slots]) => [id, slots.slice(0, 80)]));
    const mentors = shuffle([...free.keys()], 11);
    let nextSlot = 12;
    const slotOf = (id: string, k: number) => {
      const slot = free.get(id)![k];
      if (slot === undefined) throw new Error(`slot ${k} asked, but the bench keeps 80 free slots per mentor; keep more`);
      return slot;
    };
    const bodiesFile = (slots: number) => {
      const out: unknown[] = [];
      for (let k = 0; k < slots; k++, nextSlot++) {
        for (const [i, id] of mentors.entries()) {
          out.push({
            studentProfileId: id,
            dateTime: new Date(slotOf(id, nextSlot)).toISOString(),
            prospectiveStudent: { name: `Lycéen ${i}`, email: `bench.${nextSlot}.${i}@example.fr`, timeZone: "Europe/Paris", locale: "fr" },
          });
        }
      }
      const file = join(dir, `bodies-${nextSlot}.json`);
      writeFileSync(file, JSON.stringify(out));
      return file;
    };
    const widget = await signToken(JWT_SECRET, { sub: "bench-widget", role: "widget" }, 3600);
    const slotsPerRun = Math.max(1, Math.ceil((3000 * (args.durationSeconds + args.warmupSeconds)) / Math.max(1, mentors.length)));

    // Each share of the bare route is taken against the bare route measured last before it: rows run minutes apart,
    // and what else the machine does (Postgres's clean-up after the booking rows) moves both alike.
    let lastBareRps = Number.NaN;
    const measure = async (scenario: string, urls: string[], connections: number, token?: string, extra: string[] = [], note?: string) => {
      const loadAvg = loadavg()[0] ?? 0;
      const result = await runLoadProcess(urls, { ...opts, connections }, token, extra);
      if (scenario === BARE) lastBareRps = result.rps;
      const line: Line = { scenario, connections, result, loadAvg, bareRps: lastBareRps, ...(note ? { note } : {}) };
      lines.push(line);
      console.log(
        `  ${scenario.padEnd(52)} ${String(connections).padStart(3)}c ${fmt(result.rps).padStart(7)} req/s  p50 ${fmt(result.p50, 2).padStart(7)}  p99 ${fmt(result.p99, 2).padStart(7)} ms` +
          `  errors ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorKinds)} ${result.firstError ?? ""}` : ""}  load ${loadAvg.toFixed(1)}`,
      );
      return result;
    };
    const posts = (file: string, key?: string) => ["--post-file", file, ...(key ? ["--idempotency", key] : [])];

    console.log("\nBookings (Postgres, distinct free slots):");
    const bare32 = await measure(BARE, [ceiling.url], 32);
    const health32 = await measure("GET /health (app)", [`${app.url}/health`], 32);
    const run = `${process.pid}-${Date.now()}`;
    const floor8 = await measure("booking floor (one tx: booking + outbox)", [floor.url], 8, undefined, posts(bodiesFile(slotsPerRun)));
    const book8 = await measure("POST /api/v2/bookings (Idempotency-Key)", [`${app.url}/api/v2/bookings`], 8, widget, posts(bodiesFile(slotsPerRun), `${run}-8`));
    lines.at(-1)!.floorRps = floor8.rps;
    // Floor and app alternate at 32 connections; the pair with the median share is the one judged.
    const pairs: { floor: LoadResult; book: LoadResult; share: number }[] = [];
    for (let i = 1; i <= args.pairs; i++) {
      const tag = args.pairs > 1 ? `, pair ${i}` : "";
      const floorRun = await measure(`booking floor (one tx: booking + outbox)${tag}`, [floor.url], 32, undefined, posts(bodiesFile(slotsPerRun)));
      const bookRun = await measure(`POST /api/v2/bookings (Idempotency-Key)${tag}`, [`${app.url}/api/v2/bookings`], 32, widget, posts(bodiesFile(slotsPerRun), `${run}-32-${i}`));
      lines.at(-1)!.floorRps = floorRun.rps;
      pairs.push({ floor: floorRun, book: bookRun, share: bookRun.rps / Math.max(1e-9, floorRun.rps) });
    }
    const shares = pairs.map((p) => p.share).sort((a, b) => a - b);
    const median = pairs.find((p) => p.share === shares[Math.floor((shares.length - 1) / 2)])!;
    const { floor: floor32, book: book32 } = median;
    const pairsText = `${pairs.length} alternating pair(s): ${pairs.map((p) => `${fmt(p.book.rps)}/${fmt(p.floor.rps)} = ${pct(p.share)}`).join(", ")}; median ${pct(median.share)}`;
    // PGlite's row comes last: after it, this process served the Postgres rows measurably slower (uncached
    // availability 836/s against 1,084/s just before it, in one run).
    const measurePglite = () => measurePgliteBookings(Math.min(args.mentors, PGLITE_MENTORS), widget, (file, key) => posts(file, key), measure, dir);
    if (args.bookingsOnly) {
      const pglite = await measurePglite();
      const share = (a: LoadResult, b: LoadResult) => pct(a.rps / Math.max(1e-9, b.rps));
      console.log(`\nbookings / floor: ${share(book8, floor8)} at 8, ${share(book32, floor32)} at 32 (target ${pct(TARGET_FLOOR_SHARE)} at 32; ${pairsText}); bare route ${fmt(bare32.rps)}/s, /health ${fmt(health32.rps)}/s; PGlite ${fmt(pglite.rps)}/s at 8 (target ${TARGET_PGLITE_BOOKINGS})`);
      return;
    }

    console.log("\nAvailability (one mentor each, random mentors):");
    const ids = mentors.slice(0, 500);
    const avail = (server: { url: string }, q = "") => ids.map((id) => `${server.url}/api/v2/students/${id}/availability${q}`);
    const gzip = ["--header", "accept-encoding:gzip"];
    const identity = ["--header", "accept-encoding:identity"];
    const browser = ["--header", `accept-encoding:${BROWSER_ACCEPT_ENCODING}`];
    // Warm the cache: one pass over the 500 mentors.
    for (const u of [...avail(app), ...avail(app, "?format=compact")]) await fetch(u, { headers: { authorization: `Bearer ${app.token}` } }).then((r) => r.arrayBuffer());
    const bareAvail = await measure(BARE, [ceiling.url], 32);
    const health8 = await measure("GET /health (app)", [`${app.url}/health`], 8);
    const cachedGzip8 = await measure("availability, cached, gzip", avail(app), 8, app.token, gzip);
    const cachedGzip32 = await measure("availability, cached, gzip", avail(app), 32, app.token, gzip);
    const cachedPlain32 = await measure("availability, cached, identity", avail(app), 32, app.token, identity);
    const cachedCompact32 = await measure("availability, cached, ?format=compact, gzip", avail(app, "?format=compact"), 32, app.token, gzip);
    const bareUncached = await measure(BARE, [ceiling.url], 32);
    const uncached8 = await measure("availability, uncached (30 days)", avail(uncached), 8, uncached.token, gzip);
    const uncached32 = await measure("availability, uncached (30 days)", avail(uncached), 32, uncached.token, gzip);
    const uncachedBrowser32 = await measure("availability, uncached (30 days), a browser's Accept-Encoding", avail(uncached), 32, uncached.token, browser);
    const uncachedPlain32 = await measure("availability, uncached (30 days), identity", avail(uncached), 32, uncached.token, identity);
    const dayStart = new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 86_400_000).toISOString();
    const dayEnd = new Date(Date.parse(dayStart) + 86_400_000).toISOString();
    const uncachedDay8 = await measure("availability, uncached (1-day window)", avail(uncached, `?start=${dayStart}&end=${dayEnd}`), 8, uncached.token, gzip);

    console.log("\nDiscovery under write load:");
    const listing = `${app.url}/api/v2/students/by-field/${FIELD}?page=1&pageSize=${PAGE_SIZE}`;
    await fetch(listing, { headers: { authorization: `Bearer ${app.token}` } }).then((r) => r.arrayBuffer());
    const bareAgain = await measure(BARE, [ceiling.url], 32);
    const listingQuiet = await measure("listing, cached, no writes", [listing], 32, app.token);
    const before = app.cacheStats();
    const writes = runLoadProcess([`${app.url}/api/v2/bookings`], { ...opts, connections: 16 }, widget, [
      ...posts(bodiesFile(slotsPerRun), `${run}-bg`),
      "--rate",
      String(args.writeRate),
    ]);
    const listingBusy = await measure(`listing, cached, while ${args.writeRate} bookings/s run`, [listing], 32, app.token);
    const after = app.cacheStats();
    const bg = await writes;
    const hits = after.hits - before.hits;
    const misses = after.misses - before.misses;
    const hitRate = hits / Math.max(1, hits + misses);
    console.log(`  background bookings: ${fmt(bg.rps)} /s (${bg.requests} in ${bg.seconds} s, errors ${bg.errors} ${bg.firstError ?? ""}); cache hit rate during the listing run ${pct(hitRate)} (${hits} hits, ${misses} misses)`);

    console.log("\nSizes and compression:");
    const sizes: string[] = [];
    // Each encoding at the server's own levels (server/plugins/compression.ts), and what a browser's Accept-Encoding gets.
    const sample = async (name: string, url: string, token?: string) => {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const res = await fetch(url, { headers: { ...auth, "accept-encoding": "identity" } });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const n = bytes.length > 5_000_000 ? 1 : 20;
      const cells = (["gzip", "br", "zstd"] as const).map((encoding) => {
        if (encoding === "zstd" && negotiate("zstd") !== "zstd") return "n/a | n/a";
        const t0 = performance.now();
        let size = 0;
        for (let i = 0; i < n; i++) size = compress(bytes, encoding).length;
        return `${size.toLocaleString("en")} (${pct(size / Math.max(1, bytes.length))}) | ${((performance.now() - t0) / n).toFixed(2)}`;
      });
      const wire = await fetch(url, { headers: { ...auth, "accept-encoding": BROWSER_ACCEPT_ENCODING }, decompress: false } as RequestInit);
      const sent = (await wire.arrayBuffer()).byteLength;
      const line = `| ${name} | ${bytes.length.toLocaleString("en")} | ${cells.join(" | ")} | ${wire.headers.get("content-encoding") ?? "none"}, ${sent.toLocaleString("en")} B |`;
      sizes.push(line);
      console.log(`  ${line}`);
    };
    await sample("availability, 30 days", avail(app)[0]!, app.token);
    await sample("availability, 30 days, ?format=compact", `${avail(app)[0]!}${avail(app)[0]!.includes("?") ? "&" : "?"}format=compact`, app.token);
    await sample(`listing ${FIELD} page 1`, listing, app.token);
    await sample("docs document (/docs/json)", `${app.url}/docs/json`);
    await sample("CSV export (bookings)", `${app.url}/api/v2/admin/export/sessions.csv`, app.token).catch((e) => console.log(`  (CSV sample failed: ${errorText(e)})`));
    // Uncached answers sent as gzip are framed from days deflated once (lib/gzip-pieces.ts) rather than compressed whole.
    const framing = { answers: 0, framed: 0, plain: 0, sent: 0, whole: 0 };
    for (const url of avail(uncached).slice(0, 100)) {
      const headers = { authorization: `Bearer ${uncached.token}` };
      const plain = new Uint8Array(await (await fetch(url, { headers: { ...headers, "accept-encoding": "identity" } })).arrayBuffer());
      const sent = new Uint8Array(await (await fetch(url, { headers: { ...headers, "accept-encoding": "gzip" }, decompress: false } as RequestInit)).arrayBuffer());
      framing.answers++;
      if (sent[10] === 0) framing.framed++; // a stored block (the answer's head) right after the gzip header
      framing.plain += plain.length;
      framing.sent += sent.length;
      framing.whole += compress(plain, "gzip").length;
    }
    const framingLine = `Uncached 30-day answers sent as gzip (${framing.answers} mentors): ${framing.framed} framed from deflated days; ${fmt(framing.sent / framing.answers)} B on average, against ${fmt(framing.whole / framing.answers)} B compressed whole (gzip ${GZIP_LEVEL}, ${GZIP_LIBRARY}) and ${fmt(framing.plain / framing.answers)} B uncompressed.`;
    console.log(`  ${framingLine}`);

    const pglite = await measurePglite();

    // Report
    const judge = (ok: boolean) => (ok ? "PASS" : "MISS");
    const md: string[] = [];
    md.push(`Run: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${args.mentors.toLocaleString("en")} mentors, ${args.durationSeconds} s per row after ${args.warmupSeconds} s warm-up; Postgres pool ${POOL}.`, "");
    md.push("| Scenario | Conns | req/s | p50 (ms) | p99 (ms) | vs bare route | vs floor | Load avg |", "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const l of lines) {
      const vsFloor = l.floorRps ? pct(l.result.rps / l.floorRps) : "";
      md.push(`| ${l.scenario} | ${l.connections} | ${fmt(l.result.rps)} | ${fmt(l.result.p50, 2)} | ${fmt(l.result.p99, 2)} | ${pct(l.result.rps / l.bareRps)} | ${vsFloor} | ${l.loadAvg.toFixed(1)} |`);
    }
    md.push("");
    const bookShare = book32.rps / Math.max(1e-9, floor32.rps);
    const availShare = cachedGzip32.rps / Math.max(1e-9, health32.rps);
    md.push(
      `- Bookings at 32 connections: ${fmt(book32.rps)}/s = **${pct(bookShare)} of the floor** (${fmt(floor32.rps)}/s; the median of ${pairsText}) — target ≥ ${pct(TARGET_FLOOR_SHARE)}: ${judge(bookShare >= TARGET_FLOOR_SHARE)}; the pairs' bookings ran at ${pairs.map((p) => fmt(p.book.rps)).join(", ")}/s (target 500: ${judge(book32.rps >= 500)} on the median pair). At 8: ${fmt(book8.rps)}/s (target 500: ${judge(book8.rps >= 500)}), p99 ${fmt(book8.p99, 1)} ms (target < 50 ms: ${judge(book8.p99 < 50)}), ${pct(book8.rps / Math.max(1e-9, floor8.rps))} of the floor. On PGlite at 8: ${fmt(pglite.rps)}/s, p99 ${fmt(pglite.p99, 1)} ms (target ${TARGET_PGLITE_BOOKINGS}/s: ${judge(pglite.rps >= TARGET_PGLITE_BOOKINGS)}).`,
      `- Cached availability (gzip) at 32 connections: ${fmt(cachedGzip32.rps)}/s = **${pct(availShare)} of /health** (${fmt(health32.rps)}/s) — target ≥ ${pct(TARGET_CACHED_AVAILABILITY_VS_HEALTH)}: ${judge(availShare >= TARGET_CACHED_AVAILABILITY_VS_HEALTH)}; ${pct(cachedGzip32.rps / bareAvail.rps)} of the bare route measured just before (goal 40%); identity ${pct(cachedPlain32.rps / bareAvail.rps)}; compact ${pct(cachedCompact32.rps / bareAvail.rps)}. At 8 connections p99 ${fmt(cachedGzip8.p99, 1)} ms (goal < 20 ms); /health at 8: ${fmt(health8.rps)}/s.`,
      `- Uncached availability: ${pct(uncached32.rps / bareUncached.rps)} of the bare route measured just before, at 32 with gzip (goal 10%), ${pct(uncachedBrowser32.rps / bareUncached.rps)} with a browser's Accept-Encoding (${negotiate(BROWSER_ACCEPT_ENCODING)}), ${pct(uncachedPlain32.rps / bareUncached.rps)} uncompressed; p99 at 8: ${fmt(uncached8.p99, 1)} ms; a one-day window at 8: ${fmt(uncachedDay8.rps)}/s against ${fmt(uncached8.rps)}/s for 30 days.`,
      `- Cached listing while ${fmt(bg.rps)} bookings/s ran: ${fmt(listingBusy.rps)}/s = ${pct(listingBusy.rps / bareAgain.rps)} of the bare route measured just before (goal 40%; ${pct(listingQuiet.rps / bareAgain.rps)} without writes); listing cache hit rate ${pct(hitRate)}.`,
      "",
      `| Answer | Bytes | gzip ${GZIP_LEVEL} (${GZIP_LIBRARY}; share) | ms | brotli ${BROTLI_QUALITY} (share) | ms | zstd ${ZSTD_LEVEL} (share) | ms | Sent to "${BROWSER_ACCEPT_ENCODING}" |`,
      "|---|---:|---:|---:|---:|---:|---:|---:|---|",
      ...sizes,
      "",
      framingLine,
      "",
    );
    extras.push(...md);
    console.log(`\n${md.join("\n")}`);
    if (args.markdown) writeFileSync(args.markdown, md.join("\n"));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    await bench.dispose();
  }
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
