/**
 * Live availability benchmark (issue 17; `npx bun server/bench/live.ts [--streams 1000] [--bookings 5] [--runtime-ceiling 200]`,
 * or `npx bun server/bench/run.ts --only live`). Not a test: it prints a report and appends/replaces its own "## Live
 * availability" section of RESULTS.md.
 *
 * One API process (createApp on PGlite in a temp folder, memory store: the in-process fan-out) serves the streams. A
 * separate client process (this file with --client) opens N Server-Sent-Event streams of one mentor over raw TCP
 * sockets (so the generator's own HTTP client is not what is measured) and timestamps each `slots` event. Then
 * bookings of that mentor are made one at a time through POST /api/v2/bookings; for each, the delay from the request
 * being sent (and from its 201 answer) until each stream has the event. Reported: p50/p95/max over all streams of
 * the "every stream" delay (target p95 < 1 s), and the server's memory with the streams open minus before (RSS and
 * JS heap, after a full GC), per stream. Baseline in the same run: a bare GET route on the same server, one request
 * at a time from the client process (its round trip is the floor of any delivery); the table prints the ratio.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase } from "../../db/migrate.ts";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { systemClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { signToken } from "../plugins/auth.ts";
import { serve } from "../runtime/index.ts";
import { createStore } from "../store/index.ts";
import { fmt, JWT_SECRET, openPglite } from "./harness.ts";

const TARGET_P95_MS = 1000;
const self = fileURLToPath(import.meta.url);
const resultsFile = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const now = () => performance.timeOrigin + performance.now();

// --- client process ----------------------------------------------------------------------------------------------

/** Opens `n` streams; prints "open" when all have their `ready`, then one JSON line of arrival times per "slots" round. */
async function client(url: URL, n: number) {
  const arrivals: number[][] = [];
  let ready = 0;
  const sockets = [];
  for (let i = 0; i < n; i++) {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let seen = 0;
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      const t = now();
      buffer += chunk;
      if (buffer.includes("event: ready") && !buffer.startsWith("#")) {
        ready++;
        buffer = `#${buffer.slice(buffer.indexOf("event: ready") + 12)}`;
      }
      let at: number;
      while ((at = buffer.indexOf("event: slots")) >= 0) {
        buffer = `#${buffer.slice(at + 12)}`;
        (arrivals[seen++] ??= []).push(t);
      }
    });
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
    sockets.push(socket);
    if (i % 100 === 99) await Bun.sleep(20); // do not open 1,000 sockets in one burst (the listen backlog)
  }
  while (ready < n) await Bun.sleep(10);
  console.log("open");
  // The bare route's round trip, one request at a time, from this process.
  const bare: number[] = [];
  const base = `${url.protocol}//${url.host}`;
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await (await fetch(`${base}/health`)).text();
    if (i >= 20) bare.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ bare }));
  // Rounds: the parent writes "round\n" after each booking; we answer when every stream has that round's event.
  let round = 0;
  for await (const line of console) {
    if (line !== "round") break;
    const until = performance.now() + 10_000;
    while ((arrivals[round]?.length ?? 0) < n && performance.now() < until) await Bun.sleep(1);
    console.log(JSON.stringify({ round, arrivals: arrivals[round] ?? [] }));
    round++;
  }
  for (const s of sockets) s.destroy();
  process.exit(0);
}

// --- benchmark -----------------------------------------------------------------------------------------------------

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function bench(opts: { streams: number; bookings: number }) {
  const db = await openPglite();
  await migrateDatabase(db.handle);
  const dataDir = mkdtempSync(join(tmpdir(), "thotis-bench-live-"));
  const config = loadConfig({ DATA_DIR: dataDir, THOTIS_JWT_SECRET: JWT_SECRET, LOG_LEVEL: "silent", RATE_LIMIT_MAX: "1000000", SEED_DEMO_DATA: "false", RUN_WORKER: "false" }, { persistSecret: false });
  const store = createStore();
  const app = createApp({ config, db: db.handle.db, store, clock: systemClock, logger: createLogger("silent"), media: localMediaStorage(config.mediaDir) });
  const server = serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: 1 << 20, fetch: app.handle });
  const base = `http://127.0.0.1:${server.port}`;
  const admin = await signToken(config.jwtSecret, { sub: "bench-admin", role: "admin" }, 3600);
  const api = async (path: string, method: string, json?: unknown) => {
    const res = await fetch(`${base}/api/v2${path}`, { method, headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) });
    const body = (await res.json()) as { data: Record<string, unknown> };
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body.data as Record<string, any>;
  };
  try {
    const user = await api("/users", "POST", { email: `bench.live.${Date.now()}@example.fr`, name: "Bench Live", role: "mentor", timeZone: "Europe/Paris" });
    const profile = await api(`/students/${user.id}/profile`, "POST", {
      university: "Université Paris 1 Panthéon-Sorbonne", degree: "Master en Droit", field: "LAW", currentYear: 2,
      bio: "Mentor de banc d'essai : ses créneaux sont réservés pendant que mille pages les regardent en direct.",
    });
    const mentor = String(profile.id);
    await api(`/students/${mentor}/schedule`, "PUT", { timeZone: "Europe/Paris", weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "06:00", end: "22:00" }] })) });
    const slots = ((await api(`/students/${mentor}/availability`, "GET")) as unknown as { slots: { start: string }[] }).slots;
    const stream = await api("/live/tokens", "POST", { mentors: [mentor] });

    // Settle the set-up's garbage first, so the difference is the streams' (RSS still moves with the allocator).
    for (let i = 0; i < 3; i++) {
      Bun.gc(true);
      await Bun.sleep(100);
    }
    const before = process.memoryUsage();
    const child = Bun.spawn([process.execPath, self, "--client", `${base}${stream.url}`, String(opts.streams)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const lines = (async function* () {
      let buffer = "";
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          yield buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
        }
      }
    })();
    const next = async () => String((await lines.next()).value ?? "");
    const t0 = performance.now();
    if ((await next()) !== "open") throw new Error("client failed to open its streams");
    const openSeconds = (performance.now() - t0) / 1000;
    const bare = (JSON.parse(await next()) as { bare: number[] }).bare.sort((a, b) => a - b);
    for (let i = 0; i < 3; i++) {
      Bun.gc(true);
      await Bun.sleep(100);
    }
    const during = process.memoryUsage();
    const streamsOpen = (await api("/live/stats", "GET")) as unknown as { streams: number };

    const fromSend: number[] = [];
    const fromAnswer: number[] = [];
    const everyStream: number[] = [];
    let missing = 0;
    for (let i = 0; i < opts.bookings; i++) {
      await Bun.sleep(200);
      const sent = now();
      const res = await fetch(`${base}/api/v2/bookings`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ studentProfileId: mentor, dateTime: slots[10 + i * 3]!.start, prospectiveStudent: { name: "Bench", email: "bench@lycee.fr" } }),
      });
      const answered = now();
      if (res.status !== 201) throw new Error(`booking: ${res.status} ${await res.text()}`);
      child.stdin.write("round\n");
      child.stdin.flush();
      const { arrivals } = JSON.parse(await next()) as { arrivals: number[] };
      missing += opts.streams - arrivals.length;
      for (const t of arrivals) {
        fromSend.push(t - sent);
        fromAnswer.push(t - answered);
      }
      everyStream.push(Math.max(...arrivals) - sent);
    }
    child.stdin.end();
    await child.exited;
    fromSend.sort((a, b) => a - b);
    fromAnswer.sort((a, b) => a - b);
    const perStreamKb = (b: number, a: number) => (b - a) / 1024 / opts.streams;
    return {
      streams: opts.streams,
      streamsOpen: streamsOpen.streams,
      openSeconds,
      bookings: opts.bookings,
      missing,
      p50: pct(fromSend, 50),
      p95: pct(fromSend, 95),
      max: fromSend[fromSend.length - 1] ?? NaN,
      afterAnswerP50: pct(fromAnswer, 50),
      afterAnswerP95: pct(fromAnswer, 95),
      lastStreamWorst: Math.max(...everyStream),
      bareP50: pct(bare, 50),
      bareP95: pct(bare, 95),
      rssKbPerStream: perStreamKb(during.rss, before.rss),
      heapKbPerStream: perStreamKb(during.heapUsed, before.heapUsed),
      rssMb: during.rss / 1048576,
      load: loadavg()[0] ?? 0,
    };
  } finally {
    await app.services.live.close();
    server.stop();
    await store.close();
    await db.handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runLiveBench(argv: string[] = []) {
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const r = await bench({ streams: arg("streams", 1000), bookings: arg("bookings", 5) });
  const verdict = r.p95 < TARGET_P95_MS && r.missing === 0 ? "meets" : "MISSES";
  const lines = [
    "## Live availability",
    "",
    `${new Date().toISOString().slice(0, 10)}, PGlite, memory store (in-process fan-out), one API process; clients in a separate process on raw TCP; load average ${r.load.toFixed(1)} on 2 cores shared with other work.`,
    "",
    "| Measure | Value |",
    "| --- | --- |",
    `| Streams open (server count) | ${r.streamsOpen} of ${r.streams}, opened in ${fmt(r.openSeconds, 1)} s |`,
    `| Booking sent → event on a stream, p50 / p95 / max (${r.bookings} bookings × ${r.streams} streams) | ${fmt(r.p50, 1)} / ${fmt(r.p95, 1)} / ${fmt(r.max, 1)} ms (target p95 < ${TARGET_P95_MS} ms: ${verdict}) |`,
    `| Booking answered (201) → event, p50 / p95 | ${fmt(r.afterAnswerP50, 1)} / ${fmt(r.afterAnswerP95, 1)} ms |`,
    `| Worst "every stream has it" delay | ${fmt(r.lastStreamWorst, 1)} ms |`,
    `| Events missing | ${r.missing} |`,
    `| Bare route (GET /health) round trip, p50 / p95 | ${fmt(r.bareP50, 2)} / ${fmt(r.bareP95, 2)} ms; event p95 / bare p95 = ${fmt(r.p95 / r.bareP95, 0)}× |`,
    `| Server memory per open stream (after full GC) | RSS ${fmt(r.rssKbPerStream, 1)} KB, JS heap ${fmt(r.heapKbPerStream, 1)} KB; RSS ${fmt(r.rssMb, 0)} MB with all streams open |`,
    "",
  ];
  console.log(lines.join("\n"));
  let text = "";
  try {
    text = readFileSync(resultsFile, "utf8");
  } catch {
    // first run
  }
  const start = text.indexOf("## Live availability");
  if (start >= 0) {
    const end = text.indexOf("\n## ", start + 5);
    text = text.slice(0, start) + lines.join("\n") + (end >= 0 ? text.slice(end + 1) : "");
  } else text = `${text.trimEnd()}\n\n${lines.join("\n")}`;
  writeFileSync(resultsFile, text);
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  if (argv[0] === "--client") await client(new URL(argv[1]!), Number(argv[2]));
  else await runLiveBench(argv);
}
