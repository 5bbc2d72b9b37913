import type { Clock } from "../../lib/clock.ts";
import { AppError, ErrorCode } from "../../lib/errors.ts";
import type { KeyValueStore } from "../../store/index.ts";
import { normaliseEmail } from "../../lib/email-address.ts";

/** Failures from one address on one account before delays start; then 1 s, 2 s, 4 s ... up to 15 minutes. */
export const FREE_FAILURES = 5;
export const MAX_DELAY_SECONDS = 15 * 60;
/** How long failures are remembered after the first one (a success forgets them at once). */
const FAILURE_MEMORY_SECONDS = 3600;

export const delaySeconds = (failures: number) => (failures < FREE_FAILURES ? 0 : Math.min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS));

/**
 * Sign-in throttle keyed on (account, client address), in the shared store so every server process counts together.
 * An attacker elsewhere therefore cannot lock the real admin out, and an unknown address is throttled exactly like a
 * known one (the key is the address as typed), so the answers tell nothing about which accounts exist.
 *
 * Every attempt counts as a failure the moment it starts (one atomic increment) and is forgiven only by a success:
 * concurrent guesses cannot slip between a check and a count. Only one attempt per key is verified at a time; the
 * others are refused before any password is checked.
 */
export function createSignInThrottle(deps: { store: KeyValueStore; clock: Clock }) {
  const { store, clock } = deps;
  const keys = (email: string, ip: string) => {
    const id = `${normaliseEmail(email)}|${ip}`;
    return { failures: `signin-fail:${id}`, last: `signin-last:${id}`, busy: `signin-busy:${id}` };
  };
  const refuse = (seconds: number) => {
    const s = Math.max(1, Math.ceil(seconds));
    return new AppError(
      429,
      ErrorCode.ACCOUNT_LOCKED,
      "Trop d'essais depuis cette adresse ; réessayez plus tard / Too many attempts from this address; try again later",
      { retryAfterSeconds: s },
      { "retry-after": String(s) },
    );
  };

  return {
    /**
     * Runs `attempt` (the password check) if the key may try now; a false result or a throw counts as a failure.
     * The throttle's own refusals are 429 ACCOUNT_LOCKED with Retry-After.
     */
    async guard<T>(email: string, ip: string, attempt: () => Promise<T | null>): Promise<T | null> {
      const k = keys(email, ip);
      const now = clock.now().getTime();
      const [failuresText, lastText] = await Promise.all([store.get(k.failures), store.get(k.last)]);
      const failures = Number(failuresText ?? 0);
      const waitMs = Number(lastText ?? 0) + delaySeconds(failures) * 1000 - now;
      if (failures >= FREE_FAILURES && waitMs > 0) throw refuse(waitMs / 1000);
      // Counted before anything is checked; forgiven below on success.
      const { value: count } = await store.incr(k.failures, FAILURE_MEMORY_SECONDS);
      await store.set(k.last, String(now), FAILURE_MEMORY_SECONDS);
      const { value: busy } = await store.incr(k.busy, 30);
      try {
        if (busy > 1) throw refuse(Math.max(1, delaySeconds(count)));
        const result = await attempt();
        if (result !== null) await store.del(k.failures, k.last);
        return result;
      } finally {
        if (busy === 1) await store.del(k.busy);
      }
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
