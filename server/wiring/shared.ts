/**
 * The shared dependencies every feature's `wire*` function builds its services from. `createApp` makes them once;
 * each feature folder's `wire.ts` takes what it needs, registers its own jobs, and hands back its services.
 */
import type { Database, DatabaseHandle } from "../../db/client.ts";
import type { Config } from "../config.ts";
import { createJobSystem, type JobSystem } from "../jobs/index.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { MediaStorage } from "../lib/media-storage.ts";
import { createManageTokens } from "../modules/bookings/manage-token.ts";
import { createRatingTokens } from "../modules/ratings/rating-token.ts";
import { createTokenVerifier } from "../plugins/auth.ts";
import { createCache, type KeyValueStore } from "../store/index.ts";

export interface AppDeps {
  config: Config;
  db: Database;
  store: KeyValueStore;
  clock: Clock;
  logger: Logger;
  media: MediaStorage;
  /** The database handle's probe and kind: on Postgres a monitor answers 503 for requests stuck on a dead database. */
  database?: Pick<DatabaseHandle, "kind" | "probe">;
}

export interface SharedDeps extends AppDeps {
  cache: ReturnType<typeof createCache>;
  jobs: JobSystem;
  verify: ReturnType<typeof createTokenVerifier>;
  manageTokens: ReturnType<typeof createManageTokens>;
  ratingTokens: ReturnType<typeof createRatingTokens>;
}

export function wireShared(deps: AppDeps): SharedDeps {
  const { config, db, store, clock, logger } = deps;
  return {
    ...deps,
    cache: createCache(store, { enabled: config.cacheEnabled, logger }),
    jobs: createJobSystem({ db, clock, logger }),
    verify: createTokenVerifier(config.jwtSecret, clock),
    manageTokens: createManageTokens(config.jwtSecret, clock),
    ratingTokens: createRatingTokens(config.jwtSecret, clock),
  };
}
