/**
 * The only place that knows whether we run on Bun or Deno. Everything else uses web standards
 * (Request/Response, fetch, Web Crypto) or node: modules both runtimes provide.
 */
export type FetchHandler = (request: Request, clientIp: string | undefined) => Response | Promise<Response>;

export interface RunningServer {
  port: number;
  /**
   * Stops accepting connections at once, lets requests in flight finish for up to `graceMs` (default 0: cut them),
   * then closes whatever is left.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Resolves after `ms` (or with the promise, whichever comes first); the timer does not hold the process. */
function within(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

export interface ServeOptions {
  port: number;
  hostname: string;
  maxRequestBodySize: number;
  fetch: FetchHandler;
}

declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (req: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

export const runtimeName: "bun" | "deno" = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";

export function serve(options: ServeOptions): RunningServer {
  if (runtimeName === "bun") {
    const server = Bun.serve({
      port: options.port,
      hostname: options.hostname,
      maxRequestBodySize: options.maxRequestBodySize,
      fetch: (request, srv) => options.fetch(request, srv.requestIP(request)?.address),
    });
    return {
      port: server.port ?? options.port,
      async stop(graceMs = 0) {
        // stop(false): the listener closes, idle keep-alive connections close, requests in flight get their answer.
        if (graceMs > 0) await within(server.stop(false), graceMs);
        await server.stop(true);
      },
    };
  }
  const server = Deno.serve({ port: options.port, hostname: options.hostname, onListen: () => {} }, (request, info) =>
    options.fetch(request, info.remoteAddr.hostname),
  );
  // Deno's shutdown() is graceful: it stops accepting and waits for requests in flight.
  return { port: server.addr.port, stop: async (graceMs = 0) => void (await within(server.shutdown(), Math.max(graceMs, 1))) };
}
