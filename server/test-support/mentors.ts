/**
 * Set-up shared by the suites that drive mentors through the real HTTP API (availability, schedules, discovery,
 * Cal.com, bookings): one server per describe block (optionally on a fixed clock) with admin/integrator/widget
 * tokens, a request helper that parses the JSON envelope, error assertions, and mentors made the way a client would
 * make them (POST /users, POST /students/:userId/profile, then optionally PUT /students/:id/schedule). Kept here so
 * the suites do not each carry a copy that drifts from the others.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { type Clock, type fixedClock, systemClock } from "../lib/clock.ts";
import { startTestApp, type TestApp } from "./app.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
export type Json = any;

export type FixedClock = ReturnType<typeof fixedClock>;

export const MIN = 60_000;
export const SLOT = 15 * MIN;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Tokens outlive any clock move the tests make. */
export const LONG_TTL = 400 * 86_400;
/** Makes e-mail addresses and idempotency keys unique to this run. */
export const run = Date.now().toString(36);
let seq = 0;

export const iso = (ms: number) => new Date(ms).toISOString();

export interface TestCtx<C extends Clock = Clock> {
  app: TestApp;
  clock: C;
  admin: string;
  integrator: string;
  widget: string;
  /** Lifetime of every token minted for this app (mentors' too); the app's default when undefined. */
  ttlSeconds?: number;
}

export interface Mentor {
  userId: number;
  profileId: string;
  token: string;
}

/**
 * One app (real server, fresh database) for the describe block (or file) that calls it; the returned object is filled
 * in by beforeAll. `env` is read when the app starts, so it may use values set up by an earlier beforeAll.
 */
export function useTestApp<C extends Clock = Clock>(
  options: { clock?: C; ttlSeconds?: number; env?: () => Record<string, string> } = {},
): TestCtx<C> {
  const ctx = { clock: options.clock ?? systemClock, ttlSeconds: options.ttlSeconds } as TestCtx<C>;
  beforeAll(async () => {
    const app = await startTestApp({ clock: options.clock, env: options.env?.() });
    Object.assign(ctx, await testContext(app, ctx.clock, options.ttlSeconds));
  }, 120_000);
  afterAll(async () => {
    await ctx.app?.stop();
  });
  return ctx;
}

/** The context the helpers below take, for an app already started: its clock and the three role tokens. */
export async function testContext<C extends Clock>(app: TestApp, clock: C, ttlSeconds?: number): Promise<TestCtx<C>> {
  const ttl = ttlSeconds === undefined ? undefined : { ttlSeconds };
  return {
    app,
    clock,
    ttlSeconds,
    admin: await app.token("admin", ttl),
    integrator: await app.token("integrator", ttl),
    widget: await app.token("widget", ttl),
  };
}

/** A request with the body read once: parsed as JSON when it is JSON, the raw text otherwise, null when empty. */
export async function call(ctx: { app: TestApp }, path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const res = await ctx.app.request(path, init);
  const text = await res.text();
  let body: Json = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { res, status: res.status, body };
}

/** The status and (when given) the error code, compared together so a failure shows both. */
export function expectErrorCode(r: { status: number; body: Json }, status: number, code?: string) {
  expect({ status: r.status, code: code === undefined ? undefined : r.body?.error?.code }).toEqual({ status, code });
}

/** expectErrorCode, and the body is the error envelope. */
export function expectError(r: { status: number; body: Json }, status: number, code?: string) {
  expectErrorCode(r, status, code);
  expect(r.body.status).toBe("error");
}

export const validProfile = {
  university: "Université Paris 1 Panthéon-Sorbonne",
  degree: "Master en Droit des Affaires",
  field: "LAW",
  currentYear: 2,
  bio: "Passionnée par le droit des affaires et le droit européen. J'ai effectué un stage chez un avocat d'affaires.",
};

export interface MentorOptions {
  /** The address is `<emailPrefix>.<n>.<run>@example.fr`. */
  emailPrefix?: string;
  /** The user's zone (Europe/Paris by default). */
  timeZone?: string;
  profile?: Record<string, unknown>;
  /** PUT as the mentor's schedule when given (expects 200). */
  schedule?: { timeZone: string } & Record<string, unknown>;
  /** Who PUTs the schedule: an admin (default) or the mentor themself. */
  scheduleAs?: "admin" | "mentor";
}

/** A mentor made through the API: user, complete profile, and the schedule when one is given. */
export async function createMentor(ctx: TestCtx, options: MentorOptions = {}): Promise<Mentor> {
  const { emailPrefix = "mentor", timeZone = "Europe/Paris", profile = validProfile } = options;
  const user = await call(ctx, "/api/v2/users", {
    method: "POST",
    token: ctx.admin,
    json: { email: `${emailPrefix}.${++seq}.${run}@example.fr`, name: `Mentor ${seq}`, role: "mentor", timeZone },
  });
  expect(user.status).toBe(201);
  const userId: number = user.body.data.id;
  const created = await call(ctx, `/api/v2/students/${userId}/profile`, { method: "POST", token: ctx.admin, json: profile });
  expect(created.status).toBe(201);
  const profileId: string = created.body.data.id;
  const ttl = ctx.ttlSeconds === undefined ? {} : { ttlSeconds: ctx.ttlSeconds };
  const token = await ctx.app.token("mentor", { sub: String(userId), studentProfileId: profileId, ...ttl });
  if (options.schedule) {
    const put = await call(ctx, `/api/v2/students/${profileId}/schedule`, {
      method: "PUT",
      token: options.scheduleAs === "mentor" ? token : ctx.admin,
      json: options.schedule,
    });
    expect(put.status).toBe(200);
  }
  return { userId, profileId, token };
}

/** The slot starts GET /students/:id/availability offers (expects 200), as the widget unless another token is given. */
export async function listSlots(ctx: TestCtx, profileId: string, query: Record<string, string | number> = {}, token = ctx.widget): Promise<string[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  const r = await call(ctx, `/api/v2/students/${profileId}/availability${qs ? `?${qs}` : ""}`, { token });
  expect(r.status).toBe(200);
  return r.body.data.slots.map((s: { start: string }) => s.start);
}
