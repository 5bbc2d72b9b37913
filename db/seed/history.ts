/**
 * Demo history: bookings over the past 90 days and the next 30, with what they caused — cancellations by either
 * side, automatic completion, ratings with comments in French and English, the e-mails, the analytics funnel.
 *
 * Nothing here writes a counter or an e-mail itself. The history is replayed through the production services
 * (createApp's bookings, ratings, analytics, notifications and job worker) on a simulated clock that walks from
 * 95 days ago to now, so every counter (sessions, completions, cancellations, averages, rating counts), every
 * booking history entry, e-mail and funnel event comes from the same code path a real booking takes. Deterministic:
 * a seeded PRNG per mentor, and times relative to `now` rounded down to the hour. Idempotent: it runs only when no
 * demo booking exists yet (prospective students' addresses are at example.com, a reserved domain).
 *
 * Not modelled: no-shows (a booking has no such state; a session nobody attended still completes).
 */
import { and, count, eq, inArray, like, sql } from "drizzle-orm";
import type { Database } from "../client.ts";
import { bookings, emailOutbox, studentProfiles } from "../schema/index.ts";
import { createApp } from "../../server/app.ts";
import type { Config } from "../../server/config.ts";
import { createLogger } from "../../server/lib/logger.ts";
import { localMediaStorage } from "../../server/lib/media-storage.ts";
import { createStore } from "../../server/store/index.ts";
import { demoMentors, hashString, seededRandom } from "./demo/mentors.ts";
import { firstNames, lastNames, questionsEn, questionsFr, feedbackEn, feedbackFr } from "./demo/prospects.ts";

export const PROSPECT_EMAIL_DOMAIN = "example.com";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PAST_DAYS = 90;
const FUTURE_DAYS = 30;

export interface HistorySummary {
  created: boolean;
  bookings: number;
  cancelled: number;
  completed: number;
  ratings: number;
  emails: number;
  events: number;
  ms: number;
}

type Step =
  | { at: number; kind: "book"; plan: BookingPlan }
  | { at: number; kind: "cancel"; plan: BookingPlan }
  | { at: number; kind: "rate"; plan: BookingPlan }
  | { at: number; kind: "visit"; mentorId: string; visitor: string; depth: number };

interface BookingPlan {
  mentorId: string;
  /** When the visitor books, and the start they aim for (the nearest free slot is taken). */
  bookAt: number;
  target: number;
  visitor: string;
  name: string;
  email: string;
  locale: "fr" | "en";
  question: string | null;
  outcome: "keep" | "student-cancels" | "mentor-cancels";
  /** Stars and comment when the prospective student rates the session (null: never rated). */
  rating: { stars: number; feedback: string | null; delayMs: number } | null;
  bookingId?: number;
  start?: number;
}

const FUNNEL = ["widget_opened", "profile_viewed", "availability_viewed", "slot_chosen"] as const;

/** Whether the demo history is there already (any booking by a demo prospective student). */
async function hasHistory(db: Database): Promise<boolean> {
  const [row] = await db.select({ id: bookings.id }).from(bookings).where(like(bookings.prospectiveEmail, `%@${PROSPECT_EMAIL_DOMAIN}`)).limit(1);
  return Boolean(row);
}

export async function seedDemoHistory(db: Database, options: { config: Config; now?: Date }): Promise<HistorySummary> {
  const t0 = performance.now();
  const empty = { created: false, bookings: 0, cancelled: 0, completed: 0, ratings: 0, emails: 0, events: 0 };
  if (await hasHistory(db)) return { ...empty, ms: performance.now() - t0 };
  const now = Math.floor((options.now ?? new Date()).getTime() / HOUR) * HOUR;

  const ids = demoMentors.map((m) => m.profile.id);
  const listed = await db
    .select({ id: studentProfiles.id })
    .from(studentProfiles)
    .where(and(inArray(studentProfiles.id, ids), eq(studentProfiles.isActive, true), eq(studentProfiles.isComplete, true)));
  const listedIds = new Set(listed.map((r) => r.id));
  if (listedIds.size === 0) return { ...empty, ms: performance.now() - t0 };
  // Counters start from the records: a data folder seeded by an older version held counters with nothing behind them.
  await db
    .update(studentProfiles)
    .set({ totalSessions: 0, completedSessions: 0, cancelledSessions: 0, averageRating: null, totalRatings: 0 })
    .where(and(inArray(studentProfiles.id, ids), sql`not exists (select 1 from bookings b where b.student_profile_id = ${studentProfiles.id})`));

  // The production services on a clock the replay moves. Outside services are off whatever the configuration says:
  // e-mails go to the outbox table, nothing is sent to Mixpanel, Sentry, Google or Cal.com.
  let current = now - (PAST_DAYS + 5) * DAY;
  const clock = { now: () => new Date(current) };
  const config: Config = {
    ...options.config,
    cacheEnabled: false,
    email: { ...options.config.email, provider: "outbox" },
    sentry: undefined,
    mixpanel: undefined,
    google: undefined,
    calcom: undefined,
    schedulingBackend: "native",
  };
  const store = createStore();
  const app = createApp({ config, db, store, clock, logger: createLogger("silent"), media: localMediaStorage(config.mediaDir) });
  // No recurring jobs in the replay: automatic completion is called on each simulated day below (the function the
  // recurring job runs), and the free-slot summaries are refreshed once, at the end, for the real now.
  const worker = app.jobs.createWorker({ concurrency: 4, recurring: [] });
  const { bookings: bookingService, ratings, analytics } = app.services;
  const admin = { kind: "role" as const, role: "admin" as const, sub: "demo-seed" };

  const steps = plan(now, demoMentors.flatMap((m, index) => (listedIds.has(m.profile.id) ? [{ id: m.profile.id, index }] : [])));
  const summary = { ...empty, created: true };
  let nextDrain = current + DAY;
  try {
    for (const step of steps) {
      // The worker runs once per simulated day: e-mails, reminders and automatic completion happen on their day.
      while (nextDrain <= step.at) {
        current = nextDrain;
        await bookingService.completeEnded();
        await worker.drain();
        nextDrain += DAY;
      }
      current = step.at;
      if (step.kind === "visit") {
        for (const name of FUNNEL.slice(0, step.depth)) {
          await analytics.record(db, { name, distinctId: step.visitor, studentProfileId: step.mentorId, at: new Date(current) });
          summary.events++;
        }
      } else if (step.kind === "book") {
        const p = step.plan;
        const slots = await app.services.availability.freeSlots(
          db,
          p.mentorId,
          new Date(Math.max(p.target - 3 * DAY, current + 3 * HOUR)),
          new Date(Math.min(p.target + 4 * DAY, current + 29 * DAY)),
        );
        if (slots.length === 0) continue;
        const start = slots.reduce((best, s) => (Math.abs(s - p.target) < Math.abs(best - p.target) ? s : best));
        for (const name of FUNNEL) {
          await analytics.record(db, { name, distinctId: p.visitor, studentProfileId: p.mentorId, at: new Date(current - 60_000) });
          summary.events++;
        }
        const created = await bookingService.create(
          {
            studentProfileId: p.mentorId,
            dateTime: new Date(start).toISOString(),
            prospectiveStudent: {
              name: p.name,
              email: p.email,
              locale: p.locale,
              timeZone: "Europe/Paris",
              ...(p.question ? { question: p.question } : {}),
            },
            visitorId: p.visitor,
          },
          { kind: "role", role: "widget", sub: "demo-widget" },
        );
        p.bookingId = created.body.data.bookingId;
        p.start = start;
        summary.bookings++;
      } else if (step.kind === "cancel") {
        const p = step.plan;
        if (p.bookingId === undefined || p.start === undefined || current > p.start - 3 * HOUR) continue;
        const reason =
          p.outcome === "student-cancels"
            ? p.locale === "en" ? "Something came up at school, sorry." : "Empêchement au lycée, désolé."
            : p.locale === "en" ? "I have an exam that day." : "J'ai un partiel ce jour-là, désolé·e.";
        await bookingService.cancel(p.bookingId, { reason, cancelledBy: p.outcome === "student-cancels" ? "student" : "mentor" }, admin);
        summary.cancelled++;
      } else if (step.kind === "rate") {
        const p = step.plan;
        if (p.bookingId === undefined || !p.rating) continue;
        const booking = await bookingService.view(p.bookingId);
        if (booking.status !== "COMPLETED") continue;
        await ratings.submit(p.bookingId, { rating: p.rating.stars, feedback: p.rating.feedback, prospectiveEmail: p.email }, { kind: "role" });
        summary.ratings++;
      }
    }
    current = now;
    await bookingService.completeEnded();
    await worker.drain();
    await app.services.availability.refreshAllSummaries();
  } finally {
    await worker.stop();
    await store.close();
  }
  const demoBookings = like(bookings.prospectiveEmail, `%@${PROSPECT_EMAIL_DOMAIN}`);
  const [completed] = await db.select({ n: count() }).from(bookings).where(and(demoBookings, eq(bookings.status, "COMPLETED")));
  const [emails] = await db.select({ n: count() }).from(emailOutbox);
  summary.completed = completed?.n ?? 0;
  summary.emails = emails?.n ?? 0;
  return { ...summary, ms: performance.now() - t0 };
}

/** Every step of the replay (exported for the determinism test), in time order (ties keep their plan order, so the replay is deterministic). */
export function plan(now: number, mentors: { id: string; index: number }[]): Step[] {
  const steps: Step[] = [];
  const earliest = now - PAST_DAYS * DAY;
  for (const { id, index } of mentors) {
    const rng = seededRandom(hashString(`thotis-demo-history:${index}`));
    // Popularity varies: a few busy mentors, most with a handful of sessions. Mentor 29 is the weaker one.
    const count = 1 + Math.floor(rng() ** 1.7 * 7);
    const quality = index === 29 ? 0.45 : 0.75 + rng() * 0.25;
    for (let k = 0; k < count; k++) {
      const target = earliest + Math.floor(rng() * (PAST_DAYS + FUTURE_DAYS) * 24) * HOUR;
      const lead = (6 + Math.floor(rng() * 12 * 24)) * HOUR; // booked 6 hours to 12 days ahead
      const bookAt = Math.min(target - lead, now - HOUR);
      if (target - bookAt < 3 * HOUR) continue;
      const locale: "fr" | "en" = rng() < 0.15 ? "en" : "fr";
      const first = pickFrom(firstNames, rng);
      const last = pickFrom(lastNames, rng);
      const roll = rng();
      const outcome: BookingPlan["outcome"] = roll < 0.1 ? "student-cancels" : roll < 0.16 ? "mentor-cancels" : "keep";
      const cancelLatest = Math.min(target - 3 * HOUR, now - HOUR);
      const cancelAt = bookAt + Math.floor(rng() * Math.max(0, cancelLatest - bookAt));
      const rated = rng() < 0.7;
      const stars = starsFor(quality, rng);
      const comment = rng() < 0.75;
      const p: BookingPlan = {
        mentorId: id,
        bookAt,
        target,
        visitor: `demo-${index}-${k}-${Math.floor(rng() * 1e9).toString(36)}`,
        name: `${first} ${last}`,
        email: `${slugify(first)}.${slugify(last)}${k}@${PROSPECT_EMAIL_DOMAIN}`,
        locale,
        question: rng() < 0.6 ? pickFrom(locale === "en" ? questionsEn : questionsFr, rng) : null,
        outcome,
        rating: rated ? { stars, feedback: comment ? pickFrom((locale === "en" ? feedbackEn : feedbackFr)[stars] ?? [], rng) : null, delayMs: (1 + Math.floor(rng() * 60)) * HOUR } : null,
      };
      steps.push({ at: bookAt, kind: "book", plan: p });
      if (outcome !== "keep" && cancelLatest > bookAt) steps.push({ at: cancelAt, kind: "cancel", plan: p });
      // Rated after the session ended (automatic completion runs with the day's worker); never in the future.
      const rateAt = target + 5 * DAY + (p.rating?.delayMs ?? 0);
      if (outcome === "keep" && p.rating && rateAt < now) steps.push({ at: rateAt, kind: "rate", plan: p });
    }
    // Visitors who looked and left at some step of the funnel.
    for (let v = 0; v < count; v++) {
      const at = earliest + Math.floor(rng() * PAST_DAYS * 24 * 60) * 60_000;
      steps.push({ at, kind: "visit", mentorId: id, visitor: `demo-${index}-v${v}`, depth: 1 + Math.floor(rng() * 3) });
    }
  }
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.at - b.s.at || a.i - b.i).map((x) => x.s);
}

/** Whole stars, mostly 4 and 5; a weaker mentor gets more 2s and 3s. */
function starsFor(quality: number, rng: () => number): number {
  const r = rng();
  if (r < quality * 0.75) return 5;
  if (r < quality) return 4;
  if (r < quality + (1 - quality) * 0.6) return 3;
  if (r < quality + (1 - quality) * 0.9) return 2;
  return 1;
}

function pickFrom<T>(items: readonly T[], rng: () => number): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
