import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

describe("newcomer's first requests", () => {
  test("/favicon.ico is an image, not a 404", async () => {
    const res = await app.request("/favicon.ico");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  test("the OpenAPI description names bookings as available, not '(soon)'", async () => {
    const res = await app.request("/docs/json");
    const doc = (await res.json()) as { info: { description: string } };
    expect(doc.info.description).toContain("bookings");
    expect(doc.info.description).not.toContain("soon");
  });
});
