import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { bound, prebuilt } from "../../../db/prebuilt.ts";
import { idempotencyKeys } from "../../../db/schema/index.ts";
import { conflict, ErrorCode } from "../../lib/errors.ts";

/**
 * Idempotency-Key for bookings, safe when the answer is lost.
 *
 * The key row is written in the booking's own transaction, with the booking, holding the answer's body (known before
 * the commit since the booking's id is drawn first). So the key commits exactly when the booking does, and a retry of
 * a committed booking always finds it, whatever happened after the commit (a dropped connection, a crash, a SIGTERM).
 * A retry, or a concurrent duplicate, fails somewhere in its own attempt (its slot is taken by the first, the
 * per-address limit counts the first, or the key's unique index refuses the row after waiting for the first to
 * commit) and then answers from the stored row. With an outside calendar, whose link arrives after the commit, the
 * row first holds a reference `{ bookingId }` that the full body replaces once built; a replay that finds only the
 * reference builds it from the booking. A first attempt that never committed left no row: its retry books normally.
 * Nothing waits on another request's answer.
 */
export interface StoredAnswer<B> {
  status: number;
  body: B;
  replayed: true;
}

/** The body a reference row carries until the full answer is stored. */
interface Reference {
  bookingId: number;
  ref: true;
}
const isReference = (body: unknown): body is Reference =>
  typeof body === "object" && body !== null && (body as Reference).ref === true && typeof (body as Reference).bookingId === "number";

export function requestHash(input: unknown): string {
  return createHash("sha256").update(JSON.stringify(input)).digest("hex");
}

export function createBookingIdempotency<B>(deps: { db: Database; build: (bookingId: number) => Promise<B> }) {
  const { db, build } = deps;
  const where = (scope: string, key: string) => and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
  // Built once: every booking with a key writes one (db/prebuilt.ts).
  const insertKey = prebuilt(db, (d) =>
    d
      .insert(idempotencyKeys)
      .values({ scope: bound("scope"), key: bound("key"), requestHash: bound("hash"), responseStatus: 201, responseBody: bound("body") } as unknown as typeof idempotencyKeys.$inferInsert)
      .prepare("insert_idempotency_key"),
  );

  return {
    /** The stored answer for this key, or null when no committed request used it. A different body is a 409. */
    async replay(scope: string, key: string, hash: string): Promise<StoredAnswer<B> | null> {
      const [stored] = await db.select().from(idempotencyKeys).where(where(scope, key));
      // response_status 0: a row from before this scheme whose answer was never stored; nothing to return.
      if (!stored || stored.responseStatus === 0) return null;
      if (stored.requestHash !== hash) throw conflict(ErrorCode.CONFLICT, "This Idempotency-Key was already used for a different request");
      if (!isReference(stored.responseBody)) return { status: stored.responseStatus, body: stored.responseBody as B, replayed: true };
      const body = await build(stored.responseBody.bookingId);
      await db.update(idempotencyKeys).set({ responseBody: body }).where(where(scope, key)).catch(() => {});
      return { status: stored.responseStatus, body, replayed: true };
    },

    /**
     * In the booking's transaction, with the booking: the key answers 201 with this body, or with a reference to the
     * booking when the body is only known after the commit (an outside calendar sets the link then). A key already
     * taken fails this insert with a unique violation, after waiting for a holder still running; the caller then
     * answers with `replay`.
     */
    async record(tx: Database, scope: string, key: string, hash: string, answer: { body: B } | { bookingId: number }): Promise<void> {
      const responseBody = "body" in answer ? answer.body : ({ bookingId: answer.bookingId, ref: true } satisfies Reference);
      await insertKey.on(tx, { scope, key, hash, body: JSON.stringify(responseBody) });
    },

    /** After the commit, when `settle` stored a reference: the full first answer (best effort: the reference suffices). */
    async remember(scope: string, key: string, body: B): Promise<void> {
      await db.update(idempotencyKeys).set({ responseBody: body }).where(where(scope, key)).catch(() => {});
    },
  };
}
