import { Elysia } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { LoginBody, LoginResult, Me } from "./model.ts";
import type { AdminAuthService } from "./service.ts";

const tags = ["Auth"];

/** The public login route of the console (listed in the auth gate's public paths) and the caller's identity. */
export const LOGIN_PATH = "/api/v2/auth/login";

export function authModule(deps: { auth: AuthPlugin; adminAuth: AdminAuthService; clientIp: (request: Request) => string | undefined }) {
  const { adminAuth } = deps;
  return new Elysia()
    .use(deps.auth)
    .post(LOGIN_PATH, async ({ body, request }) => ok(await adminAuth.login(body.email, body.password, deps.clientIp(request))), {
      body: LoginBody,
      response: { 200: success(LoginResult), ...errors(400, 401, 429) },
      detail: {
        tags,
        summary: "Console sign-in (no token needed)",
        description:
          "E-mail and password of an admin account → a 12-hour admin JWT. 401 INVALID_CREDENTIALS for an unknown address or a wrong " +
          "password (same message, same timing). Throttled per (e-mail, client address): after 5 failures each further attempt waits 1 s, " +
          "2 s, 4 s ... up to 15 minutes (429 ACCOUNT_LOCKED with Retry-After); one attempt per e-mail and address at a time; " +
          "a success forgets the failures. Other addresses are not affected.",
        security: [],
      },
    })
    .get("/api/v2/auth/me", async ({ principal }) => ok(await adminAuth.me(principal)), {
      auth: ["admin", "integrator", "mentor", "widget"],
      response: { 200: success(Me), ...errors(403) },
      detail: { tags, summary: "Who the bearer token is" },
    });
}
