/**
 * Ports for outside scheduling services. Services depend on these interfaces only; the real adapters
 * (googleapis, Cal.com API v2) and the embedded defaults implement them.
 */

/** Half-open interval [start, end) in epoch milliseconds. */
export interface BusyInterval {
  start: number;
  end: number;
}

/** What a calendar event for a mentoring session carries. */
export interface SessionEvent {
  bookingId: number;
  startTime: Date;
  endTime: Date;
  mentorName: string;
  mentorEmail: string;
  prospectiveName: string;
  prospectiveEmail: string;
  question: string | null;
  /** Set when the link is made before the event (Jitsi); absent when the calendar should create a Meet link. */
  meetingUrl?: string;
  timeZone: string;
}

export interface CreatedEvent {
  eventId: string;
  /** The Google Meet link when the calendar made one. */
  meetingUrl: string | null;
}

/** A mentor's connected Google account, as the adapter needs it. */
export interface CalendarConnection {
  /** Decrypted OAuth refresh token. */
  refreshToken: string;
  calendarId: string;
}

export interface CalendarPort {
  /** Busy times of the mentor's calendar between two instants. */
  freeBusy(connection: CalendarConnection, from: Date, to: Date): Promise<BusyInterval[]>;
  /** Creates the event, with a Google Meet conference when `event.meetingUrl` is absent; the description holds the link. */
  createEvent(connection: CalendarConnection, event: SessionEvent): Promise<CreatedEvent>;
  /** Moves the event; a new Meet link is requested when `event.meetingUrl` is absent. */
  updateEvent(connection: CalendarConnection, eventId: string, event: SessionEvent): Promise<CreatedEvent>;
  deleteEvent(connection: CalendarConnection, eventId: string): Promise<void>;
}

export interface OAuthTokens {
  refreshToken: string;
  accessToken?: string;
  expiryDate?: number;
  scope?: string;
}

export interface CalendarOAuthPort {
  /** Consent URL for a mentor; `state` is echoed back to the callback (signed by the caller). */
  consentUrl(state: string): string;
  /** Exchanges the callback's code for tokens (offline access, so a refresh token is returned). */
  exchangeCode(code: string): Promise<OAuthTokens>;
}
