import { createSignal, For, type JSX, onCleanup, Show } from "solid-js";
import { Async, useApi } from "../components/Async.tsx";
import { TableWrap } from "../components/TableWrap.tsx";
import { api } from "../lib/api.ts";
import { useScreen } from "../lib/focus.ts";
import { formatNumber, formatPercent, formatTime, t } from "../lib/i18n.ts";
import type { AdminHealth } from "../lib/types.ts";

const REFRESH_MS = 10_000;

function duration(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined) return "—";
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const u = t().health.units;
  return d > 0 ? `${d} ${u.d} ${h} ${u.h}` : h > 0 ? `${h} ${u.h} ${m} ${u.min}` : `${m} ${u.min} ${Math.floor(seconds % 60)} ${u.s}`;
}
const msValue = (v: number | null | undefined) => (v === null || v === undefined ? "—" : formatNumber(v, v < 10 ? 1 : 0));
const ms = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${msValue(v)} ms`);

/**
 * Live system health (GET /admin/health), polled every 10 s while the screen is open and the tab visible. A refresh
 * updates the figures in place (Async reconciles): the table or control the user is on is never re-created.
 */
export function Health(): JSX.Element {
  useScreen(() => t().health.title);
  const [tick, setTick] = createSignal(0);
  const [refreshedAt, setRefreshedAt] = createSignal<Date | null>(null);
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") setTick(tick() + 1);
  }, REFRESH_MS);
  onCleanup(() => clearInterval(timer));
  const [health, { refetch }] = useApi(
    () => ({ n: tick() }),
    async () => {
      const h = await api<AdminHealth>("/admin/health");
      setRefreshedAt(new Date());
      return h;
    },
  );

  return (
    <div class="page">
      <h1>{t().health.title}</h1>
      <p class="muted" aria-live="off">
        {refreshedAt() ? t().health.refreshed(formatTime(refreshedAt() as Date)) : ""}
      </p>
      <Async resource={health} refetch={refetch}>
        {(h) => (
          <>
            <section class="card" aria-labelledby="alerts-h">
              <h2 id="alerts-h">{t().health.alerts}</h2>
              <ul class="alerts" data-testid="alerts">
                <Alert label={t().health.alertApi} on={h.alerts?.apiErrorRate} />
                <Alert label={t().health.alertBooking} on={h.alerts?.bookingFailureRate} />
                <Alert label={t().health.alertWebhook} on={h.alerts?.webhookFailureRate} />
              </ul>
            </section>
            <section class="cards" aria-label={t().health.title}>
              <Stat label={t().health.status} value={h.status === "ok" ? t().health.ok : h.status === "degraded" ? t().health.degraded : h.status} />
              <Stat label={t().health.uptime} value={duration(h.uptimeSeconds)} />
              <Stat label={t().health.database} value={ms(h.database?.latencyMs)} />
              <Stat label={t().health.webhooks} value={formatPercent(h.webhooks?.successRate)} />
              <Stat label={t().health.emails} value={formatPercent(h.emails?.successRate)} />
              <Stat label={t().health.cache} value={formatPercent(h.cache?.hitRate)} />
              <Stat label={t().health.bookingFailures} value={formatPercent(h.bookings?.failureRate)} />
            </section>
            <section class="card" aria-labelledby="latency-h">
              <h2 id="latency-h">{t().health.latency}</h2>
              <TableWrap label={t().health.latency}>
                <table class="data compact" data-testid="latency">
                  <caption class="muted">{t().health.latencyCaption}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t().health.window}</th>
                      <th scope="col" class="num">{t().health.requests}</th>
                      <th scope="col" class="num">{t().health.errorRate}</th>
                      {/* The unit is in the caption: short headers and cells keep the table whole on a phone. */}
                      <th scope="col" class="num">p50</th>
                      <th scope="col" class="num">p95</th>
                      <th scope="col" class="num">p99</th>
                    </tr>
                  </thead>
                  <tbody>
                    {/* Keyed by window name (strings), so a refresh updates the cells instead of replacing the rows. */}
                    <For each={Object.keys(h.windows ?? {})}>
                      {(name) => {
                        const w = () => (h.windows ?? {})[name];
                        return (
                          <tr>
                            <th scope="row">{name}</th>
                            <td class="num">{formatNumber(w()?.requests)}</td>
                            <td class="num">{formatPercent(w()?.errorRate)}</td>
                            <td class="num">{msValue(w()?.p50)}</td>
                            <td class="num">{msValue(w()?.p95)}</td>
                            <td class="num">{msValue(w()?.p99)}</td>
                          </tr>
                        );
                      }}
                    </For>
                  </tbody>
                </table>
              </TableWrap>
            </section>
            <section class="card" aria-labelledby="queue-h">
              <h2 id="queue-h">{t().health.queue}</h2>
              <dl class="facts">
                <dt>{t().health.due}</dt>
                <dd>{formatNumber(h.queue?.due)}</dd>
                <dt>{t().moderation.pending}</dt>
                <dd>{formatNumber(h.queue?.pending)}</dd>
                <dt>{t().health.running}</dt>
                <dd>{formatNumber(h.queue?.running)}</dd>
                <dt>{t().moderation.dead}</dt>
                <dd>{formatNumber(h.queue?.dead)}</dd>
                <dt>{t().health.oldest}</dt>
                <dd>{duration(h.queue?.oldestDueSeconds)}</dd>
              </dl>
            </section>
            <Show when={(h.windows?.["5m"]?.routes ?? []).length > 0}>
              <section class="card" aria-labelledby="routes-h">
                <h2 id="routes-h">{t().health.routes}</h2>
                <ul class="list routes">
                  <For each={[...(h.windows?.["5m"]?.routes ?? [])].sort((a, b) => (b.p95 ?? 0) - (a.p95 ?? 0)).slice(0, 8)}>
                    {(r) => (
                      <li>
                        <code>
                          {r.method ?? ""} {r.route ?? ""}
                        </code>{" "}
                        <span class="muted">p95 {ms(r.p95)}</span>
                      </li>
                    )}
                  </For>
                </ul>
              </section>
            </Show>
          </>
        )}
      </Async>
    </div>
  );
}

function Alert(props: { label: string; on: boolean | undefined }): JSX.Element {
  return (
    <li class="pill" classList={{ off: props.on === true, ok: props.on !== true }}>
      {props.label}: {props.on ? t().health.alert : t().health.ok}
    </li>
  );
}

function Stat(props: { label: string; value: string }): JSX.Element {
  return (
    <div class="stat card">
      <span class="stat-label">{props.label}</span>
      <strong class="stat-value">{props.value}</strong>
    </div>
  );
}
