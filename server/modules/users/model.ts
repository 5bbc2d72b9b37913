import { t } from "elysia";

export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const CreateUserBody = t.Object(
  {
    email: t.String({ format: "email", maxLength: 254, examples: ["marie.dubois@etu.univ-paris1.fr"] }),
    name: t.String({ minLength: 1, maxLength: 120, pattern: "\\S", examples: ["Marie Dubois"] }),
    role: t.Optional(t.UnionEnum(["admin", "integrator", "mentor"], { default: "mentor" })),
    timeZone: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "IANA time zone", examples: ["Europe/Paris"] })),
    locale: t.Optional(t.UnionEnum(["fr", "en"], { default: "fr" })),
  },
  { additionalProperties: false },
);

export const User = t.Object({
  id: t.Integer(),
  email: t.String(),
  name: t.String(),
  role: t.UnionEnum(["admin", "integrator", "mentor"]),
  timeZone: t.String(),
  locale: t.UnionEnum(["fr", "en"]),
  studentProfileId: t.Nullable(t.String()),
  createdAt: t.String({ format: "date-time" }),
});
export type User = typeof User.static;
