/**
 * Test support: a loopback stand-in for Sentry's ingestion endpoint. It speaks the envelope protocol the SDK uses
 * (https://develop.sentry.dev/sdk/data-model/envelopes/):
 *
 * - `POST /api/<project>/envelope/` with the key in `X-Sentry-Auth: Sentry sentry_key=…` or `?sentry_key=…`;
 * - body: newline-separated JSON: an envelope header (`event_id`, `sent_at`, `dsn`, `sdk`), then for each item an
 *   item header (`type`, optional `length` in bytes) and its payload (exactly `length` bytes when given, else up to the
 *   next newline); `Content-Encoding: gzip` accepted;
 * - answers `200 { id }`, `401` for a wrong key, `404` for another project.
 *
 * Envelopes are decoded and kept for assertions; `events()` lists the `event` items' payloads.
 */
import { serve } from "../../runtime/index.ts";

export interface EnvelopeItem {
  header: { type: string; length?: number; [k: string]: unknown };
  payload: unknown;
}

export interface ReceivedEnvelope {
  project: string;
  key: string | null;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

export interface SentryStandIn {
  /** DSN pointing here, e.g. `http://public@127.0.0.1:4321/1`. */
  dsn: string;
  envelopes: ReceivedEnvelope[];
  /** Payloads of the `event` items received so far. */
  events(): Record<string, any>[];
  /** Resolves with the first event `matches` accepts, once it arrived (or rejects after timeoutMs). */
  waitForEvent(matches: (event: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

export function startSentryStandIn(options: { publicKey?: string; project?: string } = {}): SentryStandIn {
  const publicKey = options.publicKey ?? "public";
  const project = options.project ?? "1";
  const envelopes: ReceivedEnvelope[] = [];
  const events = () => envelopes.flatMap((e) => e.items.filter((i) => i.header.type === "event").map((i) => i.payload as Record<string, any>));

  const server = serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 20 * 1024 * 1024,
    async fetch(request) {
      const url = new URL(request.url);
      const match = url.pathname.match(/^\/api\/([^/]+)\/envelope\/?$/);
      if (request.method !== "POST" || !match) return Response.json({ detail: "not found" }, { status: 404 });
      if (match[1] !== project) return Response.json({ detail: "unknown project" }, { status: 404 });
      const key = url.searchParams.get("sentry_key") ?? request.headers.get("x-sentry-auth")?.match(/sentry_key=([^,\s]+)/)?.[1] ?? null;
      if (key !== publicKey) return Response.json({ detail: "invalid api key" }, { status: 401 });
      let bytes = new Uint8Array(await request.arrayBuffer());
      if (request.headers.get("content-encoding") === "gzip") {
        bytes = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
      }
      let envelope: ReceivedEnvelope;
      try {
        envelope = { project: match[1], key, ...parseEnvelope(bytes) };
      } catch (error) {
        return Response.json({ detail: `invalid envelope: ${String(error)}` }, { status: 400 });
      }
      envelopes.push(envelope);
      return Response.json({ id: envelope.header.event_id ?? null });
    },
  });

  return {
    dsn: `http://${publicKey}@127.0.0.1:${server.port}/${project}`,
    envelopes,
    events,
    async waitForEvent(matches, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = events().find(matches);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching Sentry event among ${events().length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: () => server.stop(),
  };
}

/** Decodes an envelope byte-exactly: item payloads with a `length` may contain newlines. */
export function parseEnvelope(bytes: Uint8Array): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  const decoder = new TextDecoder();
  let offset = 0;
  const readLine = () => {
    let end = bytes.indexOf(10, offset);
    if (end < 0) end = bytes.length;
    const line = decoder.decode(bytes.subarray(offset, end));
    offset = end + 1;
    return line;
  };
  const header = JSON.parse(readLine()) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (offset < bytes.length) {
    const line = readLine();
    if (line.trim() === "") continue;
    const itemHeader = JSON.parse(line) as EnvelopeItem["header"];
    let raw: string;
    if (typeof itemHeader.length === "number") {
      raw = decoder.decode(bytes.subarray(offset, offset + itemHeader.length));
      offset += itemHeader.length + 1;
    } else {
      raw = readLine();
    }
    let payload: unknown = raw;
    try {
      payload = JSON.parse(raw);
    } catch {
      // attachments and other binary items stay text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}
