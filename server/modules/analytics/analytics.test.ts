import { describe, expect, test } from "bun:test";
import { asc, sql } from "drizzle-orm";
import fc from "fast-check";
import { analyticsEvents } from "../../../db/schema/index.ts";
import { allWeek, book, bookBody, call, cancelBooking, createMentor, DAY, expectError, type Json, listSlots, T0, useApp } from "../bookings/fixtures.ts";

const events = (ctx: ReturnType<typeof useApp>) =>
  ctx.app.database.db.select().from(analyticsEvents).orderBy(asc(analyticsEvents.id));
const post = (ctx: ReturnType<typeof useApp>, json: unknown, token: string) => call(ctx, "/api/v2/analytics/events", { method: "POST", token, json });

describe("POST /api/v2/analytics/events", () => {
  const ctx = useApp();

  test("the widget, integrators and admins record client events (202); mentors may not; no token is 401", async () => {
    const r = await post(ctx, { name: "widget_opened", distinctId: "visitor-1", properties: { page: "/droit", embedded: true, width: 420 } }, ctx.widget);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ status: "success", data: { id: expect.any(Number) } });
    expect((await post(ctx, { name: "profile_viewed", studentProfileId: "p1" }, ctx.integrator)).status).toBe(202);
    expect((await post(ctx, { name: "availability_viewed" }, ctx.admin)).status).toBe(202);
    const mentor = await ctx.app.token("mentor", { sub: "7", studentProfileId: "p1" });
    expectError(await post(ctx, { name: "slot_chosen" }, mentor), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await call(ctx, "/api/v2/analytics/events", { method: "POST", json: { name: "slot_chosen" } }), 401, "UNAUTHORIZED");
    const rows = await events(ctx);
    expect(rows.map((e) => [e.name, e.distinctId, e.studentProfileId])).toEqual([
      ["widget_opened", "visitor-1", null],
      ["profile_viewed", null, "p1"],
      ["availability_viewed", null, null],
    ]);
    expect(rows[0]!.properties).toEqual({ page: "/droit", embedded: true, width: 420 });
    expect(rows[0]!.at.toISOString()).toBe(T0.toISOString());
  });

  test("server-side events and malformed bodies are refused with 400", async () => {
    const invalid: unknown[] = [
      {},
      { name: "booking_created" },
      { name: "rating_submitted" },
      { name: "widget_opened", distinctId: "x".repeat(129) },
      { name: "widget_opened", distinctId: "" },
      { name: "widget_opened", properties: { nested: { a: 1 } } },
      { name: "widget_opened", properties: { list: [1, 2] } },
      { name: "widget_opened", properties: { long: "x".repeat(201) } },
      { name: "widget_opened", properties: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) },
      { name: "widget_opened", properties: { "bad key": 1 } },
      { name: "widget_opened", other: 1 },
    ];
    const before = (await events(ctx)).length;
    for (const body of invalid) {
      const r = await post(ctx, body, ctx.widget);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.error.code).toBe("INVALID_INPUT");
    }
    expect(await events(ctx)).toHaveLength(before);
  });

  test("any valid small flat event is stored as sent", async () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,39}$/);
    const value = fc.oneof(fc.string({ maxLength: 200 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("widget_opened", "profile_viewed", "availability_viewed", "slot_chosen"),
        fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }),
        fc.dictionary(key, value, { maxKeys: 20 }),
        async (name, distinctId, properties) => {
          const r = await post(ctx, { name, distinctId, properties }, ctx.widget);
          expect(r.status).toBe(202);
          const [row] = await ctx.app.database.db.select().from(analyticsEvents).where(sql`${analyticsEvents.id} = ${r.body.data.id}`);
          expect(row!.name).toBe(name);
          expect(row!.distinctId).toBe(distinctId ?? null);
          // -0 becomes 0 in JSON.
          expect(row!.properties ?? {}).toEqual(JSON.parse(JSON.stringify(properties)));
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});

describe("booking events and the funnel", () => {
  const ctx = useApp();

  test("booking_created and booking_cancelled are recorded in the booking's transaction", async () => {
    await ctx.app.database.db.delete(analyticsEvents);
    const mentor = await createMentor(ctx, allWeek());
    const [slot] = await listSlots(ctx, mentor.profileId, { start: T0.toISOString(), end: new Date(T0.getTime() + 2 * DAY).toISOString() });
    const created = await book(ctx, bookBody(mentor.profileId, slot!));
    expect(created.status).toBe(201);
    const bookingId = created.body.data.bookingId as number;
    // A refused booking (slot taken) records nothing.
    expect((await book(ctx, bookBody(mentor.profileId, slot!))).status).toBe(409);
    expect((await cancelBooking(ctx, bookingId)).status).toBe(200);
    const rows = (await events(ctx)).filter((e) => e.name.startsWith("booking_"));
    expect(rows.map((e) => [e.name, e.bookingId, e.studentProfileId, e.properties])).toEqual([
      ["booking_created", bookingId, mentor.profileId, { actor: "widget" }],
      ["booking_cancelled", bookingId, mentor.profileId, { actor: "admin" }],
    ]);
  });

  test("the funnel counts people per step (distinct distinctId, plus each anonymous event) with rates, for admins only", async () => {
    const db = ctx.app.database.db;
    await db.delete(analyticsEvents);
    const at = new Date(T0.getTime() - DAY);
    const row = (name: "widget_opened" | "slot_chosen" | "booking_created", distinctId: string | null, studentProfileId = "m1", when = at) => ({
      name,
      distinctId,
      studentProfileId,
      at: when,
    });
    await db.insert(analyticsEvents).values([
      // Four visitors open the widget (one twice), plus two anonymous opens.
      row("widget_opened", "v1"),
      row("widget_opened", "v1"),
      row("widget_opened", "v2"),
      row("widget_opened", "v3"),
      row("widget_opened", "v4", "m2"),
      row("widget_opened", null),
      row("widget_opened", null),
      // Two choose a slot (v1 twice).
      row("slot_chosen", "v1"),
      row("slot_chosen", "v1"),
      row("slot_chosen", "v2"),
      // One booking (server-side, no visitor id).
      row("booking_created", null),
      // Outside the range.
      row("widget_opened", "v9", "m1", new Date(T0.getTime() - 40 * DAY)),
    ]);
    const funnel = async (qs = "", token = ctx.admin) => call(ctx, `/api/v2/admin/analytics/funnel${qs}`, { token });
    const all = await funnel();
    expect(all.status).toBe(200);
    expect(all.body.data).toEqual({
      from: new Date(T0.getTime() - 30 * DAY).toISOString(),
      to: T0.toISOString(),
      studentProfileId: null,
      steps: [
        { name: "widget_opened", count: 6 },
        { name: "slot_chosen", count: 2 },
        { name: "booking_created", count: 1 },
      ],
      conversion: { slotChosenRate: 2 / 6, bookedRate: 0.5, overallRate: 1 / 6 },
    });
    const m2 = (await funnel("?studentProfileId=m2")).body.data as Json;
    expect(m2.steps.map((s: Json) => s.count)).toEqual([1, 0, 0]);
    expect(m2.conversion).toEqual({ slotChosenRate: 0, bookedRate: null, overallRate: 0 });
    const old = (await funnel(`?from=${new Date(T0.getTime() - 50 * DAY).toISOString()}&to=${new Date(T0.getTime() - 35 * DAY).toISOString()}`)).body.data as Json;
    expect(old.steps.map((s: Json) => s.count)).toEqual([1, 0, 0]);
    const empty = (await funnel("?studentProfileId=nobody")).body.data as Json;
    expect(empty.conversion).toEqual({ slotChosenRate: null, bookedRate: null, overallRate: null });

    expectError(await funnel(`?from=${T0.toISOString()}&to=${new Date(T0.getTime() - DAY).toISOString()}`), 400, "INVALID_INPUT");
    expectError(await funnel("?from=yesterday"), 400, "INVALID_INPUT");
    expectError(await funnel("", ctx.widget), 403, "INSUFFICIENT_PERMISSIONS");
    expectError(await funnel("", ctx.integrator), 403, "INSUFFICIENT_PERMISSIONS");
  });

  test("the routes are documented", async () => {
    const spec = (await (await ctx.app.request("/docs/json")).json()) as Json;
    expect(spec.paths["/api/v2/analytics/events"].post.tags).toEqual(["Analytics"]);
    expect(spec.paths["/api/v2/admin/analytics/funnel"].get.tags).toEqual(["Admin"]);
  });
});

describe("the funnel follows a visitor to the booking (visitorId on POST /api/v2/bookings)", () => {
  const ctx = useApp();
  const hour = 3_600_000;
  const funnelOf = async (profileId: string) =>
    (await call(ctx, `/api/v2/admin/analytics/funnel?studentProfileId=${profileId}&to=${new Date(T0.getTime() + hour).toISOString()}`, { token: ctx.admin }))
      .body.data as Json;

  test("a visitor who opens, chooses and books counts at every step; one who only opens stops at the first", async () => {
    const mentor = await createMentor(ctx, allWeek());
    const slots = await listSlots(ctx, mentor.profileId, { start: T0.toISOString(), end: new Date(T0.getTime() + 2 * DAY).toISOString() });
    const opened = (distinctId: string) => post(ctx, { name: "widget_opened", studentProfileId: mentor.profileId, distinctId }, ctx.widget);
    expect((await opened("visitor-a")).status).toBe(202);
    expect((await opened("visitor-b")).status).toBe(202);
    expect((await post(ctx, { name: "slot_chosen", studentProfileId: mentor.profileId, distinctId: "visitor-a" }, ctx.widget)).status).toBe(202);
    const created = await book(ctx, bookBody(mentor.profileId, slots[0]!, { visitorId: "visitor-a" }));
    expect(created.status).toBe(201);
    const bookingId = created.body.data.bookingId as number;

    const [event] = (await events(ctx)).filter((e) => e.name === "booking_created" && e.bookingId === bookingId);
    expect(event!.distinctId).toBe("visitor-a");
    const funnel = await funnelOf(mentor.profileId);
    expect(funnel.steps).toEqual([
      { name: "widget_opened", count: 2 },
      { name: "slot_chosen", count: 1 },
      { name: "booking_created", count: 1 },
    ]);
    expect(funnel.conversion).toEqual({ slotChosenRate: 0.5, bookedRate: 1, overallRate: 0.5 });

    // The same visitor booking again is still one person at the last step.
    expect((await book(ctx, bookBody(mentor.profileId, slots[1]!, { visitorId: "visitor-a" }))).status).toBe(201);
    expect((await funnelOf(mentor.profileId)).steps.map((s: Json) => s.count)).toEqual([2, 1, 1]);
    // The visitor id stays in analytics: the booking as read back does not expose it.
    expect(JSON.stringify((await call(ctx, `/api/v2/bookings/${bookingId}`, { token: ctx.admin })).body)).not.toContain("visitor-a");
  });

  test("a booking without visitorId still counts, as one anonymous person", async () => {
    const mentor = await createMentor(ctx, allWeek());
    const [slot] = await listSlots(ctx, mentor.profileId, { start: T0.toISOString(), end: new Date(T0.getTime() + 2 * DAY).toISOString() });
    expect((await post(ctx, { name: "widget_opened", studentProfileId: mentor.profileId, distinctId: "visitor-c" }, ctx.widget)).status).toBe(202);
    const created = await book(ctx, bookBody(mentor.profileId, slot!));
    expect(created.status).toBe(201);
    const [event] = (await events(ctx)).filter((e) => e.name === "booking_created" && e.bookingId === created.body.data.bookingId);
    expect(event!.distinctId).toBeNull();
    expect((await funnelOf(mentor.profileId)).steps.map((s: Json) => s.count)).toEqual([1, 0, 1]);
  });

  test("a malformed visitorId is refused with 400 and books nothing; the Idempotency-Key hash covers it", async () => {
    const mentor = await createMentor(ctx, allWeek());
    const slots = await listSlots(ctx, mentor.profileId, { start: T0.toISOString(), end: new Date(T0.getTime() + 2 * DAY).toISOString() });
    for (const visitorId of ["", "x".repeat(129), "two words", "visiteur-é", "tab\there", 42, null]) {
      const r = await book(ctx, bookBody(mentor.profileId, slots[0]!, { visitorId }));
      expect({ visitorId, status: r.status }).toEqual({ visitorId, status: 400 });
      expect(r.body.error.code).toBe("INVALID_INPUT");
    }
    // Bounds: 128 visible ASCII characters, "!" and "~" included, are accepted.
    const longest = `!${"x".repeat(126)}~`;
    const first = await book(ctx, bookBody(mentor.profileId, slots[0]!, { visitorId: longest }), { key: "visit-key-1" });
    expect(first.status).toBe(201);
    const replay = await book(ctx, bookBody(mentor.profileId, slots[0]!, { visitorId: longest }), { key: "visit-key-1" });
    expect(replay.status).toBe(201);
    expect(replay.body.data.bookingId).toBe(first.body.data.bookingId);
    expectError(await book(ctx, bookBody(mentor.profileId, slots[0]!, { visitorId: "someone-else" }), { key: "visit-key-1" }), 409, "CONFLICT");
    const created = (await events(ctx)).filter((e) => e.name === "booking_created" && e.studentProfileId === mentor.profileId);
    expect(created.map((e) => e.distinctId)).toEqual([longest]);
  });

  test("the booking route documents visitorId", async () => {
    const spec = (await (await ctx.app.request("/docs/json")).json()) as Json;
    const create = spec.paths["/api/v2/bookings"]?.post ?? spec.paths["/api/v2/bookings/"]?.post;
    expect(create.description).toContain("visitorId");
    expect(JSON.stringify(create.requestBody)).toContain("visitorId");
  });
});
