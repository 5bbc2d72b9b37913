import { describe, expect, test } from "bun:test";
import { createCryptoBox, CryptoBoxError } from "./crypto-box.ts";

const keyB64 = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i + 1)));
const keyHex = Array.from({ length: 32 }, (_, i) => (i + 1).toString(16).padStart(2, "0")).join("");
const otherKey = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => 255 - i)));

describe("crypto box", () => {
  test("round trip, including unicode and empty strings", async () => {
    const box = createCryptoBox(keyB64);
    for (const text of ["1//0gRefreshToken-abc", "", "élève × mentor — 日本語 🎓", "x".repeat(10_000)]) {
      const sealed = await box.seal(text);
      expect(sealed.startsWith("v1.")).toBe(true);
      expect(sealed).not.toContain(text || "\u0000");
      expect(await box.open(sealed)).toBe(text);
    }
  });

  test("hex, base64 and base64url forms of the same key are interchangeable", async () => {
    const sealed = await createCryptoBox(keyHex).seal("secret");
    expect(await createCryptoBox(keyB64).open(sealed)).toBe("secret");
    const b64url = keyB64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(await createCryptoBox(b64url).open(sealed)).toBe("secret");
  });

  test("tampering with any part is detected", async () => {
    const box = createCryptoBox(keyB64);
    const sealed = await box.seal("refresh-token");
    const [v, iv, ct] = sealed.split(".") as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const variants = [
      `${v}.${flip(iv, 0)}.${ct}`,
      `${v}.${iv}.${flip(ct, 0)}`,
      `${v}.${iv}.${flip(ct, ct.length - 2)}`, // inside the tag
      `${v}.${iv}.${ct.slice(0, -4)}`, // truncated
      `v2.${iv}.${ct}`,
      `${v}.${iv}`,
      "not sealed at all",
      `${v}.${iv}.${ct}!`,
    ];
    for (const bad of variants) {
      await expect(box.open(bad)).rejects.toBeInstanceOf(CryptoBoxError);
    }
  });

  test("a different key cannot open it", async () => {
    const sealed = await createCryptoBox(keyB64).seal("refresh-token");
    await expect(createCryptoBox(otherKey).open(sealed)).rejects.toThrow(/altered or sealed with another key/);
  });

  test("every seal uses a fresh IV", async () => {
    const box = createCryptoBox(keyB64);
    const ivs = new Set<string>();
    const outputs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const sealed = await box.seal("same plaintext");
      outputs.add(sealed);
      ivs.add(sealed.split(".")[1]!);
    }
    expect(ivs.size).toBe(200);
    expect(outputs.size).toBe(200);
    expect(Buffer.from(ivs.values().next().value!, "base64url").length).toBe(12);
  });

  test("keys that are not 32 bytes are refused with a clear message", () => {
    expect(() => createCryptoBox("")).toThrow(/empty/);
    expect(() => createCryptoBox(btoa("too short"))).toThrow(/32 bytes \(got 9\)/);
    expect(() => createCryptoBox(keyHex.slice(0, 62))).toThrow(/32 bytes/);
    expect(() => createCryptoBox(btoa("x".repeat(48)))).toThrow(/32 bytes \(got 48\)/);
    expect(() => createCryptoBox("not base64 !!")).toThrow(CryptoBoxError);
  });
});
