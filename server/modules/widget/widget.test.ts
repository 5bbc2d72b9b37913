/**
 * The widget's server side: the token route (who may mint, what the token may do), serving the built files with their
 * cache and framing headers, the parentOrigin check, and the demo page. Serving tests use a small fake dist folder,
 * so they do not depend on a Vite build.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import { loadConfig } from "../../config.ts";
import { fixedClock } from "../../lib/clock.ts";
import { createAuth, createTokenVerifier } from "../../plugins/auth.ts";
import { securityHeadersPlugin } from "../../plugins/http.ts";
import { TEST_JWT_SECRET } from "../../test-support/app.ts";
import { book, bookBody, call, createMentor, expectError, listSlots, type Mentor, T0, useApp } from "../bookings/fixtures.ts";
import { widgetModule } from "./index.ts";
import { framingPolicy } from "./policy.ts";

const ctx = useApp();
let mentor: Mentor;

beforeAll(async () => {
  mentor = await createMentor(ctx);
});

const mint = (json: unknown, token = ctx.integrator) => call(ctx, "/api/v2/widget/token", { method: "POST", token, json });

describe("POST /api/v2/widget/token", () => {
  test("an integrator mints a widget token with the configured lifetime", async () => {
    const r = await mint({ studentProfileId: mentor.profileId });
    expect(r.status).toBe(200);
    expect(r.body.data.role).toBe("widget");
    expect(r.body.data.expiresAt).toBe(new Date(T0.getTime() + 3600_000).toISOString());
    const claims = JSON.parse(Buffer.from(r.body.data.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ role: "widget", sub: "widget:test-integrator", studentProfileId: mentor.profileId });
  });

  test("admins may mint too, with a shorter lifetime; mentors and widgets may not; no token is 401", async () => {
    const r = await mint({ ttlSeconds: 120 }, ctx.admin);
    expect(r.status).toBe(200);
    expect(r.body.data.expiresAt).toBe(new Date(T0.getTime() + 120_000).toISOString());
    expectError(await mint({}, mentor.token), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await mint({}, ctx.widget), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/widget/token", { method: "POST", json: {} }), 401, "UNAUTHORIZED");
  });

  test("a lifetime over WIDGET_TOKEN_TTL_SECONDS, an unknown property or an unknown mentor are refused", async () => {
    expectError(await mint({ ttlSeconds: 3601 }), 400, "INVALID_INPUT");
    expectError(await mint({ ttlSeconds: 10 }), 400, "INVALID_INPUT");
    expectError(await mint({ role: "admin" }), 400, "INVALID_INPUT");
    expectError(await mint({ studentProfileId: "no-such-profile" }), 404, "PROFILE_NOT_FOUND");
  });

  test("the minted token reads profiles and availability and books, and nothing more", async () => {
    const token = (await mint({ studentProfileId: mentor.profileId })).body.data.token as string;
    expect((await call(ctx, `/api/v2/students/${mentor.profileId}`, { token })).status).toBe(200);
    expect((await call(ctx, "/api/v2/students/by-field/LAW", { token })).status).toBe(200);
    const slots = await listSlots(ctx, mentor.profileId, {}, token);
    const booked = await book(ctx, bookBody(mentor.profileId, slots[0]!), { token, key: "widget-test-1" });
    expect(booked.status).toBe(201);
    const id = booked.body.data.bookingId;
    expectError(await call(ctx, `/api/v2/bookings/${id}`, { token }), 403);
    expectError(await call(ctx, `/api/v2/bookings/${id}`, { method: "DELETE", token, json: { reason: "x", cancelledBy: "student" } }), 403);
    expectError(await call(ctx, `/api/v2/students/${mentor.profileId}/schedule`, { token }), 403);
    expectError(await call(ctx, `/api/v2/students/${mentor.profileId}/profile`, { method: "PUT", token, json: { currentYear: 3 } }), 403);
    expectError(await call(ctx, "/api/v2/users/1", { token }), 403);
    expectError(await mint({}, token), 403);
  });

  test("a token minted for one mentor books that mentor only; a token without a mentor may book any", async () => {
    const other = await createMentor(ctx);
    const scoped = (await mint({ studentProfileId: mentor.profileId })).body.data.token as string;
    const otherSlots = await listSlots(ctx, other.profileId, {}, scoped);
    expectError(await book(ctx, bookBody(other.profileId, otherSlots[0]!), { token: scoped }), 403);
    const open = (await mint({})).body.data.token as string;
    expect((await book(ctx, bookBody(other.profileId, otherSlots[0]!), { token: open })).status).toBe(201);
  });
});

describe("serving the widget", () => {
  const dist = mkdtempSync(join(tmpdir(), "thotis-widget-dist-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), "<!doctype html><title>widget</title>");
  writeFileSync(join(dist, "embed.js"), "window.ThotisWidget={};".repeat(50));
  writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(dist, "secret.txt"), "nope");
  let server: ReturnType<typeof Bun.serve>;
  const start = (env: Record<string, string>, distDir = dist) => {
    const config = loadConfig({ THOTIS_JWT_SECRET: TEST_JWT_SECRET, PORT: "3000", ...env }, { persistSecret: false });
    const clock = fixedClock(T0);
    const auth = createAuth(createTokenVerifier(config.jwtSecret, clock));
    const app = new Elysia()
      .use(securityHeadersPlugin())
      .use(widgetModule({ auth: auth.plugin, config, clock, db: ctx.app.database.db, profiles: ctx.app.services.profiles, distDir }))
      .get("/api/v2/other", () => ({ ok: true }));
    return Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${server.port}${path}`, { headers });
  afterAll(async () => {
    await server?.stop(true);
    rmSync(dist, { recursive: true, force: true });
  });

  test("the widget page may be framed by FRAME_ANCESTORS only; other routes keep DENY", async () => {
    server = start({ FRAME_ANCESTORS: "https://www.thotis.fr, https://partner.example" });
    const page = await get("/widget/?studentProfileId=x&parentOrigin=https%3A%2F%2Fwww.thotis.fr");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors https://www.thotis.fr https://partner.example");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-frame-options")).toBeNull();
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain("<title>widget</title>");
    // A host page outside the list is refused even before the browser's frame-ancestors check.
    expect((await get("/widget/?parentOrigin=https%3A%2F%2Fevil.example")).status).toBe(403);
    // The e-mail pages are never framed.
    for (const path of ["/widget/manage", "/widget/rate"]) {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
    }
    const other = await get("/api/v2/other");
    expect(other.headers.get("x-frame-options")).toBe("DENY");
    expect(other.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    await server.stop(true);
  });

  test("hashed assets are cached for a year, embed.js for 5 minutes, gzip when accepted; nothing else is served", async () => {
    server = start({});
    const asset = await get("/widget/assets/index-abc123.js");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(await asset.text()).toBe("console.log(1)");
    const embed = await fetch(`http://127.0.0.1:${server.port}/widget/embed.js`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(embed.headers.get("cache-control")).toBe("public, max-age=300");
    expect(embed.headers.get("content-encoding")).toBe("gzip");
    expect(Number(embed.headers.get("content-length") ?? (await embed.arrayBuffer()).byteLength)).toBeLessThan(200);
    expect((await get("/widget/assets/nope.js")).status).toBe(404);
    expect((await get("/widget/assets/..%2Fsecret.txt")).status).toBe(404);
    await server.stop(true);
  });

  test("without a build, the pages say how to build instead of failing", async () => {
    server = start({}, join(dist, "missing"));
    const r = await get("/widget/");
    expect(r.status).toBe(503);
    expect(await r.text()).toContain("npm run build");
    await server.stop(true);
  });

  test("the demo page embeds the widget from the other loopback origin with a widget token; off outside embedded mode", async () => {
    server = start({});
    const r = await get(`/widget/demo?mentor=${mentor.profileId}`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(`src="http://localhost:${server.port}/widget/embed.js"`);
    expect(html).toContain(`data-thotis-student="${mentor.profileId}"`);
    const token = html.match(/data-thotis-token="([^"]+)"/)?.[1] ?? "";
    expect(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).role).toBe("widget");
    expect(r.headers.get("content-security-policy")).toContain(`frame-src http://localhost:${server.port}`);
    expect(r.headers.get("cache-control")).toBe("no-store");
    await server.stop(true);
    server = start({ WIDGET_DEMO: "false" });
    expect((await get("/widget/demo")).status).toBe(404);
    await server.stop(true);
  });
});

describe("framing policy", () => {
  const cfg = (over: Partial<{ frameAncestors: string[]; embedded: boolean }>) => ({
    frameAncestors: [],
    embedded: true,
    publicUrl: "https://api.thotis.fr",
    ...over,
  });
  test("FRAME_ANCESTORS wins; embedded mode allows this machine; production alone allows only itself", () => {
    const listed = framingPolicy(cfg({ frameAncestors: ["https://www.thotis.fr"] }));
    expect(listed.mayFrame("https://www.thotis.fr")).toBe(true);
    expect(listed.mayFrame("http://localhost:3000")).toBe(false);
    const embedded = framingPolicy(cfg({}));
    expect(embedded.mayFrame("http://127.0.0.1:5173")).toBe(true);
    expect(embedded.mayFrame("http://localhost.evil.example")).toBe(false);
    expect(embedded.mayFrame("https://evil.example")).toBe(false);
    // Only source expressions CSP accepts (an IPv6 literal is not one), and the origin check agrees with them.
    expect(embedded.frameAncestors).toBe("'self' http://localhost:* http://127.0.0.1:*");
    expect(embedded.mayFrame("http://[::1]:3000")).toBe(false);
    const production = framingPolicy(cfg({ embedded: false }));
    expect(production.frameAncestors).toBe("'self'");
    expect(production.mayFrame("https://api.thotis.fr")).toBe(true);
    expect(production.mayFrame("http://localhost:3000")).toBe(false);
  });
});
