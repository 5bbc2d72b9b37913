import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Initial JavaScript: the entry chunk and everything it imports statically, gzip-compressed. */
export const INITIAL_JS_BUDGET_BYTES = 120 * 1024;

interface ChunkInfo {
  file: string;
  isEntry: boolean;
  imports: string[];
  dynamicImports: string[];
  modules: string[];
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Checks the console's build against its budgets, from dist/.vite/chunks.json (written by vite.config.ts):
 * the initial JavaScript must stay under 120 KB gzip and must not contain chart.js (charts load on demand).
 * Returns the lines to print; throws when a budget is exceeded.
 */
export async function checkBudget(distDir: string): Promise<string[]> {
  const chunks = JSON.parse(await readFile(join(distDir, ".vite", "chunks.json"), "utf8")) as ChunkInfo[];
  const byFile = new Map(chunks.map((c) => [c.file, c]));
  const entries = chunks.filter((c) => c.isEntry);
  if (entries.length === 0) throw new Error("no entry chunk in the build");

  const initial = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const dep of byFile.get(file)?.imports ?? []) visit(dep);
  };
  for (const entry of entries) visit(entry.file);

  const gzipOf = async (file: string) => gzipSync(await readFile(join(distDir, file)), { level: 9 }).length;
  let initialBytes = 0;
  for (const file of initial) initialBytes += await gzipOf(file);
  let lazyBytes = 0;
  for (const chunk of chunks) if (!initial.has(chunk.file)) lazyBytes += await gzipOf(chunk.file);

  const chartInInitial = [...initial].filter((file) => byFile.get(file)?.modules.some((m) => m.startsWith("node_modules/chart.js/")));
  const lines = [
    `initial JS: ${kb(initialBytes)} gzip in ${initial.size} chunk(s) (budget ${kb(INITIAL_JS_BUDGET_BYTES)})`,
    `lazy JS: ${kb(lazyBytes)} gzip in ${chunks.length - initial.size} chunk(s), chart.js among them`,
  ];
  if (initialBytes > INITIAL_JS_BUDGET_BYTES) {
    throw new Error(`initial JS is ${kb(initialBytes)} gzip, over the ${kb(INITIAL_JS_BUDGET_BYTES)} budget`);
  }
  if (chartInInitial.length > 0) {
    throw new Error(`chart.js is in the initial graph (${chartInInitial.join(", ")}); import it dynamically`);
  }
  return lines;
}
