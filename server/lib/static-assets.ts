import { readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

export interface Asset {
  type: string;
  raw: Uint8Array;
  gz: Uint8Array;
}

/**
 * The built widget (widget/dist), read from disk and kept in memory with its gzip form. An entry is re-read when the
 * file's modification time changes, so a rebuild is picked up without a restart.
 */
export function createAssetStore(distDir: string) {
  const cache = new Map<string, { mtimeMs: number; asset: Asset }>();
  return {
    distDir,
    /** `name` is a path inside dist made only of safe segments; anything else (or a missing file) gives null. */
    async get(name: string): Promise<Asset | null> {
      if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/.test(name)) return null;
      const path = join(distDir, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) return null;
      const hit = cache.get(name);
      if (hit && hit.mtimeMs === info.mtimeMs) return hit.asset;
      const raw = new Uint8Array(await readFile(path));
      const asset = { type: types[extname(name)] ?? "application/octet-stream", raw, gz: new Uint8Array(gzipSync(raw, { level: 9 })) };
      cache.set(name, { mtimeMs: info.mtimeMs, asset });
      return asset;
    },
  };
}
export type AssetStore = ReturnType<typeof createAssetStore>;

/** The asset as a response, gzip-encoded when the client accepts it. */
export function assetResponse(asset: Asset, request: Request, headers: Record<string, string>): Response {
  const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
  const all: Record<string, string> = { "content-type": asset.type, vary: "accept-encoding", ...headers };
  if (gzip) all["content-encoding"] = "gzip";
  return new Response((gzip ? asset.gz : asset.raw) as Uint8Array<ArrayBuffer>, { headers: all });
}
