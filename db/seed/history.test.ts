/**
 * The demo history tells the truth: every counter the console shows is the sum of records behind it, through the
 * same endpoints a new admin opens (platform statistics, CSV exports, mentor profiles).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parse } from "csv-parse/sync";
import { and, count, eq, like, sql } from "drizzle-orm";
import { startTestApp, type TestApp } from "../../server/test-support/app.ts";
import { createTestDatabase } from "../../server/test-support/database.ts";
import { analyticsEvents, bookings, emailOutbox, sessionRatings, studentProfiles } from "../schema/index.ts";
import { demoMentors } from "./demo/mentors.ts";
import { type HistorySummary, plan, PROSPECT_EMAIL_DOMAIN, seedDemoHistory } from "./history.ts";
import { seedDemoData } from "./index.ts";

const DAY = 86_400_000;
let app: TestApp;
let admin: string;
let summary: HistorySummary;
const now = new Date();

beforeAll(async () => {
  const database = await createTestDatabase();
  await seedDemoData(database.db);
  app = await startTestApp({ database });
  summary = await seedDemoHistory(database.db, { config: app.config, now });
  admin = await app.token("admin");
}, 600_000);

afterAll(async () => {
  await app?.stop();
});

async function csvRows(file: string): Promise<Record<string, string>[]> {
  const res = await app.request(`/api/v2/admin/export/${file}`, { token: admin });
  expect(res.status).toBe(200);
  return parse((await res.text()).replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];
}

async function platform(query = "") {
  const res = await app.request(`/api/v2/platform/stats${query}`, { token: admin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { totalSessions: number; completedSessions: number; cancelledSessions: number; averageRating: number | null } }).data;
}

describe("demo history", () => {
  test("bookings over the past 90 days and the next 30: completed, cancelled by either side, upcoming", async () => {
    expect(summary.created).toBe(true);
    const rows = await app.database.db
      .select({ status: bookings.status, by: bookings.cancelledBy, start: bookings.startTime })
      .from(bookings)
      .where(like(bookings.prospectiveEmail, `%@${PROSPECT_EMAIL_DOMAIN}`));
    expect(rows.length).toBe(summary.bookings);
    expect(rows.length).toBeGreaterThan(100);
    const t = now.getTime();
    expect(rows.every((r) => r.start.getTime() >= t - 91 * DAY && r.start.getTime() < t + 31 * DAY)).toBe(true);
    expect(rows.some((r) => r.status === "COMPLETED")).toBe(true);
    expect(rows.some((r) => r.status === "ACCEPTED" && r.start.getTime() > t)).toBe(true);
    expect(rows.some((r) => r.status === "CANCELLED" && r.by === "student")).toBe(true);
    expect(rows.some((r) => r.status === "CANCELLED" && r.by === "mentor")).toBe(true);
    // Nothing that has ended is left open: the replay's daily automatic completion ran.
    expect(rows.some((r) => r.status === "ACCEPTED" && r.start.getTime() + 15 * 60_000 <= t - DAY)).toBe(false);
  });

  test("platform totalSessions equals the data rows of sessions.csv with no range; ratings.csv rows equal the mentors' rating counts", async () => {
    const stats = await platform();
    const sessions = await csvRows("sessions.csv");
    expect(stats.totalSessions).toBeGreaterThan(0);
    expect(stats.totalSessions).toBe(sessions.length);
    const ratings = await csvRows("ratings.csv");
    const [sum] = await app.database.db.select({ n: sql<number>`coalesce(sum(${studentProfiles.totalRatings}), 0)::int` }).from(studentProfiles);
    expect(ratings.length).toBeGreaterThan(0);
    expect(ratings.length).toBe(Number(sum?.n));
  });

  test("the last 30 days count sessions", async () => {
    const from = new Date(now.getTime() - 30 * DAY).toISOString();
    const stats = await platform(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(now.toISOString())}`);
    expect(stats.totalSessions).toBeGreaterThan(0);
    expect(stats.completedSessions).toBeGreaterThan(0);
  });

  test("every mentor's counters and average come from their bookings and whole-star ratings", async () => {
    const db = app.database.db;
    const profiles = await db.select().from(studentProfiles);
    for (const p of profiles) {
      const [b] = await db
        .select({
          total: count(),
          completed: sql<number>`(count(*) filter (where ${bookings.status} = 'COMPLETED'))::int`,
          cancelled: sql<number>`(count(*) filter (where ${bookings.status} = 'CANCELLED'))::int`,
        })
        .from(bookings)
        .where(eq(bookings.studentProfileId, p.id));
      const stars = await db.select({ r: sessionRatings.rating }).from(sessionRatings).where(eq(sessionRatings.studentProfileId, p.id));
      const where = `profile ${p.id}`;
      expect({ total: p.totalSessions, completed: p.completedSessions, cancelled: p.cancelledSessions }, where).toEqual({
        total: b?.total ?? 0,
        completed: Number(b?.completed ?? 0),
        cancelled: Number(b?.cancelled ?? 0),
      });
      expect(p.totalRatings, where).toBe(stars.length);
      if (stars.length === 0) expect(p.averageRating, where).toBeNull();
      else expect(Number(p.averageRating), where).toBeCloseTo(Math.round((stars.reduce((a, s) => a + s.r, 0) / stars.length) * 10) / 10, 5);
    }
  });

  test("ratings carry comments in French and English; e-mails and funnel events were caused by the bookings", async () => {
    const db = app.database.db;
    const comments = await db.select({ f: sessionRatings.feedback }).from(sessionRatings);
    expect(comments.some((c) => /merci|très|échange/i.test(c.f ?? ""))).toBe(true);
    expect(comments.some((c) => /thank|helpful|great/i.test(c.f ?? ""))).toBe(true);
    const [emails] = await db.select({ n: count() }).from(emailOutbox);
    expect(emails?.n ?? 0).toBeGreaterThanOrEqual(summary.bookings);
    const [created] = await db.select({ n: count() }).from(analyticsEvents).where(eq(analyticsEvents.name, "booking_created"));
    expect(created?.n).toBe(summary.bookings);
    const [opened] = await db.select({ n: count() }).from(analyticsEvents).where(eq(analyticsEvents.name, "widget_opened"));
    expect(opened?.n ?? 0).toBeGreaterThan(created?.n ?? 0);
    const [rated] = await db.select({ n: count() }).from(analyticsEvents).where(and(eq(analyticsEvents.name, "rating_submitted")));
    expect(rated?.n).toBe(summary.ratings);
  });

  test("idempotent: a second run adds nothing", async () => {
    const [before] = await app.database.db.select({ n: count() }).from(bookings);
    const again = await seedDemoHistory(app.database.db, { config: app.config, now });
    expect(again.created).toBe(false);
    const [after] = await app.database.db.select({ n: count() }).from(bookings);
    expect(after?.n).toBe(before?.n);
  });

  test("deterministic: the same now gives the same plan", () => {
    const mentors = demoMentors.slice(0, 10).map((m, index) => ({ id: m.profile.id, index }));
    const t = Date.UTC(2026, 0, 15, 10);
    expect(JSON.stringify(plan(t, mentors))).toBe(JSON.stringify(plan(t, mentors)));
  });
});
