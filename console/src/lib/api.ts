import { createSignal } from "solid-js";
import { online } from "./network.ts";
import { endSession, session } from "./session.ts";

/** An error answer of the API ({ status: "error", error: { code, message } }), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * When the data on screen came from the service worker's cache (its copy carries x-console-cached-at), the oldest
 * such time; null while answers come from the network. Drives the "offline, data from <time>" banner.
 */
const [staleSince, setStaleSince] = createSignal<Date | null>(null);
export { staleSince, online };

function noteFreshness(res: Response) {
  const cachedAt = res.headers.get("x-console-cached-at");
  if (!cachedAt) {
    if (navigator.onLine) setStaleSince(null);
    return;
  }
  const at = new Date(cachedAt);
  const current = staleSince();
  if (!current || at < current) setStaleSince(at);
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A request with the admin's Bearer token; an expired or rejected token ends the session (back to the login page). */
export async function rawRequest(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = session()?.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  let res: Response;
  try {
    res = await fetch(`/api/v2${path}`, { ...init, headers, body });
  } catch {
    throw new ApiError(0, "NETWORK", "offline");
  }
  if (res.status === 401 && token) {
    const code = await res
      .clone()
      .json()
      .then((b: { error?: { code?: string } }) => b.error?.code)
      .catch(() => undefined);
    if (code === "TOKEN_EXPIRED" || code === "INVALID_TOKEN" || code === "UNAUTHORIZED") endSession("expired");
  }
  return res;
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown; query?: Query } = {}): Promise<T> {
  const res = await rawRequest(withQuery(path, init.query), init);
  noteFreshness(res);
  const body = (await res.json().catch(() => null)) as { status?: string; data?: T; error?: { code: string; message: string } } | null;
  if (!res.ok || body?.status !== "success") {
    const retry = Number(res.headers.get("retry-after"));
    throw new ApiError(res.status, body?.error?.code ?? "HTTP_" + res.status, body?.error?.message ?? res.statusText, Number.isFinite(retry) ? retry : undefined);
  }
  return body.data as T;
}
