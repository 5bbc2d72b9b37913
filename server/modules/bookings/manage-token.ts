import { jwt } from "@elysiajs/jwt";
import type { Clock } from "../../lib/clock.ts";

/**
 * Manage tokens let a prospective student view, cancel or reschedule one booking and nothing else. They are JWTs
 * with `scope: "booking:manage"` and no role, so the role-based verifier never accepts them for anything else.
 */
export function createManageTokens(secret: string, clock: Clock) {
  const signer = jwt({ name: "jwt", secret, alg: "HS256" }).decorator.jwt;
  return {
    async sign(bookingId: number, expiresAt: Date): Promise<string> {
      return signer.sign({
        sub: `booking:${bookingId}`,
        scope: "booking:manage",
        bookingId,
        exp: Math.floor(expiresAt.getTime() / 1000),
      } as never);
    },
    /** The booking id the token grants, or null when the token is not a valid manage token. */
    async verify(token: string): Promise<number | null> {
      const payload = await signer.verify(token, { algorithms: ["HS256"], currentDate: clock.now() });
      if (!payload || payload.scope !== "booking:manage" || typeof payload.bookingId !== "number") return null;
      return payload.bookingId;
    },
  };
}
export type ManageTokens = ReturnType<typeof createManageTokens>;
