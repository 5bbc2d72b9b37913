/**
 * `npm run fuzz -- --cases N --seed S`: the OpenAPI-driven fuzz run against a fresh embedded server (its own
 * temporary PGlite database, job worker off, so nothing leaves this machine). Prints the case count, the statuses,
 * the /health times and the slowest requests; exits 1 on the first answer that breaks the document (shrunk).
 */
import { startTestApp } from "../test-support/app.ts";
import { fuzz } from "../fuzz/openapi-fuzz.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
};
const cases = arg("cases", 10_000);
const seed = arg("seed", Date.now() % 2 ** 31);

const app = await startTestApp({ env: { LOG_LEVEL: "silent" } });
try {
  const admin = await app.token("admin");
  const report = await fuzz({ baseUrl: app.baseUrl, token: admin, cases, seed, onCase: (n) => n % 1000 === 0 && console.log(`  ${n} cases`) });
  console.log(`fuzz: ${report.cases} cases, seed ${seed}`);
  console.log(`statuses: ${JSON.stringify(report.statuses)}`);
  console.log(`/health: p95 ${report.p95HealthMs.toFixed(1)} ms, slowest ${report.slowestHealthMs.toFixed(1)} ms over ${report.healthPolls} polls`);
  console.log(`slowest requests: ${JSON.stringify(report.slowest, null, 1)}`);
  for (const f of report.failures) console.error(`FAILURE: ${f}`);
  process.exitCode = report.failures.length === 0 && report.slowestHealthMs < 100 ? 0 : 1;
} finally {
  await app.stop();
}
