/**
 * Seeds the demo data: `bun db/seed/run.ts` (or `deno run -A db/seed/run.ts`).
 * Uses DATABASE_URL when set, otherwise the embedded PGlite database under $DATA_DIR/pglite
 * (default ./data/pglite). Migrates first, so it works on an empty database. Idempotent.
 */
import process from "node:process";
import { createDatabase } from "../client.ts";
import { migrateDatabase } from "../migrate.ts";
import { loadConfig } from "../../server/config.ts";
import { seedDemoHistory } from "./history.ts";
import { seedDemoData } from "./index.ts";

const url = process.env.DATABASE_URL || undefined;
const handle = await createDatabase({
  url,
  dataDir: url ? undefined : `${process.env.DATA_DIR ?? "./data"}/pglite`,
});

try {
  await migrateDatabase(handle);
  const summary = await seedDemoData(handle.db, { adminPassword: process.env.ADMIN_PASSWORD });
  console.log(
    `seed (${handle.kind}): ${summary.users} demo users, ${summary.profiles} mentor profiles — ${
      summary.created ? "created" : "already present, nothing to do"
    }`,
  );
  // The replay signs e-mail links with the configured secret (THOTIS_JWT_SECRET, required with DATABASE_URL).
  const history = await seedDemoHistory(handle.db, { config: loadConfig(process.env) });
  console.log(
    history.created
      ? `demo history: ${history.bookings} bookings (${history.cancelled} cancelled, ${history.completed} completed), ${history.ratings} ratings, ${history.emails} e-mails, ${history.events} funnel events in ${Math.round(history.ms)} ms`
      : "demo history: already present, nothing to do",
  );
} catch (error) {
  console.error("seed failed:", error);
  process.exitCode = 1;
} finally {
  await handle.close();
}
