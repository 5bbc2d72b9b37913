import { describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { emailOutbox, magicLinkTokens, studentProfiles } from "../../../db/schema/index.ts";
import { fixedClock } from "../../lib/clock.ts";
import { upsertAdmin } from "./service.ts";
import { call, createMentor, expectError, listSlots, LONG_TTL, useTestApp, validProfile } from "../../test-support/mentors.ts";
import { LINKS_PER_ADDRESS, LINKS_PER_CLIENT, MAGIC_LINK_TTL_MINUTES } from "./magic-link.ts";

/**
 * Passwordless sign-in and the mentor token exchange, over real HTTP on the real database (PGlite, or Postgres with
 * TEST_DATABASE_URL). Each test asks from its own client address (TRUST_PROXY + X-Forwarded-For) so the per-client
 * budget of one test does not spill into the next.
 */
const T0 = new Date("2026-06-01T06:00:00.000Z");
const clock = fixedClock(T0);
const ctx = useTestApp({ clock, ttlSeconds: LONG_TTL, env: () => ({ TRUST_PROXY: "true", PUBLIC_URL: "http://127.0.0.1:9" }) });
let clientSeq = 0;
const newClient = () => `10.15.0.${++clientSeq}`;

const ask = (email: string, client: string, locale?: "fr" | "en") =>
  call(ctx, "/api/v2/auth/magic-link", { method: "POST", json: locale ? { email, locale } : { email }, headers: { "x-forwarded-for": client } });
const verify = (token: string) => call(ctx, "/api/v2/auth/magic-link/verify", { method: "POST", json: { token } });
const schedule = { timeZone: "Europe/Paris", weekly: [{ weekday: 1, ranges: [{ start: "09:00", end: "12:00" }] }] };

async function emailsTo(address: string) {
  const r = await call(ctx, `/api/v2/admin/emails?to=${encodeURIComponent(address)}&limit=100`, { token: ctx.admin });
  expect(r.status).toBe(200);
  return r.body.data.items as { id: number; subject: string; kind: string; status: string }[];
}

/** The token of the newest link sent to the address, read from the admin mailbox as a person would. */
async function linkTokenFor(address: string): Promise<string> {
  const [latest] = await emailsTo(address);
  expect(latest).toBeDefined();
  const full = await call(ctx, `/api/v2/admin/emails/${latest!.id}`, { token: ctx.admin });
  const match = (full.body.data.text as string).match(/\/console\/sign-in\?token=([A-Za-z0-9_-]+)/);
  expect(match).not.toBeNull();
  expect(full.body.data.html).toContain(`/console/sign-in?token=${match![1]}`);
  return match![1]!;
}

async function emailOf(userId: number): Promise<string> {
  const r = await call(ctx, `/api/v2/users/${userId}`, { token: ctx.admin });
  return r.body.data.email;
}

describe("Magic links", () => {
  test("a mentor's link opens their own schedule (not another's), works once, and only its hash is stored", async () => {
    const mine = await createMentor(ctx, { emailPrefix: "ml-own" });
    const other = await createMentor(ctx, { emailPrefix: "ml-other", schedule });
    const address = await emailOf(mine.userId);
    const asked = await ask(address.toUpperCase(), newClient(), "en");
    expect(asked.status).toBe(202);
    const [mail] = await emailsTo(address);
    expect(mail).toMatchObject({ kind: "magic_link", subject: "Your Thotis sign-in link" });
    const token = await linkTokenFor(address);

    const stored = await ctx.app.database.db.select().from(magicLinkTokens).where(eq(magicLinkTokens.userId, mine.userId));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - T0.getTime()).toBe(MAGIC_LINK_TTL_MINUTES * 60_000);

    const signed = await verify(token);
    expect(signed.status).toBe(200);
    expect(signed.body.data).toMatchObject({ role: "mentor", userId: mine.userId, studentProfileId: mine.profileId });
    expect(signed.body.data.expiresAt).toBe(new Date(T0.getTime() + 12 * 3600_000).toISOString());
    const jwt = signed.body.data.token as string;
    const me = await call(ctx, "/api/v2/auth/me", { token: jwt });
    expect(me.body.data).toMatchObject({ role: "mentor", userId: mine.userId, studentProfileId: mine.profileId });

    const put = await call(ctx, `/api/v2/students/${mine.profileId}/schedule`, { method: "PUT", token: jwt, json: schedule });
    expect(put.status).toBe(200);
    expect((await call(ctx, `/api/v2/students/${mine.profileId}/schedule`, { token: jwt })).status).toBe(200);
    expectError(await call(ctx, `/api/v2/students/${other.profileId}/schedule`, { token: jwt }), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, `/api/v2/students/${other.profileId}/schedule`, { method: "PUT", token: jwt, json: schedule }), 403, "INSUFFICIENT_PERMISSIONS");

    expectError(await verify(token), 401, "MAGIC_LINK_USED");
    expectError(await verify("A".repeat(43)), 401, "MAGIC_LINK_INVALID");
    expectError(await verify("short"), 400);
  });

  test("an unknown address, an integrator's and a deactivated mentor's all get 202 and no e-mail", async () => {
    const before = await ctx.app.database.db.select({ n: sql<number>`count(*)::int` }).from(emailOutbox);
    const tokensBefore = await ctx.app.database.db.select({ n: sql<number>`count(*)::int` }).from(magicLinkTokens);
    const integrator = await call(ctx, "/api/v2/users", {
      method: "POST",
      token: ctx.admin,
      json: { email: `site.${Date.now()}@thotis.fr`, name: "Site", role: "integrator" },
    });
    expect(integrator.status).toBe(201);
    const inactive = await createMentor(ctx, { emailPrefix: "ml-inactive" });
    await ctx.app.database.db.update(studentProfiles).set({ isActive: false }).where(eq(studentProfiles.id, inactive.profileId));
    for (const address of ["nobody@nowhere.example", integrator.body.data.email, await emailOf(inactive.userId)]) {
      const r = await ask(address, newClient());
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ status: "success", data: { accepted: true } });
    }
    const after = await ctx.app.database.db.select({ n: sql<number>`count(*)::int` }).from(emailOutbox);
    const tokensAfter = await ctx.app.database.db.select({ n: sql<number>`count(*)::int` }).from(magicLinkTokens);
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(tokensAfter[0]!.n).toBe(tokensBefore[0]!.n);
    expectError(await call(ctx, "/api/v2/auth/magic-link", { method: "POST", json: { email: "x@y.fr", extra: 1 } }), 400);
  });

  test("a link expires after 15 minutes (401 MAGIC_LINK_EXPIRED); the French e-mail is the default", async () => {
    const mentor = await createMentor(ctx, { emailPrefix: "ml-expiry" });
    const address = await emailOf(mentor.userId);
    expect((await ask(address, newClient())).status).toBe(202);
    const [mail] = await emailsTo(address);
    expect(mail!.subject).toBe("Votre lien de connexion Thotis");
    const token = await linkTokenFor(address);
    clock.advance(MAGIC_LINK_TTL_MINUTES * 60_000);
    try {
      expectError(await verify(token), 401, "MAGIC_LINK_EXPIRED");
    } finally {
      clock.set(T0);
    }
  });

  test("of concurrent uses of one link, the database lets exactly one through", async () => {
    const mentor = await createMentor(ctx, { emailPrefix: "ml-race" });
    const address = await emailOf(mentor.userId);
    await ask(address, newClient());
    const token = await linkTokenFor(address);
    const results = await Promise.all(Array.from({ length: 8 }, () => verify(token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, "MAGIC_LINK_USED");
  });

  test("admins may sign in by link too; the e-mail is sent by the job worker", async () => {
    const address = `links.admin.${Date.now()}@thotis.fr`;
    await upsertAdmin(ctx.app.database.db, clock, { email: address, password: "whatever-long-password" });
    await ask(address, newClient(), "en");
    const [queued] = await emailsTo(address);
    expect(queued!.status).toBe("queued");
    await ctx.app.jobs.createWorker().drain();
    const [sent] = await emailsTo(address);
    expect(sent!.status).toBe("sent");
    const r = await verify(await linkTokenFor(address));
    expect(r.status).toBe(200);
    expect(r.body.data.role).toBe("admin");
    expect(r.body.data.studentProfileId).toBeUndefined();
    expect((await call(ctx, "/api/v2/admin/mentors", { token: r.body.data.token })).status).toBe(200);
  });

  test("throttled: 3 e-mails per address per window (then 202 and none), 10 requests per client (then 429)", async () => {
    const mentor = await createMentor(ctx, { emailPrefix: "ml-throttle" });
    const address = await emailOf(mentor.userId);
    for (let i = 0; i < LINKS_PER_ADDRESS + 2; i++) expect((await ask(address, newClient())).status).toBe(202);
    expect(await emailsTo(address)).toHaveLength(LINKS_PER_ADDRESS);

    const client = newClient();
    for (let i = 0; i < LINKS_PER_CLIENT; i++) expect((await ask(`nobody.${i}@nowhere.example`, client)).status).toBe(202);
    const refused = await ask("nobody.x@nowhere.example", client);
    expectError(refused, 429, "RATE_LIMITED");
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("Mentor token exchange", () => {
  test("an integrator gets a mentor JWT of one hour that reads that mentor's schedule only; each exchange is logged", async () => {
    const mentor = await createMentor(ctx, { emailPrefix: "xchg", schedule });
    const other = await createMentor(ctx, { emailPrefix: "xchg-other", schedule });
    const r = await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", token: ctx.integrator, json: { userId: mentor.userId } });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ role: "mentor", userId: mentor.userId, studentProfileId: mentor.profileId });
    expect(r.body.data.expiresAt).toBe(new Date(T0.getTime() + 3600_000).toISOString());
    const jwt = r.body.data.token;
    expect((await call(ctx, `/api/v2/students/${mentor.profileId}/schedule`, { token: jwt })).status).toBe(200);
    expectError(await call(ctx, `/api/v2/students/${other.profileId}/schedule`, { token: jwt }), 403);
    expect(ctx.app.logs.some((l) => l.includes("mentor token exchanged") && l.includes(`"mentorUserId":${mentor.userId}`))).toBe(true);
    clock.advance(3600_000 + 1000);
    try {
      expectError(await call(ctx, `/api/v2/students/${mentor.profileId}/schedule`, { token: jwt }), 401, "TOKEN_EXPIRED");
    } finally {
      clock.set(T0);
    }
    // Admins may exchange too; mentors and widgets may not; non-mentors are not found.
    expect((await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", token: ctx.admin, json: { userId: mentor.userId } })).status).toBe(200);
    expectError(await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", token: mentor.token, json: { userId: other.userId } }), 403);
    expectError(await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", token: ctx.widget, json: { userId: mentor.userId } }), 403);
    expectError(await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", json: { userId: mentor.userId } }), 401);
    expectError(await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", token: ctx.integrator, json: { userId: 2_000_000_000 } }), 404, "USER_NOT_FOUND");
    expectError(await call(ctx, "/api/v2/auth/mentor-token", { method: "POST", token: ctx.integrator, json: { userId: "someone" } }), 400);
  });
});

describe("A mentor reaches only their own data", () => {
  test("profile, status, bookings and sessions of another mentor, and admin routes, are refused", async () => {
    const mine = await createMentor(ctx, { emailPrefix: "own-a", schedule });
    const other = await createMentor(ctx, { emailPrefix: "own-b", schedule });
    const t = mine.token;
    expect((await call(ctx, `/api/v2/students/${mine.profileId}/profile`, { method: "PUT", token: t, json: { degree: "Licence de droit" } })).status).toBe(200);
    expectError(await call(ctx, `/api/v2/students/${other.profileId}/profile`, { method: "PUT", token: t, json: { degree: "Pirated" } }), 403);
    expectError(await call(ctx, `/api/v2/students/${other.profileId}/status`, { method: "PATCH", token: t, json: { isActive: false } }), 403);
    expectError(await call(ctx, `/api/v2/students/${other.userId}/profile`, { method: "POST", token: t, json: validProfile }), 403);
    expectError(await call(ctx, `/api/v2/students/${other.profileId}/bookings`, { token: t }), 403);
    expectError(await call(ctx, "/api/v2/admin/mentors", { token: t }), 403);
    expectError(await call(ctx, "/api/v2/admin/emails", { token: t }), 403);
    expectError(await call(ctx, `/api/v2/users/${other.userId}`, { token: t }), 403);
    // Sessions: a booking of the other mentor is theirs alone; the mentor lists their own.
    const [slot] = await listSlots(ctx, other.profileId);
    const booked = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.integrator,
      json: { studentProfileId: other.profileId, dateTime: slot, prospectiveStudent: { name: "Lucas", email: "lucas@lycee.example" } },
    });
    expect(booked.status).toBe(201);
    const bookingId = booked.body.data.bookingId;
    expectError(await call(ctx, `/api/v2/bookings/${bookingId}`, { token: t }), 403);
    expectError(await call(ctx, `/api/v2/bookings/${bookingId}`, { method: "DELETE", token: t, json: { reason: "not mine", cancelledBy: "mentor" } }), 403);
    const theirSessions = await call(ctx, `/api/v2/students/${other.profileId}/bookings`, { token: other.token });
    expect(theirSessions.status).toBe(200);
    expect(theirSessions.body.data.items.map((b: { id: number }) => b.id)).toEqual([bookingId]);
    expect(JSON.stringify(theirSessions.body)).not.toContain("lucas@lycee.example");
    const mySessions = await call(ctx, `/api/v2/students/${mine.profileId}/bookings?scope=past`, { token: t });
    expect(mySessions.body.data).toMatchObject({ items: [], total: 0 });
    const theirs = await call(ctx, `/api/v2/students/${other.profileId}`, { token: ctx.admin });
    expect(theirs.body.data.degree).toBe("Master en Droit des Affaires");
  });
});
