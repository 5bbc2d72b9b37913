import { jwt } from "@elysiajs/jwt";
import type { Clock } from "../../lib/clock.ts";

/** How long the rating link in the after-session e-mail stays valid. */
export const RATING_LINK_DAYS = 30;

/**
 * Rating tokens let the prospective student of one completed booking rate it, once (the unique rating per booking
 * makes a second use a 409). `scope: "booking:rate"` and no role: the role verifier never accepts them elsewhere.
 */
export function createRatingTokens(secret: string, clock: Clock) {
  const signer = jwt({ name: "jwt", secret, alg: "HS256" }).decorator.jwt;
  return {
    async sign(bookingId: number, prospectiveEmail: string, expiresAt = new Date(clock.now().getTime() + RATING_LINK_DAYS * 86_400_000)) {
      return signer.sign({
        sub: `booking:${bookingId}`,
        scope: "booking:rate",
        bookingId,
        email: prospectiveEmail,
        exp: Math.floor(expiresAt.getTime() / 1000),
      } as never);
    },
    /** The booking and e-mail the token grants, or null when it is not a valid rating token. */
    async verify(token: string): Promise<{ bookingId: number; email: string } | null> {
      const payload = await signer.verify(token, { algorithms: ["HS256"], currentDate: clock.now() });
      if (!payload || payload.scope !== "booking:rate" || typeof payload.bookingId !== "number" || typeof payload.email !== "string") return null;
      return { bookingId: payload.bookingId, email: payload.email };
    },
  };
}
export type RatingTokens = ReturnType<typeof createRatingTokens>;
