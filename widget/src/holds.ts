import { api, ApiError } from "./api.ts";
import type { Bridge } from "./bridge.ts";

/**
 * The visitor's hold on the slot they chose (one at a time, 5 minutes, renewed by choosing again). Holding is a
 * courtesy: if it fails for any reason other than "someone else has it", the visitor can still try to book.
 */
export function createSlotHold(o: { profileId: string; token: string; visitorId: string; bridge: Bridge }) {
  let current: { id: string; start: string } | null = null;
  const path = (id: string) => `/bookings/holds/${encodeURIComponent(id)}?visitorId=${encodeURIComponent(o.visitorId)}`;
  const release = (keepalive = false) => {
    const held = current;
    if (!held) return;
    current = null;
    // keepalive: the request survives the page closing (pagehide).
    void fetch(`/api/v2${path(held.id)}`, { method: "DELETE", headers: { authorization: `Bearer ${o.token}` }, keepalive }).catch(() => {});
    o.bridge.post("slot.released", { studentProfileId: o.profileId, start: held.start });
  };
  addEventListener("pagehide", () => release(true));
  return {
    /** "taken": another visitor holds or booked it (the caller offers other slots). */
    async take(start: string): Promise<"held" | "taken" | "failed"> {
      if (current?.start === start) return "held";
      const previous = current;
      try {
        const hold = await api<{ id: string; start: string; expiresAt: string }>("/bookings/holds", o.token, {
          method: "POST",
          json: { studentProfileId: o.profileId, dateTime: start, visitorId: o.visitorId },
        });
        // The server replaced the previous hold with this one.
        if (previous) o.bridge.post("slot.released", { studentProfileId: o.profileId, start: previous.start });
        current = { id: hold.id, start };
        o.bridge.post("slot.held", { studentProfileId: o.profileId, start, expiresAt: hold.expiresAt });
        return "held";
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          o.bridge.post("slot.taken", { studentProfileId: o.profileId, start });
          return "taken";
        }
        return "failed";
      }
    },
    release: () => release(),
    /** The booking consumed the hold (the server removed it in the booking's transaction). */
    booked() {
      if (current) o.bridge.post("slot.released", { studentProfileId: o.profileId, start: current.start });
      current = null;
    },
    heldStart: () => current?.start ?? null,
  };
}
