import { and, asc, desc, eq, gte, lt, or, sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Database } from "../../../db/client.ts";
import { bookings } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { errors, ok, success } from "../../lib/envelope.ts";
import { limitParam, pageParam } from "../../lib/schema.ts";
import { assertSelfOrAdmin, type AuthPlugin } from "../../plugins/auth.ts";

const Session = t.Object({
  id: t.Integer(),
  startTime: t.String({ format: "date-time" }),
  endTime: t.String({ format: "date-time" }),
  status: t.String({ examples: ["ACCEPTED"] }),
  prospectiveName: t.String(),
  question: t.Nullable(t.String()),
  meetingUrl: t.String(),
  cancellationReason: t.Nullable(t.String()),
  cancelledBy: t.Nullable(t.String()),
});

/**
 * The mentor's own sessions, for their space in the console: upcoming (accepted, not ended yet, soonest first) or
 * past (ended or cancelled, newest first). The mentor themself or an admin; the prospective student's e-mail address
 * is not shown (the mentor talks to them in the session).
 */
export function mentorSpaceModule(deps: { auth: AuthPlugin; db: Database; clock: Clock }) {
  const { db, clock } = deps;
  return new Elysia().use(deps.auth).get(
    "/api/v2/students/:id/bookings",
    async ({ params, query, principal }) => {
      assertSelfOrAdmin(principal, params.id, "see these sessions");
      const now = clock.now();
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const upcoming = (query.scope ?? "upcoming") === "upcoming";
      const where = and(
        eq(bookings.studentProfileId, params.id),
        upcoming ? and(eq(bookings.status, "ACCEPTED"), gte(bookings.endTime, now)) : or(lt(bookings.endTime, now), eq(bookings.status, "CANCELLED")),
      );
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(bookings)
          .where(where)
          .orderBy(upcoming ? asc(bookings.startTime) : desc(bookings.startTime), asc(bookings.id))
          .limit(limit)
          .offset((page - 1) * limit),
        db.select({ n: sql<number>`count(*)::int` }).from(bookings).where(where),
      ]);
      return ok({
        items: rows.map((b) => ({
          id: b.id,
          startTime: b.startTime.toISOString(),
          endTime: b.endTime.toISOString(),
          status: b.status,
          prospectiveName: b.prospectiveName,
          question: b.question,
          meetingUrl: b.meetingUrl,
          cancellationReason: b.cancellationReason,
          cancelledBy: b.cancelledBy,
        })),
        total: count?.n ?? 0,
        page,
        limit,
      });
    },
    {
      auth: ["admin", "mentor"],
      params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
      query: t.Object({ scope: t.Optional(t.UnionEnum(["upcoming", "past"])), page: pageParam, limit: limitParam }),
      response: { 200: success(t.Object({ items: t.Array(Session), total: t.Integer(), page: t.Integer(), limit: t.Integer() })), ...errors(400, 403) },
      detail: {
        tags: ["Bookings"],
        summary: "A mentor's sessions (upcoming or past)",
        description: "For the mentor themself (mentor token with this studentProfileId) or an admin. scope=upcoming (default) or past.",
      },
    },
  );
}
