/**
 * The manage page's "Your data" section in Debian's Chromium: the prospective student downloads their data and asks
 * for erasure with the manage token from their e-mails, then confirms from the e-mailed link. Screenshots at 390 and
 * 1280 px (artifacts/).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { bookings, emailOutbox } from "../../db/schema/index.ts";
import { systemClock } from "../../server/lib/clock.ts";
import { startTestApp, type TestApp } from "../../server/test-support/app.ts";
import { launchBrowser } from "../../server/test-support/browser.ts";
import { call, createMentor, listSlots, testContext, type TestCtx } from "../../server/test-support/mentors.ts";

let app: TestApp;
let ctx: TestCtx;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  ctx = await testContext(app, systemClock);
  browser = await launchBrowser();
  await mkdir("artifacts", { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("widget manage page: your data", () => {
  test("download my data, ask for erasure, confirm from the e-mailed link", async () => {
    const mentor = await createMentor(ctx, { schedule: { timeZone: "Europe/Paris", weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "08:00", end: "20:00" }] })) } });
    const slot = (await listSlots(ctx, mentor.profileId))[10];
    const me = { name: "Nina Données", email: `nina.${Date.now().toString(36)}@lycee.fr` };
    const made = await call(ctx, "/api/v2/bookings", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: slot, prospectiveStudent: me } });
    const id = made.body.data.bookingId as number;
    const token = await app.services.manageTokens.sign(id, new Date(Date.now() + 30 * 86_400_000));

    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/widget/manage#${token}`);
    await page.getByRole("heading", { name: "Vos données" }).waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Télécharger mes données" }).click()]);
    const file = JSON.parse(await readFile((await download.path()) as string, "utf8"));
    expect(file.bookings.map((b: { id: number; name: string }) => [b.id, b.name])).toEqual([[id, me.name]]);
    await page.screenshot({ path: "artifacts/widget-my-data-390.png", fullPage: true });

    await page.getByRole("button", { name: "Effacer mes données" }).click();
    await page.getByRole("button", { name: "M'envoyer le lien de confirmation" }).click();
    await page.getByTestId("my-data-sent").getByText("n***@lycee.fr").waitFor();
    expect(await page.getByRole("status").filter({ hasText: "n***@lycee.fr" }).count()).toBe(1);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: "artifacts/widget-my-data-sent-1280.png", fullPage: true });

    const [mail] = await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "privacy_erasure_confirm"));
    const link = mail!.text.match(/https?:\/\/\S+\/privacy\/erase\?token=\S+/)![0];
    await page.goto(link.replace(/^https?:\/\/[^/]+/, app.baseUrl));
    await page.getByRole("button", { name: /Confirmer l'effacement/ }).click();
    await page.getByRole("heading", { name: /Données effacées/ }).waitFor();
    await page.screenshot({ path: "artifacts/widget-erasure-done-1280.png", fullPage: true });
    const [row] = await app.database.db.select().from(bookings).where(eq(bookings.id, id));
    expect(row?.status).toBe("CANCELLED");
    expect(row?.prospectiveEmail).not.toBe(me.email);
    await context.close();
  }, 120_000);

  test("keyboard and screen reader: focus follows the erasure question, outcomes said by live regions that were already there; no sideways scroll at 320, 390, 1280 px; axe", async () => {
    const mentor = await createMentor(ctx, { schedule: { timeZone: "Europe/Paris", weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ranges: [{ start: "08:00", end: "20:00" }] })) } });
    const slot = (await listSlots(ctx, mentor.profileId))[12];
    const me = { name: "Inès Clavier", email: `ines.clavier.une-adresse-assez-longue.${Date.now().toString(36)}@lycee-exemple.fr` };
    const made = await call(ctx, "/api/v2/bookings", { method: "POST", token: ctx.widget, json: { studentProfileId: mentor.profileId, dateTime: slot, prospectiveStudent: me } });
    expect(made.status).toBe(201);
    const token = await app.services.manageTokens.sign(made.body.data.bookingId as number, new Date(Date.now() + 30 * 86_400_000));
    const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName ?? "none");
    const focusOn = (page: Page, testId: string) =>
      page.waitForFunction((id) => document.activeElement?.getAttribute("data-testid") === id, testId, { timeout: 5_000 }).catch(async () => {
        throw new Error(`focus is on ${await focusedTestId(page)}, expected ${testId}`);
      });
    const says = (page: Page, region: "polite" | "assertive", text: string) =>
      page.waitForFunction(([r, t]) => (document.querySelector(`[data-testid="my-data-${r}"]`)?.textContent ?? "").includes(t as string), [region, text], { timeout: 10_000 });
    const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const axeRun = async (page: Page) => {
      await page.addScriptTag({ content: axeSource });
      return page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(o?: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const r = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      });
    };

    // Keyboard only, in French at 320 px: download, open the question, step back, open it again, send.
    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 320, height: 700 }, acceptDownloads: true, bypassCSP: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    await page.goto(`${app.baseUrl}/widget/manage#${token}`);
    await page.getByTestId("my-data-download").waitFor();
    const polite = await page.getByTestId("my-data-polite").elementHandle();
    const assertive = await page.getByTestId("my-data-assertive").elementHandle();
    for (let i = 0; i < 40 && (await focusedTestId(page)) !== "my-data-download"; i++) await page.keyboard.press("Tab");
    await focusOn(page, "my-data-download");
    const download = page.waitForEvent("download");
    await page.keyboard.press("Enter");
    await download;
    await says(page, "polite", "téléchargé");
    await focusOn(page, "my-data-download");
    await page.keyboard.press("Tab");
    await focusOn(page, "my-data-erase");
    await page.keyboard.press("Enter");
    await focusOn(page, "my-data-send");
    expect({ state: "asking", overflow: await overflow(page) }).toEqual({ state: "asking", overflow: 0 });
    expect(await axeRun(page)).toEqual([]);
    await page.keyboard.press("Tab");
    await focusOn(page, "my-data-back");
    await page.keyboard.press("Enter");
    await focusOn(page, "my-data-erase");
    await page.keyboard.press("Enter");
    await focusOn(page, "my-data-send");
    await page.keyboard.press("Enter");
    await says(page, "polite", "C'est envoyé");
    await page.getByTestId("my-data-sent").waitFor();
    // The question and the erase button are gone: the focus is on the section's remaining action, not on <body>.
    await focusOn(page, "my-data-download");
    expect(await page.getByTestId("my-data-erase").count()).toBe(0);
    // Throughout, the same two live-region nodes (a region re-created with its text is often not read).
    expect(await polite?.evaluate((e) => e.isConnected)).toBe(true);
    expect(await assertive?.evaluate((e) => e.isConnected)).toBe(true);
    // Each width, with the longest message shown: no sideways scroll; screenshots at 390 and 1280 px.
    for (const width of [320, 390, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.waitForTimeout(100);
      expect({ width, overflow: await overflow(page) }).toEqual({ width, overflow: 0 });
      if (width !== 320) await page.screenshot({ path: `artifacts/a11y-widget-my-data-sent-${width}.png`, fullPage: true });
    }
    expect(await axeRun(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();

    // In English: the download is said in English too.
    const en = await browser.newContext({ locale: "en-GB", viewport: { width: 390, height: 844 }, acceptDownloads: true });
    const enPage = await en.newPage();
    await enPage.goto(`${app.baseUrl}/widget/manage#${token}`);
    await enPage.getByTestId("my-data-download").focus();
    const enDownload = enPage.waitForEvent("download");
    await enPage.keyboard.press("Enter");
    await enDownload;
    await says(enPage, "polite", "downloaded");
    await focusOn(enPage, "my-data-download");
    await en.close();
  }, 120_000);
});
