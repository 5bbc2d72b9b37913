import { t } from "elysia";
import { noOtherProperty } from "../../lib/schema.ts";

export const LoginBody = t.Object(
  {
    email: t.String({ minLength: 3, maxLength: 254, examples: ["admin@thotis.local"] }),
    password: t.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: noOtherProperty },
);
export type LoginBody = typeof LoginBody.static;

export const SessionUser = t.Object({ id: t.Integer(), email: t.String(), name: t.String(), role: t.String({ examples: ["admin"] }) });

export const LoginResult = t.Object({
  token: t.String({ description: "Admin JWT (HS256), valid 12 hours" }),
  expiresAt: t.String({ format: "date-time" }),
  user: SessionUser,
});
export type LoginResult = typeof LoginResult.static;

export const Me = t.Object({
  sub: t.String(),
  role: t.String(),
  userId: t.Optional(t.Integer()),
  studentProfileId: t.Optional(t.String()),
  expiresAt: t.Nullable(t.String({ format: "date-time" })),
  user: t.Nullable(SessionUser),
});
export type Me = typeof Me.static;
