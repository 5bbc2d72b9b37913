/** Anonymised addresses use a reserved top-level domain (RFC 2606): nothing can ever be delivered there. */
export const ERASED_DOMAIN = "erased.invalid";
export const ERASED_NAME = "[erased]";

export const anonymousAddress = () => `erased-${crypto.randomUUID()}@${ERASED_DOMAIN}`;
export const isErasedAddress = (email: string) => email.toLowerCase().endsWith(`@${ERASED_DOMAIN}`);

/** LIKE pattern matching `value` anywhere, its wildcards escaped (addresses often hold '_'). */
export const containsPattern = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Replaces every string in a JSON value that mentions one of `needles` (case-insensitive) with "[erased]", and drops
 * the keys listed in `dropKeys` (e.g. the visitor id tying analytics to a person). Numbers, booleans, ids stay.
 */
export function scrubJson(value: unknown, needles: string[], dropKeys: string[] = []): unknown {
  const lowered = needles.filter((n) => n.trim().length > 0).map((n) => n.toLowerCase());
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return lowered.some((n) => v.toLowerCase().includes(n)) ? ERASED_NAME : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).filter(([k]) => !dropKeys.includes(k)).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value);
}
