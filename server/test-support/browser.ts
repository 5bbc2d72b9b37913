import { chromium, type Browser } from "playwright-core";

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
