/**
 * Statements of one transaction sent together. postgres.js writes queries issued without waiting one after the other
 * on the transaction's connection (pipelining), and Postgres runs them in the order sent: statements that do not need
 * one another's answers cost one round trip together instead of one each, with the same meaning as run one by one
 * (each statement still sees what the ones before it did). PGlite runs them one by one, in the same order.
 */

/**
 * Starts a lazy query (Drizzle builders run only once awaited) now, so statements go out in the order written:
 * `pipelined([send(insertBooking), history(...)])` puts the booking on the wire before the history row that refers
 * to it.
 */
export function send<T>(query: PromiseLike<T>): Promise<T> {
  return query.then((value) => value) as Promise<T>;
}

/**
 * Awaits statements already sent (see `send`). Unlike Promise.all it waits for every one before throwing, so the
 * transaction never ends while some of its statements are still in flight, and it throws the first failure in the
 * order given: a later statement failing with "current transaction is aborted" is a consequence, not the cause.
 */
export async function pipelined<T extends readonly unknown[]>(values: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(values);
  for (const result of results) if (result.status === "rejected") throw result.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
