import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { signToken, type Role } from "../plugins/auth.ts";
import { TEST_JWT_SECRET } from "./app.ts";

const root = resolve(import.meta.dir, "../..");

/** A real server (or worker) process, for tests of what only a process shows: exits, signals, lost answers. */
export interface ServerProcess {
  baseUrl: string;
  /** The process's DATA_DIR (its embedded database lives in `pglite/` there). */
  dataDir: string;
  child: ChildProcess;
  /** Every stdout and stderr line so far. */
  lines: string[];
  /** Null while the process runs. */
  exitCode(): number | null;
  exited: Promise<number | null>;
  token(role: Role, claims?: { studentProfileId?: string }): Promise<string>;
  request(path: string, init?: RequestInit & { token?: string; json?: unknown; timeoutMs?: number }): Promise<Response>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `bun server/main.ts` (or another entry) with the given environment and waits for its listening line. */
export async function startServerProcess(env: Record<string, string>, entry = "server/main.ts", ready = /listening on port (\d+)/): Promise<ServerProcess> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), "thotis-proc-"));
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      DATA_DIR: dataDir,
      THOTIS_JWT_SECRET: TEST_JWT_SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      // Load tests drive these processes hard: the abuse budgets (tested on their own) stay out of the way.
      RATE_LIMIT_MAX: "1000000",
      RATE_LIMIT_BOOKINGS_MAX: "1000000",
      RATE_LIMIT_EVENTS_MAX: "1000000",
      BOOKING_WIDGET_MAX_PER_HOUR: "1000000",
      BOOKING_MAX_UPCOMING_PER_EMAIL: "1000000",
      BOOKING_MAX_UPCOMING_PER_MENTOR: "1000000",
      RUN_WORKER: "false",
      LOG_LEVEL: "warn",
      WIDGET_DEMO: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let code: number | null = null;
  const exited = new Promise<number | null>((res) => child.on("exit", (c, signal) => res((code = c ?? (signal ? 128 : null)))));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${lines.join("\n")}`)), 60_000);
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line) continue;
        lines.push(line);
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          res(Number(m[1] ?? 0));
        }
      }
    };
    child.stdout!.on("data", onLine);
    child.stderr!.on("data", onLine);
    void exited.then((c) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${c}) before listening:\n${lines.join("\n")}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    dataDir,
    child,
    lines,
    exitCode: () => code,
    exited,
    token: (role, claims = {}) => signToken(TEST_JWT_SECRET, { sub: `proc-${role}`, role, ...claims }, 3600),
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      return fetch(`${baseUrl}${path}`, { ...init, headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
    },
    kill(signal = "SIGTERM") {
      child.kill(signal);
    },
  };
}
