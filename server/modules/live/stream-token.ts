import { jwt } from "@elysiajs/jwt";
import type { Clock } from "../../lib/clock.ts";

/** A stream token opens a stream within this many seconds; the open stream then lives on without it. */
export const STREAM_TOKEN_TTL_SECONDS = 60;

/**
 * EventSource cannot send an Authorization header, so the live stream takes its credential in the URL. Rather than the
 * widget token (an hour long, good for booking), the URL carries a stream token: one minute, `scope: "live:stream"`,
 * no role (the role verifier refuses it everywhere else), naming the mentors it may follow. A stream token that ends
 * up in a log is useless a minute later and could never book anything.
 */
export function createStreamTokens(secret: string, clock: Clock) {
  const signer = jwt({ name: "jwt", secret, alg: "HS256" }).decorator.jwt;
  return {
    async sign(sub: string, mentors: string[]): Promise<{ token: string; expiresAt: Date }> {
      const exp = Math.floor(clock.now().getTime() / 1000) + STREAM_TOKEN_TTL_SECONDS;
      const token = await signer.sign({ sub, scope: "live:stream", mentors, exp } as never);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    /** The mentors the token may follow, or null when it is not a valid, unexpired stream token. */
    async verify(token: string): Promise<string[] | null> {
      const payload = await signer.verify(token, { algorithms: ["HS256"], currentDate: clock.now() });
      if (!payload || payload.scope !== "live:stream" || !Array.isArray(payload.mentors)) return null;
      return (payload.mentors as unknown[]).filter((m): m is string => typeof m === "string");
    },
  };
}
export type StreamTokens = ReturnType<typeof createStreamTokens>;
