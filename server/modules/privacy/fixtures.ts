/** Helpers of the privacy suites: a scan of every text and JSON column of the database, and booking shortcuts. */
import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { rows } from "../stats/sql.ts";
import { containsPattern } from "./scrub.ts";

/**
 * Every place in the whole database (all schemas but the catalogs) where one of `needles` appears in a text, varchar
 * or JSON column, as "schema.table.column". Found through information_schema, so a table added later is scanned too.
 */
export async function scanDatabase(db: Database, needles: string[]): Promise<string[]> {
  const columns = await rows<{ table_schema: string; table_name: string; column_name: string }>(
    db,
    sql`select c.table_schema, c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema not in ('pg_catalog', 'information_schema')
          and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  const found: string[] = [];
  for (const c of columns) {
    const column = sql.raw(`"${c.table_schema}"."${c.table_name}"."${c.column_name}"`);
    const table = sql.raw(`"${c.table_schema}"."${c.table_name}"`);
    for (const needle of needles) {
      const [hit] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ${table} where ${column}::text ilike ${containsPattern(needle)}`);
      if (hit && hit.n > 0) found.push(`${c.table_schema}.${c.table_name}.${c.column_name} ∋ ${needle}`);
    }
  }
  return found;
}

/** The text and JSON columns the scan covers, to show the scan is not empty by accident. */
export async function scannedColumnCount(db: Database): Promise<number> {
  const [r] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema')
        and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  return r?.n ?? 0;
}
