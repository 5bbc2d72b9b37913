import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { checkWebhookUrl, forbiddenAddressReason } from "./address-guard.ts";
import { generateSecret, isValidSecret, payloadSignature, signedBody, standardWebhookHeaders, verifyPayloadSignature } from "./signing.ts";
import { createHmac } from "node:crypto";

const RUNS = 100;

const payloadArb = fc.record({
  event: fc.constantFrom("booking.created", "booking.cancelled", "booking.completed", "booking.rescheduled"),
  timestamp: fc.date({ min: new Date("2020-01-01"), max: new Date("2035-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  data: fc.record({
    bookingId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    studentProfileId: fc.string({ minLength: 1, maxLength: 30 }),
    prospectiveStudentEmail: fc.emailAddress(),
    dateTime: fc.date({ min: new Date("2020-01-01"), max: new Date("2035-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
    metadata: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null))),
  }),
});

/** Standard Webhooks secrets of 24 to 64 bytes, and plain THOTIS_WEBHOOK_SECRET-style strings. */
const secretArb = fc.oneof(
  fc.uint8Array({ minLength: 24, maxLength: 64 }).map((b) => `whsec_${Buffer.from(b).toString("base64")}`),
  fc.string({ unit: "grapheme", minLength: 16, maxLength: 64 }).filter((s) => !s.startsWith("whsec_")),
);

/** What a receiver using the standardwebhooks library does with either kind of secret. */
const verifier = (secret: string) =>
  secret.startsWith("whsec_") ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: "raw" });

/** Flips one character of the body somewhere (keeping it a string of the same length). */
const tamper = (body: string, position: number) => {
  const i = position % body.length;
  const c = body[i] === "a" ? "b" : "a";
  return body.slice(0, i) + c + body.slice(i + 1);
};

describe("webhook signing", () => {
  test("Property 27: Webhook Payload Signature", () => {
    // Feature: thotis-student-mentoring, Property 27: Webhook Payload Signature
    fc.assert(
      fc.property(payloadArb, secretArb, fc.nat(), (payload, secret, position) => {
        const body = signedBody(payload, secret);
        const parsed = JSON.parse(body);
        // The body is the payload plus its signature, last.
        expect(Object.keys(parsed)).toEqual(["event", "timestamp", "data", "signature"]);
        expect({ event: parsed.event, timestamp: parsed.timestamp, data: parsed.data }).toEqual(payload);
        // signature = hex HMAC-SHA256 of JSON.stringify(payload without signature), keyed as documented.
        const { signature, ...unsigned } = parsed;
        const key = secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
        expect(signature).toBe(createHmac("sha256", key).update(JSON.stringify(unsigned)).digest("hex"));
        expect(verifyPayloadSignature(body, secret)).toBe(true);
        // Standard Webhooks headers verify with the library; a tampered body or another id does not.
        const headers = standardWebhookHeaders(secret, "msg_test123", new Date(), body);
        expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
        expect(verifier(secret).verify(body, headers)).toEqual(parsed);
        const forged = tamper(body, position);
        if (forged !== body) {
          expect(() => verifier(secret).verify(forged, headers)).toThrow();
          expect(verifyPayloadSignature(forged, secret)).toBe(false);
        }
        expect(() => verifier(secret).verify(body, { ...headers, "webhook-id": "msg_other" })).toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  test("another secret does not verify", () => {
    fc.assert(
      fc.property(payloadArb, secretArb, secretArb, (payload, secret, other) => {
        fc.pre(secret !== other);
        const body = signedBody(payload, secret);
        expect(verifyPayloadSignature(body, other)).toBe(false);
        expect(() => verifier(other).verify(body, standardWebhookHeaders(secret, "msg_x", new Date(), body))).toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  test("generated secrets are valid Standard Webhooks secrets", () => {
    const secret = generateSecret();
    expect(isValidSecret(secret)).toBe(true);
    expect(new Webhook(secret)).toBeDefined();
    expect(isValidSecret("whsec_short")).toBe(false);
    expect(isValidSecret("not-a-whsec-secret-but-long-enough")).toBe(false);
    expect(payloadSignature("{}", secret)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("SSRF guard", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.20.30.40", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.10", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.1.1", "shared (CGNAT)"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fd00:ec2::254", "unique-local (private)"],
    ["fc00::1", "unique-local (private)"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::192.168.1.1", "NAT64"],
    // Finding 8: transition forms embedding 127.0.0.1, and the IANA special-purpose ranges.
    ["2002:7f00:1::", "6to4"],
    ["64:ff9b:1::7f00:1", "NAT64"],
    ["64:ff9b::7f00:1", "NAT64"],
    ["::ffff:0:7f00:1", "IPv4-translated (SIIT)"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
    ["::127.0.0.1", "loopback"],
    ["192.0.2.1", "special-purpose (reserved)"],
    ["198.51.100.7", "special-purpose (reserved)"],
    ["203.0.113.9", "special-purpose (reserved)"],
    ["198.18.0.1", "special-purpose (reserved)"],
    ["192.0.0.8", "special-purpose (reserved)"],
    ["240.0.0.1", "special-purpose (reserved)"],
    ["255.255.255.255", "broadcast"],
    ["192.88.99.1", "special-purpose (reserved)"],
    ["2001:db8::1", "special-purpose (reserved)"],
    ["2001:2::1", "special-purpose (benchmarking)"],
    ["100::1", "special-purpose (discard)"],
    ["fec0::1", "site-local (private)"],
    ["4000::1", "reserved"],
  ])("refuses %s (%s)", (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });

  test.each(["8.8.8.8", "172.32.0.1", "100.128.0.1", "93.184.216.34", "2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8"])(
    "accepts the public address %s",
    (address) => {
      expect(forbiddenAddressReason(address)).toBeNull();
    },
  );

  test("an IPv4-mapped IPv6 address gets the verdict of its IPv4 address", () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        expect(forbiddenAddressReason(`::ffff:${v4}`)).toBe(forbiddenAddressReason(v4));
        expect(forbiddenAddressReason(hex)).toBe(forbiddenAddressReason(v4));
      }),
      { numRuns: RUNS },
    );
  });

  test("URLs: scheme, credentials, literal and resolved addresses", async () => {
    const publicDns = async () => ["93.184.216.34"];
    const check = (url: string, resolve = publicDns) => checkWebhookUrl(url, { allowPrivate: false, resolve });
    expect((await check("https://hooks.example.com/x")).ok).toBe(true);
    expect(await check("ftp://hooks.example.com/x")).toEqual({ ok: false, reason: "Only http and https URLs are accepted" });
    expect((await check("https://user:pw@hooks.example.com/")).ok).toBe(false);
    expect((await check("not a url")).ok).toBe(false);
    for (const url of ["http://127.0.0.1:8080/", "http://127.1/", "http://0x7f000001/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/latest"]) {
      const r = await check(url);
      expect({ url, ok: r.ok }).toEqual({ url, ok: false });
    }
    // A name resolving to several addresses is refused if any of them is private.
    const r = await check("https://mixed.example/", async () => ["93.184.216.34", "10.0.0.5"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("10.0.0.5");
    expect((await check("https://nowhere.example/", async () => Promise.reject(new Error("ENOTFOUND")))).ok).toBe(false);
    // The real resolver: localhost is loopback.
    expect((await checkWebhookUrl("http://localhost:9/", { allowPrivate: false })).ok).toBe(false);
    // WEBHOOK_ALLOW_PRIVATE=true lets loopback through (tests, development), still http(s) only.
    expect((await checkWebhookUrl("http://127.0.0.1:9/", { allowPrivate: true })).ok).toBe(true);
    expect((await checkWebhookUrl("file:///etc/passwd", { allowPrivate: true })).ok).toBe(false);
  });
});
