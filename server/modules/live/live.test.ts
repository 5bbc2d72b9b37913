import { afterAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../lib/logger.ts";
import { MemoryStore, RedisStore, type KeyValueStore } from "../../store/index.ts";
import { book, bookBody, call, createMentor, HOUR, iso, T0, useApp } from "../bookings/fixtures.ts";
import { createLiveBus, type SlotsEvent } from "./bus.ts";

const ctx = useApp();
const SLOT_AT = iso(T0.getTime() + 28 * HOUR);

/** Reads a text/event-stream response into a list of { event, data } as they arrive. */
function readEvents(res: Response) {
  const events: { event: string; data: unknown }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = block.match(/^event: (.*)$/m)?.[1];
        const data = block.match(/^data: (.*)$/m)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return { events, done, cancel: () => reader.cancel() };
}

const waitFor = async (check: () => boolean, ms: number) => {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) return false;
    await Bun.sleep(5);
  }
  return true;
};

describe("live availability stream", () => {
  test("a booking reaches an open stream of that mentor within 1 s; other mentors' streams hear nothing", async () => {
    const mentor = await createMentor(ctx);
    const bystander = await createMentor(ctx);
    const open = async (mentors: string[]) => {
      const t = await call(ctx, "/api/v2/live/tokens", { method: "POST", token: ctx.widget, json: { mentors } });
      expect(t.status).toBe(200);
      const res = await ctx.app.request(t.body.data.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      return readEvents(res);
    };
    const mine = await open([mentor.profileId]);
    const theirs = await open([bystander.profileId]);
    expect(await waitFor(() => mine.events.length > 0, 2000)).toBe(true);
    expect(mine.events[0]!.event).toBe("ready");
    const startedAt = performance.now();
    expect((await book(ctx, bookBody(mentor.profileId, SLOT_AT))).status).toBe(201);
    expect(await waitFor(() => mine.events.some((e) => e.event === "slots"), 1000)).toBe(true);
    expect(performance.now() - startedAt).toBeLessThan(1000 + 500);
    expect(mine.events.find((e) => e.event === "slots")!.data).toMatchObject({ studentProfileId: mentor.profileId });
    // A hold is announced too, with its slot.
    const later = iso(Date.parse(SLOT_AT) + 15 * 60_000);
    expect((await call(ctx, "/api/v2/bookings/holds", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: later, visitorId: "live-v" } })).status).toBe(201);
    expect(await waitFor(() => mine.events.some((e) => (e.data as SlotsEvent).reason === "held"), 1000)).toBe(true);
    expect(mine.events.find((e) => (e.data as SlotsEvent).reason === "held")!.data).toMatchObject({ start: later });
    expect(theirs.events.filter((e) => e.event === "slots")).toHaveLength(0);
    await mine.cancel();
    await theirs.cancel();
    // Closed streams leave no subscription behind.
    expect(await waitFor(() => ctx.app.services.live.size() === 0, 2000)).toBe(true);
  });

  test("stream tokens: required, one minute long, useless as API tokens; widget tokens of one mentor follow that mentor only", async () => {
    const mentor = await createMentor(ctx);
    expect((await ctx.app.request("/api/v2/live/availability")).status).toBe(401);
    expect((await ctx.app.request("/api/v2/live/availability?token=forged")).status).toBe(401);
    const t = await call(ctx, "/api/v2/live/tokens", { method: "POST", token: ctx.widget, json: { mentors: [mentor.profileId] } });
    // Not a bearer token for anything else.
    expect((await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: t.body.data.token })).status).toBe(401);
    ctx.clock.advance(61_000);
    expect((await ctx.app.request(t.body.data.url)).status).toBe(401);
    ctx.clock.set(T0);
    const bound = await ctx.app.token("widget", { studentProfileId: mentor.profileId, ttlSeconds: 400 * 86_400 });
    expect((await call(ctx, "/api/v2/live/tokens", { method: "POST", token: bound, json: { mentors: [mentor.profileId, "other"] } })).status).toBe(403);
    expect((await call(ctx, "/api/v2/live/tokens", { method: "POST", json: { mentors: [mentor.profileId] } })).status).toBe(401);
    expect((await call(ctx, "/api/v2/live/tokens", { method: "POST", token: ctx.widget, json: { mentors: [] } })).status).toBe(400);
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;
const stores: KeyValueStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe("live bus fan-out", () => {
  const quiet = createLogger("error", () => {});
  const pairs: { name: string; open: () => [KeyValueStore, KeyValueStore] }[] = [
    { name: "memory (one process)", open: () => { const s = new MemoryStore(); return [s, s]; } },
  ];
  // Two API processes on one Redis: a change published by one reaches the streams of both.
  if (REDIS_URL) {
    const prefix = `thotis-live-test:${crypto.randomUUID()}:`;
    pairs.push({ name: "redis (two processes)", open: () => [new RedisStore(REDIS_URL, { keyPrefix: prefix, logger: quiet }), new RedisStore(REDIS_URL, { keyPrefix: prefix, logger: quiet })] });
  }
  for (const pair of pairs) {
    test(`${pair.name}: every subscriber of the mentor gets the event once`, async () => {
      const [a, b] = pair.open();
      stores.push(a, ...(a === b ? [] : [b]));
      const busA = createLiveBus(a, quiet);
      const busB = a === b ? busA : createLiveBus(b, quiet);
      const gotA: SlotsEvent[] = [];
      const gotB: SlotsEvent[] = [];
      const offA = busA.subscribe(["m1"], (e) => gotA.push(e));
      const offB = busB.subscribe(["m1", "m2"], (e) => gotB.push(e));
      await Bun.sleep(200); // the Redis subscriptions are made
      await busA.publish({ studentProfileId: "m1", reason: "booked" });
      await busA.publish({ studentProfileId: "m3", reason: "booked" });
      expect(await waitFor(() => gotA.length === 1 && gotB.length === 1, 1000)).toBe(true);
      await Bun.sleep(50);
      expect(gotA).toEqual([{ studentProfileId: "m1", reason: "booked" }]);
      expect(gotB).toEqual([{ studentProfileId: "m1", reason: "booked" }]);
      offA();
      offB();
      expect(busA.size() + (busA === busB ? 0 : busB.size())).toBe(0);
      await busA.close();
      await busB.close();
    });
  }
});
