import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import type { ServerProcess } from "../test-support/server-process.ts";

/** One answer (or its absence) seen by the load generator of the fault tests. */
export interface Seen {
  kind: "book" | "read" | "ready";
  /** performance.now() when sent. */
  at: number;
  ms: number;
  /** 0: no HTTP answer (connection reset, timeout). */
  status: number;
  code?: string;
  retryAfter?: string | null;
  booking?: { key: string; body: unknown; id?: number };
}

/** Test traffic against a server process: reads of availability and bookings of distinct slots, each with its key. */
export async function createLoad(server: ServerProcess, db: Database, mentors = 12) {
  const widget = await server.token("widget");
  const profiles = (await db.execute(sql`select id from student_profiles where is_active and is_complete order by id limit ${mentors}`)) as unknown as
    | { id: string }[]
    | { rows: { id: string }[] };
  const ids = (Array.isArray(profiles) ? profiles : profiles.rows).map((r) => r.id);
  const slots: { profileId: string; start: string }[] = [];
  for (const id of ids) {
    const r = await server.request(`/api/v2/students/${id}/availability`, { token: widget });
    const body = (await r.json()) as { data: { slots: { start: string }[] } };
    for (const s of body.data.slots) slots.push({ profileId: id, start: s.start });
  }
  // Interleave mentors so concurrent bookings rarely touch the same mentor's row.
  slots.sort((a, b) => a.start.localeCompare(b.start));
  let next = 0;
  const seen: Seen[] = [];

  const timed = async (kind: Seen["kind"], run: () => Promise<Response>, booking?: Seen["booking"]): Promise<Seen> => {
    const started = performance.now();
    const entry: Seen = { kind, at: performance.now(), ms: 0, status: 0, ...(booking ? { booking } : {}) };
    try {
      const res = await run();
      entry.status = res.status;
      entry.retryAfter = res.headers.get("retry-after");
      const body = (await res.json().catch(() => null)) as { error?: { code?: string }; data?: { bookingId?: number } } | null;
      entry.code = body?.error?.code;
      if (booking && body?.data?.bookingId) booking.id = body.data.bookingId;
    } catch {
      entry.status = 0;
    }
    entry.ms = performance.now() - started;
    seen.push(entry);
    return entry;
  };

  const book = (key = `load-${crypto.randomUUID()}`, body?: unknown) => {
    const slot = slots[next++ % slots.length]!;
    const json = body ?? {
      studentProfileId: slot.profileId,
      dateTime: slot.start,
      prospectiveStudent: { name: "Élise Faure", email: `elise.${next}@lycee.fr` },
    };
    return timed("book", () => server.request("/api/v2/bookings", { method: "POST", token: widget, json, headers: { "idempotency-key": key } }), { key, body: json });
  };
  const read = () => {
    const id = ids[next % ids.length]!;
    return timed("read", () => server.request(`/api/v2/students/${id}/availability`, { token: widget }));
  };
  const ready = () => timed("ready", () => server.request("/ready"));

  /** Runs `concurrency` loops of booking and reading until `until()` is true. */
  const run = async (until: () => boolean, concurrency = 6) => {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        while (!until()) await (i % 2 === 0 ? book() : read());
      }),
    );
  };

  /**
   * Retries every booking whose answer was not a 2xx with the same key and body (what an integrator does), then
   * returns the booking ids the clients know of and the ids in the database.
   */
  const reconcile = async () => {
    for (const s of seen.filter((e) => e.kind === "book" && (e.status < 200 || e.status >= 300) && e.status !== 409)) {
      const again = await book(s.booking!.key, s.booking!.body);
      if (again.status === 201) s.booking!.id = again.booking!.id;
    }
    const known = new Set(seen.filter((e) => e.booking?.id).map((e) => e.booking!.id!));
    // This load's own bookings (the demo history holds others).
    const rows = (await db.execute(sql`select id from bookings where prospective_email like 'elise.%@lycee.fr'`)) as unknown as { id: number }[] | { rows: { id: number }[] };
    const inDb = new Set((Array.isArray(rows) ? rows : rows.rows).map((r) => Number(r.id)));
    return { known, inDb };
  };

  return { seen, book, read, ready, run, reconcile, ids };
}
