import { describe, expect, test } from "bun:test";
import { fixedClock } from "../../lib/clock.ts";
import { call, expectError, LONG_TTL, listSlots, useTestApp } from "../../test-support/mentors.ts";
import { bookBody, createMentor, student, T0 } from "./fixtures.ts";

// The defaults of a fresh start (the test support raises them for the other suites).
const ctx = useTestApp({
  clock: fixedClock(T0),
  ttlSeconds: LONG_TTL,
  env: () => ({ BOOKING_MAX_UPCOMING_PER_MENTOR: "1", BOOKING_MAX_UPCOMING_PER_EMAIL: "3", BOOKING_WIDGET_MAX_PER_HOUR: "10" }),
});
const book = (body: unknown, token: string) => call(ctx, "/api/v2/bookings", { method: "POST", token, json: body });

describe("Booking abuse limits (finding 5)", () => {
  test("one e-mail: 1 upcoming session per mentor, 3 in all; a cancelled one frees its place; concurrent tries book once", async () => {
    const mentors = await Promise.all([1, 2, 3, 4].map(() => createMentor(ctx as never)));
    const [a, b, c, d] = mentors as [(typeof mentors)[0], (typeof mentors)[0], (typeof mentors)[0], (typeof mentors)[0]];
    const slotsA = await listSlots(ctx as never, a.profileId);
    const who = student({ email: "hoarder@lycee.fr" });
    const first = await book(bookBody(a.profileId, slotsA[0] as string, { prospectiveStudent: who }), ctx.integrator);
    expect(first.status).toBe(201);
    // Same mentor, another slot, the address in other letter case: refused, nothing written.
    const second = await book(bookBody(a.profileId, slotsA[1] as string, { prospectiveStudent: student({ email: "HOARDER@lycee.fr" }) }), ctx.integrator);
    expectError(second, 409, "BOOKING_LIMIT_PER_MENTOR");
    expect(second.body.error.details).toEqual({ limit: 1 });
    // Cancelled sessions do not count.
    const cancel = await call(ctx, `/api/v2/bookings/${first.body.data.bookingId}`, { method: "DELETE", token: ctx.admin, json: { reason: "x", cancelledBy: "student" } });
    expect(cancel.status).toBe(200);
    expect((await book(bookBody(a.profileId, slotsA[2] as string, { prospectiveStudent: who }), ctx.integrator)).status).toBe(201);
    for (const m of [b, c]) {
      const [slot] = await listSlots(ctx as never, m.profileId);
      expect((await book(bookBody(m.profileId, slot as string, { prospectiveStudent: who }), ctx.integrator)).status).toBe(201);
    }
    const [slotD] = await listSlots(ctx as never, d.profileId);
    const fourth = await book(bookBody(d.profileId, slotD as string, { prospectiveStudent: who }), ctx.admin);
    expectError(fourth, 409, "BOOKING_LIMIT_PER_EMAIL");

    // Concurrent bookings of one new address with one mentor: the database lets exactly one through.
    const slotsD = await listSlots(ctx as never, d.profileId);
    const racers = await Promise.all(
      slotsD.slice(0, 8).map((slot) => book(bookBody(d.profileId, slot, { prospectiveStudent: student({ email: "racer@lycee.fr" }) }), ctx.integrator)),
    );
    expect(racers.filter((r) => r.status === 201).length).toBe(1);
    expect(racers.filter((r) => r.body?.error?.code === "BOOKING_LIMIT_PER_MENTOR").length).toBe(7);
  }, 60_000);
});

describe("Widget bookings per client address", () => {
  const perAddress = useTestApp({
    clock: fixedClock(T0),
    ttlSeconds: LONG_TTL,
    env: () => ({ BOOKING_WIDGET_MAX_PER_HOUR: "3", TRUST_PROXY: "true" }),
  });
  const bookAs = (body: unknown, token: string, ip: string) =>
    call(perAddress, "/api/v2/bookings", { method: "POST", token, json: body, headers: { "x-forwarded-for": ip } });

  test("the widget's 4th booking attempt in an hour from one address is 429 BOOKING_ADDRESS_LIMIT; integrators are not limited", async () => {
    const mentor = await createMentor(perAddress as never);
    const slots = await listSlots(perAddress as never, mentor.profileId);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await bookAs(bookBody(mentor.profileId, slots[i] as string, { prospectiveStudent: student({ email: `w${i}@lycee.fr` }) }), perAddress.widget, "198.51.100.5");
      statuses.push(r.status);
      if (i === 3) {
        expectError(r, 429, "BOOKING_ADDRESS_LIMIT");
        expect(Number(r.res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    // Another address still books through the widget; the integrator's server is not limited per address.
    expect((await bookAs(bookBody(mentor.profileId, slots[4] as string, { prospectiveStudent: student({ email: "other@lycee.fr" }) }), perAddress.widget, "198.51.100.6")).status).toBe(201);
    for (let i = 0; i < 4; i++) {
      const r = await bookAs(bookBody(mentor.profileId, slots[5 + i] as string, { prospectiveStudent: student({ email: `i${i}@lycee.fr` }) }), perAddress.integrator, "198.51.100.5");
      expect(r.status).toBe(201);
    }
  }, 60_000);

  test("slot holds through the widget have the same per-address budget: the 4th hold in an hour is 429", async () => {
    const mentor = await createMentor(perAddress as never);
    const slots = await listSlots(perAddress as never, mentor.profileId);
    const holdAs = (i: number, ip: string, token = perAddress.widget) =>
      call(perAddress, "/api/v2/bookings/holds", {
        method: "POST",
        token,
        json: { studentProfileId: mentor.profileId, dateTime: slots[i], visitorId: `visitor-${ip}-${i}` },
        headers: { "x-forwarded-for": ip },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await holdAs(i, "198.51.100.7")).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    expectError(await holdAs(4, "198.51.100.7"), 429, "BOOKING_ADDRESS_LIMIT");
    // Another address, and an integrator's server, still hold.
    expect((await holdAs(5, "198.51.100.8")).status).toBe(201);
    expect((await holdAs(6, "198.51.100.7", perAddress.integrator)).status).toBe(201);
  }, 60_000);
});
