import { sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import type { Clock } from "../../lib/clock.ts";
import type { KeyValueStore } from "../../store/index.ts";

const tags = ["Health"];

/** Liveness (/health: the process answers) and readiness (/ready: the database and the shared store answer). */
export function healthModule(deps: { db: Database; store: KeyValueStore; clock: Clock; startedAt: Date; version: string }) {
  const { db, store, clock, startedAt, version } = deps;
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
          timed(() => db.execute(sql`select 1`)),
          timed(() => store.get("ready-probe")),
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
