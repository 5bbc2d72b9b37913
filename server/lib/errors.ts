/** Error codes of the design document, plus the few generic ones every HTTP API needs. */
export const ErrorCode = {
  // Generic
  INVALID_INPUT: "INVALID_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  HEADERS_TOO_LARGE: "HEADERS_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  INTERNAL_ERROR: "INTERNAL_ERROR",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  DATABASE_UNAVAILABLE: "DATABASE_UNAVAILABLE",
  CACHE_UNAVAILABLE: "CACHE_UNAVAILABLE",
  // Profile
  INVALID_PROFILE_DATA: "INVALID_PROFILE_DATA",
  PROFILE_NOT_FOUND: "PROFILE_NOT_FOUND",
  PROFILE_INCOMPLETE: "PROFILE_INCOMPLETE",
  PROFILE_INACTIVE: "PROFILE_INACTIVE",
  PROFILE_ALREADY_EXISTS: "PROFILE_ALREADY_EXISTS",
  INVALID_IMAGE: "INVALID_IMAGE",
  // Users
  USER_NOT_FOUND: "USER_NOT_FOUND",
  USER_ALREADY_EXISTS: "USER_ALREADY_EXISTS",
  // Booking
  BOOKING_CONFLICT: "BOOKING_CONFLICT",
  INVALID_DURATION: "INVALID_DURATION",
  MINIMUM_NOTICE_REQUIRED: "MINIMUM_NOTICE_REQUIRED",
  BOOKING_NOT_FOUND: "BOOKING_NOT_FOUND",
  SLOT_NOT_AVAILABLE: "SLOT_NOT_AVAILABLE",
  CANCELLATION_TOO_LATE: "CANCELLATION_TOO_LATE",
  BOOKING_LIMIT_PER_MENTOR: "BOOKING_LIMIT_PER_MENTOR",
  BOOKING_LIMIT_PER_EMAIL: "BOOKING_LIMIT_PER_EMAIL",
  BOOKING_ADDRESS_LIMIT: "BOOKING_ADDRESS_LIMIT",
  // Slot holds (issue 17)
  SLOT_HELD: "SLOT_HELD",
  HOLD_NOT_FOUND: "HOLD_NOT_FOUND",
  // Rating
  INVALID_RATING: "INVALID_RATING",
  RATING_ALREADY_EXISTS: "RATING_ALREADY_EXISTS",
  SESSION_NOT_COMPLETED: "SESSION_NOT_COMPLETED",
  // Authentication
  UNAUTHORIZED: "UNAUTHORIZED",
  INVALID_TOKEN: "INVALID_TOKEN",
  TOKEN_EXPIRED: "TOKEN_EXPIRED",
  INSUFFICIENT_PERMISSIONS: "INSUFFICIENT_PERMISSIONS",
  // Console sign-in
  INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
  ACCOUNT_LOCKED: "ACCOUNT_LOCKED",
  // Passwordless sign-in (magic links)
  MAGIC_LINK_INVALID: "MAGIC_LINK_INVALID",
  MAGIC_LINK_EXPIRED: "MAGIC_LINK_EXPIRED",
  MAGIC_LINK_USED: "MAGIC_LINK_USED",
  // Integrations
  GOOGLE_CALENDAR_ERROR: "GOOGLE_CALENDAR_ERROR",
  GOOGLE_MEET_ERROR: "GOOGLE_MEET_ERROR",
  EMAIL_DELIVERY_ERROR: "EMAIL_DELIVERY_ERROR",
  WEBHOOK_DELIVERY_ERROR: "WEBHOOK_DELIVERY_ERROR",
  // Webhooks
  WEBHOOK_URL_NOT_ALLOWED: "WEBHOOK_URL_NOT_ALLOWED",
  WEBHOOK_NOT_FOUND: "WEBHOOK_NOT_FOUND",
  WEBHOOK_DELIVERY_NOT_FOUND: "WEBHOOK_DELIVERY_NOT_FOUND",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failure the client can act on: services throw it, the error plugin turns it into the error envelope. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (code: ErrorCode, message: string) => new AppError(404, code, message);
export const badRequest = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(400, code, message, details);
export const forbidden = (message = "This token may not do that") =>
  new AppError(403, ErrorCode.INSUFFICIENT_PERMISSIONS, message);
export const conflict = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(409, code, message, details);

/**
 * An error and its causes, outermost first, at most `depth` of them: Drizzle wraps driver errors, so the driver's code
 * and reason sit on a cause. Ends at the first link that is not an object (it has no cause to follow).
 */
export function* causeChain(error: unknown, depth = 5): Generator<unknown> {
  let e = error;
  for (let i = 0; i < depth && e; i++) {
    yield e;
    if (typeof e !== "object") return;
    e = (e as { cause?: unknown }).cause;
  }
}
