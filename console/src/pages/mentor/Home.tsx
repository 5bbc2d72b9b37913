import { createResource, createSignal, For, type JSX, Show } from "solid-js";
import { Async } from "../../components/Async.tsx";
import { ApiError } from "../../lib/api.ts";
import { formatDateTime, formatNumber, formatPercentValue } from "../../lib/i18n.ts";
import { api, base, getGoogle, getProfile, getRatings, getSchedule, getStats, myProfileId } from "./api.ts";
import { m } from "./i18n.ts";

/** The mentor's home: what keeps the profile out of listings, statistics, ratings and the Google Calendar link. */
export function MentorHome(): JSX.Element {
  const id = () => myProfileId() || false;
  const [profile] = createResource(id, getProfile);
  const [schedule] = createResource(id, getSchedule);
  const [stats] = createResource(id, getStats);
  const [ratings] = createResource(id, getRatings);
  // 404 when the server has no Google client configured: shown as "not available", not as an error.
  // Wrapped in an object: <Async> reconciles objects in place (focus stays), and "not configured" is a value here.
  const [google, { refetch: refetchGoogle }] = createResource(id, () =>
    getGoogle().then(
      (status) => ({ status }),
      (e) => (e instanceof ApiError && e.status === 404 ? { status: null } : Promise.reject(e)),
    ),
  );
  const [busy, setBusy] = createSignal(false);
  const [googleError, setGoogleError] = createSignal<string | null>(null);

  const items = () => {
    const p = profile();
    const s = schedule();
    const g = google()?.status;
    return [
      { key: "profile", label: m().home.profile, done: Boolean(p?.isComplete), required: true },
      { key: "photo", label: m().home.photo, done: Boolean(p?.profilePhotoUrl), required: false },
      { key: "schedule", label: m().home.schedule, done: Boolean(s?.configured && s.weekly.some((d) => d.ranges.length > 0)), required: true },
      { key: "active", label: m().home.active, done: Boolean(p?.isActive), required: true },
      { key: "google", label: m().home.google, done: Boolean(g?.connected), required: false },
    ];
  };
  const missing = () => items().filter((i) => i.required && !i.done);

  const connect = async () => {
    setBusy(true);
    setGoogleError(null);
    try {
      const { consentUrl } = await api<{ consentUrl: string }>(`${base()}/google/connect`, { method: "POST" });
      window.location.assign(consentUrl);
    } catch (e) {
      setGoogleError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  const disconnect = async () => {
    setBusy(true);
    setGoogleError(null);
    try {
      await api(`${base()}/google`, { method: "DELETE" });
      await refetchGoogle();
    } catch (e) {
      setGoogleError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page">
      <h1>{m().home.title}</h1>
      <div class="grid-2">
        <section class="card" aria-labelledby="checklist-title" data-testid="checklist">
          <h2 id="checklist-title">{m().home.checklist}</h2>
          <Async resource={profile}>
            {() => (
              <>
                <ul class="list">
                  <For each={items()}>
                    {(i) => (
                      <li data-testid={`check-${i.key}`} data-done={String(i.done)}>
                        <span aria-hidden="true">{i.done ? "✔" : "○"}</span> {i.label} — <strong>{i.done ? m().home.done : m().home.todo}</strong>
                      </li>
                    )}
                  </For>
                </ul>
                <p role="status" data-testid="listing-status" class={missing().length ? "error-text" : "muted"}>
                  {missing().length ? m().home.notListed(missing().map((i) => i.label.toLowerCase()).join(" ; ")) : m().home.listed}
                </p>
              </>
            )}
          </Async>
        </section>
        <section class="card" aria-labelledby="google-title" data-testid="google">
          <h2 id="google-title">{m().google.title}</h2>
          <Async resource={google}>
            {(g) => (
              <Show when={g.status} fallback={<p class="muted">{m().google.unavailable}</p>}>
                {(status) => (
                  <>
                    <p role="status" data-testid="google-status">
                      {status().connected ? m().google.connected(formatDateTime(status().connectedAt)) : m().google.notConnected}
                    </p>
                    <Show when={status().lastError}>
                      <p class="error-text">
                        {m().google.lastError} {status().lastError}
                      </p>
                    </Show>
                    <Show
                      when={status().connected}
                      fallback={
                        <button type="button" class="primary" disabled={busy()} onClick={() => void connect()}>
                          {m().google.connect}
                        </button>
                      }
                    >
                      <button type="button" disabled={busy()} onClick={() => void disconnect()}>
                        {m().google.disconnect}
                      </button>
                    </Show>
                  </>
                )}
              </Show>
            )}
          </Async>
          <p class="error-text" role="alert">
            {googleError() ?? ""}
          </p>
        </section>
        <section class="card" aria-labelledby="stats-title">
          <h2 id="stats-title">{m().home.stats}</h2>
          <Async resource={stats}>
            {(s) => (
              <dl class="facts" data-testid="my-stats">
                <dt>{m().home.sessions}</dt>
                <dd>{formatNumber(s.totalSessions)}</dd>
                <dt>{m().home.completion}</dt>
                <dd>{formatPercentValue(s.completionRate)}</dd>
                <dt>{m().home.cancellation}</dt>
                <dd>{formatPercentValue(s.cancellationRate)}</dd>
                <dt>{m().home.rating}</dt>
                <dd>{s.averageRating === null ? "—" : `${formatNumber(s.averageRating, 1)} / 5 (${s.totalRatings})`}</dd>
              </dl>
            )}
          </Async>
        </section>
        <section class="card" aria-labelledby="ratings-title">
          <h2 id="ratings-title">{m().home.ratings}</h2>
          <Async resource={ratings}>
            {(r) => (
              <ul class="list">
                <For each={r.items} fallback={<li class="muted">{m().home.noRatings}</li>}>
                  {(x) => (
                    <li>
                      <strong>{m().home.stars(x.rating)}</strong> <span class="muted">{formatDateTime(x.createdAt)}</span>
                      <Show when={x.feedback}>
                        <p>{x.feedback}</p>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            )}
          </Async>
        </section>
      </div>
    </div>
  );
}
