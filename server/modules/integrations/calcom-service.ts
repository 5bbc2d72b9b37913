import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { studentProfiles } from "../../../db/schema/index.ts";
import type { CalcomClient } from "../../integrations/calcom/client.ts";
import { ErrorCode, notFound } from "../../lib/errors.ts";

export type CalcomService = ReturnType<typeof createCalcomService>;

/**
 * SCHEDULING_BACKEND=calcom: a mentor maps to a Cal.com event type (student_profiles.calcom_event_type_id) and
 * Cal.com becomes the authority on their slots and bookings; we keep a copy (kept in step by its webhooks) so
 * discovery, statistics and the EXCLUDE constraint keep working. Mentors without a mapping use the native engine.
 */
export function createCalcomService({ db, client }: { db: Database; client: CalcomClient }) {
  async function eventTypeOf(studentProfileId: string): Promise<number | null> {
    const [row] = await db
      .select({ eventTypeId: studentProfiles.calcomEventTypeId })
      .from(studentProfiles)
      .where(eq(studentProfiles.id, studentProfileId))
      .limit(1);
    return row?.eventTypeId ?? null;
  }
  return {
    client,
    eventTypeOf,
    async setEventType(studentProfileId: string, eventTypeId: number | null): Promise<void> {
      const updated = await db
        .update(studentProfiles)
        .set({ calcomEventTypeId: eventTypeId })
        .where(eq(studentProfiles.id, studentProfileId))
        .returning({ id: studentProfiles.id });
      if (updated.length === 0) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
    },
    /** Slot starts Cal.com offers in [from, to), or null when the mentor is not on Cal.com. */
    async slotsFor(studentProfileId: string, from: Date, to: Date): Promise<number[] | null> {
      const eventTypeId = await eventTypeOf(studentProfileId);
      if (eventTypeId === null) return null;
      if (to <= from) return [];
      const slots = await client.getSlots({ eventTypeId, start: from, end: to });
      return slots.map((s) => s.start.getTime()).filter((t) => t >= from.getTime() && t < to.getTime());
    },
  };
}
