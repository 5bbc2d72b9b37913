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
  /** Fault handling (issue 12): how long to wait for a database connection, a statement, and a clean stop. */
  faults: { connectTimeoutMs: number; statementTimeoutMs: number; shutdownTimeoutMs: number };
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
  /** Budgets against abuse (README "Security"): per-route rate limits and booking limits. */
  abuse: {
    signInPerMinute: number;
    bookingsPerMinute: number;
    eventsPerMinute: number;
    widgetBookingsPerHour: number;
    upcomingPerMentor: number;
    upcomingPerEmail: number;
  };
  embedded: boolean;
  /** Base of the unique Jitsi room links sessions get when no Google Meet is available. */
  jitsiBaseUrl: string;
  /** Run a job worker in the server process (RUN_WORKER); `npm run worker` starts dedicated ones. */
  runWorker: boolean;
  /** leaseMs (WORKER_LEASE_MS): how long a claimed job stays with a worker that stops renewing it (crashed). */
  worker: { concurrency: number; pollMs: number; leaseMs: number; /** WORKER_ID: names this process's leases (default random). */ id?: string };
  /** E-mail: Resend when RESEND_API_KEY is set, else the outbox table (the embedded mailbox). */
  email: { provider: "resend" | "outbox"; resendApiKey?: string; resendBaseUrl?: string; from: string; replyTo?: string };
  webhooks: {
    /** THOTIS_WEBHOOK_SECRET: signs payloads of endpoints registered without a secret of their own. */
    secret?: string;
    /** WEBHOOK_ALLOW_PRIVATE: allow endpoints on private, loopback or link-local addresses (tests, development). */
    allowPrivate: boolean;
    /** Delays in seconds before each retry after a failure; default 1, 2, 4 (Property 29). */
    retrySeconds: number[];
    timeoutMs: number;
  };
  sentry?: { dsn: string; environment: string };
  mixpanel?: { token: string; apiUrl: string };
  /** METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <it>`; else /metrics is open. */
  metricsToken?: string;
  /** PRIVACY_RETENTION_DAYS: prospective students anonymised this long after their last session; LOG_RETENTION_DAYS: e-mail bodies and webhook deliveries kept this long. */
  privacy: { retentionDays: number; logRetentionDays: number };
  /** Console sign-in seeded at start (ADMIN_EMAIL / ADMIN_PASSWORD); embedded mode generates a password when absent. */
  admin: { email?: string; password?: string };
  /** CSP frame-ancestors of the widget page: host pages allowed to embed it (FRAME_ANCESTORS, space or comma separated). */
  frameAncestors: string[];
  /** Lifetime of widget tokens minted through the API. */
  widgetTokenTtlSeconds: number;
  /** Serve /widget/demo with a server-minted demo widget token (WIDGET_DEMO; default: embedded mode only). */
  widgetDemo: boolean;
  schedulingBackend: "native" | "calcom";
  calcom?: { apiUrl: string; apiKey: string; webhookSecret?: string };
  google?: { clientId: string; clientSecret: string; redirectUri: string; apiRootUrl?: string; tokenUrl?: string; authUrl?: string };
  /** 32-byte key (base64) sealing OAuth refresh tokens at rest; embedded mode generates one under DATA_DIR. */
  tokenEncryptionKey: string;
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
    faults: {
      connectTimeoutMs: int(env, "DATABASE_CONNECT_TIMEOUT_MS", 2000, 100, 60_000),
      statementTimeoutMs: int(env, "DATABASE_STATEMENT_TIMEOUT_MS", 30_000, 0, 3_600_000),
      shutdownTimeoutMs: int(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    },
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
    abuse: {
      signInPerMinute: int(env, "RATE_LIMIT_SIGNIN_MAX", 10, 1, 1_000_000),
      bookingsPerMinute: int(env, "RATE_LIMIT_BOOKINGS_MAX", 20, 1, 1_000_000),
      eventsPerMinute: int(env, "RATE_LIMIT_EVENTS_MAX", 120, 1, 1_000_000),
      widgetBookingsPerHour: int(env, "BOOKING_WIDGET_MAX_PER_HOUR", 10, 1, 1_000_000),
      upcomingPerMentor: int(env, "BOOKING_MAX_UPCOMING_PER_MENTOR", 1, 1, 1_000_000),
      upcomingPerEmail: int(env, "BOOKING_MAX_UPCOMING_PER_EMAIL", 3, 1, 1_000_000),
    },
    embedded,
    jitsiBaseUrl: (env.JITSI_BASE_URL || "https://meet.jit.si").replace(/\/+$/, ""),
    runWorker: bool(env, "RUN_WORKER", true),
    worker: {
      concurrency: int(env, "WORKER_CONCURRENCY", 16, 1, 1000),
      pollMs: int(env, "WORKER_POLL_MS", 1000, 10, 60_000),
      leaseMs: int(env, "WORKER_LEASE_MS", 30_000, 300, 600_000),
      id: env.WORKER_ID || undefined,
    },
    email: {
      provider: env.RESEND_API_KEY ? "resend" : "outbox",
      resendApiKey: env.RESEND_API_KEY || undefined,
      resendBaseUrl: env.RESEND_BASE_URL?.replace(/\/+$/, "") || undefined,
      from: env.EMAIL_FROM || "Thotis <sessions@thotis.fr>",
      replyTo: env.EMAIL_REPLY_TO || undefined,
    },
    webhooks: {
      secret: env.THOTIS_WEBHOOK_SECRET || undefined,
      allowPrivate: bool(env, "WEBHOOK_ALLOW_PRIVATE", false),
      retrySeconds: secondsList(env, "WEBHOOK_RETRY_SCHEDULE", [1, 2, 4]),
      timeoutMs: int(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000),
    },
    sentry: env.SENTRY_DSN ? { dsn: env.SENTRY_DSN, environment: env.SENTRY_ENVIRONMENT || (embedded ? "development" : "production") } : undefined,
    mixpanel: env.MIXPANEL_TOKEN
      ? { token: env.MIXPANEL_TOKEN, apiUrl: (env.MIXPANEL_API_URL || "https://api.mixpanel.com").replace(/\/+$/, "") }
      : undefined,
    metricsToken: env.METRICS_TOKEN || undefined,
    privacy: { retentionDays: int(env, "PRIVACY_RETENTION_DAYS", 365, 1, 36_500), logRetentionDays: int(env, "LOG_RETENTION_DAYS", 90, 1, 36_500) },
    admin: { email: env.ADMIN_EMAIL || undefined, password: env.ADMIN_PASSWORD || undefined },
    frameAncestors: (env.FRAME_ANCESTORS || "")
      .split(/[\s,]+/)
      .map((o) => o.trim().replace(/\/+$/, ""))
      .filter(Boolean),
    widgetTokenTtlSeconds: int(env, "WIDGET_TOKEN_TTL_SECONDS", 3600, 60, 86_400),
    widgetDemo: bool(env, "WIDGET_DEMO", embedded),
    schedulingBackend: schedulingBackend(env),
    calcom: env.CALCOM_API_URL
      ? {
          apiUrl: env.CALCOM_API_URL.replace(/\/+$/, ""),
          apiKey: required(env, "CALCOM_API_KEY", "CALCOM_API_URL"),
          webhookSecret: env.CALCOM_WEBHOOK_SECRET || undefined,
        }
      : undefined,
    google: env.GOOGLE_CLIENT_ID
      ? {
          clientId: env.GOOGLE_CLIENT_ID,
          clientSecret: required(env, "GOOGLE_CLIENT_SECRET", "GOOGLE_CLIENT_ID"),
          redirectUri: env.GOOGLE_REDIRECT_URI || `${(env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, "")}/oauth/google/callback`,
          apiRootUrl: env.GOOGLE_API_ROOT_URL || undefined,
          tokenUrl: env.GOOGLE_TOKEN_URL || undefined,
          authUrl: env.GOOGLE_AUTH_URL || undefined,
        }
      : undefined,
    tokenEncryptionKey: encryptionKey(env, dataDir, embedded, opts.persistSecret !== false),
  };
}

function schedulingBackend(env: Env): Config["schedulingBackend"] {
  const value = env.SCHEDULING_BACKEND || "native";
  if (value !== "native" && value !== "calcom") throw new ConfigError(`SCHEDULING_BACKEND must be native or calcom (got "${value}")`);
  if (value === "calcom" && !env.CALCOM_API_URL) throw new ConfigError("SCHEDULING_BACKEND=calcom needs CALCOM_API_URL and CALCOM_API_KEY");
  return value;
}

function required(env: Env, name: string, because: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required when ${because} is set`);
  return value;
}

function encryptionKey(env: Env, dataDir: string, embedded: boolean, persist: boolean): string {
  const given = env.TOKEN_ENCRYPTION_KEY;
  if (given) {
    if (Buffer.from(given, "base64").length !== 32) throw new ConfigError("TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
    return given;
  }
  if (!embedded && env.GOOGLE_CLIENT_ID) throw new ConfigError("TOKEN_ENCRYPTION_KEY is required with DATABASE_URL and GOOGLE_CLIENT_ID");
  // Nothing is sealed without Google; an ephemeral key avoids writing files in production.
  if (!persist || !embedded) return randomBytes(32).toString("base64");
  const file = join(dataDir, "token-key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString("base64");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
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
  // Plain decimal digits only: Number() would also take "0x1F90", "8e3" or " " (which reads as 0, a random port).
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

/** "1,2,4" → [1, 2, 4]: positive integers, at most 20 entries. */
function secondsList(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.length > 20 || !parts.every((p) => /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 86_400)) {
    throw new ConfigError(`${name} must be a comma-separated list of 1 to 20 delays in seconds, each 1 to 86400 (got "${raw}")`);
  }
  return parts.map(Number);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}
