import { count, inArray, sql } from "drizzle-orm";
import type { Database } from "../client.ts";
import { studentProfiles, users } from "../schema/index.ts";
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
