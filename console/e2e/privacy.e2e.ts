/**
 * The console's Privacy screen in Debian's Chromium against the real server: find an address, download its data as a
 * file, erase it after a confirmation, see the receipt and the audit log; French and English; phone and desktop
 * screenshots (artifacts/); no serious accessibility issue (axe-core).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { systemClock } from "../../server/lib/clock.ts";
import { startTestApp, type TestApp } from "../../server/test-support/app.ts";
import { launchBrowser } from "../../server/test-support/browser.ts";
import { call, createMentor, listSlots, type Mentor, testContext, type TestCtx } from "../../server/test-support/mentors.ts";

const SESSION_KEY = "thotis.console.session";
const person = { name: "Camille Effacée", email: `camille.${Date.now().toString(36)}@lycee.fr` };
let app: TestApp;
let ctx: TestCtx;
let browser: Browser;
let mentor: Mentor;

beforeAll(async () => {
  app = await startTestApp();
  ctx = await testContext(app, systemClock);
  mentor = await createMentor(ctx, { schedule: { timeZone: "Europe/Paris", weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "08:00", end: "20:00" }] })) } });
  const slots = await listSlots(ctx, mentor.profileId);
  for (const s of slots.slice(8, 10)) {
    const r = await call(ctx, "/api/v2/bookings", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: s, prospectiveStudent: person } });
    expect(r.status).toBe(201);
  }
  await app.jobs.createWorker().drain();
  browser = await launchBrowser();
  await mkdir("artifacts", { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function open(width: number, locale: "fr-FR" | "en-GB", bypassCSP = false): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale, bypassCSP, acceptDownloads: true });
  const session = { token: ctx.admin, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), user: { id: 0, email: "admin@thotis.test", name: "Admin", role: "admin" } };
  await context.addInitScript(([key, value]) => sessionStorage.setItem(key as string, value as string), [SESSION_KEY, JSON.stringify(session)]);
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}/console/privacy`);
  await page.locator("main h1").waitFor();
  return page;
}

describe("console Privacy screen", () => {
  test("search, download, erase with confirmation, receipt and audit log (FR, 1280 px), then the phone layout in English", async () => {
    const page = await open(1280, "fr-FR");
    expect(await page.locator("main h1").textContent()).toBe("Données personnelles (RGPD)");
    await page.getByLabel("Adresse e-mail").fill(person.email);
    await page.getByRole("button", { name: "Rechercher" }).click();
    const result = page.getByTestId("privacy-result");
    await result.waitFor();
    await expect(result.locator("tbody tr").count()).resolves.toBe(2);
    expect(await result.textContent()).toContain(person.name);
    await page.screenshot({ path: "artifacts/console-privacy-found-1280.png", fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("privacy-download").click()]);
    expect(download.suggestedFilename()).toMatch(/^thotis-personal-data-\d{4}-\d{2}-\d{2}\.json$/);
    const file = JSON.parse(await readFile((await download.path()) as string, "utf8"));
    expect(file.bookings).toHaveLength(2);

    await page.getByTestId("privacy-erase").click();
    const confirm = page.getByTestId("privacy-confirm");
    await confirm.waitFor();
    // No reason: nothing is erased, the admin is told why.
    await confirm.getByRole("button", { name: "Effacer définitivement" }).click();
    await page.getByRole("alert").getByText("Indiquez un motif").waitFor();
    await confirm.getByLabel("Motif (conservé au journal)").fill("Demande reçue par courrier");
    await page.screenshot({ path: "artifacts/console-privacy-confirm-1280.png", fullPage: true });
    await confirm.getByRole("button", { name: "Effacer définitivement" }).click();
    await page.getByTestId("privacy-receipt").waitFor();
    expect(await page.getByTestId("privacy-receipt").textContent()).toContain("2 réservation(s) anonymisée(s)");
    expect(await result.textContent()).not.toContain(person.name);
    // Nothing left to erase: the button is gone.
    expect(await page.getByTestId("privacy-erase").count()).toBe(0);
    await page.getByTestId("audit-row").filter({ hasText: "privacy.erase" }).first().waitFor();
    const rows = await page.getByTestId("audit-row").allTextContents();
    expect(rows.some((r) => r.includes("privacy.export") && r.includes("admin:test-admin") && r.includes("127.0.0.1"))).toBe(true);
    await page.screenshot({ path: "artifacts/console-privacy-erased-1280.png", fullPage: true });
    // The API agrees: nothing left in the mailbox for that address.
    expect((await call(ctx, `/api/v2/admin/emails?to=${encodeURIComponent(person.email)}`, { token: ctx.admin })).body.data.total).toBe(0);
    await page.context().close();

    const phone = await open(390, "en-GB");
    expect(await phone.locator("main h1").textContent()).toBe("Personal data (GDPR)");
    await phone.getByLabel("E-mail address").fill(person.email);
    await phone.getByRole("button", { name: "Search" }).click();
    await phone.getByTestId("privacy-result").waitFor();
    await phone.getByTestId("audit-action").selectOption("privacy.erase");
    await phone.getByTestId("audit-row").first().waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: "artifacts/console-privacy-390.png", fullPage: true });
    await phone.context().close();
  }, 120_000);

  test("axe-core finds no serious or critical issue on the Privacy screen", async () => {
    const other = { name: "Axel Axe", email: `axel.${Date.now().toString(36)}@lycee.fr` };
    const slot = (await listSlots(ctx, mentor.profileId))[14];
    expect((await call(ctx, "/api/v2/bookings", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: slot, prospectiveStudent: other } })).status).toBe(201);
    const page = await open(1280, "fr-FR", true);
    await page.getByLabel("Adresse e-mail").fill(other.email);
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.getByTestId("privacy-result").waitFor();
    await page.getByTestId("privacy-erase").click();
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
    await page.addScriptTag({ content: await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8") });
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
      return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    });
    expect(violations).toEqual([]);
    await page.context().close();
  }, 60_000);
});
