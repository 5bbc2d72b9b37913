import { fileURLToPath } from "node:url";
import { and, desc, eq } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import { studentProfiles, users } from "../../../db/schema/index.ts";
import type { Config } from "../../config.ts";
import type { Clock } from "../../lib/clock.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import { badRequest } from "../../lib/errors.ts";
import { type AuthPlugin, signToken } from "../../plugins/auth.ts";
import type { ProfileService } from "../students/service.ts";
import { assetResponse, createAssetStore } from "../../lib/static-assets.ts";
import { demoPage } from "./demo.ts";
import { directoryDemoPage } from "./directory-demo.ts";
import { WidgetToken, WidgetTokenBody } from "./model.ts";
import { framingPolicy, widgetPageCsp } from "./policy.ts";

export const defaultWidgetDist = fileURLToPath(new URL("../../../widget/dist", import.meta.url));

const notBuilt = () =>
  new Response("The widget is not built yet: run `npm run build`.", { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
const notFoundText = () => new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });

/**
 * Serves the booking widget (widget/dist) under /widget, its demo host page, and mints widget tokens.
 * The widget page may be framed by the allowed host pages only (CSP frame-ancestors); every other route keeps the
 * global "never framed" headers.
 */
export function widgetModule(deps: {
  auth: AuthPlugin;
  config: Config;
  clock: Clock;
  db: Database;
  profiles: ProfileService;
  distDir?: string;
}) {
  const { config, clock } = deps;
  const assets = createAssetStore(deps.distDir ?? defaultWidgetDist);
  const policy = framingPolicy(config);
  const framedCsp = widgetPageCsp(policy.frameAncestors, config.publicUrl);
  const unframedCsp = widgetPageCsp("'none'", config.publicUrl);

  const mint = (sub: string, ttlSeconds: number, studentProfileId?: string) =>
    signToken(config.jwtSecret, { sub, role: "widget", ...(studentProfileId ? { studentProfileId } : {}) }, ttlSeconds, clock.now());

  /** index.html for the booking page (framable) and the e-mail pages (never framed). */
  const page = async (request: Request, set: { headers: Record<string, string | number> }, framable: boolean) => {
    const html = await assets.get("index.html");
    if (!html) return notBuilt();
    if (framable) {
      const parentOrigin = new URL(request.url).searchParams.get("parentOrigin");
      if (parentOrigin !== null && !policy.mayFrame(parentOrigin)) {
        return new Response("This page may not embed the Thotis widget.", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
      }
      delete set.headers["x-frame-options"];
    }
    set.headers["content-security-policy"] = framable ? framedCsp : unframedCsp;
    return assetResponse(html, request, { "cache-control": "no-cache" });
  };

  return new Elysia()
    .use(deps.auth)
    .post(
      "/api/v2/widget/token",
      async ({ body, principal }) => {
        const ttl = body.ttlSeconds ?? config.widgetTokenTtlSeconds;
        if (ttl > config.widgetTokenTtlSeconds) {
          throw badRequest("INVALID_INPUT", `ttlSeconds may be at most ${config.widgetTokenTtlSeconds}`, { issues: [{ path: "/ttlSeconds" }] });
        }
        if (body.studentProfileId) await deps.profiles.getProfile(body.studentProfileId);
        const expiresAt = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 + ttl * 1000);
        return ok({ token: await mint(`widget:${principal.sub}`, ttl, body.studentProfileId), expiresAt: expiresAt.toISOString(), role: "widget" as const });
      },
      {
        auth: ["admin", "integrator"],
        body: WidgetTokenBody,
        response: { 200: success(WidgetToken), ...errors(400, 403, 404) },
        detail: {
          tags: ["Widget"],
          summary: "Mint a short-lived widget token",
          description:
            "For the host page's backend: the widget token lets the embedded widget read discovery, profiles and availability and create bookings, nothing else. Roles: integrator, admin.",
        },
      },
    )
    .get("/widget", ({ request, set }) => page(request, set, true), { detail: { hide: true } })
    .get("/widget/", ({ request, set }) => page(request, set, true), { detail: { hide: true } })
    .get("/widget/directory", ({ request, set }) => page(request, set, true), { detail: { hide: true } })
    .get("/widget/manage", ({ request, set }) => page(request, set, false), { detail: { hide: true } })
    .get("/widget/rate", ({ request, set }) => page(request, set, false), { detail: { hide: true } })
    .get(
      "/widget/embed.js",
      async ({ request, set }) => {
        const js = await assets.get("embed.js");
        if (!js) return notBuilt();
        // Host pages on other origins load it with a script tag.
        set.headers["cross-origin-resource-policy"] = "cross-origin";
        return assetResponse(js, request, { "cache-control": "public, max-age=300" });
      },
      { detail: { hide: true } },
    )
    .get(
      "/widget/assets/:file",
      async ({ params, request }) => {
        const asset = await assets.get(`assets/${params.file}`);
        if (!asset) return notFoundText();
        // File names carry a content hash: a new build means new names.
        return assetResponse(asset, request, { "cache-control": "public, max-age=31536000, immutable" });
      },
      { params: t.Object({ file: t.String() }), detail: { hide: true } },
    )
    .get(
      "/widget/demo",
      async ({ request, query, set }) => {
        if (!config.widgetDemo) return notFoundText();
        const url = new URL(request.url);
        const choices = await bookableMentors(deps.db);
        const profileId = query.mentor ?? choices[0]?.id ?? null;
        if (!profileId) return new Response("No mentor to show yet.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
        const widgetOrigin = otherLoopbackOrigin(url) ?? new URL(config.publicUrl).origin;
        const nonce = crypto.randomUUID().replace(/-/g, "");
        const token = await mint("widget:demo", config.widgetTokenTtlSeconds, profileId);
        set.headers["content-security-policy"] =
          `default-src 'none'; script-src 'nonce-${nonce}' ${widgetOrigin}; style-src 'nonce-${nonce}'; img-src 'self'; frame-src ${widgetOrigin}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
        set.headers["cache-control"] = "no-store";
        return new Response(demoPage({ widgetOrigin, studentProfileId: profileId, token, nonce, mentors: choices }), {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      },
      { query: t.Object({ mentor: t.Optional(t.String({ maxLength: 64 })) }), detail: { hide: true } },
    )
    .get(
      "/widget/demo/directory",
      async ({ request, query, set }) => {
        if (!config.widgetDemo) return notFoundText();
        const widgetOrigin = otherLoopbackOrigin(new URL(request.url)) ?? new URL(config.publicUrl).origin;
        const nonce = crypto.randomUUID().replace(/-/g, "");
        // Not bound to one mentor: the directory books any of its mentors.
        const token = await mint("widget:demo", config.widgetTokenTtlSeconds);
        set.headers["content-security-policy"] =
          `default-src 'none'; script-src 'nonce-${nonce}' ${widgetOrigin}; style-src 'nonce-${nonce}'; frame-src ${widgetOrigin}; base-uri 'none'; frame-ancestors 'none'`;
        set.headers["cache-control"] = "no-store";
        const html = directoryDemoPage({ widgetOrigin, token, nonce, field: query.field ?? "LAW", locale: query.locale ?? "fr", book: query.book ?? "widget" });
        return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
      },
      {
        query: t.Object({
          field: t.Optional(t.String({ pattern: "^[A-Z_]{1,32}$" })),
          locale: t.Optional(t.Union([t.Literal("fr"), t.Literal("en")])),
          book: t.Optional(t.Union([t.Literal("widget"), t.Literal("event")])),
        }),
        detail: { hide: true },
      },
    );
}

/** localhost ↔ 127.0.0.1 on the same port: two origins of one server, so the demo embeds across origins. */
export function otherLoopbackOrigin(url: URL): string | null {
  const port = url.port ? `:${url.port}` : "";
  if (url.hostname === "localhost") return `${url.protocol}//127.0.0.1${port}`;
  if (url.hostname === "127.0.0.1") return `${url.protocol}//localhost${port}`;
  return null;
}

/** The demo's mentor picker: bookable mentors, the most free slots first (the first one is the default). */
async function bookableMentors(db: Database): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: studentProfiles.id, name: users.name })
    .from(studentProfiles)
    .innerJoin(users, eq(users.id, studentProfiles.userId))
    .where(and(eq(studentProfiles.isActive, true), eq(studentProfiles.isComplete, true)))
    .orderBy(desc(studentProfiles.freeSlots30d), studentProfiles.id)
    .limit(50);
}
