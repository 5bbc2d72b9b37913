/**
 * The mentor area of the console in Debian's Chromium against the real server (test app, fresh database) and the
 * loopback Google stand-in: a mentor signs in through the link read from the e-mail outbox, completes the onboarding
 * checklist (photo, schedule), sees the schedule's slots, connects Google Calendar, cancels a session; a second mentor
 * reaches none of the first one's data. Screenshots at 390 and 1280 px (artifacts/).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Browser, type Page } from "playwright-core";
import { startGoogleStandIn, type GoogleStandIn } from "../../server/test-support/google/stand-in.ts";
import { startTestApp, type TestApp } from "../../server/test-support/app.ts";
import { launchBrowser } from "../../server/test-support/browser.ts";
import { call, type Json, LONG_TTL, testContext, type TestCtx, validProfile } from "../../server/test-support/mentors.ts";

const HOUR = 3_600_000;
// Google sends the browser back here; the test routes that host to the test server (nothing leaves the machine).
const CALLBACK_HOST = "http://google-callback.test";
let app: TestApp;
let ctx: TestCtx;
let browser: Browser;
let standIn: GoogleStandIn;
let base: string;

async function newMentor(email: string, name: string) {
  const user = await call(ctx, "/api/v2/users", { method: "POST", token: ctx.admin, json: { email, name, role: "mentor", timeZone: "Europe/Paris" } });
  expect(user.status).toBe(201);
  const profile = await call(ctx, `/api/v2/students/${user.body.data.id}/profile`, { method: "POST", token: ctx.admin, json: validProfile });
  expect(profile.status).toBe(201);
  return { userId: user.body.data.id as number, profileId: profile.body.data.id as string, email };
}

/** The sign-in link of the newest e-mail to the address, read from the admin outbox. */
async function linkFromOutbox(email: string): Promise<string> {
  const list = await call(ctx, `/api/v2/admin/emails?to=${encodeURIComponent(email)}`, { token: ctx.admin });
  const id = list.body.data.items[0]?.id;
  expect(id).toBeDefined();
  const mail = await call(ctx, `/api/v2/admin/emails/${id}`, { token: ctx.admin });
  const url = new URL((mail.body.data.text as string).match(/https?:\/\/\S+\/console\/sign-in\?token=[A-Za-z0-9_-]+/)![0]);
  // PUBLIC_URL of the test app is not its ephemeral port: keep the link's path and query.
  return `${base}${url.pathname}${url.search}`;
}

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** A fresh browser context whose page signs in through an e-mailed link (asked on the sign-in page itself). */
async function signInByLink(email: string, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: "fr-FR" });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByRole("button", { name: "M'envoyer un lien" }).click();
  await page.getByTestId("sign-in-status").getByText("un lien de connexion vient d'y être envoyé").waitFor();
  await page.goto(await linkFromOutbox(email));
  await page.waitForURL(`${base}/console/me`);
  // The token left the address bar and lives in sessionStorage only.
  expect(page.url()).not.toContain("token=");
  return { context, page, problems };
}

beforeAll(async () => {
  standIn = startGoogleStandIn();
  app = await startTestApp({
    env: {
      GOOGLE_CLIENT_ID: standIn.clientId,
      GOOGLE_CLIENT_SECRET: standIn.clientSecret,
      GOOGLE_REDIRECT_URI: `${CALLBACK_HOST}/oauth/google/callback`,
      GOOGLE_API_ROOT_URL: standIn.rootUrl,
      GOOGLE_TOKEN_URL: standIn.tokenUrl,
      GOOGLE_AUTH_URL: standIn.authUrl,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    },
  });
  base = app.baseUrl;
  ctx = await testContext(app, { now: () => new Date() }, LONG_TTL);
  browser = await launchBrowser();
  await mkdir("artifacts", { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await standIn?.stop();
});

describe("mentor area", () => {
  test("link sign-in, checklist, schedule and its slots, Google Calendar, cancelling a session; another mentor sees none of it", async () => {
    const stamp = Date.now().toString(36);
    const anna = await newMentor(`anna.${stamp}@etu.thotis.test`, "Anna Lefèvre");
    const bruno = await newMentor(`bruno.${stamp}@etu.thotis.test`, "Bruno Roche");
    const { context, page, problems } = await signInByLink(anna.email);

    // Checklist: no schedule yet, so the profile stays out of listings and says why.
    await page.getByTestId("check-schedule").and(page.locator('[data-done="false"]')).waitFor();
    expect(await page.getByTestId("listing-status").textContent()).toContain("disponibilités hebdomadaires");
    await page.screenshot({ path: "artifacts/mentor-home-before-1280.png", fullPage: true });

    // Profile: an API validation message in French next to its field, then a photo with its preview.
    await page.getByRole("link", { name: "Mon profil" }).click();
    await page.getByLabel("Présentation (50 à 1000 caractères)").fill("Trop court.");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByTestId("bio-error").getByText("La présentation doit faire de 50 à 1000 caractères.").waitFor();
    await page.getByLabel("Présentation (50 à 1000 caractères)").fill(`${validProfile.bio} Je réponds à vos questions sur la licence.`);
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByTestId("profile-status").getByText("Profil enregistré.").waitFor();
    const { default: sharp } = await import("sharp");
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 255, g: 107, b: 53 } } }).png().toBuffer();
    await page.getByLabel("Choisir une photo (JPEG, PNG ou WebP)").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png });
    await page.getByTestId("photo-preview").waitFor();
    await page.getByRole("button", { name: "Envoyer la photo" }).click();
    await page.getByTestId("current-photo").waitFor();
    await page.screenshot({ path: "artifacts/mentor-profile-1280.png", fullPage: true });
    const photo = await call(ctx, `/api/v2/students/${anna.profileId}`, { token: ctx.admin });
    expect(photo.body.data.profilePhotoUrl).toMatch(/\/media\/photos\/.+\.webp$/);

    // Schedule: Monday to Sunday 08:00-20:00 (keyboard-free clicks on real buttons), saved, and the preview lists slots.
    await page.getByRole("link", { name: "Mes disponibilités" }).click();
    // A schedule the API refuses: its answer in French.
    await page.getByLabel("Mon fuseau horaire").fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByTestId("schedule-error").getByText("Fuseau horaire inconnu").waitFor();
    await page.getByLabel("Mon fuseau horaire").fill("Europe/Paris");
    for (let wd = 1; wd <= 7; wd++) {
      const day = page.getByTestId(`weekday-${wd}`);
      await day.getByRole("button", { name: /Ajouter une plage/ }).click();
      await day.locator('input[type="time"]').nth(0).fill("08:00");
      await day.locator('input[type="time"]').nth(1).fill("20:00");
    }
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByTestId("schedule-status").getByText("Disponibilités enregistrées.").waitFor();
    await page.getByTestId("preview-day").first().waitFor();
    // The preview is the widget's answer: the same slot count the availability API gives for the next 7 days.
    const api = await call(ctx, `/api/v2/students/${anna.profileId}/availability?end=${new Date(Date.now() + 7 * 24 * HOUR).toISOString()}`, { token: ctx.widget });
    const apiDays = new Set((api.body.data.slots as Json[]).filter((s) => s.available).map((s) => s.localStart.slice(0, 10)));
    expect(await page.getByTestId("preview-day").count()).toBe(apiDays.size);
    await page.screenshot({ path: "artifacts/mentor-schedule-1280.png", fullPage: true });

    // Checklist complete now (Google is optional).
    await page.getByRole("link", { name: "Mon espace" }).click();
    await page.getByText("Votre profil apparaît dans les listes.").waitFor();

    // Google Calendar: the stand-in's consent screen sends the browser back to our callback (routed to the test server).
    await page.route(`${CALLBACK_HOST}/**`, async (route) => {
      const url = new URL(route.request().url());
      const res = await fetch(`${base}${url.pathname}${url.search}`);
      await route.fulfill({ status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "text/html" }, body: await res.text() });
    });
    await page.getByRole("button", { name: "Connecter Google Agenda" }).click();
    await page.getByText("Google Calendar connecté").waitFor();
    await page.goto(`${base}/console/me`);
    await page.getByTestId("google-status").getByText("Connecté depuis").waitFor();
    await page.screenshot({ path: "artifacts/mentor-home-1280.png", fullPage: true });

    // A session booked through the widget, more than 2 hours ahead, cancelled by the mentor with a reason.
    const slots = await call(ctx, `/api/v2/students/${anna.profileId}/availability?start=${new Date(Date.now() + 3 * HOUR).toISOString()}`, { token: ctx.widget });
    const slot = (slots.body.data.slots as Json[]).find((s) => s.available);
    const booked = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: anna.profileId, dateTime: slot.start, prospectiveStudent: { name: "Lucas Martin", email: "lucas.martin@lycee.test", question: "Et la L3 ?" } },
    });
    expect(booked.status).toBe(201);
    await page.getByRole("link", { name: "Mes sessions" }).click();
    const session = page.getByTestId("upcoming").getByTestId("session").first();
    await session.getByText("Lucas Martin").waitFor();
    await session.getByRole("button", { name: "Annuler" }).click();
    await session.getByLabel("Motif (communiqué à l'étudiant)").fill("Examen déplacé à cette heure-là");
    await session.getByRole("button", { name: "Confirmer l'annulation" }).click();
    await page.getByTestId("sessions-status").getByText("Session annulée.").waitFor();
    await page.getByTestId("past").getByText("Annulée").waitFor();
    await page.screenshot({ path: "artifacts/mentor-sessions-1280.png", fullPage: true });
    const after = await call(ctx, `/api/v2/bookings/${booked.body.data.bookingId}`, { token: ctx.admin });
    expect(after.body.data).toMatchObject({ status: "CANCELLED", cancellationReason: "Examen déplacé à cette heure-là" });

    // Phone size.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/console/me`);
    await page.getByTestId("checklist").waitFor();
    await page.screenshot({ path: "artifacts/mentor-home-390.png", fullPage: true });
    await page.goto(`${base}/console/me/schedule`);
    await page.getByTestId("preview-day").first().waitFor();
    await page.screenshot({ path: "artifacts/mentor-schedule-390.png", fullPage: true });
    await page.goto(`${base}/console/me/sessions`);
    await page.getByTestId("past").getByText("Annulée").waitFor();
    await page.screenshot({ path: "artifacts/mentor-sessions-390.png", fullPage: true });
    expect(problems).toEqual([]);
    await context.close();

    // Bruno: his own space, nothing of Anna's, and the admin screens send him back to his space.
    const second = await signInByLink(bruno.email);
    await second.page.getByTestId("check-schedule").and(second.page.locator('[data-done="false"]')).waitFor();
    await second.page.goto(`${base}/console/mentors/${anna.profileId}`);
    await second.page.waitForURL(`${base}/console/me`);
    const statuses = await second.page.evaluate(async (annaId) => {
      const { token } = JSON.parse(sessionStorage.getItem("thotis.console.session") ?? "{}");
      const get = (path: string, init: RequestInit = {}) =>
        fetch(`/api/v2${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }).then((r) => r.status);
      return {
        schedule: await get(`/students/${annaId}/schedule`),
        sessions: await get(`/students/${annaId}/bookings`),
        google: await get(`/students/${annaId}/google`),
        profile: await get(`/students/${annaId}/profile`, { method: "PUT", body: JSON.stringify({ degree: "Autre" }) }),
      };
    }, anna.profileId);
    expect(statuses).toEqual({ schedule: 403, sessions: 403, google: 403, profile: 403 });
    expect(second.problems).toEqual([]);

    // Offline on the last data, like the rest of the console: a reload, and a new window without the tab's token.
    // Once the worker is active, a reload is controlled by it (whether or not it claimed the page already).
    await second.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await second.page.reload();
    await second.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await second.page.getByTestId("check-schedule").waitFor();
    await second.context.setOffline(true);
    await second.page.reload();
    await second.page.getByTestId("offline-banner").waitFor();
    await second.page.getByTestId("check-schedule").and(second.page.locator('[data-done="false"]')).waitFor();
    const fresh = await second.context.newPage();
    await fresh.goto(`${base}/console/`);
    await fresh.waitForURL(`${base}/console/me`);
    await fresh.getByTestId("check-schedule").waitFor();
    await second.context.setOffline(false);
    await second.context.close();

    // The sign-in page at phone size, in English; a used link is refused with its own message.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-GB" });
    const p = await phone.newPage();
    await p.goto(`${base}/console/sign-in?token=${"x".repeat(43)}`);
    await p.getByTestId("sign-in-error").getByText("This link is not valid").waitFor();
    await p.screenshot({ path: "artifacts/mentor-sign-in-390.png", fullPage: true });
    await phone.close();
  }, 180_000);

  test("axe-core finds no serious or critical issue on the mentor pages, light and dark", async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    const mentor = await newMentor(`axe.${Date.now().toString(36)}@etu.thotis.test`, "Axel Petit");
    const token = await app.token("mentor", { sub: String(mentor.userId), studentProfileId: mentor.profileId, ttlSeconds: 3600 });
    const session = {
      token,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user: { id: mentor.userId, email: mentor.email, name: "Axel Petit", role: "mentor" },
      studentProfileId: mentor.profileId,
    };
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ bypassCSP: true, colorScheme, locale: "fr-FR" });
      await context.addInitScript((value) => sessionStorage.setItem("thotis.console.session", value), JSON.stringify(session));
      const page = await context.newPage();
      for (const path of ["/console/me", "/console/me/profile", "/console/me/schedule", "/console/me/sessions"]) {
        await page.goto(`${base}${path}`);
        await page.locator("h1").first().waitFor();
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        await page.addScriptTag({ content: axeSource });
        const violations = (await page.evaluate(async () => {
          const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
          return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        })) as string[];
        expect({ path, colorScheme, violations }).toEqual({ path, colorScheme, violations: [] });
      }
      await context.close();
    }
  }, 180_000);
});
