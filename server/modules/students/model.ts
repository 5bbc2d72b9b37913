import { t } from "elysia";
import { characters, enumOf, noOtherProperty } from "../../lib/schema.ts";
import { academicFields } from "../../../db/schema/index.ts";

const profileCode = { errorCode: "INVALID_PROFILE_DATA" };

/**
 * Elysia's UnionEnum gives itself `default: <first value>`, and input normalization applies defaults: a body or query
 * without `field` would silently become LAW (a PUT of `{ bio }` rewriting the field, a search without a field filter
 * listing LAW only). The field has no default, so drop it.
 */
/** No default: a body or query without `field` must not silently become LAW (see enumOf). */
export const AcademicFieldSchema = enumOf(academicFields, { description: "Academic field", examples: ["LAW"] });



const university = t.String({
  minLength: 1,
  pattern: characters(1, 200, { notBlank: true }),
  description: "1 to 200 characters, not blank; surrounding spaces are trimmed",
  examples: ["Université Paris 1 Panthéon-Sorbonne"],
});
const degree = t.String({
  minLength: 1,
  pattern: characters(1, 200, { notBlank: true }),
  description: "1 to 200 characters, not blank; surrounding spaces are trimmed",
  examples: ["Master en Droit des Affaires"],
});
const currentYear = t.Integer({ minimum: 1, maximum: 10, examples: [2] });
const bio = t.String({
  minLength: 50,
  pattern: characters(50, 1000),
  description: "50 to 1000 characters (Unicode code points)",
  examples: ["Passionnée par le droit des affaires et le droit européen. J'ai effectué un stage chez un avocat d'affaires."],
});
// A host is required: "https://" alone is not a URL.
const httpsUrl = t.String({
  format: "uri",
  pattern: "^https://[^\\s/?#@]+([/?#][^\\s\\u0000]*)?$",
  maxLength: 2048,
  examples: ["https://cdn.thotis.fr/profiles/marie.jpg"],
});
const linkedInUrl = t.String({
  pattern: "^https://([a-z]{2,3}\\.)?linkedin\\.com/[^\\s\\u0000]+$",
  maxLength: 2048,
  examples: ["https://www.linkedin.com/in/marie-dubois"],
});



export const CreateProfileBody = t.Object(
  {
    university,
    degree,
    field: AcademicFieldSchema,
    currentYear,
    bio,
    profilePhotoUrl: t.Optional(t.Nullable(httpsUrl)),
    linkedInUrl: t.Optional(t.Nullable(linkedInUrl)),
  },
  { ...profileCode, additionalProperties: noOtherProperty },
);

export const UpdateProfileBody = t.Object(
  {
    university: t.Optional(university),
    degree: t.Optional(degree),
    field: t.Optional(AcademicFieldSchema),
    currentYear: t.Optional(currentYear),
    bio: t.Optional(bio),
    profilePhotoUrl: t.Optional(t.Nullable(httpsUrl)),
    linkedInUrl: t.Optional(t.Nullable(linkedInUrl)),
    isActive: t.Optional(t.Boolean()),
  },
  { ...profileCode, additionalProperties: noOtherProperty, minProperties: 1 },
);

export const StatusBody = t.Object({ isActive: t.Boolean() }, { ...profileCode, additionalProperties: noOtherProperty });

export const ProfileIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64, examples: ["c0123456789abcdefghijklmn"] }) });
export const UserIdParams = t.Object({ id: t.Integer({ minimum: 1, description: "User id of the mentor", examples: [42] }) });

export const Profile = t.Object({
  id: t.String(),
  userId: t.Integer(),
  name: t.String(),
  university: t.Nullable(t.String()),
  degree: t.Nullable(t.String()),
  field: t.Nullable(AcademicFieldSchema),
  currentYear: t.Nullable(t.Integer()),
  bio: t.Nullable(t.String()),
  profilePhotoUrl: t.Nullable(t.String()),
  linkedInUrl: t.Nullable(t.String()),
  timeZone: t.String({ examples: ["Europe/Paris"] }),
  isActive: t.Boolean(),
  isComplete: t.Boolean({ description: "All required fields are present; only complete, active profiles are listed or bookable" }),
  totalSessions: t.Integer(),
  completedSessions: t.Integer(),
  cancelledSessions: t.Integer(),
  averageRating: t.Nullable(t.Number({ description: "Mean rating rounded to one decimal, null without ratings" })),
  totalRatings: t.Integer(),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
});
export type Profile = typeof Profile.static;

export const ProfileSummary = t.Object({
  id: t.String(),
  userId: t.Integer(),
  name: t.String(),
  university: t.String(),
  degree: t.String(),
  field: AcademicFieldSchema,
  currentYear: t.Integer(),
  bioExcerpt: t.String({ description: "The first 150 characters (Unicode code points) of the bio" }),
  profilePhotoUrl: t.Nullable(t.String()),
  averageRating: t.Nullable(t.Number()),
  totalRatings: t.Integer(),
  hasAvailability: t.Boolean({ description: "At least one free slot in the next 7 days" }),
  freeSlotCount: t.Integer({ description: "Free 15-minute slots in the next 30 days" }),
  nextFreeSlotAt: t.Nullable(t.String({ format: "date-time", description: "Start of the first free slot (the directory embed's 'next free slot')" })),
});
export type ProfileSummary = typeof ProfileSummary.static;

export const ProfileList = t.Object({
  profiles: t.Array(ProfileSummary),
  total: t.Integer({ description: "Number of profiles matching the filters, all pages together" }),
  page: t.Integer(),
  pageSize: t.Integer(),
});
export type ProfileList = typeof ProfileList.static;

const listQueryFields = {
  page: t.Optional(t.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  pageSize: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20 })),
  university: t.Optional(t.String({ minLength: 1, maxLength: 200, description: "Exact university name" })),
  minRating: t.Optional(t.Number({ minimum: 1, maximum: 5, description: "Minimum average rating, as shown (one decimal)" })),
  hasAvailability: t.Optional(t.Boolean({ description: "Only mentors with at least one free slot in the next 7 days" })),
  sort: t.Optional(
    enumOf(["rating", "availability"], {
      description: "rating (default): best rated first; availability: most free slots in the next 30 days first",
    }),
  ),
};
export const ByFieldParams = t.Object({ field: AcademicFieldSchema });
export const ByFieldQuery = t.Object(listQueryFields, { additionalProperties: noOtherProperty });
export const SearchQuery = t.Object({ field: t.Optional(AcademicFieldSchema), ...listQueryFields }, { additionalProperties: noOtherProperty });

export interface ListFilters {
  field?: (typeof academicFields)[number];
  university?: string;
  minRating?: number;
  hasAvailability?: boolean;
  sort?: "rating" | "availability";
  page: number;
  pageSize: number;
}
