import { jwt } from "@elysiajs/jwt";
import { Elysia } from "elysia";
import type { Clock } from "../lib/clock.ts";
import { AppError, ErrorCode, forbidden } from "../lib/errors.ts";
import { pathAndQueryOf } from "../lib/url.ts";

export const roles = ["admin", "integrator", "mentor", "widget"] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  sub: string;
  role: Role;
  /** Set on mentor tokens: the profile the mentor may change. */
  studentProfileId?: string;
  /** Set on mentor tokens: their user id. */
  userId?: number;
  /** Expiry (seconds since the epoch). */
  exp?: number;
}

const unauthorized = (code: ErrorCode, message: string) =>
  new AppError(401, code, message, undefined, { "www-authenticate": 'Bearer realm="thotis"' });

/** Verified tokens remembered per process; a widget or integrator reuses one token for many requests. */
const VERIFIED_CACHE_SIZE = 10_000;
const VERIFIED_CACHE_MS = 60_000;

/**
 * Reads and checks the bearer token. Expired-but-genuine tokens are told apart from forged ones. Successful checks
 * are remembered (bounded, at most 60 s and never past the token's own expiry): the HMAC and JSON work of a full
 * verification is most of the cost of a cached API answer.
 */
export function createTokenVerifier(secret: string, clock: Clock) {
  const { decorator } = jwt({ name: "jwt", secret, alg: "HS256" });
  const verifier = decorator.jwt;
  const verified = new Map<string, { principal: Principal; until: number }>();
  return async function verify(authorization: string | undefined): Promise<Principal> {
    const match = authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw unauthorized(ErrorCode.UNAUTHORIZED, "A bearer token is required (Authorization: Bearer <JWT>)");
    const token = match[1];
    const now = clock.now().getTime();
    const remembered = verified.get(token);
    if (remembered) {
      if (now < remembered.until) return remembered.principal;
      verified.delete(token);
    }
    const principal = await verifyFully(token);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(token, { principal, until: Math.min(now + VERIFIED_CACHE_MS, principal.exp * 1000) });
    return principal;
  };

  async function verifyFully(token: string): Promise<Principal & { exp: number }> {
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
    const principal: Principal & { exp: number } = { sub: payload.sub, role, exp: payload.exp };
    if (typeof payload.studentProfileId === "string") principal.studentProfileId = payload.studentProfileId;
    if (role === "mentor" || role === "admin" || role === "integrator") {
      const userId = Number(payload.sub);
      if (Number.isInteger(userId)) principal.userId = userId;
    }
    return principal;
  }
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
 *
 * Authentication comes first: a request to /api/v2 without a valid token gets 401 before its body is parsed or its
 * input validated (otherwise an anonymous caller would get 400s describing our schemas), and the role is checked
 * before validation too (403 rather than 400 for a role that may not use the route). The route's resolve checks the
 * token again (answered from the per-request memo), so a route reached by another spelling of its path is still guarded.
 */
export function createAuth(
  verify: TokenVerifier,
  opts: {
    /**
     * Another kind of bearer token some /api/v2 routes accept instead of a role token (booking manage tokens): such a
     * request passes the early check and the route decides. Routes declaring `auth` still require a role token.
     */
    alternative?: (token: string) => Promise<boolean>;
    /** Exact /api/v2 paths reachable without any token (the console's login). */
    publicPaths?: readonly string[];
  } = {},
) {
  const verified = new WeakMap<Request, Promise<Principal>>();
  /** The request's principal, verified once per request whatever asks for it. */
  const principalOf = (request: Request) => {
    let principal = verified.get(request);
    if (!principal) {
      principal = verify(request.headers.get("authorization") ?? undefined);
      principal.catch(() => {});
      verified.set(request, principal);
    }
    return principal;
  };
  const check = async (request: Request, allowed: readonly Role[]) => {
    const principal = await principalOf(request);
    if (!allowed.includes(principal.role)) throw forbidden(`The ${principal.role} role may not use this route`);
    return principal;
  };
  return {
    principalOf,
    /** Used once by the app: every /api/v2 request is authenticated before anything else looks at it. */
    gate: new Elysia().onRequest(async ({ request }) => {
      if (request.method === "OPTIONS") return;
      const path = pathAndQueryOf(request.url);
      if (!path.startsWith("/api/v2/") && path !== "/api/v2" && !path.startsWith("/api/v2?")) return;
      if (opts.publicPaths?.includes(path.split("?")[0] as string)) return;
      try {
        await principalOf(request);
      } catch (error) {
        const token = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
        if (token && opts.alternative && (await opts.alternative(token).catch(() => false))) return;
        throw error;
      }
    }),
    // Unnamed on purpose: each app gets its own instance (own secret, own clock); modules `use` it for the macro only.
    plugin: new Elysia().macro({
      auth: (allowed: readonly Role[]) => ({
        async transform({ request }) {
          await check(request, allowed);
        },
        async resolve({ request }) {
          return { principal: await check(request, allowed) };
        },
      }),
    }),
  };
}

export type AuthPlugin = ReturnType<typeof createAuth>["plugin"];
/**
 * Routes about one mentor's private settings (schedule, calendar connection): the mentor themself or an admin.
 * Mentors are identified by the studentProfileId claim of their token.
 */
export function assertSelfOrAdmin(principal: Principal, studentProfileId: string, what: string): void {
  if (principal.role === "admin") return;
  if (principal.role === "mentor" && principal.studentProfileId === studentProfileId) return;
  throw forbidden(`Only the mentor themself or an admin may ${what}`);
}
