/**
 * OpenAPI-driven fuzzing: fast-check arbitraries derived from /docs/json for every operation, sent over real HTTP
 * with an admin token (so routes are reached), each answer checked against the document. Used by the test in CI
 * (fixed seed, small budget) and by `npm run fuzz -- --cases N --seed S` for long runs.
 *
 * Values are mostly well-formed (derived from the schemas, so requests get past validation into the services) and
 * otherwise hostile: wrong types, boundary and huge numbers, long strings, NUL bytes, invalid dates and zones, deep
 * nesting, extra and missing properties, wrong content types, malformed JSON.
 */
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked generically
type Json = any;

export interface Operation {
  method: string;
  path: string;
  op: Json;
}

export interface FuzzRequest {
  operation: Operation;
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
}

export interface FuzzOptions {
  baseUrl: string;
  token: string;
  /** Values path parameters are sometimes given, so requests reach existing resources. */
  knownIds?: string[];
}

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    2 ** 31,
    -(2 ** 53),
    1e308,
    1.5,
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "é",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
    "2026-02-30T10:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "2026-06-01",
    "2026-06-01T10:00:00",
    "2026-06-01T10:00:00+99:00",
    "Mars/Olympus",
    [],
    {},
    [null],
    { __proto: 1 },
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  // Long, but within Bun's 16 KB request head (beyond it Bun itself answers a bare 431 before the app runs).
  fc.constantFrom(3000, 10_000).map((n) => "x".repeat(n)),
  fc.integer({ min: 1, max: 24 }).map((d) => JSON.parse("[".repeat(d) + "]".repeat(d))),
);

const validDate = fc
  .date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A value for a JSON schema: usually valid, sometimes hostile. */
function valueFor(schema: Json, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: validFor(schema, depth) }, { weight: 1, arbitrary: nasty });
}

function validFor(schema: Json, depth: number): fc.Arbitrary<unknown> {
  if (!schema || typeof schema !== "object" || depth > 6) return fc.constant(null);
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map((s: Json) => validFor(s, depth + 1)));
  if (Array.isArray(schema.oneOf)) return fc.oneof(...schema.oneOf.map((s: Json) => validFor(s, depth + 1)));
  switch (schema.type) {
    case "string": {
      if (schema.format === "date-time") return validDate;
      if (schema.format === "email") return fc.emailAddress();
      if (schema.format === "uri") return fc.webUrl();
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.min(schema.maxLength ?? 60, Math.max(minLength, 60));
      return fc.string({ minLength, maxLength });
    }
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(valueFor(schema.items ?? {}, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case "object": {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries<Json>(schema.properties ?? {})) props[k] = valueFor(s, depth + 1);
      const required = (schema.required ?? []).filter((k: string) => k in props);
      const record = fc.record(props, { requiredKeys: required });
      // Sometimes an extra property, sometimes a required one missing.
      return fc.oneof(
        { weight: 4, arbitrary: record },
        { weight: 1, arbitrary: fc.tuple(record, fc.string({ minLength: 1, maxLength: 12 }), nasty).map(([o, k, v]) => ({ ...o, [k]: v })) },
        {
          weight: 1,
          arbitrary: fc.tuple(record, fc.nat()).map(([o, n]) => {
            const keys = Object.keys(o);
            if (keys.length > 0) delete (o as Record<string, unknown>)[keys[n % keys.length] as string];
            return o;
          }),
        },
      );
    }
    default:
      return nasty;
  }
}

/**
 * Every documented operation, the docs' own routes excepted, and those in `skip` ("METHOD /path"). The console
 * sign-in is skipped by default: each attempt runs one argon2id verification (19 MiB, in WebAssembly on the main
 * thread), 100 ms or more on a busy machine, which is its price by design; its limits have their own tests.
 */
export const DEFAULT_SKIP = ["POST /api/v2/auth/login"];
export function operationsOf(doc: Json, skip: readonly string[] = DEFAULT_SKIP): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (path.startsWith("/docs")) continue;
    for (const [method, op] of Object.entries<Json>(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      if (skip.includes(`${method.toUpperCase()} ${path}`)) continue;
      ops.push({ method: method.toUpperCase(), path, op });
    }
  }
  return ops;
}

const pathValue = (known: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: known.length ? fc.constantFrom(...known) : fc.constant("1") },
    { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -5, max: 1_000_000 }).map(String), fc.string({ minLength: 1, maxLength: 30 })) },
    { weight: 1, arbitrary: fc.constantFrom("%00", "%C0%AE", "..%2F..", "a%00b", "%F0%9F%98%80", "x".repeat(300), "0", "-1", "99999999999999999999", "1e3") },
  );

/** Lone surrogates cannot be percent-encoded as UTF-8; they are sent as U+FFFD. */
const safeEncode = (v: string) => encodeURIComponent((v as unknown as { toWellFormed(): string }).toWellFormed());
const encode = (v: unknown) => safeEncode(typeof v === "string" ? v : (JSON.stringify(v) ?? "null"));

/** One arbitrary per operation: a full HTTP request. */
export function requestFor(operation: Operation, opts: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  const params: Json[] = operation.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const jsonBody = operation.op.requestBody?.content?.["application/json"]?.schema;
  const bodyArb: fc.Arbitrary<{ body?: string; contentType?: string }> = jsonBody
    ? fc.oneof(
        { weight: 6, arbitrary: valueFor(jsonBody).map((v) => ({ body: JSON.stringify(v) ?? "null", contentType: "application/json" })) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            { body: "{", contentType: "application/json" },
            { body: '{"a":1}', contentType: "text/plain" },
            { body: "a=1&b=2", contentType: "application/x-www-form-urlencoded" },
            { body: "null", contentType: "application/json" },
            { body: '{"__proto__":{"x":1}}', contentType: "application/json" },
            { body: `{"a":${"[".repeat(40)}${"]".repeat(40)}}`, contentType: "application/json" },
            { body: JSON.stringify({ s: "y".repeat(70_000) }), contentType: "application/json" },
            { body: undefined, contentType: undefined },
          ),
        },
      )
    : fc.constant({});
  const queryArb = fc.tuple(
    ...queryParams.map((p) => fc.option(valueFor(p.schema ?? {}).map((v) => `${safeEncode(p.name)}=${encode(v)}`), { nil: undefined, freq: 2 })),
    fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })).map(([k, v]) => `${safeEncode(k)}=${safeEncode(v)}`), {
      nil: undefined,
      freq: 5,
    }),
  );
  const pathArb = fc.tuple(...pathParams.map(() => pathValue(opts.knownIds ?? [])));
  return fc.tuple(pathArb, queryArb, bodyArb).map(([pathValues, query, { body, contentType }]) => {
    let path = operation.path;
    pathParams.forEach((p, i) => {
      const raw = pathValues[i] as string;
      // Values that are already percent-encoded are sent as they are (that is the point of them).
      const value = /%[0-9A-Fa-f]{2}/.test(raw) ? raw : safeEncode(raw);
      path = path.replace(`{${p.name}}`, value);
    });
    const qs = (query as (string | undefined)[]).filter(Boolean).join("&");
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` };
    if (contentType) headers["content-type"] = contentType;
    const init: FuzzRequest["init"] = { method: operation.method, headers };
    if (body !== undefined && operation.method !== "GET") init.body = body;
    return { operation, url: `${opts.baseUrl}${path}${qs ? `?${qs}` : ""}`, init };
  });
}

/** Checks one answer against the document; returns what is wrong, or null. */
export function createChecker() {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  addFormats(ajv);
  const validators = new Map<Json, ReturnType<typeof ajv.compile>>();
  const validatorFor = (schema: Json) => {
    let v = validators.get(schema);
    if (!v) {
      v = ajv.compile(schema);
      validators.set(schema, v);
    }
    return v;
  };
  return async function check(req: FuzzRequest, res: Response): Promise<string | null> {
    const text = await res.text();
    const where = `${req.init.method} ${req.url.replace(/^https?:\/\/[^/]+/, "")}`;
    if (res.status >= 500) return `${where}: ${res.status} ${text.slice(0, 300)}`;
    const declared = req.operation.op.responses?.[String(res.status)];
    if (!declared) return `${where}: status ${res.status} is not declared (${text.slice(0, 200)})`;
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("json")) {
      if (res.status >= 400) return `${where}: a ${res.status} answer that is not JSON (${type})`;
      return null;
    }
    let body: Json;
    try {
      body = JSON.parse(text);
    } catch {
      return `${where}: JSON content type with a body that does not parse`;
    }
    const envelope =
      (body?.status === "success" && "data" in body) ||
      (body?.status === "error" && typeof body.error?.code === "string" && typeof body.error?.message === "string");
    // Probes (/health, /ready) and pages outside the API answer in their own documented shapes when they succeed.
    const api = new URL(req.url).pathname.startsWith("/api/");
    if (!envelope && (api || res.status >= 400)) return `${where}: not in the envelope: ${text.slice(0, 200)}`;
    const schema = declared.content?.["application/json"]?.schema;
    if (schema) {
      const validate = validatorFor(schema);
      if (!validate(body)) return `${where}: ${res.status} body does not match the document: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 200)}`;
    }
    return null;
  };
}

export interface FuzzReport {
  cases: number;
  failures: string[];
  slowestHealthMs: number;
  /** 95th percentile of the /health times. */
  p95HealthMs: number;
  healthPolls: number;
  /** The slowest requests, for finding what holds the server. */
  slowest: { ms: number; request: string; status: number }[];
  statuses: Record<string, number>;
}

/** /health times with no other traffic: the machine's own noise, to judge the fuzz run's /health times against. */
export async function idleHealth(baseUrl: string, polls = 30): Promise<{ p95Ms: number; slowestMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < polls; i++) {
    const t0 = performance.now();
    await fetch(`${baseUrl}/health`).then((r) => r.arrayBuffer());
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  times.sort((a, b) => a - b);
  return { p95Ms: times[Math.floor(times.length * 0.95)] ?? 0, slowestMs: times[times.length - 1] ?? 0 };
}

/**
 * Runs `cases` requests (spread over every operation) with the seed, while /health is polled every 100 ms.
 * Stops at the first failure (fast-check shrinks it) and reports it.
 */
export async function fuzz(opts: FuzzOptions & { cases: number; seed: number; onCase?: (n: number) => void }): Promise<FuzzReport> {
  const doc = await (await fetch(`${opts.baseUrl}/docs/json`)).json();
  const operations = operationsOf(doc);
  const check = createChecker();
  const statuses: Record<string, number> = {};
  const slowest: FuzzReport["slowest"] = [];
  let cases = 0;
  let slowestHealthMs = 0;
  let healthPolls = 0;
  const healthTimes: number[] = [];
  // Arbitraries for every operation, built and warmed up before /health is timed: the first generation takes ~0.6 s
  // of this process's time (fast-check's set-up), which the poller, sharing the process, measured as a server stall.
  const anyRequest = fc.oneof(...operations.map((o) => requestFor(o, opts)));
  fc.sample(anyRequest, { numRuns: 50, seed: opts.seed });
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t0 = performance.now();
      await fetch(`${opts.baseUrl}/health`).then((r) => r.arrayBuffer());
      const ms = performance.now() - t0;
      healthTimes.push(ms);
      slowestHealthMs = Math.max(slowestHealthMs, ms);
      healthPolls++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const failures: string[] = [];
  try {
    const result = await fc.check(
      fc.asyncProperty(anyRequest, async (req) => {
        cases++;
        opts.onCase?.(cases);
        const t0 = performance.now();
        const res = await fetch(req.url, req.init);
        const ms = performance.now() - t0;
        slowest.push({ ms, request: `${req.init.method} ${req.url.replace(/^https?:\/\/[^/]+/, "").slice(0, 200)}`, status: res.status });
        slowest.sort((a, b) => b.ms - a.ms);
        slowest.length = Math.min(slowest.length, 5);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const problem = await check(req, res);
        if (problem) throw new Error(problem);
      }),
      { numRuns: opts.cases, seed: opts.seed, endOnFailure: true },
    );
    if (result.failed) failures.push(String((result.errorInstance as Error | undefined)?.message ?? result.counterexample));
  } finally {
    polling = false;
    await poller;
  }
  healthTimes.sort((a, b) => a - b);
  const p95HealthMs = healthTimes[Math.min(healthTimes.length - 1, Math.floor(healthTimes.length * 0.95))] ?? 0;
  return { cases, failures, slowestHealthMs, p95HealthMs, healthPolls, statuses, slowest };
}
