import { forbidden } from "../../lib/errors.ts";
import type { Principal, Role } from "../../plugins/auth.ts";

/**
 * Property-level authorization: the one table of which role may write which profile field, read by every route that
 * writes a profile (create, update, status, photo). A field missing here may be written by nobody. Mentors are further
 * limited to their own profile by the routes themselves.
 */
export const profileFieldWriters = {
  university: ["admin", "integrator", "mentor"],
  degree: ["admin", "integrator", "mentor"],
  field: ["admin", "integrator", "mentor"],
  currentYear: ["admin", "integrator", "mentor"],
  bio: ["admin", "integrator", "mentor"],
  profilePhotoUrl: ["admin", "integrator", "mentor"],
  linkedInUrl: ["admin", "integrator", "mentor"],
  // Hiding a mentor from listings is the mentor's or an admin's decision (as PATCH /status has always said).
  isActive: ["admin", "mentor"],
} as const satisfies Record<string, readonly Role[]>;

/** 403 naming the fields this role may not write; nothing is written. */
export function assertMayWriteFields(principal: Principal, fields: Iterable<string>): void {
  const refused = [...fields].filter((f) => !((profileFieldWriters as Record<string, readonly Role[]>)[f] ?? []).includes(principal.role));
  if (refused.length > 0) {
    const err = forbidden(`The ${principal.role} role may not set ${refused.join(", ")}`);
    Object.assign(err, { details: { fields: refused } });
    throw err;
  }
}
