import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { DatabaseHandle } from "../../../db/client.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";
import { createTestDatabase, breakSchema } from "../../test-support/database.ts";
import { type SentryStandIn, startSentryStandIn } from "../../test-support/errors/stand-in.ts";
import { createLogger } from "../../lib/logger.ts";
import { createErrorReporter } from "./index.ts";
import { isSecretField } from "./sanitise.ts";

type Json = any;

/** Requests that reach the database (closed on purpose, so each ends in an unexpected driver error: a 500). */
const failingRequest = fc.oneof(
  fc.record({
    feature: fc.constant("students"),
    method: fc.constant("GET"),
    path: fc.stringMatching(/^[a-z0-9]{1,20}$/).map((id) => `/api/v2/students/${id}`),
    role: fc.constantFrom("admin" as const, "integrator" as const, "widget" as const),
    body: fc.constant(undefined),
  }),
  fc.record({
    feature: fc.constant("users"),
    method: fc.constant("GET"),
    path: fc.integer({ min: 1, max: 1_000_000 }).map((id) => `/api/v2/users/${id}`),
    role: fc.constantFrom("admin" as const, "integrator" as const),
    body: fc.constant(undefined),
  }),
  fc.record({
    feature: fc.constant("users"),
    method: fc.constant("POST"),
    path: fc.constant("/api/v2/users"),
    role: fc.constant("admin" as const),
    body: fc.record({
      email: fc.stringMatching(/^[a-z]{1,10}$/).map((s) => `${s}@example.fr`),
      name: fc.constantFrom("Léa Dupont", "Karim B."),
      role: fc.constant("mentor"),
      timeZone: fc.constant("Europe/Paris"),
    }),
  }),
);

describe("Property 35: Error Logging Context Completeness", () => {
  let sentry: SentryStandIn;
  let app: TestApp;
  let database: DatabaseHandle;
  beforeAll(async () => {
    sentry = startSentryStandIn();
    database = await createTestDatabase();
    app = await startTestApp({ database, env: { SENTRY_DSN: sentry.dsn, SENTRY_ENVIRONMENT: "test" } });
    await breakSchema(database);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await sentry?.stop();
  });

  test("Property 35: Error Logging Context Completeness — every unexpected error reaches Sentry with user id, sanitised request, stack trace and tags", async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(
        failingRequest,
        fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/).filter((k) => !isSecretField(k)), fc.stringMatching(/^[a-z0-9]{0,8}$/), { maxKeys: 3 }),
        // Marked so it can never coincide with a generated path, query or stack text (only the secret has "sekret_").
        fc.stringMatching(/^[A-Za-z0-9]{8,16}$/).map((s) => `sekret_${s}`),
        fc.boolean(),
        async (req, sub, query, cookieSecret, withCode) => {
          const requestId = `p35-${++seq}`;
          const token = await app.token(req.role, { sub });
          const qs = new URLSearchParams(query).toString();
          // A secret-looking parameter (as on an OAuth callback) keeps its name but not its value.
          const sentQs = withCode ? [qs, `code=${cookieSecret}`].filter(Boolean).join("&") : qs;
          const expectedQs = withCode ? [qs, "code=%5BFiltered%5D"].filter(Boolean).join("&") : qs;
          const url = `${req.path}${sentQs ? `?${sentQs}` : ""}`;
          const res = await app.request(url, {
            method: req.method,
            token,
            json: req.body,
            headers: { cookie: `session=${cookieSecret}`, "x-request-id": requestId, "user-agent": "p35-test" },
          });
          // Users never see internals: only the generic envelope.
          expect(res.status).toBe(500);
          expect(await res.json()).toEqual({ status: "error", error: { code: "INTERNAL_ERROR", message: "Something went wrong on our side. Please try again." } });

          const event: Json = await sentry.waitForEvent((e) => e.tags?.requestId === requestId);
          expect(sentry.events().filter((e) => e.tags?.requestId === requestId)).toHaveLength(1);
          expect(event.environment).toBe("test");
          expect(event.user).toEqual({ id: sub });
          expect(event.tags).toMatchObject({ feature: req.feature, errorCode: "INTERNAL_ERROR", role: req.role });
          expect(event.request.method).toBe(req.method);
          expect(event.request.url).toBe(`${app.baseUrl}${req.path}${expectedQs ? `?${expectedQs}` : ""}`);
          expect(event.request.query_string ?? "").toBe(expectedQs);
          expect(event.request.headers["user-agent"]).toBe("p35-test");
          expect(event.request.headers.authorization).toBe("[Filtered]");
          expect(event.request.headers.cookie).toBe("[Filtered]");
          const exception = event.exception.values.at(-1);
          expect(typeof exception.type).toBe("string");
          expect(exception.value.length).toBeGreaterThan(0);
          expect(exception.stacktrace.frames.length).toBeGreaterThan(0);
          expect(exception.stacktrace.frames.some((f: Json) => typeof f.filename === "string" && typeof f.lineno === "number")).toBe(true);
          if (req.body) {
            expect(event.request.data.email).toBe("[Filtered]");
            expect(event.request.data.name).toBe(req.body.name);
          }
          // Neither the bearer token nor the cookie appears anywhere in what was sent.
          const sent = JSON.stringify(sentry.envelopes.find((e) => e.header.event_id === event.event_id));
          expect(sent).toContain(requestId);
          expect(sent).not.toContain(token.split(".")[2]!);
          expect(sent).not.toContain(cookieSecret);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  test("client errors (4xx) are not reported; the next 500 is the next event", async () => {
    const admin = await app.token("admin", { sub: "42" });
    const before = sentry.events().length;
    expect((await app.request("/api/v2/users/abc", { token: admin, headers: { "x-request-id": "p35-client-400" } })).status).toBe(400);
    expect((await app.request("/api/v2/nothing-here", { token: admin, headers: { "x-request-id": "p35-client-404" } })).status).toBe(404);
    expect((await app.request("/api/v2/students/x", { headers: { "x-request-id": "p35-client-401" } })).status).toBe(401);
    expect((await app.request("/api/v2/students/x", { token: admin, headers: { "x-request-id": "p35-server" } })).status).toBe(500);
    // The 4xx were answered, so any report of them captured, before the 500 was even requested; the pause covers
    // deliveries finishing out of order.
    await sentry.waitForEvent((e) => e.tags?.requestId === "p35-server");
    await Bun.sleep(200);
    const newer = sentry.events().slice(before);
    expect(newer.map((e) => e.tags?.requestId)).toEqual(["p35-server"]);
  });

  test("each report is also logged, with the same request id, user and tags", async () => {
    const line = app.logs
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === "unhandled error" && l.requestId === "p35-server");
    expect(line).toMatchObject({ level: "error", userId: "42", feature: "students", errorCode: "INTERNAL_ERROR", method: "GET", path: "/api/v2/students/x" });
    expect(line.stack).toContain("\n");
  });

  test("flush waits until the reports are delivered", async () => {
    const logs: string[] = [];
    const reporter = createErrorReporter({
      sentry: { dsn: sentry.dsn, environment: "test" },
      logger: createLogger("info", (l) => logs.push(l)),
      runtime: "bun",
    });
    expect(reporter.kind).toBe("sentry");
    reporter.capture({ error: new Error("flush me"), requestId: "p35-flush", tags: { feature: "jobs", errorCode: "INTERNAL_ERROR" } });
    expect(await reporter.flush(5000)).toBe(true);
    // Delivered by the time flush resolves: no waiting here.
    const event = sentry.events().find((e) => e.tags?.requestId === "p35-flush");
    expect(event?.exception.values.at(-1).value).toBe("flush me");
  });
});

describe("error reporter selection", () => {
  test("without SENTRY_DSN, or on Deno, errors go to the log only (and Deno says why)", () => {
    const logs: string[] = [];
    const logger = createLogger("info", (l) => logs.push(l));
    expect(createErrorReporter({ logger, runtime: "bun" }).kind).toBe("log");
    const onDeno = createErrorReporter({ sentry: { dsn: "http://k@127.0.0.1:9/1", environment: "x" }, logger, runtime: "deno" });
    expect(onDeno.kind).toBe("log");
    expect(logs.some((l) => JSON.parse(l).msg.includes("needs Bun"))).toBe(true);
    onDeno.capture({ error: new Error("boom"), requestId: "r1", tags: { feature: "bookings", errorCode: "INTERNAL_ERROR" } });
    expect(JSON.parse(logs.at(-1)!)).toMatchObject({ level: "error", msg: "unhandled error", requestId: "r1", feature: "bookings", error: "boom" });
  });
});

describe("jobs that fail for good are reported", () => {
  let sentry: SentryStandIn;
  let app: TestApp;
  beforeAll(async () => {
    sentry = startSentryStandIn();
    app = await startTestApp({ env: { SENTRY_DSN: sentry.dsn, SENTRY_ENVIRONMENT: "test" } });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await sentry?.stop();
  });

  test("a dead-lettered job reaches Sentry with its kind as feature, JOB_DEAD_LETTER and the job's id; a retried failure does not", async () => {
    let calls = 0;
    app.jobs.registry.register("reporting.flaky", {
      maxAttempts: 2,
      backoffMs: () => 0,
      handler: async () => {
        calls++;
        throw new Error(`receiver refused (attempt ${calls})`);
      },
    });
    const [id] = await app.jobs.queue.enqueue(app.database.db, { kind: "reporting.flaky", payload: {} });
    const worker = app.jobs.createWorker();
    await worker.drain();
    expect(calls).toBe(2);
    const event: Json = await sentry.waitForEvent((e) => e.tags?.errorCode === "JOB_DEAD_LETTER");
    expect(event.tags).toMatchObject({ feature: "reporting", errorCode: "JOB_DEAD_LETTER" });
    expect(event.exception.values.at(-1).value).toBe("receiver refused (attempt 2)");
    expect(event.contexts.details).toMatchObject({ jobId: id, kind: "reporting.flaky", attempts: 2 });
    expect(sentry.events().filter((e) => e.tags?.errorCode === "JOB_DEAD_LETTER")).toHaveLength(1);
  });
});
