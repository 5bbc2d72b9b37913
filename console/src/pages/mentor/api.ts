import { api } from "../../lib/api.ts";
import { lastSignedIn, offlineView, session } from "../../lib/session.ts";

/** The signed-in mentor's profile id (from the token's claims); every mentor page reads only this one's data. */
export const myProfileId = () => session()?.studentProfileId ?? (offlineView() ? lastSignedIn()?.studentProfileId : undefined) ?? "";

export interface Profile {
  id: string;
  name: string;
  university: string | null;
  degree: string | null;
  field: string | null;
  currentYear: number | null;
  bio: string | null;
  profilePhotoUrl: string | null;
  linkedInUrl: string | null;
  timeZone: string;
  isActive: boolean;
  isComplete: boolean;
}
export interface Range {
  start: string;
  end: string;
}
export interface Schedule {
  timeZone: string;
  weekly: { weekday: number; ranges: Range[] }[];
  overrides: { date: string; ranges: Range[] }[];
  outOfOffice: Range[];
  configured: boolean;
}
export interface Slot {
  start: string;
  localStart: string;
  localEnd: string;
  available: boolean;
}
export interface GoogleStatus {
  connected: boolean;
  connectedAt: string | null;
  lastError: string | null;
}
export interface Stats {
  totalSessions: number;
  completionRate: number;
  cancellationRate: number;
  averageRating: number | null;
  totalRatings: number;
}
export interface SessionItem {
  id: number;
  startTime: string;
  endTime: string;
  status: string;
  prospectiveName: string;
  question: string | null;
  meetingUrl: string;
}

const base = () => `/students/${encodeURIComponent(myProfileId())}`;
export const getProfile = () => api<Profile>(base());
export const getSchedule = () => api<Schedule>(`${base()}/schedule`);
export const getStats = () => api<Stats>(`${base()}/stats`);
export const getRatings = () => api<{ items: { id: string; rating: number; feedback: string | null; createdAt: string }[] }>(`${base()}/ratings`, { query: { limit: 10 } });
export const getGoogle = () => api<GoogleStatus>(`${base()}/google`);
export const getSessions = (scope: "upcoming" | "past") => api<{ items: SessionItem[]; total: number }>(`${base()}/bookings`, { query: { scope, limit: 50 } });
/** Free slots from now for `days` days, in `timeZone` (the same engine and answer the widget uses). */
export const getSlots = (timeZone: string, days = 7, rescheduleBookingId?: number) =>
  api<{ slots: Slot[] }>(`${base()}/availability`, {
    query: { end: new Date(Date.now() + days * 86_400_000).toISOString(), timeZone, rescheduleBookingId },
  });
export { api, base };
