import { AppError, causeChain, ErrorCode } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";

/** Seconds a client should wait before retrying while the database is unavailable (the Retry-After header). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** postgres.js connection errors, Node/Bun socket errors and our probe's timeout: the database cannot be reached. */
const connectionCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "PROBE_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs of a server that is going away or refusing work: 08xxx connection exceptions, 57P01-57P03 (terminated
 * by an administrator, crash shutdown, cannot connect now) and 53300 (too many connections).
 */
const unavailableStates = /^(08...|57P0[123]|53300)$/;

/** True when the error (or one of its causes: Drizzle wraps driver errors) says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (typeof link !== "object") break;
    // Our own errors are already classified: a Google Calendar error caused by Google refusing the connection
    // (ECONNREFUSED) is a 502 of that integration, not the database going away.
    if (link instanceof AppError) return link.code === ErrorCode.DATABASE_UNAVAILABLE;
    const e = link as { code?: unknown; errno?: unknown };
    if (typeof e.code === "string" && (connectionCodes.has(e.code) || unavailableStates.test(e.code))) return true;
    if (typeof e.errno === "string" && connectionCodes.has(e.errno)) return true;
  }
  return false;
}

export const databaseUnavailableError = () =>
  new AppError(503, ErrorCode.DATABASE_UNAVAILABLE, "The database is unavailable at the moment. Please try again shortly.", undefined, {
    "retry-after": String(DATABASE_RETRY_AFTER_SECONDS),
  });

export interface DatabaseMonitor {
  /** Last known state: false from the first failed probe until one succeeds. */
  readonly up: boolean;
  /** Probes now (shared with a probe already running) and returns the state. */
  check(): Promise<boolean>;
  /** A query failed with a connection error: probe soon. */
  suspect(): void;
  /**
   * Resolves with the answer, or with `onDown()` when the database is found down while the answer is still pending
   * after `waitMs` (a query stuck on a connection that will never answer must not hold the client).
   */
  guard<T>(answer: Promise<T>, onDown: () => T): Promise<T>;
  stop(): void;
}

/**
 * Watches the database with a cheap probe (on its own connection) so requests stuck on a dead connection get an honest
 * 503 within about two seconds, and /ready reflects the truth without waiting on the pool. Probes every `intervalMs`
 * while up, twice as often while down, so the first probe after the database returns marks it up again.
 */
export function createDatabaseMonitor(deps: {
  probe: (timeoutMs: number) => Promise<void>;
  logger: Logger;
  probeTimeoutMs?: number;
  intervalMs?: number;
  waitMs?: number;
}): DatabaseMonitor {
  const probeTimeoutMs = deps.probeTimeoutMs ?? 1000;
  const intervalMs = deps.intervalMs ?? 1000;
  const waitMs = deps.waitMs ?? 1000;
  let up = true;
  let running: Promise<boolean> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let downSince = 0;

  const check = () =>
    (running ??= deps
      .probe(probeTimeoutMs)
      .then(
        () => true,
        (error) => {
          if (up) deps.logger.warn("database unreachable", { error: error instanceof Error ? error.message : String(error), code: (error as { code?: unknown })?.code });
          return false;
        },
      )
      .then((ok) => {
        if (ok && !up) deps.logger.info("database reachable again", { downMs: Date.now() - downSince });
        if (!ok && up) downSince = Date.now();
        up = ok;
        return ok;
      })
      .finally(() => {
        running = null;
      }));

  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = null;
      await check();
      schedule(up ? intervalMs : intervalMs / 2);
    }, delay);
    // Never keeps a process alive on its own.
    (timer as { unref?: () => void }).unref?.();
  };
  schedule(intervalMs);

  return {
    get up() {
      return up;
    },
    check,
    suspect() {
      if (!running) void check();
    },
    async guard<T>(answer: Promise<T>, onDown: () => T): Promise<T> {
      let settled = false;
      let poll: ReturnType<typeof setTimeout> | undefined;
      const watchdog = new Promise<T>((resolve) => {
        const look = async () => {
          if (settled) return;
          const ok = up ? await check() : false;
          if (settled) return;
          if (!ok) return resolve(onDown());
          poll = setTimeout(look, 250);
        };
        poll = setTimeout(look, up ? waitMs : Math.min(waitMs, 500));
      });
      try {
        return await Promise.race([answer, watchdog]);
      } finally {
        settled = true;
        clearTimeout(poll);
      }
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
