/**
 * The postgres.js guards of db/patch-postgres.mjs are installed (postinstall): without them a backend killed under a
 * transaction ends the process, and the query after a reconnect fails with the dead backend's error (see
 * database-faults.test.ts for the behaviour under load on Postgres).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { once } from "node:events";
import { Socket } from "node:net";
import postgres from "postgres";

const root = resolve(import.meta.dir, "../..");
const { MARKERS, patchPostgres } = (await import(join(root, "db/patch-postgres.mjs"))) as {
  MARKERS: Record<string, string[]>;
  patchPostgres: (root: string) => { patched: string[] };
};
const url = process.env.TEST_DATABASE_URL;
if (!url) console.log("driver-patch.test.ts: the terminated-backend, write-batching and pipelined-BEGIN cases skipped on embedded PGlite (no postgres.js connection); set TEST_DATABASE_URL to run them");

describe("postgres.js patches (closed-socket guards, a close settling what is in flight, write batching, pipelined BEGIN)", () => {
  const counts: Record<string, number> = { "connection.js": 5, "index.js": 1 };
  for (const file of ["src/connection.js", "cjs/src/connection.js", "src/index.js", "cjs/src/index.js"]) {
    test(`${file} carries every change (run \`npm install\` or \`node db/patch-postgres.mjs\` if not)`, () => {
      const text = readFileSync(join(root, "node_modules/postgres", file), "utf8");
      const markers = MARKERS[file.split("/").pop()!]!;
      expect(markers.length).toBe(counts[file.split("/").pop()!]!);
      for (const marker of markers) expect(text).toContain(marker);
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

  test.skipIf(!url)("a query handed to a connection between its socket's error and close fails at the close instead of hanging", async () => {
    // A socket whose 'close' comes 100 ms after its 'error' (Bun gives the two on separate turns; the job worker's
    // bookkeeping update hung in that gap after a database cut).
    let current: Socket | undefined;
    const target = new URL(url!);
    const sql = postgres(url!, {
      max: 1,
      onnotice: () => {},
      socket: async () => {
        const socket = new Socket();
        socket.connect(Number(target.port || 5432), target.hostname);
        await once(socket, "connect");
        const emit = socket.emit.bind(socket);
        socket.emit = ((name: string, ...args: unknown[]) => {
          if (name !== "close") return emit(name, ...args);
          setTimeout(() => emit(name, ...args), 100);
          return true;
        }) as Socket["emit"];
        current = socket;
        return socket;
      },
    } as postgres.Options<{}>);
    try {
      await sql`select 1`;
      current!.destroy(new Error("connection reset (simulated)"));
      await Bun.sleep(10);
      const started = performance.now();
      const outcome = await Promise.race([
        sql`select 2`.then(
          () => "answered",
          (e: { code?: string }) => e.code,
        ),
        Bun.sleep(3000).then(() => "still waiting after 3 s"),
      ]);
      // Unpatched: "still waiting after 3 s" (and until the connection object was reused and failed again).
      expect(outcome).toBe("CONNECTION_CLOSED");
      expect(performance.now() - started).toBeLessThan(1000);
      // The pool reconnects for the next query.
      expect((await sql<{ n: number }[]>`select 3 as n`)[0]!.n).toBe(3);
    } finally {
      await sql.end({ timeout: 1 });
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

  test.skipIf(!url)("a transaction sends BEGIN with its first statement: one socket write fewer, and the statement runs inside it", async () => {
    const sql = postgres(url!, { max: 1, onnotice: () => {} });
    const write = Socket.prototype.write;
    let writes = 0;
    try {
      const transaction = () => sql.begin("isolation level serializable", (tx) => tx<{ level: string }[]>`select current_setting('transaction_isolation') as level`);
      await transaction(); // connected
      Socket.prototype.write = function (this: Socket, ...args: Parameters<Socket["write"]>) {
        writes++;
        return write.apply(this, args);
      } as Socket["write"];
      const [row] = await transaction();
      // BEGIN and its options took effect before the statement that went out with it.
      expect(row!.level).toBe("serializable");
      // BEGIN with the statement, then COMMIT; unpatched, BEGIN waited for its answer in a write of its own (3).
      expect(writes).toBe(2);
    } finally {
      Socket.prototype.write = write;
      await sql.end({ timeout: 1 });
    }
  });

  test.skipIf(!url)("a pipelined BEGIN on a busy pool, and a failing transaction, keep their meaning", async () => {
    const sql = postgres(url!, { max: 1, onnotice: () => {} });
    try {
      await sql`create temporary table t (n int primary key)`;
      // The only connection is busy: BEGIN waits its turn behind the running query.
      const [slept, inside] = await Promise.all([
        sql`select pg_sleep(0.1)`,
        sql.begin(async (tx) => {
          await tx`insert into t values (1)`;
          return tx<{ n: number }[]>`select count(*)::int as n from t`;
        }),
      ]);
      expect(slept).toHaveLength(1);
      expect(inside[0]!.n).toBe(1);
      // A failure inside rolls back what went before it in the same transaction.
      const failed = await sql
        .begin(async (tx) => {
          await tx`insert into t values (2)`;
          await tx`insert into t values (1)`;
        })
        .catch((e: { code?: string }) => e.code);
      expect(failed).toBe("23505");
      expect((await sql<{ n: number[] }[]>`select array_agg(n order by n) as n from t`)[0]!.n).toEqual([1]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
