import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isDatabaseUnavailable } from "../../faults/database.ts";
import { Elysia } from "elysia";
import fc from "fast-check";
import type { DatabaseHandle } from "../../../db/client.ts";
import { createLogger } from "../../lib/logger.ts";
import { errorPlugin } from "../../plugins/errors.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";
import { createTestDatabase, breakSchema } from "../../test-support/database.ts";
import type { ErrorReport, ErrorReporter } from "./port.ts";

const GENERIC = { status: "error", error: { code: "INTERNAL_ERROR", message: "Something went wrong on our side. Please try again." } };

/** Internals that must never reach a user: SQL, stack frames, driver and runtime messages, file paths. */
const internalText = fc.oneof(
  fc.tuple(fc.constantFrom("bookings", "student_profiles", "users", "jobs"), fc.stringMatching(/^[a-z_]{1,12}$/)).map(
    ([table, col]) => `Failed query: select "${col}" from "${table}" where "${table}"."id" = $1 for update skip locked\nparams: 42`,
  ),
  fc.stringMatching(/^[A-Za-z]{1,12}$/).map((fn) => `TypeError: Cannot read properties of undefined (reading '${fn}')\n    at ${fn} (/app/server/modules/bookings/service.ts:118:27)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)`),
  fc.constantFrom(
    'duplicate key value violates unique constraint "bookings_meeting_url_key"',
    "connect ECONNREFUSED 10.0.3.7:5432",
    "password authentication failed for user \"thotis\"",
    "PGlite is closed",
    "CONNECTION_ENDED write CONNECTION_ENDED db.internal:5432",
    'relation "analytics_events" does not exist',
    "deadlock detected",
  ),
  fc.string({ minLength: 8, maxLength: 120 }).filter((s) => s.trim().length >= 8),
);

const throwable = fc.tuple(internalText, fc.constantFrom("Error", "TypeError", "RangeError", "driver", "string", "caused"), fc.constantFrom("", "XX000", "57P01", "08006", "53300")).map(
  ([text, kind, code]) => {
    if (kind === "string") return { text, error: text as unknown };
    const error = kind === "TypeError" ? new TypeError(text) : kind === "RangeError" ? new RangeError(text) : new Error(kind === "caused" ? "Failed query" : text);
    if (kind === "driver") Object.assign(error, { code: code || "XX000", detail: text, where: "SQL statement" });
    if (kind === "caused") (error as Error & { cause?: unknown }).cause = Object.assign(new Error(text), { code: code || "57P01" });
    return { text, error: error as unknown };
  },
);

const route = fc.tuple(
  fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
  fc.constantFrom("bookings", "students", "availability", "ratings", "admin", "analytics"),
  fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 3 }),
);

describe("Property 36: User-Friendly Error Messages", () => {
  test("Property 36: User-Friendly Error Messages — any internal error at any route gives the generic 500 (503 when the database is unreachable); the details go to the reporter", async () => {
    const reports: ErrorReport[] = [];
    const reporter: ErrorReporter = { kind: "log", capture: (r) => void reports.push(r), flush: async () => true };
    let current: unknown;
    const app = new Elysia({ normalize: true })
      .use(errorPlugin(createLogger("silent"), { reporter }))
      .all("/api/v2/*", () => {
        throw current;
      });
    await fc.assert(
      fc.asyncProperty(route, throwable, async ([method, feature, rest], { text, error }) => {
        current = error;
        reports.length = 0;
        const path = `/api/v2/${[feature, ...rest].join("/")}`;
        const res = await app.handle(
          new Request(`http://localhost${path}`, method === "GET" || method === "DELETE" ? { method } : { method, headers: { "content-type": "application/json" }, body: "{}" }),
        );
        const body = await res.text();
        // Nothing of the internal text leaks, not even a fragment of it.
        for (const fragment of text.split(/\s+/).filter((f) => f.length >= 6)) expect(body).not.toContain(fragment);
        expect(body).not.toMatch(/\bat .*:\d+:\d+|select |ECONNREFUSED|stack/i);
        if (isDatabaseUnavailable(error)) {
          // A database that went away (57P01, 08xxx, 53300) is an honest 503 to retry, a warning, not a bug report.
          expect(res.status).toBe(503);
          expect(JSON.parse(body).error.code).toBe("DATABASE_UNAVAILABLE");
          expect(res.headers.get("retry-after")).not.toBeNull();
          expect(reports).toHaveLength(0);
          return;
        }
        expect(res.status).toBe(500);
        expect(JSON.parse(body)).toEqual(GENERIC);
        // ... while the report keeps everything needed to find the cause.
        expect(reports).toHaveLength(1);
        expect(reports[0]!.error).toBe(error);
        expect(reports[0]!.tags).toEqual({ feature, errorCode: "INTERNAL_ERROR" });
      }),
      { numRuns: 200 },
    );
  });

  describe("booking failures in the real app", () => {
    let app: TestApp;
    let database: DatabaseHandle;
    beforeAll(async () => {
      database = await createTestDatabase();
      app = await startTestApp({ database });
      // The database goes away: every booking now fails inside the driver.
      await breakSchema(database);
    }, 120_000);
    afterAll(async () => {
      await app?.stop();
    await database?.close();
    });

    test("Property 36: User-Friendly Error Messages — a booking that fails inside the database answers the generic message only", async () => {
      const widget = await app.token("widget");
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^[a-z0-9]{1,24}$/),
          fc.integer({ min: 1, max: 60 * 24 * 20 }).map((q) => new Date(Date.UTC(2026, 11, 1) + q * 15 * 60_000).toISOString()),
          fc.constantFrom("Lucas Martin", "Zoé", "Jean-Baptiste O'Neil"),
          fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
          async (studentProfileId, dateTime, name, question) => {
            const res = await app.request("/api/v2/bookings", {
              method: "POST",
              token: widget,
              json: { studentProfileId, dateTime, prospectiveStudent: { name, email: "lucas@lycee.fr", ...(question === undefined ? {} : { question }) } },
            });
            const body = await res.text();
            expect(res.status).toBe(500);
            expect(JSON.parse(body)).toEqual(GENERIC);
            expect(body).not.toMatch(/PGlite|closed|CONNECTION|postgres|select|insert|\.ts:\d+/i);
          },
        ),
        { numRuns: 100 },
      );
      // The cause is in the log, tied to the request id the client got.
      const line = app.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "unhandled error" && l.feature === "bookings");
      expect(line).toMatchObject({ level: "error", errorCode: "INTERNAL_ERROR", method: "POST", userId: "test-widget" });
      expect(line.requestId).toEqual(expect.any(String));
      expect(line.stack).toEqual(expect.any(String));
    }, 120_000);
  });
});
