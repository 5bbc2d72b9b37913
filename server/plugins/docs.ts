import { Elysia } from "elysia";
import { swagger } from "@elysiajs/swagger";
import { ScalarRender } from "@elysiajs/swagger/scalar";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { finishOpenApi } from "./openapi-finish.ts";

export interface DocsOptions {
  title: string;
  version: string;
  description: string;
  tags: { name: string; description: string }[];
  /** /api/v2 paths that need no token (no 401 declared for them). */
  publicApiPaths?: readonly string[];
}

const DOCS_PATH = "/docs";
const SPEC_PATH = "/docs/json";
const gzipAsync = promisify(gzip);

// The package's `exports` map hides dist/browser, so module resolution can't reach the bundle;
// walking up node_modules works the same on Bun and Deno (with a node_modules dir).
function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`docs: package ${name} not found in any node_modules`);
    dir = parent;
  }
}

const scalarDir = packageDir("@scalar/api-reference");
const scalarVersion: string = JSON.parse(readFileSync(join(scalarDir, "package.json"), "utf8")).version;

// The version sits in the URL so the asset can be cached as immutable and still bust on upgrade.
const ASSETS: Record<string, { file: string; type: string }> = {
  [`scalar-${scalarVersion}.js`]: {
    file: join(scalarDir, "dist/browser/standalone.js"),
    type: "text/javascript; charset=utf-8",
  },
};
const SCALAR_URL = `${DOCS_PATH}/assets/scalar-${scalarVersion}.js`;

type LoadedAsset = { raw: Uint8Array<ArrayBuffer>; gz: Uint8Array<ArrayBuffer>; type: string };
const loaded = new Map<string, Promise<LoadedAsset>>();

function loadAsset(name: string): Promise<LoadedAsset> | undefined {
  const asset = ASSETS[name];
  if (!asset) return undefined;
  let entry = loaded.get(name);
  if (!entry) {
    // Read + compress once per process: the bundle is ~4 MB and compresses ~4x.
    // Copies into plain ArrayBuffer-backed views, which is what BodyInit accepts.
    entry = readFile(asset.file).then(async (raw) => ({
      raw: new Uint8Array(raw),
      gz: new Uint8Array(await gzipAsync(raw)),
      type: asset.type,
    }));
    entry.catch(() => loaded.delete(name));
    loaded.set(name, entry);
  }
  return entry;
}

// The swagger page carries an inline <script id="api-reference"> (config holder only) and inline
// <style>s; hashing the scripts keeps script-src free of 'unsafe-inline'. Scalar injects its CSS
// at runtime, hence 'unsafe-inline' for styles.
function pageCsp(html: string): string {
  // Attribute values may hold ">" (the configuration's custom CSS uses child combinators): quoted values are skipped whole.
  const hashes = [...html.matchAll(/<script((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/\ssrc=/.test(m[1] ?? ""))
    .map((m) => `'sha256-${createHash("sha256").update(m[2] ?? "").digest("base64")}'`);
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(" ")}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

// Each flag below would otherwise make the page reach out to scalar.com (fonts, telemetry) or offer
// features that only work online (AI agent, MCP, share/deploy toolbar). Kept out of the swagger()
// call so keys newer than the plugin's pinned @scalar/types still type-check.
const scalarConfig = {
  // Absolute, so /docs/ (trailing slash) still finds the spec.
  spec: { url: SPEC_PATH },
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  // The Authentication box's header: Scalar's auth-type picker is full width and pushed "Authentication Required"
  // under it (at 390 and 1280 px). The title keeps its width; the picker takes the rest and ends in an ellipsis.
  customCss: `
    section > div.rounded-t-xl:has(> button[id^="headlessui-disclosure-button"]) > button { flex: 0 0 auto; }
    section > div.rounded-t-xl:has(> button[id^="headlessui-disclosure-button"]) > div { flex: 1 1 auto; min-width: 0; justify-content: flex-end; }
    section > div.rounded-t-xl button[id^="headlessui-popover-button"] {
      display: block; position: relative; min-width: 0; padding-right: 1.1em; overflow: hidden; text-overflow: ellipsis;
      white-space: nowrap; text-align: right;
    }
    section > div.rounded-t-xl button[id^="headlessui-popover-button"] > svg { position: absolute; right: 0.2em; top: 50%; margin-top: -0.375rem; }`,
};

export function docsPlugin(opts: DocsOptions) {
  const info = { title: opts.title, version: opts.version, description: opts.description };
  const ui = swagger({
    provider: "scalar",
    path: DOCS_PATH,
    specPath: SPEC_PATH,
    scalarCDN: SCALAR_URL,
    exclude: [/^\/docs(\/|$)/],
    scalarConfig,
    documentation: {
      info,
      tags: opts.tags,
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
      security: [{ bearerAuth: [] }],
    },
  });

  let finished: Record<string, unknown> | undefined;
  // Same renderer the swagger plugin uses for /docs, so the script hashes match its page.
  const csp = pageCsp(ScalarRender(info, scalarVersion, scalarConfig, SCALAR_URL));

  return new Elysia({ name: "thotis/docs" })
    .onBeforeHandle(({ route, set }) => {
      if (route !== DOCS_PATH) return;
      set.headers["content-security-policy"] = csp;
      set.headers["cache-control"] = "no-cache";
      set.headers["x-content-type-options"] = "nosniff";
      set.headers["referrer-policy"] = "no-referrer";
    })
    // The generated document, made valid OpenAPI 3.1 once (routes do not change after start).
    .onAfterHandle(({ route, ...ctx }) => {
      if (route !== SPEC_PATH) return;
      const generated = (ctx as { responseValue?: unknown; response?: unknown }).responseValue ?? (ctx as { response?: unknown }).response;
      if (generated === null || typeof generated !== "object" || generated instanceof Response) return;
      finished ??= finishOpenApi(generated as Record<string, unknown>, opts.publicApiPaths);
      return finished;
    })
    .use(ui)
    .get(
      `${DOCS_PATH}/assets/:file`,
      async ({ params, request, status }) => {
        const asset = await loadAsset(params.file);
        if (!asset) return status(404, "Not Found");
        const useGzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
        const headers: Record<string, string> = {
          "content-type": asset.type,
          "cache-control": "public, max-age=31536000, immutable",
          "x-content-type-options": "nosniff",
          vary: "accept-encoding",
        };
        if (useGzip) headers["content-encoding"] = "gzip";
        return new Response(useGzip ? asset.gz : asset.raw, { headers });
      },
      { detail: { hide: true } },
    );
}
