import { Elysia } from "elysia";
import type { Database } from "../../../db/client.ts";
import type { Principal } from "../../plugins/auth.ts";
import type { AuditService } from "./service.ts";

/**
 * Admin routes elsewhere that read or change personal data, by method and route pattern. One hook records them all,
 * so the feature modules stay unaware of the audit log; a route added later joins by one line here.
 * Privacy routes are not listed: they write their entries themselves, inside their own transactions.
 */
const audited: Record<string, { action: string; target?: (params: Record<string, string>) => string }> = {
  "GET /api/v2/admin/export/:file": { action: "csv.export", target: (p) => `export:${p.file}` },
  "GET /api/v2/admin/emails": { action: "email.list" },
  "GET /api/v2/admin/emails/:id": { action: "email.read", target: (p) => `email:${p.id}` },
  "GET /api/v2/admin/ratings": { action: "rating.list" },
  "PATCH /api/v2/admin/ratings/:id": { action: "rating.moderate", target: (p) => `rating:${p.id}` },
  "GET /api/v2/admin/mentors": { action: "mentor.list" },
  "GET /api/v2/admin/mentors/:id": { action: "mentor.read", target: (p) => `mentor:${p.id}` },
  "GET /api/v2/admin/jobs": { action: "job.list" },
  "GET /api/v2/webhooks/deliveries": { action: "webhook.delivery.list" },
  "GET /api/v2/webhooks/deliveries/:id": { action: "webhook.delivery.read", target: (p) => `webhook-delivery:${p.id}` },
  "POST /api/v2/webhooks/deliveries/:id/replay": { action: "webhook.delivery.replay", target: (p) => `webhook-delivery:${p.id}` },
  "GET /api/v2/bookings/:id": { action: "booking.read", target: (p) => `booking:${p.id}` },
  "DELETE /api/v2/bookings/:id": { action: "booking.cancel", target: (p) => `booking:${p.id}` },
  "GET /api/v2/users": { action: "user.list" },
  "GET /api/v2/users/:id": { action: "user.read", target: (p) => `user:${p.id}` },
  "POST /api/v2/widget/token": { action: "token.exchange", target: () => "widget-token" },
  "POST /api/v2/auth/login": { action: "auth.login", target: () => "admin-session" },
};

/** Which admin and integrator requests left a trace (a prospective student's own manage-token reads do not). */
const auditedRoles = new Set(["admin", "integrator"]);

export function auditTrail(deps: {
  db: Database;
  audit: AuditService;
  principalOf: (request: Request) => Promise<Principal>;
  clientIp: (request: Request) => string | undefined;
}) {
  return new Elysia({ name: "audit-trail" }).onAfterHandle({ as: "global" }, async ({ request, route, params, query, body, response }) => {
    // A prefix's root route is registered with a trailing slash ("/api/v2/admin/emails/").
    const rule = audited[`${request.method} ${route.length > 1 ? route.replace(/\/$/, "") : route}`];
    if (!rule) return;
    let actor: string;
    let role: string | null = null;
    let subject: string | null = null;
    if (route === "/api/v2/auth/login") {
      // No token yet: the signed-in account is the actor (its id is in the answer).
      const who = (response as { data?: { user?: { id?: unknown } } } | undefined)?.data?.user?.id;
      actor = who !== undefined ? `admin:${who}` : "anonymous";
      role = "admin";
      subject = typeof (body as { email?: unknown })?.email === "string" ? (body as { email: string }).email : null;
    } else {
      const principal = await deps.principalOf(request).catch(() => null);
      if (!principal || !auditedRoles.has(principal.role)) return;
      actor = `${principal.role}:${principal.sub}`;
      role = principal.role;
    }
    // Recorded before the answer leaves: no audit entry, no data (a failing insert turns the answer into an error).
    await deps.audit.record(deps.db, {
      actor,
      role,
      ip: deps.clientIp(request) ?? null,
      action: rule.action,
      target: rule.target?.((params ?? {}) as Record<string, string>) ?? null,
      subject,
      details: query && Object.keys(query).length ? { query } : null,
    });
  });
}
