/**
 * The error-reporting port: unexpected failures (the 500s) go here with what is needed to find their cause. The
 * embedded default writes a structured log line; with SENTRY_DSN set, @sentry/bun also sends each one to Sentry.
 */
export interface ErrorReport {
  error: unknown;
  /** The x-request-id the client got back, so a reported 500 leads to its log line. */
  requestId?: string;
  /** The principal's subject (JWT `sub`) when the request carried a valid role token. */
  user?: { id: string; role?: string };
  /** Sanitised: no Authorization, Cookie or other credential headers, secret-looking body fields filtered. */
  request?: SanitisedRequest;
  /** Route path without the query (for the log line). */
  path?: string;
  tags: { feature: string; errorCode: string };
  /** Extra detail for the log line (for example the issues of a response that failed its schema). */
  extra?: Record<string, unknown>;
  /** The caller already wrote its own log line: the log reporter stays quiet. */
  logged?: boolean;
}

export interface SanitisedRequest {
  method: string;
  /** Full URL, query string kept. */
  url: string;
  headers: Record<string, string>;
  data?: unknown;
}

export interface ErrorReporter {
  readonly kind: "log" | "sentry";
  /** Never throws and never waits on the network: sending happens in the background. */
  capture(report: ErrorReport): void;
  /** Waits (at most timeoutMs) until captured reports are sent; true when everything went out. */
  flush(timeoutMs?: number): Promise<boolean>;
}
