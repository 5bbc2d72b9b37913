import { describe, expect, test } from "bun:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { useTestApp } from "../test-support/mentors.ts";

const ctx = useTestApp();
// biome-ignore lint/suspicious/noExplicitAny: the document is walked generically
type Json = any;

describe("The OpenAPI document (finding 10)", () => {
  test("is valid OpenAPI 3.1 (swagger-parser) and every schema in it compiles with ajv (JSON Schema 2020-12)", async () => {
    const doc: Json = await (await fetch(`${ctx.app.baseUrl}/docs/json`)).json();
    expect(doc.openapi).toBe("3.1.0");
    await SwaggerParser.validate(structuredClone(doc));
    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    let compiled = 0;
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        const schemas: Json[] = [
          ...(op.parameters ?? []).map((p: Json) => p.schema),
          ...Object.values<Json>(op.requestBody?.content ?? {}).map((c) => c.schema),
          ...Object.values<Json>(op.responses ?? {}).flatMap((r) => Object.values<Json>(r.content ?? {}).map((c) => c.schema)),
        ].filter(Boolean);
        for (const schema of schemas) {
          try {
            ajv.compile(schema);
            compiled++;
          } catch (error) {
            throw new Error(`${method.toUpperCase()} ${path}: ${error}`);
          }
        }
      }
    }
    expect(compiled).toBeGreaterThan(200);
    expect(JSON.stringify(doc)).not.toContain('"type":"Date"');
  }, 60_000);

  test("every route declares 400 when it validates a path parameter, query or body, and the limits' statuses everywhere", async () => {
    const doc: Json = await (await fetch(`${ctx.app.baseUrl}/docs/json`)).json();
    const missing: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        const needs = ["413", "415", "429", "431", "500"];
        if (op.parameters?.length || op.requestBody) needs.push("400");
        for (const s of needs) if (!op.responses?.[s]) missing.push(`${method} ${path} ${s}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("path-parameter errors say in: path", async () => {
    const r = await fetch(`${ctx.app.baseUrl}/api/v2/users/not-a-number`, { headers: { authorization: `Bearer ${ctx.admin}` } });
    expect(r.status).toBe(400);
    expect((await r.json()).error.details.in).toBe("path");
    const q = await fetch(`${ctx.app.baseUrl}/api/v2/students/by-field/LAW?page=zero`, { headers: { authorization: `Bearer ${ctx.admin}` } });
    expect(q.status).toBe(400);
    expect((await q.json()).error.details.in).toBe("query");
  });
});
