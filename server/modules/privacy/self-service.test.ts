/**
 * The prospective student's own path (the manage link in their e-mails: download, ask for erasure, confirm by the
 * e-mailed link) and the mentors' (export; erasure once deactivated, statistics kept), through the real HTTP API.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { bookings, emailOutbox, studentProfiles, users } from "../../../db/schema/index.ts";
import { book, bookBody, call, createMentor, type Ctx, type Json, run, useApp } from "../bookings/fixtures.ts";
import { localMediaStorage } from "../../lib/media-storage.ts";
import { scanDatabase } from "./fixtures.ts";

const drain = (ctx: Ctx) => ctx.app.jobs.createWorker().drain();

async function bookFor(ctx: Ctx, profileId: string, who: { name: string; email: string }, dateTime: string) {
  const r = await book(ctx, bookBody(profileId, dateTime, { prospectiveStudent: who }));
  expect(r.status).toBe(201);
  return r.body.data.bookingId as number;
}

describe("self-service from the manage link", () => {
  const ctx = useApp();
  test("download my data, ask for erasure, confirm from the e-mailed link", async () => {
    const mentor = await createMentor(ctx);
    const me = { name: `Inès Selfservice${run}`, email: `ines.self.${run}@lycee.fr` };
    const id = await bookFor(ctx, mentor.profileId, me, "2026-06-02T10:00:00.000Z");
    await drain(ctx);
    const db = ctx.app.database.db;
    const [row] = await db.select().from(bookings).where(eq(bookings.id, id));
    const manage = await ctx.app.services.manageTokens.sign(id, row!.endTime);

    const mine = await call(ctx, "/api/v2/privacy/me", { token: manage });
    expect(mine.status).toBe(200);
    expect(mine.body.data.bookings.map((b: Json) => b.id)).toEqual([id]);
    expect(mine.body.data.emails.some((m: Json) => m.to === me.email)).toBe(true);
    const file = await ctx.app.request("/api/v2/privacy/me?download=true", { token: manage });
    expect(file.headers.get("content-disposition")).toStartWith("attachment;");
    // Another kind of token does not open it.
    expect((await call(ctx, "/api/v2/privacy/me", { token: ctx.admin })).status).toBe(403);

    const asked = await call(ctx, "/api/v2/privacy/me/erasure", { method: "POST", token: manage });
    expect(asked.status).toBe(202);
    expect(asked.body.data).toEqual({ sentTo: `i***@lycee.fr`, expiresInHours: 24 });
    const [mail] = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "privacy_erasure_confirm"));
    expect(mail?.toAddress).toBe(me.email);
    const link = mail!.text.match(/https?:\/\/\S+\/privacy\/erase\?token=(\S+)/);
    expect(link).not.toBeNull();
    const token = decodeURIComponent(link![1]!);

    // Opening the link erases nothing (mail scanners follow links); it shows a confirmation form.
    const page = await ctx.app.request(`/privacy/erase?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/privacy/erase">');
    expect((await db.select().from(bookings).where(eq(bookings.id, id)))[0]?.prospectiveEmail).toBe(me.email);
    const forged = await ctx.app.request(`/privacy/erase?token=${encodeURIComponent(`${token}x`)}`);
    expect(forged.status).toBe(400);

    const confirmed = await ctx.app.request("/privacy/erase", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Data erased");
    await drain(ctx);
    const [after] = await db.select().from(bookings).where(eq(bookings.id, id));
    expect(after?.status).toBe("CANCELLED");
    expect(await scanDatabase(db, [me.email, me.name])).toEqual([]);
    // The manage link now finds nothing to show.
    expect((await call(ctx, "/api/v2/privacy/me", { token: manage })).status).toBe(404);

    const audit = await call(ctx, "/api/v2/admin/audit?limit=100", { token: ctx.admin });
    const mineAudit = audit.body.data.items.filter((e: Json) => e.actor.startsWith("prospective-student"));
    expect(mineAudit.map((e: Json) => e.action).sort()).toEqual(["privacy.erase", "privacy.erase-requested", "privacy.export", "privacy.export"]);
  }, 120_000);
});

describe("mentors", () => {
  const ctx = useApp();
  test("a mentor's export; erasure refused while active, then done with statistics kept", async () => {
    const mentor = await createMentor(ctx);
    const student = { name: `Hugo Mentee${run}`, email: `hugo.mentee.${run}@lycee.fr` };
    const id = await bookFor(ctx, mentor.profileId, student, "2026-06-01T10:00:00.000Z");
    ctx.clock.set("2026-06-01T11:00:00.000Z");
    await drain(ctx);
    expect((await call(ctx, `/api/v2/bookings/${id}/rating`, { method: "POST", token: ctx.admin, json: { rating: 5, prospectiveEmail: student.email } })).status).toBe(201);
    const db = ctx.app.database.db;
    const [user] = await db.select().from(users).where(eq(users.id, mentor.userId));

    const exported = await call(ctx, `/api/v2/admin/privacy/mentors/${mentor.profileId}`, { token: ctx.admin });
    expect(exported.status).toBe(200);
    expect(exported.body.data.account).toMatchObject({ email: user!.email, name: user!.name });
    expect(exported.body.data.sessions.map((s: Json) => s.id)).toEqual([id]);
    expect(exported.body.data.ratingsReceived.map((r: Json) => r.rating)).toEqual([5]);
    expect(JSON.stringify(exported.body.data)).not.toContain(student.email);

    const reason = { reason: "Départ du programme" };
    const active = await call(ctx, `/api/v2/admin/privacy/mentors/${mentor.profileId}`, { method: "DELETE", token: ctx.admin, json: reason });
    expect(active.status).toBe(409);
    // An uploaded photo (put where the upload route puts it): the file goes with the rest.
    const photo = await localMediaStorage(ctx.app.config.mediaDir).put(`photos/${mentor.profileId}-test.webp`, new Uint8Array([1, 2, 3]));
    await db.update(studentProfiles).set({ profilePhotoUrl: photo }).where(eq(studentProfiles.id, mentor.profileId));
    expect(existsSync(join(ctx.app.config.mediaDir, `photos/${mentor.profileId}-test.webp`))).toBe(true);
    expect((await call(ctx, `/api/v2/students/${mentor.profileId}/status`, { method: "PATCH", token: ctx.admin, json: { isActive: false } })).status).toBe(200);
    const [before] = await db.select().from(studentProfiles).where(eq(studentProfiles.id, mentor.profileId));

    const erased = await call(ctx, `/api/v2/admin/privacy/mentors/${mentor.profileId}`, { method: "DELETE", token: ctx.admin, json: reason });
    expect(erased.status).toBe(200);
    expect(erased.body.data).toMatchObject({ alreadyErased: false, reason: "Départ du programme" });
    expect(erased.body.data.emailsDeleted).toBeGreaterThan(0);
    expect(await scanDatabase(db, [user!.email, user!.name])).toEqual([]);
    expect(existsSync(join(ctx.app.config.mediaDir, `photos/${mentor.profileId}-test.webp`))).toBe(false);
    const [after] = await db.select().from(studentProfiles).where(eq(studentProfiles.id, mentor.profileId));
    expect({ total: after!.totalSessions, completed: after!.completedSessions, avg: after!.averageRating, n: after!.totalRatings }).toEqual({
      total: before!.totalSessions,
      completed: before!.completedSessions,
      avg: before!.averageRating,
      n: before!.totalRatings,
    });
    expect(after).toMatchObject({ totalSessions: 1, completedSessions: 1, totalRatings: 1, bio: null });
    expect((await db.select().from(bookings).where(eq(bookings.studentProfileId, mentor.profileId))).map((b) => b.status)).toEqual(["COMPLETED"]);
    const again = await call(ctx, `/api/v2/admin/privacy/mentors/${mentor.profileId}`, { method: "DELETE", token: ctx.admin, json: reason });
    expect(again.body.data.alreadyErased).toBe(true);
    const audit = await call(ctx, "/api/v2/admin/audit?action=privacy.erase-mentor", { token: ctx.admin });
    expect(audit.body.data.total).toBe(2);
  }, 120_000);
});
