import type { Logger } from "../../lib/logger.ts";
import type { KeyValueStore } from "../../store/index.ts";
import type { RedisStore } from "../../store/redis.ts";

/** What open widgets learn: a mentor's free slots changed (booked, cancelled, held, released, moved). */
export interface SlotsEvent {
  studentProfileId: string;
  reason: "booked" | "cancelled" | "held" | "released" | "changed";
  /** The slot concerned when one is (ISO date-time); absent for wider changes (schedule, reschedule). */
  start?: string;
}
type Listener = (event: SlotsEvent) => void;

/**
 * Fans slot changes out to the SSE streams of this process. With the memory store there is one process, so publishing
 * is a local dispatch. With Redis every process subscribes to one channel and only dispatches what comes back from
 * it, so a change made behind any API process reaches the streams of all of them (this one included, exactly once).
 */
export function createLiveBus(store: KeyValueStore, logger: Logger) {
  const listeners = new Map<string, Set<Listener>>();
  /** Open streams end when the process shuts down (their clients reconnect to another process and re-read). */
  const enders = new Set<() => void>();
  const dispatch = (event: SlotsEvent) => {
    for (const listener of listeners.get(event.studentProfileId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        logger.warn("live listener failed", { error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  let publish: (event: SlotsEvent) => Promise<void> = async (event) => dispatch(event);
  let close = async () => {};
  let ensureSubscribed = () => {};
  if (store.kind === "redis") {
    const redis = store as RedisStore;
    const channel = `${redis.prefix}live:slots`;
    let subscriber: ReturnType<RedisStore["client"]["duplicate"]> | null = null;
    // A connection in subscriber mode can run no other command: a dedicated one, made when the first stream opens
    // (a process that never serves a stream never holds it).
    ensureSubscribed = () => {
      if (subscriber) return;
      subscriber = redis.client.duplicate();
      subscriber.on("error", () => {}); // the store's own connection logs outages
      subscriber.on("message", (_channel: string, message: string) => {
        try {
          dispatch(JSON.parse(message) as SlotsEvent);
        } catch {
          // not ours
        }
      });
      void subscriber.subscribe(channel).catch((error: Error) => logger.warn("live subscribe failed", { error: error.message }));
    };
    publish = async (event) => {
      // Live updates are best effort: the change is committed; a missed event is healed by the stream's re-read on reconnect.
      await redis.client.publish(channel, JSON.stringify(event)).then(
        () => undefined,
        (error: Error) => {
          logger.warn("live publish failed", { error: error.message });
          dispatch(event); // this process's own streams still learn it
        },
      );
    };
    close = async () => {
      subscriber?.disconnect();
      subscriber = null;
    };
  }

  return {
    publish: (event: SlotsEvent) => publish(event),
    /** Calls `listener` for changes of any of these mentors; returns the unsubscribe function. */
    subscribe(studentProfileIds: readonly string[], listener: Listener): () => void {
      ensureSubscribed();
      for (const id of studentProfileIds) {
        let set = listeners.get(id);
        if (!set) listeners.set(id, (set = new Set()));
        set.add(listener);
      }
      return () => {
        for (const id of studentProfileIds) {
          const set = listeners.get(id);
          set?.delete(listener);
          if (set?.size === 0) listeners.delete(id);
        }
      };
    },
    /** Open subscriptions (one per stream and mentor), for metrics and tests. */
    size: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    onShutdown(end: () => void): () => void {
      enders.add(end);
      return () => enders.delete(end);
    },
    async close() {
      for (const end of [...enders]) end();
      enders.clear();
      await close();
    },
  };
}
export type LiveBus = ReturnType<typeof createLiveBus>;
