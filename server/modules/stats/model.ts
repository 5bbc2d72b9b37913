import { t } from "elysia";
import { academicFields } from "../../../db/schema/index.ts";
import { enumOf, limitParam, noOtherProperty, pageParam } from "../../lib/schema.ts";
import { AcademicFieldSchema, Profile } from "../students/model.ts";

const instant = (description: string) => t.Optional(t.String({ format: "date-time", description }));
const university = t.Optional(t.String({ minLength: 1, maxLength: 200, description: "Exact university name" }));

const rate = (what: string) => t.Number({ description: `${what} in percent, one decimal; 0 without sessions` });

export const StudentStats = t.Object({
  totalSessions: t.Integer(),
  completedSessions: t.Integer(),
  cancelledSessions: t.Integer(),
  completionRate: rate("completedSessions / totalSessions"),
  cancellationRate: rate("cancelledSessions / totalSessions"),
  averageRating: t.Nullable(t.Number({ description: "Mean of the visible ratings, one decimal" })),
  totalRatings: t.Integer(),
});
export type StudentStats = typeof StudentStats.static;

export const RangeFilters = {
  from: instant("Start of the range (inclusive, by session start time)"),
  to: instant("End of the range (exclusive)"),
  field: t.Optional(AcademicFieldSchema),
  university,
};

export const PlatformStatsQuery = t.Object(RangeFilters, { additionalProperties: noOtherProperty });
export type PlatformStatsQuery = typeof PlatformStatsQuery.static;

export const SessionsByField = t.Object(Object.fromEntries(academicFields.map((f) => [f, t.Integer()])) as Record<(typeof academicFields)[number], ReturnType<typeof t.Integer>>);

export const PlatformStats = t.Object({
  totalStudentMentors: t.Integer({ description: "Mentor profiles matching field/university" }),
  activeStudentMentors: t.Integer({ description: "Of those, active and complete (listed and bookable)" }),
  totalSessions: t.Integer(),
  completedSessions: t.Integer(),
  cancelledSessions: t.Integer(),
  averageCompletionRate: rate("Platform-wide completedSessions / totalSessions"),
  averageCancellationRate: rate("Platform-wide cancelledSessions / totalSessions"),
  averageRating: t.Nullable(t.Number({ description: "Mean of all visible ratings (submitted in the range when one is given), one decimal" })),
  sessionsByField: SessionsByField,
});
export type PlatformStats = typeof PlatformStats.static;

export const Granularity = enumOf(["day", "week", "month"]);
export type Granularity = "day" | "week" | "month";

export const TrendsQuery = t.Object(
  {
    ...RangeFilters,
    from: instant("Start of the range; default: the start of the period 29 days / 11 weeks / 11 months before the current one"),
    to: instant("End of the range (exclusive); default: the end of the current period"),
    granularity: t.Optional(Granularity),
    timeZone: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "IANA zone the periods are cut in (default Europe/Paris)" })),
  },
  { additionalProperties: noOtherProperty },
);
export type TrendsQuery = typeof TrendsQuery.static;

export const TrendPoint = t.Object({
  period: t.String({ description: "2026-11-02 (day), 2026-W45 (ISO week, Monday start) or 2026-11 (month)", examples: ["2026-W45"] }),
  start: t.String({ format: "date-time", description: "The period's local start, in UTC" }),
  total: t.Integer(),
  completed: t.Integer(),
  cancelled: t.Integer(),
});
export const Trends = t.Object({ granularity: Granularity, timeZone: t.String(), points: t.Array(TrendPoint) });
export type Trends = typeof Trends.static;

export const FieldsQuery = t.Object({ from: RangeFilters.from, to: RangeFilters.to, university }, { additionalProperties: noOtherProperty });
export type FieldsQuery = typeof FieldsQuery.static;
export const FieldDistribution = t.Object({
  fields: t.Array(
    t.Object({
      field: AcademicFieldSchema,
      sessions: t.Integer(),
      completed: t.Integer(),
      mentors: t.Integer({ description: "Active mentors of the field" }),
    }),
  ),
});
export type FieldDistribution = typeof FieldDistribution.static;

export const MentorSort = enumOf(["rating", "sessions", "completionRate", "cancellationRate", "name"]);
export const MentorListQuery = t.Object(
  {
    sort: t.Optional(MentorSort),
    order: t.Optional(enumOf(["asc", "desc"])),
    field: t.Optional(AcademicFieldSchema),
    university,
    q: t.Optional(t.String({ minLength: 1, maxLength: 200, description: "Part of the name or e-mail" })),
    active: t.Optional(t.Boolean()),
    page: pageParam,
    limit: limitParam,
  },
  { additionalProperties: noOtherProperty },
);
export type MentorListQuery = typeof MentorListQuery.static;

export const MentorRow = t.Object({
  id: t.String(),
  name: t.String(),
  email: t.String(),
  university: t.Nullable(t.String()),
  field: t.Nullable(AcademicFieldSchema),
  degree: t.Nullable(t.String()),
  year: t.Nullable(t.Integer()),
  isActive: t.Boolean(),
  totalSessions: t.Integer(),
  completedSessions: t.Integer(),
  cancelledSessions: t.Integer(),
  completionRate: t.Number(),
  cancellationRate: t.Number(),
  averageRating: t.Nullable(t.Number()),
  totalRatings: t.Integer(),
});
export type MentorRow = typeof MentorRow.static;
export const MentorList = t.Object({ items: t.Array(MentorRow), total: t.Integer(), page: t.Integer(), limit: t.Integer() });
export type MentorList = typeof MentorList.static;

export const MentorDetail = t.Object({
  profile: Profile,
  stats: StudentStats,
  ratings: t.Array(
    t.Object({
      id: t.String(),
      bookingId: t.Integer(),
      rating: t.Integer(),
      feedback: t.Nullable(t.String()),
      flagged: t.Boolean(),
      review: enumOf(["pending", "kept", "hidden"]),
      createdAt: t.String({ format: "date-time" }),
    }),
  ),
  upcomingSessions: t.Array(t.Object({ id: t.Integer(), startTime: t.String({ format: "date-time" }), prospectiveName: t.String(), status: t.String() })),
});
export type MentorDetail = typeof MentorDetail.static;

export const ExportQuery = t.Object(RangeFilters, { additionalProperties: noOtherProperty });
export type ExportQuery = typeof ExportQuery.static;
