import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { LogLevel } from "./lib/logger.ts";

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  mediaDir: string;
  databaseUrl?: string;
  databasePoolSize: number;
  redisUrl?: string;
  jwtSecret: string;
  /** True when the JWT secret was generated for this data folder (embedded mode, development only). */
  jwtSecretGenerated: boolean;
  corsOrigins: string[];
  rateLimit: { max: number; windowSeconds: number };
  cacheEnabled: boolean;
  trustProxy: boolean;
  logLevel: LogLevel | "silent";
  seedDemoData: boolean;
  maxUploadBytes: number;
  embedded: boolean;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

/** Parses and validates the environment once. Unknown or malformed values stop the start with a clear message. */
export function loadConfig(env: Env = process.env, opts: { persistSecret?: boolean } = {}): Config {
  const port = int(env, "PORT", 3000, 0, 65535);
  const dataDir = resolve(env.DATA_DIR || "./data");
  const databaseUrl = env.DATABASE_URL || undefined;
  const embedded = !databaseUrl;
  const logLevel = (env.LOG_LEVEL || "info") as Config["logLevel"];
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn, error or silent (got "${env.LOG_LEVEL}")`);
  }
  let jwtSecret = env.THOTIS_JWT_SECRET || "";
  let jwtSecretGenerated = false;
  if (!jwtSecret) {
    if (!embedded) throw new ConfigError("THOTIS_JWT_SECRET is required when DATABASE_URL is set");
    jwtSecret = opts.persistSecret === false ? randomBytes(32).toString("base64url") : developmentSecret(dataDir);
    jwtSecretGenerated = true;
  } else if (jwtSecret.length < 32) {
    throw new ConfigError("THOTIS_JWT_SECRET must be at least 32 characters");
  }
  return {
    port,
    host: env.HOST || "0.0.0.0",
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ""),
    dataDir,
    mediaDir: resolve(env.MEDIA_DIR || join(dataDir, "media")),
    databaseUrl,
    databasePoolSize: int(env, "DATABASE_POOL_SIZE", 10, 1, 500),
    redisUrl: env.REDIS_URL || undefined,
    jwtSecret,
    jwtSecretGenerated,
    corsOrigins: (env.CORS_ORIGINS || "")
      .split(",")
      .map((o) => o.trim().replace(/\/+$/, ""))
      .filter(Boolean),
    rateLimit: {
      max: int(env, "RATE_LIMIT_MAX", 300, 1, 1_000_000),
      windowSeconds: int(env, "RATE_LIMIT_WINDOW_SECONDS", 60, 1, 86_400),
    },
    cacheEnabled: bool(env, "CACHE_ENABLED", true),
    trustProxy: bool(env, "TRUST_PROXY", false),
    logLevel,
    seedDemoData: bool(env, "SEED_DEMO_DATA", embedded),
    maxUploadBytes: int(env, "MAX_UPLOAD_BYTES", 5 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    embedded,
  };
}

/** A random secret kept under the data folder, so development tokens survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}
