/**
 * The one message envelope between the widget (in its iframe) and the loader (on the host page). Both sides check
 * `source` and `version` and, above all, the sender's origin before acting on a message.
 */
export const SOURCE = "thotis-widget";
export const VERSION = 1;

export interface WidgetPayloads {
  "widget.ready": { studentProfileId: string };
  "widget.resize": { height: number };
  "slots.loaded": { count: number };
  "booking.submitted": { dateTime: string };
  "booking.complete": { bookingId: number; startTime: string; meetingUrl: string };
  "booking.error": { code: string; message: string };
  /** Directory: a mentor's book button was pressed (with data-book="event" the host opens the booking itself). */
  "mentor.selected": { studentProfileId: string };
  /** The visitor chose a slot and it is kept for them until expiresAt while they fill the form. */
  "slot.held": { studentProfileId: string; start: string; expiresAt: string };
  /** The visitor's hold ended (they went back, or booked: then booking.complete follows). */
  "slot.released": { studentProfileId: string; start: string };
  /** The slot the visitor had chosen was taken or held by someone else meanwhile (they pick another). */
  "slot.taken": { studentProfileId: string; start: string };
}
export type WidgetMessageType = keyof WidgetPayloads;

export interface WidgetMessage<T extends WidgetMessageType = WidgetMessageType> {
  source: typeof SOURCE;
  version: typeof VERSION;
  type: T;
  payload: WidgetPayloads[T];
}

export const envelope = <T extends WidgetMessageType>(type: T, payload: WidgetPayloads[T]): WidgetMessage<T> => ({
  source: SOURCE,
  version: VERSION,
  type,
  payload,
});

export function isWidgetMessage(data: unknown): data is WidgetMessage {
  const m = data as WidgetMessage | null;
  return typeof m === "object" && m !== null && m.source === SOURCE && m.version === VERSION && typeof m.type === "string";
}
