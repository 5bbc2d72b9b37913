/** A booking's manage token reads availability only to reschedule that booking (the /widget/manage page). */
import { beforeAll, expect, test } from "bun:test";
import { book, bookBody, call, createMentor, expectError, listSlots, type Mentor, useApp } from "../bookings/fixtures.ts";

const ctx = useApp();
let mentor: Mentor;
let other: Mentor;
let bookingId: number;
let otherBookingId: number;
let manage: string;

beforeAll(async () => {
  mentor = await createMentor(ctx);
  other = await createMentor(ctx);
  const slots = await listSlots(ctx, mentor.profileId);
  bookingId = (await book(ctx, bookBody(mentor.profileId, slots[4]!))).body.data.bookingId;
  otherBookingId = (await book(ctx, bookBody(mentor.profileId, slots[5]!))).body.data.bookingId;
  manage = await ctx.app.services.manageTokens.sign(bookingId, new Date(Date.parse("2027-01-01T00:00:00Z")));
});

const availability = (profileId: string, query: string, token = manage) =>
  call(ctx, `/api/v2/students/${profileId}/availability${query}`, { token });

test("the manage token lists the mentor's slots for moving its own booking, its own slot included", async () => {
  const r = await availability(mentor.profileId, `?rescheduleBookingId=${bookingId}`);
  expect(r.status).toBe(200);
  const starts = r.body.data.slots.map((s: { start: string }) => s.start);
  const own = (await call(ctx, `/api/v2/bookings/${bookingId}`, { token: manage })).body.data.startTime;
  expect(starts).toContain(own);
});

test("without rescheduleBookingId, for another booking or another mentor, the manage token is refused", async () => {
  expectError(await availability(mentor.profileId, ""), 401);
  expectError(await availability(mentor.profileId, `?rescheduleBookingId=${otherBookingId}`), 401);
  expectError(await availability(other.profileId, `?rescheduleBookingId=${bookingId}`), 401);
});

test("once the booking is cancelled, its manage token reads no availability; role tokens are unchanged", async () => {
  const cancelled = await call(ctx, `/api/v2/bookings/${bookingId}`, { method: "DELETE", token: manage, json: { reason: "Empêchement", cancelledBy: "student" } });
  expect(cancelled.status).toBe(200);
  expectError(await availability(mentor.profileId, `?rescheduleBookingId=${bookingId}`), 401);
  expect((await availability(mentor.profileId, "", ctx.widget)).status).toBe(200);
  expectError(await availability(mentor.profileId, "", mentor.token.slice(0, -2) + "xx"), 401);
});
