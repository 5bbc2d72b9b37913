import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Elysia } from "elysia";

/** The console's icon (a PNG; browsers take any image format at /favicon.ico): the built copy, else the source. */
const ICONS = ["../../../console/dist/icons/icon-192.png", "../../../console/public/icons/icon-192.png"].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** GET /favicon.ico: browsers ask for it on every page of the docs, the widget demo and the console. */
export function faviconModule() {
  let bytes: Buffer | null | undefined;
  return new Elysia().get(
    "/favicon.ico",
    ({ set }) => {
      if (bytes === undefined) {
        bytes = null;
        for (const path of ICONS) {
          try {
            bytes = readFileSync(path);
            break;
          } catch {
            // Next candidate.
          }
        }
      }
      if (!bytes) {
        set.status = 204;
        return "";
      }
      return new Response(new Blob([new Uint8Array(bytes)]), { headers: { "content-type": "image/png", "cache-control": "public, max-age=86400" } });
    },
    { detail: { hide: true } },
  );
}
