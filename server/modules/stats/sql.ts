import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import type { AcademicField } from "../../../db/schema/index.ts";

/** Rows of a raw query, whichever driver ran it (postgres.js gives an array, PGlite an object with rows). */
export async function rows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}

/** An instant as ISO 8601 UTC text, computed in SQL, so both drivers give the same string. */
export const isoOf = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The profile filters every statistic shares, on the alias `p` (student_profiles). */
export function profileFilter(f: { field?: AcademicField; university?: string }): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.field) parts.push(sql`p.field = ${f.field}::academic_field`);
  if (f.university) parts.push(sql`p.university = ${f.university}`);
  return sql.join(parts, sql` and `);
}

/** Whether profileFilter restricts anything (else the join to student_profiles can be left out of booking scans). */
export const filtersProfiles = (f: { field?: AcademicField; university?: string }) => Boolean(f.field || f.university);

/** Sessions whose start time is in [from, to); an open end is unbounded. Alias `b` (bookings). */
export function startTimeFilter(f: { from?: string; to?: string }): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.from) parts.push(sql`b.start_time >= ${f.from}::timestamptz`);
  if (f.to) parts.push(sql`b.start_time < ${f.to}::timestamptz`);
  return sql.join(parts, sql` and `);
}

/** part / whole in percent with one decimal, half away from zero, exact (the quotient k + 0.5 is representable); 0 when whole is 0. */
export const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part * 1000) / whole) / 10 : 0);
export const roundOne = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);
