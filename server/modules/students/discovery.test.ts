import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { newId } from "../../../db/ids.ts";
import { type AcademicField, academicFields, type NewStudentProfile, studentProfiles, users } from "../../../db/schema/index.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

let app: TestApp;
let admin: string;
let widget: string;
let seq = 0;
const run = Date.now().toString(36);

type Json = any;
const codePoints = (s: string) => Array.from(s).length;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token("admin");
  widget = await app.token("widget");
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// Seeding: random populations written straight into the database (fast), and an oracle that says what the
// discovery routes must answer for them.
// ---------------------------------------------------------------------------------------------------------------

const requiredFields = ["university", "degree", "field", "currentYear", "bio"] as const;

interface Seed {
  university: string;
  degree: string;
  field: AcademicField;
  currentYear: number;
  bio: string;
  isActive: boolean;
  /** Required fields left empty (an incomplete profile when not empty). */
  missing: (typeof requiredFields)[number][];
  /** Average rating in hundredths (numeric(3,2)), null without ratings. */
  rating: number | null;
  totalRatings: number;
}

interface Seeded extends Seed {
  id: string;
  userId: number;
}

/** Look-alikes on purpose: the university filter must be exact (case, accents, suffixes). */
const universityPool = ["Sorbonne Université", "sorbonne université", "Université Paris 1", "Université Paris 12", "ÉNS Lyon", "ENS Lyon"];
/** A few fields only, so filters often match several profiles. */
const fieldPool: AcademicField[] = ["LAW", "MEDICINE", "COMPUTER_SCIENCE"];

const seedArb = (bio: fc.Arbitrary<string> = fc.string({ minLength: 50, maxLength: 70 })): fc.Arbitrary<Seed> =>
  fc
    .record({
      university: fc.constantFrom(...universityPool),
      degree: fc.constantFrom("Licence de Droit", "Master 2", "Doctorat"),
      field: fc.constantFrom(...fieldPool),
      currentYear: fc.integer({ min: 1, max: 10 }),
      bio,
      isActive: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      missing: fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as Seed["missing"]) },
        { weight: 1, arbitrary: fc.subarray([...requiredFields], { minLength: 1 }) },
      ),
      rating: fc.option(fc.integer({ min: 100, max: 500 }), { nil: null, freq: 4 }),
      totalRatings: fc.integer({ min: 1, max: 40 }),
    })
    .map((s) => ({ ...s, totalRatings: s.rating === null ? 0 : s.totalRatings }));

async function reset() {
  await app.database.db.delete(studentProfiles);
  await app.database.db.delete(users);
}

async function seed(population: Seed[]): Promise<Seeded[]> {
  if (population.length === 0) return [];
  const created = await app.database.db
    .insert(users)
    .values(population.map((_, i) => ({ email: `seed.${++seq}.${i}.${run}@example.fr`, name: `Mentor ${seq}` })))
    .returning({ id: users.id });
  const rows: Seeded[] = population.map((s, i) => ({ ...s, id: newId(), userId: created[i]!.id }));
  await app.database.db.insert(studentProfiles).values(
    rows.map((s): NewStudentProfile => {
      const row: NewStudentProfile = {
        id: s.id,
        userId: s.userId,
        university: s.university,
        degree: s.degree,
        field: s.field,
        currentYear: s.currentYear,
        bio: s.bio,
        isActive: s.isActive,
        averageRating: s.rating === null ? null : s.rating / 100,
        totalRatings: s.totalRatings,
        totalSessions: s.totalRatings,
        completedSessions: s.totalRatings,
      };
      for (const key of s.missing) row[key] = null;
      return row;
    }),
  );
  return rows;
}

/**
 * Rows written behind the API's back are not known to the list cache. A status change through the API (to the
 * value it already has) invalidates the lists, as any profile write does, so the next reads see the new population.
 */
async function refreshLists(rows: Seeded[]) {
  const first = rows[0];
  if (!first) return;
  const res = await app.request(`/api/v2/students/${first.id}/status`, { method: "PATCH", token: admin, json: { isActive: first.isActive } });
  expect(res.status).toBe(200);
}

async function reseed(population: Seed[]) {
  await reset();
  const rows = await seed(population);
  await refreshLists(rows);
  return rows;
}

interface Filters {
  field?: AcademicField;
  university?: string;
  minRating?: number;
}

const isComplete = (s: Seed) => s.missing.length === 0;
const matches = (s: Seed, f: Filters) =>
  isComplete(s) &&
  s.isActive &&
  (f.field === undefined || s.field === f.field) &&
  (f.university === undefined || s.university === f.university) &&
  // minRating compares with the rating as shown, rounded to one decimal (hundredths here: 395 shows as 4.0).
  (f.minRating === undefined || (s.rating !== null && Math.round(s.rating / 10) * 10 >= Math.round(f.minRating * 100)));
/** Best rated first (no rating last), then most ratings, then id: a total order, so pages never overlap. */
const byListingOrder = (a: Seeded, b: Seeded) =>
  (b.rating ?? -1) - (a.rating ?? -1) || b.totalRatings - a.totalRatings || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const expected = (rows: Seeded[], f: Filters) => rows.filter((s) => matches(s, f)).sort(byListingOrder);

const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** One page from /search (no field in the path) or /by-field/:field. */
async function listPage(route: "search" | "by-field", f: Filters, page?: number, pageSize?: number, token = widget) {
  const path =
    route === "search"
      ? `/api/v2/students/search${query({ field: f.field, university: f.university, minRating: f.minRating, page, pageSize })}`
      : `/api/v2/students/by-field/${f.field}${query({ university: f.university, minRating: f.minRating, page, pageSize })}`;
  const res = await app.request(path, { token });
  const body = (await res.json()) as Json;
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return body.data as { profiles: Json[]; total: number; page: number; pageSize: number };
}

/** Every page, in order, checking that the total is the same on each. */
async function listAll(route: "search" | "by-field", f: Filters, pageSize = 100) {
  const all: Json[] = [];
  let total: number | undefined;
  for (let page = 1; page < 1000; page++) {
    const data = await listPage(route, f, page, pageSize);
    expect({ page: data.page, pageSize: data.pageSize }).toEqual({ page, pageSize });
    if (total === undefined) total = data.total;
    expect(data.total).toBe(total);
    expect(data.profiles.length).toBeLessThanOrEqual(pageSize);
    if (data.profiles.length === 0) break;
    all.push(...data.profiles);
    if (data.profiles.length < pageSize) break;
  }
  return { profiles: all, total: total ?? 0 };
}

const filtersArb: fc.Arbitrary<Filters> = fc.record(
  {
    field: fc.constantFrom(...fieldPool),
    university: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...universityPool) }, { weight: 1, arbitrary: fc.constant("Université Inconnue") }),
    minRating: fc.integer({ min: 100, max: 500 }).map((h) => h / 100),
  },
  { requiredKeys: [] },
);
const populationArb = (bio?: fc.Arbitrary<string>) => fc.array(seedArb(bio), { minLength: 1, maxLength: 25 });

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

describe("discovery properties", () => {
  test("Property 4: Incomplete Profile Exclusion", async () => {
    await fc.assert(
      fc.asyncProperty(populationArb(), filtersArb, async (population, filters) => {
        const rows = await reseed(population);
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const result of [await listAll("search", filters), ...(filters.field ? [await listAll("by-field", filters)] : [])]) {
          for (const p of result.profiles) {
            expect(isComplete(byId.get(p.id)!)).toBe(true);
            for (const key of ["university", "degree", "field", "currentYear", "bioExcerpt"]) {
              expect(p[key] === null || p[key] === undefined || p[key] === "").toBe(false);
            }
          }
          expect(result.profiles.map((p) => p.id)).toEqual(expected(rows, filters).map((s) => s.id));
        }
        // Incomplete profiles still exist and can be read one by one; they are only kept out of the lists.
        const incomplete = rows.find((r) => !isComplete(r));
        if (incomplete) {
          const res = await app.request(`/api/v2/students/${incomplete.id}`, { token: widget });
          expect(res.status).toBe(200);
          expect(((await res.json()) as Json).data.isComplete).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 9: Field-Based Filtering", async () => {
    await fc.assert(
      fc.asyncProperty(populationArb(), fc.constantFrom(...academicFields), async (population, field) => {
        const rows = await reseed(population);
        const byId = new Map(rows.map((r) => [r.id, r]));
        const byField = await listAll("by-field", { field });
        const searched = await listAll("search", { field });
        for (const p of byField.profiles) {
          expect(p.field).toBe(field);
          expect(byId.get(p.id)?.field).toBe(field);
          expect(byId.get(p.id)?.isActive).toBe(true);
        }
        const want = expected(rows, { field }).map((s) => s.id);
        expect(byField.profiles.map((p) => p.id)).toEqual(want);
        expect(searched.profiles.map((p) => p.id)).toEqual(want);
        expect(byField.total).toBe(want.length);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 10: Profile Summary Format", async () => {
    // Any Unicode text (astral characters, combining marks, emoji sequences) of 50 to 1000 code points, without NUL.
    const bio = fc
      .oneof(
        fc.string({ unit: "binary", minLength: 50, maxLength: 1000 }),
        fc.string({ unit: "grapheme", minLength: 50, maxLength: 400 }),
        fc.string({ unit: fc.constantFrom("😀", "👩‍🎓", "𝔘", "é", "e\u0301", "a", " ", "🇫🇷"), minLength: 50, maxLength: 600 }),
      )
      .map((s) => s.replaceAll("\u0000", "0"))
      .filter((s) => codePoints(s) >= 50 && codePoints(s) <= 1000);
    const complete = seedArb(bio).map((s) => ({ ...s, missing: [], isActive: true }));
    await fc.assert(
      fc.asyncProperty(fc.array(complete, { minLength: 1, maxLength: 6 }), async (population) => {
        const rows = await reseed(population);
        const bios = new Map(rows.map((r) => [r.id, r.bio]));
        const listed = await listAll("search", {});
        expect(listed.profiles.length).toBe(rows.length);
        const byField = await listAll("by-field", { field: rows[0]!.field });
        for (const p of [...listed.profiles, ...byField.profiles]) {
          const full = bios.get(p.id)!;
          expect(p.bioExcerpt).toBe(Array.from(full).slice(0, 150).join(""));
          expect(codePoints(p.bioExcerpt)).toBe(Math.min(150, codePoints(full)));
          expect(full.startsWith(p.bioExcerpt)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 38: University Filter Accuracy", async () => {
    const university = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...universityPool) }, { weight: 1, arbitrary: fc.constant("Sorbonne") });
    await fc.assert(
      fc.asyncProperty(populationArb(), university, fc.option(fc.constantFrom(...fieldPool), { nil: undefined }), async (population, uni, field) => {
        const rows = await reseed(population);
        const result = await listAll("search", { university: uni, field });
        for (const p of result.profiles) expect(p.university).toBe(uni);
        expect(result.profiles.map((p) => p.id)).toEqual(expected(rows, { university: uni, field }).map((s) => s.id));
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 40: Multiple Filter AND Logic", async () => {
    const allFilters = fc.record({
      field: fc.constantFrom(...fieldPool),
      university: fc.constantFrom(...universityPool),
      minRating: fc.integer({ min: 10, max: 50 }).map((tenths) => tenths / 10),
    });
    await fc.assert(
      fc.asyncProperty(populationArb(), allFilters, async (population, filters) => {
        const rows = await reseed(population);
        const byId = new Map(rows.map((r) => [r.id, r]));
        const want = expected(rows, filters).map((s) => s.id);
        for (const route of ["search", "by-field"] as const) {
          const result = await listAll(route, filters);
          for (const p of result.profiles) {
            const s = byId.get(p.id)!;
            expect(p.field).toBe(filters.field);
            expect(p.university).toBe(filters.university);
            expect(s.rating).not.toBeNull();
            expect(Math.round(s.rating! / 10) / 10).toBeGreaterThanOrEqual(filters.minRating);
            expect(s.isActive && isComplete(s)).toBe(true);
          }
          expect(result.profiles.map((p) => p.id)).toEqual(want);
          expect(result.total).toBe(want.length);
        }
        // Each filter alone lets through at least what all of them together do.
        for (const single of [{ field: filters.field }, { university: filters.university }, { minRating: filters.minRating }]) {
          const ids = new Set((await listAll("search", single)).profiles.map((p) => p.id));
          for (const id of want) expect(ids.has(id)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test("Property 41: Result Count Accuracy", async () => {
    await fc.assert(
      fc.asyncProperty(
        populationArb(),
        filtersArb,
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom<"search" | "by-field">("search", "by-field"),
        async (population, filters, pageSize, route) => {
          const rows = await reseed(population);
          const f = route === "by-field" ? { ...filters, field: filters.field ?? "LAW" } : filters;
          const want = expected(rows, f);
          const result = await listAll(route, f, pageSize);
          expect(result.total).toBe(want.length);
          expect(result.profiles.length).toBe(result.total);
          // Stable order, no duplicates and nothing missing across pages.
          expect(new Set(result.profiles.map((p) => p.id)).size).toBe(result.profiles.length);
          expect(result.profiles.map((p) => p.id)).toEqual(want.map((s) => s.id));
          // A page past the end is empty but still reports the total.
          const lastPage = Math.max(1, Math.ceil(want.length / pageSize));
          for (const page of [lastPage + 1, lastPage + 7]) {
            const beyond = await listPage(route, f, page, pageSize);
            expect(beyond.profiles).toEqual([]);
            expect(beyond.total).toBe(want.length);
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  test("minRating keeps profiles rated at least that much, and never unrated ones", async () => {
    await fc.assert(
      fc.asyncProperty(populationArb(), fc.integer({ min: 100, max: 500 }), async (population, hundredths) => {
        const rows = await reseed(population);
        const minRating = hundredths / 100;
        const result = await listAll("search", { minRating });
        for (const p of result.profiles) {
          const s = rows.find((r) => r.id === p.id)!;
          expect(s.rating).not.toBeNull();
          expect(Math.round(s.rating! / 10) * 10).toBeGreaterThanOrEqual(hundredths); // the rating as shown
        }
        expect(result.profiles.map((p) => p.id)).toEqual(expected(rows, { minRating }).map((s) => s.id));
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// Pagination and query validation
// ---------------------------------------------------------------------------------------------------------------

const complete = (overrides: Partial<Seed> = {}): Seed => ({
  university: "Université de Lille",
  degree: "Licence de Droit",
  field: "LAW",
  currentYear: 2,
  bio: "Étudiante en droit, je réponds à vos questions sur la licence, les partiels et la vie étudiante à Lille.",
  isActive: true,
  missing: [],
  rating: null,
  totalRatings: 0,
  ...overrides,
});

describe("pagination and query validation", () => {
  test("pages split a stable order without duplicates; defaults are page 1 of 20", async () => {
    // Many ties on rating, so the id tie-break decides.
    const rows = await reseed(Array.from({ length: 45 }, (_, i) => complete({ rating: i % 3 === 0 ? null : 400 + (i % 2) * 50, totalRatings: i % 3 === 0 ? 0 : 5 })));
    const first = await listPage("search", {});
    expect({ page: first.page, pageSize: first.pageSize, total: first.total, n: first.profiles.length }).toEqual({ page: 1, pageSize: 20, total: 45, n: 20 });
    const pages = [first, await listPage("search", {}, 2), await listPage("search", {}, 3), await listPage("search", {}, 4)];
    expect(pages.map((p) => p.profiles.length)).toEqual([20, 20, 5, 0]);
    const ids = pages.flatMap((p) => p.profiles.map((x: Json) => x.id));
    expect(new Set(ids).size).toBe(45);
    expect(ids).toEqual(expected(rows, {}).map((s) => s.id));
    // Asking again gives the same order.
    const again = [await listPage("search", {}, 1), await listPage("search", {}, 2), await listPage("search", {}, 3)];
    expect(again.flatMap((p) => p.profiles.map((x: Json) => x.id))).toEqual(ids);
    // One page of 100 holds them all.
    const big = await listPage("search", {}, 1, 100);
    expect(big.profiles.map((x: Json) => x.id)).toEqual(ids);
  });

  test("a search without a field lists every field", async () => {
    const rows = await reseed(academicFields.map((field) => complete({ field })));
    const all = await listAll("search", {});
    expect(all.total).toBe(academicFields.length);
    expect(new Set(all.profiles.map((p) => p.field))).toEqual(new Set(academicFields));
    expect(all.profiles.map((p) => p.id)).toEqual(expected(rows, {}).map((s) => s.id));
  });

  test.each([
    ["pageSize=101", "/api/v2/students/search?pageSize=101"],
    ["pageSize=0", "/api/v2/students/search?pageSize=0"],
    ["page=0", "/api/v2/students/search?page=0"],
    ["page=-1", "/api/v2/students/search?page=-1"],
    ["page=abc", "/api/v2/students/search?page=abc"],
    ["page=1.5", "/api/v2/students/search?page=1.5"],
    ["minRating=0.5", "/api/v2/students/search?minRating=0.5"],
    ["minRating=5.5", "/api/v2/students/search?minRating=5.5"],
    ["minRating=abc", "/api/v2/students/search?minRating=abc"],
    ["unknown field in the query", "/api/v2/students/search?field=ASTRONOMY"],
    ["lower-case field in the query", "/api/v2/students/search?field=law"],
    ["unknown field in the path", "/api/v2/students/by-field/ASTRONOMY"],
    ["by-field pageSize=101", "/api/v2/students/by-field/LAW?pageSize=101"],
    ["by-field page=0", "/api/v2/students/by-field/LAW?page=0"],
  ])("%s gives 400 INVALID_INPUT", async (_label, path) => {
    const res = await app.request(path, { token: widget });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.status).toBe("error");
    expect(body.error.code).toBe("INVALID_INPUT");
  });

  test("pageSize=100 is allowed; every role may list; no token gives 401", async () => {
    await reseed([complete()]);
    for (const role of ["admin", "integrator", "mentor", "widget"] as const) {
      const res = await app.request("/api/v2/students/by-field/LAW?pageSize=100", { token: await app.token(role, { sub: "1" }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).data.total).toBe(1);
    }
    expect((await app.request("/api/v2/students/search")).status).toBe(401);
    expect((await app.request("/api/v2/students/by-field/LAW")).status).toBe(401);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Cache: lists and profiles are cached, and every profile write is visible immediately afterwards
// ---------------------------------------------------------------------------------------------------------------

describe("cache", () => {
  const put = (id: string, json: unknown) => app.request(`/api/v2/students/${id}/profile`, { method: "PUT", token: admin, json });
  const setStatus = (id: string, isActive: boolean) =>
    app.request(`/api/v2/students/${id}/status`, { method: "PATCH", token: admin, json: { isActive } });
  const getOne = async (id: string) => ((await (await app.request(`/api/v2/students/${id}`, { token: widget })).json()) as Json).data;
  const ids = (list: { profiles: Json[] }) => list.profiles.map((p) => p.id);

  async function createThroughApi(overrides: Record<string, unknown> = {}) {
    const user = await app.request("/api/v2/users", { method: "POST", token: admin, json: { email: `cache.${++seq}.${run}@example.fr`, name: "Cache" } });
    const userId = ((await user.json()) as Json).data.id;
    const res = await app.request(`/api/v2/students/${userId}/profile`, {
      method: "POST",
      token: admin,
      json: { university: "Cache University", degree: "Master 1", field: "LAW", currentYear: 3, bio: complete().bio, ...overrides },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as Json).data;
  }

  test("a list is served from the cache: a row written behind the API's back stays invisible until a profile write", async () => {
    await reset();
    const a = await createThroughApi();
    const filters = { university: "Cache University" };
    expect(ids(await listPage("search", filters))).toEqual([a.id]);

    const [hidden] = await seed([complete({ university: "Cache University", rating: 500, totalRatings: 3 })]);
    // Same query again: answered from the cache, so the direct insert is not there.
    expect(ids(await listPage("search", filters))).toEqual([a.id]);
    expect((await listPage("search", filters)).total).toBe(1);
    // A different query is a different cache entry and does see it.
    expect(ids(await listPage("search", filters, 1, 50))).toEqual([hidden!.id, a.id]);

    // Any profile write through the API invalidates every list.
    expect((await setStatus(a.id, false)).status).toBe(200);
    expect(ids(await listPage("search", filters))).toEqual([hidden!.id]);
    expect((await setStatus(a.id, true)).status).toBe(200);
    expect(ids(await listPage("search", filters))).toEqual([hidden!.id, a.id]);
  });

  test("a single profile is cached too, and an update through the API replaces it at once", async () => {
    await reset();
    const a = await createThroughApi();
    expect((await getOne(a.id)).currentYear).toBe(3);
    await app.database.db.update(studentProfiles).set({ currentYear: 9 }).where(eq(studentProfiles.id, a.id));
    expect((await getOne(a.id)).currentYear).toBe(3);
    expect((await put(a.id, { degree: "Master 2" })).status).toBe(200);
    const fresh = await getOne(a.id);
    expect({ degree: fresh.degree, currentYear: fresh.currentYear }).toEqual({ degree: "Master 2", currentYear: 9 });
  });

  test("updates and status changes are visible immediately in GET /:id and in every list", async () => {
    await reset();
    const a = await createThroughApi();
    const b = await createThroughApi({ field: "MEDICINE" });
    // Warm every cache entry involved.
    expect((await getOne(a.id)).bio).toBe(complete().bio);
    expect(ids(await listPage("by-field", { field: "LAW" }))).toEqual([a.id]);
    expect(ids(await listPage("by-field", { field: "MEDICINE" }))).toEqual([b.id]);
    expect(ids(await listPage("search", { university: "Cache University", field: "LAW" }))).toEqual([a.id]);
    expect((await listPage("search", {})).total).toBe(2);

    // New bio: the profile and the excerpt in the lists change together.
    const bio = `${"Nouvelle présentation 😀 ".repeat(10)}fin.`;
    expect((await put(a.id, { bio })).status).toBe(200);
    expect((await getOne(a.id)).bio).toBe(bio);
    const excerpt = (await listPage("by-field", { field: "LAW" })).profiles[0].bioExcerpt;
    expect(excerpt).toBe(Array.from(bio).slice(0, 150).join(""));

    // New field: it moves from one field list to the other.
    expect((await put(a.id, { field: "MEDICINE" })).status).toBe(200);
    expect((await getOne(a.id)).field).toBe("MEDICINE");
    expect(ids(await listPage("by-field", { field: "LAW" }))).toEqual([]);
    expect(new Set(ids(await listPage("by-field", { field: "MEDICINE" })))).toEqual(new Set([a.id, b.id]));
    expect(ids(await listPage("search", { university: "Cache University", field: "LAW" }))).toEqual([]);

    // New university: the exact-university filter follows.
    expect((await put(a.id, { university: "Université Nouvelle" })).status).toBe(200);
    expect(ids(await listPage("search", { university: "Université Nouvelle" }))).toEqual([a.id]);
    expect(ids(await listPage("search", { university: "Cache University" }))).toEqual([b.id]);

    // Deactivated: gone from every list at once, readable one by one; reactivated: back.
    expect((await setStatus(b.id, false)).status).toBe(200);
    expect((await getOne(b.id)).isActive).toBe(false);
    expect(ids(await listPage("by-field", { field: "MEDICINE" }))).toEqual([a.id]);
    expect((await listPage("search", {})).total).toBe(1);
    expect((await put(b.id, { isActive: true })).status).toBe(200);
    expect((await getOne(b.id)).isActive).toBe(true);
    expect((await listPage("search", {})).total).toBe(2);

    // A new profile appears in lists that were cached before it existed.
    const c = await createThroughApi({ field: "MEDICINE" });
    expect(new Set(ids(await listPage("by-field", { field: "MEDICINE" })))).toEqual(new Set([a.id, b.id, c.id]));
    expect((await listPage("search", {})).total).toBe(3);
  });

  test("a new photo is visible immediately in GET /:id and in the lists", async () => {
    await reset();
    const a = await createThroughApi();
    expect((await listPage("search", {})).profiles[0].profilePhotoUrl).toBeNull();
    expect((await getOne(a.id)).profilePhotoUrl).toBeNull();
    const { default: sharp } = await import("sharp");
    const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: "#336699" } }).png().toBuffer();
    const form = new FormData();
    form.append("photo", new Blob([new Uint8Array(png)], { type: "image/png" }), "me.png");
    const res = await app.request(`/api/v2/students/${a.id}/photo`, { method: "POST", token: admin, body: form });
    expect(res.status).toBe(200);
    const url = ((await res.json()) as Json).data.profilePhotoUrl;
    expect(url).toContain("/media/photos/");
    expect((await getOne(a.id)).profilePhotoUrl).toBe(url);
    expect((await listPage("search", {})).profiles[0].profilePhotoUrl).toBe(url);
  });
});
