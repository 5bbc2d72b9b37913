import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The Drizzle database both drivers produce; services only ever see this type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent an embedded PGlite database is used. */
  url?: string;
  /** Folder for PGlite's files; absent means in memory (tests). */
  dataDir?: string;
  /** Connection pool size for postgres.js. */
  maxConnections?: number;
}

/** Builds the database: embedded PGlite (with btree_gist) by default, postgres.js when a URL is given. */
export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // Sessions speak UTC; zones are always carried explicitly.
      connection: { TimeZone: "UTC" },
    });
    return {
      db: drizzlePostgres(client, { schema }) as unknown as Database,
      kind: "postgres",
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir: options.dataDir, extensions: { btree_gist } });
  // PGlite's data is in memory or on local disk: random reads cost about what sequential ones do. With the default
  // (4) the planner prefers scanning whole tables over index look-ups, ten times slower for discovery listings.
  await client.exec("set random_page_cost = 1.1");
  return wrapPglite(client);
}

export function wrapPglite(client: PGlite): DatabaseHandle {
  return {
    db: drizzlePglite(client, { schema }) as unknown as Database,
    kind: "pglite",
    close: () => client.close(),
  };
}

export { schema };
