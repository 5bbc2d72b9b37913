import { jwt } from "@elysiajs/jwt";
import type { Clock } from "../../lib/clock.ts";

/** The erasure confirmation link a prospective student receives is good for a day. */
export const ERASURE_LINK_TTL_MS = 24 * 3_600_000;

/**
 * Erasure confirmation tokens: JWTs with `scope: "privacy:erase"` and the address, no role, so nothing else accepts
 * them. Reusing one is harmless (an erasure is idempotent).
 */
export function createErasureTokens(secret: string, clock: Clock) {
  const signer = jwt({ name: "jwt", secret, alg: "HS256" }).decorator.jwt;
  return {
    sign(email: string): Promise<string> {
      return signer.sign({ scope: "privacy:erase", email, exp: Math.floor((clock.now().getTime() + ERASURE_LINK_TTL_MS) / 1000) } as never);
    },
    async verify(token: string): Promise<string | null> {
      const payload = await signer.verify(token, { algorithms: ["HS256"], currentDate: clock.now() }).catch(() => false);
      if (!payload || typeof payload !== "object" || payload.scope !== "privacy:erase" || typeof payload.email !== "string") return null;
      return payload.email;
    },
  };
}
export type ErasureTokens = ReturnType<typeof createErasureTokens>;
