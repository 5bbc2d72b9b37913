import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import { securityHeadersPlugin } from "../../plugins/http.ts";
import { consoleCsp, consoleModule } from "./index.ts";

// A small stand-in for console/dist, so these tests do not depend on a Vite build.
const dist = mkdtempSync(join(tmpdir(), "console-dist-"));
const indexHtml = '<!doctype html><html><head><link rel="manifest" href="/console/manifest.webmanifest"></head><body><div id="root"></div></body></html>';
beforeAll(() => {
  mkdirSync(join(dist, "assets"));
  mkdirSync(join(dist, "icons"));
  mkdirSync(join(dist, ".vite"));
  writeFileSync(join(dist, "index.html"), indexHtml);
  writeFileSync(join(dist, "sw.js"), "self.addEventListener('fetch', () => {});");
  writeFileSync(join(dist, "workbox-7c24d614.js"), "define([], () => {});");
  writeFileSync(join(dist, "manifest.webmanifest"), JSON.stringify({ name: "Thotis", start_url: "/console/" }));
  writeFileSync(join(dist, "assets", "index-B326DT0h.js"), "console.log('app');".repeat(50));
  writeFileSync(join(dist, "icons", "icon-192.png"), new Uint8Array([137, 80, 78, 71]));
  writeFileSync(join(dist, ".vite", "chunks.json"), "[]");
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

// The global security headers come first, as in createApp: the console must replace the API's CSP with its own.
const app = new Elysia().use(securityHeadersPlugin()).use(consoleModule({ distDir: dist }));
const get = (path: string, headers: Record<string, string> = {}) => app.handle(new Request(`http://localhost${path}`, { headers }));

describe("console static serving", () => {
  test("index.html at /console/ with the console CSP and no-cache", async () => {
    const res = await get("/console/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toBe(consoleCsp);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.text()).toBe(indexHtml);
  });

  test("/console redirects to /console/ (the manifest's start_url)", async () => {
    const res = await get("/console");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("/console/");
  });

  test("deep links fall back to index.html (SPA routes)", async () => {
    for (const path of ["/console/mentors", "/console/mentors/abc-123", "/console/login"]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(indexHtml);
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
  });

  test("hashed assets are immutable; sw.js and the manifest are revalidated", async () => {
    const asset = await get("/console/assets/index-B326DT0h.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const workbox = await get("/console/workbox-7c24d614.js");
    expect(workbox.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    const sw = await get("/console/sw.js");
    expect(sw.status).toBe(200);
    expect(sw.headers.get("cache-control")).toBe("no-cache");
    expect(sw.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    // The worker's own CSP must let it reach the API (connect-src) and import workbox (script-src).
    expect(sw.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(sw.headers.get("service-worker-allowed")).toBe("/console");

    const manifest = await get("/console/manifest.webmanifest");
    expect(manifest.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
    expect(manifest.headers.get("cache-control")).toBe("no-cache");
    expect(await manifest.json()).toEqual({ name: "Thotis", start_url: "/console/" });
  });

  test("gzip when accepted", async () => {
    const res = await get("/console/assets/index-B326DT0h.js", { "accept-encoding": "gzip, br" });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toContain("accept-encoding");
  });

  test("missing files are 404, and nothing outside dist or under a dot folder is served", async () => {
    expect((await get("/console/assets/nope-123.js")).status).toBe(404);
    expect((await get("/console/.vite/chunks.json")).status).toBe(404);
    expect((await get("/console/..%2Fpackage.json")).status).toBe(404);
    expect((await get("/console/%2e%2e/%2e%2e/package.json")).status).toBe(404);
  });

  test("503 with a hint when the console is not built", async () => {
    const empty = mkdtempSync(join(tmpdir(), "console-empty-"));
    try {
      const res = await new Elysia().use(consoleModule({ distDir: empty })).handle(new Request("http://localhost/console/"));
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("npm run build");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
