import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Launches the system Chromium (Debian package), not a Playwright-downloaded build: CI has no
 * network to fetch one. The flags stop Chromium's own background traffic so offline runs stay quiet.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Script errors, console errors and failed or refused requests of one page, collected as they happen; a test ends
 * expecting none. `abortedIsFine` names the requests whose abort is expected (a download handed to the browser, a
 * stream the page leaves).
 */
export function watchPageProblems(page: Page, abortedIsFine: (url: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText === "net::ERR_ABORTED" && abortedIsFine(r.url())) return;
    problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.url()}`);
  });
  return problems;
}
