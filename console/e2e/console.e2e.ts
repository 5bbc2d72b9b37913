/**
 * The admin console in Debian's Chromium against the real server (test app, fresh database): sign-in, charts that
 * follow the filters, the mentor table, moderation, CSV export, the PWA (manifest, service worker, offline reload with
 * the banner), accessibility and screenshots (artifacts/). Data is seeded through the API on a clock set a few days
 * back, then moved to the present so the sessions are over and can be completed and rated.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { parse } from "csv-parse/sync";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { Elysia } from "elysia";
import { fixedClock } from "../../server/lib/clock.ts";
import { consoleModule, defaultConsoleDist } from "../../server/modules/console/index.ts";
import { upsertAdmin } from "../../server/modules/auth/service.ts";
import { startTestApp, type TestApp } from "../../server/test-support/app.ts";
import { launchBrowser } from "../../server/test-support/browser.ts";
import { startTestReceiver } from "../../server/test-support/webhooks/test-receiver.ts";
import { call, createMentor, type Json, listSlots, LONG_TTL, type Mentor, testContext, type TestCtx, validProfile } from "../../server/test-support/mentors.ts";

const DAY = 86_400_000;
const SESSION_KEY = "thotis.console.session";
const ADMIN = { email: "console.admin@thotis.test", password: "Correct-Horse-Battery-9" };
const realStart = Date.now();
// Three days back, on the hour: bookings made "then" are in the past once the clock returns to the present.
const clock = fixedClock(new Date(Math.floor((realStart - 3 * DAY) / 3_600_000) * 3_600_000));

let app: TestApp;
let ctx: TestCtx;
let browser: Browser;
let base: string;
const seeded = { law: 0, medicine: 0, cs: 0, cancelled: 0, flaggedRatingId: "", mentors: [] as Mentor[] };

const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "08:00", end: "20:00" }] }));

/** Books `count` sessions on distinct days in the next three days (one per day at most, then the following slots). */
async function bookSessions(mentor: Mentor, count: number): Promise<number[]> {
  const slots = await listSlots(ctx, mentor.profileId, { start: clock.now().toISOString(), end: new Date(clock.now().getTime() + 3 * DAY - 3_600_000).toISOString() });
  const byDay = new Map<string, string[]>();
  for (const s of slots) byDay.set(s.slice(0, 10), [...(byDay.get(s.slice(0, 10)) ?? []), s]);
  const picks: string[] = [];
  for (let round = 0; picks.length < count; round++) {
    let added = false;
    for (const day of byDay.values()) {
      const s = day[round * 4];
      if (s && picks.length < count) {
        picks.push(s);
        added = true;
      }
    }
    if (!added) throw new Error("not enough free slots to seed");
  }
  const ids: number[] = [];
  for (const [i, dateTime] of picks.entries()) {
    const r = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      headers: { "idempotency-key": `console-${mentor.profileId}-${i}` },
      json: { studentProfileId: mentor.profileId, dateTime, prospectiveStudent: { name: "Lucas Martin", email: "lucas.martin@lycee.fr" } },
    });
    expect(r.status).toBe(201);
    ids.push(r.body.data.bookingId);
  }
  return ids;
}

beforeAll(async () => {
  // Webhooks: a loopback receiver is allowed, and one retry after 1 s (two attempts) before the dead letter.
  app = await startTestApp({ clock, env: { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_SCHEDULE: "1" } });
  ctx = await testContext(app, clock, LONG_TTL);
  base = app.baseUrl;
  const schedule = { timeZone: "Europe/Paris", weekly: allWeek };
  const law = await createMentor(ctx, { schedule, profile: { ...validProfile, field: "LAW" } });
  const medicine = await createMentor(ctx, { schedule, profile: { ...validProfile, field: "MEDICINE", university: "Université de Lyon", degree: "Médecine" } });
  const cs = await createMentor(ctx, { schedule, profile: { ...validProfile, field: "COMPUTER_SCIENCE", university: "Université de Lille", degree: "Informatique" } });
  seeded.mentors = [law, medicine, cs];

  const lawIds = await bookSessions(law, 4);
  const medIds = await bookSessions(medicine, 2);
  const csIds = await bookSessions(cs, 1);
  seeded.law = lawIds.length;
  seeded.medicine = medIds.length;
  seeded.cs = csIds.length;
  // One law session cancelled while still ahead.
  const cancelled = await call(ctx, `/api/v2/bookings/${lawIds[3]}`, { method: "DELETE", token: ctx.admin, json: { reason: "Empêchement", cancelledBy: "student" } });
  expect({ status: cancelled.status, body: cancelled.status === 200 ? null : cancelled.body }).toEqual({ status: 200, body: null });
  seeded.cancelled = 1;

  // Back to the present: the other sessions are over; complete them and rate one of the law sessions 2/5 (flagged).
  clock.set(new Date(realStart));
  for (const id of [...lawIds.slice(0, 3), ...medIds, ...csIds]) {
    const done = await call(ctx, `/api/v2/bookings/${id}/complete`, { method: "POST", token: ctx.admin });
    expect(done.status).toBe(200);
  }
  const rated = await call(ctx, `/api/v2/bookings/${lawIds[0]}/rating`, {
    method: "POST",
    token: ctx.admin,
    json: { rating: 2, feedback: "Trop court, peu de réponses", prospectiveEmail: "lucas.martin@lycee.fr" },
  });
  expect(rated.status).toBe(201);
  seeded.flaggedRatingId = rated.body.data.id;
  await call(ctx, `/api/v2/bookings/${medIds[0]}/rating`, {
    method: "POST",
    token: ctx.admin,
    json: { rating: 5, feedback: "Parfait", prospectiveEmail: "lucas.martin@lycee.fr" },
  });

  // The e-mails the bookings queued land in the outbox (embedded provider), for the moderation screen.
  await app.jobs.createWorker().drain();
  await upsertAdmin(app.database.db, clock, ADMIN);
  browser = await launchBrowser();
  await mkdir("artifacts", { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** Problems the page reports (script errors, CSP refusals), collected per page and checked at the end of a test. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Puts an admin session in sessionStorage before any page script runs, as the login page would. */
async function signIn(context: BrowserContext) {
  const session = { token: ctx.admin, expiresAt: new Date(Date.now() + 7 * DAY).toISOString(), user: { id: 0, email: "test-admin@thotis.test", name: "Test Admin", role: "admin" } };
  await context.addInitScript(
    ([key, value]) => {
      if (!sessionStorage.getItem(key as string)) sessionStorage.setItem(key as string, value as string);
    },
    [SESSION_KEY, JSON.stringify(session)],
  );
}

/** A context signed in as an admin (signIn: the session is put in sessionStorage, as the login page would). */
async function signedIn(options: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark"; bypassCSP?: boolean; locale?: string } = {}) {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1366, height: 900 }, colorScheme: options.colorScheme ?? "light", bypassCSP: options.bypassCSP, locale: options.locale ?? "fr-FR" });
  await signIn(context);
  const page = await context.newPage();
  return { context, page, problems: watch(page) };
}

/** The rows of a chart's data table (the accessible twin of the canvas). */
async function chartRows(page: Page, testId: string): Promise<string[][]> {
  return page.locator(`[data-testid="${testId}-data"] tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")));
}
const sumColumn = (rows: string[][], col: number) => rows.reduce((n, r) => n + Number(r[col]), 0);

async function waitForOverview(page: Page) {
  await page.locator('[data-testid="stat-sessions"] .stat-value').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="trends-chart"] canvas').waitFor({ timeout: 30_000 });
}

describe("admin console", () => {
  test("sign-in with e-mail and password, wrong password refused, sign-out, expired session back to the login page", async () => {
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${base}/console/`);
    await page.waitForURL(/\/console\/login$/);

    await page.getByLabel("Adresse e-mail").fill(ADMIN.email);
    await page.getByLabel("Mot de passe").fill("wrong-password");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByText("Adresse e-mail ou mot de passe incorrect.").waitFor();

    await page.getByLabel("Mot de passe").fill(ADMIN.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((url) => url.pathname.replace(/\/$/, "") === "/console");
    await waitForOverview(page);
    // The token is kept for the tab only, never in the URL or in localStorage.
    const stored = await page.evaluate((k) => ({ session: sessionStorage.getItem(k), local: JSON.stringify(localStorage) }), SESSION_KEY);
    expect(JSON.parse(stored.session ?? "{}").user.role).toBe("admin");
    expect(stored.local).not.toContain(JSON.parse(stored.session ?? "{}").token);
    expect(page.url()).not.toContain("eyJ");

    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(/\/console\/login$/);
    await page.getByText("Vous êtes déconnecté.").waitFor();
    expect(await page.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY)).toBeNull();

    // A token the server no longer accepts (here: expired) ends the session with a message.
    const expired = await app.token("admin", { ttlSeconds: 1 });
    clock.set(new Date(realStart + 5000));
    await page.evaluate(
      ([k, token]) => sessionStorage.setItem(k as string, JSON.stringify({ token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 0, email: "a@b.c", name: "A", role: "admin" } })),
      [SESSION_KEY, expired],
    );
    await page.goto(`${base}/console/mentors`);
    await page.getByText("Votre session a expiré. Reconnectez-vous.").waitFor();
    expect(page.url()).toMatch(/\/console\/login$/);
    clock.set(new Date(realStart));
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test("overview: statistics, and the filters change the trends and field charts' data", async () => {
    const { context, page, problems } = await signedIn();
    await page.goto(`${base}/console/`);
    await waitForOverview(page);
    const total = seeded.law + seeded.medicine + seeded.cs;
    await expect(page.locator('[data-testid="stat-sessions"] .stat-value').textContent()).resolves.toBe(String(total));
    await expect(page.locator('[data-testid="stat-total-mentors"] .stat-value').textContent()).resolves.toBe("3");

    const trends = await chartRows(page, "trends-chart");
    expect(sumColumn(trends, 1)).toBe(total);
    expect(sumColumn(trends, 3)).toBe(seeded.cancelled);
    const fields = await chartRows(page, "fields-chart");
    expect(fields.find((r) => r[0] === "Droit")?.[1]).toBe(String(seeded.law));
    expect(fields.find((r) => r[0] === "Médecine")?.[1]).toBe(String(seeded.medicine));

    // Field filter: the trends follow it.
    await page.locator('.filters select[name="field"]').selectOption("MEDICINE");
    await page.waitForFunction(() => document.querySelector('[data-testid="stat-sessions"] .stat-value')?.textContent === "2");
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('[data-testid="trends-chart-data"] tbody tr')].reduce((s, r) => s + Number(r.children[1]?.textContent), 0) === n,
      seeded.medicine,
    );
    // Grouping by month: one or two periods hold everything.
    await page.locator('.filters select[name="granularity"]').selectOption("month");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="trends-chart-data"] tbody tr').length <= 2);
    expect(sumColumn(await chartRows(page, "trends-chart"), 1)).toBe(seeded.medicine);

    // University filter: the field distribution follows it (only Lille's computer science session remains).
    await page.locator('.filters select[name="field"]').selectOption("");
    await page.locator('.filters input[name="university"]').fill("Université de Lille");
    await page.locator('.filters input[name="university"]').press("Enter");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="fields-chart-data"] tbody tr')];
      const law = rows.find((r) => r.children[0]?.textContent === "Droit");
      return law !== undefined && law.children[1]?.textContent === "0";
    });
    const lille = await chartRows(page, "fields-chart");
    expect(lille.find((r) => r[0] === "Informatique")?.[1]).toBe(String(seeded.cs));

    // A date range before the seeded sessions: nothing.
    await page.locator('.filters input[name="university"]').fill("");
    await page.locator('.filters input[name="university"]').press("Enter");
    await page.locator('.filters input[name="from"]').fill("2020-01-01");
    await page.locator('.filters input[name="to"]').fill("2020-01-31");
    await page.locator('.filters input[name="to"]').dispatchEvent("change");
    await page.waitForFunction(() => document.querySelector('[data-testid="stat-sessions"] .stat-value')?.textContent === "0");
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test("mentor table sorts by sessions and rating; detail page and activation toggle", async () => {
    const { context, page, problems } = await signedIn();
    await page.goto(`${base}/console/mentors`);
    const table = page.locator('[data-testid="mentor-table"]');
    await table.locator('[data-testid="mentor-row"]').first().waitFor();
    const column = (col: string) => table.locator(`td[data-col="${col}"]`).allTextContents();

    await page.getByTestId("sort-sessions").click(); // sessions, descending first
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"] [data-testid="sort-sessions"]') !== null);
    await page.waitForFunction(() => document.querySelector('[data-testid="mentor-row"] td[data-col="sessions"]')?.textContent === "4");
    expect((await column("sessions")).map(Number)).toEqual([4, 2, 1]);
    await page.getByTestId("sort-sessions").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="mentor-row"] td[data-col="sessions"]')?.textContent === "1");
    expect((await column("sessions")).map(Number)).toEqual([1, 2, 4]);
    expect(await page.locator('th:has([data-testid="sort-sessions"])').getAttribute("aria-sort")).toBe("ascending");

    await page.getByTestId("sort-cancellationRate").click(); // ascending first: the law mentor (1 of 4 cancelled) last
    await page.waitForFunction(() => document.querySelectorAll('th[aria-sort="ascending"] [data-testid="sort-cancellationRate"]').length === 1);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="mentor-row"] td[data-col="sessions"]')].at(-1)?.textContent === "4");

    // Keyboard: sort by rating with Enter on the header button.
    await page.getByTestId("sort-rating").focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"] [data-testid="sort-rating"]') !== null);

    // Detail and activation toggle.
    const medicine = seeded.mentors[1] as Mentor;
    await table.locator(`[data-testid="mentor-row"][data-id="${medicine.profileId}"] a`).click();
    await page.waitForURL(new RegExp(`/console/mentors/${medicine.profileId}$`));
    await page.getByRole("heading", { name: "Sessions à venir" }).waitFor();
    await expect(page.getByTestId("mentor-status").textContent()).resolves.toBe("Actif");
    await page.getByTestId("toggle-active").click();
    await page.getByTestId("toggle-status").getByText("Profil désactivé.").waitFor();
    const profile = await call(ctx, `/api/v2/students/${medicine.profileId}`, { token: ctx.admin });
    expect(profile.body.data.isActive).toBe(false);
    await page.getByTestId("toggle-active").click();
    await page.getByTestId("toggle-status").getByText("Profil activé.").waitFor();
    expect((await call(ctx, `/api/v2/students/${medicine.profileId}`, { token: ctx.admin })).body.data.isActive).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test("moderation: the flagged 2-star rating is hidden", async () => {
    const { context, page, problems } = await signedIn();
    await page.goto(`${base}/console/moderation`);
    const item = page.locator(`[data-testid="flagged-rating"][data-id="${seeded.flaggedRatingId}"]`);
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain("Trop court");
    await item.getByTestId("hide-rating").click();
    await page.getByTestId("rating-status").getByText("Évaluation masquée.").waitFor();
    await item.waitFor({ state: "detached" });
    const hidden = await call(ctx, "/api/v2/admin/ratings?review=hidden", { token: ctx.admin });
    expect(hidden.body.data.items.map((r: Json) => r.id)).toContain(seeded.flaggedRatingId);

    // The other tabs render their lists.
    await page.getByTestId("tab-webhooks").click();
    await page.getByRole("heading", { name: "Livraisons" }).waitFor();
    await page.getByTestId("tab-emails").click();
    await page.getByRole("heading", { name: "E-mails" }).waitFor();
    const outbox = await call(ctx, "/api/v2/admin/emails?limit=20", { token: ctx.admin });
    expect(outbox.body.data.total).toBeGreaterThan(0);
    const first = outbox.body.data.items[0];
    await page.getByRole("cell", { name: first.subject }).first().waitFor();
    await page.getByRole("button", { name: "Voir" }).first().click();
    await page.locator("pre.code").waitFor();
    expect((await page.locator("pre.code").textContent())?.length).toBeGreaterThan(20);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test("moderation: a dead webhook delivery shows its attempts in a table and is replayed with the same id once the receiver recovers", async () => {
    const receiver = startTestReceiver(() => new Response("receiver down", { status: 500 }));
    const { context, page, problems } = await signedIn({ viewport: { width: 360, height: 800 }, bypassCSP: true });
    try {
      // Seeded through the real API and job worker: an endpoint, a test message, two failed attempts, a dead letter.
      const endpoint = await call(ctx, "/api/v2/webhooks", { method: "POST", token: ctx.admin, json: { url: `${receiver.url}/hooks`, events: ["booking.rescheduled"] } });
      expect(endpoint.status).toBe(201);
      const sent = await call(ctx, `/api/v2/webhooks/${endpoint.body.data.id}/test`, { method: "POST", token: ctx.admin });
      expect(sent.status).toBe(202);
      const deliveryId: string = sent.body.data.id;
      await app.jobs.createWorker().drain();
      // The file's clock is fixed: move it past the 1 s retry delay so the second (last) attempt is due.
      clock.set(new Date(clock.now().getTime() + 2000));
      await app.jobs.createWorker().drain();
      const dead = await call(ctx, `/api/v2/webhooks/deliveries/${deliveryId}`, { token: ctx.admin });
      expect({ status: dead.body.data.status, attempts: dead.body.data.attempts.length }).toEqual({ status: "dead", attempts: 2 });

      await page.goto(`${base}/console/moderation`);
      await page.getByTestId("tab-webhooks").click();
      const filter = page.getByLabel("Statut");
      await filter.selectOption("");
      await page.locator(`[data-testid="delivery-row"][data-id="${deliveryId}"]`).waitFor();
      await filter.selectOption("dead");
      const row = page.locator(`[data-testid="delivery-row"][data-id="${deliveryId}"]`);
      await row.waitFor();
      await expect(page.locator('[data-testid="delivery-row"]').count()).resolves.toBe(1);

      // Opened from the keyboard: the attempts table has a caption, column headers and one row per attempt.
      const view = row.getByTestId("view-delivery");
      await view.focus();
      await page.keyboard.press("Enter");
      expect(await view.getAttribute("aria-expanded")).toBe("true");
      const table = page.getByRole("table", { name: `Tentatives de la livraison ${deliveryId}` });
      await table.waitFor();
      const headers = await table.locator("thead th").allTextContents();
      expect(headers.map((h) => h.trim())).toEqual(["N°", "Heure", "Statut HTTP", "Latence (ms)", "Réponse ou erreur"]);
      const attempts = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())));
      expect(attempts.map((a) => [a[0], a[2]])).toEqual([
        ["1", "500"],
        ["2", "500"],
      ]);
      for (const a of attempts) expect(a[4]).toContain("receiver down");
      // The table's box is reachable with Tab, and nothing on the page (the table included) is wider than a 360 px screen.
      const region = page.getByRole("region", { name: `Tentatives de la livraison ${deliveryId}` });
      expect(await region.getAttribute("tabindex")).toBe("0");
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} → ${Math.round(e.getBoundingClientRect().right)}`),
      );
      expect(wide).toEqual([]);
      // At 360 px the attempts table still fits its box (no sideways scrolling needed to read it).
      expect(await region.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: "artifacts/console-webhook-attempts-phone.png", fullPage: true });
      await page.addScriptTag({ content: await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8") });
      const violations = await page.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
        return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
      });
      expect(violations).toEqual([]);

      // The receiver recovers; the replay goes out with the same webhook-id.
      receiver.respond = () => new Response("ok", { status: 200 });
      await row.getByTestId("replay-delivery").click();
      await page.getByTestId("delivery-status").getByText("Livraison relancée.").waitFor();
      await row.waitFor({ state: "detached" });
      await app.jobs.createWorker().drain();
      const replayed = await call(ctx, `/api/v2/webhooks/deliveries/${deliveryId}`, { token: ctx.admin });
      expect(replayed.status).toBe(200);
      expect({ id: replayed.body.data.id, status: replayed.body.data.status, codes: replayed.body.data.attempts.map((a: Json) => a.statusCode) }).toEqual({
        id: deliveryId,
        status: "delivered",
        codes: [500, 500, 200],
      });
      expect(receiver.received.map((r) => r.webhookId)).toEqual([deliveryId, deliveryId, deliveryId]);

      // The console shows it among the delivered ones, with the successful attempt last.
      await filter.selectOption("delivered");
      await row.waitFor();
      await expect(row.getByTestId("replay-delivery").count()).resolves.toBe(0);
      await view.click();
      await view.click();
      // Reopening fetches the detail again; until it answers, the table may still show the two earlier attempts.
      await table.locator("tbody tr").nth(2).waitFor();
      await expect(table.locator("tbody tr").count()).resolves.toBe(3);
      await expect(table.locator("tbody tr").last().locator("td").nth(1).textContent()).resolves.toBe("200");
      expect(problems).toEqual([]);
    } finally {
      clock.set(new Date(realStart));
      await context.close();
      await receiver.stop();
    }
  }, 90_000);

  test("CSV export downloads the mentors and sessions honouring the filters, and parses back", async () => {
    const { context, page, problems } = await signedIn();
    await page.goto(`${base}/console/`);
    await waitForOverview(page);

    const [mentors] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-mentors").click()]);
    expect(mentors.suggestedFilename()).toMatch(/^thotis-mentors-\d{4}-\d{2}-\d{2}\.csv$/);
    const mentorRows = parse(await readFile((await mentors.path()) as string, "utf8"), { bom: true }) as string[][];
    const header = mentorRows[0] as string[];
    expect(header.length).toBeGreaterThan(3);
    expect(mentorRows.length - 1).toBe(3);
    for (const row of mentorRows) expect(row.length).toBe(header.length);
    await page.getByTestId("export-status").getByText(/thotis-mentors-.*téléchargé/).waitFor();

    await page.locator('.filters select[name="field"]').selectOption("LAW");
    const [sessions] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-sessions").click()]);
    const sessionRows = parse(await readFile((await sessions.path()) as string, "utf8"), { bom: true }) as string[][];
    expect(sessionRows.length - 1).toBe(seeded.law);
    for (const row of sessionRows) expect(row.length).toBe((sessionRows[0] as string[]).length);

    const [ratings] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-ratings").click()]);
    const ratingRows = parse(await readFile((await ratings.path()) as string, "utf8"), { bom: true }) as string[][];
    expect(ratingRows.length - 1).toBe(1); // the law rating only
    await page.locator('.filters select[name="field"]').selectOption("");
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test("PWA: manifest, icons and an active service worker controlling the page meet Chromium's install criteria", async () => {
    // Chromium never offers installation in an off-the-record profile (every newContext() is one), so this test runs
    // in a persistent profile: the same Debian Chromium with the same flags as launchBrowser().
    const profileDir = mkdtempSync(join(tmpdir(), "console-profile-"));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    await signIn(context);
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${base}/console/`);
    await waitForOverview(page);
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.active?.state === "activated", undefined, { timeout: 30_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });

    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
    const manifest = await (await fetch(new URL(manifestHref as string, `${base}/console/`))).json();
    expect(manifest).toMatchObject({ start_url: "/console/", scope: "/console", display: "standalone", theme_color: expect.any(String), background_color: expect.any(String) });
    expect(manifest.name.length).toBeGreaterThan(0);
    expect(manifest.short_name.length).toBeGreaterThan(0);
    const sizes = new Set<string>();
    for (const icon of manifest.icons as { src: string; sizes: string; type: string; purpose?: string }[]) {
      const res = await fetch(new URL(icon.src, `${base}/console/`));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      const png = new Uint8Array(await res.arrayBuffer());
      const view = new DataView(png.buffer);
      // PNG signature, then IHDR width and height match the declared size.
      expect([...png.slice(1, 4)]).toEqual([80, 78, 71]);
      expect(`${view.getUint32(16)}x${view.getUint32(20)}`).toBe(icon.sizes);
      sizes.add(`${icon.sizes}:${icon.purpose ?? "any"}`);
    }
    expect(sizes).toContain("192x192:any");
    expect(sizes).toContain("512x512:any");
    expect(sizes).toContain("512x512:maskable");

    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
    const { url, errors } = (await cdp.send("Page.getAppManifest")) as { url: string; errors: unknown[] };
    expect(url).toBe(`${base}/console/manifest.webmanifest`);
    expect(errors).toEqual([]);

    // Cache policy the update flow depends on.
    const sw = await fetch(`${base}/console/sw.js`);
    expect(sw.headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(`${base}/console/`)).headers.get("cache-control")).toBe("no-cache");
    expect(problems).toEqual([]);
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }, 90_000);

  test("offline: a reload without network still shows the last data, with the 'offline, data from' banner; so does a new window", async () => {
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    await page.getByLabel("Adresse e-mail").fill(ADMIN.email);
    await page.getByLabel("Mot de passe").fill(ADMIN.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await waitForOverview(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    // A visit while controlled stores the API answers; the mentors screen too.
    await page.reload();
    await waitForOverview(page);
    await page.getByRole("link", { name: "Mentors" }).click();
    await page.locator('[data-testid="mentor-row"]').first().waitFor();
    await page.getByRole("link", { name: "Vue d'ensemble" }).click();
    await waitForOverview(page);
    const online = await page.locator('[data-testid="stat-sessions"] .stat-value').textContent();
    expect(await page.getByTestId("offline-banner").count()).toBe(0);

    await context.setOffline(true);
    await page.reload();
    await waitForOverview(page);
    const banner = page.getByTestId("offline-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/^Hors ligne — données du .*\d/);
    await expect(page.locator('[data-testid="stat-sessions"] .stat-value').textContent()).resolves.toBe(online);
    expect((await chartRows(page, "trends-chart")).length).toBeGreaterThan(0);
    await page.getByRole("link", { name: "Mentors" }).click();
    await page.locator('[data-testid="mentor-row"]').first().waitFor();
    await page.screenshot({ path: "artifacts/console-offline.png" });

    // The installed app opened offline is a new window, without the tab's token: it still shows the last data.
    const second = await context.newPage();
    await second.goto(`${base}/console/`);
    await waitForOverview(second);
    await second.getByTestId("offline-banner").waitFor();
    await expect(second.locator('[data-testid="stat-sessions"] .stat-value').textContent()).resolves.toBe(online);
    expect(await second.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY)).toBeNull();
    expect(await second.evaluate(() => JSON.stringify(localStorage))).not.toContain("eyJ");

    await context.setOffline(false);
    // Online again: the tokenless window asks for a sign-in; the signed-in one refreshes and drops the banner.
    await second.waitForURL(/\/console\/login$/);
    await page.getByRole("link", { name: "Vue d'ensemble" }).click();
    await waitForOverview(page);
    await banner.waitFor({ state: "detached", timeout: 30_000 });
    await context.close();
  }, 120_000);

  test("screenshots of the overview on desktop and phone sizes, light and dark; English", async () => {
    for (const shot of [
      { name: "desktop", viewport: { width: 1366, height: 900 }, colorScheme: "light" as const },
      { name: "phone", viewport: { width: 360, height: 800 }, colorScheme: "light" as const },
      { name: "desktop-dark", viewport: { width: 1366, height: 900 }, colorScheme: "dark" as const },
      { name: "phone-dark", viewport: { width: 390, height: 844 }, colorScheme: "dark" as const },
    ]) {
      const { context, page, problems } = await signedIn(shot);
      await page.goto(`${base}/console/`);
      await waitForOverview(page);
      await page.locator('[data-testid="fields-chart"] canvas').waitFor();
      // Nothing wider than the screen (the tables scroll inside their own box).
      const wide = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        // Tables scroll inside their own box; visually hidden (clipped) text takes no room.
        const inScroller = (e: Element) => e.closest(".table-wrap, .sr-only") !== null;
        return [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > width + 0.5 && !inScroller(e))
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} → ${Math.round(e.getBoundingClientRect().right)}`);
      });
      expect({ shot: shot.name, wide }).toEqual({ shot: shot.name, wide: [] });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `artifacts/console-overview-${shot.name}.png`, fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    }

    // The other screens, for the record.
    for (const [name, path, viewport] of [
      ["mentors", "/console/mentors", { width: 1366, height: 900 }],
      ["mentors-phone", "/console/mentors", { width: 360, height: 800 }],
      ["mentor-detail", `/console/mentors/${(seeded.mentors[0] as Mentor).profileId}`, { width: 1366, height: 900 }],
      ["moderation", "/console/moderation", { width: 1366, height: 900 }],
      ["health", "/console/health", { width: 1366, height: 900 }],
      ["health-phone", "/console/health", { width: 360, height: 800 }],
    ] as const) {
      const { context, page, problems } = await signedIn({ viewport });
      await page.goto(`${base}${path}`);
      await page.locator("main h1").waitFor();
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `artifacts/console-${name}.png`, fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    }

    const { context, page } = await signedIn({ locale: "en-GB" });
    await page.goto(`${base}/console/`);
    await waitForOverview(page);
    await page.getByTestId("locale").selectOption("en");
    await page.getByRole("heading", { name: "Session trends" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.getByTestId("locale").selectOption("fr");
    await page.getByRole("heading", { name: "Évolution des sessions" }).waitFor();
    await context.close();
  }, 120_000);

  test("axe-core finds no serious or critical issue on any screen, in light and dark mode", async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    const medicine = seeded.mentors[1] as Mentor;
    for (const colorScheme of ["light", "dark"] as const) {
      const { context, page } = await signedIn({ bypassCSP: true, colorScheme });
      for (const path of ["/console/", "/console/mentors", `/console/mentors/${medicine.profileId}`, "/console/moderation", "/console/health"]) {
        await page.goto(`${base}${path}`);
        await page.locator("main h1").waitFor();
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        await page.addScriptTag({ content: axeSource });
        const violations = (await page.evaluate(async () => {
          const result = await (window as unknown as { axe: { run(o?: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
          return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        })) as string[];
        expect({ path, colorScheme, violations }).toEqual({ path, colorScheme, violations: [] });
      }
      await context.close();
    }
    // The login page too.
    const login = await browser.newContext({ bypassCSP: true });
    const page = await login.newPage();
    await page.goto(`${base}/console/login`);
    await page.locator("form").waitFor();
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
      return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    });
    expect(violations).toEqual([]);
    await login.close();
  }, 180_000);

  test("first meaningful paint on localhost is measured and stays far from slow (cold load, no service worker yet)", async () => {
    const { context, page } = await signedIn();
    // Records when the overview's heading and controls (the app shell: the first meaningful paint) and then its
    // figures first appear. The figures also wait for the statistics API, whose time is reported beside them.
    await context.addInitScript(() => {
      const w = window as unknown as { shellAt?: number; statsAt?: number };
      new MutationObserver((_, observer) => {
        if (w.shellAt === undefined && document.querySelector("main h1") && document.querySelector(".filters")) w.shellAt = performance.now();
        if (document.querySelector('[data-testid="stat-sessions"] .stat-value')) {
          w.statsAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${base}/console/`);
    await waitForOverview(page);
    const t = await page.evaluate(() => {
      const w = window as unknown as { shellAt?: number; statsAt?: number };
      const stats = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/v2/platform/stats")) as PerformanceResourceTiming | undefined;
      return {
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
        shell: w.shellAt ?? Number.NaN,
        stats: w.statsAt ?? Number.NaN,
        apiStart: stats?.startTime ?? Number.NaN,
        apiEnd: stats?.responseEnd ?? Number.NaN,
      };
    });
    const line =
      `console overview, cold load on localhost: first contentful paint ${Math.round(t.fcp)} ms, shell (heading and filters) ${Math.round(t.shell)} ms, ` +
      `figures ${Math.round(t.stats)} ms (statistics API requested at ${Math.round(t.apiStart)} ms, answered in ${Math.round(t.apiEnd - t.apiStart)} ms)`;
    console.log(line);
    await Bun.write("artifacts/console-timings.txt", `${line}\n`);
    // The 1 s budget is measured and reported (README); the bounds here catch regressions without turning a loaded
    // CI machine into failures (benchmarks are not timed tests).
    expect(t.fcp).toBeLessThan(3000);
    expect(t.shell).toBeLessThan(3000);
    // The console itself adds little: the request leaves early and the figures follow its answer at once.
    expect(t.apiStart).toBeLessThan(3000);
    expect(t.stats - t.apiEnd).toBeLessThan(1000);
    await context.close();
  }, 60_000);

  test("a new deployment is offered through the update prompt, and accepting it activates the new version", async () => {
    // A server of its own over a copy of the build, so the test can "deploy" a new service worker.
    const dist = mkdtempSync(join(tmpdir(), "console-deploy-"));
    cpSync(defaultConsoleDist, dist, { recursive: true });
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: new Elysia().use(consoleModule({ distDir: dist })).fetch });
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      const origin = `http://127.0.0.1:${server.port}`;
      await page.goto(`${origin}/console/login`);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
      const firstWorker = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL);
      expect(firstWorker).toBe(`${origin}/console/sw.js`);
      expect(await page.getByTestId("update-toast").count()).toBe(0);

      writeFileSync(join(dist, "sw.js"), `${readFileSync(join(dist, "sw.js"), "utf8")}\n// next deployment\n`);
      await page.evaluate(async () => void (await navigator.serviceWorker.getRegistration())?.update());
      const toast = page.getByTestId("update-toast");
      await toast.waitFor({ timeout: 30_000 });
      await expect(toast.textContent()).resolves.toContain("Une nouvelle version de la console est disponible.");
      await Promise.all([page.waitForEvent("load"), toast.getByRole("button", { name: "Mettre à jour" }).click()]);
      await page.waitForFunction(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return reg?.waiting === null && reg?.active !== null && navigator.serviceWorker.controller !== null;
      });
      expect(await page.getByTestId("update-toast").count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await server.stop(true);
      rmSync(dist, { recursive: true, force: true });
    }
  }, 90_000);

  test("system health shows latency percentiles and alert flags", async () => {
    const { context, page, problems } = await signedIn();
    await page.goto(`${base}/console/health`);
    const latency = page.getByTestId("latency");
    await latency.waitFor();
    await expect(latency.locator("tbody tr").count()).resolves.toBeGreaterThan(0);
    await expect(page.getByTestId("alerts").locator("li").count()).resolves.toBe(3);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
