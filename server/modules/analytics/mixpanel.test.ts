import { afterAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { jobs } from "../../../db/schema/index.ts";
import { startMixpanelStandIn } from "../../test-support/mixpanel/stand-in.ts";
import { allWeek, book, bookBody, call, createMentor, DAY, listSlots, T0, type Json } from "../bookings/fixtures.ts";
import { fixedClock } from "../../lib/clock.ts";
import { LONG_TTL, useTestApp } from "../../test-support/mentors.ts";
import { MIXPANEL_JOB } from "./service.ts";

const TOKEN = "mp-project-token-123";

describe("Mixpanel forwarding (MIXPANEL_TOKEN set)", () => {
  const mixpanel = startMixpanelStandIn({ token: TOKEN });
  afterAll(() => mixpanel.stop());
  const ctx = useTestApp({ clock: fixedClock(T0), ttlSeconds: LONG_TTL, env: () => ({ MIXPANEL_TOKEN: TOKEN, MIXPANEL_API_URL: mixpanel.url }) });
  const drain = () => ctx.app.jobs.createWorker().drain();
  const mixpanelJobs = () => ctx.app.database.db.select().from(jobs).where(eq(jobs.kind, MIXPANEL_JOB));
  const post = (json: unknown) => call(ctx, "/api/v2/analytics/events", { method: "POST", token: ctx.widget, json });

  test("each recorded event enqueues one job that sends it to /track with the token, time, distinct_id and $insert_id", async () => {
    const r = await post({ name: "widget_opened", distinctId: "visitor-42", studentProfileId: "m1", properties: { page: "/droit", width: 420 } });
    expect(r.status).toBe(202);
    const id = r.body.data.id as number;
    expect((await mixpanelJobs()).map((j) => [j.payload, j.status])).toEqual([[{ eventId: id }, "pending"]]);
    await drain();
    expect((await mixpanelJobs()).map((j) => j.status)).toEqual(["succeeded"]);
    expect(mixpanel.events).toEqual([
      {
        event: "widget_opened",
        properties: {
          token: TOKEN,
          time: T0.getTime(),
          distinct_id: "visitor-42",
          $insert_id: `thotis-${id}`,
          page: "/droit",
          width: 420,
          studentProfileId: "m1",
        },
      },
    ]);
  });

  test("booking_created from the booking's transaction is forwarded too (anonymous: empty distinct_id)", async () => {
    const mentor = await createMentor(ctx, allWeek());
    const [slot] = await listSlots(ctx, mentor.profileId, { start: T0.toISOString(), end: new Date(T0.getTime() + 2 * DAY).toISOString() });
    const created = await book(ctx, bookBody(mentor.profileId, slot!));
    expect(created.status).toBe(201);
    await drain();
    const sent = mixpanel.events.find((e) => e.event === "booking_created");
    expect(sent?.properties).toMatchObject({ token: TOKEN, distinct_id: "", bookingId: created.body.data.bookingId, studentProfileId: mentor.profileId, actor: "widget" });
  });

  test("a failed send is retried with backoff; a retry of a delivered event is dropped by its $insert_id", async () => {
    const before = mixpanel.events.length;
    mixpanel.failNext(503);
    const id = (await post({ name: "slot_chosen", distinctId: "visitor-7" })).body.data.id as number;
    await drain();
    const [job] = await ctx.app.database.db.select().from(jobs).where(and(eq(jobs.kind, MIXPANEL_JOB), eq(jobs.payload, { eventId: id })));
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(mixpanel.events).toHaveLength(before);
    ctx.clock.advance(60_000);
    await drain();
    expect(mixpanel.events).toHaveLength(before + 1);
    expect(mixpanel.events.at(-1)!.properties.$insert_id).toBe(`thotis-${id}`);
    // Replaying the job (as an admin may) sends the same $insert_id again: Mixpanel keeps one event.
    const requests = mixpanel.requests;
    await ctx.app.jobs.queue.replay(job!.id);
    await drain();
    expect(mixpanel.requests).toBe(requests + 1);
    expect(mixpanel.events.filter((e) => e.properties.$insert_id === `thotis-${id}`)).toHaveLength(1);
  });

  test("a batch Mixpanel refuses (4xx) is not retried: the job is dead at once", async () => {
    mixpanel.failNext(400);
    const id = (await post({ name: "profile_viewed", studentProfileId: "m1" })).body.data.id as number;
    await drain();
    const [job] = await ctx.app.database.db.select().from(jobs).where(and(eq(jobs.kind, MIXPANEL_JOB), eq(jobs.payload, { eventId: id })));
    expect(job).toMatchObject({ status: "dead", attempts: 1 });
  });

  test("the analytics service's record(executor, event) is what other features call (rating_submitted)", async () => {
    const analytics = ctx.app.services.analytics;
    const id = await ctx.app.database.db.transaction(async (txn) =>
      analytics.record(txn as unknown as Database, { name: "rating_submitted", studentProfileId: "m1", bookingId: 1, properties: { rating: 5 } }),
    );
    await drain();
    expect(mixpanel.events.find((e) => e.properties.$insert_id === `thotis-${id}`)?.properties).toMatchObject({ rating: 5, bookingId: 1 });
  });
});

describe("without MIXPANEL_TOKEN", () => {
  const ctx = useTestApp({});
  test("events are only stored: no forwarding job", async () => {
    const r = await call(ctx, "/api/v2/analytics/events", { method: "POST", token: ctx.widget, json: { name: "widget_opened" } });
    expect(r.status).toBe(202);
    const queued = (await ctx.app.database.db.select().from(jobs).where(eq(jobs.kind, MIXPANEL_JOB))) as Json[];
    expect(queued).toHaveLength(0);
  });
});
