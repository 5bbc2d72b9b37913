import { fileURLToPath } from "node:url";
import { Elysia } from "elysia";
import { type Asset, assetResponse, createAssetStore } from "../../lib/static-assets.ts";

export const defaultConsoleDist = fileURLToPath(new URL("../../../console/dist", import.meta.url));

/**
 * The console's pages and its service worker: its own scripts and styles, API calls and workers on this origin, never
 * framed. No inline script or style, so no 'unsafe-inline'.
 */
export const consoleCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

/**
 * How long a browser may keep each file. Content-hashed bundles (assets/*, workbox-<hash>.js) never change under their
 * name; index.html, sw.js and the manifest must be revalidated on every load, or a deployment would go unseen (the
 * service worker update check depends on sw.js being fetched fresh).
 */
export function cachePolicy(name: string): string {
  if (name.startsWith("assets/") || /^workbox-[0-9a-f]{8}\.js$/.test(name)) return "public, max-age=31536000, immutable";
  if (name.startsWith("icons/")) return "public, max-age=86400";
  return "no-cache";
}

const contentTypes: Record<string, string> = { webmanifest: "application/manifest+json; charset=utf-8" };

/**
 * Serves the admin console (console/dist, built by `npm run build`) at /console. Paths that are not files fall back to
 * index.html, so deep links (/console/mentors/…) work; the SolidJS router takes it from there.
 */
export function consoleModule(deps: { distDir?: string } = {}) {
  const assets = createAssetStore(deps.distDir ?? defaultConsoleDist);

  const respond = (asset: Asset, name: string, request: Request, set: { headers: Record<string, string | number> }) => {
    set.headers["content-security-policy"] = consoleCsp;
    const headers: Record<string, string> = { "cache-control": cachePolicy(name) };
    // The worker lives at /console/sw.js but controls /console too (the router's home has no trailing slash).
    if (name === "sw.js") headers["service-worker-allowed"] = "/console";
    const type = contentTypes[name.split(".").pop() ?? ""];
    if (type) headers["content-type"] = type;
    return assetResponse(asset, request, headers);
  };

  const serve = async (path: string, request: Request, set: { headers: Record<string, string | number> }) => {
    const name = path === "" ? "index.html" : path;
    const file = await assets.get(name);
    if (file) return respond(file, name, request, set);
    // A path with a file extension is a missing file, not a screen of the app.
    if (path !== "" && /\.[A-Za-z0-9]+$/.test(name)) return text(404, "Not found");
    const index = await assets.get("index.html");
    if (!index) return text(503, "The console is not built yet: run `npm run build`.");
    return respond(index, "index.html", request, set);
  };

  return new Elysia()
    // Elysia routes /console and /console/ alike; only the bare one is redirected (to the manifest's start_url).
    .get(
      "/console",
      ({ request, set }) =>
        new URL(request.url).pathname.endsWith("/") ? serve("", request, set) : new Response(null, { status: 308, headers: { location: "/console/" } }),
      { detail: { hide: true } },
    )
    .get("/console/*", ({ params, request, set }) => serve(params["*"], request, set), { detail: { hide: true } });
}
