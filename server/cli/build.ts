import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Builds the front ends (widget/, console/) with Vite, then runs each one's size budget check (APP/budget.ts,
 * exporting `checkBudget(distDir): Promise<string[]>` that returns the lines to print and throws when a budget is
 * exceeded). A failed build or an exceeded budget fails the command.
 */
const apps = ["widget", "console"].filter((app) => existsSync(join(app, "vite.config.ts")));
for (const app of apps) {
  const started = performance.now();
  // Vite runs on Node when present (its home runtime), else on Bun.
  const runtime = Bun.which("node") ?? process.execPath;
  const proc = Bun.spawn([runtime, "node_modules/vite/bin/vite.js", "build", "--config", join(app, "vite.config.ts"), "--logLevel", "warn"], {
    stdio: ["inherit", "inherit", "inherit"],
  });
  if ((await proc.exited) !== 0) {
    console.error(`build of ${app}/ failed`);
    process.exit(1);
  }
  console.log(`${app}/ built in ${Math.round(performance.now() - started)} ms`);
  const budget = join(process.cwd(), app, "budget.ts");
  if (existsSync(budget)) {
    try {
      const { checkBudget } = (await import(budget)) as { checkBudget(distDir: string): Promise<string[]> };
      for (const line of await checkBudget(join(app, "dist"))) console.log(`  ${line}`);
    } catch (error) {
      console.error(`${app}/ is over its size budget: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    }
  }
}
