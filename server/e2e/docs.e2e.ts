import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdir } from "node:fs/promises";
import { Elysia, t } from "elysia";
import type { Browser } from "playwright-core";
import { docsPlugin } from "../plugins/docs.ts";
import { launchBrowser } from "../test-support/browser.ts";

const app = new Elysia()
  .use(
    docsPlugin({
      title: "Thotis API",
      version: "1.2.3",
      description: "Mentoring platform",
      tags: [
        { name: "Mentors", description: "Mentor profiles" },
        { name: "Sessions", description: "Booked sessions" },
      ],
    }),
  )
  .get("/mentors/:id", ({ params }) => ({ id: params.id, name: "Ada" }), {
    params: t.Object({ id: t.String() }),
    response: t.Object({ id: t.String(), name: t.String() }),
    detail: { summary: "Get a mentor profile", tags: ["Mentors"] },
  })
  .post("/sessions", ({ body }) => ({ id: "s1", mentorId: body.mentorId }), {
    body: t.Object({ mentorId: t.String(), startsAt: t.String({ format: "date-time" }) }),
    response: t.Object({ id: t.String(), mentorId: t.String() }),
    detail: { summary: "Book a mentoring session", tags: ["Sessions"] },
  });

let server: ReturnType<typeof Bun.serve>;
let browser: Browser;

beforeAll(async () => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop(true);
});

test("/docs renders the API reference with no network beyond our server", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const blocked: string[] = [];
  const problems: string[] = [];
  // Anything not served by our loopback listener is aborted, as it would fail offline anyway.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });

  const res = await page.goto(`http://127.0.0.1:${server.port}/docs`, { waitUntil: "load" });
  expect(res?.status()).toBe(200);

  // Summaries only show up once the bundle ran and fetched + parsed /docs/json.
  await page.getByText("Get a mentor profile").first().waitFor({ state: "visible", timeout: 60_000 });
  // Only the first tag starts expanded; open the other one the way a reader would.
  await page.getByRole("button", { name: "Sessions" }).first().click();
  await page.getByText("Book a mentoring session").first().waitFor({ state: "visible", timeout: 60_000 });
  await expect(page.getByText("Thotis API").first().isVisible()).resolves.toBe(true);

  await mkdir("artifacts", { recursive: true });
  await page.screenshot({ path: "artifacts/docs.png", fullPage: false });

  expect(blocked).toEqual([]);
  expect(problems).toEqual([]);
});
