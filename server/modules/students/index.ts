import { Elysia, t } from "elysia";
import { errors, ok, success } from "../../lib/envelope.ts";
import { AppError, ErrorCode, forbidden } from "../../lib/errors.ts";
import type { MediaStorage } from "../../lib/media-storage.ts";
import type { AuthPlugin, Principal } from "../../plugins/auth.ts";
import {
  ByFieldParams,
  ByFieldQuery,
  CreateProfileBody,
  Profile,
  ProfileIdParams,
  ProfileList,
  SearchQuery,
  StatusBody,
  UpdateProfileBody,
  UserIdParams,
} from "./model.ts";
import { normalizePhoto } from "./photo.ts";
import { assertMayWriteFields } from "./field-access.ts";
import type { ProfileService } from "./service.ts";
import { type ResponseSet, textResponse } from "../../plugins/compression.ts";
import { pathAndQueryOf } from "../../lib/url.ts";

const tags = ["Students"];

/**
 * Already-serialised success envelopes (cached listings) go out as they are (compressed once per stored text), with
 * the headers the hooks gathered in `set` (Elysia then sends the answer without rebuilding it).
 */
const jsonResponse = (request: Request, set: ResponseSet, json: string) => textResponse(request, json, true, set);
const everyone = ["admin", "integrator", "mentor", "widget"] as const;

/** Mentors may only touch their own profile; admins and integrators manage all of them. */
function assertOwnProfile(principal: Principal, profileId: string) {
  if (principal.role === "mentor" && principal.studentProfileId !== profileId) throw forbidden("Mentors may only change their own profile");
}

/** Listing routes whose cached answers may be served before routing (GET, any role). */
const listingPrefixes = ["/api/v2/students/by-field/", "/api/v2/students/search"];

export function studentsModule(deps: {
  auth: AuthPlugin;
  /** The request's verified principal (the app's auth gate has already checked the token). */
  principalOf: (request: Request) => Promise<Principal>;
  /** Logs a request answered before routing (Elysia's afterResponse hooks do not see those). */
  logRequest: (request: Request, path: string, status: number) => void;
  profiles: ProfileService;
  media: MediaStorage;
  maxUploadBytes: number;
}) {
  const { profiles, media, maxUploadBytes } = deps;
  // "5 MB", or "2 KB" for small limits (whole megabytes would print "0 MB").
  const uploadLimit =
    maxUploadBytes >= 1024 * 1024 ? `${Number((maxUploadBytes / 1024 / 1024).toFixed(1))} MB` : `${Math.floor(maxUploadBytes / 1024)} KB`;
  return new Elysia({ prefix: "/api/v2/students" })
    .use(deps.auth)
    // Cached listing pages are answered here, after the rate limit and the auth gate but before routing and
    // validation: every role may list, and only URLs that passed validation were ever cached.
    .onRequest(async ({ request, set }) => {
      if (request.method !== "GET") return;
      const pathAndQuery = pathAndQueryOf(request.url);
      if (!listingPrefixes.some((p) => pathAndQuery.startsWith(p))) return;
      const principal = await deps.principalOf(request).catch(() => null);
      if (!principal) return;
      const json = await profiles.cachedListing(pathAndQuery);
      if (json === null) return;
      deps.logRequest(request, pathAndQuery.split("?")[0] ?? pathAndQuery, 200);
      return jsonResponse(request, set, json);
    })
    .get("/by-field/:field", async ({ params, query, request, set }) =>
      jsonResponse(
        request,
        set,
        await profiles.listProfilesJson(
          { ...query, field: params.field, page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
          pathAndQueryOf(request.url),
        ),
      ), {
      auth: everyone,
      params: ByFieldParams,
      query: ByFieldQuery,
      response: { 200: success(ProfileList), ...errors(400, 403) },
      detail: {
        tags,
        summary: "List mentors of an academic field",
        description:
          "Active, complete profiles of the field, best rated first (or most free slots first with sort=availability). university, minRating and hasAvailability combine with AND.",
      },
    })
    .get("/search", async ({ query, request, set }) =>
        jsonResponse(request, set, await profiles.listProfilesJson({ ...query, page: query.page ?? 1, pageSize: query.pageSize ?? 20 }, pathAndQueryOf(request.url))), {
      auth: everyone,
      query: SearchQuery,
      response: { 200: success(ProfileList), ...errors(400, 403) },
      detail: {
        tags,
        summary: "Search mentors",
        description:
          "Field, university (exact), minimum rating and hasAvailability, combined with AND; active, complete profiles only; sort=rating|availability.",
      },
    })
    .get("/:id", async ({ params }) => ok(await profiles.getProfile(params.id)), {
      auth: everyone,
      params: ProfileIdParams,
      response: { 200: success(Profile), ...errors(403, 404) },
      detail: { tags, summary: "Get a mentor profile with its statistics" },
    })
    .post(
      "/:id/profile",
      async ({ params, body, principal, set }) => {
        if (principal.role === "mentor" && principal.userId !== params.id) throw forbidden("Mentors may only create their own profile");
        assertMayWriteFields(principal, Object.keys(body));
        const profile = await profiles.createProfile(params.id, body);
        set.status = 201;
        set.headers.location = `/api/v2/students/${profile.id}`;
        return ok(profile);
      },
      {
        auth: ["admin", "integrator", "mentor"],
        params: UserIdParams,
        body: CreateProfileBody,
        response: { 201: success(Profile), ...errors(400, 403, 404, 409) },
        detail: {
          tags,
          summary: "Create the mentor profile of user :id",
          description: "Here :id is the mentor's user id (POST /api/v2/users creates the user); the new profile's id is returned.",
        },
      },
    )
    .put(
      "/:id/profile",
      async ({ params, body, principal }) => {
        assertOwnProfile(principal, params.id);
        assertMayWriteFields(principal, Object.keys(body));
        return ok(await profiles.updateProfile(params.id, body));
      },
      {
        auth: ["admin", "integrator", "mentor"],
        params: ProfileIdParams,
        body: UpdateProfileBody,
        response: { 200: success(Profile), ...errors(400, 403, 404) },
        detail: {
          tags,
          summary: "Update a mentor profile",
          description: "Only the fields sent change. isActive may be set by an admin or the mentor only (403 for integrators), as with PATCH /status.",
        },
      },
    )
    .patch(
      "/:id/status",
      async ({ params, body, principal }) => {
        assertOwnProfile(principal, params.id);
        assertMayWriteFields(principal, ["isActive"]);
        return ok(await profiles.setStatus(params.id, body.isActive));
      },
      {
        auth: ["admin", "mentor"],
        params: ProfileIdParams,
        body: StatusBody,
        response: { 200: success(Profile), ...errors(400, 403, 404) },
        detail: { tags, summary: "Activate or deactivate a profile", description: "Inactive profiles are neither listed nor bookable." },
      },
    )
    .post(
      "/:id/photo",
      async ({ params, body, principal }) => {
        assertOwnProfile(principal, params.id);
        assertMayWriteFields(principal, ["profilePhotoUrl"]);
        const file = body.photo;
        if (file.size > maxUploadBytes) {
          throw new AppError(413, ErrorCode.PAYLOAD_TOO_LARGE, `The photo is larger than ${uploadLimit}`);
        }
        await profiles.getProfile(params.id);
        const image = await normalizePhoto(new Uint8Array(await file.arrayBuffer()));
        const path = await media.put(`photos/${params.id}-${crypto.randomUUID().slice(0, 8)}.webp`, image);
        const { profile, previous } = await profiles.setPhoto(params.id, path);
        if (previous && previous !== path) await media.remove(previous);
        return ok(profile);
      },
      {
        auth: ["admin", "integrator", "mentor"],
        params: ProfileIdParams,
        parse: "multipart/form-data",
        body: t.Object({ photo: t.File({ description: "JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF" }) }, { errorCode: "INVALID_IMAGE" }),
        response: { 200: success(Profile), ...errors(400, 403, 404, 413) },
        detail: {
          tags,
          summary: "Upload a profile photo",
          description: "multipart/form-data with a `photo` file; stored as a 400x400 centre-cropped WebP served from /media.",
        },
      },
    );
}
