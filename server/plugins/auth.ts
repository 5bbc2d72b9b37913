import { jwt } from "@elysiajs/jwt";
import { Elysia } from "elysia";
import type { Clock } from "../lib/clock.ts";
import { AppError, ErrorCode, forbidden } from "../lib/errors.ts";

export const roles = ["admin", "integrator", "mentor", "widget"] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  sub: string;
  role: Role;
  /** Set on mentor tokens: the profile the mentor may change. */
  studentProfileId?: string;
  /** Set on mentor tokens: their user id. */
  userId?: number;
}

const unauthorized = (code: ErrorCode, message: string) =>
  new AppError(401, code, message, undefined, { "www-authenticate": 'Bearer realm="thotis"' });

/** Reads and checks the bearer token. Expired-but-genuine tokens are told apart from forged ones. */
export function createTokenVerifier(secret: string, clock: Clock) {
  const { decorator } = jwt({ name: "jwt", secret, alg: "HS256" });
  const verifier = decorator.jwt;
  return async function verify(authorization: string | undefined): Promise<Principal> {
    const match = authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw unauthorized(ErrorCode.UNAUTHORIZED, "A bearer token is required (Authorization: Bearer <JWT>)");
    const token = match[1];
    const options = { algorithms: ["HS256"], currentDate: clock.now() };
    const payload = await verifier.verify(token, options);
    if (!payload) {
      // Genuine signature but past its expiry: verify again with unlimited clock tolerance to tell which.
      const ignoringExpiry = await verifier.verify(token, { ...options, clockTolerance: Number.MAX_SAFE_INTEGER });
      if (ignoringExpiry) throw unauthorized(ErrorCode.TOKEN_EXPIRED, "The token has expired; request a new one");
      throw unauthorized(ErrorCode.INVALID_TOKEN, "The token is invalid");
    }
    const role = payload.role as Role;
    if (typeof payload.sub !== "string" || !roles.includes(role) || typeof payload.exp !== "number") {
      throw unauthorized(ErrorCode.INVALID_TOKEN, "The token lacks sub, role or exp");
    }
    const principal: Principal = { sub: payload.sub, role };
    if (typeof payload.studentProfileId === "string") principal.studentProfileId = payload.studentProfileId;
    if (role === "mentor" || role === "admin" || role === "integrator") {
      const userId = Number(payload.sub);
      if (Number.isInteger(userId)) principal.userId = userId;
    }
    return principal;
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/** Signs tokens for the CLI, tests and the start banner. */
export async function signToken(
  secret: string,
  claims: { sub: string; role: Role; studentProfileId?: string },
  ttlSeconds: number,
  now = new Date(),
): Promise<string> {
  const { decorator } = jwt({ name: "jwt", secret, alg: "HS256" });
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return decorator.jwt.sign({ ...claims, exp, iat: Math.floor(now.getTime() / 1000) } as never);
}

/**
 * `auth: [...roles]` on a route: the bearer token must be valid and its role listed; the route then sees `principal`.
 * Every /api/v2 route declares it (Property 23).
 */
export function authPlugin(verify: TokenVerifier) {
  return new Elysia().macro({
    auth: (allowed: readonly Role[]) => ({
      async resolve({ headers }) {
        const principal = await verify(headers.authorization);
        if (!allowed.includes(principal.role)) throw forbidden(`The ${principal.role} role may not use this route`);
        return { principal };
      },
    }),
  });
}
