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
  // `executor`: inside a transaction (refreshSummary) the read must use it; on PGlite a query on `db` waits for the
  // open transaction to end, which would never happen.
  async function eventTypeOf(studentProfileId: string, executor: Database = db): Promise<number | null> {
    const [row] = await executor
      .select({ eventTypeId: studentProfiles.calcomEventTypeId })
      .from(studentProfiles)
      .where(eq(studentProfiles.id, studentProfileId))
      .limit(1);
    return row?.eventTypeId ?? null;
  }
  return {
    client,
    eventTypeOf,
    /** `changed` runs in the same transaction once the mapping is written (the mentor's slots now come from elsewhere). */
    async setEventType(studentProfileId: string, eventTypeId: number | null, changed?: (tx: Database) => Promise<void>): Promise<void> {
      await db.transaction(async (txn) => {
        const tx = txn as unknown as Database;
        const updated = await tx
          .update(studentProfiles)
          .set({ calcomEventTypeId: eventTypeId })
          .where(eq(studentProfiles.id, studentProfileId))
          .returning({ id: studentProfiles.id });
        if (updated.length === 0) throw notFound(ErrorCode.PROFILE_NOT_FOUND, `Student profile ${studentProfileId} not found`);
        await changed?.(tx);
      });
    },
    /** Slot starts Cal.com offers in [from, to), or null when the mentor is not on Cal.com. */
    async slotsFor(studentProfileId: string, from: Date, to: Date, executor: Database = db): Promise<number[] | null> {
      const eventTypeId = await eventTypeOf(studentProfileId, executor);
      if (eventTypeId === null) return null;
      if (to <= from) return [];
      const slots = await client.getSlots({ eventTypeId, start: from, end: to });
      return slots.map((s) => s.start.getTime()).filter((t) => t >= from.getTime() && t < to.getTime());
    },
  };
}
