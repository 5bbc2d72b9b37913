import { type TSchema, t } from "elysia";

/** `{ status: "success", data }`, the design document's success envelope (Property 24). */
export const ok = <T>(data: T) => ({ status: "success" as const, data });

export const success = <S extends TSchema>(data: S) =>
  t.Object({ status: t.Literal("success"), data }, { description: "Success envelope" });

export const ErrorEnvelope = t.Object(
  {
    status: t.Literal("error"),
    error: t.Object({
      code: t.String({ examples: ["INVALID_PROFILE_DATA"] }),
      message: t.String({ examples: ["bio: Expected string length greater or equal to 50"] }),
      details: t.Optional(t.Record(t.String(), t.Unknown())),
    }),
  },
  { description: "Error envelope: a design-document error code and a message meant for people" },
);

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;

/**
 * The error responses a route can give, for its OpenAPI description. 401, 429 and 500 apply to every API route; the
 * request limits' 413, 415 and 431 are added to every operation of the finished document (plugins/openapi-finish.ts).
 */
export function errors(...statuses: ErrorStatus[]) {
  const all = new Set<ErrorStatus>([...statuses, 401, 429, 500]);
  return Object.fromEntries([...all].map((s) => [s, ErrorEnvelope])) as Record<ErrorStatus, typeof ErrorEnvelope>;
}
