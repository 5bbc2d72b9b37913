import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import type { AuthPlugin } from "../../plugins/auth.ts";
import { ProfileIdParams } from "../students/model.ts";
import { EXPORTS, type ExportKind, exportCsv } from "./csv-export.ts";
import {
  ExportQuery,
  FieldDistribution,
  FieldsQuery,
  MentorDetail,
  MentorList,
  MentorListQuery,
  PlatformStats,
  PlatformStatsQuery,
  StudentStats,
  Trends,
  TrendsQuery,
} from "./model.ts";
import type { StatsService } from "./service.ts";

const tags = ["Statistics"];
const adminTags = ["Admin"];
const everyone = ["admin", "integrator", "mentor", "widget"] as const;
/** Cached answers are already the serialised success envelope. */
const jsonResponse = (json: string) => new Response(json, { headers: { "content-type": "application/json; charset=utf-8" } });

export function statsModule(deps: { auth: AuthPlugin; stats: StatsService; db: Database; clock: Clock; logger: Logger }) {
  const { stats } = deps;
  const app = new Elysia()
    .use(deps.auth)
    .get("/api/v2/students/:id/stats", async ({ params }) => ok(await stats.studentStats(params.id)), {
      auth: everyone,
      params: ProfileIdParams,
      response: { 200: success(StudentStats), ...errors(403, 404) },
      detail: { tags, summary: "A mentor's session statistics", description: "Rates in percent with one decimal (Property 18); 0 without sessions." },
    })
    .get("/api/v2/platform/stats", async ({ query }) => jsonResponse(await stats.platformStatsJson(query)), {
      auth: ["admin", "integrator"],
      query: PlatformStatsQuery,
      response: { 200: success(PlatformStats), ...errors(400, 403) },
      detail: {
        tags,
        summary: "Platform totals",
        description:
          "Without from/to: all time, the sums of the mentors' counters (Property 43). With a range: the bookings starting in it. " +
          "Cached 60 s (rating changes refresh at once; bookings may take up to a minute to show).",
      },
    })
    .get("/api/v2/admin/stats/trends", async ({ query }) => jsonResponse(await stats.trendsJson(query)), {
      auth: ["admin"],
      query: TrendsQuery,
      response: { 200: success(Trends), ...errors(400, 403) },
      detail: {
        tags: adminTags,
        summary: "Sessions per day, ISO week or month",
        description: "Periods cut in timeZone (default Europe/Paris; weeks start on Monday); empty periods are zeros (Property 44). At most 1000 periods.",
      },
    })
    .get("/api/v2/admin/stats/fields", async ({ query }) => jsonResponse(await stats.fieldsJson(query)), {
      auth: ["admin"],
      query: FieldsQuery,
      response: { 200: success(FieldDistribution), ...errors(400, 403) },
      detail: { tags: adminTags, summary: "Sessions and mentors per academic field" },
    })
    .get("/api/v2/admin/mentors", async ({ query }) => ok(await stats.listMentors({ ...query, page: query.page ?? 1, limit: query.limit ?? 20 })), {
      auth: ["admin"],
      query: MentorListQuery,
      response: { 200: success(MentorList), ...errors(400, 403) },
      detail: {
        tags: adminTags,
        summary: "Mentors with their statistics",
        description: "Sortable by rating, sessions, completionRate, cancellationRate or name (Property 45). Activation: PATCH /api/v2/students/:id/status.",
      },
    })
    .get("/api/v2/admin/mentors/:id", async ({ params }) => ok(await stats.mentorDetail(params.id)), {
      auth: ["admin"],
      params: ProfileIdParams,
      response: { 200: success(MentorDetail), ...errors(403, 404) },
      detail: { tags: adminTags, summary: "One mentor: profile, statistics, latest ratings (hidden included), upcoming sessions" },
    });

  return app.get(
    "/api/v2/admin/export/:file",
    ({ params, query }) => {
      const kind = params.file.replace(/\.csv$/, "") as ExportKind;
      const day = deps.clock.now().toISOString().slice(0, 10);
      return new Response(exportCsv(deps.db, kind, query, { logger: deps.logger }), {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="thotis-${kind}-${day}.csv"`,
          "cache-control": "no-store",
        },
      });
    },
    {
      auth: ["admin"],
      params: t.Object({ file: t.UnionEnum(EXPORTS.map((e) => `${e}.csv`) as ["mentors.csv", "sessions.csv", "ratings.csv"]) }),
      query: ExportQuery,
      response: { 200: t.String({ description: "text/csv; charset=utf-8 (RFC 4180, UTF-8 with BOM, header row)" }), ...errors(400, 403) },
      detail: {
        tags: adminTags,
        summary: "CSV export of mentors, sessions or ratings",
        description:
          "Streamed in keyset pages. RFC 4180 with CRLF, a header row, UTF-8 with a byte order mark (for Excel); text cells starting with " +
          "= + - @, tab or CR are prefixed with ' (formula injection, Property 46). from/to filter sessions and ratings by session start.",
      },
    },
  );
}
