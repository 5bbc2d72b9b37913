/**
 * The booking widget in a real browser (Debian's Chromium): a host page on another origin embeds it with embed.js,
 * the way the Thotis site does. One server and one browser for the file; each test opens its own page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, writeFile } from "node:fs/promises";
import { eq, sql } from "drizzle-orm";
import type { Browser, Frame, FrameLocator, Page } from "playwright-core";
import { bookings } from "../../db/schema/index.ts";
import { launchBrowser, watchPageProblems } from "../../server/test-support/browser.ts";
import { startTestApp, type TestApp } from "../../server/test-support/app.ts";
import { call, createMentor, type Mentor, testContext, type TestCtx } from "../../server/test-support/mentors.ts";
import { systemClock } from "../../server/lib/clock.ts";

// A generous but realistic week: three ranges a day (about 600 free slots over 30 days).
const week = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
  weekday,
  ranges: [
    { start: "08:00", end: "10:00" },
    { start: "12:00", end: "14:00" },
    { start: "17:00", end: "21:00" },
  ],
}));

let app: TestApp;
let host: ReturnType<typeof Bun.serve>;
let browser: Browser;
let ctx: TestCtx;
let mentor: Mentor;
let hostOrigin: string;
const timings: string[] = [];

/** The host page: its backend mints a widget token with integrator credentials, then mounts the widget. */
async function hostPage(url: URL): Promise<Response> {
  if (url.pathname === "/foreign") {
    // A third origin (localhost instead of 127.0.0.1) trying to pass itself off as the widget.
    const fake = { source: "thotis-widget", version: 1, type: "booking.complete", payload: { bookingId: 999999, startTime: "x", meetingUrl: "x" } };
    return new Response(`<!doctype html><script>parent.postMessage(${JSON.stringify(fake)}, "*")</script>`, { headers: { "content-type": "text/html" } });
  }
  const minted = await call(ctx, "/api/v2/widget/token", { method: "POST", token: ctx.integrator, json: { studentProfileId: mentor.profileId } });
  const options = {
    studentProfileId: url.searchParams.get("mentor") ?? mentor.profileId,
    token: minted.body.data.token,
    theme: url.searchParams.get("theme") ?? "light",
    locale: url.searchParams.get("locale") ?? "fr",
    primaryColor: url.searchParams.get("color") ?? undefined,
    prefillData: { name: url.searchParams.get("name") ?? undefined, email: url.searchParams.get("email") ?? undefined },
  };
  const foreign = url.searchParams.has("foreign") ? `<iframe id="foreign" src="http://localhost:${host.port}/foreign"></iframe>` : "";
  const html = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Lycée – orientation</title></head><body style="margin:0">
<main><h1 style="font:16px sans-serif;margin:8px">Site hôte</h1><div id="w"></div></main>${foreign}
<script>
  window.completed = []; window.errors = []; window.domEvents = []; window.raw = [];
  addEventListener("message", (e) => { if (e.data && e.data.source === "thotis-widget") raw.push({ origin: e.origin, type: e.data.type }); });
  for (const t of ["widget.ready", "slots.loaded", "booking.submitted", "booking.complete", "booking.error"])
    document.addEventListener("thotis:" + t, (e) => domEvents.push({ type: t, detail: e.detail }));
</script>
<script src="${app.baseUrl}/widget/embed.js"></script>
<script>
  const options = ${JSON.stringify(options)};
  ThotisWidget.mount(document.getElementById("w"), Object.assign(options, {
    onBookingComplete: (id, details) => completed.push({ id, details }),
    onError: (e) => errors.push({ code: e.code, message: e.message }),
  }));
</script></body></html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}

beforeAll(async () => {
  host = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => hostPage(new URL(req.url)) });
  hostOrigin = `http://127.0.0.1:${host.port}`;
  app = await startTestApp({ env: { FRAME_ANCESTORS: hostOrigin } });
  ctx = await testContext(app, systemClock);
  mentor = await createMentor(ctx, { schedule: { timeZone: "Europe/Paris", weekly: week } });
  browser = await launchBrowser();
  await mkdir("artifacts", { recursive: true });
}, 120_000);

afterAll(async () => {
  if (timings.length) await writeFile("artifacts/widget-timings.txt", `${timings.join("\n")}\n`);
  await browser?.close();
  await host?.stop(true);
  await app?.stop();
});

interface Opened {
  page: Page;
  widget: FrameLocator;
  frame: () => Frame;
  /** Milliseconds from the host page's navigation to the first slot button being visible. */
  firstSlotsMs: number;
  /** Milliseconds from the widget iframe's own navigation start to the first slot button being visible. */
  widgetMs: number;
}

async function open(query = "", opts: { width?: number; bypassCSP?: boolean } = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 480, height: 900 }, bypassCSP: opts.bypassCSP ?? false, timezoneId: "Europe/Paris" });
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(`${hostOrigin}/?${query}`);
  const widget = page.frameLocator("#w iframe");
  await widget.locator("button.slot").first().waitFor({ state: "visible", timeout: 30_000 });
  const firstSlotsMs = Math.round(performance.now() - started);
  const frame = () => page.frames().find((f) => f.url().startsWith(`${app.baseUrl}/widget/`))!;
  const widgetMs = Math.round(await frame().evaluate(() => performance.now()));
  if (process.env.WIDGET_TIMING_DEBUG) {
    console.log(
      await frame().evaluate(() =>
        performance
          .getEntriesByType("resource")
          .map((e) => `${e.name.replace(location.origin, "").slice(0, 60)} ${Math.round(e.startTime)}→${Math.round((e as PerformanceResourceTiming).responseEnd)}`)
          .join("\n"),
      ),
    );
  }
  return { page, widget, frame, firstSlotsMs, widgetMs };
}

/** What the host page recorded: callbacks, DOM events, and every envelope-shaped message that reached the window. */
interface HostState {
  completed: Array<{ id: number; details: { bookingId: number; startTime: string; meetingUrl: string } }>;
  errors: Array<{ code: string; message: string }>;
  domEvents: Array<{ type: string; detail: unknown }>;
  raw: Array<{ origin: string; type: string }>;
}
const hostState = (page: Page): Promise<HostState> =>
  page.evaluate(() => {
    const w = window as unknown as HostState;
    return { completed: w.completed, errors: w.errors, domEvents: w.domEvents, raw: w.raw };
  });

/** Presses Tab until the widget's focused element matches the selector (keyboard-only navigation). */
async function tabTo(o: Opened, selector: string, max = 120) {
  for (let i = 0; i < max; i++) {
    await o.page.keyboard.press("Tab");
    if (await o.frame().evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`could not reach ${selector} with Tab`);
}

const bookingsOf = (email: string) => app.database.db.select().from(bookings).where(eq(bookings.prospectiveEmail, email));

describe("booking widget", () => {
  test("a host page on another origin embeds the widget; a keyboard-only booking completes and the host hears booking.complete", async () => {
    const o = await open();
    timings.push(`first load: slots visible ${o.widgetMs} ms after the iframe started (${o.firstSlotsMs} ms after the host page started)`);
    for (let i = 0; i < 2; i++) {
      const again = await open();
      timings.push(`load ${i + 2}: slots visible ${again.widgetMs} ms after the iframe started (${again.firstSlotsMs} ms after the host page started)`);
      await again.page.context().close();
    }
    // The budget is 1 s on localhost (see README for measured figures); this guard allows for a loaded shared CI machine.
    expect(o.widgetMs).toBeLessThan(5000);

    // The iframe was sized to its content by widget.resize.
    const height = await o.page.locator("#w iframe").evaluate((el) => el.getBoundingClientRect().height);
    const content = await o.frame().evaluate(() => document.body.getBoundingClientRect().height);
    expect(Math.abs(height - content)).toBeLessThan(4);

    await tabTo(o, "button.slot");
    const start = await o.frame().evaluate(() => document.activeElement!.getAttribute("data-start"));
    await o.page.keyboard.press("Enter");
    // Focus moves to the form's heading; the visitor tabs on to the fields.
    await o.widget.locator("#form-title").waitFor();
    expect(await o.frame().evaluate(() => document.activeElement?.id)).toBe("form-title");
    await tabTo(o, "#name");
    await o.page.keyboard.type("Inès Keyboard");
    await o.page.keyboard.press("Tab");
    await o.page.keyboard.type("ines.keyboard@lycee.fr");
    await o.page.keyboard.press("Tab");
    await o.page.keyboard.type("Quels débouchés après une licence de droit ?");
    expect(await o.widget.locator("#question-hint").textContent()).toContain("44 / 500");
    await tabTo(o, "button[type=submit]");
    await o.page.keyboard.press("Enter");

    await o.widget.locator("#done-title").waitFor();
    expect(await o.frame().evaluate(() => document.activeElement?.id)).toBe("done-title");
    await o.page.waitForFunction(() => (window as unknown as { completed: unknown[] }).completed.length === 1);
    const state = await hostState(o.page);
    const bookingId = state.completed[0]!.id;
    const details = state.completed[0]!.details;
    expect(details.startTime).toBe(start!);
    // The booking the host heard about exists through the API, with that start and video link.
    const fetched = await call(ctx, `/api/v2/bookings/${bookingId}`, { token: ctx.admin });
    expect(fetched.status).toBe(200);
    expect(fetched.body.data).toMatchObject({ startTime: start, meetingUrl: details.meetingUrl, status: "ACCEPTED" });
    expect(fetched.body.data.prospectiveStudent).toMatchObject({ name: "Inès Keyboard", email: "ines.keyboard@lycee.fr", locale: "fr", timeZone: "Europe/Paris" });
    expect(await o.widget.getByTestId("meeting-url").textContent()).toBe(details.meetingUrl);
    const ics = decodeURIComponent((await o.widget.locator("a[download]").getAttribute("href"))!.split(",")[1]!);
    expect(ics).toContain("BEGIN:VEVENT");
    expect(ics).toContain(`DTSTART:${start!.replace(/[-:]/g, "").replace(".000", "")}`);
    // Every message type arrived in order, as DOM events too, and only from the widget's origin.
    expect(state.domEvents.map((e) => e.type)).toEqual(["widget.ready", "slots.loaded", "booking.submitted", "booking.complete"]);
    expect(new Set(state.raw.map((m) => m.origin))).toEqual(new Set([app.baseUrl]));
    await o.page.context().close();
  });

  test("name and e-mail are pre-filled from the URL parameters (Property 26)", async () => {
    const o = await open(`name=${encodeURIComponent("Léa Prefill")}&email=lea.prefill%40lycee.fr`);
    expect(new URL(o.frame().url()).searchParams.get("name")).toBe("Léa Prefill");
    await o.widget.locator("button.slot").first().click();
    expect(await o.widget.locator("#name").inputValue()).toBe("Léa Prefill");
    expect(await o.widget.locator("#email").inputValue()).toBe("lea.prefill@lycee.fr");
    // Going back to the slots puts the focus on their heading, not on the page's start.
    await o.widget.getByRole("button", { name: "Changer de créneau" }).click();
    await o.widget.locator("#pick-title").waitFor();
    expect(await o.frame().evaluate(() => document.activeElement?.id)).toBe("pick-title");
    await o.page.context().close();
    // The widget page opened directly with the parameters, no loader involved.
    const token = await app.token("widget");
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/widget/?studentProfileId=${mentor.profileId}&name=Tom%20Direct&email=tom%40lycee.fr#token=${token}`);
    await page.locator("button.slot").first().click();
    expect(await page.locator("#name").inputValue()).toBe("Tom Direct");
    expect(await page.locator("#email").inputValue()).toBe("tom@lycee.fr");
    await page.close();
  });

  test("a message from a foreign origin is ignored by the loader", async () => {
    const o = await open("foreign=1");
    await o.page.evaluate(() =>
      window.postMessage({ source: "thotis-widget", version: 1, type: "booking.complete", payload: { bookingId: 424242 } }, "*"),
    );
    await o.page.waitForFunction(() => (window as unknown as { raw: Array<{ origin: string }> }).raw.filter((m) => !m.origin.includes("127.0.0.1:" + location.port)).length >= 2);
    const state = await hostState(o.page);
    // The forged messages did arrive at the window, from the host itself and from a third origin...
    expect(state.raw.some((m) => m.origin.startsWith("http://localhost:"))).toBe(true);
    expect(state.raw.some((m) => m.origin === hostOrigin)).toBe(true);
    // ...and produced no callback and no DOM event.
    expect(state.completed).toEqual([]);
    expect(state.domEvents.some((e) => e.type === "booking.complete")).toBe(false);
    await o.page.context().close();
  });

  test("a slot taken between loading and submitting: plain words, the next free slots, and a double click books once", async () => {
    const o = await open("locale=en&name=Sam%20Race&email=sam.race%40lycee.fr");
    const slot = o.widget.locator("button.slot").first();
    const start = (await slot.getAttribute("data-start"))!;
    await slot.click();
    // The widget holds the slot while the form is filled: someone else's booking of it is refused (issue 17)…
    const otherBooking = () =>
      call(ctx, "/api/v2/bookings", {
        method: "POST",
        token: ctx.widget,
        json: { studentProfileId: mentor.profileId, dateTime: start, prospectiveStudent: { name: "Other", email: "other@lycee.fr" } },
      });
    await o.page.waitForFunction(() => (window as unknown as { raw: { type: string }[] }).raw.some((m) => m.type === "slot.held"));
    const refused = await otherBooking();
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: "SLOT_HELD" });
    // …until the hold has expired (moved into the past here): then someone else books the same slot meanwhile.
    await app.database.db.execute(sql`update slot_holds set expires_at = now() - interval '1 second'`);
    const other = await otherBooking();
    expect(other.status).toBe(201);
    await o.widget.locator("button[type=submit]").click();
    const alert = o.widget.getByRole("alert");
    await alert.getByText("Someone just booked this time").waitFor();
    const text = (await alert.textContent()) ?? "";
    expect(text).not.toMatch(/BOOKING_CONFLICT|SLOT_NOT_AVAILABLE|409|error|exclusion|constraint/i);
    const alternatives = alert.locator("button.slot");
    expect(await alternatives.count()).toBe(3);
    await alternatives.first().click();
    // Double click on submit: one attempt, one booking.
    await o.widget.locator("button[type=submit]").dblclick();
    await o.widget.locator("#done-title").waitFor();
    await o.page.waitForTimeout(300);
    expect(await bookingsOf("sam.race@lycee.fr")).toHaveLength(1);
    const state = await hostState(o.page);
    expect(state.errors).toHaveLength(1);
    expect(state.errors[0]!.code).toMatch(/BOOKING_CONFLICT|SLOT_NOT_AVAILABLE/);
    expect(state.errors[0]!.message).toBe("Someone just booked this time. Here are the next free times:");
    expect(state.completed).toHaveLength(1);
    await o.page.context().close();
  });

  test("French and English", async () => {
    for (const [locale, heading, day] of [
      ["fr", "Réserver un échange de 15 minutes", "Choisissez un jour"],
      ["en", "Book a 15-minute chat", "Choose a day"],
    ] as const) {
      const o = await open(`locale=${locale}`);
      expect(await o.widget.locator(".tagline").textContent()).toBe(heading);
      expect(await o.widget.locator("#pick-title").textContent()).toBe(day);
      expect(await o.frame().evaluate(() => document.documentElement.lang)).toBe(locale);
      expect(await o.page.locator("#w iframe").getAttribute("title")).toBe(locale === "en" ? "Book a session with a Thotis mentor" : "Réserver un échange avec un mentor Thotis");
      await o.page.context().close();
    }
  });

  test("light and dark themes with the host's colour: axe-core finds no serious or critical violation; usable at 320 px", async () => {
    for (const theme of ["light", "dark"] as const) {
      // bypassCSP only so the test can inject axe-core into the widget page.
      const o = await open(`theme=${theme}&color=%23ffcc00`, { width: 320, bypassCSP: true });
      const bg = await o.frame().evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe(theme === "dark" ? "rgb(24, 26, 32)" : "rgb(255, 255, 255)");
      // Nothing sticks out sideways at 320 px.
      expect(await o.frame().evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      await o.page.screenshot({ path: `artifacts/widget-${theme}.png`, fullPage: true });
      await o.frame().addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
      const audit = async (step: string) => {
        const violations = await o.frame().evaluate(async () => {
          const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
          const result = await axe.run(document, { resultTypes: ["violations"] });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
        });
        expect({ step, theme, serious: violations.filter((v) => v.impact === "serious" || v.impact === "critical") }).toEqual({ step, theme, serious: [] });
      };
      await audit("slots");
      await o.widget.locator("button.slot").first().click();
      await o.widget.locator("button[type=submit]").click(); // empty form: errors shown
      await o.widget.locator(".field-error").first().waitFor();
      await audit("form with errors");
      await o.page.screenshot({ path: `artifacts/widget-${theme}-form.png`, fullPage: true });
      await o.page.context().close();
    }
  });

  test("the manage page moves and cancels a booking with the e-mailed manage token", async () => {
    const slots = (await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget })).body.data.slots;
    const made = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: slots[10].start, prospectiveStudent: { name: "Manon Manage", email: "manon@lycee.fr" } },
    });
    const id = made.body.data.bookingId as number;
    const token = await app.services.manageTokens.sign(id, new Date(Date.now() + 30 * 86_400_000));
    const page = await browser.newPage({ locale: "fr-FR" });
    await page.goto(`${app.baseUrl}/widget/manage#${token}`);
    await page.getByRole("button", { name: "Changer d'horaire" }).click();
    // The first free day may be today with only its last slots left (a 2-hour notice): the second one is whole.
    await page.locator("button.day.free").nth(1).click();
    const target = page.locator(`button.slot:not([data-start="${slots[10].start}"])`).nth(3);
    const newStart = await target.getAttribute("data-start");
    await target.click();
    await page.getByRole("button", { name: "Confirmer le nouvel horaire" }).click();
    await page.getByRole("status").getByText("votre échange est déplacé").waitFor();
    expect((await call(ctx, `/api/v2/bookings/${id}`, { token: ctx.admin })).body.data.startTime).toBe(newStart);
    await page.getByRole("button", { name: "Annuler l'échange" }).click();
    await page.getByLabel("Raison de l'annulation").fill("Empêchement");
    await page.getByRole("button", { name: "Confirmer l'annulation" }).click();
    await page.getByText("Votre échange a été annulé.").waitFor();
    expect((await call(ctx, `/api/v2/bookings/${id}`, { token: ctx.admin })).body.data.status).toBe("CANCELLED");
    await page.close();
  });

  test("the rating page: plain words before the session, stars by keyboard after it, and only once", async () => {
    const slots = (await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget })).body.data.slots;
    const made = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: slots[20].start, prospectiveStudent: { name: "Rita Rate", email: "rita@lycee.fr", locale: "en" } },
    });
    const id = made.body.data.bookingId as number;
    const token = await app.services.ratingTokens.sign(id, "rita@lycee.fr");
    const page = await browser.newPage({ locale: "en-GB" });
    const rateByKeyboard = async () => {
      // A fresh load each time (a goto to the same URL with only a fragment would not reload the page).
      await page.goto("about:blank");
      await page.goto(`${app.baseUrl}/widget/rate#${token}`);
      await page.locator("h1").getByText("How was your chat?").waitFor();
      // Tab into the star radio group, arrow to 4 stars, tab to the comment and type, then submit with Enter.
      await page.keyboard.press("Tab");
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      await page.keyboard.press("Tab");
      await page.keyboard.type("Très utile, merci !");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
    };
    await rateByKeyboard();
    await page.getByRole("alert").getByText("You can rate this chat once it has taken place.").waitFor();
    // The session takes place (the clock is the real one, so it is marked completed directly).
    await app.database.db.update(bookings).set({ status: "COMPLETED", completedAt: new Date() }).where(eq(bookings.id, id));
    await page.keyboard.press("Enter");
    await page.getByText("Thank you for your review!").waitFor();
    const listed = await call(ctx, `/api/v2/students/${mentor.profileId}/ratings`, { token: ctx.admin });
    if (listed.status === 200) expect(JSON.stringify(listed.body.data)).toContain("Très utile, merci !");
    await rateByKeyboard();
    await page.getByRole("alert").getByText("You have already rated this chat. Thank you!").waitFor();
    await page.close();
  });

  test("the demo page embeds the widget from the other loopback origin", async () => {
    // A second server on the same database, with the default framing policy (this machine's pages in embedded mode).
    const demoApp = await startTestApp({ database: app.database });
    try {
      const page = await browser.newPage();
      await page.goto(`${demoApp.baseUrl}/widget/demo?mentor=${mentor.profileId}`);
      const frame = page.frameLocator("#widget iframe");
      await frame.locator("button.slot").first().waitFor({ state: "visible", timeout: 30_000 });
      expect(await page.locator("#widget iframe").getAttribute("src")).toStartWith(`http://localhost:${new URL(demoApp.baseUrl).port}/widget/`);
      await page.locator("#log").getByText("slots.loaded").waitFor();
      await page.close();
    } finally {
      await demoApp.stop();
    }
  });
});

/** The live-availability stream stays open by design: leaving the page aborts it, which is no failure. */
const watchProblems = (page: Page) => watchPageProblems(page, (url) => url.includes("/api/v2/live/availability"));
/** The widget frame's focused element, "body" when the focus is lost. */
const widgetFocus = (o: Opened) =>
  o.frame().evaluate(() => (document.activeElement && document.activeElement !== document.body ? `${document.activeElement.tagName.toLowerCase()}#${document.activeElement.id}` : "body"));
const pageOverflow = (page: Page | Frame) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe("booking widget: keyboard, screen readers and small screens (issues 13 and 18)", () => {
  test("after a 409, choosing an alternative slot by keyboard moves the focus to the new choice, never to <body>", async () => {
    const o = await open("locale=fr&name=Kim%20Clavier&email=kim.clavier%40lycee.fr");
    const problems = watchProblems(o.page);
    await tabTo(o, "button.slot");
    const start = (await o.frame().evaluate(() => document.activeElement?.getAttribute("data-start"))) as string;
    await o.page.keyboard.press("Enter");
    await o.widget.locator("#form-title").waitFor();
    // The slot is held for this visitor; once the hold has run out, someone else books it meanwhile.
    await o.page.waitForFunction(() => (window as unknown as { raw: { type: string }[] }).raw.some((m) => m.type === "slot.held"));
    await app.database.db.execute(sql`update slot_holds set expires_at = now() - interval '1 second'`);
    const other = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: start, prospectiveStudent: { name: "Other", email: "other.kbd@lycee.fr" } },
    });
    expect(other.status).toBe(201);
    await tabTo(o, "button[type=submit]");
    await o.page.keyboard.press("Enter");
    await o.widget.getByRole("alert").locator("button.slot").first().waitFor();
    // Back (Shift+Tab) to the first alternative, then Enter.
    for (let i = 0; i < 20 && !(await o.frame().evaluate(() => document.activeElement?.closest(".error") !== null)); i++) await o.page.keyboard.press("Shift+Tab");
    for (let i = 0; i < 5 && (await o.frame().evaluate(() => document.activeElement?.closest(".error .slots li:first-child") === null)); i++) await o.page.keyboard.press("Shift+Tab");
    const chosenText = await o.frame().evaluate(() => document.activeElement?.textContent ?? "");
    await o.page.keyboard.press("Enter");
    await o.page.waitForTimeout(100);
    expect(await widgetFocus(o)).toBe("p#chosen");
    expect(await o.widget.locator("#chosen").textContent()).toContain(chosenText.split(", ").at(-1) ?? "");
    await tabTo(o, "button[type=submit]");
    await o.page.keyboard.press("Enter");
    await o.widget.locator("#done-title").waitFor();
    expect(await widgetFocus(o)).toBe("h2#done-title");
    // The 409 itself is the scenario (the browser logs every 4xx answer); nothing else may go wrong.
    expect(problems.filter((p) => !p.startsWith("http 409") && !p.includes("status of 409"))).toEqual([]);
    await o.page.context().close();
  });

  test("a change of time zone is announced and the focus stays on the selector; the day grid names the month where it starts", async () => {
    const o = await open("locale=fr");
    expect(await o.widget.getByTestId("zone-status").textContent()).toBe("");
    await tabTo(o, "#zone");
    await o.widget.locator("#zone").selectOption("America/New_York");
    await o.frame().waitForFunction(() => (document.querySelector('[data-testid="zone-status"]')?.textContent ?? "").startsWith("Horaires affichés à l'heure de America/New York"));
    expect(await widgetFocus(o)).toBe("select#zone");
    // Month names: on the first cell and on every "1" (…30, 31, 1 janv., 2).
    const cells = await o.widget.locator(".days button.day").evaluateAll((days) => days.map((d) => ({ num: d.querySelector(".num")?.textContent, mon: d.querySelector(".mon")?.textContent ?? null })));
    expect(cells[0]?.mon).not.toBeNull();
    for (const c of cells.slice(1)) expect({ num: c.num, hasMonth: c.mon !== null }).toEqual({ num: c.num, hasMonth: c.num === "1" });
    await o.page.context().close();
  });

  test("the question counter is announced at thresholds (100, 50, 20 and 0 characters left), not at every keystroke", async () => {
    const o = await open("locale=fr");
    await o.widget.locator("button.slot").first().click();
    const question = o.widget.locator("#question");
    const status = o.widget.getByTestId("counter-status");
    expect(await o.widget.locator("#question-hint").getAttribute("aria-live")).toBeNull();
    await question.fill("Bonjour");
    expect(await status.textContent()).toBe("");
    await question.fill("x".repeat(400));
    expect(await status.textContent()).toBe("Plus que 100 caractères.");
    await question.press("y"); // 99 left: same threshold, nothing new to read
    expect(await status.textContent()).toBe("Plus que 100 caractères.");
    await question.fill("x".repeat(455));
    expect(await status.textContent()).toBe("Plus que 45 caractères.");
    await question.fill("x".repeat(500));
    expect(await status.textContent()).toBe("Limite de 500 caractères atteinte.");
    await o.page.context().close();

    // The rating page's comment counter follows the same rule.
    const slots = (await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget })).body.data.slots;
    const made = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: slots[50].start, prospectiveStudent: { name: "Cyril Compteur", email: "cyril@lycee.fr" } },
    });
    const token = await app.services.ratingTokens.sign(made.body.data.bookingId as number, "cyril@lycee.fr");
    const page = await browser.newPage({ locale: "fr-FR" });
    await page.goto(`${app.baseUrl}/widget/rate#${token}`);
    const feedback = page.locator("#feedback");
    await feedback.waitFor();
    expect(await page.locator("#feedback-hint").getAttribute("aria-live")).toBeNull();
    await feedback.fill("Très bien");
    expect(await page.getByTestId("counter-status").textContent()).toBe("");
    await feedback.fill("x".repeat(481));
    expect(await page.getByTestId("counter-status").textContent()).toBe("Plus que 19 caractères.");
    await page.close();
  });

  test("axe-core (WCAG A/AA and best practices): slots and form in light and dark, French and English; the manage and rate pages", async () => {
    const run = (frame: Frame | Page) =>
      frame.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(o?: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const r = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
        return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      });
    const found: string[] = [];
    for (const theme of ["light", "dark"] as const) {
      for (const locale of ["fr", "en"] as const) {
        const o = await open(`theme=${theme}&locale=${locale}`, { bypassCSP: true });
        await o.frame().addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
        for (const v of await run(o.frame())) found.push(`slots ${theme} ${locale}: ${v}`);
        await o.widget.locator("button.slot").first().click();
        await o.widget.locator("#form-title").waitFor();
        for (const v of await run(o.frame())) found.push(`form ${theme} ${locale}: ${v}`);
        await o.page.context().close();
      }
    }
    const slots = (await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget })).body.data.slots;
    const made = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: slots[40].start, prospectiveStudent: { name: "Axel Axe", email: "axel.axe@lycee.fr" } },
    });
    const id = made.body.data.bookingId as number;
    for (const [name, url] of [
      ["manage", `${app.baseUrl}/widget/manage#${await app.services.manageTokens.sign(id, new Date(Date.now() + 30 * 86_400_000))}`],
      ["rate", `${app.baseUrl}/widget/rate#${await app.services.ratingTokens.sign(id, "axel.axe@lycee.fr")}`],
    ] as const) {
      for (const locale of ["fr-FR", "en-GB"]) {
        const context = await browser.newContext({ locale, bypassCSP: true });
        const page = await context.newPage();
        await page.goto(url);
        await page.locator("h1").waitFor();
        await page.waitForTimeout(200);
        await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
        for (const v of await run(page)) found.push(`${name} ${locale}: ${v}`);
        await context.close();
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  test("the tagline is plain text, not a link look-alike", async () => {
    const o = await open("locale=fr");
    const look = await o.frame().evaluate(() => {
      const tag = document.querySelector(".tagline") as HTMLElement;
      const s = getComputedStyle(tag);
      return { tag: tag.tagName, color: s.color, text: getComputedStyle(document.body).color, underline: s.textDecorationLine, cursor: s.cursor };
    });
    expect(look).toEqual({ tag: "P", color: look.text, text: look.text, underline: "none", cursor: "auto" });
    await o.page.context().close();
  });

  test("every widget screen at 320, 390 and 1280 px: no sideways scroll, no error or failed request; screenshots at 390 and 1280 px", async () => {
    const slots = (await call(ctx, `/api/v2/students/${mentor.profileId}/availability`, { token: ctx.widget })).body.data.slots;
    const made = await call(ctx, "/api/v2/bookings", {
      method: "POST",
      token: ctx.widget,
      json: { studentProfileId: mentor.profileId, dateTime: slots[30].start, prospectiveStudent: { name: "Léa Largeur", email: "lea.largeur@lycee.fr" } },
    });
    const id = made.body.data.bookingId as number;
    const manage = await app.services.manageTokens.sign(id, new Date(Date.now() + 30 * 86_400_000));
    const rate = await app.services.ratingTokens.sign(id, "lea.largeur@lycee.fr");
    for (const width of [320, 390, 1280]) {
      // The booking flow, embedded: slots, then the form.
      const o = await open("locale=fr", { width });
      const problems = watchProblems(o.page);
      expect({ width, step: "slots", page: await pageOverflow(o.page), widget: await pageOverflow(o.frame()) }).toEqual({ width, step: "slots", page: 0, widget: 0 });
      if (width !== 320) await o.page.screenshot({ path: `artifacts/a11y-widget-slots-${width}.png`, fullPage: true });
      await o.widget.locator("button.slot").first().click();
      await o.widget.locator("#form-title").waitFor();
      expect({ width, step: "form", widget: await pageOverflow(o.frame()) }).toEqual({ width, step: "form", widget: 0 });
      if (width !== 320) await o.page.screenshot({ path: `artifacts/a11y-widget-form-${width}.png`, fullPage: true });
      expect(problems).toEqual([]);
      await o.page.context().close();
      // The manage and rate pages, opened from their e-mails.
      for (const [name, url, ready] of [
        ["manage", `${app.baseUrl}/widget/manage#${manage}`, "Changer d'horaire"],
        ["rate", `${app.baseUrl}/widget/rate#${rate}`, null],
      ] as const) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "fr-FR" });
        const page = await context.newPage();
        const pageProblems = watchProblems(page);
        await page.goto(url);
        if (ready) await page.getByRole("button", { name: ready }).waitFor();
        else await page.locator("h1").waitFor();
        expect({ width, name, overflow: await pageOverflow(page) }).toEqual({ width, name, overflow: 0 });
        if (width !== 320) await page.screenshot({ path: `artifacts/a11y-widget-${name}-${width}.png`, fullPage: true });
        expect(pageProblems).toEqual([]);
        await context.close();
      }
    }
  }, 120_000);

  test("the demo page: no CSP error, a mentor picker (?mentor=), a keyboard-reachable snippet, a <main>, and an event log that wraps at 320 and 390 px; axe finds nothing", async () => {
    const second = await createMentor(ctx, { schedule: { timeZone: "Europe/Paris", weekly: week } });
    const demoApp = await startTestApp({ database: app.database });
    try {
      for (const width of [320, 390, 1280]) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "fr-FR", bypassCSP: width === 1280 });
        const page = await context.newPage();
        const problems = watchProblems(page);
        await page.goto(`${demoApp.baseUrl}/widget/demo?mentor=${mentor.profileId}`);
        await page.frameLocator("#widget iframe").locator("button.slot").first().waitFor({ state: "visible", timeout: 30_000 });
        await page.locator("#log").getByText("slots.loaded").waitFor();
        // A long event line (a booking's meeting URL) must wrap inside the log.
        await page.evaluate(() => document.dispatchEvent(new CustomEvent("thotis:booking.complete", { detail: { bookingId: 1, meetingUrl: `https://meet.jit.si/${"thotis-".repeat(20)}` } })));
        expect({ width, overflow: await pageOverflow(page) }).toEqual({ width, overflow: 0 });
        expect(await page.locator("main h1").count()).toBe(1);
        expect(await page.locator("pre").getAttribute("tabindex")).toBe("0");
        expect(await page.locator("pre").getAttribute("aria-label")).toBe("Code d'intégration");
        const picker = page.getByLabel("Mentor affiché (paramètre ?mentor=)");
        expect(await picker.inputValue()).toBe(mentor.profileId);
        if (width !== 320) await page.screenshot({ path: `artifacts/a11y-widget-demo-${width}.png`, fullPage: true });
        if (width === 1280) {
          await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
          const violations = await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run(o?: object): Promise<{ violations: { id: string }[] }> } }).axe;
            return (await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })).violations.map((v) => v.id);
          });
          expect(violations).toEqual([]);
          // The picker, by keyboard: another mentor, the page reloads with ?mentor= and shows them.
          await picker.focus();
          await picker.selectOption(second.profileId);
          await page.keyboard.press("Tab");
          await Promise.all([page.waitForURL(new RegExp(`mentor=${second.profileId}`)), page.keyboard.press("Enter")]);
          await page.frameLocator("#widget iframe").locator("button.slot").first().waitFor({ state: "visible", timeout: 30_000 });
          expect(await page.locator("#widget").getAttribute("data-thotis-student")).toBe(second.profileId);
        }
        expect({ width, problems }).toEqual({ width, problems: [] });
        await context.close();
      }
    } finally {
      await demoApp.stop();
    }
  }, 120_000);
});
