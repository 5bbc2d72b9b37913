import { describe, test } from "bun:test";
import { call, expectError, useTestApp } from "../../test-support/mentors.ts";

// Finding 8: the production setting (WEBHOOK_ALLOW_PRIVATE unset). Only literal addresses: no DNS is asked.
const ctx = useTestApp({ env: () => ({ WEBHOOK_ALLOW_PRIVATE: "false" }) });

describe("SSRF guard at registration", () => {
  test.each([
    "http://[2002:7f00:1::]/",
    "http://[64:ff9b:1::7f00:1]/",
    "http://[::ffff:0:7f00:1]/",
    "http://192.0.2.1/",
    "http://198.51.100.1/hook",
    "http://203.0.113.1/",
    "http://198.18.0.1/",
    "http://[2001:db8::1]/",
    "http://[2001::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://[ff02::1]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://0.0.0.0/",
    "http://2130706433/",
  ])("%s is refused with 400 WEBHOOK_URL_NOT_ALLOWED", async (url) => {
    const r = await call(ctx, "/api/v2/webhooks", { method: "POST", token: ctx.admin, json: { url, events: ["booking.created"] } });
    expectError(r, 400, "WEBHOOK_URL_NOT_ALLOWED");
  });
});
