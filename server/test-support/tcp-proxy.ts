import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy a test can cut and restore, standing between a server process and Postgres (or Redis) so faults are
 * made without touching the machine's database server.
 * - `cut("refuse")`: open connections are reset and the port stops listening (a database that is down);
 * - `cut("blackhole")`: open connections and new ones stay up but nothing passes (a network partition: bytes wait,
 *   as TCP retransmission would deliver them once the network heals);
 * - `restore()`: traffic flows again on the same port (connections cut while refusing stay cut).
 */
export interface TcpProxy {
  port: number;
  url(target: string): string;
  cut(mode?: "refuse" | "blackhole"): Promise<void>;
  restore(): Promise<void>;
  /** Resets every open connection (like pg_terminate_backend of all of them), leaving the proxy up. */
  resetAll(): void;
  close(): Promise<void>;
  readonly connections: number;
}

export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let mode: "open" | "refuse" | "blackhole" = "open";
  let server: Server | null = null;

  const held: (() => void)[] = [];
  const onClient = (client: Socket) => {
    if (mode === "refuse") return client.destroy();
    client.pause();
    client.on("error", () => client.destroy());
    const connect = () => {
      if (client.destroyed) return;
      const upstream = createConnection(target);
      const pair = { client, upstream };
      pairs.add(pair);
      const drop = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
      if (mode === "blackhole") upstream.pause();
      else client.resume();
    };
    // A partitioned network: the connection is accepted by the kernel but reaches nothing until it heals.
    if (mode === "blackhole") held.push(connect);
    else connect();
  };

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer(onClient);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        server = s;
        resolve((s.address() as { port: number }).port);
      });
    });
  const port = await listen(listenPort);
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });

  const resetAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    url(targetUrl: string) {
      const u = new URL(targetUrl);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async cut(how = "refuse") {
      mode = how;
      if (how === "blackhole") {
        for (const { client, upstream } of pairs) {
          client.pause();
          upstream.pause();
        }
      }
      if (how === "refuse") {
        for (const { client, upstream } of pairs) {
          client.resetAndDestroy?.() ?? client.destroy();
          upstream.destroy();
        }
        pairs.clear();
        await stopListening();
      }
    },
    async restore() {
      mode = "open";
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
      for (const connect of held.splice(0)) connect();
      if (!server) await listen(port);
    },
    resetAll,
    async close() {
      mode = "refuse";
      resetAll();
      await stopListening();
    },
    get connections() {
      return pairs.size;
    },
  };
}
