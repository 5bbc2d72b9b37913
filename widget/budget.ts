import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Size budgets (gzip): the loader host pages fetch, and all the widget app's JavaScript (lazy pages included). */
export const EMBED_BUDGET = 3 * 1024;
export const WIDGET_JS_BUDGET = 30 * 1024;

const gz = async (path: string) => gzipSync(await readFile(path), { level: 9 }).length;
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;

/** Returns the lines to print; throws when a budget is exceeded, which fails `npm run build`. */
export async function checkBudget(distDir: string): Promise<string[]> {
  const embed = await gz(join(distDir, "embed.js"));
  const assets = join(distDir, "assets");
  const scripts = (await readdir(assets)).filter((f) => f.endsWith(".js"));
  let widget = 0;
  for (const file of scripts) widget += await gz(join(assets, file));
  const lines = [
    `embed.js: ${kb(embed)} gzip (budget ${kb(EMBED_BUDGET)})`,
    `widget JavaScript (${scripts.length} files): ${kb(widget)} gzip (budget ${kb(WIDGET_JS_BUDGET)})`,
  ];
  const over = [embed > EMBED_BUDGET && "embed.js", widget > WIDGET_JS_BUDGET && "widget JavaScript"].filter(Boolean);
  if (over.length) throw new Error(`${over.join(" and ")} over budget:\n  ${lines.join("\n  ")}`);
  return lines;
}
