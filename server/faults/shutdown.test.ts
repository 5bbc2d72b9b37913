/**
 * SIGTERM during a burst of bookings, on a real server process (embedded PGlite, and Postgres when TEST_DATABASE_URL
 * is set): every request gets an HTTP answer, the process exits 0 within SHUTDOWN_TIMEOUT_MS, and every booking in
 * the database was answered 2xx.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { createDatabase, type DatabaseHandle } from "../../db/client.ts";
import { createTestDatabase } from "../test-support/database.ts";
import { type ServerProcess, startServerProcess } from "../test-support/server-process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows);

const kinds = process.env.TEST_DATABASE_URL ? (["pglite", "postgres"] as const) : (["pglite"] as const);

for (const kind of kinds) {
  describe(`graceful shutdown (${kind})`, () => {
    let database: (DatabaseHandle & { url?: string }) | undefined;
    let running: ServerProcess | undefined;
    afterAll(async () => {
      if (running && running.exitCode() === null) running.kill("SIGKILL");
      await database?.close();
    });

    test(
      "SIGTERM during 20 concurrent bookings: every request answered, every stored booking answered 2xx, exit 0",
      async () => {
        let env: Record<string, string> = { SEED_DEMO_DATA: "true", SHUTDOWN_TIMEOUT_MS: "10000" };
        if (kind === "postgres") {
          database = await createTestDatabase();
          env = { ...env, DATABASE_URL: database.url! };
        }
        const server = await startServerProcess(env);
        const widget = await server.token("widget");
        running = server;
        const listing = (await (await server.request("/api/v2/students/search?pageSize=20", { token: widget })).json()) as { data: { profiles: { id: string }[] } };
        const profiles = listing.data.profiles.map((p) => p.id);
        const slots: { profileId: string; start: string }[] = [];
        for (const id of profiles.slice(0, 5)) {
          const r = (await (await server.request(`/api/v2/students/${id}/availability`, { token: widget })).json()) as { data: { slots: { start: string }[] } };
          for (const s of r.data.slots.slice(0, 4)) slots.push({ profileId: id, start: s.start });
        }
        expect(slots.length).toBe(20);

        const answers = slots.map((slot, i) =>
          server
            .request("/api/v2/bookings", {
              method: "POST",
              token: widget,
              headers: { "idempotency-key": `sigterm-${i}` },
              json: { studentProfileId: slot.profileId, dateTime: slot.start, prospectiveStudent: { name: "Jules Petit", email: `jules.${i}@lycee.fr` } },
            })
            .then(
              async (r) => ({ status: r.status, id: ((await r.json()) as { data?: { bookingId?: number } }).data?.bookingId }),
              (error) => ({ status: 0, id: undefined, error: String(error) }),
            ),
        );
        // The requests are on the wire (accepted) before the signal: 40 ms was not always enough for all 20 to be sent.
        await sleep(250);
        const signalledAt = performance.now();
        server.kill("SIGTERM");
        const results = await Promise.all(answers);
        const code = await server.exited;
        const stopMs = performance.now() - signalledAt;
        console.log(
          `shutdown (${kind}): ${results.filter((r) => r.status === 201).length} booked, statuses ${[...new Set(results.map((r) => r.status))].join(",")}, exited ${code} after ${Math.round(stopMs)} ms`,
        );
        expect(results.filter((r) => r.status === 0)).toEqual([]);
        expect(code).toBe(0);
        expect(stopMs).toBeLessThan(10_000 + 5000);

        const db = kind === "postgres" ? database! : await createDatabase({ dataDir: join(server.dataDir, "pglite") });
        try {
          // This test's own bookings (the demo history holds others).
          const stored = rowsOf<{ id: number }>(await db.db.execute(sql`select id from bookings where prospective_email like 'jules.%@lycee.fr'`)).map((r) => Number(r.id));
          const answered = new Set(results.filter((r) => r.status === 201).map((r) => r.id));
          expect(stored.filter((id) => !answered.has(id))).toEqual([]);
          expect([...answered].filter((id) => !stored.includes(id!))).toEqual([]);
        } finally {
          if (kind === "pglite") await db.close();
        }
      },
      120_000,
    );
  });
}
