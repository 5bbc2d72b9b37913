import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";

const QUARTER_HOUR = 15 * 60_000;

export interface TickerTasks {
  /** Completes sessions that have ended. */
  completeEnded(): Promise<number>;
  /** Recomputes every mentor's free-slot summary (the slot grid moves each quarter hour). */
  refreshAllSummaries(): Promise<number>;
  /** Re-reads outside calendars' busy times (Google), when connected. */
  syncCalendars?(): Promise<number>;
}

/**
 * Periodic work of the scheduling engine: automatic completion every minute, free-slot summaries every quarter
 * hour. Both tasks are safe to run from several processes at once: completion is one UPDATE filtered on
 * status = 'ACCEPTED' (Postgres re-checks the filter after a row lock, so no session is counted twice) and a
 * summary refresh only recomputes values.
 */
export function startTicker(deps: { clock: Clock; logger: Logger; tasks: TickerTasks; intervalMs?: number }) {
  const { clock, logger, tasks } = deps;
  let lastQuarter = -1;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const completed = await tasks.completeEnded();
      if (completed) logger.info("sessions completed automatically", { count: completed });
      const quarter = Math.floor(clock.now().getTime() / QUARTER_HOUR);
      if (quarter !== lastQuarter) {
        if (tasks.syncCalendars) await tasks.syncCalendars();
        const refreshed = await tasks.refreshAllSummaries();
        lastQuarter = quarter;
        logger.debug("free-slot summaries refreshed", { mentors: refreshed });
      }
    } catch (error) {
      logger.error("ticker failed", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, deps.intervalMs ?? 60_000);
  void tick();
  return {
    tick,
    stop() {
      clearInterval(timer);
    },
  };
}
