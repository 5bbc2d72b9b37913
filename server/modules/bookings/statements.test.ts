/**
 * A booking sends the same statement texts every time. Statements are prepared per connection and kept by text
 * (db/client.ts): a value written into a statement's text (a date inlined as a literal, say) would make every booking
 * prepare a statement of its own, parsed and planned afresh and kept by every connection until it is recycled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import { type Database, type DatabaseHandle, schema } from "../../../db/client.ts";
import { fixedClock } from "../../lib/clock.ts";
import { startTestApp } from "../../test-support/app.ts";
import { createTestDatabase } from "../../test-support/database.ts";
import { type Ctx, allWeek, book, bookBody, createMentor, DAY, iso, LONG_TTL, SLOT, student, T0 } from "./fixtures.ts";

/** The test database again, with every statement's text written down (Drizzle's query logger). */
async function loggedDatabase(texts: string[]): Promise<DatabaseHandle> {
  const base = await createTestDatabase();
  const client = (base.db as unknown as { $client: unknown }).$client;
  const logger = { logQuery: (query: string) => void texts.push(query) };
  const db = (
    base.kind === "pglite" ? drizzlePglite(client as PGlite, { schema, logger }) : drizzlePostgres(client as postgres.Sql, { schema, logger })
  ) as unknown as Database;
  return { ...base, db };
}

describe("booking statements", () => {
  const texts: string[] = [];
  const ctx = { clock: fixedClock(T0), ttlSeconds: LONG_TTL } as Ctx;
  beforeAll(async () => {
    ctx.app = await startTestApp({ clock: ctx.clock, database: await loggedDatabase(texts) });
    ctx.admin = await ctx.app.token("admin", { ttlSeconds: LONG_TTL });
    ctx.widget = await ctx.app.token("widget", { ttlSeconds: LONG_TTL });
  }, 120_000);
  afterAll(async () => {
    await ctx.app?.stop();
  });

  test("every booking sends the same statement texts, none of them carrying the booking's values", async () => {
    const sent: string[][] = [];
    for (let i = 0; i < 5; i++) {
      const mentor = await createMentor(ctx, allWeek());
      const start = iso(T0.getTime() + DAY + (i * 7 + 3) * SLOT);
      texts.length = 0;
      const res = await book(ctx, bookBody(mentor.profileId, start, { prospectiveStudent: student({ email: `statements.${i}@lycee.fr` }) }), { key: `statements-${i}` });
      expect(res.status).toBe(201);
      sent.push([...new Set(texts)].sort());
      for (const text of texts) {
        expect(text).not.toContain(start.slice(0, 16));
        expect(text).not.toContain(mentor.profileId);
        expect(text).not.toContain(`statements.${i}`);
      }
    }
    // The first booking also reads what later ones find cached (the subscribed webhook endpoints).
    expect(sent[1]!.length).toBeGreaterThan(5);
    expect(sent[1]!.filter((text) => !sent[0]!.includes(text))).toEqual([]);
    for (const texts of sent.slice(2)) expect(texts).toEqual(sent[1]!);
  }, 60_000);
});
