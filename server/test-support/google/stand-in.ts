/**
 * Test support: a loopback HTTP stand-in for the parts of Google's OAuth 2.0 and Calendar v3 wire protocol the
 * adapter uses, so the real googleapis client can be exercised end to end (`rootUrl` and the token endpoint point
 * here). It follows the documented shapes:
 *
 * - `GET  /o/oauth2/v2/auth`   consent screen: redirects to `redirect_uri?code=…&state=…` (auto-approves)
 * - `POST /token`              `grant_type=authorization_code | refresh_token`, form-encoded, client_secret_post or
 *                              HTTP Basic; answers `{ access_token, expires_in, token_type, scope, refresh_token? }`
 *                              or `400 { error: "invalid_grant" | "invalid_client", error_description }`
 * - `POST /calendar/v3/freeBusy`                                   `{ timeMin, timeMax, items: [{ id }] }`
 * - `POST /calendar/v3/calendars/:calendarId/events`               `?conferenceDataVersion=1&sendUpdates=…`
 * - `GET | PATCH | DELETE /calendar/v3/calendars/:calendarId/events/:eventId`
 *
 * Calendar calls need `Authorization: Bearer <access token issued here>` (else 401 `authError`). Errors use
 * Google's JSON error envelope `{ error: { code, message, errors: [{ domain, reason, message }], status } }`.
 * Events live in memory; every request is recorded for assertions; failures can be injected.
 */
import { serve, type RunningServer } from "../../runtime/index.ts";

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/calendar/v3/calendars/primary/events`. */
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  /** Parsed JSON body, or the form fields of a token request, or null. */
  body: unknown;
}

export interface StandInEvent {
  id: string;
  calendarId: string;
  status: "confirmed" | "cancelled";
  summary?: string;
  description?: string;
  location?: string;
  start?: { dateTime?: string; date?: string; timeZone?: string };
  end?: { dateTime?: string; date?: string; timeZone?: string };
  attendees?: { email: string; displayName?: string; responseStatus?: string }[];
  transparency?: string;
  hangoutLink?: string;
  conferenceData?: ConferenceData;
  [field: string]: unknown;
}

interface ConferenceData {
  createRequest?: { requestId?: string; conferenceSolutionKey?: { type?: string }; status?: { statusCode: string } };
  entryPoints?: { entryPointType: string; uri: string; label?: string }[];
  conferenceSolution?: { key: { type: string }; name: string; iconUri?: string };
  conferenceId?: string;
}

export type ConferenceMode =
  /** The conference is created synchronously (what Meet does in practice). */
  | "success"
  /** `createRequest.status.statusCode` is `pending`; the link shows up on the next `events.get`. */
  | "pending"
  /** `createRequest.status.statusCode` is `failure`; no link. */
  | "failure";

export interface FailureRule {
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Only requests whose path contains this string (or matches this pattern); default every Calendar path. */
  path?: string | RegExp;
  method?: string;
  /** For token endpoint failures: the OAuth `error` code (default `invalid_grant` for 400, else `server_error`). */
  oauthError?: string;
}

export interface GoogleStandInOptions {
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued access tokens (default 3599 s, as Google). */
  accessTokenTtlSeconds?: number;
  /** Scopes reported in token responses (default calendar.events + calendar.freebusy). */
  grantedScope?: string;
}

export interface GoogleStandIn {
  /** Base URL to give googleapis as `rootUrl` (ends with `/`). */
  rootUrl: string;
  /** Token endpoint (`oauth2TokenUrl`). */
  tokenUrl: string;
  /** Consent screen (`oauth2AuthBaseUrl`). */
  authUrl: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  /** Requests to the Calendar API only (not the token endpoint or consent screen). */
  calendarRequests(): RecordedRequest[];
  /** Requests to the token endpoint, optionally of one grant type. */
  tokenRequests(grantType?: "refresh_token" | "authorization_code"): RecordedRequest[];
  /** Stored events of a calendar (cancelled ones included). */
  events(calendarId?: string): StandInEvent[];
  event(calendarId: string, eventId: string): StandInEvent | undefined;
  /** Busy intervals reported by freeBusy for a calendar, on top of its opaque, non-cancelled events. */
  setBusy(calendarId: string, intervals: { start: Date | string; end: Date | string }[]): void;
  /** A refresh token the token endpoint will honour (as if the mentor had connected earlier). */
  issueRefreshToken(): string;
  /** An authorization code, as the consent screen would hand to the redirect URI; exchanging it yields a refresh token. */
  issueAuthorizationCode(redirectUri: string): string;
  /** Makes the token endpoint answer `invalid_grant` for this refresh token (the user revoked access). */
  revokeRefreshToken(refreshToken: string): void;
  /** Invalidates every access token issued so far (as if they had expired server-side). */
  expireAccessTokens(): void;
  setConferenceMode(mode: ConferenceMode): void;
  /** The next matching requests fail with the given status and a Google error body. */
  failNext(rule: FailureRule): void;
  reset(): void;
  stop(): Promise<void>;
}

const DEFAULT_SCOPE = "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy";

export function startGoogleStandIn(options: GoogleStandInOptions = {}): GoogleStandIn {
  const clientId = options.clientId ?? "stand-in-client.apps.googleusercontent.com";
  const clientSecret = options.clientSecret ?? "stand-in-secret";
  const ttl = options.accessTokenTtlSeconds ?? 3599;
  const scope = options.grantedScope ?? DEFAULT_SCOPE;

  const requests: RecordedRequest[] = [];
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, number>(); // token -> expiry (epoch ms)
  const codes = new Map<string, string>(); // code -> redirect_uri
  const store = new Map<string, StandInEvent>(); // `${calendarId}\n${eventId}`
  const busy = new Map<string, { start: number; end: number }[]>();
  const usedMeetCodes = new Set<string>();
  let failures: (FailureRule & { left: number })[] = [];
  let conferenceMode: ConferenceMode = "success";
  let counter = 0;

  const random = (alphabet: string, n: number) => {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  };
  const base32hex = "0123456789abcdefghijklmnopqrstuv";
  const letters = "abcdefghijklmnopqrstuvwxyz";

  const newMeetCode = () => {
    for (;;) {
      const code = `${random(letters, 3)}-${random(letters, 4)}-${random(letters, 3)}`;
      if (!usedMeetCodes.has(code)) {
        usedMeetCodes.add(code);
        return code;
      }
    }
  };

  const json = (status: number, body: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=UTF-8" },
    });

  const googleError = (code: number, reason: string, message: string, status: string) =>
    json(code, { error: { code, message, errors: [{ domain: "global", reason, message }], status } });

  const statusText: Record<number, [string, string, string]> = {
    400: ["badRequest", "Bad Request", "INVALID_ARGUMENT"],
    401: ["authError", "Invalid Credentials", "UNAUTHENTICATED"],
    403: ["forbidden", "Forbidden", "PERMISSION_DENIED"],
    404: ["notFound", "Not Found", "NOT_FOUND"],
    409: ["duplicate", "The requested identifier already exists.", "ALREADY_EXISTS"],
    410: ["deleted", "Resource has been deleted", "FAILED_PRECONDITION"],
    429: ["rateLimitExceeded", "Rate Limit Exceeded", "RESOURCE_EXHAUSTED"],
    500: ["backendError", "Backend Error", "INTERNAL"],
    503: ["backendError", "The service is currently unavailable.", "UNAVAILABLE"],
  };
  const errorFor = (code: number) => {
    const [reason, message, status] = statusText[code] ?? ["backendError", `Error ${code}`, "UNKNOWN"];
    return googleError(code, reason, message, status);
  };

  const issueAccessToken = () => {
    const token = `ya29.standin-${++counter}-${random(base32hex, 16)}`;
    accessTokens.set(token, Date.now() + ttl * 1000);
    return token;
  };

  const newRefreshToken = () => {
    const token = `1//standin-refresh-${++counter}-${random(base32hex, 16)}`;
    refreshTokens.add(token);
    return token;
  };

  function takeFailure(method: string, path: string): FailureRule | undefined {
    const isToken = path === "/token";
    for (const rule of failures) {
      if (rule.left <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path === undefined) {
        if (isToken || !path.startsWith("/calendar/")) continue;
      } else if (typeof rule.path === "string" ? !path.includes(rule.path) : !rule.path.test(path)) continue;
      rule.left--;
      failures = failures.filter((r) => r.left > 0);
      return rule;
    }
    return undefined;
  }

  function toMs(value: string | undefined): number | null {
    if (!value) return null;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }

  function applyConference(event: StandInEvent, requested: ConferenceData | null | undefined) {
    if (requested === null) {
      delete event.conferenceData;
      delete event.hangoutLink;
      return;
    }
    const req = requested?.createRequest;
    if (!req) return;
    if (!req.requestId || req.conferenceSolutionKey?.type !== "hangoutsMeet") {
      throw errorFor(400);
    }
    // Same requestId as the current conference: the request is ignored (documented idempotency).
    if (event.conferenceData?.createRequest?.requestId === req.requestId) return;
    const createRequest = { requestId: req.requestId, conferenceSolutionKey: { type: "hangoutsMeet" } };
    if (conferenceMode === "failure") {
      delete event.hangoutLink;
      event.conferenceData = { createRequest: { ...createRequest, status: { statusCode: "failure" } } };
      return;
    }
    if (conferenceMode === "pending") {
      delete event.hangoutLink;
      event.conferenceData = { createRequest: { ...createRequest, status: { statusCode: "pending" } } };
      return;
    }
    completeConference(event, createRequest);
  }

  function completeConference(event: StandInEvent, createRequest: NonNullable<ConferenceData["createRequest"]>) {
    const code = newMeetCode();
    const uri = `https://meet.google.com/${code}`;
    event.hangoutLink = uri;
    event.conferenceData = {
      createRequest: { ...createRequest, status: { statusCode: "success" } },
      entryPoints: [{ entryPointType: "video", uri, label: `meet.google.com/${code}` }],
      conferenceSolution: { key: { type: "hangoutsMeet" }, name: "Google Meet" },
      conferenceId: code,
    };
  }

  /** Patch semantics: listed fields replace, nested objects merge, arrays replace, null clears. */
  function merge(target: Record<string, unknown>, patch: Record<string, unknown>) {
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete target[key];
      else if (typeof value === "object" && !Array.isArray(value) && typeof target[key] === "object" && target[key] && !Array.isArray(target[key])) {
        merge(target[key] as Record<string, unknown>, value as Record<string, unknown>);
      } else target[key] = structuredClone(value);
    }
  }

  function present(event: StandInEvent) {
    const { calendarId: _calendarId, ...copy } = structuredClone(event);
    return {
      kind: "calendar#event",
      etag: `"${Date.now()}"`,
      htmlLink: `https://www.google.com/calendar/event?eid=${event.id}`,
      iCalUID: `${event.id}@google.com`,
      ...copy,
    };
  }

  function validTimes(body: Record<string, unknown>) {
    const start = toMs((body.start as { dateTime?: string } | undefined)?.dateTime);
    const end = toMs((body.end as { dateTime?: string } | undefined)?.dateTime);
    return start !== null && end !== null && end > start;
  }

  async function readBody(request: Request): Promise<unknown> {
    const text = await request.text();
    if (!text) return null;
    const type = request.headers.get("content-type") ?? "";
    if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  function handleToken(form: Record<string, string>, authorization: string | null): Response {
    let id = form.client_id;
    let secret = form.client_secret;
    if (authorization?.startsWith("Basic ")) {
      const [u, p] = atob(authorization.slice(6)).split(":");
      id = decodeURIComponent(u ?? "");
      secret = decodeURIComponent(p ?? "");
    }
    const oauthError = (error: string, description: string, status = 400) =>
      json(status, { error, error_description: description });
    if (id !== clientId || secret !== clientSecret) return oauthError("invalid_client", "The OAuth client was not found.", 401);
    if (form.grant_type === "refresh_token") {
      if (!form.refresh_token || !refreshTokens.has(form.refresh_token)) {
        return oauthError("invalid_grant", "Token has been expired or revoked.");
      }
      return json(200, { access_token: issueAccessToken(), expires_in: ttl, token_type: "Bearer", scope });
    }
    if (form.grant_type === "authorization_code") {
      const redirect = form.code ? codes.get(form.code) : undefined;
      if (redirect === undefined) return oauthError("invalid_grant", "Malformed auth code.");
      codes.delete(form.code!);
      if (form.redirect_uri !== redirect) return oauthError("redirect_uri_mismatch", "Bad Request");
      return json(200, {
        access_token: issueAccessToken(),
        expires_in: ttl,
        token_type: "Bearer",
        scope,
        refresh_token: newRefreshToken(),
      });
    }
    return oauthError("unsupported_grant_type", "Invalid grant_type: " + (form.grant_type ?? ""));
  }

  function handleFreeBusy(body: Record<string, unknown>): Response {
    const timeMin = toMs(body.timeMin as string);
    const timeMax = toMs(body.timeMax as string);
    if (timeMin === null || timeMax === null) return errorFor(400);
    if (timeMax <= timeMin) return googleError(400, "timeRangeEmpty", "The specified time range is empty.", "INVALID_ARGUMENT");
    const calendars: Record<string, unknown> = {};
    for (const item of (body.items as { id?: string }[] | undefined) ?? []) {
      const id = item.id ?? "";
      const intervals = [...(busy.get(id) ?? [])];
      for (const e of store.values()) {
        if (e.calendarId !== id || e.status === "cancelled" || e.transparency === "transparent") continue;
        const s = toMs(e.start?.dateTime);
        const en = toMs(e.end?.dateTime);
        if (s !== null && en !== null) intervals.push({ start: s, end: en });
      }
      const clipped = intervals
        .map((i) => ({ start: Math.max(i.start, timeMin), end: Math.min(i.end, timeMax) }))
        .filter((i) => i.end > i.start)
        .sort((a, b) => a.start - b.start);
      const merged: { start: number; end: number }[] = [];
      for (const i of clipped) {
        const last = merged[merged.length - 1];
        if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
        else merged.push({ ...i });
      }
      calendars[id] = {
        busy: merged.map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() })),
      };
    }
    return json(200, { kind: "calendar#freeBusy", timeMin: body.timeMin, timeMax: body.timeMax, calendars });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = url.pathname;
    const authorization = request.headers.get("authorization");
    const body = await readBody(request);
    requests.push({ method, path, query: Object.fromEntries(url.searchParams), authorization, body });

    if (method === "GET" && path === "/o/oauth2/v2/auth") {
      const q = url.searchParams;
      if (q.get("client_id") !== clientId || !q.get("redirect_uri")) return json(400, { error: "invalid_request" });
      const target = new URL(q.get("redirect_uri")!);
      target.searchParams.set("code", issueAuthorizationCode(q.get("redirect_uri")!));
      if (q.get("state") !== null) target.searchParams.set("state", q.get("state")!);
      target.searchParams.set("scope", q.get("scope") ?? "");
      return new Response(null, { status: 302, headers: { location: target.toString() } });
    }

    const failure = takeFailure(method, path);
    if (failure) {
      if (path === "/token") {
        const error = failure.oauthError ?? (failure.status === 400 ? "invalid_grant" : "server_error");
        return json(failure.status, { error, error_description: "Injected failure" });
      }
      return errorFor(failure.status);
    }

    if (method === "POST" && path === "/token") return handleToken((body ?? {}) as Record<string, string>, authorization);

    if (!path.startsWith("/calendar/v3/")) return errorFor(404);

    const bearer = authorization?.startsWith("Bearer ") ? authorization.slice(7) : "";
    const expiry = accessTokens.get(bearer);
    if (expiry === undefined || expiry <= Date.now()) {
      return googleError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        "UNAUTHENTICATED",
      );
    }

    if (method === "POST" && path === "/calendar/v3/freeBusy") return handleFreeBusy((body ?? {}) as Record<string, unknown>);

    const match = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (!match) return errorFor(404);
    const calendarId = decodeURIComponent(match[1]!);
    const eventId = match[2] ? decodeURIComponent(match[2]) : undefined;
    const conferenceDataVersion = Number(url.searchParams.get("conferenceDataVersion") ?? "0");

    try {
      if (!eventId && method === "POST") {
        const input = (body ?? {}) as Record<string, unknown>;
        if (!validTimes(input)) return googleError(400, "timeRangeEmpty", "The specified time range is empty.", "INVALID_ARGUMENT");
        const id = typeof input.id === "string" ? input.id : random(base32hex, 26);
        if (store.has(`${calendarId}\n${id}`)) return errorFor(409);
        const { conferenceData, ...rest } = structuredClone(input) as Record<string, unknown>;
        const event = { ...rest, id, calendarId, status: "confirmed" } as StandInEvent;
        event.created = event.updated = new Date().toISOString();
        if (conferenceDataVersion >= 1) applyConference(event, conferenceData as ConferenceData | undefined);
        store.set(`${calendarId}\n${id}`, event);
        return json(200, present(event));
      }
      if (!eventId) return errorFor(404);
      const key = `${calendarId}\n${eventId}`;
      const event = store.get(key);
      if (method === "GET") {
        if (!event) return errorFor(404);
        const req = event.conferenceData?.createRequest;
        if (req?.status?.statusCode === "pending" && conferenceMode !== "failure") completeConference(event, req);
        return json(200, present(event));
      }
      if (method === "DELETE") {
        if (!event) return errorFor(404);
        if (event.status === "cancelled") return errorFor(410);
        event.status = "cancelled";
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH") {
        if (!event || event.status === "cancelled") return errorFor(404);
        const { conferenceData, ...rest } = structuredClone((body ?? {}) as Record<string, unknown>);
        const next = structuredClone(event);
        merge(next as Record<string, unknown>, rest);
        if (!validTimes(next as Record<string, unknown>)) {
          return googleError(400, "timeRangeEmpty", "The specified time range is empty.", "INVALID_ARGUMENT");
        }
        if (conferenceDataVersion >= 1 && conferenceData !== undefined) {
          applyConference(next, conferenceData as ConferenceData | null);
        }
        next.updated = new Date().toISOString();
        store.set(key, next);
        return json(200, present(next));
      }
      return errorFor(404);
    } catch (e) {
      if (e instanceof Response) return e;
      throw e;
    }
  }

  function issueAuthorizationCode(redirectUri: string) {
    const code = `4/standin-${++counter}-${random(base32hex, 20)}`;
    codes.set(code, redirectUri);
    return code;
  }

  const server: RunningServer = serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 1024 * 1024,
    fetch: (request) => handle(request),
  });
  const base = `http://127.0.0.1:${server.port}/`;

  return {
    rootUrl: base,
    tokenUrl: `${base}token`,
    authUrl: `${base}o/oauth2/v2/auth`,
    clientId,
    clientSecret,
    requests,
    calendarRequests: () => requests.filter((r) => r.path.startsWith("/calendar/")),
    tokenRequests: (grantType) =>
      requests.filter(
        (r) => r.path === "/token" && (!grantType || (r.body as Record<string, string> | null)?.grant_type === grantType),
      ),
    events: (calendarId) => [...store.values()].filter((e) => !calendarId || e.calendarId === calendarId),
    event: (calendarId, eventId) => store.get(`${calendarId}\n${eventId}`),
    setBusy(calendarId, intervals) {
      busy.set(
        calendarId,
        intervals.map((i) => ({ start: new Date(i.start).getTime(), end: new Date(i.end).getTime() })),
      );
    },
    issueRefreshToken: newRefreshToken,
    issueAuthorizationCode,
    revokeRefreshToken(token) {
      refreshTokens.delete(token);
    },
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0);
    },
    setConferenceMode(mode) {
      conferenceMode = mode;
    },
    failNext(rule) {
      failures.push({ ...rule, left: rule.times ?? 1 });
    },
    reset() {
      requests.length = 0;
      store.clear();
      busy.clear();
      failures = [];
      conferenceMode = "success";
    },
    stop: () => server.stop(),
  };
}
