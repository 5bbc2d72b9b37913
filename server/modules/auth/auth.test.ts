import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedClock } from "../../lib/clock.ts";
import { call, expectError, LONG_TTL, useTestApp } from "../../test-support/mentors.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { DEFAULT_ADMIN_EMAIL, LOCK_MINUTES, MAX_FAILED_LOGINS, seedConsoleAdmin, upsertAdmin } from "./service.ts";

const T0 = new Date("2026-06-01T06:00:00.000Z");
const clock = fixedClock(T0);
const ctx = useTestApp({ clock, ttlSeconds: LONG_TTL });
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

  test("5 failures in a row lock the account for 15 minutes (429 ACCOUNT_LOCKED with Retry-After), even for the right password", async () => {
    await upsertAdmin(ctx.app.database.db, clock, { email: "locked@thotis.fr", password: "right-password" });
    // A success resets the count: 4 failures, a success, 4 failures stay unlocked.
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) expectError(await login("locked@thotis.fr", "nope"), 401, "INVALID_CREDENTIALS");
    expect((await login("locked@thotis.fr", "right-password")).status).toBe(200);
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) expectError(await login("locked@thotis.fr", "nope"), 401, "INVALID_CREDENTIALS");
    const fifth = await login("locked@thotis.fr", "nope");
    expectError(fifth, 429, "ACCOUNT_LOCKED");
    expect(fifth.res.headers.get("retry-after")).toBe(String(LOCK_MINUTES * 60));
    clock.advance(60_000);
    const right = await login("locked@thotis.fr", "right-password");
    expectError(right, 429, "ACCOUNT_LOCKED");
    expect(right.res.headers.get("retry-after")).toBe(String((LOCK_MINUTES - 1) * 60));
    clock.advance((LOCK_MINUTES - 1) * 60_000);
    try {
      expect((await login("locked@thotis.fr", "right-password")).status).toBe(200);
    } finally {
      clock.set(T0);
    }
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
