import { describe, expect, test } from "bun:test";
import { book, bookBody, call, createMentor, iso, type Mentor, MIN, T0, useApp, HOUR } from "../bookings/fixtures.ts";
import { expectErrorCode } from "../../test-support/mentors.ts";

const ctx = useApp();
// Tuesday 2026-06-02 10:00 UTC: inside the fixtures' hours, past the 2-hour notice.
const SLOT_AT = iso(T0.getTime() + 28 * HOUR);
const hold = (mentor: Mentor, visitorId: string, dateTime = SLOT_AT) =>
  call(ctx, "/api/v2/bookings/holds", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime, visitorId } });
const offered = async (mentor: Mentor, visitorId?: string) => {
  const q = new URLSearchParams({ start: SLOT_AT, end: iso(Date.parse(SLOT_AT) + 60 * MIN), ...(visitorId ? { visitorId } : {}) });
  const r = await call(ctx, `/api/v2/students/${mentor.profileId}/availability?${q}`, { token: ctx.widget });
  expect(r.status).toBe(200);
  return (r.body.data.slots as { start: string }[]).map((s) => s.start);
};

describe("slot holds", () => {
  test("a held slot is not offered to others, is to its holder, and comes back at expiry", async () => {
    ctx.clock.set(T0);
    const mentor = await createMentor(ctx);
    const r = await hold(mentor, "visitor-a");
    expect(r.status).toBe(201);
    expect(r.body.data.start).toBe(SLOT_AT);
    expect(Date.parse(r.body.data.expiresAt) - T0.getTime()).toBe(5 * MIN);
    expect(await offered(mentor, "visitor-b")).not.toContain(SLOT_AT);
    expect(await offered(mentor)).not.toContain(SLOT_AT);
    expect(await offered(mentor, "visitor-a")).toContain(SLOT_AT);
    // Someone else cannot hold or book it.
    expectErrorCode(await hold(mentor, "visitor-b"), 409, "SLOT_HELD");
    expectErrorCode(await book(ctx, bookBody(mentor.profileId, SLOT_AT, { visitorId: "visitor-b" })), 409, "SLOT_HELD");
    expectErrorCode(await book(ctx, bookBody(mentor.profileId, SLOT_AT)), 409, "SLOT_HELD");
    // Five minutes later the database no longer counts it: offered again, and another visitor may hold it.
    ctx.clock.advance(5 * MIN);
    expect(await offered(mentor, "visitor-b")).toContain(SLOT_AT);
    expect((await hold(mentor, "visitor-b")).status).toBe(201);
    ctx.clock.set(T0);
  });

  test("the holder books it and the hold is gone; one hold per visitor; release", async () => {
    ctx.clock.set(T0);
    const mentor = await createMentor(ctx);
    const other = iso(Date.parse(SLOT_AT) + 15 * MIN);
    expect((await hold(mentor, "visitor-c")).status).toBe(201);
    // A second hold replaces the first one: the first slot is offered to others again.
    const second = await hold(mentor, "visitor-c", other);
    expect(second.status).toBe(201);
    expect(await offered(mentor, "visitor-d")).toContain(SLOT_AT);
    expect(await offered(mentor, "visitor-d")).not.toContain(other);
    // Released with the wrong visitor id: nothing happens; with the right one: released.
    const wrong = await call(ctx, `/api/v2/bookings/holds/${second.body.data.id}?visitorId=visitor-d`, { method: "DELETE", token: ctx.widget });
    expect(wrong.body.data.released).toBe(false);
    const ok = await call(ctx, `/api/v2/bookings/holds/${second.body.data.id}?visitorId=visitor-c`, { method: "DELETE", token: ctx.widget });
    expect(ok.body.data.released).toBe(true);
    expect(await offered(mentor, "visitor-d")).toContain(other);
    // Hold then book with the same visitor id: booked, and no hold row is left.
    expect((await hold(mentor, "visitor-c")).status).toBe(201);
    const booked = await book(ctx, bookBody(mentor.profileId, SLOT_AT, { visitorId: "visitor-c" }));
    expect(booked.status).toBe(201);
    const left = await ctx.app.services.holds.heldByOthers(mentor.profileId);
    expect(left.size).toBe(0);
    // A booked slot cannot be held.
    expectErrorCode(await hold(mentor, "visitor-e"), 409, "BOOKING_CONFLICT");
  });

  test("a visitor who holds one mentor's slot and books another mentor lets the first slot go at once", async () => {
    ctx.clock.set(T0);
    const first = await createMentor(ctx);
    const second = await createMentor(ctx);
    expect((await hold(first, "visitor-f")).status).toBe(201);
    // Read (and cached) while held.
    expect(await offered(first, "visitor-g")).not.toContain(SLOT_AT);
    expect((await book(ctx, bookBody(second.profileId, SLOT_AT, { visitorId: "visitor-f" }))).status).toBe(201);
    expect(await offered(first, "visitor-g")).toContain(SLOT_AT);
    expect((await ctx.app.services.holds.heldByOthers(first.profileId)).size).toBe(0);
  });

  test("holds an availability answer read with its slots are used for that answer only, never cached", async () => {
    ctx.clock.set(T0);
    const mentor = await createMentor(ctx);
    const { holds } = ctx.app.services;
    const start = Date.parse(SLOT_AT);
    // As read by the answer's statement: used for this request (the cache has no entry for this mentor yet).
    const read = async () => [{ start, expiresAt: start + HOUR, visitorId: "visitor-read" }];
    expect([...(await holds.heldByOthers(mentor.profileId, undefined, read))]).toEqual([start]);
    // Not kept: the next look-up reads the database (no hold there) and caches that; later reads come from the cache.
    expect((await holds.heldByOthers(mentor.profileId)).size).toBe(0);
    expect((await holds.heldByOthers(mentor.profileId, undefined, read)).size).toBe(0);
  });

  test("two visitors racing for one slot: exactly one hold", async () => {
    ctx.clock.set(T0);
    const mentor = await createMentor(ctx);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => hold(mentor, `racer-${i}`)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) expectErrorCode(r, 409, "SLOT_HELD");
  });

  test("the holder and someone else book the held slot at the same instant: the holder gets it, every time", async () => {
    ctx.clock.set(T0);
    const mentor = await createMentor(ctx);
    for (let i = 0; i < 5; i++) {
      const at = iso(Date.parse(SLOT_AT) + i * 15 * MIN);
      expect((await hold(mentor, `owner-${i}`, at)).status).toBe(201);
      const [others, owner] = await Promise.all([
        Promise.all([1, 2, 3].map((n) => book(ctx, bookBody(mentor.profileId, at, { visitorId: `rival-${i}-${n}` })))),
        book(ctx, bookBody(mentor.profileId, at, { visitorId: `owner-${i}` })),
      ]);
      expect(owner.status).toBe(201);
      for (const r of others) expect([409]).toContain(r.status);
      for (const r of others) expect(["SLOT_HELD", "BOOKING_CONFLICT"]).toContain(r.body.error.code);
    }
  });

  test("bad input is a 400 with a code; a mentor-bound widget token holds its mentor only", async () => {
    const mentor = await createMentor(ctx);
    expectErrorCode(await call(ctx, "/api/v2/bookings/holds", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: "soon", visitorId: "v" } }), 400, "INVALID_INPUT");
    expectErrorCode(await call(ctx, "/api/v2/bookings/holds", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: SLOT_AT } }), 400, "INVALID_INPUT");
    const bound = await ctx.app.token("widget", { studentProfileId: "someone-else", ttlSeconds: 400 * 86_400 });
    const r = await call(ctx, "/api/v2/bookings/holds", { method: "POST", token: bound, json: { studentProfileId: mentor.profileId, dateTime: SLOT_AT, visitorId: "v" } });
    expect(r.status).toBe(403);
  });
});
