import { Elysia } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { AuditList, AuditQuery } from "./model.ts";
import type { AuditService } from "./service.ts";

/** GET /api/v2/admin/audit: the append-only log of who read or changed personal data. */
export function auditModule(deps: { auth: AuthPlugin; audit: AuditService }) {
  return new Elysia().use(deps.auth).get(
    "/api/v2/admin/audit",
    async ({ query }) => ok(await deps.audit.list({ ...query, page: query.page ?? 1, limit: query.limit ?? 20 })),
    {
      auth: ["admin"],
      query: AuditQuery,
      response: { 200: success(AuditList), ...errors(400, 403) },
      detail: {
        tags: ["Privacy"],
        summary: "Audit log: who read or changed personal data",
        description:
          "Newest first. Every admin action on personal data (privacy exports and erasures, CSV exports, e-mail reads, moderation, " +
          "webhook delivery reads, token exchanges, sign-ins) with actor, action, target, time and client IP. Filters: action, actor, " +
          "subject (an e-mail address, matched through its keyed hash: the log never holds an address in clear), from, to. " +
          "Append-only: the database refuses UPDATE, DELETE and TRUNCATE of it. Admin only.",
      },
    },
  );
}
