import { describe, expect, test } from "bun:test";
import { call, createMentor, expectError, useTestApp } from "../../test-support/mentors.ts";
import { profileFieldWriters } from "./field-access.ts";

const ctx = useTestApp();

describe("Property-level authorization of profile fields (finding 6)", () => {
  test("an integrator cannot set isActive through PUT (403, nothing written), as through PATCH /status; admins and the mentor can", async () => {
    const mentor = await createMentor(ctx);
    const put = (token: string, json: unknown) => call(ctx, `/api/v2/students/${mentor.profileId}/profile`, { method: "PUT", token, json });
    const refused = await put(ctx.integrator, { isActive: false, bio: "x".repeat(60) });
    expectError(refused, 403, "INSUFFICIENT_PERMISSIONS");
    expect(refused.body.error.message).toContain("isActive");
    const after = await call(ctx, `/api/v2/students/${mentor.profileId}`, { token: ctx.admin });
    expect(after.body.data.isActive).toBe(true);
    expect(after.body.data.bio).not.toBe("x".repeat(60));
    expectError(await call(ctx, `/api/v2/students/${mentor.profileId}/status`, { method: "PATCH", token: ctx.integrator, json: { isActive: false } }), 403);
    // The integrator still updates the fields the table grants it.
    expect((await put(ctx.integrator, { currentYear: 3 })).status).toBe(200);
    expect((await put(mentor.token, { isActive: false })).body.data.isActive).toBe(false);
    expect((await put(ctx.admin, { isActive: true })).body.data.isActive).toBe(true);
  });

  test("a __proto__ key in a profile PUT is refused (finding 9)", async () => {
    const mentor = await createMentor(ctx);
    const r = await fetch(`${ctx.app.baseUrl}/api/v2/students/${mentor.profileId}/profile`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ctx.admin}`, "content-type": "application/json" },
      body: '{"bio":"A bio long enough to be valid for the profile rules, surely more than fifty.","__proto__":{"isActive":false}}',
    });
    expect(r.status).toBe(400);
  });

  test("the table names every writable profile field, and isActive only for admins and mentors", () => {
    expect(Object.keys(profileFieldWriters).sort()).toEqual(["bio", "currentYear", "degree", "field", "isActive", "linkedInUrl", "profilePhotoUrl", "university"]);
    expect(profileFieldWriters.isActive).toEqual(["admin", "mentor"]);
  });
});
