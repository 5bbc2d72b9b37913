import { Buffer } from "node:buffer";
import { Elysia } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { EmailDetail, EmailIdParams, EmailList, EmailListQuery } from "./model.ts";
import type { NotificationService } from "./service.ts";
import { brand, logoPngBase64 } from "./templates/brand.ts";

const tags = ["Notifications"];

/**
 * The admin mailbox (every e-mail the platform wrote, whichever provider carried it) and the logo the e-mails show.
 */
export function notificationsModule(deps: { auth: AuthPlugin; notifications: NotificationService }) {
  const { notifications } = deps;
  const logo = Buffer.from(logoPngBase64, "base64");
  const mailbox = new Elysia({ prefix: "/api/v2/admin/emails" })
    .use(deps.auth)
    .get("/", async ({ query }) => ok(await notifications.list({ ...query, page: query.page ?? 1, limit: query.limit ?? 20 })), {
      auth: ["admin"],
      query: EmailListQuery,
      response: { 200: success(EmailList), ...errors(400, 403) },
      detail: {
        tags,
        summary: "List e-mails",
        description:
          "Every e-mail the platform wrote, newest first: with the embedded provider this is the mailbox itself (nothing leaves the machine); with Resend, the delivery record. Filters: status, bookingId, to (part of the address). Admin only.",
      },
    })
    .get("/:id", async ({ params }) => ok(await notifications.get(params.id)), {
      auth: ["admin"],
      params: EmailIdParams,
      response: { 200: success(EmailDetail), ...errors(403, 404) },
      detail: { tags, summary: "Read one e-mail", description: "Subject, HTML and text bodies, attachment names and delivery state. Admin only." },
    });
  return new Elysia()
    .get(
      brand.logoPath,
      () =>
        new Response(new Uint8Array(logo), {
          headers: {
            "content-type": "image/png",
            "cache-control": "public, max-age=86400",
            // Mail clients load it from their own origins.
            "cross-origin-resource-policy": "cross-origin",
          },
        }),
      { detail: { hide: true } },
    )
    .use(mailbox);
}
