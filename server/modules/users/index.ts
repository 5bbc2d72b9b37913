import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { forbidden } from "../../lib/errors.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { CreateUserBody, User } from "./model.ts";
import type { UserService } from "./service.ts";

const tags = ["Users"];

export function usersModule(deps: { auth: AuthPlugin; users: UserService }) {
  const { users } = deps;
  return new Elysia({ prefix: "/api/v2/users" })
    .use(deps.auth)
    .post(
      "/",
      async ({ body, principal, set }) => {
        // Integrators onboard mentors; only admins create other admins and integrators.
        if (principal.role === "integrator" && (body.role ?? "mentor") !== "mentor") throw forbidden("Integrators may only create mentors");
        const user = await users.createUser(body);
        set.status = 201;
        set.headers.location = `/api/v2/users/${user.id}`;
        return ok(user);
      },
      {
        auth: ["admin", "integrator"],
        body: CreateUserBody,
        response: { 201: success(User), ...errors(400, 403, 409) },
        detail: { tags, summary: "Create a user", description: "A mentor user can then get a profile with POST /api/v2/students/:id/profile." },
      },
    )
    .get("/:id", async ({ params }) => ok(await users.getUser(params.id)), {
      auth: ["admin", "integrator"],
      params: t.Object({ id: t.Integer({ minimum: 1 }) }),
      response: { 200: success(User), ...errors(403, 404) },
      detail: { tags, summary: "Get a user" },
    });
}
