import { describe, expect, test } from "bun:test";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { AppError, ErrorCode } from "../lib/errors.ts";
import { databaseUnavailableError, isDatabaseUnavailable } from "./database.ts";

const socketError = (code: string) => Object.assign(new Error(`read ${code}`), { code });

describe("isDatabaseUnavailable", () => {
  test("a query that lost its connection, as Drizzle reports it, and what wraps it further", () => {
    const lost = new DrizzleQueryError("select 1", [], socketError("ECONNRESET"));
    expect(isDatabaseUnavailable(lost)).toBe(true);
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], socketError("CONNECTION_CLOSED")))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
    // A job that sent several e-mails fails with one error naming them all; its cause keeps the database's part.
    expect(isDatabaseUnavailable(new Error("2 e-mails failed", { cause: lost }))).toBe(true);
    expect(isDatabaseUnavailable(databaseUnavailableError())).toBe(true);
  });

  test("an outside service refusing the connection is that service's error, not the database's", () => {
    const google = new AppError(502, ErrorCode.GOOGLE_CALENDAR_ERROR, "Google Calendar could not be reached");
    Object.defineProperty(google, "cause", { value: socketError("ECONNREFUSED") });
    expect(isDatabaseUnavailable(google)).toBe(false);
    expect(isDatabaseUnavailable(new Error("calendar sync failed", { cause: google }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("no cause"))).toBe(false);
    expect(isDatabaseUnavailable(new DrizzleQueryError("insert", [], Object.assign(new Error("duplicate"), { code: "23505" })))).toBe(false);
  });
});
