import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { DatabaseHandle } from "./client.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Applies db/migrations (drizzle-kit output plus custom SQL) to either driver. Safe to run on every start. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  // Extensions the custom migrations rely on; PGlite has them loaded at start, Postgres ships them in contrib.
  await handle.db.execute(sql`create extension if not exists btree_gist`);
  // biome-ignore lint: both migrators accept the database their driver made.
  const db = handle.db as never;
  if (handle.kind === "pglite") await migratePglite(db, { migrationsFolder });
  else await migratePostgres(db, { migrationsFolder });
}
