import { sql } from "drizzle-orm";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import postgres from "postgres";
import { createDatabase, type DatabaseHandle, wrapPglite } from "../../db/client.ts";
import { migrateDatabase } from "../../db/migrate.ts";

/**
 * Each test file gets a database of its own, already migrated:
 * - PGlite (default): one migrated template per test process, cloned per call (a fresh instance costs ~3 s, a clone ~1 s);
 * - real Postgres when TEST_DATABASE_URL is set: a new database made from a migrated template database.
 */
let pgliteTemplate: Promise<PGlite> | undefined;
let postgresTemplate: Promise<string> | undefined;

export const testDatabaseKind = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";

export async function createTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return createPostgresTestDatabase(url);
  pgliteTemplate ??= (async () => {
    const template = await PGlite.create({ extensions: { btree_gist } });
    await migrateDatabase(wrapPglite(template));
    return template;
  })();
  const clone = await (await pgliteTemplate).clone();
  return wrapPglite(clone as PGlite);
}

async function createPostgresTestDatabase(url: string): Promise<DatabaseHandle & { url: string }> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    postgresTemplate ??= (async () => {
      const name = `thotis_tpl_${process.pid}_${Date.now().toString(36)}`;
      await admin.unsafe(`create database ${name}`);
      const handle = await createDatabase({ url: withDatabase(url, name), maxConnections: 2 });
      await migrateDatabase(handle);
      await handle.close();
      return name;
    })();
    const template = await postgresTemplate;
    const name = `thotis_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await admin.unsafe(`create database ${name} template ${template}`);
    const handle = await createDatabase({ url: withDatabase(url, name), maxConnections: 20 });
    return {
      ...handle,
      // Lets a test start a separate worker process on this database.
      url: withDatabase(url, name),
      async close() {
        await handle.close();
        const cleanup = postgres(url, { max: 1, onnotice: () => {} });
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      },
    };
  } finally {
    await admin.end();
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Every query of the app now fails inside the database (relation does not exist, SQLSTATE 42P01) while its
 * connections stay up: an unexpected internal error (500), unlike a closed pool or a dead server, which is an outage
 * answered 503 DATABASE_UNAVAILABLE. `close()` still drops the database afterwards.
 */
export async function breakSchema(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(sql.raw("alter schema public rename to public_unreachable"));
}
