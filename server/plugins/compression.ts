import * as zlib from "node:zlib";
import { Elysia } from "elysia";
import { GZIP_PIECES, gzipPieces, type Piece } from "../lib/gzip-pieces.ts";

/**
 * Response compression: JSON and text answers of at least COMPRESS_MIN_BYTES go out with zstd, brotli or gzip when the
 * client accepts one (Accept-Encoding), with `Vary: Accept-Encoding` on every answer whose encoding depends on that
 * header.
 *
 * - Handlers returning objects or strings: serialised and compressed here (mapResponse).
 * - Stored answers (cached listings and availability, sent as their stored JSON text): built with textResponse(),
 *   which also remembers the compressed bytes of the last STORED_ENTRIES texts, so a cache hit is not compressed again.
 * - Streams and files (CSV exports, static assets) are left as they are: compressing a stream chunk by chunk would
 *   hold the export's backpressure hostage to the compressor, and the static assets are small and cached by browsers.
 *
 * Levels, measured on a 30-day availability answer (104 KB; server/bench/RESULTS.md): zstd 1 gives 3.9 KB in 0.06 ms,
 * brotli 4 3.2 KB in 0.21 ms (quality 5 was larger and twice as slow, 11 costs ~30x). gzip goes through Bun's
 * libdeflate at level 1 where the runtime is Bun: on a 123 KB answer it gives 8.7 KB in 0.19 ms, where zlib at level 4
 * gave 8.1 KB in 0.46 ms (and zlib 6 8.0 KB in 0.92 ms); elsewhere zlib at level 4. zstd is preferred when accepted
 * (current browsers, Bun's fetch); it is offered only where the runtime's zlib has it.
 */
export const COMPRESS_MIN_BYTES = 1024;
const STORED_ENTRIES = 512;
export const BROTLI_QUALITY = 4;
export const ZSTD_LEVEL = 1;

type BunGzip = (input: Uint8Array | string, options: { level: number; library: "libdeflate" }) => Uint8Array;
const bunGzip = (globalThis as { Bun?: { gzipSync?: BunGzip } }).Bun?.gzipSync;
/** Which gzip compressor runs, and at what level (the bench prints it beside its sizes). */
export const GZIP_LIBRARY: "libdeflate" | "zlib" = bunGzip ? "libdeflate" : "zlib";
export const GZIP_LEVEL = bunGzip ? 1 : 4;

export type Encoding = "zstd" | "br" | "gzip";

type ZstdCompress = (input: Uint8Array | string, options: { params: Record<number, number> }) => Uint8Array;
const ZSTD_LEVEL_PARAM = (zlib.constants as unknown as Record<string, number | undefined>).ZSTD_c_compressionLevel;
const zstd = ZSTD_LEVEL_PARAM === undefined ? undefined : (zlib as unknown as { zstdCompressSync?: ZstdCompress }).zstdCompressSync;

/** Clients send a handful of distinct Accept-Encoding values: each is parsed once. */
const negotiated = new Map<string, Encoding | null>();
const NEGOTIATED_KEPT = 256;

/** The best encoding the client accepts (q > 0): zstd (where available), then brotli, then gzip; null for identity. */
export function negotiate(acceptEncoding: string | null): Encoding | null {
  if (!acceptEncoding) return null;
  let encoding = negotiated.get(acceptEncoding);
  if (encoding === undefined) {
    encoding = parseAcceptEncoding(acceptEncoding);
    if (negotiated.size >= NEGOTIATED_KEPT) negotiated.clear();
    negotiated.set(acceptEncoding, encoding);
  }
  return encoding;
}

function parseAcceptEncoding(acceptEncoding: string): Encoding | null {
  let gzip = false;
  let br = false;
  let zst = false;
  let star = false;
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    if (name === "br") br = true;
    else if (name === "zstd") zst = true;
    else if (name === "gzip" || name === "x-gzip") gzip = true;
    else if (name === "*") star = true;
  }
  if (zst && zstd) return "zstd";
  return br || star ? "br" : gzip ? "gzip" : null;
}

/**
 * Text is handed to the compressor as it is (UTF-8 encoded on the way in): encoding it first cost a copy, and an answer
 * assembled from pieces is flattened there once instead of twice.
 */
export function compress(input: Uint8Array | string, encoding: Encoding): Uint8Array<ArrayBuffer> {
  if (encoding === "zstd") return zstd!(input, { params: { [ZSTD_LEVEL_PARAM!]: ZSTD_LEVEL } }) as Uint8Array<ArrayBuffer>;
  if (encoding === "br") {
    return zlib.brotliCompressSync(input, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length } }) as Uint8Array<ArrayBuffer>;
  }
  return (bunGzip ? bunGzip(input, { level: GZIP_LEVEL, library: "libdeflate" }) : zlib.gzipSync(input, { level: GZIP_LEVEL })) as Uint8Array<ArrayBuffer>;
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
  return (entry[encoding] ??= compress(text, encoding));
}

/** Elysia's per-request `set` (headers the hooks before the handler gathered: request id, CORS, rate limit, ...). */
export interface ResponseSet {
  headers: Record<string, string | number | undefined> | Headers;
}

/**
 * Moves the headers gathered in `set` into a plain object for the answer. Emptied, `set` no longer makes Elysia
 * rebuild the answer to merge them (a second Response and a header-by-header copy). A `Headers` instance (Elysia
 * makes one for several cookies) is left for Elysia to merge, cookies and all.
 */
function takeHeaders(set: ResponseSet): Record<string, string> {
  const headers: Record<string, string> = {};
  const gathered = set.headers;
  if (gathered instanceof Headers) return headers;
  for (const name in gathered) {
    const value = gathered[name];
    if (value !== undefined) headers[name] = String(value);
    delete gathered[name];
  }
  return headers;
}

function addVary(headers: Record<string, string>) {
  const vary = headers.vary;
  headers.vary = !vary ? "Accept-Encoding" : /accept-encoding/i.test(vary) ? vary : `${vary}, Accept-Encoding`;
}

/**
 * A JSON text answer for this request, compressed when accepted and large enough. A stored text (a cache hit) has its
 * compressed bytes remembered for the next request with the same text; a text made for this request only (a cache
 * miss, an answer filtered per visitor) is not looked up: keying the memo hashes the whole text, a tenth of the cost
 * of a 100 KB answer.
 *
 * `pieces`: the same text as pieces deflated ahead of time (lib/gzip-pieces.ts), framed instead of compressed when the
 * answer goes out as gzip.
 *
 * With `set`, the headers the hooks gathered are moved into the answer: Elysia then sends it as it is. Without, it
 * rebuilt the answer to merge them (a second Response and a header-by-header copy: a quarter of a cached listing's
 * CPU), and the answer's `Vary: Accept-Encoding` hid the CORS hook's `Vary: Origin`.
 */
export function textResponse(request: Request, text: string, stored = true, set?: ResponseSet, pieces?: readonly Piece[]): Response {
  const headers = set ? takeHeaders(set) : {};
  headers["content-type"] = "application/json; charset=utf-8";
  if (text.length < COMPRESS_MIN_BYTES) return new Response(text, { headers });
  addVary(headers);
  const encoding = negotiate(request.headers.get("accept-encoding"));
  if (!encoding) return new Response(text, { headers });
  headers["content-encoding"] = encoding;
  if (pieces && encoding === "gzip" && GZIP_PIECES) return new Response(gzipPieces(pieces), { headers });
  return new Response(stored ? storedForm(text, encoding) : compress(text, encoding), { headers });
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
    // The hooks' headers go into the answer (see takeHeaders); set.status stays, for the request log and metrics.
    const headers = takeHeaders(set);
    headers["content-type"] = contentType;
    // Small answers too are built here: leaving some to Elysia (returning nothing) lost the body of some error answers.
    if (text.length < COMPRESS_MIN_BYTES || !compressible(contentType)) return new Response(text, { status, headers });
    addVary(headers);
    const encoding = negotiate(request.headers.get("accept-encoding"));
    if (!encoding) return new Response(text, { status, headers });
    headers["content-encoding"] = encoding;
    return new Response(compress(text, encoding), { status, headers });
  });
}
