import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";
import { withTimeout } from "../server/lib/timeout.ts";

export type Schema = typeof schema;
/** The Drizzle database both drivers produce; services only ever see this type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
  /**
   * One `select 1` on a connection of its own (postgres: outside the pool, so a pool whose connections hang on a dead
   * network still gets an answer), failing after timeoutMs. Readiness and the database monitor use it.
   */
  probe(timeoutMs: number): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent an embedded PGlite database is used. */
  url?: string;
  /** Folder for PGlite's files; absent means in memory (tests). */
  dataDir?: string;
  /** Connection pool size for postgres.js. */
  maxConnections?: number;
  /** Longest wait for a new connection (postgres.js); a database that does not answer fails the query after it. */
  connectTimeoutMs?: number;
  /** Postgres statement_timeout of every session (0: none). */
  statementTimeoutMs?: number;
}

/** Builds the database: embedded PGlite (with btree_gist) by default, postgres.js when a URL is given. */
export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const connectTimeout = (options.connectTimeoutMs ?? 2000) / 1000;
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // Fail fast when the server is unreachable (postgres.js waits 30 s by default) and reconnect quickly once it is
      // back: the default backoff grows to 20 s after a few failed attempts, which kept requests failing long after
      // the database returned.
      connect_timeout: connectTimeout,
      backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 0.5),
      // Sessions speak UTC; zones are always carried explicitly.
      connection: {
        TimeZone: "UTC",
        ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      },
    });
    return {
      db: drizzlePostgres(preparing(client), { schema }) as unknown as Database,
      kind: "postgres",
      close: () => client.end({ timeout: 5 }),
      probe: createPostgresProbe(options.url, connectTimeout),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir: options.dataDir, extensions: { btree_gist } });
  // PGlite's data is in memory or on local disk: random reads cost about what sequential ones do. With the default
  // (4) the planner prefers scanning whole tables over index look-ups, ten times slower for discovery listings.
  await client.exec("set random_page_cost = 1.1");
  return wrapPglite(client);
}

/**
 * Drizzle sends every query through postgres.js `unsafe(text, params, { prepare: false })`: each parameterised
 * statement then costs a Describe round trip before its Bind/Execute, and a fresh parse and plan. With prepare on,
 * postgres.js names the statement per connection and reuses it by text: a repeated statement is one round trip.
 * (A booking sent 42 round trips; CPU per booking fell from 12.9 to 8.0 ms with this alone.) Transactions and
 * savepoints hand Drizzle a new sql function, wrapped the same way. The statements a connection keeps are bounded by
 * the app's distinct query texts and freed when postgres.js recycles the connection (max_lifetime).
 */
function preparing<T extends postgres.Sql>(sql: T): T {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (text: string, args?: unknown[], options?: Record<string, unknown>) =>
          target.unsafe(text, (args ?? []) as never[], { ...options, prepare: (args?.length ?? 0) > 0 });
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...rest: unknown[]) => {
          const callback = rest.pop() as (tx: postgres.Sql) => unknown;
          return ((target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop] as (...a: unknown[]) => unknown)(...rest, (tx: postgres.Sql) => callback(preparing(tx)));
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

export function wrapPglite(client: PGlite): DatabaseHandle {
  return {
    db: drizzlePglite(withInstanceParsers(client), { schema }) as unknown as Database,
    kind: "pglite",
    close: () => client.close(),
    probe: (timeoutMs) => withTimeout(client.query("select 1").then(() => undefined), timeoutMs, probeTimeout(timeoutMs)),
  };
}

/**
 * Drizzle hands PGlite its result parsers with every query (timestamps, dates and intervals kept as text, which its
 * columns then map), and PGlite copies its whole parser table to merge them, on every query: a tenth of an embedded
 * booking's CPU. The same parsers are set on the instance once, and queries go without their own copy; should the
 * instance's table change, a query keeps passing Drizzle's (the check is one comparison).
 */
const keepText = (value: string) => value;
const DRIZZLE_TEXT_TYPES = [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182];

function withInstanceParsers(client: PGlite): PGlite {
  const parsers = client.parsers as Record<number, unknown>;
  for (const type of DRIZZLE_TEXT_TYPES) parsers[type] = keepText;
  const instanceHasThem = () => DRIZZLE_TEXT_TYPES.every((type) => parsers[type] === keepText);
  const strip = (options?: { parsers?: unknown }) => {
    if (!options?.parsers || !instanceHasThem()) return options;
    const { parsers: _drizzles, ...rest } = options;
    return rest;
  };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, prop, receiver) {
        if (prop === "query") {
          return (text: string, params?: unknown[], options?: { parsers?: unknown }) =>
            (object as unknown as PGlite).query(text, params, strip(options) as never);
        }
        if (prop === "transaction") {
          return (callback: (tx: unknown) => unknown) => (object as unknown as PGlite).transaction((tx) => callback(wrap(tx)) as never);
        }
        const value = Reflect.get(object, prop, receiver);
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  return wrap(client);
}

/** A one-connection client for probes; after a timeout it is dropped (its socket may hang) and made anew. */
function createPostgresProbe(url: string, connectTimeout: number) {
  let client: postgres.Sql | null = null;
  return async (timeoutMs: number) => {
    client ??= postgres(url, { max: 1, onnotice: () => {}, connect_timeout: connectTimeout, idle_timeout: 30, backoff: () => 0 });
    const current = client;
    try {
      await withTimeout(current`select 1`.then(() => undefined), timeoutMs, probeTimeout(timeoutMs));
    } catch (error) {
      if (client === current) client = null;
      void current.end({ timeout: 0 }).catch(() => {});
      throw error;
    }
  };
}

const probeTimeout = (ms: number) => () => Object.assign(new Error(`no answer from the database within ${ms} ms`), { code: "PROBE_TIMEOUT" });

export { schema };
