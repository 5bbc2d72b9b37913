/**
 * `npm test`: the unit, property and API suites, split across parallel `bun test` processes.
 *
 *   bun server/cli/run-tests.ts                 every *.test.ts file, in THOTIS_TEST_SHARDS processes (default: CPUs, 2..4)
 *   bun server/cli/run-tests.ts FILE_OR_FILTER… one plain `bun test` with those arguments
 *
 * Why: one `bun test` process runs files one after the other on one core; the database-backed files spend most of
 * their time in PGlite (WASM, single-threaded), so two processes on two cores take about half the wall time. Files
 * are dealt to processes by their last measured duration (kept in node_modules/.cache, file size before that), the
 * longest first, so the processes finish together. Each process keeps its own migrated PGlite template
 * (server/test-support/database.ts), and on Postgres its own template database, so they share nothing.
 *
 * Output: each process's report as it finishes, then one merged summary in bun's own words (" N pass", " N fail"),
 * which .ci/run counts, and the ten slowest files. THOTIS_TEST_TIMINGS_OUT=path also writes every file's seconds
 * as JSON (.ci/run prints the slowest of its runs at the end).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";

const TIMEOUT_MS = "60000";
const args = process.argv.slice(2);

if (args.length > 0) {
  const child = Bun.spawn([process.execPath, "test", "--timeout", TIMEOUT_MS, ...args], { stdio: ["inherit", "inherit", "inherit"] });
  process.exit(await child.exited);
}

const files = [...new Bun.Glob("**/*.test.ts").scanSync({ cwd: process.cwd() })]
  .filter((f) => !f.startsWith("node_modules/") && !f.includes("/node_modules/") && !f.includes("/dist/") && !f.startsWith("data/"))
  .sort();

const cacheFile = join(process.cwd(), "node_modules", ".cache", "thotis-test-timings.json");
const previous = readTimings(cacheFile);
const cost = (f: string) => previous[f] ?? statSync(f).size / 2_000; // ~2 KB of test per second until measured
const shardCount = Math.max(1, Math.min(files.length, Number(process.env.THOTIS_TEST_SHARDS) || Math.min(4, Math.max(2, availableParallelism()))));

// Longest first, each to the least loaded shard.
const shards = Array.from({ length: shardCount }, () => ({ files: [] as string[], load: 0 }));
for (const f of [...files].sort((a, b) => cost(b) - cost(a))) {
  const target = shards.reduce((min, s) => (s.load < min.load ? s : min));
  target.files.push(f);
  target.load += cost(f);
}

const work = mkdtempSync(join(tmpdir(), "thotis-tests-"));
const started = performance.now();
console.log(`Running ${files.length} test files in ${shardCount} parallel bun test processes`);

const children: { kill(): void }[] = [];
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const c of children) c.kill();
    process.exit(130);
  });
}

const results = await Promise.all(
  shards.map(async (shard, i) => {
    const report = join(work, `shard-${i}.xml`);
    const child = Bun.spawn([process.execPath, "test", "--timeout", TIMEOUT_MS, "--reporter=junit", `--reporter-outfile=${report}`, ...shard.files.map((f) => `./${f}`)], {
      stdout: "pipe",
      stderr: "pipe",
    });
    children.push(child);
    // Lines are passed on as they come, each marked with its process, so a slow or stuck run shows where it is.
    const tag = shardCount > 1 ? `[${i + 1}] ` : "";
    const [out, err, code] = await Promise.all([relay(child.stdout, tag), relay(child.stderr, tag), child.exited]);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${tag}test process ${i + 1}/${shardCount} done: ${shard.files.length} files, ${seconds.toFixed(0)} s, exit ${code}\n`);
    const summary = (word: string) => Number((err + out).match(new RegExp(`^ *(\\d+) ${word}$`, "m"))?.[1] ?? 0);
    return { code, pass: summary("pass"), fail: summary("fail"), skip: summary("skip"), expects: summary("expect\\(\\) calls"), timings: readJunit(report) };
  }),
);

const timings: Record<string, number> = Object.assign({}, ...results.map((r) => r.timings));
rmSync(work, { recursive: true, force: true });
try {
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ ...previous, ...timings }, null, 1));
} catch {
  // A read-only node_modules only loses the balancing hint.
}
if (process.env.THOTIS_TEST_TIMINGS_OUT) writeFileSync(process.env.THOTIS_TEST_TIMINGS_OUT, JSON.stringify(timings, null, 1));

const total = (k: "pass" | "fail" | "skip" | "expects") => results.reduce((n, r) => n + r[k], 0);
// A process that died before its summary, or exited non-zero with no failing test, still counts as a failure.
const crashed = results.filter((r) => r.code !== 0 && r.fail === 0).length;
const wall = (performance.now() - started) / 1000;

console.log("\nSlowest test files (seconds, in their process):");
for (const [file, s] of Object.entries(timings).sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${s.toFixed(1).padStart(7)}  ${file}`);
console.log(`\n ${total("pass")} pass`);
if (total("skip")) console.log(` ${total("skip")} skip`);
console.log(` ${total("fail") + crashed} fail`);
console.log(` ${total("expects")} expect() calls`);
console.log(`Ran ${files.length} files in ${shardCount} processes. [${wall.toFixed(1)} s wall]`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);

/** Copies a child's output to ours line by line with a tag (its own summary lines marked, so only ours is counted). */
async function relay(stream: ReadableStream<Uint8Array>, tag: string): Promise<string> {
  const decoder = new TextDecoder();
  let all = "";
  let pending = "";
  const emit = (line: string) => process.stdout.write(`${tag}${line.replace(/^( *\d+ (pass|fail|skip|todo))$/, "$1 (this process)")}\n`);
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    all += text;
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) emit(line);
  }
  if (pending) emit(pending);
  return all;
}

function readTimings(path: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Seconds per file from bun's JUnit report (its top-level <testsuite> elements are the files). */
function readJunit(path: string): Record<string, number> {
  let xml: string;
  try {
    xml = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  const out: Record<string, number> = {};
  for (const m of xml.matchAll(/^ {2}<testsuite name="[^"]*" file="([^"]+)"[^>]* time="([\d.]+)"/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}
