import { Elysia } from "elysia";
import type { MediaStorage } from "../../lib/media-storage.ts";

const types: Record<string, string> = { webp: "image/webp", jpg: "image/jpeg", png: "image/png" };

/** Serves uploaded media (profile photos). File names are unique per upload, so they can be cached forever. */
export function mediaModule({ media }: { media: MediaStorage }) {
  return new Elysia().get(
    "/media/*",
    async ({ params, set }) => {
      const key = params["*"];
      const bytes = /^[A-Za-z0-9/_.-]+$/.test(key) ? await media.get(key) : null;
      if (!bytes) {
        set.status = 404;
        return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
      }
      return new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          "content-type": types[key.split(".").pop() ?? ""] ?? "application/octet-stream",
          "cache-control": "public, max-age=31536000, immutable",
          "cross-origin-resource-policy": "cross-origin",
        },
      });
    },
    { detail: { hide: true } },
  );
}
