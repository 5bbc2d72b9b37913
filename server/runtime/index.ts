/**
 * The only place that knows whether we run on Bun or Deno. Everything else uses web standards
 * (Request/Response, fetch, Web Crypto) or node: modules both runtimes provide.
 */
export type FetchHandler = (request: Request, clientIp: string | undefined) => Response | Promise<Response>;

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
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
    return { port: server.port ?? options.port, stop: () => server.stop(true) };
  }
  const server = Deno.serve({ port: options.port, hostname: options.hostname, onListen: () => {} }, (request, info) =>
    options.fetch(request, info.remoteAddr.hostname),
  );
  return { port: server.addr.port, stop: () => server.shutdown() };
}
