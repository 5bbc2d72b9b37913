import { join } from "node:path";
import { loadConfig } from "../server/config.ts";
import { createDatabase } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

/** npm run db:migrate: applies pending migrations to DATABASE_URL, or to the embedded database under DATA_DIR. */
const config = loadConfig(process.env, { persistSecret: false });
const database = await createDatabase(
  config.databaseUrl ? { url: config.databaseUrl, maxConnections: 1 } : { dataDir: join(config.dataDir, "pglite") },
);
await migrateDatabase(database);
await database.close();
console.log(`migrations applied (${database.kind})`);
