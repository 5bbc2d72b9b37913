/**
 * Test support: a loopback stand-in for Mixpanel's `POST /track` ingestion endpoint, following its documented wire
 * protocol: a JSON array of `{ event, properties }` (`application/json`), or the legacy form `data=<JSON or base64 JSON>`;
 * every event needs `properties.token` (the project token) and `properties.distinct_id`; `$insert_id` is at most 36
 * characters of [A-Za-z0-9-] and de-duplicates (a second event with the same one is accepted but not stored again);
 * `?verbose=1` answers `{ status: 1, error: null }` or `{ status: 0, error }`, else `1` / `0`. At most 2000 events per
 * request. Failures can be injected (`failNext`).
 */
import { serve } from "../../runtime/index.ts";

export interface TrackedEvent {
  event: string;
  properties: Record<string, unknown>;
}

export interface MixpanelStandIn {
  url: string;
  /** Stored events (duplicates by $insert_id dropped, as Mixpanel does). */
  events: TrackedEvent[];
  /** Number of /track requests received, failed ones included. */
  requests: number;
  /** The next `times` requests answer with this HTTP status. */
  failNext(status: number, times?: number): void;
  stop(): Promise<void>;
}

const insertIdPattern = /^[A-Za-z0-9-]{1,36}$/;

export function startMixpanelStandIn(options: { token: string }): MixpanelStandIn {
  const events: TrackedEvent[] = [];
  const seen = new Set<string>();
  let failures: { status: number; times: number } | null = null;
  const state = { requests: 0 };

  const server = serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 10 * 1024 * 1024,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method !== "POST" || url.pathname !== "/track") return new Response("not found", { status: 404 });
      state.requests++;
      const verbose = url.searchParams.get("verbose") === "1";
      const answer = (error: string | null, status = 200) =>
        verbose ? Response.json({ status: error ? 0 : 1, error }, { status }) : new Response(error ? "0" : "1", { status });
      if (failures && failures.times > 0) {
        failures.times--;
        return new Response(JSON.stringify({ error: "injected failure", status: 0 }), { status: failures.status });
      }
      let batch: unknown;
      try {
        const type = request.headers.get("content-type") ?? "";
        if (type.startsWith("application/json")) batch = await request.json();
        else {
          const data = new URLSearchParams(await request.text()).get("data") ?? "";
          batch = JSON.parse(data.trim().startsWith("[") || data.trim().startsWith("{") ? data : atob(data));
        }
      } catch {
        return answer("invalid JSON", 400);
      }
      const list = Array.isArray(batch) ? batch : [batch];
      if (list.length === 0 || list.length > 2000) return answer("a batch holds 1 to 2000 events", 400);
      for (const item of list as TrackedEvent[]) {
        if (typeof item?.event !== "string" || !item.event) return answer("event name missing", 400);
        const p = item.properties;
        if (!p || typeof p !== "object") return answer("properties missing", 400);
        if (p.token !== options.token) return answer("token, missing or empty", 401);
        if (typeof p.distinct_id !== "string") return answer("distinct_id missing", 400);
        if (p.$insert_id !== undefined && (typeof p.$insert_id !== "string" || !insertIdPattern.test(p.$insert_id))) {
          return answer("$insert_id must be at most 36 characters of [A-Za-z0-9-]", 400);
        }
        if (typeof p.time !== "number") return answer("time must be a number", 400);
      }
      for (const item of list as TrackedEvent[]) {
        const id = item.properties.$insert_id as string | undefined;
        if (id && seen.has(`${item.event}:${id}`)) continue;
        if (id) seen.add(`${item.event}:${id}`);
        events.push(item);
      }
      return answer(null);
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    events,
    get requests() {
      return state.requests;
    },
    failNext(status, times = 1) {
      failures = { status, times };
    },
    stop: () => server.stop(),
  };
}
