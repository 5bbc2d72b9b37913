import type { BookingService } from "../bookings/service.ts";
import type { ManageTokens } from "../bookings/manage-token.ts";

/**
 * A booking's manage token may read its mentor's availability for one purpose only: choosing a new slot for that
 * booking. So it is accepted only with `rescheduleBookingId` equal to its own booking, for that booking's mentor,
 * while the booking is still upcoming (ACCEPTED).
 */
export function manageTokenAvailabilityAccess(manageTokens: ManageTokens, bookings: Pick<BookingService, "get">) {
  return async (authorization: string | undefined, studentProfileId: string, rescheduleBookingId: number | undefined): Promise<boolean> => {
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const bookingId = token ? await manageTokens.verify(token).catch(() => null) : null;
    if (bookingId === null || bookingId !== rescheduleBookingId) return false;
    const booking = await bookings.get(bookingId, { kind: "manage", bookingId }).catch(() => null);
    return booking?.studentProfileId === studentProfileId && booking.status === "ACCEPTED";
  };
}
