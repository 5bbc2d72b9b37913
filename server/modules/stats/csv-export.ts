import { type SQL, sql } from "drizzle-orm";
import { stringify } from "csv-stringify/sync";
import type { Database } from "../../../db/client.ts";
import type { Logger } from "../../lib/logger.ts";
import type { ExportQuery } from "./model.ts";
import { isoOf, percent, profileFilter, roundOne, rows, startTimeFilter } from "./sql.ts";

export const EXPORTS = ["mentors", "sessions", "ratings"] as const;
export type ExportKind = (typeof EXPORTS)[number];

/** Rows fetched per query: keyset pages keep memory flat however many rows the export has. */
export const EXPORT_BATCH_ROWS = 2000;

/**
 * The UTF-8 byte order mark opens the file: Excel (the usual reader of these exports) otherwise reads UTF-8 as the
 * local ANSI code page and mangles accented names. RFC 4180 parsers skip it (csv-parse with `bom: true`).
 */
const BOM = "\uFEFF";

/**
 * RFC 4180 through csv-stringify: CRLF records, quotes doubled, fields with a comma, quote or line break quoted.
 * escape_formulas prefixes ' to text cells starting with = + - @, tab or CR (CSV injection into spreadsheets);
 * numbers (negative ones too) are left alone.
 */
const csvOptions = {
  record_delimiter: "windows",
  escape_formulas: true,
  cast: { boolean: (v: boolean) => (v ? "true" : "false") },
} as const;

interface Spec {
  columns: string[];
  /** One page after the cursor (null: from the start), in key order; `key` of the last row is the next cursor. */
  page(db: Database, q: ExportQuery, after: string | null, limit: number): Promise<Record<string, unknown>[]>;
  key(row: Record<string, unknown>): string;
  cells(row: Record<string, unknown>): unknown[];
}

const afterId = (column: SQL, after: string | null, cast: "int" | "text") =>
  after === null ? sql`true` : cast === "int" ? sql`${column} > ${Number(after)}` : sql`${column} > ${after}`;

const specs: Record<ExportKind, Spec> = {
  mentors: {
    columns: [
      "id", "name", "email", "university", "field", "degree", "year", "is_active", "total_sessions", "completed_sessions",
      "cancelled_sessions", "completion_rate", "cancellation_rate", "average_rating", "total_ratings", "created_at",
    ],
    page: (db, q, after, limit) =>
      rows(
        db,
        sql`select p.id, u.name, u.email, p.university, p.field, p.degree, p.current_year, p.is_active, p.total_sessions,
                   p.completed_sessions, p.cancelled_sessions, p.average_rating::float8 as average_rating, p.total_ratings,
                   ${isoOf(sql`p.created_at`)} as created_at
              from student_profiles p join users u on u.id = p.user_id
             where ${profileFilter(q)} and ${afterId(sql`p.id`, after, "text")}
             order by p.id limit ${limit}`,
      ),
    key: (r) => String(r.id),
    cells: (r) => {
      const total = Number(r.total_sessions);
      return [
        r.id, r.name, r.email, r.university, r.field, r.degree, r.current_year, Boolean(r.is_active), total, Number(r.completed_sessions),
        Number(r.cancelled_sessions), percent(Number(r.completed_sessions), total), percent(Number(r.cancelled_sessions), total),
        roundOne(r.average_rating as number | null), Number(r.total_ratings), r.created_at,
      ];
    },
  },
  sessions: {
    columns: [
      "id", "mentor_id", "mentor_name", "field", "university", "start_time", "end_time", "status", "prospective_name", "prospective_email",
      "question", "cancelled_by", "cancellation_reason", "created_at",
    ],
    page: (db, q, after, limit) =>
      rows(
        db,
        sql`select b.id, b.student_profile_id, u.name, p.field, p.university, ${isoOf(sql`b.start_time`)} as start_time,
                   ${isoOf(sql`b.end_time`)} as end_time, b.status, b.prospective_name, b.prospective_email, b.question,
                   b.cancelled_by, b.cancellation_reason, ${isoOf(sql`b.created_at`)} as created_at
              from bookings b join student_profiles p on p.id = b.student_profile_id join users u on u.id = p.user_id
             where ${profileFilter(q)} and ${startTimeFilter(q)} and ${afterId(sql`b.id`, after, "int")}
             order by b.id limit ${limit}`,
      ),
    key: (r) => String(r.id),
    cells: (r) => [
      Number(r.id), r.student_profile_id, r.name, r.field, r.university, r.start_time, r.end_time, r.status, r.prospective_name,
      r.prospective_email, r.question, r.cancelled_by, r.cancellation_reason, r.created_at,
    ],
  },
  ratings: {
    columns: ["id", "booking_id", "mentor_id", "mentor_name", "rating", "feedback", "flagged", "review", "session_start", "created_at"],
    page: (db, q, after, limit) =>
      rows(
        db,
        sql`select r.id, r.booking_id, r.student_profile_id, u.name, r.rating, r.feedback, r.flagged, r.review,
                   ${isoOf(sql`b.start_time`)} as session_start, ${isoOf(sql`r.created_at`)} as created_at
              from session_ratings r join bookings b on b.id = r.booking_id
              join student_profiles p on p.id = r.student_profile_id join users u on u.id = p.user_id
             where ${profileFilter(q)} and ${startTimeFilter(q)} and ${afterId(sql`r.id`, after, "text")}
             order by r.id limit ${limit}`,
      ),
    key: (r) => String(r.id),
    cells: (r) => [
      r.id, Number(r.booking_id), r.student_profile_id, r.name, Number(r.rating), r.feedback, Boolean(r.flagged), r.review, r.session_start, r.created_at,
    ],
  },
};

/**
 * A CSV export as a byte stream: header row first, then one keyset page per pull, so a slow client holds the
 * database back (backpressure) instead of the server buffering the file. Pages are separate statements: rows
 * written during a long export may or may not appear, none appears twice.
 */
export function exportCsv(
  db: Database,
  kind: ExportKind,
  q: ExportQuery,
  opts: { logger?: Logger; batchRows?: number } = {},
): ReadableStream<Uint8Array> {
  const spec = specs[kind];
  const encoder = new TextEncoder();
  const limit = opts.batchRows ?? EXPORT_BATCH_ROWS;
  let after: string | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(BOM + stringify([spec.columns], csvOptions)));
          return;
        }
        try {
          const page = await spec.page(db, q, after, limit);
          if (page.length > 0) {
            after = spec.key(page[page.length - 1] as Record<string, unknown>);
            controller.enqueue(encoder.encode(stringify(page.map(spec.cells), csvOptions)));
          }
          if (page.length < limit) controller.close();
        } catch (error) {
          opts.logger?.error("CSV export failed mid-stream", { kind, error: error instanceof Error ? error.message : String(error) });
          controller.error(new Error("export failed"));
        }
      },
    },
    { highWaterMark: 1 },
  );
}
