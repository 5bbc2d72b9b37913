/**
 * Authenticated encryption of small secrets at rest (OAuth refresh tokens): AES-256-GCM through Web Crypto,
 * so it runs the same on Bun and Deno.
 *
 * Sealed format: `v1.<iv base64url>.<ciphertext+tag base64url>`, with a random 96-bit IV per seal and the
 * 128-bit GCM tag appended to the ciphertext (Web Crypto's layout). The version prefix is bound into the
 * tag as additional authenticated data, so a later format can coexist with this one.
 */

export interface CryptoBox {
  /** Encrypts a UTF-8 string; every call uses a fresh IV, so equal inputs give different outputs. */
  seal(plaintext: string): Promise<string>;
  /** Decrypts a sealed string; throws CryptoBoxError when it was altered, is malformed or needs another key. */
  open(sealed: string): Promise<string>;
}

export class CryptoBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CryptoBoxError";
  }
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Builds a box from a 256-bit key given as base64, base64url or hex (64 hex digits).
 * Generate one with `openssl rand -base64 32`.
 */
export function createCryptoBox(keyBase64OrHex: string): CryptoBox {
  const raw = decodeKey(keyBase64OrHex);
  const keyPromise = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  const aad = new TextEncoder().encode(VERSION);

  return {
    async seal(plaintext) {
      const key = await keyPromise;
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const data = new TextEncoder().encode(plaintext);
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, data);
      return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
    },
    async open(sealed) {
      const parts = sealed.split(".");
      if (parts.length !== 3) throw new CryptoBoxError("Sealed value is malformed");
      const [version, ivText, ctText] = parts as [string, string, string];
      if (version !== VERSION) throw new CryptoBoxError(`Unsupported sealed value version "${version.slice(0, 8)}"`);
      const iv = fromBase64Url(ivText);
      const ct = fromBase64Url(ctText);
      if (!iv || iv.length !== IV_BYTES || !ct || ct.length < TAG_BYTES) {
        throw new CryptoBoxError("Sealed value is malformed");
      }
      const key = await keyPromise;
      let plain: ArrayBuffer;
      try {
        plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, ct);
      } catch {
        throw new CryptoBoxError("Sealed value could not be opened: it was altered or sealed with another key");
      }
      return new TextDecoder().decode(plain);
    },
  };
}

/** Decodes a 32-byte key from hex (64 digits) or base64/base64url; throws a clear error otherwise. */
export function decodeKey(text: string): Uint8Array<ArrayBuffer> {
  const trimmed = text.trim();
  if (!trimmed) throw new CryptoBoxError("Encryption key is empty: give 32 bytes as base64 or 64 hex digits");
  let bytes: Uint8Array<ArrayBuffer> | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = parseInt(trimmed.slice(i * 2, i * 2 + 2), 16);
  } else {
    bytes = fromBase64Url(trimmed.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  }
  if (!bytes) throw new CryptoBoxError("Encryption key must be base64 or hex");
  if (bytes.length !== 32) {
    throw new CryptoBoxError(`Encryption key must decode to 32 bytes (got ${bytes.length}); use \`openssl rand -base64 32\``);
  }
  return bytes;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
