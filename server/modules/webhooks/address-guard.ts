/**
 * SSRF guard for webhook URLs: an admin-registered URL must not let the server reach its own network (cloud metadata
 * at 169.254.169.254, databases on 10.x, services on localhost). The host is resolved and every address it resolves
 * to must be public. Checked at registration and again before each delivery, since DNS answers can change after
 * registration (DNS rebinding); a lookup racing the HTTP client's own lookup remains possible (documented).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Every address a host name resolves to. Injected so tests can play a rebinding DNS. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export async function checkWebhookUrl(raw: string, opts: { allowPrivate: boolean; resolve?: Resolver }): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "The URL is not a valid absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "Only http and https URLs are accepted" };
  if (url.username || url.password) return { ok: false, reason: "URLs with credentials are not accepted" };
  if (opts.allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (opts.resolve ?? systemResolver)(host);
    } catch {
      return { ok: false, reason: `The host ${host} could not be resolved` };
    }
    if (addresses.length === 0) return { ok: false, reason: `The host ${host} could not be resolved` };
  }
  for (const address of addresses) {
    const why = forbiddenAddressReason(address);
    if (why) return { ok: false, reason: `${host} resolves to ${address}, a ${why} address; webhooks may only reach public addresses` };
  }
  return { ok: true, url };
}

/** Why an address may not receive webhooks (loopback, private, …), or null for a public unicast address. */
export function forbiddenAddressReason(address: string): string | null {
  const zoneless = address.split("%")[0] ?? address;
  const v4 = parseIPv4(zoneless);
  if (v4 !== null) return ipv4Reason(v4);
  const v6 = parseIPv6(zoneless);
  if (v6 === null) return "unparseable";
  return ipv6Reason(v6);
}

const IPV4_RULES: [base: string, bits: number, reason: string][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];
const ipv4Rules = IPV4_RULES.map(([base, bits, reason]) => ({ base: parseIPv4(base) as number, mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0, reason }));

function ipv4Reason(ip: number): string | null {
  for (const r of ipv4Rules) if (((ip & r.mask) >>> 0) === r.base) return r.reason;
  return null;
}

function ipv6Reason(h: number[]): string | null {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, last = 0] = h;
  const embedded = ((g << 16) | last) >>> 0;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0) {
    if (f === 0xffff) return ipv4Reason(embedded) ?? null; // ::ffff:a.b.c.d (IPv4-mapped)
    if (f === 0) {
      if (g === 0 && last === 0) return "unspecified";
      if (g === 0 && last === 1) return "loopback";
      return ipv4Reason(embedded) ?? null; // ::a.b.c.d (IPv4-compatible, deprecated)
    }
  }
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return ipv4Reason(embedded); // NAT64
  if ((a & 0xffc0) === 0xfe80) return "link-local";
  if ((a & 0xfe00) === 0xfc00) return "unique-local (private)";
  if ((a & 0xff00) === 0xff00) return "multicast";
  if ((a & 0xffc0) === 0xfec0) return "site-local (private)";
  return null;
}

/** Dotted quad to an unsigned 32-bit number; null when not exactly four decimal octets. */
export function parseIPv4(s: string): number | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Eight 16-bit groups; handles "::" and a trailing dotted quad. Null when malformed. */
export function parseIPv6(s: string): number[] | null {
  if (!s.includes(":")) return null;
  let text = s.toLowerCase();
  const tail: number[] = [];
  const quad = text.match(/:(\d+\.\d+\.\d+\.\d+)$/);
  if (quad) {
    const v4 = parseIPv4(quad[1] as string);
    if (v4 === null) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    // Drop the quad; "::ffff:" keeps its "::", "1:2:3:4:5:6:" loses its trailing colon.
    text = text.slice(0, -(quad[1] as string).length);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const group = (part: string) => (part === "" ? [] : part.split(":"));
  const head = group(halves[0] as string);
  const rest = halves.length === 2 ? group(halves[1] as string) : [];
  const parse = (g: string) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN);
  const left = head.map(parse);
  const right = [...rest.map(parse), ...tail];
  if ([...left, ...right].some(Number.isNaN)) return null;
  const total = left.length + right.length;
  if (halves.length === 1) return total === 8 ? [...left, ...right] : null;
  if (total > 7) return null;
  return [...left, ...new Array(8 - total).fill(0), ...right];
}
