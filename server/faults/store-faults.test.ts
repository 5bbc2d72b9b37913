/**
 * A process that cannot reach its shared store (a Redis URL that refuses connections): it keeps serving reads from
 * the database, answers writes 503 CACHE_UNAVAILABLE (so no write commits without invalidating the other processes'
 * cache), reports /ready 503 within 2 s, and lets requests through the rate limiter (fail open, logged and counted).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { eq } from "drizzle-orm";
import { users } from "../../db/schema/index.ts";
import { startTestApp, type TestApp } from "../test-support/app.ts";

describe("shared store unreachable", () => {
  let app: TestApp;
  let refusing: Server;
  let admin: string;

  beforeAll(async () => {
    // A port that accepts and at once closes every connection: Redis is "there" but never answers.
    refusing = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const port = (refusing.address() as { port: number }).port;
    app = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_MAX: "3" } });
    admin = await app.token("admin");
    // Let ioredis see the first failure.
    await new Promise((r) => setTimeout(r, 300));
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    refusing?.close();
  });

  test("reads are served, writes answer 503 CACHE_UNAVAILABLE with Retry-After, nothing is written", async () => {
    const read = await app.request("/api/v2/students/search?pageSize=5", { token: admin });
    expect(read.status).toBe(200);
    const write = await app.request("/api/v2/users", {
      method: "POST",
      token: admin,
      json: { email: "store-down@univ.fr", name: "Store Down", role: "mentor", timeZone: "Europe/Paris", locale: "fr" },
    });
    expect(write.status).toBe(503);
    expect(write.headers.get("retry-after")).toBe("2");
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe("CACHE_UNAVAILABLE");
    const rows = await app.database.db.select({ id: users.id }).from(users).where(eq(users.email, "store-down@univ.fr"));
    expect(rows).toEqual([]);
  });

  test("/ready answers 503 within 2 s; /health stays 200", async () => {
    const started = performance.now();
    const ready = await app.request("/ready");
    expect(ready.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await app.request("/health")).status).toBe(200);
  });

  test("the rate limiter fails open: a log line and the thotis_rate_limit_fail_open_total metric", async () => {
    // RATE_LIMIT_MAX is 3: ten requests pass only because the limiter cannot count.
    for (let i = 0; i < 10; i++) expect((await app.request("/health")).status).toBe(200);
    expect(app.logs.some((l) => l.includes("rate limiter store error"))).toBe(true);
    const metrics = await (await app.request("/metrics")).text();
    const total = Number(/thotis_rate_limit_fail_open_total (\d+)/.exec(metrics)?.[1]);
    expect(total).toBeGreaterThanOrEqual(10);
  });
});
