import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { createApp } from "../app.ts";
import { fixedClock } from "../lib/clock.ts";
import { createLogger } from "../lib/logger.ts";
import { localMediaStorage } from "../lib/media-storage.ts";
import { startTestApp, TEST_JWT_SECRET, type TestApp } from "../test-support/app.ts";
import { type Role, roles, signToken } from "./auth.ts";
import { LOGIN_PATH } from "../modules/auth/index.ts";
import { LIVE_STREAM_PATH } from "../modules/live/index.ts";
import { MAGIC_LINK_PUBLIC_PATHS } from "../modules/auth/magic-link-wire.ts";

/** Property 23 (Requirement 8.5): every /api/v2 route refuses a request without a valid JWT with 401. */

const repoRoot = join(import.meta.dir, "../..");
const OTHER_SECRET = "another-secret-that-is-also-long-enough-0123456789";

const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** Builds a JWT by hand, so tests can make tokens our signer refuses to make (no role, no exp, other algorithms). */
function rawJwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | null): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  if (secret === null) return `${head}.`;
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[header.alg as string] ?? "sha256";
  return `${head}.${createHmac(hash, secret).update(head).digest("base64url")}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Route {
  method: string;
  /** Elysia path, with :params */
  path: string;
}

interface Credential {
  label: string;
  authorization: string | undefined;
  expected: "UNAUTHORIZED" | "INVALID_TOKEN" | "TOKEN_EXPIRED";
}

const roleArb = fc.constantFrom<Role>(...roles);
const claimsArb = fc.record({ sub: fc.string({ minLength: 1, maxLength: 20 }), role: roleArb });

/** Every way of not holding a valid token, with the code each must give. */
const credentialArb: fc.Arbitrary<Credential> = fc.oneof(
  fc.constant<Credential>({ label: "no header", authorization: undefined, expected: "UNAUTHORIZED" }),
  fc
    .constantFrom("Basic dXNlcjpwYXNz", "Bearer", "bearer", "Token abc.def.ghi", "JWT abc", "Bearer a b", "Bearer\ta.b.c d")
    .map<Credential>((authorization) => ({ label: "not a bearer token", authorization, expected: "UNAUTHORIZED" })),
  fc
    .stringMatching(/^[A-Za-z0-9_.~+/=-]{1,300}$/)
    .map<Credential>((garbage) => ({ label: "garbage", authorization: `Bearer ${garbage}`, expected: "INVALID_TOKEN" })),
  fc
    .tuple(fc.string({ minLength: 32, maxLength: 80 }), claimsArb)
    .filter(([secret]) => secret !== TEST_JWT_SECRET)
    .map<Credential>(([secret, claims]) => ({
      label: "signed with another secret",
      authorization: `Bearer ${rawJwt({ alg: "HS256", typ: "JWT" }, { ...claims, exp: nowSeconds() + 3600 }, secret)}`,
      expected: "INVALID_TOKEN",
    })),
  claimsArb.map<Credential>((claims) => ({
    label: 'alg "none"',
    authorization: `Bearer ${rawJwt({ alg: "none", typ: "JWT" }, { ...claims, exp: nowSeconds() + 3600 }, null)}`,
    expected: "INVALID_TOKEN",
  })),
  fc.tuple(claimsArb, fc.constantFrom("HS384", "HS512")).map<Credential>(([claims, alg]) => ({
    label: `right secret, ${alg}`,
    authorization: `Bearer ${rawJwt({ alg, typ: "JWT" }, { ...claims, exp: nowSeconds() + 3600 }, TEST_JWT_SECRET)}`,
    expected: "INVALID_TOKEN",
  })),
  fc.tuple(claimsArb, fc.constantFrom("role", "exp", "sub")).map<Credential>(([claims, missing]) => {
    const payload: Record<string, unknown> = { ...claims, exp: nowSeconds() + 3600, iat: nowSeconds() };
    delete payload[missing];
    return {
      label: `genuine signature, no ${missing}`,
      authorization: `Bearer ${rawJwt({ alg: "HS256", typ: "JWT" }, payload, TEST_JWT_SECRET)}`,
      expected: "INVALID_TOKEN",
    };
  }),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((role) => !(roles as readonly string[]).includes(role))
    .map<Credential>((role) => ({
      label: "genuine signature, unknown role",
      authorization: `Bearer ${rawJwt({ alg: "HS256", typ: "JWT" }, { sub: "x", role, exp: nowSeconds() + 3600 }, TEST_JWT_SECRET)}`,
      expected: "INVALID_TOKEN",
    })),
  fc.tuple(claimsArb, fc.integer({ min: 1, max: 10 * 365 * 86_400 }), fc.integer({ min: 1, max: 86_400 })).map<Credential>(
    ([claims, secondsAgo, ttl]) => {
      // Signed on a clock set in the past, so it expired secondsAgo seconds ago.
      const clock = fixedClock(new Date(Date.now() - (secondsAgo + ttl + 1) * 1000));
      const payload = { ...claims, iat: Math.floor(clock.now().getTime() / 1000), exp: Math.floor(clock.now().getTime() / 1000) + ttl };
      return {
        label: "genuine but expired",
        authorization: `Bearer ${rawJwt({ alg: "HS256", typ: "JWT" }, payload, TEST_JWT_SECRET)}`,
        expected: "TOKEN_EXPIRED",
      };
    },
  ),
  fc.tuple(claimsArb, fc.integer({ min: 1, max: 86_400 })).map<Credential>(([claims, secondsAgo]) => ({
    // Expired AND forged must not be reported as merely expired.
    label: "expired and signed with another secret",
    authorization: `Bearer ${rawJwt({ alg: "HS256", typ: "JWT" }, { ...claims, exp: nowSeconds() - secondsAgo }, OTHER_SECRET)}`,
    expected: "INVALID_TOKEN",
  })),
);

const segmentArb = fc
  .string({ unit: "binary", minLength: 1, maxLength: 30 })
  .map(encodeURIComponent)
  .filter((s) => s !== "." && s !== "..");

function fillPath(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/:[A-Za-z_]+|\*/g, () => values[i++ % values.length] ?? "x");
}

const queryArb = fc
  .dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 })
  .map((q) => new URLSearchParams(q).toString());

const bodyArb = fc.oneof(
  fc.jsonValue().map((v) => ({ contentType: "application/json", body: JSON.stringify(v) })),
  fc.string({ maxLength: 200 }).map((s) => ({ contentType: "application/json", body: s })),
  fc.string({ maxLength: 200 }).map((s) => ({ contentType: "multipart/form-data; boundary=x", body: s })),
  fc.constant({ contentType: undefined, body: undefined }),
);

function expectErrorEnvelope(body: unknown, code: string) {
  expect(body).toEqual({ status: "error", error: { code, message: expect.any(String) } });
  expect((body as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
}

describe("Property 23: API Authentication Enforcement", () => {
  let app: TestApp;
  let routes: Route[];
  let admin: string;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.token("admin");
    // The app's own route table: a route added later is covered without touching this test.
    const { app: elysia } = createApp({
      config: app.config,
      db: app.database.db,
      store: app.store,
      clock: fixedClock(new Date()),
      logger: createLogger("silent"),
      media: localMediaStorage(app.config.mediaDir),
    });
    // The console's sign-in routes (password, magic link) are the public /api/v2 routes (how one gets a token); tested
    // below and in modules/auth. The live stream takes its credential in the URL (EventSource sends no header): its
    // own checks are in modules/live/live.test.ts.
    const publicPaths: string[] = [LOGIN_PATH, ...MAGIC_LINK_PUBLIC_PATHS, LIVE_STREAM_PATH];
    routes = elysia.routes
      .filter((r) => r.path.startsWith("/api/v2") && r.method !== "OPTIONS" && !publicPaths.includes(r.path))
      .map((r) => ({ method: r.method, path: r.path }));
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  test("the route table lists the API routes, at least every one the OpenAPI document describes", async () => {
    const publicPathsOps = [LOGIN_PATH, ...MAGIC_LINK_PUBLIC_PATHS].map((p) => `POST ${p}`);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys).toContain("POST /api/v2/users/");
    expect(keys).toContain("GET /api/v2/students/search");
    expect(keys).toContain("GET /api/v2/students/:id");
    const spec = (await (await app.request("/docs/json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith("/api/v2"))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`));
    expect(documented.length).toBeGreaterThan(0);
    for (const op of documented) expect([...keys, ...publicPathsOps, `GET ${LIVE_STREAM_PATH}`]).toContain(op);
    expect(documented).toContain(`POST ${LOGIN_PATH}`);
  }, 120_000);

  test("the sign-in route is public: no token needed, bad input is a 400 and wrong credentials a 401 INVALID_CREDENTIALS", async () => {
    const empty = await app.request(LOGIN_PATH, { method: "POST", json: {} });
    expect(empty.status).toBe(400);
    const wrong = await app.request(LOGIN_PATH, { method: "POST", json: { email: "nobody@thotis.test", password: "not-the-password" } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("INVALID_CREDENTIALS");
  });

  test("every API route refuses a request without a token, with the envelope and WWW-Authenticate", async () => {
    for (const route of routes) {
      const res = await app.request(fillPath(route.path, ["1"]), { method: route.method });
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="thotis"');
      expect(res.headers.get("content-type")).toContain("application/json");
      expectErrorEnvelope(await res.json(), "UNAUTHORIZED");
    }
  }, 120_000);

  test("Property 23: API Authentication Enforcement — any route, any params, any invalid credential gives 401", async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(segmentArb, { minLength: 1, maxLength: 3 }),
        queryArb,
        bodyArb,
        credentialArb,
        async (route, segments, query, payload, credential) => {
          seen.add(credential.label);
          const headers: Record<string, string> = {};
          if (credential.authorization !== undefined) headers.authorization = credential.authorization;
          const hasBody = route.method !== "GET" && payload.body !== undefined;
          if (hasBody && payload.contentType) headers["content-type"] = payload.contentType;
          const url = `${fillPath(route.path, segments)}${query ? `?${query}` : ""}`;
          const res = await app.request(url, { method: route.method, headers, body: hasBody ? payload.body : undefined });
          const body = await res.json();
          const context = { url, method: route.method, credential: credential.label };
          expect({ ...context, status: res.status, code: body?.error?.code }).toEqual({
            ...context,
            status: 401,
            code: credential.expected,
          });
          expectErrorEnvelope(body, credential.expected);
          expect(res.headers.get("www-authenticate")).toBe('Bearer realm="thotis"');
        },
      ),
      { numRuns: 400 },
    );
    // The generator really exercised every kind of bad credential.
    expect(seen.size).toBeGreaterThanOrEqual(10);
  }, 120_000);

  test("a valid token gets past authentication on every route (the 401s above are not unconditional)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), segmentArb, async (route, segment) => {
        const res = await app.request(fillPath(route.path, [segment]), { method: route.method, token: admin });
        expect(res.status).not.toBe(401);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("an expired genuine token gets TOKEN_EXPIRED; a tampered one INVALID_TOKEN", async () => {
    const signedAt = fixedClock("2020-01-01T00:00:00Z");
    const expired = await signToken(TEST_JWT_SECRET, { sub: "a", role: "admin" }, 60, signedAt.now());
    let res = await app.request("/api/v2/students/search", { token: expired });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="thotis"');
    expectErrorEnvelope(await res.json(), "TOKEN_EXPIRED");

    // A widget token whose payload is rewritten to admin keeps the widget signature: refused.
    const widget = await app.token("widget");
    const [head, , signature] = widget.split(".");
    const forged = `${head}.${b64url({ sub: "x", role: "admin", exp: nowSeconds() + 3600 })}.${signature}`;
    res = await app.request("/api/v2/users/", { method: "POST", token: forged, json: { email: "forged@example.com", name: "F" } });
    expect(res.status).toBe(401);
    expectErrorEnvelope(await res.json(), "INVALID_TOKEN");
  }, 120_000);

  test("a booking manage token (no role) opens no role-guarded route", async () => {
    const manage = rawJwt(
      { alg: "HS256", typ: "JWT" },
      { sub: "booking:1", scope: "booking:manage", bookingId: 1, exp: nowSeconds() + 3600 },
      TEST_JWT_SECRET,
    );
    for (const [method, path] of [
      ["GET", "/api/v2/students/search"],
      ["GET", "/api/v2/users/1"],
      ["POST", "/api/v2/users/"],
      ["PATCH", "/api/v2/students/abc/status"],
    ] as const) {
      const res = await app.request(path, { method, token: manage, json: method === "GET" ? undefined : { isActive: true } });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expectErrorEnvelope(await res.json(), "INVALID_TOKEN");
    }
  }, 120_000);

  test("roles: a valid token with a role the route does not allow gets 403 INSUFFICIENT_PERMISSIONS", async () => {
    const widget = await app.token("widget");
    const mentor = await app.token("mentor", { sub: "999", studentProfileId: "someone-else" });
    const integrator = await app.token("integrator");

    let res = await app.request("/api/v2/users/", { method: "POST", token: widget, json: { email: "w@example.com", name: "W" } });
    expect(res.status).toBe(403);
    expectErrorEnvelope(await res.json(), "INSUFFICIENT_PERMISSIONS");

    // The role is checked before the input: a forbidden role learns nothing about the schema.
    res = await app.request("/api/v2/users/not-a-number", { token: widget });
    expect(res.status).toBe(403);
    expectErrorEnvelope(await res.json(), "INSUFFICIENT_PERMISSIONS");

    res = await app.request("/api/v2/students/abc/status", { method: "PATCH", token: widget, json: { isActive: false } });
    expect(res.status).toBe(403);
    expectErrorEnvelope(await res.json(), "INSUFFICIENT_PERMISSIONS");

    res = await app.request("/api/v2/students/abc/profile", { method: "PUT", token: mentor, json: { currentYear: 3 } });
    expect(res.status).toBe(403);
    expectErrorEnvelope(await res.json(), "INSUFFICIENT_PERMISSIONS");

    res = await app.request("/api/v2/users/", { method: "POST", token: integrator, json: { email: "i@example.com", name: "I", role: "admin" } });
    expect(res.status).toBe(403);
    expectErrorEnvelope(await res.json(), "INSUFFICIENT_PERMISSIONS");

    // Control: the allowed roles do get through.
    res = await app.request("/api/v2/users/", { method: "POST", token: integrator, json: { email: "i@example.com", name: "I" } });
    expect(res.status).toBe(201);
    res = await app.request("/api/v2/students/search", { token: widget });
    expect(res.status).toBe(200);
  }, 120_000);

  test("tokens expire on the injected clock, not the process clock", async () => {
    const clock = fixedClock(new Date());
    const timed = await startTestApp({ clock });
    try {
      const token = await timed.token("widget", { ttlSeconds: 60 });
      expect((await timed.request("/api/v2/students/search", { token })).status).toBe(200);
      clock.advance(59_000);
      expect((await timed.request("/api/v2/students/search", { token })).status).toBe(200);
      clock.advance(2_000);
      const res = await timed.request("/api/v2/students/search", { token });
      expect(res.status).toBe(401);
      expectErrorEnvelope(await res.json(), "TOKEN_EXPIRED");
    } finally {
      await timed.stop();
    }
  }, 120_000);
});

describe("token CLI", () => {
  let app: TestApp;
  let dataDir: string;
  beforeAll(async () => {
    app = await startTestApp();
    dataDir = mkdtempSync(join(tmpdir(), "thotis-cli-"));
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const runCli = (args: string[], secret = TEST_JWT_SECRET) => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), THOTIS_JWT_SECRET: secret, DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    // process.execPath is the bun running this test: the same as `npx bun`, without npx's start-up.
    const result = Bun.spawnSync([process.execPath, "server/cli/token.ts", ...args], { cwd: repoRoot, env });
    return { exitCode: result.exitCode, stdout: result.stdout.toString().trim(), stderr: result.stderr.toString() };
  };

  test("`token admin --ttl 60` prints a token the app accepts", async () => {
    const { exitCode, stdout } = runCli(["admin", "--ttl", "60"]);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = JSON.parse(Buffer.from(stdout.split(".")[1]!, "base64url").toString());
    expect(payload.role).toBe("admin");
    expect(payload.exp - payload.iat).toBe(60);
    expect(Math.abs(payload.exp - (nowSeconds() + 60))).toBeLessThanOrEqual(30);

    const res = await app.request("/api/v2/users/", { method: "POST", token: stdout, json: { email: "cli@example.com", name: "Cli" } });
    expect(res.status).toBe(201);
  }, 120_000);

  test("mentor tokens carry sub and studentProfileId", () => {
    const { exitCode, stdout } = runCli(["mentor", "--sub", "42", "--profile", "prof-1"]);
    expect(exitCode).toBe(0);
    const payload = JSON.parse(Buffer.from(stdout.split(".")[1]!, "base64url").toString());
    expect(payload).toMatchObject({ sub: "42", role: "mentor", studentProfileId: "prof-1" });
  }, 120_000);

  test("a token printed with another secret is refused", async () => {
    const { exitCode, stdout } = runCli(["admin"], OTHER_SECRET);
    expect(exitCode).toBe(0);
    const res = await app.request("/api/v2/students/search", { token: stdout });
    expect(res.status).toBe(401);
    expectErrorEnvelope(await res.json(), "INVALID_TOKEN");
  }, 120_000);

  test("bad arguments exit with code 2 and a usage message", () => {
    for (const args of [["superuser"], [], ["mentor"], ["admin", "--ttl", "0"], ["admin", "--ttl", "soon"]]) {
      const { exitCode, stdout, stderr } = runCli(args);
      expect({ args, exitCode }).toEqual({ args, exitCode: 2 });
      expect(stdout).toBe("");
      expect(stderr.length).toBeGreaterThan(0);
    }
  }, 120_000);
});
