/** Calls to our API from the iframe (same origin as the API). Failures become an ApiError carrying only a code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(code);
  }
}

export async function api<T>(path: string, token: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
  if (init.json !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/api/v2${path}`, { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  } catch {
    throw new ApiError("NETWORK", 0);
  }
  const body = (await res.json().catch(() => null)) as { status?: string; data?: T; error?: { code?: string } } | null;
  if (!res.ok || body?.status !== "success") throw new ApiError(body?.error?.code ?? "INTERNAL_ERROR", res.status);
  return body.data as T;
}

export const codeOf = (error: unknown) => (error instanceof ApiError ? error.code : "INTERNAL_ERROR");

export interface Profile {
  id: string;
  name: string;
  university: string | null;
  degree: string | null;
  currentYear: number | null;
  profilePhotoUrl: string | null;
  averageRating: number | null;
  totalRatings: number;
}
export interface Slot {
  start: string;
  end: string;
  localStart: string;
}
export interface Availability {
  timeZone: string;
  slots: Slot[];
}
export interface BookingResult {
  bookingId: number;
  meetingUrl: string;
  booking: { id: number; startTime: string; endTime: string };
}
export interface Booking {
  id: number;
  studentProfileId: string;
  startTime: string;
  endTime: string;
  status: "ACCEPTED" | "CANCELLED" | "COMPLETED";
  meetingUrl: string;
  prospectiveStudent: { name: string; email: string };
}

export const availabilityPath = (profileId: string, timeZone: string, rescheduleBookingId?: number, visitorId?: string) =>
  `/students/${encodeURIComponent(profileId)}/availability?timeZone=${encodeURIComponent(timeZone)}` +
  (rescheduleBookingId ? `&rescheduleBookingId=${rescheduleBookingId}` : "") +
  (visitorId ? `&visitorId=${encodeURIComponent(visitorId)}` : "");

/** The claims of a JWT, read without verifying (the server verifies); null when it is not one. */
export function claimsOf(token: string): Record<string, unknown> | null {
  try {
    const part = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part)))) as Record<string, unknown>;
  } catch {
    return null;
  }
}
