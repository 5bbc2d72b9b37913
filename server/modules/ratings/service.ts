import { and, count, desc, eq, ne, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { newId } from "../../../db/ids.ts";
import { bookings, type RatingReview, type SessionRating, sessionRatings, studentProfiles, users } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { AppError, conflict, ErrorCode, forbidden, notFound } from "../../lib/errors.ts";
import { sqlState } from "../../plugins/errors.ts";
import type { Cache } from "../../store/index.ts";
import type { AdminRating, AdminRatingQuery, PublicRating, RatingBody, RatingList, SubmittedRating } from "./model.ts";

/** Cache namespaces whose answers include ratings: profiles (listings, profile pages) and statistics. */
export const RATING_DEPENDENT_NAMESPACES = ["profiles", "stats"] as const;

/** Who submits a rating: the prospective student through the signed link, or an integrator/admin acting for them. */
export type RatingActor = { kind: "link"; email: string } | { kind: "role" };

/** Called inside the rating's transaction (analytics event, outbox jobs), so it exists exactly when the rating does. */
export type RatingListener = (tx: Database, rating: SessionRating) => Promise<void>;

export interface RatingServiceDeps {
  db: Database;
  clock: Clock;
  cache: Cache;
  onRated?: RatingListener;
}

export type RatingService = ReturnType<typeof createRatingService>;

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The profile's average and count from its visible ratings, in the caller's transaction. The mean is stored already
 * rounded to one decimal (round() on the exact numeric mean, half away from zero): rounding first to the column's two
 * decimals and then to one for display would be wrong for means such as 310/73 = 4.2466 (4.25, then 4.3).
 */
export async function recomputeAverage(tx: Database, studentProfileId: string): Promise<void> {
  await tx.execute(sql`
    update student_profiles p
       set average_rating = s.mean, total_ratings = s.n
      from (select round(avg(rating)::numeric, 1) as mean, count(*)::int as n
              from session_ratings
             where student_profile_id = ${studentProfileId} and review <> 'hidden') s
     where p.id = ${studentProfileId}`);
}

/** Ratings of one mentor are written one at a time (row lock), so two concurrent ratings both reach the average. */
async function lockProfile(tx: Database, studentProfileId: string): Promise<void> {
  await tx.select({ id: studentProfiles.id }).from(studentProfiles).where(eq(studentProfiles.id, studentProfileId)).for("update");
}

const roundOne = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

export function createRatingService(deps: RatingServiceDeps) {
  const { db, clock, cache } = deps;

  async function afterChange(studentProfileId: string) {
    await cache.invalidate(`profile:${studentProfileId}`);
    for (const ns of RATING_DEPENDENT_NAMESPACES) await cache.bump(ns);
  }

  return {
    /**
     * Property 20: one rating per completed booking, 1 to 5, feedback stored. Property 42: under 3 is flagged and
     * waits for review. Property 21: the mentor's average and count move in the same transaction.
     */
    async submit(bookingId: number, input: RatingBody, actor: RatingActor): Promise<SubmittedRating> {
      if (actor.kind === "link" && !sameEmail(actor.email, input.prospectiveEmail)) {
        throw forbidden("This rating link was issued to another e-mail address");
      }
      const saved = await db
        .transaction(async (txn) => {
          const tx = txn as unknown as Database;
          const [booking] = await tx
            .select({ id: bookings.id, status: bookings.status, email: bookings.prospectiveEmail, profileId: bookings.studentProfileId })
            .from(bookings)
            .where(eq(bookings.id, bookingId))
            .for("update");
          if (!booking) throw notFound(ErrorCode.BOOKING_NOT_FOUND, `Booking ${bookingId} not found`);
          if (!sameEmail(booking.email, input.prospectiveEmail)) throw forbidden("This e-mail address did not book this session");
          if (booking.status !== "COMPLETED") {
            throw conflict(ErrorCode.SESSION_NOT_COMPLETED, "Only completed sessions can be rated", { status: booking.status });
          }
          const [existing] = await tx.select({ id: sessionRatings.id }).from(sessionRatings).where(eq(sessionRatings.bookingId, bookingId));
          if (existing) throw conflict(ErrorCode.RATING_ALREADY_EXISTS, "This session has already been rated");
          await lockProfile(tx, booking.profileId);
          const flagged = input.rating < 3;
          const [row] = await tx
            .insert(sessionRatings)
            .values({
              id: newId("r"),
              bookingId,
              studentProfileId: booking.profileId,
              rating: input.rating,
              feedback: input.feedback?.trim() ? input.feedback : null,
              prospectiveEmail: booking.email,
              flagged,
              review: flagged ? "pending" : "kept",
              createdAt: clock.now(),
            })
            .returning();
          const rating = row as SessionRating;
          await recomputeAverage(tx, booking.profileId);
          await deps.onRated?.(tx, rating);
          return rating;
        })
        .catch((error) => {
          // Two submissions racing past the existence check: the unique index decides.
          if (!(error instanceof AppError) && sqlState(error) === "23505") {
            throw conflict(ErrorCode.RATING_ALREADY_EXISTS, "This session has already been rated");
          }
          throw error;
        });
      await afterChange(saved.studentProfileId);
      return {
        id: saved.id,
        bookingId: saved.bookingId,
        studentProfileId: saved.studentProfileId,
        rating: saved.rating,
        feedback: saved.feedback,
        flagged: saved.flagged,
        createdAt: saved.createdAt.toISOString(),
      };
    },

    /** A mentor's ratings, newest first; hidden ones (and the review state) only for admins. */
    async listForMentor(studentProfileId: string, opts: { page: number; limit: number; admin: boolean }): Promise<RatingList> {
      const [profile] = await db
        .select({ averageRating: studentProfiles.averageRating, totalRatings: studentProfiles.totalRatings })
        .from(studentProfiles)
        .where(eq(studentProfiles.id, studentProfileId));
      if (!profile) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
      const where = and(
        eq(sessionRatings.studentProfileId, studentProfileId),
        opts.admin ? undefined : ne(sessionRatings.review, "hidden"),
      );
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(sessionRatings)
          .where(where)
          .orderBy(desc(sessionRatings.createdAt), desc(sessionRatings.id))
          .limit(opts.limit)
          .offset((opts.page - 1) * opts.limit),
        db.select({ n: count() }).from(sessionRatings).where(where),
      ]);
      return {
        items: rows.map((r) => {
          const item: PublicRating = { id: r.id, rating: r.rating, feedback: r.feedback, createdAt: r.createdAt.toISOString(), flagged: r.flagged };
          if (opts.admin) item.review = r.review;
          return item;
        }),
        total: total?.n ?? 0,
        page: opts.page,
        limit: opts.limit,
        averageRating: roundOne(profile.averageRating),
        totalRatings: profile.totalRatings,
      };
    },

    /** The moderation queue: flagged=true&review=pending lists what still needs a decision. */
    async listForAdmin(query: AdminRatingQuery & { page: number; limit: number }) {
      const conditions: SQL[] = [];
      if (query.review) conditions.push(eq(sessionRatings.review, query.review));
      if (query.flagged !== undefined) conditions.push(eq(sessionRatings.flagged, query.flagged));
      const where = conditions.length ? and(...conditions) : undefined;
      const [rows, [total]] = await Promise.all([
        db
          .select({ rating: sessionRatings, mentorName: users.name })
          .from(sessionRatings)
          .innerJoin(studentProfiles, eq(studentProfiles.id, sessionRatings.studentProfileId))
          .innerJoin(users, eq(users.id, studentProfiles.userId))
          .where(where)
          .orderBy(desc(sessionRatings.createdAt), desc(sessionRatings.id))
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
        db.select({ n: count() }).from(sessionRatings).where(where),
      ]);
      return { items: rows.map((r) => toAdminRating(r.rating, r.mentorName)), total: total?.n ?? 0, page: query.page, limit: query.limit };
    },

    /** Keep or hide a rating; the mentor's average follows in the same transaction. */
    async review(ratingId: string, review: Exclude<RatingReview, "pending">, adminUserId: number | undefined): Promise<AdminRating> {
      const updated = await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const [current] = await tx.select().from(sessionRatings).where(eq(sessionRatings.id, ratingId));
        if (!current) throw notFound(ErrorCode.NOT_FOUND, `Rating ${ratingId} not found`);
        await lockProfile(tx, current.studentProfileId);
        const [row] = await tx
          .update(sessionRatings)
          .set({
            review,
            reviewedAt: clock.now(),
            // Only a real admin account is recorded (development tokens carry no user).
            reviewedBy: adminUserId === undefined ? null : sql`(select id from users where id = ${adminUserId} and role = 'admin')`,
          })
          .where(eq(sessionRatings.id, ratingId))
          .returning();
        if (current.review === "hidden" || review === "hidden") await recomputeAverage(tx, current.studentProfileId);
        const [mentor] = await tx
          .select({ name: users.name })
          .from(studentProfiles)
          .innerJoin(users, eq(users.id, studentProfiles.userId))
          .where(eq(studentProfiles.id, current.studentProfileId));
        return toAdminRating(row as SessionRating, mentor?.name ?? "");
      });
      await afterChange(updated.studentProfileId);
      return updated;
    },
  };
}

export function toAdminRating(r: SessionRating, mentorName: string): AdminRating {
  return {
    id: r.id,
    bookingId: r.bookingId,
    studentProfileId: r.studentProfileId,
    mentorName,
    rating: r.rating,
    feedback: r.feedback,
    prospectiveEmail: r.prospectiveEmail,
    flagged: r.flagged,
    review: r.review,
    reviewedAt: r.reviewedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}
