import { sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import type { Clock } from "../../lib/clock.ts";
import type { KeyValueStore } from "../../store/index.ts";
import { withTimeout } from "../../lib/timeout.ts";

const tags = ["Health"];

/** Liveness (/health: the process answers) and readiness (/ready: the database and the shared store answer). */
export function healthModule(deps: {
  db: Database;
  store: KeyValueStore;
  clock: Clock;
  startedAt: Date;
  version: string;
  /** Probes the database on a connection of its own, failing after 1 s (absent: a query through the pool). */
  probe?: () => Promise<unknown>;
  /** True while the process is stopping: /ready answers 503 so the load balancer sends no new requests. */
  draining?: () => boolean;
}) {
  const { db, store, clock, startedAt, version } = deps;
  const probe = deps.probe ?? (() => db.execute(sql`select 1`));
  return new Elysia()
    .get(
      "/health",
      () => ({ status: "ok" as const, version, uptimeSeconds: Math.round((clock.now().getTime() - startedAt.getTime()) / 1000) }),
      {
        response: t.Object({ status: t.Literal("ok"), version: t.String(), uptimeSeconds: t.Integer() }),
        detail: { tags, summary: "Liveness", security: [] },
      },
    )
    .get(
      "/ready",
      async ({ set }) => {
        // Stopping: answer at once, without probing, so the load balancer takes this process out right away.
        if (deps.draining?.()) {
          set.status = 503;
          return { status: "unavailable" as const, checks: { shuttingDown: true } };
        }
        const timed = async (check: () => Promise<unknown>) => {
          const start = performance.now();
          try {
            await check();
            return { ok: true, ms: Math.round((performance.now() - start) * 100) / 100 };
          } catch {
            return { ok: false, ms: Math.round((performance.now() - start) * 100) / 100 };
          }
        };
        const [database, cache] = await Promise.all([
          timed(probe),
          // A shared store that does not answer within a second counts as down (ioredis would queue the command).
          timed(() => withTimeout(store.get("ready-probe"), 1000, () => new Error("timeout"))),
        ]);
        const ready = database.ok && cache.ok;
        if (!ready) set.status = 503;
        return { status: ready ? ("ready" as const) : ("unavailable" as const), checks: { database, cache: { ...cache, kind: store.kind } } };
      },
      {
        response: {
          200: t.Object({ status: t.Literal("ready"), checks: t.Unknown() }),
          503: t.Object({ status: t.Literal("unavailable"), checks: t.Unknown() }),
        },
        detail: { tags, summary: "Readiness: database and cache reachable", security: [] },
      },
    );
}
