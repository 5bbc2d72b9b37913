import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { users } from "./users.ts";

/**
 * One-time sign-in links e-mailed to mentors and admins. Only the SHA-256 of the token is kept, so a copy of the table
 * cannot sign anyone in. used_at is set by `UPDATE ... WHERE used_at IS NULL RETURNING`: of two concurrent clicks on
 * the same link, the database lets exactly one through.
 */
export const magicLinkTokens = pgTable(
  "magic_link_tokens",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    locale: varchar("locale", { length: 2 }).notNull().default("fr"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    /** Where it was asked from (client address), for investigations. */
    requestedFrom: text("requested_from"),
  },
  (t) => [
    uniqueIndex("magic_link_tokens_hash_key").on(t.tokenHash),
    index("magic_link_tokens_user_idx").on(t.userId, t.createdAt),
    check("magic_link_tokens_hash_hex", sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
    check("magic_link_tokens_expiry_after_creation", sql`${t.expiresAt} > ${t.createdAt}`),
    check("magic_link_tokens_locale_known", sql`${t.locale} in ('fr', 'en')`),
  ],
);
export type MagicLinkToken = typeof magicLinkTokens.$inferSelect;
