import { beforeAll, describe, expect, test } from "bun:test";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { fixedClock } from "../../lib/clock.ts";
import { call, createMentor, DAY, expectError, LONG_TTL, type Mentor, useTestApp, validProfile } from "../../test-support/mentors.ts";
import { EXPORT_BATCH_ROWS } from "./csv-export.ts";
import { clearBookings, insertBookings } from "./fixtures.ts";

const RUNS = 100;
const T0 = new Date("2026-06-01T06:00:00.000Z");
const EMAIL = "lucas.martin@lycee.fr";

/** Characters that break naive CSV: separators, quotes, line breaks, formula starters, emoji, accents. */
const tricky = fc.constantFrom(",", '"', "\n", "\r\n", "\r", "\t", "=", "+", "-", "@", ";", "'", "é", "ß", "😀", "👩‍🎓", " ", "a", "Z", "1", "\uFF1D");
const text = (min: number, max: number) => fc.string({ unit: fc.oneof(tricky, fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })), minLength: min, maxLength: max });
const validUniversity = "=HYPERLINK(\"http://evil\"), \"Paris\"\n😀";
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** What a spreadsheet-safe export shows for a text cell: a leading ' before formula starters, nothing else changed. */
const shown = (value: string | null) => (value === null ? "" : formulaStart.test(value) ? `'${value}` : value);

describe("CSV export", () => {
  const ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL });
  let mentor: Mentor;
  beforeAll(async () => {
    mentor = await createMentor(ctx, { profile: { ...validProfile, university: validUniversity } });
  });

  const download = async (path: string) => {
    const res = await ctx.app.request(path, { token: ctx.admin });
    const body = new Uint8Array(await res.arrayBuffer());
    return { res, body, text: new TextDecoder().decode(body) };
  };
  const parsed = (csv: string) => parse(csv, { bom: true, relax_column_count: true }) as string[][];

  test("Property 46: CSV Export Format Validity (header row, same column count on every row, values round-trip, formulas neutralised)", async () => {
    const db = ctx.app.database.db;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: text(1, 40), question: fc.option(text(0, 80), { nil: null }), feedback: fc.option(text(0, 80), { nil: null }), rating: fc.integer({ min: 1, max: 5 }) }), {
          minLength: 0,
          maxLength: 8,
        }),
        async (rows) => {
          await clearBookings(db);
          const valid = rows.filter((r) => r.name.trim().length > 0);
          const ids = await insertBookings(
            db,
            valid.map((r, i) => ({ profileId: mentor.profileId, start: T0.getTime() - DAY + i * 15 * 60_000, status: "COMPLETED" as const, name: r.name, question: r.question, email: EMAIL })),
          );
          for (const [i, id] of ids.entries()) {
            const r = valid[i] as (typeof valid)[number];
            const json = r.feedback === null ? { rating: r.rating, prospectiveEmail: EMAIL } : { rating: r.rating, feedback: r.feedback, prospectiveEmail: EMAIL };
            expect((await call(ctx, `/api/v2/bookings/${id}/rating`, { method: "POST", token: ctx.integrator, json })).status).toBe(201);
          }
          for (const file of ["sessions", "ratings", "mentors"] as const) {
            const { res, body, text: csv } = await download(`/api/v2/admin/export/${file}.csv`);
            expect(res.status).toBe(200);
            expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
            expect(res.headers.get("content-disposition")).toBe(`attachment; filename="thotis-${file}-2026-06-01.csv"`);
            expect([...body.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte order mark
            const records = parsed(csv);
            const header = records[0] as string[];
            expect(header[0]).toBe("id");
            expect(records.every((r) => r.length === header.length)).toBe(true);
            expect(records.length - 1).toBe(file === "mentors" ? 1 : valid.length);
            if (file === "sessions") {
              const byId = new Map(records.slice(1).map((r) => [Number(r[0]), Object.fromEntries(header.map((h, k) => [h, r[k]]))]));
              for (const [i, id] of ids.entries()) {
                const r = valid[i] as (typeof valid)[number];
                expect(byId.get(id)).toMatchObject({ prospective_name: shown(r.name), question: shown(r.question), status: "COMPLETED", university: shown(validUniversity) });
              }
            }
            if (file === "ratings") {
              const byBooking = new Map(records.slice(1).map((r) => [Number(r[1]), Object.fromEntries(header.map((h, k) => [h, r[k]]))]));
              for (const [i, id] of ids.entries()) {
                const r = valid[i] as (typeof valid)[number];
                const stored = r.feedback?.trim() ? r.feedback : null;
                expect(byBooking.get(id)).toMatchObject({ feedback: shown(stored), rating: String(r.rating), flagged: String(r.rating < 3) });
              }
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);

  test("streams across keyset pages: every row once, in id order; filters apply", async () => {
    const db = ctx.app.database.db;
    await clearBookings(db);
    const n = EXPORT_BATCH_ROWS * 2 + 37;
    // Past, non-overlapping quarter hours, one statement.
    await db.execute(sql`
      insert into bookings (student_profile_id, start_time, end_time, status, prospective_name, prospective_email, meeting_url, meeting_provider, completed_at)
      select ${mentor.profileId}, t, t + interval '15 minutes', 'COMPLETED', 'Élève ' || g, 'e' || g || '@lycee.fr', 'https://meet.jit.si/csv-' || g, 'jitsi', t
        from generate_series(1, ${n}) g, lateral (select ${T0.toISOString()}::timestamptz - g * interval '15 minutes' as t) s`);
    const { text: csv } = await download("/api/v2/admin/export/sessions.csv");
    const records = parsed(csv).slice(1);
    expect(records.length).toBe(n);
    const ids = records.map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(n);
    // A range by session start: the last 100 quarter hours before T0.
    const from = new Date(T0.getTime() - 100 * 15 * 60_000).toISOString();
    expect(parsed((await download(`/api/v2/admin/export/sessions.csv?from=${from}`)).text).length - 1).toBe(100);
    expect(parsed((await download("/api/v2/admin/export/sessions.csv?field=MEDICINE")).text).length).toBe(1); // header only
    expect(parsed((await download("/api/v2/admin/export/ratings.csv")).text)).toEqual([
      ["id", "booking_id", "mentor_id", "mentor_name", "rating", "feedback", "flagged", "review", "session_start", "created_at"],
    ]);
    await clearBookings(db);
  }, 60_000);

  test("admins only; unknown files are 400", async () => {
    expectError(await call(ctx, "/api/v2/admin/export/sessions.csv", { token: ctx.integrator }), 403);
    expectError(await call(ctx, "/api/v2/admin/export/sessions.csv"), 401);
    expectError(await call(ctx, "/api/v2/admin/export/users.csv", { token: ctx.admin }), 400);
  });
});
