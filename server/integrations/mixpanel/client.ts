/**
 * Mixpanel's ingestion HTTP API, `POST /track` (https://docs.mixpanel.com/reference/track-event): a JSON array of
 * `{ event, properties: { token, time, distinct_id, $insert_id, … } }`, authenticated by the project token inside
 * each event. `$insert_id` makes a retried batch idempotent (Mixpanel drops duplicates of the same event), so the job
 * that sends it may safely run again. `?verbose=1` makes Mixpanel answer `{ status: 1 | 0, error }` instead of "1"/"0".
 */
export interface MixpanelEvent {
  event: string;
  /** Unix milliseconds. */
  time: number;
  /** Empty when anonymous. */
  distinctId: string;
  /** At most 36 characters of [A-Za-z0-9-]. */
  insertId: string;
  properties?: Record<string, unknown>;
}

export class MixpanelError extends Error {
  constructor(
    message: string,
    /** 4xx other than 429: the batch itself is refused and retrying cannot help. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "MixpanelError";
  }
}

export function createMixpanelClient(opts: { token: string; apiUrl: string; timeoutMs?: number; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? fetch;
  return {
    async track(events: MixpanelEvent[], signal?: AbortSignal): Promise<void> {
      if (events.length === 0) return;
      const body = events.map((e) => ({
        event: e.event,
        properties: { ...e.properties, token: opts.token, time: e.time, distinct_id: e.distinctId, $insert_id: e.insertId },
      }));
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
      const response = await doFetch(`${opts.apiUrl}/track?verbose=1`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await response.text();
      if (!response.ok) {
        const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
        throw new MixpanelError(`Mixpanel answered ${response.status}: ${text.slice(0, 200)}`, permanent);
      }
      let verdict: { status?: number; error?: string | null } = {};
      try {
        verdict = JSON.parse(text) as typeof verdict;
      } catch {
        throw new MixpanelError(`Mixpanel answered an unreadable body: ${text.slice(0, 200)}`, false);
      }
      if (verdict.status !== 1) throw new MixpanelError(`Mixpanel refused the batch: ${verdict.error ?? "unknown error"}`, true);
    },
  };
}

export type MixpanelClient = ReturnType<typeof createMixpanelClient>;
