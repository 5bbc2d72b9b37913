import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { adminCredentials, users } from "../../../db/schema/index.ts";
import type { Config } from "../../config.ts";
import type { Clock } from "../../lib/clock.ts";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import { type Principal, signToken } from "../../plugins/auth.ts";
import { generatePassword, hashPassword, verifyPassword } from "./password.ts";
import type { LoginResult, Me } from "./model.ts";
import type { SignInThrottle } from "./throttle.ts";

export const ADMIN_TOKEN_TTL_SECONDS = 12 * 3600;
export const DEFAULT_ADMIN_EMAIL = "admin@thotis.local";

const invalidCredentials = () => new AppError(401, ErrorCode.INVALID_CREDENTIALS, "Adresse e-mail ou mot de passe incorrect / Wrong e-mail or password");

export type AdminAuthService = ReturnType<typeof createAdminAuthService>;

export function createAdminAuthService(deps: { db: Database; clock: Clock; jwtSecret: string; throttle: SignInThrottle }) {
  const { db, clock } = deps;
  // Unknown addresses still pay one argon2 verification, so timing does not tell which addresses exist.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => (decoy ??= hashPassword(crypto.randomUUID()));

  return {
    /**
     * E-mail and password to a 12-hour admin JWT. Throttled per (address typed, client address): see throttle.ts.
     * Unknown addresses pay one argon2 verification too, so answers and timing are the same for both.
     */
    async login(email: string, password: string, clientIp = "unknown"): Promise<LoginResult> {
      const result = await deps.throttle.guard(email, clientIp, async () => {
        const [account] = await db
          .select({ user: users, credential: adminCredentials })
          .from(users)
          .innerJoin(adminCredentials, eq(adminCredentials.userId, users.id))
          .where(sql`lower(${users.email}) = lower(${email.trim()}) and ${users.role} = 'admin'`)
          .limit(1);
        const hash = account?.credential.passwordHash ?? (await decoyHash());
        const matches = await verifyPassword(password, hash);
        return account && matches ? account : null;
      });
      if (!result) throw invalidCredentials();
      const now = clock.now();
      await db.update(adminCredentials).set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now }).where(eq(adminCredentials.userId, result.user.id));
      const token = await signToken(deps.jwtSecret, { sub: String(result.user.id), role: "admin" }, ADMIN_TOKEN_TTL_SECONDS, now);
      return {
        token,
        expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + ADMIN_TOKEN_TTL_SECONDS * 1000).toISOString(),
        user: { id: result.user.id, email: result.user.email, name: result.user.name, role: result.user.role },
      };
    },

    /** The caller's principal, with their account when the token names one. */
    async me(principal: Principal): Promise<Me> {
      const me: Me = {
        sub: principal.sub,
        role: principal.role,
        expiresAt: principal.exp ? new Date(principal.exp * 1000).toISOString() : null,
        user: null,
      };
      if (principal.userId !== undefined) me.userId = principal.userId;
      if (principal.studentProfileId) me.studentProfileId = principal.studentProfileId;
      if (principal.userId !== undefined) {
        const [user] = await db.select().from(users).where(eq(users.id, principal.userId)).limit(1);
        if (user && user.role === principal.role) me.user = { id: user.id, email: user.email, name: user.name, role: user.role };
      }
      return me;
    },
  };
}

/** Creates or updates an admin account with console credentials (the password is re-hashed only when it changed). */
export async function upsertAdmin(db: Database, clock: Clock, input: { email: string; password: string; name?: string }): Promise<{ userId: number }> {
  const email = input.email.trim();
  const [existing] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
  let userId: number;
  if (existing) {
    if (existing.role !== "admin") throw new Error(`${email} belongs to a ${existing.role} account; choose another ADMIN_EMAIL`);
    userId = existing.id;
  } else {
    const [created] = await db
      .insert(users)
      .values({ email, name: input.name ?? "Admin", role: "admin", createdAt: clock.now(), updatedAt: clock.now() })
      .returning({ id: users.id });
    userId = (created as { id: number }).id;
  }
  const [credential] = await db.select().from(adminCredentials).where(eq(adminCredentials.userId, userId));
  if (credential && (await verifyPassword(input.password, credential.passwordHash))) return { userId };
  const passwordHash = await hashPassword(input.password);
  await db
    .insert(adminCredentials)
    .values({ userId, passwordHash, updatedAt: clock.now() })
    .onConflictDoUpdate({ target: adminCredentials.userId, set: { passwordHash, failedAttempts: 0, lockedUntil: null, updatedAt: clock.now() } });
  return { userId };
}

/**
 * Start-up seeding of the console account (call from main.ts after migrations). ADMIN_EMAIL and ADMIN_PASSWORD win;
 * in embedded mode without them, admin@thotis.local gets a generated password kept in DATA_DIR/admin-password so it
 * survives restarts. Returns what to print in the start banner (the password only when it was generated), or null.
 */
export async function seedConsoleAdmin(
  db: Database,
  clock: Clock,
  config: Pick<Config, "admin" | "embedded" | "dataDir">,
): Promise<{ email: string; password?: string } | null> {
  if (config.admin.email && config.admin.password) {
    await upsertAdmin(db, clock, { email: config.admin.email, password: config.admin.password });
    return { email: config.admin.email };
  }
  if (!config.embedded) return null;
  const file = join(config.dataDir, "admin-password");
  let password: string;
  if (existsSync(file)) {
    password = readFileSync(file, "utf8").trim();
  } else {
    password = generatePassword();
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
  }
  const email = config.admin.email ?? DEFAULT_ADMIN_EMAIL;
  await upsertAdmin(db, clock, { email, password });
  return { email, password };
}
