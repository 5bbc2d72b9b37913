/**
 * SSRF guard for webhook URLs: an admin-registered URL must not let the server reach its own network (cloud metadata
 * at 169.254.169.254, databases on 10.x, services on localhost). The host is resolved and every address it resolves
 * to must be public. Checked at registration and again before each delivery, since DNS answers can change after
 * registration (DNS rebinding); a lookup racing the HTTP client's own lookup remains possible (documented).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

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

/**
 * Why an address may not receive webhooks, or null for a public unicast address. The special-purpose ranges are
 * ipaddr.js's tables of the IANA IPv4 and IPv6 special-purpose registries (private, loopback, link-local, CGNAT,
 * documentation, benchmarking, multicast, reserved, 6to4, Teredo, NAT64, SIIT, ...): anything it does not call plain
 * "unicast" is refused, including every transition form that embeds an IPv4 address (which could be 127.0.0.1). IPv6 must also lie in 2000::/3, the only block IANA allocates for global unicast,
 * which also refuses the deprecated IPv4-compatible ::a.b.c.d form.
 */
export function forbiddenAddressReason(address: string): string | null {
  const zoneless = address.split("%")[0] ?? address;
  if (!ipaddr.isValid(zoneless)) return "unparseable";
  const parsed = ipaddr.parse(zoneless);
  const range = parsed.range();
  // An IPv4-mapped address is how some resolvers hand out plain IPv4: it gets its IPv4 address's verdict.
  if (range === "ipv4Mapped") return forbiddenAddressReason((parsed as ipaddr.IPv6).toIPv4Address().toString());
  if (range !== "unicast") return describe(range);
  if (parsed.kind() === "ipv6" && !parsed.match(GLOBAL_UNICAST)) return "reserved";
  return null;
}

const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

const names: Record<string, string> = {
  private: "private",
  uniqueLocal: "unique-local (private)",
  carrierGradeNat: "shared (CGNAT)",
  linkLocal: "link-local",
  loopback: "loopback",
  unspecified: "unspecified",
  multicast: "multicast",
  broadcast: "broadcast",
  rfc6145: "IPv4-translated (SIIT)",
  rfc6052: "NAT64",
  "6to4": "6to4",
  teredo: "Teredo",
  deprecatedSiteLocal: "site-local (private)",
};
const describe = (range: string) => names[range] ?? `special-purpose (${range})`;
