import { describe, expect, test } from "bun:test";
import { useTestApp } from "../test-support/mentors.ts";


const fakeToken = () => `Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${crypto.randomUUID().replaceAll("-", "")}`;

describe("Rate limits keyed on verified identity (finding 2)", () => {
  // The default budget of a fresh start (the test support raises it for the other suites).
  const ctx = useTestApp({ env: () => ({ RATE_LIMIT_MAX: "300" }) });
  test("330 requests with random fake bearer tokens from one client: the surplus is 429, the login route included", async () => {
    const statuses: number[] = [];
    for (let batch = 0; batch < 11; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(`${ctx.app.baseUrl}/api/v2/students/search`, { headers: { authorization: fakeToken() } }).then(
            async (r) => (await r.arrayBuffer(), r.status),
          ),
        ),
      );
      statuses.push(...answers);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
    expect(statuses.filter((s) => s === 401).length).toBe(300);
    // The address's budget is spent: the login route with yet another fake token is refused too.
    const login = await fetch(`${ctx.app.baseUrl}/api/v2/auth/login`, {
      method: "POST",
      headers: { authorization: fakeToken(), "content-type": "application/json" },
      body: JSON.stringify({ email: "x@y.fr", password: "p" }),
    });
    expect(login.status).toBe(429);
    // A genuine token keeps its own budget meanwhile.
    const genuine = await fetch(`${ctx.app.baseUrl}/api/v2/students/search`, { headers: { authorization: `Bearer ${ctx.admin}` } });
    expect(genuine.status).toBe(200);
  }, 60_000);
});

describe("Route budgets", () => {
  const ctx = useTestApp({ env: () => ({ RATE_LIMIT_EVENTS_MAX: "5", RATE_LIMIT_SIGNIN_MAX: "3" }) });
  test("analytics events: a widget token's budget is per client address, and the 6th event in a minute is 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${ctx.app.baseUrl}/api/v2/analytics/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${ctx.widget}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "widget_opened" }),
      });
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    expect(statuses.slice(0, 5).every((s) => s < 400)).toBe(true);
    expect(statuses[5]).toBe(429);
    // Another widget token from the same address shares the address's budget.
    const other = await ctx.app.token("widget", { sub: "another-widget" });
    const r = await fetch(`${ctx.app.baseUrl}/api/v2/analytics/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${other}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "widget_opened" }),
    });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBeTruthy();
  });

  test("sign-in: the 4th attempt in a minute from one address is 429 RATE_LIMITED", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${ctx.app.baseUrl}/api/v2/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "nobody@thotis.fr", password: "guess" }),
      });
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  }, 30_000);
});
