import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";
import { VitePWA } from "vite-plugin-pwa";

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Writes dist/.vite/chunks.json (each chunk's file, static imports and source modules) for budget.ts, which needs to
 * know which modules end up in the initial graph; Vite's own manifest does not list the modules inside a chunk.
 */
function chunkReport(): Plugin {
  return {
    name: "thotis:chunk-report",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle)
        .filter((item) => item.type === "chunk")
        .map((chunk) => ({
          file: chunk.fileName,
          isEntry: chunk.isEntry,
          imports: chunk.imports,
          dynamicImports: chunk.dynamicImports,
          modules: chunk.moduleIds.map((id) => id.replace(/^.*\/node_modules\//, "node_modules/").replace(root, "console")),
        }));
      const file = join(root, "dist", ".vite", "chunks.json");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(chunks, null, 2));
    },
  };
}

export default defineConfig({
  root,
  base: "/console/",
  publicDir: join(root, "public"),
  build: {
    outDir: join(root, "dist"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // The PWA plugin's service worker bundling is slow by nature; its timing warning is noise in `npm run build`.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  plugins: [
    solid(),
    VitePWA({
      registerType: "prompt",
      injectRegister: false,
      strategies: "generateSW",
      // "/console", not "/console/": the router's home is /console (no slash), and a page outside the worker's scope
      // would not open offline. The server allows it with a Service-Worker-Allowed header on sw.js.
      scope: "/console",
      base: "/console/",
      includeAssets: ["icons/apple-touch-icon.png"],
      manifest: {
        id: "/console/",
        name: "Thotis — console d'administration",
        short_name: "Thotis admin",
        description: "Statistiques, mentors, modération et santé de la plateforme Thotis.",
        lang: "fr",
        start_url: "/console/",
        scope: "/console",
        display: "standalone",
        background_color: "#0f172a",
        theme_color: "#1d4ed8",
        icons: [
          { src: "icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html}"],
        navigateFallback: "/console/index.html",
        navigateFallbackAllowlist: [/^\/console(\/|$)/],
        cleanupOutdatedCaches: true,
        // The first visit is controlled at once, so its API answers are already kept for offline use.
        clientsClaim: true,
        runtimeCaching: [
          {
            // The last answer of every admin read is kept, so the console opens offline on the data it last saw.
            // CSV exports are downloads, not screens: never cached.
            urlPattern: ({ url, request }) =>
              request.method === "GET" && url.pathname.startsWith("/api/v2/") && !url.pathname.includes("/export/"),
            handler: "NetworkFirst",
            options: {
              cacheName: "console-api",
              networkTimeoutSeconds: 4,
              expiration: { maxEntries: 200, maxAgeSeconds: 14 * 86_400 },
              cacheableResponse: { statuses: [200] },
              plugins: [
                {
                  // The cached copy carries the time it was fetched: a page reading it from the cache knows it is
                  // offline and how old the data is (the fresh network answer has no such header).
                  cacheWillUpdate: async ({ response }) => {
                    const headers = new Headers(response.headers);
                    headers.set("x-console-cached-at", new Date().toISOString());
                    return new Response(await response.clone().blob(), { status: response.status, statusText: response.statusText, headers });
                  },
                },
              ],
            },
          },
        ],
      },
    }),
    chunkReport(),
  ],
});
