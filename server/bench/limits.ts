/**
 * Hostile-input benchmark (`npm run bench -- --only limits`, or `bun server/bench/limits.ts`): how long the worst
 * request shapes we know of hold the event loop, per route class, next to a bare Elysia route in the same run.
 *
 * Each shape is sent 5 times through the real app (createApp on a temporary PGlite, worker off) by `handle()` in
 * this process, with a 1 ms timer ticking: the longest gap between ticks is the longest the event loop was held (what
 * /health would wait), the answer time is the whole request. Target: no request within the limits holds the loop
 * more than 50 ms. Reported, not enforced (not a CI test).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia, t } from "elysia";
import { createDatabase } from "../../db/client.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { systemClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { signToken } from "../plugins/auth.ts";
import { LIMITS } from "../plugins/limits.ts";
import { createStore } from "../store/index.ts";

const TARGET_MS = 50;
const REPEAT = 5;

interface Shape {
  cls: string;
  name: string;
  path: string;
  body: string | Uint8Array;
  contentType: string;
  token?: "admin" | "widget";
}

const json = "application/json";
const shapes: Shape[] = [
  { cls: "json", name: "login: longest string allowed (16 KB password)", path: "/api/v2/auth/login", body: JSON.stringify({ email: "a@b.fr", password: "p".repeat(LIMITS.jsonStringChars) }), contentType: json },
  { cls: "json", name: "login: 64 KB of 16 KB strings in an array", path: "/api/v2/auth/login", body: JSON.stringify({ email: Array.from({ length: 3 }, () => "e".repeat(LIMITS.jsonStringChars)), password: "x" }), contentType: json },
  { cls: "json", name: "login: 499 extra keys (the member limit)", path: "/api/v2/auth/login", body: `{${Array.from({ length: LIMITS.jsonItems - 1 }, (_, i) => `"k${i.toString(36).padStart(4, "0")}":1`).join(",")}}`, contentType: json },
  { cls: "json", name: "login: array of 499 zeros (the member limit)", path: "/api/v2/auth/login", body: `{"email":[${Array.from({ length: LIMITS.jsonItems - 1 }, () => "0").join(",")}]}`, contentType: json },
  { cls: "json", name: "login: nesting at the depth limit", path: "/api/v2/auth/login", body: `${'{"a":'.repeat(LIMITS.jsonDepth)}1${"}".repeat(LIMITS.jsonDepth)}`, contentType: json },
  { cls: "json", name: "login: 20,000-deep array (refused by depth)", path: "/api/v2/auth/login", body: `{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}`, contentType: json },
  { cls: "json", name: "login: 1 MB string (refused by size)", path: "/api/v2/auth/login", body: JSON.stringify({ email: "a".repeat(1 << 20), password: "x" }), contentType: json },
  { cls: "json", name: "events: 16 KB properties string", path: "/api/v2/analytics/events", body: JSON.stringify({ name: "widget_opened", properties: "x".repeat(LIMITS.jsonStringChars) }), contentType: json, token: "widget" },
  { cls: "json", name: "login: 32,000-member array (refused by members)", path: "/api/v2/auth/login", body: `{"email":[${Array.from({ length: 32_000 }, () => "0").join(",")}]}`, contentType: json },
  { cls: "json", name: "events: 499 properties", path: "/api/v2/analytics/events", body: JSON.stringify({ name: "widget_opened", properties: Object.fromEntries(Array.from({ length: LIMITS.jsonItems - 1 }, (_, i) => [`k${i}`, i])) }), contentType: json, token: "widget" },
  { cls: "json", name: "bookings: 64 KB of nested wrong types", path: "/api/v2/bookings", body: JSON.stringify({ studentProfileId: [], dateTime: {}, prospectiveStudent: Array.from({ length: LIMITS.jsonItems - 1 }, () => ({ a: [1, { b: "c" }] })) }), contentType: json, token: "widget" },
  { cls: "json", name: "schedule: 366 exceptions × 12 ranges", path: "/api/v2/students/x/schedule", body: JSON.stringify({ timeZone: "Europe/Paris", exceptions: Array.from({ length: 366 }, (_, i) => ({ date: `2027-01-${String((i % 28) + 1).padStart(2, "0")}`, ranges: [{ start: "08:00", end: "09:00" }] })) }), contentType: json, token: "admin" },
  { cls: "upload", name: "photo: 5 MB of noise", path: "/api/v2/students/x/photo", body: multipart(5 * 1024 * 1024 - 1024), contentType: "multipart/form-data; boundary=bench", token: "admin" },
  { cls: "upload", name: "photo: 8 MB (refused by size)", path: "/api/v2/students/x/photo", body: multipart(8 * 1024 * 1024), contentType: "multipart/form-data; boundary=bench", token: "admin" },
];

function multipart(size: number): Uint8Array {
  const head = new TextEncoder().encode('--bench\r\ncontent-disposition: form-data; name="photo"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n');
  const tail = new TextEncoder().encode("\r\n--bench--\r\n");
  const out = new Uint8Array(head.length + size + tail.length);
  out.set(head, 0);
  for (let i = head.length; i < head.length + size; i++) out[i] = (i * 2654435761) >>> 24;
  out.set(tail, head.length + size);
  return out;
}

/** The longest gap between 1 ms ticks while `work` runs, and how long it took. */
async function measure(work: () => Promise<unknown>): Promise<{ holdMs: number; totalMs: number }> {
  let last = performance.now();
  let holdMs = 0;
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    holdMs = Math.max(holdMs, now - last);
    last = now;
    if (ticking) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const t0 = performance.now();
  await work();
  const totalMs = performance.now() - t0;
  ticking = false;
  holdMs = Math.max(holdMs, performance.now() - last);
  return { holdMs, totalMs };
}

export async function runLimitsBench(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "thotis-bench-limits-"));
  const config = loadConfig({ DATA_DIR: dataDir, THOTIS_JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256-0123456789", RUN_WORKER: "false", RATE_LIMIT_MAX: "1000000", RATE_LIMIT_SIGNIN_MAX: "1000000", RATE_LIMIT_EVENTS_MAX: "1000000", RATE_LIMIT_BOOKINGS_MAX: "1000000" });
  const database = await createDatabase({ dataDir: join(dataDir, "pglite") });
  await migrateDatabase(database);
  const store = createStore({});
  const created = createApp({ config, db: database.db, store, clock: systemClock, logger: createLogger("silent"), media: localMediaStorage(config.mediaDir) });
  const tokens = { admin: await signToken(config.jwtSecret, { sub: "bench", role: "admin" }, 3600), widget: await signToken(config.jwtSecret, { sub: "bench", role: "widget" }, 3600) };
  const bare = new Elysia().post("/bare", ({ body }) => ({ ok: body.a }), { body: t.Object({ a: t.String({ maxLength: 100 }) }) });
  const missed: string[] = [];
  try {
    const run = async (label: string, send: () => Promise<Response>) => {
      await (await send()).arrayBuffer(); // warm-up
      let hold = 0;
      let total = 0;
      let status = 0;
      for (let i = 0; i < REPEAT; i++) {
        const m = await measure(async () => {
          const r = await send();
          status = r.status;
          await r.arrayBuffer();
        });
        hold = Math.max(hold, m.holdMs);
        total += m.totalMs;
      }
      return { label, hold, mean: total / REPEAT, status };
    };
    const baseline = await run("bare Elysia route, small JSON body", () =>
      bare.handle(new Request("http://bench/bare", { method: "POST", headers: { "content-type": json }, body: '{"a":"b"}' })),
    );
    const rows = [baseline];
    for (const s of shapes) {
      const headers: Record<string, string> = { "content-type": s.contentType };
      if (s.token) headers.authorization = `Bearer ${tokens[s.token]}`;
      rows.push(
        await run(`${s.cls}: ${s.name}`, () => created.handle(new Request(`http://bench${s.path}`, { method: "POST", headers, body: s.body as BodyInit }), "192.0.2.1")),
      );
    }
    console.log(`\n| request | status | longest event-loop hold (ms) | mean answer (ms) | ratio to bare route | ≤ ${TARGET_MS} ms |`);
    console.log("|---|---:|---:|---:|---:|---|");
    for (const r of rows) {
      const ok = r.hold <= TARGET_MS;
      if (!ok) missed.push(`limits: ${r.label} held ${r.hold.toFixed(1)} ms`);
      console.log(`| ${r.label} | ${r.status} | ${r.hold.toFixed(1)} | ${r.mean.toFixed(1)} | ${(r.mean / baseline.mean).toFixed(1)}× | ${ok ? "yes" : "MISS"} |`);
    }
  } finally {
    await store.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return missed;
}

if (import.meta.main) {
  const missed = await runLimitsBench();
  if (missed.length) console.log(`\nTargets missed: ${missed.join("; ")}`);
}
