import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { Elysia } from "elysia";

/**
 * Response compression: JSON and text answers of at least COMPRESS_MIN_BYTES go out with brotli or gzip when the client
 * accepts one (Accept-Encoding), with `Vary: Accept-Encoding` on every answer whose encoding depends on that header.
 *
 * - Handlers returning objects or strings: serialised and compressed here (mapResponse).
 * - Stored answers (cached listings and availability, sent as their stored JSON text): built with textResponse(),
 *   which also remembers the compressed bytes of the last STORED_ENTRIES texts, so a cache hit is not compressed again.
 * - Streams and files (CSV exports, static assets) are left as they are: compressing a stream chunk by chunk would
 *   hold the export's backpressure hostage to the compressor, and the static assets are small and cached by browsers.
 *
 * Brotli at quality 5 (not the default 11): about gzip's speed with smaller output; 11 costs ~30x the time on a
 * 100 KB answer, which a live answer cannot afford.
 */
export const COMPRESS_MIN_BYTES = 1024;
const STORED_ENTRIES = 512;
const BROTLI_QUALITY = 5;

export type Encoding = "br" | "gzip";

/** The best encoding the client accepts (q > 0), brotli first; null for none (identity). */
export function negotiate(acceptEncoding: string | null): Encoding | null {
  if (!acceptEncoding) return null;
  let gzip = false;
  let br = false;
  let star = false;
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    if (name === "br") br = true;
    else if (name === "gzip" || name === "x-gzip") gzip = true;
    else if (name === "*") star = true;
  }
  return br || star ? "br" : gzip ? "gzip" : null;
}

const encoder = new TextEncoder();

export function compress(bytes: Uint8Array, encoding: Encoding): Uint8Array<ArrayBuffer> {
  return (encoding === "br"
    ? brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
    : gzipSync(bytes, { level: 6 })) as Uint8Array<ArrayBuffer>;
}

/** Compressed forms of recently sent stored texts (keyed by the text itself; oldest dropped first). */
const stored = new Map<string, Partial<Record<Encoding, Uint8Array<ArrayBuffer>>>>();

function storedForm(text: string, encoding: Encoding): Uint8Array<ArrayBuffer> {
  let entry = stored.get(text);
  if (entry === undefined) {
    entry = {};
    if (stored.size >= STORED_ENTRIES) stored.delete(stored.keys().next().value as string);
    stored.set(text, entry);
  }
  return (entry[encoding] ??= compress(encoder.encode(text), encoding));
}

function withVary(headers: Headers) {
  const vary = headers.get("vary");
  if (!vary) headers.set("vary", "Accept-Encoding");
  else if (!/accept-encoding/i.test(vary)) headers.set("vary", `${vary}, Accept-Encoding`);
}

/**
 * A stored text answer (cached JSON) for this request: compressed when accepted and large enough, the compressed
 * bytes remembered for the next request with the same text.
 */
export function textResponse(request: Request, text: string, contentType = "application/json; charset=utf-8", status = 200): Response {
  const headers = new Headers({ "content-type": contentType });
  if (text.length < COMPRESS_MIN_BYTES) return new Response(text, { status, headers });
  withVary(headers);
  const encoding = negotiate(request.headers.get("accept-encoding"));
  if (!encoding) return new Response(text, { status, headers });
  headers.set("content-encoding", encoding);
  return new Response(storedForm(text, encoding), { status, headers });
}

const compressible = (contentType: string | null) => contentType !== null && /^(application\/(json|problem\+json|javascript|xml)|text\/|image\/svg)/i.test(contentType);

/**
 * The plugin: compresses handler results (objects, strings). Responses built by handlers are left as they are (stored
 * answers use textResponse; streams and files stay uncompressed). Register it on the app before the routes.
 */
export function compressionPlugin() {
  // Synchronous on purpose: on the error path Elysia takes a returned Promise for the answer itself.
  return new Elysia({ name: "thotis/compression" }).mapResponse({ as: "global" }, ({ request, response, set }) => {
    if (request.method === "HEAD" || response instanceof Response) return;
    let text: string;
    let contentType: string;
    if (typeof response === "string") {
      text = response;
      contentType = String(set.headers["content-type"] ?? "text/plain; charset=utf-8");
    } else if (response !== null && typeof response === "object" && (Array.isArray(response) || Object.getPrototypeOf(response) === Object.prototype)) {
      text = JSON.stringify(response);
      contentType = String(set.headers["content-type"] ?? "application/json; charset=utf-8");
    } else {
      return;
    }
    const status = typeof set.status === "number" ? set.status : 200;
    const headers = new Headers();
    for (const [name, value] of Object.entries(set.headers)) if (value !== undefined) headers.set(name, String(value));
    headers.set("content-type", contentType);
    // Small answers too are built here: leaving some to Elysia (returning nothing) lost the body of some error answers.
    if (text.length < COMPRESS_MIN_BYTES || !compressible(contentType)) return new Response(text, { status, headers });
    withVary(headers);
    const encoding = negotiate(request.headers.get("accept-encoding"));
    if (!encoding) return new Response(text, { status, headers });
    headers.set("content-encoding", encoding);
    return new Response(compress(encoder.encode(text), encoding), { status, headers });
  });
}
