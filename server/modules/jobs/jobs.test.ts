import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

let ctx: TestApp;
let admin: string;
beforeAll(async () => {
  ctx = await startTestApp();
  admin = await ctx.token("admin");
});
afterAll(() => ctx.stop());

test("admins list dead jobs and replay them; replaying a pending job is a 409; other roles are refused", async () => {
  let fail = true;
  ctx.jobs.registry.register("test.flaky", {
    maxAttempts: 1,
    handler: async () => {
      if (fail) throw new Error("receiver down");
    },
  });
  const [deadId] = await ctx.jobs.queue.enqueue(ctx.database.db, { kind: "test.flaky", payload: { n: 1 } });
  const worker = ctx.jobs.createWorker();
  await worker.drain();

  const listed = await (await ctx.request("/api/v2/admin/jobs?status=dead", { token: admin })).json();
  expect(listed.status).toBe("success");
  expect(listed.data.items.map((j: { id: number }) => j.id)).toContain(deadId);
  const dead = listed.data.items.find((j: { id: number }) => j.id === deadId);
  expect(dead).toMatchObject({ kind: "test.flaky", status: "dead", attempts: 1, lastError: "receiver down", payload: { n: 1 } });
  expect(listed.data.stats.dead).toBeGreaterThanOrEqual(1);

  fail = false;
  const replayed = await ctx.request(`/api/v2/admin/jobs/${deadId}/replay`, { method: "POST", token: admin });
  expect(replayed.status).toBe(200);
  expect((await replayed.json()).data).toMatchObject({ id: deadId, status: "pending", attempts: 0 });
  await worker.drain();
  const after = await (await ctx.request("/api/v2/admin/jobs?kind=test.flaky", { token: admin })).json();
  expect(after.data.items.find((j: { id: number }) => j.id === deadId).status).toBe("succeeded");

  const [pendingId] = await ctx.jobs.queue.enqueue(ctx.database.db, { kind: "test.flaky", payload: {}, runAt: new Date(Date.now() + 3_600_000) });
  const again = await ctx.request(`/api/v2/admin/jobs/${pendingId}/replay`, { method: "POST", token: admin });
  expect(again.status).toBe(409);

  const integrator = await ctx.token("integrator");
  expect((await ctx.request("/api/v2/admin/jobs", { token: integrator })).status).toBe(403);
  expect((await ctx.request("/api/v2/admin/jobs?status=lost", { token: admin })).status).toBe(400);
});
