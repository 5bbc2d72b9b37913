import { bigint, index, jsonb, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";

/**
 * Who read or changed personal data, what, when and from where. Append-only: migration 0010 adds triggers that
 * refuse UPDATE, DELETE and TRUNCATE, so not even the application can rewrite it. A person's address is never
 * written here in clear: `subject_hash` is a keyed hash of it (HMAC-SHA256), so an erased address leaves no
 * trace while an admin can still find the entries about an address they type.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** "admin:12", "prospective-student", "system:retention". */
    actor: varchar("actor", { length: 120 }).notNull(),
    role: varchar("role", { length: 16 }),
    action: varchar("action", { length: 48 }).notNull(),
    /** What was touched: "booking:12", "email:5", "export:sessions", "subject". */
    target: text("target"),
    subjectHash: varchar("subject_hash", { length: 64 }),
    ip: varchar("ip", { length: 64 }),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_action_at_idx").on(t.action, t.at),
    index("audit_log_subject_idx").on(t.subjectHash),
  ],
);
export type AuditEntry = typeof auditLog.$inferSelect;
