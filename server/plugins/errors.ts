import { Elysia, ValidationError } from "elysia";
import { AppError, causeChain, ErrorCode } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { createLogReporter, type ErrorReporter, featureOf, sanitiseRequest } from "../integrations/errors/index.ts";
import { databaseUnavailableError, isDatabaseUnavailable } from "../faults/database.ts";

export interface ErrorBody {
  status: "error";
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export const errorBody = (code: string, message: string, details?: Record<string, unknown>): ErrorBody => ({
  status: "error",
  error: details ? { code, message, details } : { code, message },
});

/** Postgres error classes that mean "the client sent something the constraints refuse", never a server fault. */
const pgClientErrors: Record<string, { status: number; code: ErrorCode; message: string }> = {
  "23505": { status: 409, code: ErrorCode.CONFLICT, message: "This resource already exists" },
  "23P01": { status: 409, code: ErrorCode.CONFLICT, message: "This conflicts with an existing resource" },
  "23514": { status: 400, code: ErrorCode.INVALID_INPUT, message: "A value breaks a validation rule" },
  "23503": { status: 400, code: ErrorCode.INVALID_INPUT, message: "A referenced resource does not exist" },
  "22P02": { status: 400, code: ErrorCode.INVALID_INPUT, message: "A value has the wrong format" },
  "22001": { status: 400, code: ErrorCode.INVALID_INPUT, message: "A value is too long" },
  "22003": { status: 400, code: ErrorCode.INVALID_INPUT, message: "A number is out of range" },
  "22021": { status: 400, code: ErrorCode.INVALID_INPUT, message: "A value contains a character that cannot be stored" },
};

/** Drizzle wraps driver errors; the SQLSTATE sits on the error or its cause. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causeChain(error, 4)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Turns every failure into the design document's error envelope. Validation failures are 400 (not Elysia's 422),
 * carrying the code the schema names in its `errorCode` option (for example INVALID_PROFILE_DATA). Anything
 * unexpected is reported (logged with its stack; also sent to Sentry when configured) and answered with a generic
 * 500: no stack, SQL or driver text leaves.
 */
export function errorPlugin(
  logger: Logger,
  opts: {
    /** Where unexpected failures go (Sentry or the log); default the log. */
    reporter?: ErrorReporter;
    /** The request's user, when it carried a valid role token (for the report, never for the answer). */
    userOf?: (request: Request) => Promise<{ id: string; role?: string } | undefined>;
    /** A request failed because the database could not be reached (the monitor probes at once). */
    onDatabaseUnavailable?: () => void;
  } = {},
) {
  const reporter = opts.reporter ?? createLogReporter(logger);
  /** Only server faults are reported: users' mistakes (4xx) are answered, not tracked. */
  const report = async (
    error: unknown,
    ctx: { request: Request; path: string; body: unknown; requestId: unknown },
    errorCode: string,
    more: { extra?: Record<string, unknown>; logged?: boolean } = {},
  ) => {
    try {
      const user = opts.userOf ? await opts.userOf(ctx.request).catch(() => undefined) : undefined;
      reporter.capture({
        error,
        requestId: typeof ctx.requestId === "string" ? ctx.requestId : undefined,
        user,
        request: sanitiseRequest(ctx.request, ctx.body),
        path: ctx.path,
        tags: { feature: featureOf(ctx.path), errorCode },
        ...more,
      });
    } catch (failure) {
      logger.error("error reporting failed", { error: String(failure) });
    }
  };
  return new Elysia({ name: "thotis/errors" }).onError({ as: "global" }, async (ctx) => {
    const { code, error, set, request, path, query } = ctx;
    const reportCtx = { request, path, body: (ctx as { body?: unknown }).body, requestId: set.headers["x-request-id"] };
    const respond = (status: number, body: ErrorBody, headers?: Record<string, string>) => {
      set.status = status;
      set.headers["content-type"] = "application/json; charset=utf-8";
      if (headers) Object.assign(set.headers, headers);
      return body;
    };
    if (error instanceof AppError) {
      if (error.status >= 500) await report(error, reportCtx, error.code);
      return respond(error.status, errorBody(error.code, error.message, error.details), error.headers);
    }
    if (code === "VALIDATION" && error instanceof ValidationError) {
      if (error.type === "response") {
        const issues = issuesOf(error, undefined);
        logger.error("response failed its schema", { requestId: set.headers["x-request-id"], path, method: request.method, issues });
        await report(new Error(`response of ${request.method} ${path} failed its schema`), reportCtx, ErrorCode.INTERNAL_ERROR, { extra: { issues }, logged: true });
        return respond(500, errorBody(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side. Please try again."));
      }
      const schema = (error.validator as { schema?: { errorCode?: string } } | undefined)?.schema;
      const issues = issuesOf(error, query);
      const first = issues[0];
      const message = first ? `${first.field ? `${first.field}: ` : ""}${first.message}` : "Invalid input";
      // OpenAPI's names: "path" for path parameters (Elysia says "params", or "property" for coerced values, which
      // may come from the path or the query: the path's raw values tell which).
      const params = (ctx as { params?: Record<string, unknown> }).params ?? {};
      const fromPath = error.type === "params" || (error.type === "property" && Object.values(params).some((v) => String(v) === String(error.value)));
      const where = fromPath ? "path" : error.type === "property" ? "query" : error.type;
      return respond(400, errorBody(schema?.errorCode ?? ErrorCode.INVALID_INPUT, message, { in: where, issues }));
    }
    if (code === "PARSE") return respond(400, errorBody(ErrorCode.INVALID_INPUT, "The request body could not be parsed"));
    if (code === "NOT_FOUND") return respond(404, errorBody(ErrorCode.NOT_FOUND, `No route for ${request.method} ${path}`));
    // The database is unreachable (down, restarting, connections cut): an honest 503 the client may retry, logged
    // as a warning, not reported as a bug.
    if (isDatabaseUnavailable(error)) {
      opts.onDatabaseUnavailable?.();
      logger.warn("request failed: database unavailable", { requestId: set.headers["x-request-id"], path, method: request.method, cause: causeOf(error) });
      const unavailable = databaseUnavailableError();
      return respond(503, errorBody(unavailable.code, unavailable.message), unavailable.headers);
    }
    const state = sqlState(error);
    const mapped = state ? pgClientErrors[state] : undefined;
    if (mapped) return respond(mapped.status, errorBody(mapped.code, mapped.message));
    // Logged (and sent to Sentry when configured) with the request id the client got back, so a reported 500
    // leads to its line; the answer itself says nothing about the cause.
    await report(error, reportCtx, ErrorCode.INTERNAL_ERROR);
    return respond(500, errorBody(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side. Please try again."));
  });
}

/** The innermost message and code of a wrapped driver error (Drizzle's "Failed query" hides the cause). */
export function causeOf(error: unknown): { message: string; code?: string } {
  let e = error as { message?: unknown; code?: unknown } | undefined;
  for (const link of causeChain(error, 6)) {
    if (typeof link !== "object") break;
    e = link as typeof e;
  }
  return { message: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}) };
}

function issuesOf(error: ValidationError, query: Record<string, unknown> | undefined): { field: string; message: string }[] {
  return error.all.slice(0, 10).map((e) => {
    const issue = e as { path?: string; message?: string; summary?: string };
    let field = (issue.path ?? "").replace(/^\//, "").replaceAll("/", ".");
    // Coerced query values are checked one by one without their name: find it back from the value.
    if (!field && error.type === "property" && query) {
      field = Object.keys(query).find((k) => String(query[k]) === String(error.value)) ?? "";
    }
    return { field, message: issue.summary ?? issue.message ?? "invalid" };
  });
}
