import { sql } from "drizzle-orm";
import { check, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";

/** Roles a user account can hold. `widget` is a token-only role and has no account. */
export const userRoles = ["admin", "integrator", "mentor"] as const;
export type UserRole = (typeof userRoles)[number];
export const userRole = pgEnum("user_role", userRoles);

export const locales = ["fr", "en"] as const;
export type Locale = (typeof locales)[number];

export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    email: varchar("email", { length: 254 }).notNull(),
    name: varchar("name", { length: 120 }).notNull(),
    role: userRole("role").notNull().default("mentor"),
    // IANA zone name, validated by the API (Intl) since Postgres has no IANA type of its own.
    timeZone: varchar("time_zone", { length: 64 }).notNull().default("Europe/Paris"),
    locale: varchar("locale", { length: 2 }).notNull().default("fr"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // E-mail addresses are unique regardless of case.
    uniqueIndex("users_email_lower_key").on(sql`lower(${table.email})`),
    check("users_email_format", sql`${table.email} ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`),
    check("users_name_not_blank", sql`length(btrim(${table.name})) > 0`),
    check("users_locale_known", sql`${table.locale} in ('fr', 'en')`),
    check("users_time_zone_not_blank", sql`length(${table.timeZone}) > 0`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
