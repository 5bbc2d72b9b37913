/**
 * The postgres.js guards of db/patch-postgres.mjs are installed (postinstall): without them a backend killed under a
 * transaction ends the process, and the query after a reconnect fails with the dead backend's error (see
 * database-faults.test.ts for the behaviour under load on Postgres).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Socket } from "node:net";
import postgres from "postgres";

const root = resolve(import.meta.dir, "../..");
const { MARKERS, patchPostgres } = (await import(join(root, "db/patch-postgres.mjs"))) as {
  MARKERS: string[];
  patchPostgres: (root: string) => { patched: string[] };
};
const url = process.env.TEST_DATABASE_URL;
if (!url) console.log("driver-patch.test.ts: the terminated-backend and write-batching cases skipped on embedded PGlite (no postgres.js connection); set TEST_DATABASE_URL to run them");

describe("postgres.js patches (closed-socket guards, write batching)", () => {
  for (const file of ["src/connection.js", "cjs/src/connection.js"]) {
    test(`${file} carries every guard (run \`npm install\` or \`node db/patch-postgres.mjs\` if not)`, () => {
      const text = readFileSync(join(root, "node_modules/postgres", file), "utf8");
      expect(MARKERS.length).toBe(4);
      for (const marker of MARKERS) expect(text).toContain(marker);
    });
  }

  test("the patch is idempotent", () => {
    expect(patchPostgres(root).patched).toEqual([]);
  });

  test.skipIf(!url)("a backend terminated during a query: that query fails as a lost connection, the next one runs on a new connection", async () => {
    const sql = postgres(url!, { max: 1, onnotice: () => {} });
    const admin = postgres(url!, { max: 1, onnotice: () => {} });
    try {
      const [first] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const running = sql`select pg_sleep(5)`.then(
        () => "finished",
        (e: { code?: string }) => e.code,
      );
      await Bun.sleep(200);
      await admin`select pg_terminate_backend(${first!.pid})`;
      expect(await running).toBe("CONNECTION_CLOSED");
      // Unpatched, this query received the old backend's 57P01 "terminating connection due to administrator command".
      const [next] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      expect(next!.pid).not.toBe(first!.pid);
    } finally {
      await sql.end({ timeout: 1 });
      await admin.end({ timeout: 1 });
    }
  });

  test.skipIf(!url)("statements sent in the same tick leave in one socket write (a booking's batch was 2-3 writes at 1 KiB each)", async () => {
    const sql = postgres(url!, { max: 1, onnotice: () => {} });
    const write = Socket.prototype.write;
    let writes = 0;
    try {
      const padding = "x".repeat(600);
      const batch = () => Promise.all([1, 2, 3, 4, 5].map((n) => sql`select ${n}::int as n, length(${padding}) as l`));
      await batch(); // connected, and the statement prepared (its first use describes it first, in writes of its own)
      Socket.prototype.write = function (this: Socket, ...args: Parameters<Socket["write"]>) {
        writes++;
        return write.apply(this, args);
      } as Socket["write"];
      const answers = await batch();
      expect(answers.map((rows) => rows[0]!.n)).toEqual([1, 2, 3, 4, 5]);
      // Five statements of about 700 bytes: unpatched, a write each time 1 KiB gathered (3 writes).
      expect(writes).toBe(1);
    } finally {
      Socket.prototype.write = write;
      await sql.end({ timeout: 1 });
    }
  });
});
