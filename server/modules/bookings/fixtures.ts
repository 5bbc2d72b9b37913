/**
 * Shared set-up of the booking suites: one real server on a fixed clock, mentors made through the API, and small
 * request helpers. Time is Monday 2026-06-01 06:00 UTC (08:00 in Paris); mentors are available 08:00-20:00 Paris time
 * every day (06:00-18:00 UTC in June), so the offered slots are known in advance.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { sql } from "drizzle-orm";
import { fixedClock } from "../../lib/clock.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
export type Json = any;

export const T0 = new Date("2026-06-01T06:00:00.000Z");
export const MIN = 60_000;
export const SLOT = 15 * MIN;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Tokens outlive any clock move the tests make. */
export const LONG_TTL = 400 * 86_400;
export const RUNS = 100;
export const run = Date.now().toString(36);
let seq = 0;

export const iso = (ms: number) => new Date(ms).toISOString();

export interface Ctx {
  app: TestApp;
  clock: ReturnType<typeof fixedClock>;
  admin: string;
  integrator: string;
  widget: string;
}

export interface Mentor {
  userId: number;
  profileId: string;
  token: string;
}

/** One app (real server, fresh database, fixed clock) for the describe block that calls it. */
export function useApp(): Ctx {
  const ctx = {} as Ctx;
  beforeAll(async () => {
    ctx.clock = fixedClock(T0);
    ctx.app = await startTestApp({ clock: ctx.clock });
    ctx.admin = await ctx.app.token("admin", { ttlSeconds: LONG_TTL });
    ctx.integrator = await ctx.app.token("integrator", { ttlSeconds: LONG_TTL });
    ctx.widget = await ctx.app.token("widget", { ttlSeconds: LONG_TTL });
  }, 120_000);
  afterAll(async () => {
    await ctx.app?.stop();
  });
  return ctx;
}

export async function call(ctx: Ctx, path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const res = await ctx.app.request(path, init);
  const text = await res.text();
  const body: Json = text ? JSON.parse(text) : null;
  return { res, status: res.status, body };
}

export function expectError(r: { status: number; body: Json }, status: number, code?: string) {
  expect({ status: r.status, code: code === undefined ? undefined : r.body?.error?.code }).toEqual({ status, code });
  expect(r.body.status).toBe("error");
}

export const validProfile = {
  university: "Université Paris 1 Panthéon-Sorbonne",
  degree: "Master en Droit des Affaires",
  field: "LAW",
  currentYear: 2,
  bio: "Passionnée par le droit des affaires et le droit européen. J'ai effectué un stage chez un avocat d'affaires.",
};
export const allWeek = (start = "08:00", end = "20:00") =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start, end }] }));

/** A mentor made through the API: user, complete profile, weekly schedule in Europe/Paris. */
export async function createMentor(ctx: Ctx, weekly = allWeek()): Promise<Mentor> {
  const user = await call(ctx, "/api/v2/users", {
    method: "POST",
    token: ctx.admin,
    json: { email: `mentor.${++seq}.${run}@example.fr`, name: `Mentor ${seq}`, role: "mentor", timeZone: "Europe/Paris" },
  });
  expect(user.status).toBe(201);
  const userId: number = user.body.data.id;
  const profile = await call(ctx, `/api/v2/students/${userId}/profile`, { method: "POST", token: ctx.admin, json: validProfile });
  expect(profile.status).toBe(201);
  const profileId: string = profile.body.data.id;
  const schedule = await call(ctx, `/api/v2/students/${profileId}/schedule`, {
    method: "PUT",
    token: ctx.admin,
    json: { timeZone: "Europe/Paris", weekly },
  });
  expect(schedule.status).toBe(200);
  const token = await ctx.app.token("mentor", { sub: String(userId), studentProfileId: profileId, ttlSeconds: LONG_TTL });
  return { userId, profileId, token };
}

export async function listSlots(ctx: Ctx, profileId: string, query: Record<string, string | number> = {}, token = ctx.widget): Promise<string[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  const r = await call(ctx, `/api/v2/students/${profileId}/availability${qs ? `?${qs}` : ""}`, { token });
  expect(r.status).toBe(200);
  return r.body.data.slots.map((s: { start: string }) => s.start);
}

export const student = (over: Record<string, unknown> = {}) => ({ name: "Lucas Martin", email: "lucas.martin@lycee.fr", ...over });
export const bookBody = (profileId: string, dateTime: string, over: Record<string, unknown> = {}) => ({
  studentProfileId: profileId,
  dateTime,
  prospectiveStudent: student(),
  ...over,
});

export function book(ctx: Ctx, body: unknown, opts: { token?: string; key?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.key !== undefined) headers["idempotency-key"] = opts.key;
  return call(ctx, "/api/v2/bookings", { method: "POST", token: opts.token ?? ctx.widget, json: body, headers });
}

export const getBooking = (ctx: Ctx, id: number, token = ctx.admin) => call(ctx, `/api/v2/bookings/${id}`, { token });
export const cancelBooking = (ctx: Ctx, id: number, token = ctx.admin, json: unknown = { reason: "Empêchement", cancelledBy: "student" }) =>
  call(ctx, `/api/v2/bookings/${id}`, { method: "DELETE", token, json });

/** Forgets every booking and counter, puts the clock back to T0 and drops cached availability answers. */
export async function reset(ctx: Ctx, mentors: Mentor[]) {
  const db = ctx.app.database.db;
  await db.execute(sql`delete from booking_history`);
  await db.execute(sql`delete from bookings`);
  await db.execute(sql`delete from idempotency_keys`);
  await db.execute(sql`update student_profiles set total_sessions = 0, completed_sessions = 0, cancelled_sessions = 0`);
  ctx.clock.set(T0);
  for (const m of mentors) await ctx.app.services.availability.slotsChanged(m.profileId);
}
