import { Elysia } from "elysia";
import { AppError, ErrorCode } from "../lib/errors.ts";
import { pathStartOf } from "../lib/url.ts";

/**
 * Bounded cost per request. Elysia's schema validation of a large or deeply nested body runs synchronously and held
 * the event loop for seconds (a 1 MB string to the login route: 12 s), so the shape of the raw body is checked here,
 * before Elysia parses or validates anything: one linear pass over at most 64 KB.
 *
 * The runtime wrapper (createApp's `handle`) calls `screen` with the request as it arrived; a refused request goes on
 * to Elysia without its body, and the plugin below throws the refusal from onRequest, so it gets the error envelope,
 * the request id, the security headers, the log line and the metrics like every other answer.
 */
export const LIMITS = {
  /** Small JSON routes: everything but uploads. */
  jsonBytes: 64 * 1024,
  /** Deepest nesting of arrays and objects in a JSON body (the deepest documented body nests 3). */
  jsonDepth: 16,
  /** Longest JSON string as sent (escapes included); the longest documented string field is 2,048 characters. */
  jsonStringChars: 16 * 1024,
  /**
   * Most members of one JSON array or object (the largest documented one holds 366): validating thousands of wrong
   * members costs tens of microseconds each (3,000 analytics properties held the loop 145 ms).
   */
  jsonItems: 500,
  /** All request headers together (names, values and separators). */
  headerBytes: 8 * 1024,
} as const;

/** Upload framing on top of the file itself (multipart boundaries and part headers). */
const MULTIPART_SLACK = 64 * 1024;

export interface RouteClass {
  name: "upload" | "json" | "form";
  maxBytes: number;
  /** A JSON body must say so in its content type and stay within the depth and string limits. */
  json: boolean;
}

/** The one table of route classes: which requests may carry how much. */
export function routeClasses(maxUploadBytes: number): { test: (method: string, path: string) => boolean; cls: RouteClass }[] {
  return [
    {
      test: (method, path) => method === "POST" && /^\/api\/v2\/students\/[^/]+\/photo\/?$/.test(path),
      cls: { name: "upload", maxBytes: maxUploadBytes + MULTIPART_SLACK, json: false },
    },
    // The e-mailed erasure confirmation is a plain HTML form (one token field).
    { test: (method, path) => method === "POST" && path === "/privacy/erase", cls: { name: "form", maxBytes: 8 * 1024, json: false } },
    // Cal.com signs the raw text; it is JSON but checked against its signature before parsing.
    { test: (method, path) => method === "POST" && path === "/webhooks/calcom", cls: { name: "json", maxBytes: LIMITS.jsonBytes, json: false } },
    { test: () => true, cls: { name: "json", maxBytes: LIMITS.jsonBytes, json: true } },
  ];
}

/** The Bun.serve body cap: far above every class, so oversized bodies reach `screen` and get the envelope. */
export const serverBodyCap = (maxUploadBytes: number) => Math.max(64 * 1024 * 1024, 4 * (maxUploadBytes + MULTIPART_SLACK));

const tooLarge = (limit: number) =>
  new AppError(413, ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${limit} bytes`, { limitBytes: limit });
const invalid = (message: string, details?: Record<string, unknown>) => new AppError(400, ErrorCode.INVALID_INPUT, message, details);

/** Depth, string length and members per container in one pass over the raw text; strings are skipped, never copied. */
export function scanJson(text: string, maxDepth: number, maxString: number, maxItems: number = LIMITS.jsonItems): AppError | null {
  let depth = 0;
  // Commas seen in each open container (depth is bounded, so is this).
  const commas: number[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (i - start - 1 > maxString) return invalid(`A JSON string is longer than ${maxString} characters`, { maxStringChars: maxString });
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return invalid(`The JSON body nests deeper than ${maxDepth} levels`, { maxDepth });
      commas[depth] = 0;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x2c /* , */ && depth > 0) {
      if (++(commas[depth] as number) >= maxItems) return invalid(`A JSON array or object has more than ${maxItems} members`, { maxItems });
    }
  }
  return null;
}

/** `__proto__` as a key (plain or escaped) is refused outright: it has no use here and invites prototype pollution. */
function hasPrototypeKey(text: string): boolean {
  // Only keys count: "__proto__" as a value (a rating comment, say) is ordinary text. The parse below runs only when
  // the name appears at all (or could, through \u escapes), on a body already bounded to 64 KB.
  if (!text.includes("__proto__") && (!text.includes("\\u") || !/proto/i.test(text))) return false;
  let found = false;
  try {
    JSON.parse(text, function (key) {
      if (key === "__proto__") found = true;
      return undefined;
    });
  } catch {
    return false;
  }
  return found;
}

function checkUrl(path: string, query: string): AppError | null {
  // Only percent-escapes can be malformed or encode NUL: most URLs have none and skip the decoding.
  if (path.includes("%")) {
    try {
      decodeURIComponent(path);
    } catch {
      return invalid("The path is not valid percent-encoded UTF-8", { in: "path" });
    }
    if (path.includes("%00")) return invalid("The path contains a NUL character", { in: "path" });
  }
  if (query.includes("%00") || query.includes("\0")) return invalid("A query parameter contains a NUL character", { in: "query" });
  if (query.includes("%")) {
    try {
      decodeURIComponent(query);
    } catch {
      return invalid("The query string is not valid percent-encoded UTF-8", { in: "query" });
    }
  }
  return null;
}

function headerBytes(headers: Headers): number {
  let total = 0;
  headers.forEach((value, name) => {
    total += name.length + value.length + 4;
  });
  return total;
}

const isJsonType = (contentType: string | null) => contentType !== null && /^application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i.test(contentType);

/** Reads at most `max` bytes; null when the body is longer (the rest is not read). */
async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

export function createRequestLimits(opts: { maxUploadBytes: number }) {
  const classes = routeClasses(opts.maxUploadBytes);
  const refusals = new WeakMap<Request, AppError>();
  const classOf = (method: string, path: string) => (classes.find((c) => c.test(method, path)) as { cls: RouteClass }).cls;
  /** A copy of the request without its body, carrying the refusal for the plugin. */
  const refuse = (request: Request, error: AppError) => {
    const bare = new Request(request.url, { method: request.method, headers: request.headers });
    refusals.set(bare, error);
    return bare;
  };

  return {
    /** Called by the HTTP entry point before Elysia sees the request; returns the request Elysia should handle. */
    async screen(request: Request): Promise<Request> {
      if (headerBytes(request.headers) > LIMITS.headerBytes) {
        return refuse(request, new AppError(431, ErrorCode.HEADERS_TOO_LARGE, `The request headers are larger than ${LIMITS.headerBytes} bytes`));
      }
      const url = request.url;
      const pathStart = pathStartOf(url);
      const query = url.indexOf("?", pathStart);
      const path = url.slice(pathStart, query === -1 ? undefined : query);
      // Postgres text cannot hold NUL, and a path that is not valid UTF-8 once decoded names nothing: refused here
      // rather than failing mid-query (a CSV export had already sent its 200 headers when the database refused).
      const urlProblem = checkUrl(path, query === -1 ? "" : url.slice(query + 1));
      if (urlProblem) return refuse(request, urlProblem);
      if (request.body === null) return request;
      const cls = classOf(request.method, path);
      const declared = Number(request.headers.get("content-length") ?? Number.NaN);
      if (declared > cls.maxBytes) return refuse(request, tooLarge(cls.maxBytes));
      // A declared length within the limit needs no copy when the body is not inspected (uploads): the HTTP server
      // reads no further than Content-Length.
      if (!cls.json && declared <= cls.maxBytes) return request;
      const bytes = await readCapped(request.body, cls.maxBytes);
      if (bytes === null) return refuse(request, tooLarge(cls.maxBytes));
      if (cls.json && bytes.byteLength > 0) {
        if (!isJsonType(request.headers.get("content-type"))) {
          return refuse(request, new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "This route takes a JSON body: send Content-Type: application/json"));
        }
        const text = new TextDecoder().decode(bytes);
        // Every JSON body the API documents is an object: null, true or [] would otherwise pass for "no body".
        if (text.trimStart()[0] !== "{") return refuse(request, invalid("The JSON body must be an object", { in: "body" }));
        const shape = scanJson(text, LIMITS.jsonDepth, LIMITS.jsonStringChars);
        if (shape) return refuse(request, shape);
        if (hasPrototypeKey(text)) return refuse(request, invalid("The key __proto__ is not accepted"));
      }
      return new Request(url, { method: request.method, headers: request.headers, body: bytes, signal: request.signal });
    },
    /** Answers the refusals `screen` recorded, in the envelope. */
    plugin: new Elysia({ name: "thotis/limits" }).onRequest(({ request }) => {
      const refusal = refusals.get(request);
      if (refusal) throw refusal;
    }),
  };
}
