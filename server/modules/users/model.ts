import { t } from "elysia";

/**
 * Answers are remembered: building an Intl.DateTimeFormat costs ~27 µs, on every booking and availability request.
 * Only valid zones are kept (a bounded set, ~600 IANA names), so junk input cannot grow the set.
 */
const knownZones = new Set<string>();
export const isTimeZone = (zone: string): boolean => {
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    return false;
  }
  // Aliases and case variants are valid too; bounded anyway so that no input pattern can grow this without limit.
  if (knownZones.size < 5000) knownZones.add(zone);
  return true;
};

/**
 * 1 to 120 characters counted in Unicode code points like the database's varchar(120) (TypeBox's maxLength would count
 * UTF-16 units), not blank, without NUL (Postgres text cannot hold it) or lone surrogates. Same scheme as the
 * profile texts in modules/students/model.ts.
 */
const namePattern = "^(?=[\\s\\S]*\\S)(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\u0000\\uD800-\\uDFFF]){1,120}$";

export const CreateUserBody = t.Object(
  {
    email: t.String({ format: "email", maxLength: 254, examples: ["marie.dubois@etu.univ-paris1.fr"] }),
    name: t.String({ minLength: 1, pattern: namePattern, description: "1 to 120 characters, not blank", examples: ["Marie Dubois"] }),
    role: t.Optional(t.UnionEnum(["admin", "integrator", "mentor"], { default: "mentor" })),
    timeZone: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "IANA time zone", examples: ["Europe/Paris"] })),
    locale: t.Optional(t.UnionEnum(["fr", "en"], { default: "fr" })),
  },
  // Not `false`: the app's input normalization would silently strip unknown properties instead of refusing them.
  { additionalProperties: t.Never() },
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
