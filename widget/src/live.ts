import { api } from "./api.ts";

/** The server's hold length (server/modules/holds/service.ts, HOLD_MINUTES). */
const HOLD_MS = 5 * 60_000;

export interface SlotsChange {
  studentProfileId: string;
  reason: "booked" | "cancelled" | "held" | "released" | "changed";
  start?: string;
}

/**
 * Follows the live availability of some mentors (Server-Sent Events). `onChange` gets each change; `onOpen` runs each
 * time a stream opens, including after a drop, so the caller re-reads what it shows (changes made while the stream
 * was down are not replayed). EventSource cannot send headers: a one-minute stream token goes in the URL instead of
 * the widget token, and a fresh one is fetched for each (re)connection. Returns a function that stops following.
 */
export function followSlots(mentors: string[], token: string, on: { onChange: (c: SlotsChange) => void; onOpen?: () => void }): () => void {
  let source: EventSource | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let opened = false;
  // A hold ends silently at its expiry (no event: nothing on the server runs then), so a held slot is re-read once the
  // hold must be over; an earlier release or booking has its own event.
  const expiries = new Set<ReturnType<typeof setTimeout>>();
  const afterHold = (c: SlotsChange) => {
    const timer = setTimeout(() => {
      expiries.delete(timer);
      on.onChange({ ...c, reason: "released" });
    }, HOLD_MS + 1000);
    expiries.add(timer);
  };

  const connect = async () => {
    if (stopped || typeof EventSource === "undefined" || mentors.length === 0) return;
    let url: string;
    try {
      url = (await api<{ url: string }>("/live/tokens", token, { method: "POST", json: { mentors } })).url;
    } catch {
      return later();
    }
    if (stopped) return;
    source = new EventSource(url);
    source.addEventListener("ready", () => {
      failures = 0;
      // The first open needs no re-read (the caller just loaded); every later one does.
      if (opened) on.onOpen?.();
      opened = true;
    });
    source.addEventListener("slots", (e) => {
      try {
        const change = JSON.parse((e as MessageEvent<string>).data) as SlotsChange;
        on.onChange(change);
        if (change.reason === "held") afterHold(change);
      } catch {
        // ignore a malformed event
      }
    });
    source.onerror = () => {
      // The stream token in the URL has expired by the time EventSource would retry: reconnect with a new one.
      source?.close();
      source = null;
      later();
    };
  };
  const later = () => {
    if (stopped) return;
    failures++;
    retry = setTimeout(connect, Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
  };

  void connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    for (const timer of expiries) clearTimeout(timer);
    source?.close();
  };
}
