import { count, inArray, sql } from "drizzle-orm";
import type { Database } from "../client.ts";
import { mentorSchedules, studentProfiles, users } from "../schema/index.ts";
import { demoMentors, demoUsers } from "./demo/mentors.ts";

export { demoAdmins, demoIntegrators, demoMentors, demoProfileId, demoUsers } from "./demo/mentors.ts";

export interface SeedOptions {
  /**
   * Password for the demo admins. Accepted for forward compatibility only: accounts have no
   * password yet (admin login is a later issue), so it is currently ignored.
   */
  adminPassword?: string;
}

export interface SeedSummary {
  /** Demo accounts present after seeding (mentors, admins, integrators). */
  users: number;
  /** Demo mentor profiles present after seeding. */
  profiles: number;
  /** Whether this run inserted anything; false when the demo data was already there. */
  created: boolean;
}

/**
 * Loads the demo data set (≈72 mentors across every academic field, plus admins and integrators).
 * Idempotent and safe to run on every start: rows are inserted with ON CONFLICT DO NOTHING (users on
 * the unique lower(email) index, profiles on user_id / id), existing rows are never modified, and
 * everything happens in one transaction. The data is deterministic, profile ids included.
 */
export async function seedDemoData(db: Database, opts: SeedOptions = {}): Promise<SeedSummary> {
  void opts.adminPassword; // No password column yet; see SeedOptions.
  return db.transaction(async (tx) => {
    const insertedUsers = await tx
      .insert(users)
      .values(demoUsers.map((u) => ({ ...u })))
      .onConflictDoNothing()
      .returning({ id: users.id });

    const emails = demoUsers.map((u) => u.email.toLowerCase());
    const accounts = await tx
      .select({ id: users.id, email: users.email, role: users.role })
      .from(users)
      .where(inArray(sql`lower(${users.email})`, emails));
    const byEmail = new Map(accounts.map((a) => [a.email.toLowerCase(), a]));

    // Only accounts that really are mentors get a profile (an existing account with a demo e-mail
    // but another role is left alone).
    const mentorIds: number[] = [];
    const profiles = demoMentors.flatMap(({ user, profile }) => {
      const account = byEmail.get(user.email.toLowerCase());
      if (!account || account.role !== "mentor") return [];
      mentorIds.push(account.id);
      return [{ ...profile, userId: account.id }];
    });
    const insertedProfiles =
      profiles.length > 0
        ? await tx.insert(studentProfiles).values(profiles).onConflictDoNothing().returning({ id: studentProfiles.id })
        : [];

    // Weekly availability for the demo mentors, in their own zone, so slots, bookings and the availability filter
    // work out of the box. Only newly created profiles get one: a mentor's own schedule is never overwritten.
    if (insertedProfiles.length > 0) {
      const zoneOf = new Map(demoUsers.map((u) => [u.email.toLowerCase(), u.timeZone ?? "Europe/Paris"]));
      const created = new Set(insertedProfiles.map((p) => p.id));
      const schedules = demoMentors.flatMap(({ user, profile }, index) =>
        created.has(profile.id) ? [{ studentProfileId: profile.id, ...demoSchedule(index, zoneOf.get(user.email.toLowerCase()) ?? "Europe/Paris") }] : [],
      );
      if (schedules.length > 0) await tx.insert(mentorSchedules).values(schedules).onConflictDoNothing();
    }

    const [profileCount] =
      mentorIds.length > 0
        ? await tx.select({ n: count() }).from(studentProfiles).where(inArray(studentProfiles.userId, mentorIds))
        : [{ n: 0 }];

    return {
      users: accounts.length,
      profiles: profileCount?.n ?? 0,
      created: insertedUsers.length + insertedProfiles.length > 0,
    };
  });
}

/** Varied, realistic student availability: weekday evenings, lunch breaks, weekend mornings; a few mentors keep few slots. */
function demoSchedule(index: number, timeZone: string) {
  const patterns: { weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7; ranges: { start: string; end: string }[] }[][] = [
    [1, 2, 3, 4].map((weekday) => ({ weekday: weekday as 1 | 2 | 3 | 4, ranges: [{ start: "18:00", end: "20:00" }] })),
    [
      { weekday: 2, ranges: [{ start: "12:00", end: "13:30" }] },
      { weekday: 4, ranges: [{ start: "12:00", end: "13:30" }, { start: "19:00", end: "21:00" }] },
      { weekday: 6, ranges: [{ start: "10:00", end: "12:00" }] },
    ],
    [
      { weekday: 3, ranges: [{ start: "14:00", end: "17:00" }] },
      { weekday: 6, ranges: [{ start: "09:30", end: "11:30" }] },
      { weekday: 7, ranges: [{ start: "17:00", end: "19:00" }] },
    ],
    [{ weekday: 5, ranges: [{ start: "17:30", end: "18:30" }] }],
    [1, 3, 5].map((weekday) => ({ weekday: weekday as 1 | 3 | 5, ranges: [{ start: "08:00", end: "09:00" }, { start: "17:00", end: "19:00" }] })),
  ];
  return { timeZone, weekly: patterns[index % patterns.length] ?? [], overrides: [], outOfOffice: [] };
}
