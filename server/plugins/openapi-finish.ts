import { ErrorEnvelope } from "../lib/envelope.ts";

/**
 * Turns the document @elysiajs/swagger generates into a valid OpenAPI 3.1 document (the reference UI counted 22
 * errors in it, and ajv refused to compile some schemas):
 * - declared as 3.1, whose schemas are JSON Schema 2020-12, which is what TypeBox writes (const, type "null",
 *   examples, patternProperties); the 3.0-only `nullable` is dropped;
 * - `t.Date()`'s `"type": "Date"` becomes a date-time string (what the JSON answer holds);
 * - every response gets the description OpenAPI requires; parameter examples become `example`;
 * - every status any route can answer is declared: the request limits' 413, 415 and 431, the rate limit's 429 and
 *   500 everywhere; 401 on token-guarded routes; 400 wherever a path parameter, query or body is validated.
 */
export function finishOpenApi(doc: Record<string, unknown>, publicApiPaths: readonly string[] = []): Record<string, unknown> {
  const out = fixSchemas(structuredClone(doc)) as { openapi: string; paths?: Record<string, Record<string, Operation>> };
  out.openapi = "3.1.0";
  const envelope = { description: "Error envelope", content: { "application/json": { schema: JSON.parse(JSON.stringify(ErrorEnvelope)) } } };
  for (const [path, item] of Object.entries(out.paths ?? {})) {
    for (const op of Object.values(item)) {
      if (typeof op !== "object" || op === null || !("responses" in op || "operationId" in op || "parameters" in op || "summary" in op)) continue;
      op.responses ??= {};
      for (const p of op.parameters ?? []) {
        if (Array.isArray(p.examples)) {
          if (p.examples.length > 0) p.example = p.examples[0];
          delete p.examples;
        }
      }
      const statuses = [413, 415, 429, 431, 500];
      if ((op.parameters?.length ?? 0) > 0 || op.requestBody) statuses.push(400);
      if (path.startsWith("/api/v2/") && !publicApiPaths.includes(path)) statuses.push(401);
      for (const s of statuses) op.responses[String(s)] ??= structuredClone(envelope);
      for (const [status, response] of Object.entries(op.responses)) {
        if (typeof response === "object" && response !== null && !("$ref" in response) && !response.description) {
          response.description = describeStatus(status);
        }
      }
    }
  }
  return out as Record<string, unknown>;
}

interface Operation {
  parameters?: { examples?: unknown; example?: unknown; in: string; name: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: unknown }>;
}

function fixSchemas(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixSchemas);
  if (node === null || typeof node !== "object") return node;
  const o = node as Record<string, unknown>;
  if (o.type === "Date") {
    o.type = "string";
    o.format = "date-time";
  }
  if ("nullable" in o && typeof o.nullable === "boolean") delete o.nullable;
  for (const [k, v] of Object.entries(o)) o[k] = fixSchemas(v);
  return o;
}

const reasons: Record<string, string> = {
  "200": "Success",
  "201": "Created",
  "202": "Accepted",
  "204": "No content",
  "400": "Invalid input",
  "401": "Missing, invalid or expired token",
  "403": "Not allowed for this role",
  "404": "Not found",
  "409": "Conflict",
  "413": "Request body too large",
  "415": "Request body not JSON",
  "429": "Too many requests",
  "431": "Request headers too large",
  "500": "Unexpected error",
  "503": "Service unavailable",
};
const describeStatus = (status: string) => reasons[status] ?? `HTTP ${status}`;
