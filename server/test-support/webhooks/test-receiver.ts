/**
 * Loopback webhook receiver for tests and benchmarks (127.0.0.1, port 0): records every request (arrival time,
 * headers, raw body) and answers what `respond` says (default 204). It also tracks requests in flight per
 * webhook-id, so a test can assert that one delivery is never being delivered twice at the same time.
 */
import { type RunningServer, serve } from "../../runtime/index.ts";

export interface Received {
  /** performance.now() at arrival. */
  at: number;
  /** Date.now() at arrival, to compare with database timestamps. */
  wall: number;
  webhookId: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Responder = (request: Received, index: number) => Response | Promise<Response>;

export interface TestReceiver {
  url: string;
  received: Received[];
  /** Two requests with the same webhook-id were in flight at once (should never happen). */
  overlaps: string[];
  respond: Responder;
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  stop(): Promise<void>;
}

export function startTestReceiver(respond: Responder = () => new Response(null, { status: 204 })): TestReceiver {
  const received: Received[] = [];
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const receiver: TestReceiver = {
    url: "",
    received,
    overlaps,
    respond,
    waitFor(count, timeoutMs = 30_000) {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${received.length} of ${count} requests in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received.slice(0, count));
          },
        });
      });
    },
    stop: () => server.stop(),
  };
  const server: RunningServer = serve({
    port: 0,
    hostname: "127.0.0.1",
    maxRequestBodySize: 1 << 20,
    async fetch(request) {
      const at = performance.now();
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => {
        headers[key] = value;
      });
      const webhookId = headers["webhook-id"] ?? "";
      if (inFlight.has(webhookId)) overlaps.push(webhookId);
      inFlight.add(webhookId);
      try {
        const entry: Received = { at, wall: Date.now(), webhookId, path: new URL(request.url).pathname, headers, body: await request.text() };
        const index = received.push(entry) - 1;
        const ready = waiters.filter((w) => received.length >= w.count);
        waiters = waiters.filter((w) => received.length < w.count);
        for (const w of ready) w.resolve();
        return await receiver.respond(entry, index);
      } finally {
        inFlight.delete(webhookId);
      }
    },
  });
  receiver.url = `http://127.0.0.1:${server.port}`;
  return receiver;
}
