import { describe, expect, test } from "bun:test";
import { call, expectError, useTestApp } from "../test-support/mentors.ts";
import { LIMITS, scanJson } from "./limits.ts";

const ctx = useTestApp();

/** Sends `body` while /health is polled every 100 ms; returns the answer, its time and the slowest health check. */
async function whileHealthPolled(send: () => Promise<Response>) {
  const healthTimes: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t0 = performance.now();
      await fetch(`${ctx.app.baseUrl}/health`).then((r) => r.arrayBuffer());
      healthTimes.push(performance.now() - t0);
      await Bun.sleep(100);
    }
  })();
  await Bun.sleep(150);
  const t0 = performance.now();
  const res = await send();
  const text = await res.text();
  const ms = performance.now() - t0;
  await Bun.sleep(250);
  polling = false;
  await poller;
  return { res, body: JSON.parse(text), ms, slowestHealth: Math.max(...healthTimes), polls: healthTimes.length };
}

const postRaw = (path: string, body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(`${ctx.app.baseUrl}${path}`, { method: "POST", headers, body });

describe("Request limits before validation (finding 1)", () => {
  test("a 1 MB JSON string and a 20,000-deep array to the login route: 4xx within 1 s, /health never above 250 ms", async () => {
    const huge = await whileHealthPolled(() => postRaw("/api/v2/auth/login", JSON.stringify({ email: "a".repeat(1 << 20), password: "x" })));
    expect(huge.res.status).toBe(413);
    expect(huge.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(huge.ms).toBeLessThan(1000);
    expect(huge.slowestHealth).toBeLessThan(250);
    expect(huge.polls).toBeGreaterThanOrEqual(3);

    const deep = await whileHealthPolled(() => postRaw("/api/v2/auth/login", "[".repeat(20_000) + "]".repeat(20_000)));
    expect(deep.res.status).toBe(400);
    expect(deep.ms).toBeLessThan(1000);
    expect(deep.slowestHealth).toBeLessThan(250);
    const nested = await whileHealthPolled(() => postRaw("/api/v2/auth/login", `{"email":${"[".repeat(20_000)}${"]".repeat(20_000)}}`));
    expect(nested.body).toMatchObject({ status: "error", error: { code: "INVALID_INPUT", details: { maxDepth: LIMITS.jsonDepth } } });
    expect(nested.ms).toBeLessThan(1000);
    expect(nested.slowestHealth).toBeLessThan(250);
  }, 30_000);

  test("within 64 KB: a long string and deep objects are refused by shape, cheaply", async () => {
    const long = await call(ctx, "/api/v2/auth/login", { method: "POST", json: { email: "a@b.fr", password: "p".repeat(LIMITS.jsonStringChars + 1) } });
    expectError(long, 400, "INVALID_INPUT");
    expect(long.body.error.details).toEqual({ maxStringChars: LIMITS.jsonStringChars });
    const deepObject = '{"a":'.repeat(LIMITS.jsonDepth + 1) + "1" + "}".repeat(LIMITS.jsonDepth + 1);
    const r = await postRaw("/api/v2/auth/login", deepObject);
    expect(r.status).toBe(400);
    // At the limit the shape passes and the schema answers (a named field, not the depth).
    const atLimit = '{"a":'.repeat(LIMITS.jsonDepth) + "1" + "}".repeat(LIMITS.jsonDepth);
    const schema = await postRaw("/api/v2/auth/login", atLimit);
    expect(schema.status).toBe(400);
    expect((await schema.json()).error.details.in).toBe("body");
  });

  test("the widget's analytics route: a 300 KB properties string is refused at once", async () => {
    const t0 = performance.now();
    const r = await call(ctx, "/api/v2/analytics/events", {
      method: "POST",
      token: ctx.widget,
      json: { name: "widget_opened", properties: "x".repeat(300_000) },
    });
    expectError(r, 413, "PAYLOAD_TOO_LARGE");
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test("a chunked body with no Content-Length is cut off at the class limit", async () => {
    const chunk = new TextEncoder().encode(`"${"y".repeat(16 * 1024)}",`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ > 10) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const r = await fetch(`${ctx.app.baseUrl}/api/v2/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: stream });
    expect(r.status).toBe(413);
    expect((await r.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("headers over 8 KB: 431 in the envelope, with the request id", async () => {
    const r = await fetch(`${ctx.app.baseUrl}/health`, { headers: { "x-padding": "h".repeat(LIMITS.headerBytes) } });
    expect(r.status).toBe(431);
    expect(r.headers.get("x-request-id")).toBeTruthy();
    expect(await r.json()).toMatchObject({ status: "error", error: { code: "HEADERS_TOO_LARGE" } });
  });

  test("a JSON route needs a JSON content type; __proto__ keys are refused (finding 9)", async () => {
    for (const body of ["null", "true", "[]"]) {
      const typed = await postRaw("/api/v2/widget/token", body, { "content-type": "application/json", authorization: `Bearer ${ctx.admin}` });
      expect(typed.status).toBe(400);
    }
    const untyped = await postRaw("/api/v2/widget/token", "{}", { "content-type": "text/plain", authorization: `Bearer ${ctx.admin}` });
    expect(untyped.status).toBe(415);
    expect((await untyped.json()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    for (const body of ['{"__proto__":{"isActive":false}}', '{"\\u005f_proto__":{"x":1}}']) {
      const r = await postRaw("/api/v2/auth/login", body);
      expect(r.status).toBe(400);
      expect((await r.json()).error.message).toContain("__proto__");
    }
    // As a value it is ordinary text (a rating comment, an analytics property).
    const asValue = await call(ctx, "/api/v2/analytics/events", { method: "POST", token: ctx.widget, json: { name: "widget_opened", properties: { a: "__proto__" } } });
    expect(asValue.status).toBe(202);
  });

  test("analytics properties must be an object: 5, true, [] and null are 400 (finding 9)", async () => {
    for (const properties of [5, true, [1], null, "s"]) {
      const r = await call(ctx, "/api/v2/analytics/events", { method: "POST", token: ctx.widget, json: { name: "widget_opened", properties } });
      expect({ properties, status: r.status }).toEqual({ properties, status: 400 });
    }
    const fine = await call(ctx, "/api/v2/analytics/events", { method: "POST", token: ctx.widget, json: { name: "widget_opened", properties: { a: 1 } } });
    expect(fine.status).toBe(202);
  });

  test("scanJson: strings with escaped quotes and brackets inside strings do not count as nesting", () => {
    expect(scanJson('{"a":"[[[[\\"]]]]"}', 1, 100)).toBeNull();
    expect(scanJson('[["x"]]', 1, 100)?.status).toBe(400);
    expect(scanJson('"abcd"', 5, 3)?.status).toBe(400);
  });
});
