import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import { assertSelfOrAdmin, type AuthPlugin } from "../../plugins/auth.ts";
import { ProfileIdParams } from "../students/model.ts";
import type { GoogleService } from "./google-service.ts";

const tags = ["Integrations"];

const GoogleStatus = t.Object({
  connected: t.Boolean(),
  calendarId: t.Nullable(t.String()),
  connectedAt: t.Nullable(t.String()),
  lastSyncAt: t.Nullable(t.String()),
  lastError: t.Nullable(t.String()),
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, message: string) =>
  `<!doctype html><html lang="fr"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>` +
  `<body style="font-family:Inter,system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#004E89">` +
  `<h1 style="color:#FF6B35">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;

/** Google Calendar connection of a mentor: consent link, OAuth callback (outside /api/v2: Google redirects a browser there), status, disconnect. */
export function integrationsModule(deps: { auth: AuthPlugin; google: GoogleService }) {
  const { google } = deps;
  return new Elysia()
    .use(deps.auth)
    .get(
      "/api/v2/students/:id/google",
      async ({ params, principal }) => {
        assertSelfOrAdmin(principal, params.id, "manage this calendar connection");
        return ok(await google.status(params.id));
      },
      {
        auth: ["admin", "mentor"],
        params: ProfileIdParams,
        response: { 200: success(GoogleStatus), ...errors(403, 404) },
        detail: { tags, summary: "Google Calendar connection status" },
      },
    )
    .post(
      "/api/v2/students/:id/google/connect",
      async ({ params, principal }) => {
        assertSelfOrAdmin(principal, params.id, "manage this calendar connection");
        return ok({ consentUrl: await google.consentUrl(params.id) });
      },
      {
        auth: ["admin", "mentor"],
        params: ProfileIdParams,
        response: { 200: success(t.Object({ consentUrl: t.String() })), ...errors(403, 404) },
        detail: {
          tags,
          summary: "Start connecting Google Calendar",
          description: "Open consentUrl in the mentor's browser; Google sends them back to /oauth/google/callback. The link is valid 15 minutes.",
        },
      },
    )
    .delete(
      "/api/v2/students/:id/google",
      async ({ params, principal }) => {
        assertSelfOrAdmin(principal, params.id, "manage this calendar connection");
        await google.disconnect(params.id);
        return ok(await google.status(params.id));
      },
      {
        auth: ["admin", "mentor"],
        params: ProfileIdParams,
        response: { 200: success(GoogleStatus), ...errors(403, 404) },
        detail: { tags, summary: "Disconnect Google Calendar", description: "Busy times from Google stop blocking slots." },
      },
    )
    .get(
      "/oauth/google/callback",
      async ({ query, set }) => {
        set.headers["content-type"] = "text/html; charset=utf-8";
        set.headers["content-security-policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        if (query.error || !query.code || !query.state) {
          set.status = 400;
          return page("Connexion annulée", "Google Calendar n'a pas été connecté. Vous pouvez réessayer depuis Thotis.");
        }
        try {
          await google.completeConnection(query.code, query.state);
          return page("Google Calendar connecté", "Vos disponibilités tiennent maintenant compte de votre agenda. Vous pouvez fermer cette page.");
        } catch (error) {
          set.status = error instanceof AppError && error.status < 500 ? error.status : 502;
          const code = error instanceof AppError ? error.code : ErrorCode.GOOGLE_CALENDAR_ERROR;
          return page("Connexion impossible", `Google Calendar n'a pas pu être connecté (${code}). Réessayez depuis Thotis.`);
        }
      },
      {
        query: t.Object({ code: t.Optional(t.String()), state: t.Optional(t.String()), error: t.Optional(t.String()), scope: t.Optional(t.String()) }),
        detail: { tags, summary: "OAuth callback for Google Calendar (browser redirect)", security: [] },
      },
    );
}
