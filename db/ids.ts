const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Collision-resistant, URL-safe id in the spirit of cuid: a letter then 24 random base-36 characters. */
export function newId(prefix = "c"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let out = prefix;
  for (const b of bytes) out += alphabet[b % 36];
  return out;
}
