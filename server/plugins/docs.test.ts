import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { docsPlugin } from "./docs.ts";

function sampleApp() {
  return new Elysia()
    .use(
      docsPlugin({
        title: "Thotis API",
        version: "1.2.3",
        description: "Mentoring platform",
        tags: [
          { name: "Mentors", description: "Mentor profiles" },
          { name: "Sessions", description: "Booked sessions" },
        ],
      }),
    )
    .get("/mentors/:id", ({ params }) => ({ id: params.id, name: "Ada" }), {
      params: t.Object({ id: t.String() }),
      response: t.Object({ id: t.String(), name: t.String() }),
      detail: { summary: "Get a mentor profile", tags: ["Mentors"] },
    })
    .post("/sessions", ({ body }) => ({ id: "s1", mentorId: body.mentorId }), {
      body: t.Object({ mentorId: t.String(), startsAt: t.String({ format: "date-time" }) }),
      response: t.Object({ id: t.String(), mentorId: t.String() }),
      detail: { summary: "Book a mentoring session", tags: ["Sessions"] },
    });
}

const app = sampleApp();
const get = (path: string, headers: Record<string, string> = {}) =>
  app.handle(new Request(`http://localhost${path}`, { headers }));

describe("docsPlugin", () => {
  test("/docs/json is an OpenAPI 3 document with bearer JWT security, tags and the app routes", async () => {
    const res = await get("/docs/json");
    expect(res.status).toBe(200);
    const spec = await res.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.info).toEqual({ title: "Thotis API", version: "1.2.3", description: "Mentoring platform" });
    expect(spec.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(spec.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.tags.map((tag: { name: string }) => tag.name)).toEqual(["Mentors", "Sessions"]);

    const getMentor = spec.paths["/mentors/{id}"].get;
    expect(getMentor.summary).toBe("Get a mentor profile");
    expect(getMentor.tags).toEqual(["Mentors"]);
    expect(getMentor.parameters).toContainEqual(expect.objectContaining({ in: "path", name: "id", required: true }));
    expect(getMentor.responses["200"].content["application/json"].schema.properties).toHaveProperty("name");

    const book = spec.paths["/sessions"].post;
    expect(book.summary).toBe("Book a mentoring session");
    const bodySchema = book.requestBody.content["application/json"].schema;
    expect(bodySchema.required).toEqual(["mentorId", "startsAt"]);
    expect(bodySchema.properties.startsAt.format).toBe("date-time");
    expect(book.responses["200"].content["application/json"].schema.properties).toHaveProperty("mentorId");

    expect(Object.keys(spec.paths).filter((p) => p.startsWith("/docs"))).toEqual([]);
  });

  test("/docs references only same-origin assets, each served as cacheable JS/CSS", async () => {
    const res = await get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);

    const html = await res.text();
    const refs = [...html.matchAll(/<(?:script|link)\b[^>]*\s(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? "");
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toMatch(/^\/(?!\/)/);
    expect(html).not.toMatch(/<(?:script|link)\b[^>]*(?:src|href)="(?:https?:)?\/\//);

    for (const ref of refs) {
      const asset = await get(ref);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(/^(text\/javascript|application\/javascript|text\/css)/);
      expect(asset.headers.get("cache-control")).toContain("max-age=31536000");
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);

      const zipped = await get(ref, { "accept-encoding": "gzip, deflate" });
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      const unzipped = Bun.gunzipSync(new Uint8Array(await zipped.arrayBuffer()));
      expect(unzipped.byteLength).toBeGreaterThan(100_000);
    }
  });

  test("unknown assets are 404 and the plugin dedupes when used twice", async () => {
    expect((await get("/docs/assets/nope.js")).status).toBe(404);
    const opts = { title: "x", version: "1", description: "d", tags: [] };
    const twice = new Elysia().use(docsPlugin(opts)).use(docsPlugin(opts));
    expect((await twice.handle(new Request("http://localhost/docs/json"))).status).toBe(200);
  });
});
