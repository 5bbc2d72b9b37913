import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, count, eq, sql } from "drizzle-orm";
import { createTestDatabase } from "../../server/test-support/database.ts";
import type { DatabaseHandle } from "../client.ts";
import { academicFields, studentProfiles, users } from "../schema/index.ts";
import { demoMentors, demoProfileId, demoUsers } from "./demo/mentors.ts";
import { type SeedSummary, seedDemoData } from "./index.ts";

const codePoints = (text: string) => [...text].length;
const linkedInFormat = /^https:\/\/(www\.)?linkedin\.com\/in\/[A-Za-z0-9_-]+\/?$/;
const emailFormat = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

let handle: DatabaseHandle;
let first: SeedSummary;

beforeAll(async () => {
  handle = await createTestDatabase();
  first = await seedDemoData(handle.db, { adminPassword: "not-used-yet" });
});

afterAll(async () => {
  await handle?.close();
});

async function tableCounts() {
  const [u] = await handle.db.select({ n: count() }).from(users);
  const [p] = await handle.db.select({ n: count() }).from(studentProfiles);
  return { users: u?.n ?? 0, profiles: p?.n ?? 0 };
}

describe("seedDemoData", () => {
  test(
    "the first run creates the whole demo data set",
    async () => {
      expect(first.created).toBe(true);
      expect(first.users).toBe(demoUsers.length);
      expect(first.profiles).toBe(demoMentors.length);
      expect(await tableCounts()).toEqual({ users: demoUsers.length, profiles: demoMentors.length });
    },
    60_000,
  );

  test(
    "creates at least 60 mentor profiles, with listed mentors in all ten fields",
    async () => {
      const rows = await handle.db.select().from(studentProfiles);
      expect(rows.length).toBeGreaterThanOrEqual(60);
      const listedFields = new Set(rows.filter((r) => r.isActive && r.isComplete).map((r) => r.field));
      for (const field of academicFields) expect(listedFields.has(field)).toBe(true);
      const mentors = await handle.db.select({ n: count() }).from(users).where(eq(users.role, "mentor"));
      expect(mentors[0]?.n).toBe(rows.length);
    },
    60_000,
  );

  test(
    "every complete profile satisfies the validation rules and has consistent statistics",
    async () => {
      const rows = await handle.db.select().from(studentProfiles).orderBy(asc(studentProfiles.id));
      const complete = rows.filter((r) => r.isComplete);
      expect(complete.length).toBeGreaterThan(60);
      for (const r of complete) {
        const where = `profile ${r.id}`;
        expect(r.university, where).not.toBeNull();
        expect(r.university!.trim().length, where).toBeGreaterThanOrEqual(1);
        expect(r.university!.trim().length, where).toBeLessThanOrEqual(200);
        expect(r.degree!.trim().length, where).toBeGreaterThanOrEqual(1);
        expect(r.degree!.trim().length, where).toBeLessThanOrEqual(200);
        expect(academicFields).toContain(r.field!);
        expect(Number.isInteger(r.currentYear), where).toBe(true);
        expect(r.currentYear!, where).toBeGreaterThanOrEqual(1);
        expect(r.currentYear!, where).toBeLessThanOrEqual(10);
        expect(codePoints(r.bio!), where).toBeGreaterThanOrEqual(50);
        expect(codePoints(r.bio!), where).toBeLessThanOrEqual(1000);
        if (r.linkedInUrl !== null) expect(r.linkedInUrl, where).toMatch(linkedInFormat);
        if (r.profilePhotoUrl !== null) expect(r.profilePhotoUrl, where).toMatch(/^https:\/\//);

        expect(r.completedSessions + r.cancelledSessions, where).toBeLessThanOrEqual(r.totalSessions);
        expect(r.totalRatings, where).toBeLessThanOrEqual(r.completedSessions);
        if (r.totalRatings === 0) {
          expect(r.averageRating, where).toBeNull();
        } else {
          expect(r.averageRating!, where).toBeGreaterThanOrEqual(1);
          expect(r.averageRating!, where).toBeLessThanOrEqual(5);
          expect(Math.abs(r.averageRating! * 100 - Math.round(r.averageRating! * 100)), where).toBeLessThan(1e-9);
        }
      }
    },
    60_000,
  );

  test(
    "bios vary in length and exercise Unicode",
    async () => {
      const bios = (await handle.db.select({ bio: studentProfiles.bio }).from(studentProfiles))
        .map((r) => r.bio)
        .filter((b): b is string => b !== null);
      const lengths = bios.map(codePoints);
      expect(lengths.some((n) => n <= 70)).toBe(true);
      expect(lengths.some((n) => n >= 600)).toBe(true);
      expect(lengths.some((n) => n >= 950)).toBe(true);
      expect(bios.some((b) => /[éèàçœ]/.test(b))).toBe(true);
      expect(bios.some((b) => /\p{Extended_Pictographic}/u.test(b))).toBe(true);
      // Code points, not UTF-16 units: a bio can exceed 1000 units and still be valid.
      expect(bios.some((b) => b.length > 1000 && codePoints(b) <= 1000)).toBe(true);
      // Postgres agrees with the JavaScript count.
      const [check] = await handle.db
        .select({ n: count() })
        .from(studentProfiles)
        .where(sql`${studentProfiles.bio} is not null and char_length(${studentProfiles.bio}) not between 50 and 1000`);
      expect(check?.n).toBe(0);
    },
    60_000,
  );

  test(
    "includes inactive and incomplete profiles, and mentors without photo or LinkedIn",
    async () => {
      const rows = await handle.db.select().from(studentProfiles);
      const inactive = rows.filter((r) => !r.isActive);
      const incomplete = rows.filter((r) => !r.isComplete);
      expect(inactive.length).toBeGreaterThanOrEqual(3);
      expect(incomplete.length).toBeGreaterThanOrEqual(3);
      expect(incomplete.some((r) => r.bio === null)).toBe(true);
      expect(incomplete.some((r) => r.degree === null)).toBe(true);
      expect(rows.some((r) => r.profilePhotoUrl === null)).toBe(true);
      expect(rows.some((r) => r.linkedInUrl !== null)).toBe(true);
      expect(rows.some((r) => r.linkedInUrl === null)).toBe(true);
      expect(rows.some((r) => r.isComplete && r.totalRatings === 0 && r.averageRating === null)).toBe(true);
    },
    60_000,
  );

  test(
    "creates admins and integrators; e-mails are valid and unique regardless of case",
    async () => {
      const all = await handle.db.select().from(users);
      expect(all.filter((u) => u.role === "admin").length).toBeGreaterThanOrEqual(3);
      expect(all.filter((u) => u.role === "integrator").length).toBeGreaterThanOrEqual(3);
      const lowered = all.map((u) => u.email.toLowerCase());
      expect(new Set(lowered).size).toBe(all.length);
      for (const u of all) {
        expect(u.email).toMatch(emailFormat);
        expect(u.name.trim().length).toBeGreaterThan(0);
        expect(isValidTimeZone(u.timeZone)).toBe(true);
        expect(["fr", "en"]).toContain(u.locale);
      }
      expect(all.filter((u) => u.timeZone === "Europe/Paris").length).toBeGreaterThan(all.length / 2);
      expect(all.some((u) => u.timeZone !== "Europe/Paris")).toBe(true);
      expect(all.some((u) => u.locale === "en")).toBe(true);
    },
    60_000,
  );

  test(
    "profile ids are deterministic and id-shaped",
    async () => {
      const rows = await handle.db
        .select({ id: studentProfiles.id, email: users.email })
        .from(studentProfiles)
        .innerJoin(users, eq(users.id, studentProfiles.userId));
      const byEmail = new Map(rows.map((r) => [r.email, r.id]));
      demoMentors.forEach((m, index) => {
        expect(byEmail.get(m.user.email)).toBe(demoProfileId(index));
        expect(m.profile.id).toMatch(/^c[0-9a-z]{24}$/);
      });
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      // Pinned: demo URLs must not change between releases.
      expect(demoProfileId(0)).toBe("cjijz9ojxxpvvdv6o346xq2pr");
    },
    60_000,
  );

  test(
    "a second run creates nothing",
    async () => {
      const before = await tableCounts();
      const second = await seedDemoData(handle.db);
      expect(second).toEqual({ users: first.users, profiles: first.profiles, created: false });
      expect(await tableCounts()).toEqual(before);
    },
    60_000,
  );
});

describe("seedDemoData on a database with existing accounts", () => {
  let other: DatabaseHandle;
  beforeAll(async () => {
    other = await createTestDatabase();
  });
  afterAll(async () => {
    await other?.close();
  });

  test(
    "keeps an existing account whose e-mail differs only by case, and leaves non-mentor accounts alone",
    async () => {
      const mentor = demoMentors[0]!.user;
      const [existing] = await other.db
        .insert(users)
        .values({ email: mentor.email.toUpperCase(), name: "Existing Mentor", role: "mentor" })
        .returning();
      const taken = demoMentors[1]!.user;
      await other.db.insert(users).values({ email: taken.email, name: "Actually an admin", role: "admin" });

      const summary = await seedDemoData(other.db);
      expect(summary.created).toBe(true);
      expect(summary.users).toBe(demoUsers.length);
      expect(summary.profiles).toBe(demoMentors.length - 1);

      const matches = await other.db
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${mentor.email.toLowerCase()}`);
      expect(matches.length).toBe(1);
      expect(matches[0]?.name).toBe("Existing Mentor");
      const [profile] = await other.db.select().from(studentProfiles).where(eq(studentProfiles.userId, existing!.id));
      expect(profile?.id).toBe(demoProfileId(0));

      expect(await seedDemoData(other.db)).toEqual({ ...summary, created: false });
    },
    60_000,
  );

  test("a bio that names its year of study names the profile's year (years since the bac)", () => {
    let checked = 0;
    for (const [index, { profile }] of demoMentors.entries()) {
      // Mentor 38's bio is written by hand and walks through every year of the programme.
      if (!profile.bio || profile.currentYear === null || index === 38) continue;
      // The first mention is the mentor's own year (the intro); later sentences may describe other years.
      const m = profile.bio.match(/\b(\d+)(?:re|e) année/);
      if (!m) continue;
      expect(Number(m[1]), `${profile.id}: ${m[0]}`).toBe(profile.currentYear);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});
