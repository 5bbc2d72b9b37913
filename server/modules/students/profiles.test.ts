import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { count, eq } from "drizzle-orm";
import fc from "fast-check";
import { newId } from "../../../db/ids.ts";
import { academicFields, type NewStudentProfile, studentProfiles, users } from "../../../db/schema/index.ts";
import { sqlState } from "../../plugins/errors.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

let app: TestApp;
let admin: string;
let seq = 0;
const run = Date.now().toString(36);

type Json = any;
const bodies = new WeakMap<Response, Promise<Json>>();
/** The parsed body, read once per response (so a helper and its caller can both look at it). */
const json = (res: Response): Promise<Json> => {
  let body = bodies.get(res);
  if (!body) bodies.set(res, (body = res.json() as Promise<Json>));
  return body;
};
const codePoints = (s: string) => Array.from(s).length;

const validProfile = () => ({
  university: "Université Paris 1 Panthéon-Sorbonne",
  degree: "Master en Droit des Affaires",
  field: "LAW",
  currentYear: 2,
  bio: "Passionnée par le droit des affaires et le droit européen. J'ai effectué un stage chez un avocat d'affaires.",
});

async function createUser(role: "mentor" | "admin" | "integrator" = "mentor", name = "Marie Dubois"): Promise<number> {
  const res = await app.request("/api/v2/users", {
    method: "POST",
    token: admin,
    json: { email: `profile.${++seq}.${run}@example.fr`, name, role },
  });
  expect(res.status).toBe(201);
  return (await json(res)).data.id;
}

async function postProfile(userId: number, body: unknown, token: string = admin) {
  const res = await app.request(`/api/v2/students/${userId}/profile`, { method: "POST", token, json: body });
  return { res, body: await json(res) };
}

/** A mentor user with a complete profile, made through the API. */
async function createProfile(body: Record<string, unknown> = validProfile()): Promise<{ userId: number; profile: Json }> {
  const userId = await createUser();
  const { res, body: created } = await postProfile(userId, body);
  expect(res.status).toBe(201);
  return { userId, profile: created.data };
}

const profileRowsOf = async (userId: number) =>
  (await app.database.db.select({ n: count() }).from(studentProfiles).where(eq(studentProfiles.userId, userId)))[0]!.n;
const profileRow = async (id: string) => (await app.database.db.select().from(studentProfiles).where(eq(studentProfiles.id, id)))[0];

async function getProfile(id: string, token: string = admin) {
  const res = await app.request(`/api/v2/students/${id}`, { token });
  return { res, body: await json(res) };
}

async function expectError(res: Response, status: number, code: string) {
  const body = await json(res);
  expect({ status: res.status, code: body?.error?.code }).toEqual({ status, code });
  expect(body.status).toBe("error");
  return body;
}

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token("admin");
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// Generators of valid profile data
// ---------------------------------------------------------------------------------------------------------------

/** Any Unicode text (astral characters, combining marks, emoji sequences) without NUL, which Postgres cannot store. */
const anyText = (minLength: number, maxLength: number) =>
  fc
    .oneof(
      fc.string({ unit: "binary", minLength, maxLength }),
      fc.string({ unit: "grapheme", minLength, maxLength }),
      fc.string({ unit: fc.constantFrom("a", "é", "ß", "日", "😀", "👩‍🎓", "𝔘", "\u0301", " ", "-"), minLength, maxLength }),
    )
    .map((s) => s.replaceAll("\u0000", "0"));

const padding = fc.constantFrom("", " ", "  ", "\t", "\u00a0", " \n ");
/** University or degree as sent (possibly padded) and as it must be stored (trimmed). */
const nameLike = fc
  .tuple(padding, anyText(1, 60), padding)
  .map(([before, core, after]) => ({ sent: before + core + after, stored: (before + core + after).trim() }))
  .filter(({ sent, stored }) => stored.length > 0 && codePoints(sent) <= 200);

const bioText = anyText(50, 1000).filter((s) => codePoints(s) >= 50 && codePoints(s) <= 1000);
const httpsPhoto = fc.webUrl({ validSchemes: ["https"], withQueryParameters: true, withFragments: true });
const linkedIn = fc
  .tuple(fc.constantFrom("", "www.", "fr.", "uk."), fc.constantFrom("in", "pub", "company"), fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/))
  .map(([sub, kind, slug]) => `https://${sub}linkedin.com/${kind}/${slug}`);
/** null, absent or a value: absent and null must both come back as null. */
const optional = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), fc.constant(undefined));

const profileData = fc.record({
  university: nameLike,
  degree: nameLike,
  field: fc.constantFrom(...academicFields),
  currentYear: fc.integer({ min: 1, max: 10 }),
  bio: bioText,
  profilePhotoUrl: optional(httpsPhoto),
  linkedInUrl: optional(linkedIn),
});
type ProfileData = typeof profileData extends fc.Arbitrary<infer T> ? T : never;

const requestBody = (d: ProfileData) => {
  const body: Record<string, unknown> = {
    university: d.university.sent,
    degree: d.degree.sent,
    field: d.field,
    currentYear: d.currentYear,
    bio: d.bio,
  };
  if (d.profilePhotoUrl !== undefined) body.profilePhotoUrl = d.profilePhotoUrl;
  if (d.linkedInUrl !== undefined) body.linkedInUrl = d.linkedInUrl;
  return body;
};

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

describe("mentor profile properties", () => {
  test("Property 1: Profile Data Round Trip", async () => {
    await fc.assert(
      fc.asyncProperty(profileData, async (data) => {
        const userId = await createUser("mentor", `Mentor ${seq}`);
        const created = await postProfile(userId, requestBody(data));
        expect(created.res.status).toBe(201);
        const location = created.res.headers.get("location");
        expect(location).toBe(`/api/v2/students/${created.body.data.id}`);

        const fetched = await app.request(location!, { token: admin });
        expect(fetched.status).toBe(200);
        const profile = (await json(fetched)).data;
        expect(profile).toMatchObject({
          id: created.body.data.id,
          userId,
          university: data.university.stored,
          degree: data.degree.stored,
          field: data.field,
          currentYear: data.currentYear,
          bio: data.bio,
          profilePhotoUrl: data.profilePhotoUrl ?? null,
          linkedInUrl: data.linkedInUrl ?? null,
          isActive: true,
          isComplete: true,
          timeZone: "Europe/Paris",
        });
        // Every field of the profile is present, and POST answered with what GET returns.
        for (const key of ["name", "totalSessions", "completedSessions", "cancelledSessions", "averageRating", "totalRatings", "createdAt", "updatedAt"]) {
          expect(profile).toHaveProperty(key);
        }
        expect(profile).toEqual(created.body.data);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 3: Profile Status Toggle", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(profileData, fc.array(fc.boolean(), { maxLength: 4 }), async (data, toggles) => {
        // A university of its own, so the listing check below looks at this profile alone.
        const university = `Toggle University ${run} ${++n}`;
        const { profile } = await createProfile({ ...requestBody(data), university });
        const listed = async () => {
          const res = await app.request(`/api/v2/students/search?university=${encodeURIComponent(university)}`, { token: admin });
          expect(res.status).toBe(200);
          return (await json(res)).data.profiles.map((p: Json) => p.id);
        };
        expect(await listed()).toEqual([profile.id]);
        // Any sequence of changes, always ending with inactive then active again.
        for (const isActive of [...toggles, false, true]) {
          const res = await app.request(`/api/v2/students/${profile.id}/status`, { method: "PATCH", token: admin, json: { isActive } });
          expect(res.status).toBe(200);
          expect((await json(res)).data.isActive).toBe(isActive);
          expect((await getProfile(profile.id)).body.data.isActive).toBe(isActive);
          expect(await listed()).toEqual(isActive ? [profile.id] : []);
        }
        const final = (await getProfile(profile.id)).body.data;
        expect(final.isActive).toBe(true);
        // Toggling the status changes nothing else.
        expect({ ...final, updatedAt: null }).toEqual({ ...profile, university, updatedAt: null });
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 22: Profile Statistics Display", async () => {
    const stats = fc
      .record({
        total: fc.integer({ min: 0, max: 10_000 }),
        completedShare: fc.double({ min: 0, max: 1, noNaN: true }),
        cancelledShare: fc.double({ min: 0, max: 1, noNaN: true }),
        ratedShare: fc.double({ min: 0, max: 1, noNaN: true }),
        ratingHundredths: fc.integer({ min: 100, max: 500 }),
      })
      .map(({ total, completedShare, cancelledShare, ratedShare, ratingHundredths }) => {
        const completed = Math.floor(total * completedShare);
        const cancelled = Math.floor((total - completed) * cancelledShare);
        const ratings = Math.floor(completed * ratedShare);
        return { total, completed, cancelled, ratings, ratingHundredths: ratings > 0 ? ratingHundredths : null };
      });
    await fc.assert(
      fc.asyncProperty(stats, async (s) => {
        const [user] = await app.database.db
          .insert(users)
          .values({ email: `stats.${++seq}.${run}@example.fr`, name: "Stats Mentor" })
          .returning({ id: users.id });
        const id = newId();
        await app.database.db.insert(studentProfiles).values({
          id,
          userId: user!.id,
          ...validProfile(),
          field: "SCIENCES",
          totalSessions: s.total,
          completedSessions: s.completed,
          cancelledSessions: s.cancelled,
          totalRatings: s.ratings,
          averageRating: s.ratingHundredths === null ? null : s.ratingHundredths / 100,
        });
        const { res, body } = await getProfile(id);
        expect(res.status).toBe(200);
        const p = body.data;
        for (const key of ["totalSessions", "completedSessions", "cancelledSessions", "averageRating", "totalRatings"]) {
          expect(Object.keys(p)).toContain(key);
        }
        // Mean rating to one decimal, half up, computed on the exact hundredths.
        const expectedRating = s.ratingHundredths === null ? null : Math.floor((s.ratingHundredths + 5) / 10) / 10;
        expect({
          totalSessions: p.totalSessions,
          completedSessions: p.completedSessions,
          cancelledSessions: p.cancelledSessions,
          averageRating: p.averageRating,
          totalRatings: p.totalRatings,
        }).toEqual({
          totalSessions: s.total,
          completedSessions: s.completed,
          cancelledSessions: s.cancelled,
          averageRating: expectedRating,
          totalRatings: s.ratings,
        });
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("a new profile starts with zero sessions and no rating", async () => {
    const { profile } = await createProfile();
    expect(profile).toMatchObject({ totalSessions: 0, completedSessions: 0, cancelledSessions: 0, averageRating: null, totalRatings: 0 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Photo upload (Property 2)
// ---------------------------------------------------------------------------------------------------------------

type ImageFormat = "jpeg" | "png" | "webp" | "gif";
const mimeOf: Record<ImageFormat, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp", gif: "image/gif" };

async function makeImage(width: number, height: number, format: ImageFormat, rgb: [number, number, number] = [40, 120, 200], alpha = 1) {
  const { default: sharp } = await import("sharp");
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 4, background: { r: rgb[0], g: rgb[1], b: rgb[2], alpha } } })
      .toFormat(format)
      .toBuffer(),
  );
}

async function noiseImage(width: number, height: number) {
  const { default: sharp } = await import("sharp");
  const pixels = crypto.getRandomValues(new Uint8Array(width * height * 3));
  return new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

function uploadPhoto(target: TestApp, profileId: string, bytes: Uint8Array, type: string, filename: string, token: string) {
  const form = new FormData();
  form.append("photo", new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), filename);
  return target.request(`/api/v2/students/${profileId}/photo`, { method: "POST", token, body: form });
}

/** The returned URL is absolute against the configured public URL; fetch its path from the running test server. */
const servedPath = (url: string) => new URL(url).pathname;
const mediaFile = (target: TestApp, url: string) => join(target.config.mediaDir, servedPath(url).slice("/media/".length));

describe("profile photo", () => {
  // sharp encodes and decodes up to 2000x2000 pixels per run; 100 runs take about 15-30 s here.
  test("Property 2: Profile Photo Normalization", async () => {
    const { default: sharp } = await import("sharp");
    const { profile } = await createProfile();
    let previous: string | null = null;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom<ImageFormat>("jpeg", "png", "webp", "gif"),
        fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })),
        fc.constantFrom(1, 0.5, 0),
        async (width, height, format, rgb, alpha) => {
          const image = await makeImage(width, height, format, rgb, alpha);
          const res = await uploadPhoto(app, profile.id, image, mimeOf[format], `photo.${format}`, admin);
          expect(res.status).toBe(200);
          const url: string = (await json(res)).data.profilePhotoUrl;
          expect(url.startsWith(`${app.config.publicUrl}/media/photos/`)).toBe(true);
          expect((await getProfile(profile.id)).body.data.profilePhotoUrl).toBe(url);

          const served = await fetch(app.baseUrl + servedPath(url));
          expect(served.status).toBe(200);
          expect(served.headers.get("content-type")).toBe("image/webp");
          const meta = await sharp(new Uint8Array(await served.arrayBuffer())).metadata();
          expect({ width: meta.width, height: meta.height, format: meta.format }).toEqual({ width: 400, height: 400, format: "webp" });

          // The photo it replaced is gone, from the disk and from /media.
          if (previous && previous !== url) {
            expect(existsSync(mediaFile(app, previous))).toBe(false);
            expect((await fetch(app.baseUrl + servedPath(previous))).status).toBe(404);
          }
          expect(existsSync(mediaFile(app, url))).toBe(true);
          previous = url;
        },
      ),
      { numRuns: 100 },
    );
  }, 180_000);

  test("uploading a new photo deletes the old file", async () => {
    const { profile } = await createProfile();
    const first = await uploadPhoto(app, profile.id, await makeImage(640, 480, "jpeg"), "image/jpeg", "a.jpg", admin);
    expect(first.status).toBe(200);
    const firstUrl: string = (await json(first)).data.profilePhotoUrl;
    expect(existsSync(mediaFile(app, firstUrl))).toBe(true);

    const second = await uploadPhoto(app, profile.id, await makeImage(300, 900, "png"), "image/png", "b.png", admin);
    expect(second.status).toBe(200);
    const secondUrl: string = (await json(second)).data.profilePhotoUrl;
    expect(secondUrl).not.toBe(firstUrl);
    expect(existsSync(mediaFile(app, firstUrl))).toBe(false);
    expect((await fetch(app.baseUrl + servedPath(firstUrl))).status).toBe(404);
    expect(existsSync(mediaFile(app, secondUrl))).toBe(true);
    expect((await fetch(app.baseUrl + servedPath(secondUrl))).status).toBe(200);
    // The database keeps the relative path; the API makes it absolute.
    expect((await profileRow(profile.id))?.profilePhotoUrl).toBe(servedPath(secondUrl));
  });

  test("a file that is not an image gives 400 INVALID_IMAGE and changes nothing", async () => {
    const { profile } = await createProfile();
    const text = new TextEncoder().encode("this is not an image, just some text pretending to be one");
    await expectError(await uploadPhoto(app, profile.id, text, "image/png", "fake.png", admin), 400, "INVALID_IMAGE");
    const png = await makeImage(50, 50, "png");
    await expectError(await uploadPhoto(app, profile.id, png.slice(0, 40), "image/png", "cut.png", admin), 400, "INVALID_IMAGE");
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expectError(await uploadPhoto(app, profile.id, svg, "image/svg+xml", "x.svg", admin), 400, "INVALID_IMAGE");
    // No `photo` field at all.
    const empty = await app.request(`/api/v2/students/${profile.id}/photo`, { method: "POST", token: admin, body: new FormData() });
    await expectError(empty, 400, "INVALID_IMAGE");
    expect((await getProfile(profile.id)).body.data.profilePhotoUrl).toBeNull();
    expect((await profileRow(profile.id))?.profilePhotoUrl).toBeNull();
  });

  test("photo upload: unknown profile 404, widget 403, mentor only for its own profile", async () => {
    const png = await makeImage(20, 20, "png");
    await expectError(await uploadPhoto(app, "cnonexistent000000000000000", png, "image/png", "a.png", admin), 404, "PROFILE_NOT_FOUND");
    const { userId, profile } = await createProfile();
    const other = await createProfile();
    await expectError(await uploadPhoto(app, profile.id, png, "image/png", "a.png", await app.token("widget")), 403, "INSUFFICIENT_PERMISSIONS");
    const mentor = await app.token("mentor", { sub: String(userId), studentProfileId: profile.id });
    await expectError(await uploadPhoto(app, other.profile.id, png, "image/png", "a.png", mentor), 403, "INSUFFICIENT_PERMISSIONS");
    expect((await profileRow(other.profile.id))?.profilePhotoUrl).toBeNull();
    const own = await uploadPhoto(app, profile.id, png, "image/png", "a.png", mentor);
    expect(own.status).toBe(200);
    expect((await json(own)).data.profilePhotoUrl).toContain("/media/photos/");
  });

  test("a photo over MAX_UPLOAD_BYTES gives 413 PAYLOAD_TOO_LARGE and changes nothing", async () => {
    const small = await startTestApp({ env: { MAX_UPLOAD_BYTES: "2048" } });
    try {
      const token = await small.token("admin");
      const user = await small.request("/api/v2/users", { method: "POST", token, json: { email: `limit.${run}@example.fr`, name: "Limit" } });
      const userId = (await json(user)).data.id;
      const created = await small.request(`/api/v2/students/${userId}/profile`, { method: "POST", token, json: validProfile() });
      const profileId = (await json(created)).data.id;

      // Under the limit: accepted, so the limit (not something else) is what refuses the bigger one.
      const tiny = await makeImage(8, 8, "png");
      expect(tiny.length).toBeLessThan(2048);
      const accepted = await uploadPhoto(small, profileId, tiny, "image/png", "tiny.png", token);
      expect(accepted.status).toBe(200);
      const keptUrl = (await json(accepted)).data.profilePhotoUrl;

      const big = await noiseImage(64, 64);
      expect(big.length).toBeGreaterThan(2048);
      const refused = await expectError(await uploadPhoto(small, profileId, big, "image/png", "big.png", token), 413, "PAYLOAD_TOO_LARGE");
      expect(refused.error.message).toContain("2 KB");
      const after = await small.request(`/api/v2/students/${profileId}`, { token });
      expect((await json(after)).data.profilePhotoUrl).toBe(keptUrl);
      expect(existsSync(mediaFile(small, keptUrl))).toBe(true);

      // Far over the limit the body is refused before any route reads it, still in the envelope.
      const huge = await noiseImage(200, 200);
      expect(huge.length).toBeGreaterThan(2048 + 65536);
      const transport = await uploadPhoto(small, profileId, huge, "image/png", "huge.png", token);
      await expectError(transport, 413, "PAYLOAD_TOO_LARGE");
      expect((await json(await small.request(`/api/v2/students/${profileId}`, { token }))).data.profilePhotoUrl).toBe(keptUrl);
    } finally {
      await small.stop();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// Validation rules: every boundary, through POST and PUT, and nothing written when refused
// ---------------------------------------------------------------------------------------------------------------

const emoji = "😀";
const invalidValues: [string, Record<string, unknown>][] = [
  ["university empty", { university: "" }],
  ["university whitespace only", { university: "   \t  " }],
  ["university 201 characters", { university: "u".repeat(201) }],
  ["university 201 astral characters", { university: "𝔘".repeat(201) }],
  ["university null", { university: null }],
  ["university not a string", { university: 42 }],
  ["university with NUL", { university: "Sorbonne\u0000" }],
  ["degree empty", { degree: "" }],
  ["degree whitespace only", { degree: " \n " }],
  ["degree 201 characters", { degree: "d".repeat(201) }],
  ["degree null", { degree: null }],
  ["currentYear 0", { currentYear: 0 }],
  ["currentYear 11", { currentYear: 11 }],
  ["currentYear 2.5", { currentYear: 2.5 }],
  ["currentYear -1", { currentYear: -1 }],
  ["currentYear null", { currentYear: null }],
  ["bio 49 characters", { bio: "b".repeat(49) }],
  ["bio 1001 characters", { bio: "b".repeat(1001) }],
  ["bio 49 emoji", { bio: emoji.repeat(49) }],
  ["bio 1001 emoji", { bio: emoji.repeat(1001) }],
  ["bio empty", { bio: "" }],
  ["bio null", { bio: null }],
  ["bio with NUL", { bio: `${"b".repeat(60)}\u0000` }],
  ["field unknown", { field: "ASTRONOMY" }],
  ["field lower case", { field: "law" }],
  ["field empty", { field: "" }],
  ["field null", { field: null }],
  ["profilePhotoUrl http", { profilePhotoUrl: "http://cdn.thotis.fr/profiles/marie.jpg" }],
  ["profilePhotoUrl without host", { profilePhotoUrl: "https://" }],
  ["profilePhotoUrl ftp", { profilePhotoUrl: "ftp://cdn.thotis.fr/marie.jpg" }],
  ["profilePhotoUrl not a URL", { profilePhotoUrl: "marie.jpg" }],
  ["profilePhotoUrl media path", { profilePhotoUrl: "/media/photos/marie.webp" }],
  ["profilePhotoUrl javascript", { profilePhotoUrl: "javascript:alert(1)" }],
  ["linkedInUrl http", { linkedInUrl: "http://www.linkedin.com/in/marie-dubois" }],
  ["linkedInUrl without path", { linkedInUrl: "https://www.linkedin.com/" }],
  ["linkedInUrl bare host", { linkedInUrl: "https://linkedin.com" }],
  ["linkedInUrl other site", { linkedInUrl: "https://example.com/in/marie-dubois" }],
  ["linkedInUrl look-alike host", { linkedInUrl: "https://notlinkedin.com/in/marie-dubois" }],
  ["linkedInUrl linkedin.com as subdomain", { linkedInUrl: "https://linkedin.com.evil.example/in/marie" }],
  ["linkedInUrl with space", { linkedInUrl: "https://www.linkedin.com/in/marie dubois" }],
  ["linkedInUrl without scheme", { linkedInUrl: "www.linkedin.com/in/marie-dubois" }],
  ["extra property", { extra: "value" }],
  ["server-owned property averageRating", { averageRating: 5 }],
  ["server-owned property totalSessions", { totalSessions: 12 }],
  ["server-owned property userId", { userId: 1 }],
];

const validValues: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ["university 1 character", { university: "U" }, { university: "U" }],
  ["university 200 characters", { university: "u".repeat(200) }, { university: "u".repeat(200) }],
  ["university 200 astral characters", { university: "𝔘".repeat(200) }, { university: "𝔘".repeat(200) }],
  ["university padded is trimmed", { university: "  Sorbonne Université \t" }, { university: "Sorbonne Université" }],
  ["degree 1 character", { degree: "D" }, { degree: "D" }],
  ["degree 200 characters", { degree: "d".repeat(200) }, { degree: "d".repeat(200) }],
  ["degree padded is trimmed", { degree: "\u00a0Licence de Droit " }, { degree: "Licence de Droit" }],
  ["currentYear 1", { currentYear: 1 }, { currentYear: 1 }],
  ["currentYear 10", { currentYear: 10 }, { currentYear: 10 }],
  ["bio 50 characters", { bio: "b".repeat(50) }, { bio: "b".repeat(50) }],
  ["bio 1000 characters", { bio: "b".repeat(1000) }, { bio: "b".repeat(1000) }],
  ["bio 50 emoji", { bio: emoji.repeat(50) }, { bio: emoji.repeat(50) }],
  ["bio 1000 emoji", { bio: emoji.repeat(1000) }, { bio: emoji.repeat(1000) }],
  ["every academic field (ARTS)", { field: "ARTS" }, { field: "ARTS" }],
  ["profilePhotoUrl https", { profilePhotoUrl: "https://cdn.thotis.fr/profiles/marie.jpg?v=2" }, { profilePhotoUrl: "https://cdn.thotis.fr/profiles/marie.jpg?v=2" }],
  ["profilePhotoUrl null", { profilePhotoUrl: null }, { profilePhotoUrl: null }],
  ["linkedInUrl www", { linkedInUrl: "https://www.linkedin.com/in/marie-dubois" }, { linkedInUrl: "https://www.linkedin.com/in/marie-dubois" }],
  ["linkedInUrl bare domain", { linkedInUrl: "https://linkedin.com/in/marie" }, { linkedInUrl: "https://linkedin.com/in/marie" }],
  ["linkedInUrl country subdomain", { linkedInUrl: "https://fr.linkedin.com/in/marie-dubois/" }, { linkedInUrl: "https://fr.linkedin.com/in/marie-dubois/" }],
  ["linkedInUrl null", { linkedInUrl: null }, { linkedInUrl: null }],
];

describe("validation rules", () => {
  test.each(invalidValues)("POST refuses %s with 400 INVALID_PROFILE_DATA and writes nothing", async (_label, change) => {
    const userId = await createUser();
    const { res } = await postProfile(userId, { ...validProfile(), ...change });
    await expectError(res, 400, "INVALID_PROFILE_DATA");
    expect(await profileRowsOf(userId)).toBe(0);
  });

  test.each(["university", "degree", "field", "currentYear", "bio"])("POST without %s gives 400 INVALID_PROFILE_DATA", async (key) => {
    const userId = await createUser();
    const body: Record<string, unknown> = validProfile();
    delete body[key];
    await expectError((await postProfile(userId, body)).res, 400, "INVALID_PROFILE_DATA");
    expect(await profileRowsOf(userId)).toBe(0);
  });

  test("PUT refuses every invalid value with 400 INVALID_PROFILE_DATA and changes nothing", async () => {
    const { profile } = await createProfile({ ...validProfile(), linkedInUrl: "https://www.linkedin.com/in/before" });
    const rowBefore = await profileRow(profile.id);
    for (const [label, change] of [...invalidValues, ["empty body", {}] as [string, Record<string, unknown>]]) {
      const res = await app.request(`/api/v2/students/${profile.id}/profile`, { method: "PUT", token: admin, json: change });
      const body = await json(res);
      expect({ label, status: res.status, code: body?.error?.code }).toEqual({ label, status: 400, code: "INVALID_PROFILE_DATA" });
    }
    expect(await profileRow(profile.id)).toEqual(rowBefore);
    expect((await getProfile(profile.id)).body.data).toEqual(profile);
  });

  test("PATCH /status refuses a non-boolean or extra properties", async () => {
    const { profile } = await createProfile();
    for (const body of [{}, { isActive: "false" }, { isActive: null }, { isActive: false, isComplete: true }]) {
      const res = await app.request(`/api/v2/students/${profile.id}/status`, { method: "PATCH", token: admin, json: body });
      await expectError(res, 400, "INVALID_PROFILE_DATA");
    }
    expect((await profileRow(profile.id))?.isActive).toBe(true);
  });

  test.each(validValues)("PUT accepts %s", async (_label, change, stored) => {
    const { profile } = await createProfile();
    const res = await app.request(`/api/v2/students/${profile.id}/profile`, { method: "PUT", token: admin, json: change });
    expect(res.status).toBe(200);
    expect((await json(res)).data).toMatchObject(stored);
    expect((await getProfile(profile.id)).body.data).toMatchObject(stored);
  });

  test.each(validValues)("POST accepts %s", async (_label, change, stored) => {
    const userId = await createUser();
    const { res, body } = await postProfile(userId, { ...validProfile(), ...change });
    expect(res.status).toBe(201);
    expect(body.data).toMatchObject(stored);
    expect(await profileRowsOf(userId)).toBe(1);
  });

  test("PUT changes only the fields sent (a missing field is not defaulted)", async () => {
    const { profile } = await createProfile({ ...validProfile(), field: "MEDICINE", linkedInUrl: "https://www.linkedin.com/in/keep" });
    const res = await app.request(`/api/v2/students/${profile.id}/profile`, { method: "PUT", token: admin, json: { currentYear: 5 } });
    expect(res.status).toBe(200);
    const after = (await json(res)).data;
    expect({ ...after, updatedAt: null }).toEqual({ ...profile, currentYear: 5, updatedAt: null });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Who may do what, and the remaining error cases
// ---------------------------------------------------------------------------------------------------------------

describe("authorisation and errors", () => {
  test("a widget token cannot create, update or change the status of a profile (403), but can read it", async () => {
    const widget = await app.token("widget");
    const userId = await createUser();
    await expectError((await postProfile(userId, validProfile(), widget)).res, 403, "INSUFFICIENT_PERMISSIONS");
    expect(await profileRowsOf(userId)).toBe(0);

    const { profile } = await createProfile();
    const put = await app.request(`/api/v2/students/${profile.id}/profile`, { method: "PUT", token: widget, json: { currentYear: 9 } });
    await expectError(put, 403, "INSUFFICIENT_PERMISSIONS");
    const patch = await app.request(`/api/v2/students/${profile.id}/status`, { method: "PATCH", token: widget, json: { isActive: false } });
    await expectError(patch, 403, "INSUFFICIENT_PERMISSIONS");
    const row = await profileRow(profile.id);
    expect({ currentYear: row?.currentYear, isActive: row?.isActive }).toEqual({ currentYear: 2, isActive: true });
    const read = await getProfile(profile.id, widget);
    expect(read.res.status).toBe(200);
    expect(read.body.data.id).toBe(profile.id);
  });

  test("without a token every profile route answers 401", async () => {
    const { userId, profile } = await createProfile();
    const calls: [string, string, unknown][] = [
      ["GET", `/api/v2/students/${profile.id}`, undefined],
      ["POST", `/api/v2/students/${userId}/profile`, validProfile()],
      ["PUT", `/api/v2/students/${profile.id}/profile`, { currentYear: 3 }],
      ["PATCH", `/api/v2/students/${profile.id}/status`, { isActive: false }],
    ];
    for (const [method, path, body] of calls) {
      const res = await app.request(path, { method, json: body });
      expect({ method, status: res.status }).toEqual({ method, status: 401 });
    }
    expect((await profileRow(profile.id))?.currentYear).toBe(2);
  });

  test("a mentor may update only its own profile", async () => {
    const mine = await createProfile();
    const theirs = await createProfile();
    const mentor = await app.token("mentor", { sub: String(mine.userId), studentProfileId: mine.profile.id });

    const own = await app.request(`/api/v2/students/${mine.profile.id}/profile`, { method: "PUT", token: mentor, json: { currentYear: 4 } });
    expect(own.status).toBe(200);
    expect((await json(own)).data.currentYear).toBe(4);
    const ownStatus = await app.request(`/api/v2/students/${mine.profile.id}/status`, { method: "PATCH", token: mentor, json: { isActive: false } });
    expect(ownStatus.status).toBe(200);

    const other = await app.request(`/api/v2/students/${theirs.profile.id}/profile`, { method: "PUT", token: mentor, json: { currentYear: 4 } });
    await expectError(other, 403, "INSUFFICIENT_PERMISSIONS");
    const otherStatus = await app.request(`/api/v2/students/${theirs.profile.id}/status`, {
      method: "PATCH",
      token: mentor,
      json: { isActive: false },
    });
    await expectError(otherStatus, 403, "INSUFFICIENT_PERMISSIONS");
    const row = await profileRow(theirs.profile.id);
    expect({ currentYear: row?.currentYear, isActive: row?.isActive }).toEqual({ currentYear: 2, isActive: true });

    // A mentor token that names no profile may change none.
    const bare = await app.token("mentor", { sub: String(mine.userId) });
    const res = await app.request(`/api/v2/students/${mine.profile.id}/profile`, { method: "PUT", token: bare, json: { currentYear: 6 } });
    await expectError(res, 403, "INSUFFICIENT_PERMISSIONS");
  });

  test("a mentor may create its own profile only", async () => {
    const me = await createUser();
    const someoneElse = await createUser();
    const mentor = await app.token("mentor", { sub: String(me) });
    await expectError((await postProfile(someoneElse, validProfile(), mentor)).res, 403, "INSUFFICIENT_PERMISSIONS");
    expect(await profileRowsOf(someoneElse)).toBe(0);
    const { res, body } = await postProfile(me, validProfile(), mentor);
    expect(res.status).toBe(201);
    expect(body.data.userId).toBe(me);
  });

  test("integrators may create and update profiles", async () => {
    const integrator = await app.token("integrator");
    const userId = await createUser();
    const { res, body } = await postProfile(userId, validProfile(), integrator);
    expect(res.status).toBe(201);
    const put = await app.request(`/api/v2/students/${body.data.id}/profile`, { method: "PUT", token: integrator, json: { currentYear: 7 } });
    expect(put.status).toBe(200);
    expect((await json(put)).data.currentYear).toBe(7);
  });

  test("POST for a user that does not exist gives 404 USER_NOT_FOUND", async () => {
    const before = (await app.database.db.select({ n: count() }).from(studentProfiles))[0]!.n;
    await expectError((await postProfile(987_654, validProfile())).res, 404, "USER_NOT_FOUND");
    expect((await app.database.db.select({ n: count() }).from(studentProfiles))[0]!.n).toBe(before);
  });

  test("a second profile for the same user gives 409 PROFILE_ALREADY_EXISTS", async () => {
    const { userId, profile } = await createProfile();
    const again = await postProfile(userId, { ...validProfile(), university: "Another University" });
    await expectError(again.res, 409, "PROFILE_ALREADY_EXISTS");
    expect(await profileRowsOf(userId)).toBe(1);
    expect((await profileRow(profile.id))?.university).toBe(validProfile().university);
  });

  test.each(["admin", "integrator"] as const)("a profile for an %s user gives 400", async (role) => {
    const userId = await createUser(role);
    await expectError((await postProfile(userId, validProfile())).res, 400, "INVALID_PROFILE_DATA");
    expect(await profileRowsOf(userId)).toBe(0);
  });

  test("unknown profile ids give 404 PROFILE_NOT_FOUND on GET, PUT and PATCH", async () => {
    const id = "cunknown00000000000000000";
    await expectError((await getProfile(id)).res, 404, "PROFILE_NOT_FOUND");
    await expectError(await app.request(`/api/v2/students/${id}/profile`, { method: "PUT", token: admin, json: { currentYear: 3 } }), 404, "PROFILE_NOT_FOUND");
    await expectError(await app.request(`/api/v2/students/${id}/status`, { method: "PATCH", token: admin, json: { isActive: true } }), 404, "PROFILE_NOT_FOUND");
  });

  test("a non-numeric user id on POST gives 400", async () => {
    const res = await app.request("/api/v2/students/abc/profile", { method: "POST", token: admin, json: validProfile() });
    expect(res.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The database refuses invalid profiles by itself (CHECK constraints), even when the API is bypassed
// ---------------------------------------------------------------------------------------------------------------

describe("database constraints", () => {
  const complete = () => ({ ...validProfile(), field: "LAW" as const });

  async function insertUser(role: "mentor" | "admin" = "mentor") {
    const [user] = await app.database.db
      .insert(users)
      .values({ email: `db.${++seq}.${run}@example.fr`, name: "Direct", role })
      .returning({ id: users.id });
    return user!.id;
  }

  async function insertProfile(values: Partial<NewStudentProfile>) {
    const userId = await insertUser();
    const id = newId();
    await app.database.db.insert(studentProfiles).values({ id, userId, ...complete(), ...values });
    return id;
  }

  const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

  test.each<[string, Partial<NewStudentProfile>, string]>([
    ["empty university", { university: "" }, "23514"],
    ["blank university", { university: "    " }, "23514"],
    ["201-character university", { university: "u".repeat(201) }, "22001"],
    ["blank degree", { degree: " " }, "23514"],
    ["currentYear 0", { currentYear: 0 }, "23514"],
    ["currentYear 11", { currentYear: 11 }, "23514"],
    ["49-character bio", { bio: "b".repeat(49) }, "23514"],
    ["49-emoji bio", { bio: emoji.repeat(49) }, "23514"],
    ["1001-character bio", { bio: "b".repeat(1001) }, "23514"],
    ["http photo", { profilePhotoUrl: "http://cdn.example.com/a.jpg" }, "23514"],
    ["LinkedIn on another host", { linkedInUrl: "https://example.com/in/marie" }, "23514"],
    ["http LinkedIn", { linkedInUrl: "http://www.linkedin.com/in/marie" }, "23514"],
    ["rating under 1", { averageRating: 0.99, totalRatings: 1 }, "23514"],
    ["rating over 5", { averageRating: 5.01, totalRatings: 1 }, "23514"],
    ["negative counter", { totalSessions: -1 }, "23514"],
    ["more completed and cancelled than total", { totalSessions: 3, completedSessions: 2, cancelledSessions: 2 }, "23514"],
  ])("a profile row with %s is refused by the database", async (_label, values, state) => {
    const before = (await app.database.db.select({ n: count() }).from(studentProfiles))[0]!.n;
    const error = await failureOf(insertProfile(values));
    expect(error).not.toBeNull();
    expect(sqlState(error)).toBe(state);
    expect((await app.database.db.select({ n: count() }).from(studentProfiles))[0]!.n).toBe(before);
  });

  test("updates are checked too", async () => {
    const id = await insertProfile({});
    for (const change of [{ currentYear: 42 }, { bio: "short" }, { university: "" }] as Partial<NewStudentProfile>[]) {
      const error = await failureOf(app.database.db.update(studentProfiles).set(change).where(eq(studentProfiles.id, id)));
      expect(sqlState(error)).toBe("23514");
    }
    expect((await profileRow(id))?.currentYear).toBe(2);
  });

  test("boundary values and incomplete rows are accepted by the database", async () => {
    for (const values of [
      { university: "u".repeat(200), degree: "d", currentYear: 1, bio: emoji.repeat(1000) },
      { currentYear: 10, bio: emoji.repeat(50), averageRating: 5, totalRatings: 2, profilePhotoUrl: "/media/photos/x.webp" },
      { university: null, degree: null, field: null, currentYear: null, bio: null, averageRating: 1 },
    ] as Partial<NewStudentProfile>[]) {
      const id = await insertProfile(values);
      expect((await profileRow(id))?.id).toBe(id);
    }
  });

  test("is_complete is computed by the database from the required fields", async () => {
    const complete = await insertProfile({});
    const incomplete = await insertProfile({ bio: null });
    expect((await profileRow(complete))?.isComplete).toBe(true);
    expect((await profileRow(incomplete))?.isComplete).toBe(false);
    expect((await getProfile(incomplete)).body.data.isComplete).toBe(false);
  });

  test("one profile per user, and user rows are checked too", async () => {
    const userId = await insertUser();
    await app.database.db.insert(studentProfiles).values({ id: newId(), userId, ...complete() });
    const duplicate = await failureOf(app.database.db.insert(studentProfiles).values({ id: newId(), userId, ...complete() }));
    expect(sqlState(duplicate)).toBe("23505");
    const badEmail = await failureOf(app.database.db.insert(users).values({ email: "not-an-email", name: "X" }));
    expect(sqlState(badEmail)).toBe("23514");
    const blankName = await failureOf(app.database.db.insert(users).values({ email: `blank.${run}@example.fr`, name: "   " }));
    expect(sqlState(blankName)).toBe("23514");
    await app.database.db.insert(users).values({ email: `Twice.${run}@Example.fr`, name: "Once" });
    const sameEmail = await failureOf(app.database.db.insert(users).values({ email: `twice.${run}@example.FR`, name: "Twice" }));
    expect(sqlState(sameEmail)).toBe("23505");
  });
});
