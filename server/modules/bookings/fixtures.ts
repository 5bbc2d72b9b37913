/**
 * Shared set-up of the booking suites: one real server on a fixed clock, mentors made through the API, and small
 * request helpers. Time is Monday 2026-06-01 06:00 UTC (08:00 in Paris); mentors are available 08:00-20:00 Paris time
 * every day (06:00-18:00 UTC in June), so the offered slots are known in advance.
 */
import { sql } from "drizzle-orm";
import { fixedClock } from "../../lib/clock.ts";
import { call, createMentor as createMentorThroughApi, type FixedClock, LONG_TTL, type Mentor, type TestCtx, useTestApp } from "../../test-support/mentors.ts";

export {
  call,
  DAY,
  expectError,
  HOUR,
  iso,
  type Json,
  LONG_TTL,
  listSlots,
  MIN,
  type Mentor,
  run,
  SLOT,
  validProfile,
} from "../../test-support/mentors.ts";

export const T0 = new Date("2026-06-01T06:00:00.000Z");
export const RUNS = 100;

export type Ctx = TestCtx<FixedClock>;

/** One app (real server, fresh database, fixed clock at T0, long-lived tokens) for the describe block that calls it. */
export const useApp = (): Ctx => useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL });

export const allWeek = (start = "08:00", end = "20:00") =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start, end }] }));

/** A mentor made through the API: user, complete profile, weekly schedule in Europe/Paris. */
export const createMentor = (ctx: Ctx, weekly = allWeek()): Promise<Mentor> =>
  createMentorThroughApi(ctx, { schedule: { timeZone: "Europe/Paris", weekly } });

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
