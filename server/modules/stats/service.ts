import { sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { type AcademicField, academicFields } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { badRequest, ErrorCode, notFound } from "../../lib/errors.ts";
import { sqlState } from "../../plugins/errors.ts";
import type { Cache } from "../../store/index.ts";
import type { ProfileService } from "../students/service.ts";
import type {
  FieldDistribution,
  FieldsQuery,
  Granularity,
  MentorDetail,
  MentorList,
  MentorListQuery,
  MentorRow,
  PlatformStats,
  PlatformStatsQuery,
  StudentStats,
  Trends,
  TrendsQuery,
} from "./model.ts";
import { filtersProfiles, isoOf, percent, profileFilter, roundOne, rows, startTimeFilter } from "./sql.ts";

/**
 * Aggregates are cached 60 s under the "stats" namespace. Rating changes bump it at once; booking changes do not (a
 * bump per booking would empty the cache at every booking at peak times), so platform numbers may lag bookings by up
 * to a minute, which a dashboard tolerates.
 */
export const STATS_NAMESPACE = "stats";
export const STATS_TTL_SECONDS = 60;
export const DEFAULT_TIME_ZONE = "Europe/Paris";
const MAX_PERIODS = 1000;

const periodSpec: Record<Granularity, { step: string; back: string; label: string }> = {
  day: { step: "1 day", back: "29 days", label: "YYYY-MM-DD" },
  week: { step: "1 week", back: "11 weeks", label: 'IYYY-"W"IW' },
  month: { step: "1 month", back: "11 months", label: "YYYY-MM" },
};

export type StatsService = ReturnType<typeof createStatsService>;

/** An IANA zone Intl knows (Postgres is asked too: a zone it lacks is refused with the same 400). */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw badRequest(ErrorCode.INVALID_INPUT, `timeZone: unknown IANA time zone "${timeZone}"`);
  }
}

function assertRange(from?: string, to?: string) {
  if (from && to && Date.parse(from) >= Date.parse(to)) throw badRequest(ErrorCode.INVALID_INPUT, "from must be before to");
}

const toInt = (v: unknown) => Number(v ?? 0);

export function createStatsService(deps: { db: Database; clock: Clock; cache: Cache; profiles: ProfileService }) {
  const { db, clock, cache } = deps;
  // Zones already checked: building an Intl.DateTimeFormat costs more than answering a cached trend.
  const knownZones = new Set<string>();
  const checkZone = (timeZone: string) => {
    if (knownZones.has(timeZone)) return;
    assertTimeZone(timeZone);
    if (knownZones.size < 1000) knownZones.add(timeZone);
  };

  // Misses of one key in flight in this process: a dashboard opened by several admins at once (or a load test)
  // runs each heavy aggregate once instead of once per request.
  const inFlight = new Map<string, Promise<string>>();

  /** The success envelope's JSON text, cached under the query's own key. */
  async function cachedJson<T>(key: string, load: () => Promise<T>): Promise<string> {
    const versioned = await cache.versioned(STATS_NAMESPACE, key);
    const running = inFlight.get(versioned);
    if (running) return running;
    const pending = cache
      .getOrLoadJson(versioned, STATS_TTL_SECONDS, async () => ({ status: "success", data: await load() }))
      .then((r) => r.json)
      .finally(() => inFlight.delete(versioned));
    inFlight.set(versioned, pending);
    return pending;
  }

  function toStats(r: { total: number; completed: number; cancelled: number; averageRating: number | null; totalRatings: number }): StudentStats {
    return {
      totalSessions: r.total,
      completedSessions: r.completed,
      cancelledSessions: r.cancelled,
      completionRate: percent(r.completed, r.total),
      cancellationRate: percent(r.cancelled, r.total),
      averageRating: roundOne(r.averageRating),
      totalRatings: r.totalRatings,
    };
  }

  async function studentStats(id: string): Promise<StudentStats> {
    const [row] = await rows<Record<string, unknown>>(
      db,
      sql`select total_sessions, completed_sessions, cancelled_sessions, average_rating::float8 as average_rating, total_ratings
            from student_profiles where id = ${id}`,
    );
    if (!row) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${id} not found`);
    return toStats({
      total: toInt(row.total_sessions),
      completed: toInt(row.completed_sessions),
      cancelled: toInt(row.cancelled_sessions),
      averageRating: row.average_rating === null ? null : Number(row.average_rating),
      totalRatings: toInt(row.total_ratings),
    });
  }

  async function loadPlatformStats(q: PlatformStatsQuery): Promise<PlatformStats> {
    const filter = profileFilter(q);
    const ranged = Boolean(q.from || q.to);
    // Three independent statements, side by side on the pool.
    const [[mentors], byField, [rating]] = await Promise.all([
      rows<Record<string, unknown>>(
        db,
        sql`select count(*)::int as total, (count(*) filter (where p.is_active and p.is_complete))::int as active
              from student_profiles p where ${filter}`,
      ),
      // All time: the per-mentor counters (Property 43: the totals are their sums). A range: the bookings themselves,
      // counted per mentor first, then joined (one join per mentor instead of one per booking).
      ranged
        ? rows<Record<string, unknown>>(
            db,
            sql`select p.field, sum(c.total)::int as total, sum(c.completed)::int as completed, sum(c.cancelled)::int as cancelled
                  from (select b.student_profile_id, count(*) as total,
                               count(*) filter (where b.status = 'COMPLETED') as completed,
                               count(*) filter (where b.status = 'CANCELLED') as cancelled
                          from bookings b where ${startTimeFilter(q)} group by b.student_profile_id) c
                  join student_profiles p on p.id = c.student_profile_id
                 where ${filter}
                 group by p.field`,
          )
        : rows<Record<string, unknown>>(
            db,
            sql`select p.field, sum(p.total_sessions)::int as total, sum(p.completed_sessions)::int as completed,
                       sum(p.cancelled_sessions)::int as cancelled
                  from student_profiles p where ${filter} group by p.field`,
          ),
      rows<Record<string, unknown>>(
        db,
        sql`select round(avg(r.rating)::numeric, 1)::float8 as mean
              from session_ratings r
             where r.review <> 'hidden'
               ${filtersProfiles(q) ? sql`and r.student_profile_id in (select p.id from student_profiles p where ${filter})` : sql``}
               ${q.from ? sql`and r.created_at >= ${q.from}::timestamptz` : sql``}
               ${q.to ? sql`and r.created_at < ${q.to}::timestamptz` : sql``}`,
      ),
    ]);
    const sessionsByField = Object.fromEntries(academicFields.map((f) => [f, 0])) as Record<AcademicField, number>;
    let total = 0;
    let completed = 0;
    let cancelled = 0;
    for (const r of byField) {
      total += toInt(r.total);
      completed += toInt(r.completed);
      cancelled += toInt(r.cancelled);
      if (r.field) sessionsByField[r.field as AcademicField] += toInt(r.total);
    }
    return {
      totalStudentMentors: toInt(mentors?.total),
      activeStudentMentors: toInt(mentors?.active),
      totalSessions: total,
      completedSessions: completed,
      cancelledSessions: cancelled,
      averageCompletionRate: percent(completed, total),
      averageCancellationRate: percent(cancelled, total),
      averageRating: rating?.mean === null || rating?.mean === undefined ? null : Number(rating.mean),
      sessionsByField,
    };
  }

  async function loadTrends(q: TrendsQuery, granularity: Granularity, timeZone: string, now: Date): Promise<Trends> {
    const spec = periodSpec[granularity];
    const unit = granularity;
    const filter = profileFilter(q);
    // Periods are cut on local wall time (date_trunc on start_time AT TIME ZONE tz; weeks start on Monday) and the
    // series of periods is generated the same way, so empty periods come back as zeros.
    const query = sql`
      with upper_bound as (
        select coalesce(${q.to ?? null}::timestamptz,
                        (date_trunc(${unit}, ${now.toISOString()}::timestamptz at time zone ${timeZone}) + ${spec.step}::interval) at time zone ${timeZone}) as t
      ), bounds as (
        select coalesce(${q.from ?? null}::timestamptz,
                        (date_trunc(${unit}, (t - interval '1 microsecond') at time zone ${timeZone}) - ${spec.back}::interval) at time zone ${timeZone}) as f, t
          from upper_bound
      ), periods as (
        select g as local_start
          from bounds, generate_series(date_trunc(${unit}, f at time zone ${timeZone}),
                                       date_trunc(${unit}, (t - interval '1 microsecond') at time zone ${timeZone}),
                                       ${spec.step}::interval) g
         limit ${MAX_PERIODS + 1}
      ), counts as (
        select date_trunc(${unit}, b.start_time at time zone ${timeZone}) as local_start,
               count(*)::int as total,
               (count(*) filter (where b.status = 'COMPLETED'))::int as completed,
               (count(*) filter (where b.status = 'CANCELLED'))::int as cancelled
          from bookings b, bounds
         where b.start_time >= bounds.f and b.start_time < bounds.t
           ${filtersProfiles(q) ? sql`and b.student_profile_id in (select p.id from student_profiles p where ${filter})` : sql``}
         group by 1
      )
      select to_char(periods.local_start, ${spec.label}) as period,
             ${isoOf(sql`(periods.local_start at time zone ${timeZone})`)} as start,
             coalesce(c.total, 0)::int as total, coalesce(c.completed, 0)::int as completed, coalesce(c.cancelled, 0)::int as cancelled
        from periods left join counts c on c.local_start = periods.local_start
       order by periods.local_start`;
    const points = await rows<Record<string, unknown>>(db, query).catch((error) => {
      if (sqlState(error) === "22023") throw badRequest(ErrorCode.INVALID_INPUT, `timeZone: unknown time zone "${timeZone}"`);
      throw error;
    });
    if (points.length > MAX_PERIODS) {
      throw badRequest(ErrorCode.INVALID_INPUT, `The range holds more than ${MAX_PERIODS} periods; choose a coarser granularity or a shorter range`);
    }
    return {
      granularity,
      timeZone,
      points: points.map((p) => ({
        period: String(p.period),
        start: String(p.start),
        total: toInt(p.total),
        completed: toInt(p.completed),
        cancelled: toInt(p.cancelled),
      })),
    };
  }

  async function loadFields(q: FieldsQuery): Promise<FieldDistribution> {
    const filter = profileFilter({ university: q.university });
    const ranged = Boolean(q.from || q.to);
    const [sessions, mentors] = await Promise.all([
      ranged
        ? rows<Record<string, unknown>>(
            db,
            sql`select p.field, sum(c.sessions)::int as sessions, sum(c.completed)::int as completed
                  from (select b.student_profile_id, count(*) as sessions, count(*) filter (where b.status = 'COMPLETED') as completed
                          from bookings b where ${startTimeFilter(q)} group by b.student_profile_id) c
                  join student_profiles p on p.id = c.student_profile_id
                 where p.field is not null and ${filter} group by p.field`,
          )
        : rows<Record<string, unknown>>(
            db,
            sql`select p.field, sum(p.total_sessions)::int as sessions, sum(p.completed_sessions)::int as completed
                  from student_profiles p where p.field is not null and ${filter} group by p.field`,
          ),
      rows<Record<string, unknown>>(
        db,
        sql`select p.field, count(*)::int as mentors from student_profiles p
             where p.field is not null and p.is_active and ${filter} group by p.field`,
      ),
    ]);
    const bySessions = new Map(sessions.map((r) => [r.field as AcademicField, r]));
    const byMentors = new Map(mentors.map((r) => [r.field as AcademicField, toInt(r.mentors)]));
    return {
      fields: academicFields.map((field) => ({
        field,
        sessions: toInt(bySessions.get(field)?.sessions),
        completed: toInt(bySessions.get(field)?.completed),
        mentors: byMentors.get(field) ?? 0,
      })),
    };
  }

  return {
    studentStats,

    async platformStatsJson(q: PlatformStatsQuery): Promise<string> {
      assertRange(q.from, q.to);
      return cachedJson(`platform:${JSON.stringify([q.from, q.to, q.field, q.university])}`, () => loadPlatformStats(q));
    },

    async trendsJson(q: TrendsQuery): Promise<string> {
      assertRange(q.from, q.to);
      const granularity = q.granularity ?? "day";
      const timeZone = q.timeZone ?? DEFAULT_TIME_ZONE;
      checkZone(timeZone);
      const now = clock.now();
      // Without an end, the current period is the last one: the key changes each minute so "now" moves on.
      const upper = q.to ?? `now@${Math.floor(now.getTime() / 60_000)}`;
      return cachedJson(`trends:${JSON.stringify([granularity, timeZone, q.from, upper, q.field, q.university])}`, () =>
        loadTrends(q, granularity, timeZone, now),
      );
    },

    async fieldsJson(q: FieldsQuery): Promise<string> {
      assertRange(q.from, q.to);
      return cachedJson(`fields:${JSON.stringify([q.from, q.to, q.university])}`, () => loadFields(q));
    },

    /** Property 45: the rates shown are the counters' ratios; sorting uses the exact ratios. */
    async listMentors(q: MentorListQuery & { page: number; limit: number }): Promise<MentorList> {
      const conditions = [profileFilter(q)];
      if (q.active !== undefined) conditions.push(sql`p.is_active = ${q.active}`);
      if (q.q) {
        const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        conditions.push(sql`(u.name ilike ${like} or u.email ilike ${like})`);
      }
      const where = sql.join(conditions, sql` and `);
      const sort = q.sort ?? "name";
      const order = q.order ?? (sort === "name" ? "asc" : "desc");
      const dir = order === "asc" ? sql`asc` : sql`desc`;
      const ratio = (column: string) => sql`(case when p.total_sessions = 0 then 0 else ${sql.raw(column)}::float8 / p.total_sessions end)`;
      const sortExpr = {
        rating: sql`p.average_rating ${dir} nulls last, p.total_ratings ${dir}`,
        sessions: sql`p.total_sessions ${dir}`,
        completionRate: sql`${ratio("p.completed_sessions")} ${dir}`,
        cancellationRate: sql`${ratio("p.cancelled_sessions")} ${dir}`,
        name: sql`lower(u.name) ${dir}`,
      }[sort];
      const [items, [count]] = await Promise.all([
        rows<Record<string, unknown>>(
          db,
          sql`select p.id, u.name, u.email, p.university, p.field, p.degree, p.current_year, p.is_active,
                     p.total_sessions, p.completed_sessions, p.cancelled_sessions, p.average_rating::float8 as average_rating, p.total_ratings
                from student_profiles p join users u on u.id = p.user_id
               where ${where}
               order by ${sortExpr}, p.id asc
               limit ${q.limit} offset ${(q.page - 1) * q.limit}`,
        ),
        rows<Record<string, unknown>>(db, sql`select count(*)::int as n from student_profiles p join users u on u.id = p.user_id where ${where}`),
      ]);
      return { items: items.map(toMentorRow), total: toInt(count?.n), page: q.page, limit: q.limit };
    },

    async mentorDetail(id: string): Promise<MentorDetail> {
      const profile = await deps.profiles.getProfile(id);
      const [stats, ratings, upcoming] = await Promise.all([
        studentStats(id),
        rows<Record<string, unknown>>(
          db,
          sql`select id, booking_id, rating, feedback, flagged, review, ${isoOf(sql`created_at`)} as created_at
                from session_ratings where student_profile_id = ${id} order by created_at desc, id desc limit 20`,
        ),
        rows<Record<string, unknown>>(
          db,
          sql`select id, ${isoOf(sql`start_time`)} as start_time, prospective_name, status from bookings
               where student_profile_id = ${id} and status = 'ACCEPTED' and start_time >= ${clock.now().toISOString()}::timestamptz
               order by start_time limit 20`,
        ),
      ]);
      return {
        profile,
        stats,
        ratings: ratings.map((r) => ({
          id: String(r.id),
          bookingId: toInt(r.booking_id),
          rating: toInt(r.rating),
          feedback: (r.feedback as string | null) ?? null,
          flagged: Boolean(r.flagged),
          review: r.review as "pending" | "kept" | "hidden",
          createdAt: String(r.created_at),
        })),
        upcomingSessions: upcoming.map((b) => ({
          id: toInt(b.id),
          startTime: String(b.start_time),
          prospectiveName: String(b.prospective_name),
          status: String(b.status),
        })),
      };
    },
  };
}

function toMentorRow(r: Record<string, unknown>): MentorRow {
  const total = toInt(r.total_sessions);
  const completed = toInt(r.completed_sessions);
  const cancelled = toInt(r.cancelled_sessions);
  return {
    id: String(r.id),
    name: String(r.name),
    email: String(r.email),
    university: (r.university as string | null) ?? null,
    field: (r.field as AcademicField | null) ?? null,
    degree: (r.degree as string | null) ?? null,
    year: r.current_year === null || r.current_year === undefined ? null : toInt(r.current_year),
    isActive: Boolean(r.is_active),
    totalSessions: total,
    completedSessions: completed,
    cancelledSessions: cancelled,
    completionRate: percent(completed, total),
    cancellationRate: percent(cancelled, total),
    averageRating: roundOne(r.average_rating as number | null),
    totalRatings: toInt(r.total_ratings),
  };
}
