import { type SQL, sql } from "drizzle-orm";
import type { Database } from "./client.ts";

/**
 * A statement Drizzle builds once, run on whichever executor a call has: the pool or a transaction.
 *
 * Why: Drizzle turns its query builders into SQL text on every call (25-85 µs a statement, measured with `toSQL()`),
 * which was a quarter of the server's CPU per booking. Built once with `sql.placeholder(...)` values and `.prepare()`d
 * on the root database, a statement only fills its parameters (through the columns' encoders, as a built query
 * does). Drizzle binds a prepared query to the session it came from; `on(executor)` hands the same built statement
 * the executor's driver client (a transaction's connection), which is how Drizzle's own transactions run queries.
 * bookings/statements.test.ts runs every booking statement through this on PGlite and Postgres.
 */
export interface Prepared<T> {
  execute(values?: Record<string, unknown>): Promise<T>;
}

/** A raw `sql` statement built once, as `db.execute(query)` would build it on every call. */
export function prebuiltSql<T = unknown>(db: Database, name: string, query: SQL) {
  const internals = db as unknown as {
    dialect: { sqlToQuery(query: SQL): unknown };
    session: { prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: boolean): Prepared<T> };
  };
  return prebuilt<T>(db, () => internals.session.prepareQuery(internals.dialect.sqlToQuery(query), undefined, name, false));
}

export function prebuilt<T>(db: Database, build: (db: Database) => Prepared<T>) {
  const prepared = build(db) as Prepared<T> & { client: unknown };
  return {
    /** Runs the statement on `executor` (the root database or a transaction) with these placeholder values. */
    on(executor: Database, values: Record<string, unknown>): Promise<T> {
      const client = (executor as unknown as { session: { client: unknown } }).session.client;
      if (client === prepared.client) return prepared.execute(values);
      const bound = Object.create(prepared) as Prepared<T> & { client: unknown };
      bound.client = client;
      return bound.execute(values);
    },
  };
}

/**
 * A value bound as given (no column encoder runs on it): pass dates as ISO strings, JSON as text, absent values as
 * null, as the drivers take them. (A column's own placeholder would run its encoder, which fails on null dates.)
 */
export const bound = (name: string): SQL => sql`${sql.placeholder(name)}`;
