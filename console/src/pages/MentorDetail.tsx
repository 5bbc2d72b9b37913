import { A, useParams } from "@solidjs/router";
import { createSignal, For, type JSX, Show } from "solid-js";
import { Async, useApi } from "../components/Async.tsx";
import { ApiError, api } from "../lib/api.ts";
import { announce, announceError, useScreen } from "../lib/focus.ts";
import { fieldLabel, formatDateTime, formatNumber, formatPercentValue, t } from "../lib/i18n.ts";
import type { MentorDetail as Detail } from "../lib/types.ts";

const statLabels = (): [string, string, "count" | "rate" | "rating"][] => [
  ["totalSessions", t().mentors.sessions, "count"],
  ["completedSessions", t().overview.completed, "count"],
  ["cancelledSessions", t().overview.cancelled, "count"],
  ["completionRate", t().mentors.completionRate, "rate"],
  ["cancellationRate", t().mentors.cancellationRate, "rate"],
  ["averageRating", t().mentors.rating, "rating"],
];

/** One mentor: profile, statistics, ratings, upcoming sessions, and the activation switch (PATCH /students/:id/status). */
export function MentorDetail(): JSX.Element {
  const params = useParams();
  const [detail, { refetch, mutate }] = useApi(
    () => params.id,
    (id) => api<Detail>(`/admin/mentors/${encodeURIComponent(id)}`),
  );
  const [busy, setBusy] = createSignal(false);
  const [message, setMessage] = createSignal("");
  useScreen(() => (detail.error ? t().a11y.mentor : (detail.latest?.profile.name ?? t().a11y.mentor)));

  const toggle = async (d: Detail) => {
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus to <body> mid-action.
    if (busy()) return;
    setBusy(true);
    setMessage("");
    try {
      const next = !d.profile.isActive;
      await api(`/students/${encodeURIComponent(d.profile.id)}/status`, { method: "PATCH", json: { isActive: next } });
      mutate({ ...d, profile: { ...d.profile, isActive: next } });
      setMessage(next ? t().mentor.activated : t().mentor.deactivated);
      announce(message());
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
      announceError(message());
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page">
      <p>
        <A href="/mentors">← {t().mentor.back}</A>
      </p>
      <Async resource={detail} refetch={refetch}>
        {(d) => {
          const p = d.profile;
          return (
            <>
              <h1>{p.name}</h1>
              <div class="grid-2">
                <section class="card" aria-labelledby="profile-title">
                  <h2 id="profile-title">{t().mentor.profile}</h2>
                  <dl class="facts">
                    <dt>{t().mentors.university}</dt>
                    <dd>{p.university ?? "—"}</dd>
                    <dt>{t().mentors.field}</dt>
                    <dd>{fieldLabel(p.field)}</dd>
                    <dt>{t().mentor.degree}</dt>
                    <dd>{p.degree ?? "—"}</dd>
                    <dt>{t().mentor.year}</dt>
                    <dd>{p.currentYear ?? "—"}</dd>
                    <dt>{t().mentors.status}</dt>
                    <dd>
                      <span class="pill" classList={{ ok: detail()?.profile.isActive, off: !detail()?.profile.isActive }} data-testid="mentor-status">
                        {detail()?.profile.isActive ? t().mentors.active : t().mentors.inactive}
                      </span>
                    </dd>
                  </dl>
                  <Show when={p.bio}>
                    <h3>{t().mentor.bio}</h3>
                    <p class="bio">{p.bio}</p>
                  </Show>
                  <button type="button" class="primary" aria-disabled={busy()} onClick={() => void toggle(detail() ?? d)} data-testid="toggle-active">
                    {detail()?.profile.isActive ? t().mentor.deactivate : t().mentor.activate}
                  </button>
                  <p class="muted" data-testid="toggle-status">
                    {message()}
                  </p>
                </section>
                <section class="card" aria-labelledby="stats-title">
                  <h2 id="stats-title">{t().mentor.stats}</h2>
                  <dl class="facts">
                    <For each={statLabels()}>
                      {([key, label, kind]) => {
                        const v = () => d.stats?.[key] ?? null;
                        return (
                          <>
                            <dt>{label}</dt>
                            <dd>{kind === "rate" ? formatPercentValue(v()) : kind === "rating" ? (v() === null ? "—" : formatNumber(v(), 2)) : formatNumber(v())}</dd>
                          </>
                        );
                      }}
                    </For>
                  </dl>
                </section>
              </div>
              <div class="grid-2">
                <section class="card" aria-labelledby="ratings-title">
                  <h2 id="ratings-title">{t().mentor.ratings}</h2>
                  <ul class="list">
                    <For each={d.ratings ?? []} fallback={<li class="muted">{t().mentor.noRatings}</li>}>
                      {(r) => (
                        <li>
                          <strong>{t().moderation.stars(r.rating)}</strong> <span class="muted">{formatDateTime(r.createdAt)}</span>
                          <Show when={r.feedback}>
                            <p>{r.feedback}</p>
                          </Show>
                        </li>
                      )}
                    </For>
                  </ul>
                </section>
                <section class="card" aria-labelledby="upcoming-title">
                  <h2 id="upcoming-title">{t().mentor.upcoming}</h2>
                  <ul class="list">
                    <For each={d.upcomingSessions ?? []} fallback={<li class="muted">{t().mentor.noUpcoming}</li>}>
                      {(s) => (
                        <li>
                          <strong>{formatDateTime(s.startTime)}</strong>
                          <Show when={s.prospectiveName}>
                            <span> — {s.prospectiveName}</span>
                          </Show>
                        </li>
                      )}
                    </For>
                  </ul>
                </section>
              </div>
            </>
          );
        }}
      </Async>
    </div>
  );
}
