import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedClock } from "../../lib/clock.ts";
import { call, expectError, LONG_TTL, useTestApp } from "../../test-support/mentors.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { DEFAULT_ADMIN_EMAIL, seedConsoleAdmin, upsertAdmin } from "./service.ts";
import { delaySeconds, FREE_FAILURES, MAX_DELAY_SECONDS } from "./throttle.ts";

const T0 = new Date("2026-06-01T06:00:00.000Z");
const clock = fixedClock(T0);
const ctx = useTestApp({ clock, ttlSeconds: LONG_TTL, env: () => ({ TRUST_PROXY: "true" }) });
const login = (email: string, password: string) => call(ctx, "/api/v2/auth/login", { method: "POST", json: { email, password } });

describe("Console sign-in", () => {
  test("argon2id PHC strings with a random salt; verification accepts only the password", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsf", a)).toBe(false);
    expect(await verifyPassword("x", "not a hash")).toBe(false);
  });

  test("e-mail and password give a 12-hour admin token that opens admin routes; /auth/me names the account", async () => {
    await upsertAdmin(ctx.app.database.db, clock, { email: "Chloe.Admin@thotis.fr", password: "s3cret-passphrase", name: "Chloé" });
    const r = await login("chloe.admin@THOTIS.fr", "s3cret-passphrase");
    expect(r.status).toBe(200);
    expect(r.body.data.user).toMatchObject({ email: "Chloe.Admin@thotis.fr", name: "Chloé", role: "admin" });
    expect(r.body.data.expiresAt).toBe(new Date(T0.getTime() + 12 * 3600_000).toISOString());
    const token = r.body.data.token;
    expect((await call(ctx, "/api/v2/admin/mentors", { token })).status).toBe(200);
    const me = await call(ctx, "/api/v2/auth/me", { token });
    expect(me.body.data).toMatchObject({ role: "admin", userId: r.body.data.user.id, user: { email: "Chloe.Admin@thotis.fr" } });
    // The token expires after 12 hours.
    clock.advance(12 * 3600_000 + 1000);
    try {
      expectError(await call(ctx, "/api/v2/auth/me", { token }), 401, "TOKEN_EXPIRED");
    } finally {
      clock.set(T0);
    }
  });

  test("unknown address and wrong password get the same 401; the login route alone needs no token", async () => {
    await upsertAdmin(ctx.app.database.db, clock, { email: "same@thotis.fr", password: "right-password" });
    const unknown = await login("nobody@thotis.fr", "right-password");
    const wrong = await login("same@thotis.fr", "wrong-password");
    expectError(unknown, 401, "INVALID_CREDENTIALS");
    expectError(wrong, 401, "INVALID_CREDENTIALS");
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    expectError(await call(ctx, "/api/v2/auth/me"), 401, "UNAUTHORIZED");
    expectError(await call(ctx, "/api/v2/auth/login", { method: "POST", json: { email: "x@y.fr" } }), 400);
    // Mentors have no console password: a mentor's address is unknown here.
    expectError(await login("mentor.1@example.fr", "anything"), 401, "INVALID_CREDENTIALS");
  });

  test("throttle per (account, address): delays grow after 5 failures, a success forgets them, other addresses are unaffected", async () => {
    await upsertAdmin(ctx.app.database.db, clock, { email: "locked@thotis.fr", password: "right-password" });
    const from = (ip: string, password: string, email = "locked@thotis.fr") =>
      call(ctx, "/api/v2/auth/login", { method: "POST", json: { email, password }, headers: { "x-forwarded-for": ip } });
    // A success resets the count: 4 failures, a success, 4 failures stay free.
    for (let i = 0; i < FREE_FAILURES - 1; i++) expectError(await from("198.51.100.1", "nope"), 401, "INVALID_CREDENTIALS");
    expect((await from("198.51.100.1", "right-password")).status).toBe(200);
    for (let i = 0; i < FREE_FAILURES; i++) expectError(await from("198.51.100.1", "nope"), 401, "INVALID_CREDENTIALS");
    // The 5th failure starts a 1 s delay: the right password is refused until it has passed, without being checked.
    const waiting = await from("198.51.100.1", "right-password");
    expectError(waiting, 429, "ACCOUNT_LOCKED");
    expect(waiting.res.headers.get("retry-after")).toBe("1");
    // Another client is not locked out.
    expect((await from("203.0.113.7", "right-password")).status).toBe(200);
    clock.advance(1000);
    expectError(await from("198.51.100.1", "nope"), 401, "INVALID_CREDENTIALS");
    // 6 failures: 2 s now.
    expect(delaySeconds(6)).toBe(2);
    expect((await from("198.51.100.1", "right-password")).res.headers.get("retry-after")).toBe("2");
    clock.advance(2000);
    try {
      expect((await from("198.51.100.1", "right-password")).status).toBe(200);
    } finally {
      clock.set(T0);
    }
    expect(delaySeconds(40)).toBe(MAX_DELAY_SECONDS);
  }, 60_000);

  test("29 concurrent wrong passwords then the right one from that client: refused; from another client: accepted (finding 3)", async () => {
    await upsertAdmin(ctx.app.database.db, clock, { email: "raced@thotis.fr", password: "right-password" });
    const from = (ip: string, password: string) =>
      call(ctx, "/api/v2/auth/login", { method: "POST", json: { email: "raced@thotis.fr", password }, headers: { "x-forwarded-for": ip } });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => from("198.51.100.20", i === 29 ? "right-password" : `wrong-${i}`)));
    const statuses = answers.map((a) => a.status);
    // At most one password per key is checked at a time: most are refused before any check, none gets a token.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expectError(await from("198.51.100.20", "right-password"), 429, "ACCOUNT_LOCKED");
    expect((await from("198.51.100.21", "right-password")).status).toBe(200);
  }, 60_000);

  test("an unknown address is throttled and timed like a known one (finding 4)", async () => {
    await upsertAdmin(ctx.app.database.db, clock, { email: "known@thotis.fr", password: "right-password" });
    const time = async (email: string, ip: string) => {
      const t0 = performance.now();
      const r = await call(ctx, "/api/v2/auth/login", { method: "POST", json: { email, password: "nope" }, headers: { "x-forwarded-for": ip } });
      return { r, ms: performance.now() - t0 };
    };
    // Warm the decoy hash once.
    await time("warm@thotis.fr", "192.0.2.99");
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < FREE_FAILURES; i++) {
      const a = await time("known@thotis.fr", "192.0.2.1");
      const b = await time("ghost@thotis.fr", "192.0.2.1");
      expect(a.r.body).toEqual(b.r.body);
      known.push(a.ms);
      unknown.push(b.ms);
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    // Both pay one argon2 verification: the medians are within a factor of 5 on a busy machine (the old oracle was 5-30 ms against 470 ms).
    expect(median(unknown) / median(known)).toBeGreaterThan(1 / 5);
    expect(median(unknown) / median(known)).toBeLessThan(5);
    const a = await time("known@thotis.fr", "192.0.2.1");
    const b = await time("ghost@thotis.fr", "192.0.2.1");
    expectError(a.r, 429, "ACCOUNT_LOCKED");
    expect(a.r.body).toEqual(b.r.body);
  }, 60_000);

  test("seeding: ADMIN_EMAIL/ADMIN_PASSWORD win; embedded mode generates a password kept under DATA_DIR across restarts", async () => {
    const db = ctx.app.database.db;
    const dataDir = mkdtempSync(join(tmpdir(), "thotis-admin-"));
    try {
      expect(await seedConsoleAdmin(db, clock, { admin: {}, embedded: false, dataDir })).toBeNull();
      const first = await seedConsoleAdmin(db, clock, { admin: {}, embedded: true, dataDir });
      expect(first?.email).toBe(DEFAULT_ADMIN_EMAIL);
      expect(first?.password).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(readFileSync(join(dataDir, "admin-password"), "utf8").trim()).toBe(first?.password as string);
      const again = await seedConsoleAdmin(db, clock, { admin: {}, embedded: true, dataDir });
      expect(again?.password).toBe(first?.password as string);
      expect((await login(DEFAULT_ADMIN_EMAIL, first?.password as string)).status).toBe(200);
      const configured = await seedConsoleAdmin(db, clock, { admin: { email: "ops@thotis.fr", password: "from-the-env" }, embedded: true, dataDir });
      expect(configured).toEqual({ email: "ops@thotis.fr" });
      expect((await login("ops@thotis.fr", "from-the-env")).status).toBe(200);
      // Changing ADMIN_PASSWORD replaces the hash at the next start.
      await seedConsoleAdmin(db, clock, { admin: { email: "ops@thotis.fr", password: "rotated" }, embedded: false, dataDir });
      expectError(await login("ops@thotis.fr", "from-the-env"), 401);
      expect((await login("ops@thotis.fr", "rotated")).status).toBe(200);
      expect(existsSync(join(dataDir, "admin-password"))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
