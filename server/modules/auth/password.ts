import { argon2id, argon2Verify } from "hash-wasm";

/**
 * argon2id through hash-wasm (WebAssembly, so the same code runs on Bun and Deno), with OWASP's suggested cost:
 * 19 MiB of memory, 2 passes, one lane. The result is the PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash), which
 * carries its salt and cost, so raising the cost later still verifies old hashes.
 */
const COST = { memorySize: 19 * 1024, iterations: 2, parallelism: 1, hashLength: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return argon2id({ password, salt, ...COST, outputType: "encoded" });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash });
  } catch {
    // A malformed stored hash verifies nothing.
    return false;
  }
}

/** A random password for the generated console account: 20 characters from an unambiguous alphabet (~110 bits). */
export function generatePassword(length = 20): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
    if (b >= 256 - (256 % alphabet.length)) continue; // no modulo bias
    out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}
