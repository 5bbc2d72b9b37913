import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkBudget } from "./budget.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface FakeChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  modules?: string[];
  bytes: Uint8Array | string;
}

/** A dist folder with the chunk report vite.config.ts writes, and chunks of the given content. */
function fakeDist(chunks: FakeChunk[]): string {
  const dir = mkdtempSync(join(tmpdir(), "console-budget-"));
  dirs.push(dir);
  mkdirSync(join(dir, ".vite"));
  mkdirSync(join(dir, "assets"));
  for (const c of chunks) writeFileSync(join(dir, c.file), c.bytes);
  const report = chunks.map((c) => ({ file: c.file, isEntry: c.isEntry ?? false, imports: c.imports ?? [], dynamicImports: c.dynamicImports ?? [], modules: c.modules ?? [] }));
  writeFileSync(join(dir, ".vite", "chunks.json"), JSON.stringify(report));
  return dir;
}

// Random bytes do not compress: n of them weigh about n bytes gzipped.
const incompressible = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe("console size budget", () => {
  test("a small entry with chart.js in a lazy chunk passes and reports both sizes", async () => {
    const dist = fakeDist([
      { file: "assets/index.js", isEntry: true, imports: ["assets/vendor.js"], dynamicImports: ["assets/charts.js"], modules: ["console/src/main.tsx"], bytes: incompressible(20_000) },
      { file: "assets/vendor.js", modules: ["node_modules/solid-js/dist/solid.js"], bytes: incompressible(10_000) },
      { file: "assets/charts.js", modules: ["node_modules/chart.js/dist/chart.js"], bytes: incompressible(60_000) },
    ]);
    const lines = await checkBudget(dist);
    expect(lines[0]).toMatch(/^initial JS: (29|30)\.\d KB gzip in 2 chunk\(s\)/);
    expect(lines[1]).toMatch(/^lazy JS: (58|59)\.\d KB gzip in 1 chunk\(s\)/);
  });

  test("the static imports of the entry count: over 120 KB gzip in total fails", async () => {
    const dist = fakeDist([
      { file: "assets/index.js", isEntry: true, imports: ["assets/a.js"], bytes: incompressible(70_000) },
      { file: "assets/a.js", imports: ["assets/b.js"], bytes: incompressible(30_000) },
      { file: "assets/b.js", bytes: incompressible(30_000) },
    ]);
    await expect(checkBudget(dist)).rejects.toThrow(/over the 120\.0 KB budget/);
  });

  test("dynamic imports do not count towards the initial budget", async () => {
    const dist = fakeDist([
      { file: "assets/index.js", isEntry: true, dynamicImports: ["assets/big.js"], bytes: incompressible(50_000) },
      { file: "assets/big.js", bytes: incompressible(200_000) },
    ]);
    await expect(checkBudget(dist)).resolves.toHaveLength(2);
  });

  test("chart.js in the initial graph fails even when small", async () => {
    const dist = fakeDist([
      { file: "assets/index.js", isEntry: true, imports: ["assets/shared.js"], bytes: "console.log(1)" },
      { file: "assets/shared.js", modules: ["node_modules/chart.js/dist/chart.js", "node_modules/@kurkle/color/dist/color.esm.js"], bytes: "x" },
    ]);
    await expect(checkBudget(dist)).rejects.toThrow(/chart\.js is in the initial graph \(assets\/shared\.js\)/);
  });

  test("a build without an entry chunk fails", async () => {
    const dist = fakeDist([{ file: "assets/x.js", bytes: "x" }]);
    await expect(checkBudget(dist)).rejects.toThrow(/no entry chunk/);
  });
});
