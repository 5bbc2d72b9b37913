/**
 * Loopback stand-in for Resend's HTTP API (test support; Bun.serve on 127.0.0.1, port 0). It speaks what the
 * adapter uses, as Resend documents it:
 *   POST /emails   Authorization: Bearer <key>, JSON body { from, to, subject, html?, text?, reply_to?, attachments?,
 *                  tags?, headers? }, optional Idempotency-Key (1 to 256 characters) → 200 { id }
 * Errors use Resend's shape { statusCode, name, message }: 401 missing_api_key, 403 invalid_api_key, 422
 * validation_error / missing_required_field, 400 invalid_idempotency_key, 409 invalid_idempotent_request (same key,
 * other body). A repeated key with the same body answers the first response again and accepts nothing new.
 * `failNext(n, status)` makes the next n sends fail (500 by default), for retry tests; with `afterAccepting` the
 * message is accepted first and only the answer is lost, as when a response times out.
 */

export interface AcceptedEmail {
  id: string;
  idempotencyKey: string | null;
  body: {
    from: string;
    to: string | string[];
    subject: string;
    html?: string;
    text?: string;
    reply_to?: string | string[];
    attachments?: { filename?: string; content?: string; content_type?: string }[];
    tags?: { name: string; value: string }[];
  };
}

export interface ResendStandIn {
  url: string;
  /** Messages Resend would have delivered, in order (a replayed idempotency key adds none). */
  accepted: AcceptedEmail[];
  /** Every request received, with the status answered. */
  requests: { method: string; path: string; status: number; idempotencyKey: string | null }[];
  failNext(times: number, status?: number, options?: { afterAccepting?: boolean }): void;
  stop(): Promise<void>;
}

const error = (statusCode: number, name: string, message: string) => Response.json({ statusCode, name, message }, { status: statusCode });

export function startResendStandIn(options: { apiKey: string }): ResendStandIn {
  const accepted: AcceptedEmail[] = [];
  const requests: ResendStandIn["requests"] = [];
  const byKey = new Map<string, { bodyText: string; id: string }>();
  let failures = 0;
  let failureStatus = 500;
  let failAfterAccepting = false;

  async function answer(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path !== "/emails") return error(404, "not_found", "The requested endpoint does not exist.");
    if (request.method !== "POST") return error(405, "method_not_allowed", "Method is not allowed for the requested path.");
    const auth = request.headers.get("authorization");
    if (!auth) return error(401, "missing_api_key", "Missing API key in the authorization header.");
    if (auth !== `Bearer ${options.apiKey}`) return error(403, "invalid_api_key", "API key is invalid");
    if (!request.headers.get("content-type")?.startsWith("application/json")) {
      return error(422, "validation_error", "Content-Type must be application/json");
    }
    const key = request.headers.get("idempotency-key");
    if (key !== null && (key.length < 1 || key.length > 256)) {
      return error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
    }
    if (failures > 0 && !failAfterAccepting) {
      failures--;
      return error(failureStatus, "internal_server_error", "An unexpected error occurred.");
    }
    const bodyText = await request.text();
    let body: AcceptedEmail["body"];
    try {
      body = JSON.parse(bodyText);
    } catch {
      return error(422, "validation_error", "Invalid JSON body");
    }
    for (const field of ["from", "to", "subject"] as const) {
      if (!body[field]) return error(422, "missing_required_field", `Missing \`${field}\` field.`);
    }
    if (!body.html && !body.text) return error(422, "validation_error", "Provide `html` or `text`.");
    if (key !== null) {
      const earlier = byKey.get(key);
      if (earlier && earlier.bodyText !== bodyText) {
        return error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
      }
      if (earlier) return Response.json({ id: earlier.id });
    }
    const id = crypto.randomUUID();
    if (key !== null) byKey.set(key, { bodyText, id });
    accepted.push({ id, idempotencyKey: key, body });
    if (failures > 0) {
      failures--;
      return error(failureStatus, "internal_server_error", "An unexpected error occurred.");
    }
    return Response.json({ id });
  }

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const response = await answer(request);
      requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status,
        idempotencyKey: request.headers.get("idempotency-key"),
      });
      return response;
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    accepted,
    requests,
    failNext(times, status = 500, opts = {}) {
      failures = times;
      failureStatus = status;
      failAfterAccepting = opts.afterAccepting ?? false;
    },
    stop: () => server.stop(true),
  };
}
