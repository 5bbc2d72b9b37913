import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Runs the browser and process-level suites (files named NAME.e2e.ts in the e2e folders), which `bun test` alone skips:
 * they need Chromium or spawn whole servers, so the unit run stays fast.
 */
const roots = ["server/e2e", "widget/e2e", "console/e2e"];
const files = roots.flatMap((root) => {
  try {
    return readdirSync(root)
      .filter((f) => f.endsWith(".e2e.ts") && statSync(join(root, f)).isFile())
      .map((f) => `./${join(root, f)}`);
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error("no *.e2e.ts files found");
  process.exit(1);
}
const proc = Bun.spawn([process.execPath, "test", "--timeout", "180000", ...files, ...process.argv.slice(2)], {
  stdio: ["inherit", "inherit", "inherit"],
});
process.exit(await proc.exited);
