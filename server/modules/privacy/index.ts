import { eq } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import { bookings } from "../../../db/schema/index.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError, ErrorCode, notFound } from "../../lib/errors.ts";
import type { AuthPlugin, Principal } from "../../plugins/auth.ts";
import type { AuditActor } from "../audit/service.ts";
import type { ManageTokens } from "../bookings/manage-token.ts";
import { confirmationEmail, erasurePage, maskAddress } from "./pages.ts";
import {
  DownloadQuery,
  ErasureReceipt,
  ErasureRequested,
  MentorErasure,
  MentorExport,
  MentorIdParams,
  ReasonBody,
  SubjectExport,
  SubjectQuery,
} from "./model.ts";
import { isErasedAddress } from "./scrub.ts";
import type { PrivacyService } from "./service.ts";
import { ERASURE_LINK_TTL_MS, type ErasureTokens } from "./tokens.ts";

const tags = ["Privacy"];

export interface PrivacyRouteDeps {
  auth: AuthPlugin;
  db: Database;
  privacy: PrivacyService;
  manageTokens: ManageTokens;
  erasureTokens: ErasureTokens;
  clientIp: (request: Request) => string | undefined;
  publicUrl: string;
  clockNow: () => Date;
  /** Sends the erasure confirmation (the notification service's direct send). */
  sendMail: (m: { dedupeKey: string; kind: string; to: { audience: "student"; name: string; email: string; locale: "fr" | "en"; timeZone: string }; subject: string; html: string; text: string }) => Promise<void>;
}

/** The data as a file to keep (Art. 20: portable, machine-readable JSON). */
const asFile = (data: unknown, name: string): never =>
  new Response(JSON.stringify(data, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  }) as never;

export function privacyModule(deps: PrivacyRouteDeps) {
  const { privacy } = deps;
  const adminActor = (principal: Principal, request: Request): AuditActor => ({
    actor: `${principal.role}:${principal.sub}`,
    role: principal.role,
    ip: deps.clientIp(request) ?? null,
  });
  const day = () => deps.clockNow().toISOString().slice(0, 10);

  /** The booking a manage token opens, and the address it was booked with. */
  const manageSubject = async (authorization: string | undefined) => {
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const bookingId = token ? await deps.manageTokens.verify(token) : null;
    if (bookingId === null) throw new AppError(403, ErrorCode.INSUFFICIENT_PERMISSIONS, "This route needs the manage link of a booking");
    const [row] = await deps.db
      .select({ email: bookings.prospectiveEmail, name: bookings.prospectiveName, locale: bookings.prospectiveLocale, timeZone: bookings.prospectiveTimeZone })
      .from(bookings)
      .where(eq(bookings.id, bookingId));
    if (!row || isErasedAddress(row.email)) throw notFound(ErrorCode.NOT_FOUND, "Nothing is held about this booking's participant any more");
    return { bookingId, ...row };
  };
  const selfActor = (request: Request, bookingId: number): AuditActor => ({
    actor: `prospective-student:booking:${bookingId}`,
    role: "manage",
    ip: deps.clientIp(request) ?? null,
  });

  const admin = new Elysia({ prefix: "/api/v2/admin/privacy" })
    .use(deps.auth)
    .get(
      "/subjects",
      async ({ query, principal, request }) => {
        const data = await privacy.exportSubject(query.email);
        await privacy.recordRead("privacy.export", "subject", data.email, adminActor(principal, request));
        return query.download ? asFile(data, `thotis-personal-data-${day()}.json`) : ok(data);
      },
      {
        auth: ["admin"],
        query: SubjectQuery,
        response: { 200: success(SubjectExport), ...errors(400, 403) },
        detail: {
          tags,
          summary: "Export everything held about an e-mail address",
          description:
            "Right of access and portability (GDPR Art. 15 and 20): bookings with their history, ratings, e-mails (subjects and bodies), " +
            "analytics events, webhook deliveries and queued job payloads. download=true answers a JSON file. Recorded in the audit log. Admin only.",
        },
      },
    )
    .delete(
      "/subjects",
      async ({ query, body, principal, request }) => ok(await privacy.eraseSubject(query.email, body.reason, adminActor(principal, request))),
      {
        auth: ["admin"],
        query: t.Object({ email: SubjectQuery.properties.email }),
        body: ReasonBody,
        response: { 200: success(ErasureReceipt), ...errors(400, 403, 409) },
        detail: {
          tags,
          summary: "Erase a person's data",
          description:
            "Right to erasure (Art. 17). Future sessions are cancelled first through the normal cancellation (mentor notified, Google event " +
            "and Cal.com booking removed); then, in one transaction, names, addresses, questions and comments are replaced or deleted " +
            "everywhere, e-mails about the person deleted and payloads scrubbed. Sessions and ratings stay, anonymous, so statistics do not " +
            "move. 409 while a session starts within 2 hours or is under way, or when the address is a mentor's account. Idempotent: a " +
            "second call erases nothing more and says so. Admin only.",
        },
      },
    )
    .get(
      "/mentors/:id",
      async ({ params, query, principal, request }) => {
        const data = await privacy.exportMentor(params.id);
        await privacy.recordRead("privacy.export-mentor", `mentor:${params.id}`, data.account.email, adminActor(principal, request));
        return query.download ? asFile(data, `thotis-mentor-data-${day()}.json`) : ok(data);
      },
      {
        auth: ["admin"],
        params: MentorIdParams,
        query: DownloadQuery,
        response: { 200: success(MentorExport), ...errors(403, 404) },
        detail: { tags, summary: "Export a mentor's data", description: "Account, profile, schedule, sessions held, ratings received, e-mails. Admin only." },
      },
    )
    .delete(
      "/mentors/:id",
      async ({ params, body, principal, request }) => ok(await privacy.eraseMentor(params.id, body.reason, adminActor(principal, request))),
      {
        auth: ["admin"],
        params: MentorIdParams,
        body: ReasonBody,
        response: { 200: success(MentorErasure), ...errors(400, 403, 404, 409) },
        detail: {
          tags,
          summary: "Erase a deactivated mentor's personal data",
          description:
            "Name, address, bio, photo, LinkedIn, Google connection and e-mails go; the profile's sessions, ratings and counters stay, " +
            "anonymous, so statistics hold. 409 while the mentor is active. Idempotent. Admin only.",
        },
      },
    );

  // Self-service from the manage link in the prospective student's e-mails.
  const self = new Elysia({ prefix: "/api/v2/privacy/me" })
    .get(
      "/",
      async ({ headers, query, request }) => {
        const who = await manageSubject(headers.authorization);
        const data = await privacy.exportSubject(who.email);
        await privacy.recordRead("privacy.export", "subject", who.email, selfActor(request, who.bookingId));
        return query.download ? asFile(data, `thotis-my-data-${day()}.json`) : ok(data);
      },
      {
        headers: t.Object({ authorization: t.Optional(t.String()) }),
        query: DownloadQuery,
        response: { 200: success(SubjectExport), ...errors(403, 404) },
        detail: { tags, summary: "Download my data (manage link)", description: "Bearer: the booking's manage token from the e-mails. Everything held about the address it was booked with." },
      },
    )
    .post(
      "/erasure",
      async ({ headers, request, set }) => {
        const who = await manageSubject(headers.authorization);
        const token = await deps.erasureTokens.sign(who.email);
        const locale = who.locale === "en" ? "en" : "fr";
        const link = `${deps.publicUrl}/privacy/erase?token=${encodeURIComponent(token)}`;
        const mail = confirmationEmail(locale, who.name, link);
        await deps.sendMail({
          // One message per request and minute is plenty; a double click does not send two.
          dedupeKey: `privacy:erase:${who.bookingId}:${Math.floor(deps.clockNow().getTime() / 60_000)}`,
          kind: "privacy_erasure_confirm",
          to: { audience: "student", name: who.name, email: who.email, locale, timeZone: who.timeZone ?? "Europe/Paris" },
          ...mail,
        });
        await privacy.recordRead("privacy.erase-requested", "subject", who.email, selfActor(request, who.bookingId));
        set.status = 202;
        return ok({ sentTo: maskAddress(who.email), expiresInHours: ERASURE_LINK_TTL_MS / 3_600_000 });
      },
      {
        headers: t.Object({ authorization: t.Optional(t.String()) }),
        response: { 202: success(ErasureRequested), ...errors(403, 404) },
        detail: {
          tags,
          summary: "Ask to erase my data (manage link)",
          description: "Sends a confirmation link (valid 24 hours) to the booking's address; the erasure happens when it is confirmed on that page.",
        },
      },
    );

  // The confirmation page: GET only shows a button (mail scanners open links), the POST erases.
  const page = new Elysia()
    .get(
      "/privacy/erase",
      async ({ query, set }) => {
        const email = query.token ? await deps.erasureTokens.verify(query.token) : null;
        return erasurePage(set, email ? { step: "confirm", token: query.token! } : { step: "invalid" });
      },
      { query: t.Object({ token: t.Optional(t.String({ maxLength: 2000 })) }), detail: { hide: true } },
    )
    .post(
      "/privacy/erase",
      async ({ body, request, set }) => {
        const email = await deps.erasureTokens.verify(body.token);
        if (!email) return erasurePage(set, { step: "invalid" });
        try {
          const receipt = await privacy.eraseSubject(email, "Erasure requested and confirmed by the person", {
            actor: "prospective-student",
            role: "self",
            ip: deps.clientIp(request) ?? null,
          });
          return erasurePage(set, { step: "done", receipt });
        } catch (error) {
          if (error instanceof AppError && error.status === 409) return erasurePage(set, { step: "refused", message: error.message });
          throw error;
        }
      },
      { body: t.Object({ token: t.String({ minLength: 1, maxLength: 2000 }) }), detail: { hide: true } },
    );

  return new Elysia().use(admin).use(self).use(page);
}
