import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { ConfigError, loadConfig } from "./config.ts";

const SECRET = "a-production-secret-of-at-least-32-chars";
const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "thotis-config-"));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** The ConfigError thrown for env, so its message can be checked. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env, { persistSecret: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  test("defaults: embedded mode with no environment at all", () => {
    const config = loadConfig({}, { persistSecret: false });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.dataDir).toBe(resolve("./data"));
    expect(config.mediaDir).toBe(resolve("./data/media"));
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.embedded).toBe(true);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.rateLimit).toEqual({ max: 300, windowSeconds: 60 });
    expect(config.cacheEnabled).toBe(true);
    expect(config.trustProxy).toBe(false);
    expect(config.logLevel).toBe("info");
    expect(config.seedDemoData).toBe(true);
    expect(config.corsOrigins).toEqual([]);
    expect(config.maxUploadBytes).toBe(5 * 1024 * 1024);
    expect(config.jwtSecretGenerated).toBe(true);
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  test("production mode: DATABASE_URL turns seeding off and needs THOTIS_JWT_SECRET", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://u@db:5432/thotis", THOTIS_JWT_SECRET: SECRET, DATA_DIR: tempDir() });
    expect(config.embedded).toBe(false);
    expect(config.databaseUrl).toBe("postgres://u@db:5432/thotis");
    expect(config.seedDemoData).toBe(false);
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.jwtSecretGenerated).toBe(false);
    // Seeding can still be asked for explicitly, and turned off in embedded mode.
    expect(loadConfig({ DATABASE_URL: "postgres://x/y", THOTIS_JWT_SECRET: SECRET, SEED_DEMO_DATA: "true" }).seedDemoData).toBe(true);
    expect(loadConfig({ SEED_DEMO_DATA: "off" }, { persistSecret: false }).seedDemoData).toBe(false);

    const missing = configError({ DATABASE_URL: "postgres://u@db:5432/thotis" });
    expect(missing.message).toContain("THOTIS_JWT_SECRET");
  });

  test("explicit values are read and normalised", () => {
    const dir = tempDir();
    const config = loadConfig(
      {
        PORT: "8080",
        DATA_DIR: dir,
        PUBLIC_URL: "https://api.thotis.fr///",
        CORS_ORIGINS: " https://www.thotis.fr/ ,https://thotis.fr,, ",
        RATE_LIMIT_MAX: "5",
        RATE_LIMIT_WINDOW_SECONDS: "30",
        CACHE_ENABLED: "false",
        TRUST_PROXY: "1",
        LOG_LEVEL: "warn",
        REDIS_URL: "redis://cache:6379",
        THOTIS_JWT_SECRET: SECRET,
      },
      { persistSecret: false },
    );
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(dir);
    expect(config.publicUrl).toBe("https://api.thotis.fr");
    expect(config.corsOrigins).toEqual(["https://www.thotis.fr", "https://thotis.fr"]);
    expect(config.rateLimit).toEqual({ max: 5, windowSeconds: 30 });
    expect(config.cacheEnabled).toBe(false);
    expect(config.trustProxy).toBe(true);
    expect(config.logLevel).toBe("warn");
    expect(config.redisUrl).toBe("redis://cache:6379");
  });

  test("invalid values stop the start with a ConfigError naming the variable", () => {
    const cases: [string, string][] = [
      ["PORT", "abc"],
      ["PORT", "70000"],
      ["PORT", "-1"],
      ["PORT", "80.5"],
      ["CACHE_ENABLED", "maybe"],
      ["TRUST_PROXY", "2"],
      ["SEED_DEMO_DATA", "yes please"],
      ["LOG_LEVEL", "loud"],
      ["RATE_LIMIT_MAX", "0"],
      ["RATE_LIMIT_WINDOW_SECONDS", "forever"],
      ["MAX_UPLOAD_BYTES", "12"],
    ];
    for (const [name, value] of cases) {
      const error = configError({ [name]: value });
      expect({ name, value, message: error.message.includes(name) }).toEqual({ name, value, message: true });
      expect(error.message).toContain(value);
    }
  });

  test("integer variables: every in-range integer is accepted, anything else is refused with the name", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        expect(loadConfig({ PORT: String(port) }, { persistSecret: false }).port).toBe(port);
      }),
      { numRuns: 200 },
    );
    const notAPortNumber = fc.oneof(
      fc.integer({ min: 65536 }).map(String),
      fc.integer({ max: -1 }).map(String),
      fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)).map(String),
      fc.stringMatching(/^[a-z]{1,8}$/),
      // Spellings Number() would quietly accept: hexadecimal, exponents, blanks.
      fc.constantFrom("0x1F90", "8e3", " ", "  ", "3000abc", "Infinity", "1_000"),
    );
    fc.assert(
      fc.property(notAPortNumber, (raw) => {
        expect(configError({ PORT: raw }).message).toContain("PORT");
      }),
      { numRuns: 200 },
    );
  });

  test("boolean variables accept the usual spellings and nothing else", () => {
    const truthy = ["1", "true", "TRUE", "yes", "on", "On"];
    const falsy = ["0", "false", "False", "no", "off", "OFF"];
    for (const raw of truthy) expect(loadConfig({ CACHE_ENABLED: raw }, { persistSecret: false }).cacheEnabled).toBe(true);
    for (const raw of falsy) expect(loadConfig({ CACHE_ENABLED: raw }, { persistSecret: false }).cacheEnabled).toBe(false);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 10 }).filter((s) => ![...truthy, ...falsy].includes(s.toLowerCase())),
        (raw) => {
          expect(configError({ CACHE_ENABLED: raw }).message).toContain("CACHE_ENABLED");
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a THOTIS_JWT_SECRET shorter than 32 characters is refused; 32 is enough", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 31 }), (secret) => {
        expect(configError({ THOTIS_JWT_SECRET: secret }).message).toContain("THOTIS_JWT_SECRET");
      }),
      { numRuns: 100 },
    );
    expect(loadConfig({ THOTIS_JWT_SECRET: "x".repeat(32) }, { persistSecret: false }).jwtSecret).toBe("x".repeat(32));
  });

  test("embedded mode: a generated secret is kept under DATA_DIR/jwt-secret and reused on the next start", () => {
    const dir = join(tempDir(), "nested", "data");
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.jwtSecretGenerated).toBe(true);
    const file = join(dir, "jwt-secret");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8").trim()).toBe(first.jwtSecret);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    // Owner-only: the file holds a signing key.
    expect(statSync(file).mode & 0o077).toBe(0);

    const second = loadConfig({ DATA_DIR: dir });
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.jwtSecretGenerated).toBe(true);

    // Another data folder gets another secret.
    expect(loadConfig({ DATA_DIR: tempDir() }).jwtSecret).not.toBe(first.jwtSecret);
  });

  test("a given secret is used as is and nothing is written", () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir, THOTIS_JWT_SECRET: SECRET });
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.jwtSecretGenerated).toBe(false);
    expect(existsSync(join(dir, "jwt-secret"))).toBe(false);
  });

  test("persistSecret: false generates a throw-away secret without touching the disk", () => {
    const dir = join(tempDir(), "untouched");
    const a = loadConfig({ DATA_DIR: dir }, { persistSecret: false });
    const b = loadConfig({ DATA_DIR: dir }, { persistSecret: false });
    expect(a.jwtSecret).not.toBe(b.jwtSecret);
    expect(existsSync(dir)).toBe(false);
  });
});
