/**
 * Prints the ten slowest test files of one or more `npm test` runs (.ci/run's closing report).
 *   bun server/cli/slowest-tests.ts LABEL=timings.json…   (files written by run-tests.ts with THOTIS_TEST_TIMINGS_OUT)
 */
import { readFileSync } from "node:fs";

const rows: { run: string; file: string; seconds: number }[] = [];
for (const arg of process.argv.slice(2)) {
  const [run, path] = arg.includes("=") ? (arg.split("=", 2) as [string, string]) : ["tests", arg];
  try {
    const timings = JSON.parse(readFileSync(path, "utf8")) as Record<string, number>;
    for (const [file, seconds] of Object.entries(timings)) rows.push({ run, file, seconds });
  } catch {
    console.log(`(no timings for ${run})`);
  }
}
console.log("The 10 slowest test files:");
for (const r of rows.sort((a, b) => b.seconds - a.seconds).slice(0, 10)) {
  console.log(`  ${r.seconds.toFixed(1).padStart(7)} s  ${r.run.padEnd(9)} ${r.file}`);
}
