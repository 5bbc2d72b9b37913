import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { emailOutbox, magicLinkTokens, studentProfiles, users } from "../../../db/schema/index.ts";
import type { EmailProvider } from "../../integrations/email/port.ts";
import type { JobKind, JobQueue } from "../../jobs/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { AppError, ErrorCode, notFound } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { type Principal, type Role, signToken } from "../../plugins/auth.ts";
import type { RateLimiter } from "../../store/rate-limit.ts";
import { magicLinkEmail } from "./magic-link-email.ts";
import { normaliseEmail } from "../../lib/email-address.ts";
import { sendStoredEmail } from "../notifications/send-stored.ts";

/** A link is valid this long after it is asked for. */
export const MAGIC_LINK_TTL_MINUTES = 15;
/** Sessions opened by a link: as long as the admin password sign-in gives. */
export const LINK_SESSION_TTL_SECONDS = 12 * 3600;
/** The Thotis site acts for its signed-in mentor with tokens of at most an hour. */
export const MENTOR_EXCHANGE_TTL_SECONDS = 3600;
/** Links asked per address and per client (IP) within THROTTLE_WINDOW_SECONDS. */
export const LINKS_PER_ADDRESS = 3;
export const LINKS_PER_CLIENT = 10;
export const THROTTLE_WINDOW_SECONDS = 15 * 60;
export const MAGIC_LINK_EMAIL_JOB = "email.magic-link";

export interface SessionToken {
  token: string;
  role: Role;
  expiresAt: string;
  userId: number;
  studentProfileId?: string;
}

const sha256Hex = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex");

/** 256 random bits, URL-safe. */
const newToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

export type MagicLinkService = ReturnType<typeof createMagicLinkService>;

export function createMagicLinkService(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  jwtSecret: string;
  publicUrl: string;
  queue: JobQueue;
  provider: EmailProvider;
  perAddress: RateLimiter;
  perClient: RateLimiter;
}) {
  const { db, clock, logger } = deps;

  /** Who may sign in by e-mail: an admin, or a mentor whose profile is active. */
  async function eligibleByEmail(email: string) {
    const [row] = await db
      .select({ user: users, profileId: studentProfiles.id, active: studentProfiles.isActive })
      .from(users)
      .leftJoin(studentProfiles, eq(studentProfiles.userId, users.id))
      .where(sql`lower(${users.email}) = lower(${email.trim()})`)
      .limit(1);
    if (!row) return null;
    if (row.user.role === "admin") return row;
    if (row.user.role === "mentor" && row.profileId && row.active) return row;
    return null;
  }

  async function sign(userId: number, role: Role, ttlSeconds: number, studentProfileId?: string): Promise<SessionToken> {
    const now = clock.now();
    const claims: { sub: string; role: Role; studentProfileId?: string } = { sub: String(userId), role };
    if (studentProfileId) claims.studentProfileId = studentProfileId;
    const token = await signToken(deps.jwtSecret, claims, ttlSeconds, now);
    const result: SessionToken = {
      token,
      role,
      userId,
      expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + ttlSeconds * 1000).toISOString(),
    };
    if (studentProfileId) result.studentProfileId = studentProfileId;
    return result;
  }

  const rateLimited = (seconds: number) =>
    new AppError(
      429,
      ErrorCode.RATE_LIMITED,
      "Trop de demandes de lien ; réessayez plus tard / Too many sign-in link requests; try again later",
      { retryAfterSeconds: seconds },
      { "retry-after": String(seconds) },
    );

  return {
    /**
     * Asks for a sign-in link. The caller always hears the same thing (202) whether the address exists or not; a
     * client asking too often gets 429 (that says nothing about any address). An address asked for too often gets no
     * more mail until its window ends, silently, so the link cannot be used to flood someone's mailbox.
     */
    async request(input: { email: string; locale?: "fr" | "en" }, client: string | undefined): Promise<void> {
      const byClient = await deps.perClient.consume(`client:${client ?? "unknown"}`);
      if (!byClient.allowed) throw rateLimited(byClient.retryAfterSeconds);
      const email = normaliseEmail(input.email);
      const byAddress = await deps.perAddress.consume(`address:${await sha256Hex(email)}`);
      if (!byAddress.allowed) {
        logger.warn("magic link throttled for an address", { retryAfterSeconds: byAddress.retryAfterSeconds });
        return;
      }
      const account = await eligibleByEmail(email);
      if (!account) return;
      const locale = input.locale ?? (account.user.locale === "en" ? "en" : "fr");
      const token = newToken();
      const now = clock.now();
      const url = `${deps.publicUrl}/console/sign-in?token=${token}`;
      const rendered = magicLinkEmail({ locale, name: account.user.name, url, minutes: MAGIC_LINK_TTL_MINUTES, publicUrl: deps.publicUrl });
      // The token row, its e-mail and the job sending it commit together: no link without its mail, and no mail
      // for a link that does not exist.
      await db.transaction(async (tx) => {
        const [link] = await tx
          .insert(magicLinkTokens)
          .values({
            tokenHash: await sha256Hex(token),
            userId: account.user.id,
            locale,
            createdAt: now,
            expiresAt: new Date(now.getTime() + MAGIC_LINK_TTL_MINUTES * 60_000),
            requestedFrom: client ?? null,
          })
          .returning({ id: magicLinkTokens.id });
        const [mail] = await tx
          .insert(emailOutbox)
          .values({
            dedupeKey: `magic-link:${link!.id}`,
            kind: "magic_link",
            toAddress: account.user.email,
            toName: Array.from(account.user.name).slice(0, 120).join(""),
            locale,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            attachments: [],
            status: "queued",
            provider: deps.provider.name,
            createdAt: now,
          })
          .returning({ id: emailOutbox.id });
        await deps.queue.enqueue(tx as unknown as Database, { kind: MAGIC_LINK_EMAIL_JOB, payload: { emailId: mail!.id }, dedupeKey: `magic-link:${link!.id}` });
      });
      deps.queue.poke();
    },

    /**
     * Spends a link. `UPDATE ... WHERE used_at IS NULL AND expires_at > now RETURNING` lets exactly one of any number
     * of concurrent uses through; the others are told why they failed (unknown, used or expired).
     */
    async verify(token: string): Promise<SessionToken> {
      const hash = await sha256Hex(token);
      const now = clock.now();
      const [spent] = await db
        .update(magicLinkTokens)
        .set({ usedAt: now })
        .where(and(eq(magicLinkTokens.tokenHash, hash), isNull(magicLinkTokens.usedAt), gt(magicLinkTokens.expiresAt, now)))
        .returning({ userId: magicLinkTokens.userId });
      if (!spent) {
        const [link] = await db.select().from(magicLinkTokens).where(eq(magicLinkTokens.tokenHash, hash)).limit(1);
        if (!link) throw new AppError(401, ErrorCode.MAGIC_LINK_INVALID, "Lien de connexion invalide / This sign-in link is not valid");
        if (link.usedAt) throw new AppError(401, ErrorCode.MAGIC_LINK_USED, "Ce lien a déjà servi ; demandez-en un autre / This link was already used; ask for a new one");
        throw new AppError(401, ErrorCode.MAGIC_LINK_EXPIRED, "Ce lien a expiré ; demandez-en un autre / This link has expired; ask for a new one");
      }
      // The account may have changed since the link was sent (deactivated, role changed).
      const [row] = await db
        .select({ user: users, profileId: studentProfiles.id, active: studentProfiles.isActive })
        .from(users)
        .leftJoin(studentProfiles, eq(studentProfiles.userId, users.id))
        .where(eq(users.id, spent.userId))
        .limit(1);
      if (row?.user.role === "admin") return sign(row.user.id, "admin", LINK_SESSION_TTL_SECONDS);
      if (row?.user.role === "mentor" && row.profileId && row.active) return sign(row.user.id, "mentor", LINK_SESSION_TTL_SECONDS, row.profileId);
      throw new AppError(401, ErrorCode.MAGIC_LINK_INVALID, "Ce compte ne peut plus se connecter / This account can no longer sign in");
    },

    /** The Thotis site's exchange: its signed-in mentor's user id to a mentor JWT of at most an hour; each exchange logged. */
    async mentorToken(userId: number, by: Principal): Promise<SessionToken> {
      const [row] = await db
        .select({ user: users, profileId: studentProfiles.id, active: studentProfiles.isActive })
        .from(users)
        .leftJoin(studentProfiles, eq(studentProfiles.userId, users.id))
        .where(eq(users.id, userId))
        .limit(1);
      if (!row || row.user.role !== "mentor") throw notFound(ErrorCode.USER_NOT_FOUND, `No mentor with user id ${userId}`);
      if (row.profileId && !row.active) throw new AppError(403, ErrorCode.PROFILE_INACTIVE, "This mentor's profile is deactivated");
      const result = await sign(row.user.id, "mentor", MENTOR_EXCHANGE_TTL_SECONDS, row.profileId ?? undefined);
      logger.info("mentor token exchanged", {
        by: by.sub,
        byRole: by.role,
        mentorUserId: row.user.id,
        studentProfileId: row.profileId,
        expiresAt: result.expiresAt,
      });
      return result;
    },

    /** Sends one stored sign-in e-mail (durable job, retried with backoff; a sent row is not sent again). */
    emailJob: {
      maxAttempts: 5,
      timeoutMs: 60_000,
      backoffMs: (attempt: number) => Math.min(600_000, 15_000 * 2 ** (attempt - 1)),
      async handler(payload: { emailId: number }, context) {
        const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, payload.emailId)).limit(1);
        await sendStoredEmail({ db, clock, logger, provider: deps.provider }, row, context, "sign-in e-mail delivery failed");
      },
    } satisfies JobKind<{ emailId: number }>,
  };
}
