import { createHmac } from "node:crypto";
import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { auditLog } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { normaliseEmail } from "../../lib/email-address.ts";

/** Who acted and from where; the HTTP layer fills it from the verified token and the client address. */
export interface AuditActor {
  actor: string;
  role?: string | null;
  ip?: string | null;
}

export interface AuditEntryInput extends AuditActor {
  action: string;
  target?: string | null;
  /** A person's e-mail address the action was about; stored only as its keyed hash. */
  subject?: string | null;
  details?: Record<string, unknown> | null;
}

export interface AuditListFilter {
  page: number;
  limit: number;
  action?: string;
  actor?: string;
  subject?: string;
  from?: string;
  to?: string;
}

export type AuditService = ReturnType<typeof createAuditService>;


/**
 * The append-only audit trail. `record` takes the executor, so an erasure and its audit entry commit together.
 * Addresses appear only as HMAC-SHA256 under a key derived from the app secret: after an erasure nothing in the log
 * names the person, yet an admin who types the address finds its entries.
 */
export function createAuditService(deps: { db: Database; clock: Clock; secret: string }) {
  const { db, clock } = deps;
  const key = createHmac("sha256", deps.secret).update("thotis:audit-subject").digest();
  const hashSubject = (email: string) => createHmac("sha256", key).update(normaliseEmail(email)).digest("hex");

  /** Any string carrying an '@' in details is replaced by its hash, so a query like ?to=<address> never lands in clear. */
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") return value.includes("@") ? `hmac:${hashSubject(value)}` : value;
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    return value;
  };

  return {
    hashSubject,
    scrub,
    async record(executor: Database, entry: AuditEntryInput): Promise<void> {
      await executor.insert(auditLog).values({
        at: clock.now(),
        actor: entry.actor.slice(0, 120),
        role: entry.role ?? null,
        action: entry.action,
        target: entry.target ?? null,
        subjectHash: entry.subject ? hashSubject(entry.subject) : null,
        ip: entry.ip?.slice(0, 64) ?? null,
        details: entry.details ? (scrub(entry.details) as Record<string, unknown>) : null,
      });
    },
    /** Newest first. `subject` is an address: matched through its hash. */
    async list(filter: AuditListFilter) {
      const where = and(
        filter.action ? eq(auditLog.action, filter.action) : undefined,
        filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
        filter.subject ? eq(auditLog.subjectHash, hashSubject(filter.subject)) : undefined,
        filter.from ? gte(auditLog.at, new Date(filter.from)) : undefined,
        filter.to ? lt(auditLog.at, new Date(filter.to)) : undefined,
      );
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(auditLog)
          .where(where)
          .orderBy(desc(auditLog.id))
          .limit(filter.limit)
          .offset((filter.page - 1) * filter.limit),
        db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(where),
      ]);
      return {
        items: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actor: r.actor,
          role: r.role,
          action: r.action,
          target: r.target,
          subjectHash: r.subjectHash,
          ip: r.ip,
          details: r.details,
        })),
        total: count?.n ?? 0,
        page: filter.page,
        limit: filter.limit,
      };
    },
  };
}
