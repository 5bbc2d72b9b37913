import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { count, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { users } from "../../../db/schema/index.ts";
import { startTestApp, type TestApp } from "../../test-support/app.ts";

let app: TestApp;
let admin: string;
let integrator: string;
let seq = 0;
/** Unique per call, so tests never collide on the (case-insensitive) e-mail uniqueness rule. */
const email = (tag = "user") => `${tag}.${++seq}.${Date.now().toString(36)}@example.fr`;

const countUsers = async () => (await app.database.db.select({ n: count() }).from(users))[0]!.n;

async function postUser(json: unknown, token: string = admin) {
  const res = await app.request("/api/v2/users", { method: "POST", token, json });
  return { res, body: (await res.json()) as any };
}

async function expectRefused(json: unknown, status: number, code: string, token: string = admin) {
  const before = await countUsers();
  const { res, body } = await postUser(json, token);
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(body.status).toBe("error");
  expect(await countUsers()).toBe(before);
}

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token("admin");
  integrator = await app.token("integrator");
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe("POST /api/v2/users", () => {
  test("creates a mentor by default: 201, Location header, defaults for time zone and locale", async () => {
    const address = email("marie");
    const { res, body } = await postUser({ email: address, name: "  Marie Dubois  " });
    expect(res.status).toBe(201);
    expect(body.status).toBe("success");
    const user = body.data;
    expect(user).toMatchObject({ email: address, name: "Marie Dubois", role: "mentor", timeZone: "Europe/Paris", locale: "fr", studentProfileId: null });
    expect(Number.isInteger(user.id)).toBe(true);
    expect(res.headers.get("location")).toBe(`/api/v2/users/${user.id}`);
    expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);

    // The Location really points at the new user, and the row is in the database.
    const got = await app.request(res.headers.get("location")!, { token: admin });
    expect(got.status).toBe(200);
    expect(((await got.json()) as any).data).toEqual(user);
    const [row] = await app.database.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.email).toBe(address);
    expect(row?.name).toBe("Marie Dubois");
  });

  test("stores the given role, time zone and locale", async () => {
    const { res, body } = await postUser({ email: email("ops"), name: "Ops", role: "integrator", timeZone: "America/New_York", locale: "en" });
    expect(res.status).toBe(201);
    expect(body.data).toMatchObject({ role: "integrator", timeZone: "America/New_York", locale: "en" });
  });

  test("e-mail uniqueness ignores case: 409 USER_ALREADY_EXISTS", async () => {
    const address = email("Case.Test");
    expect((await postUser({ email: address, name: "First" })).res.status).toBe(201);
    await expectRefused({ email: address, name: "Same" }, 409, "USER_ALREADY_EXISTS");
    await expectRefused({ email: address.toUpperCase(), name: "Upper" }, 409, "USER_ALREADY_EXISTS");
    await expectRefused({ email: address.toLowerCase(), name: "Lower" }, 409, "USER_ALREADY_EXISTS");
  });

  test("e-mail uniqueness holds for any case variation of any address (property)", async () => {
    const local = fc.stringMatching(/^[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,2}$/);
    const domain = fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,5})?\.(fr|com|org|eu)$/);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(local, domain, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), async (l, d, flips) => {
        const address = `${l}.${++n}@${d}`;
        const variant = [...address].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join("");
        const first = await postUser({ email: address, name: "Prop" });
        expect(first.res.status).toBe(201);
        const second = await postUser({ email: variant, name: "Prop bis" });
        expect(second.res.status).toBe(409);
        expect(second.body.error.code).toBe("USER_ALREADY_EXISTS");
        const [row] = await app.database.db
          .select({ n: count() })
          .from(users)
          .where(sql`lower(${users.email}) = ${address.toLowerCase()}`);
        expect(row!.n).toBe(1);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test.each([
    ["missing", undefined],
    ["empty", ""],
    ["no at sign", "marie.example.fr"],
    ["no local part", "@example.fr"],
    ["no domain", "marie@"],
    ["space inside", "marie dubois@example.fr"],
    ["two at signs", "marie@@example.fr"],
    ["not a string", 42],
  ])("invalid e-mail (%s) gives 400 INVALID_INPUT and creates nothing", async (_label, value) => {
    await expectRefused({ email: value, name: "Marie" }, 400, "INVALID_INPUT");
  });

  test.each([
    ["missing", undefined],
    ["empty", ""],
    ["whitespace only", "   \t "],
    ["121 characters", "n".repeat(121)],
    ["121 astral characters", "𝔫".repeat(121)],
    ["NUL character", "Marie\u0000Dubois"],
  ])("invalid name (%s) gives 400 INVALID_INPUT and creates nothing", async (_label, value) => {
    await expectRefused({ email: email(), name: value }, 400, "INVALID_INPUT");
  });

  test("a name of exactly 120 characters is accepted, counted in code points (120 astral characters too)", async () => {
    for (const name of ["n".repeat(120), "𝔫".repeat(120), "Zoë 👩‍🎓"]) {
      const { res, body } = await postUser({ email: email(), name });
      expect(res.status).toBe(201);
      expect(body.data.name).toBe(name);
    }
  });

  test.each(["Mars/Olympus", "Europe/Atlantis", "GMT+25", "", "x".repeat(65)])("unknown time zone %p gives 400 and creates nothing", async (zone) => {
    await expectRefused({ email: email(), name: "Zoe", timeZone: zone }, 400, "INVALID_INPUT");
  });

  test("unknown role, unknown locale and extra properties give 400", async () => {
    await expectRefused({ email: email(), name: "Zoe", role: "widget" }, 400, "INVALID_INPUT");
    await expectRefused({ email: email(), name: "Zoe", role: "superuser" }, 400, "INVALID_INPUT");
    await expectRefused({ email: email(), name: "Zoe", locale: "de" }, 400, "INVALID_INPUT");
    await expectRefused({ email: email(), name: "Zoe", isAdmin: true }, 400, "INVALID_INPUT");
  });

  test("integrators may create mentors only", async () => {
    const created = await postUser({ email: email("by-integrator"), name: "Mentor" }, integrator);
    expect(created.res.status).toBe(201);
    expect(created.body.data.role).toBe("mentor");
    const explicit = await postUser({ email: email("by-integrator"), name: "Mentor", role: "mentor" }, integrator);
    expect(explicit.res.status).toBe(201);
    await expectRefused({ email: email(), name: "Boss", role: "admin" }, 403, "INSUFFICIENT_PERMISSIONS", integrator);
    await expectRefused({ email: email(), name: "Peer", role: "integrator" }, 403, "INSUFFICIENT_PERMISSIONS", integrator);
  });

  test("admins may create admins", async () => {
    const { res, body } = await postUser({ email: email("admin"), name: "Admin", role: "admin" });
    expect(res.status).toBe(201);
    expect(body.data.role).toBe("admin");
  });

  test("widget and mentor tokens get 403 INSUFFICIENT_PERMISSIONS; no token gets 401", async () => {
    await expectRefused({ email: email(), name: "W" }, 403, "INSUFFICIENT_PERMISSIONS", await app.token("widget"));
    await expectRefused({ email: email(), name: "M" }, 403, "INSUFFICIENT_PERMISSIONS", await app.token("mentor", { sub: "1" }));
    const before = await countUsers();
    const res = await app.request("/api/v2/users", { method: "POST", json: { email: email(), name: "Anon" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe("UNAUTHORIZED");
    expect(await countUsers()).toBe(before);
  });
});

describe("GET /api/v2/users/:id", () => {
  test("returns the user to admins and integrators, with its profile id once it has one", async () => {
    const { body } = await postUser({ email: email("getme"), name: "Get Me", timeZone: "Asia/Tokyo", locale: "en" });
    const user = body.data;
    for (const token of [admin, integrator]) {
      const res = await app.request(`/api/v2/users/${user.id}`, { token });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).data).toEqual(user);
    }
    const profile = await app.request(`/api/v2/students/${user.id}/profile`, {
      method: "POST",
      token: admin,
      json: { university: "Université de Lille", degree: "Licence de Psychologie", field: "PSYCHOLOGY", currentYear: 1, bio: "b".repeat(60) },
    });
    expect(profile.status).toBe(201);
    const profileId = ((await profile.json()) as any).data.id;
    const res = await app.request(`/api/v2/users/${user.id}`, { token: admin });
    expect(((await res.json()) as any).data.studentProfileId).toBe(profileId);
  });

  test("unknown id gives 404 USER_NOT_FOUND; a non-numeric id gives 400", async () => {
    const res = await app.request("/api/v2/users/987654", { token: admin });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe("USER_NOT_FOUND");
    expect((await app.request("/api/v2/users/abc", { token: admin })).status).toBe(400);
    expect((await app.request("/api/v2/users/0", { token: admin })).status).toBe(400);
  });

  test("widget and mentor tokens get 403", async () => {
    const { body } = await postUser({ email: email(), name: "Hidden" });
    for (const token of [await app.token("widget"), await app.token("mentor", { sub: String(body.data.id) })]) {
      const res = await app.request(`/api/v2/users/${body.data.id}`, { token });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe("INSUFFICIENT_PERMISSIONS");
    }
  });
});
