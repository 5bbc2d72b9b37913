import type { SanitisedRequest } from "./port.ts";

/** Headers that carry credentials or session state: never sent to an error tracker. */
const secretHeaders = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-cal-signature-256",
  "webhook-signature",
  "idempotency-key",
]);

/** Body fields whose values are secrets or personal data; their values become "[Filtered]". */
const secretField = /pass|secret|token|key|auth|signature|credential|code|email|phone/i;
const FILTERED = "[Filtered]";
const MAX_DEPTH = 4;
const MAX_STRING = 500;

export function sanitiseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    out[lower] = secretHeaders.has(lower) ? FILTERED : value;
  });
  return out;
}

/** A parsed JSON body with secret-looking fields filtered, long strings cut and deep nesting dropped. */
export function sanitiseBody(body: unknown, depth = 0): unknown {
  if (body === null || body === undefined) return body;
  if (typeof body === "string") return body.length > MAX_STRING ? `${body.slice(0, MAX_STRING)}…` : body;
  if (typeof body !== "object") return body;
  if (depth >= MAX_DEPTH) return "[Object]";
  if (Array.isArray(body)) return body.slice(0, 20).map((v) => sanitiseBody(v, depth + 1));
  // Files and other non-plain objects (multipart uploads) are not copied.
  if (Object.getPrototypeOf(body) !== Object.prototype && Object.getPrototypeOf(body) !== null) return `[${body.constructor?.name ?? "Object"}]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>).slice(0, 50)) {
    out[k] = secretField.test(k) ? FILTERED : sanitiseBody(v, depth + 1);
  }
  return out;
}

/** The URL with its query kept, except the values of secret-looking parameters (an OAuth callback's `code`, a `token`). */
export function sanitiseUrl(raw: string): string {
  const url = new URL(raw);
  let changed = false;
  for (const name of new Set(url.searchParams.keys())) {
    if (secretField.test(name)) {
      url.searchParams.set(name, FILTERED);
      changed = true;
    }
  }
  return changed ? url.toString() : raw;
}

export const isSecretField = (name: string) => secretField.test(name);

export function sanitiseRequest(request: Request, body?: unknown): SanitisedRequest {
  const sanitised: SanitisedRequest = { method: request.method, url: sanitiseUrl(request.url), headers: sanitiseHeaders(request.headers) };
  if (body !== undefined && body !== null && body !== "") sanitised.data = sanitiseBody(body);
  return sanitised;
}

/** The feature a path belongs to: the first segment after /api/v2 (`bookings`), else the first segment (`metrics`). */
export function featureOf(path: string): string {
  const segments = path.split("?")[0]!.split("/").filter(Boolean);
  const rest = segments[0] === "api" && segments[1] === "v2" ? segments.slice(2) : segments;
  const feature = rest[0] ?? "root";
  return /^[A-Za-z0-9_.-]{1,40}$/.test(feature) ? feature : "other";
}
