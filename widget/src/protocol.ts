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
