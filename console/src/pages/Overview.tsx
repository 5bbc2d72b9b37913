import type { ChartConfiguration } from "chart.js";
import { createEffect, type JSX, on, Show } from "solid-js";
import { Async, useApi } from "../components/Async.tsx";
import { ChartCanvas } from "../components/ChartCanvas.tsx";
import { ExportButtons } from "../components/ExportButtons.tsx";
import { FilterBar } from "../components/FilterBar.tsx";
import { api } from "../lib/api.ts";
import { announce, useScreen } from "../lib/focus.ts";
import { filters, rangeQuery, timeZone } from "../lib/filters.ts";
import { fieldLabel, formatDate, formatMonth, formatNumber, formatPercentValue, t } from "../lib/i18n.ts";
import { cssVar } from "../lib/theme.ts";
import type { FieldStats, PlatformStats, Trends } from "../lib/types.ts";

const palette = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#ea580c"];

export function Overview(): JSX.Element {
  useScreen(() => t().overview.title);
  const [stats, { refetch: refetchStats }] = useApi(
    () => ({ ...rangeQuery() }),
    (q) => api<PlatformStats>("/platform/stats", { query: q }),
  );
  const [trends, { refetch: refetchTrends }] = useApi(
    () => ({ ...rangeQuery(), granularity: filters.granularity, timeZone: timeZone() }),
    (q) => api<Trends>("/admin/stats/trends", { query: q }),
  );
  const [fields, { refetch: refetchFields }] = useApi(
    () => {
      const { field: _field, ...q } = rangeQuery();
      return q;
    },
    (q) => api<FieldStats>("/admin/stats/fields", { query: q }),
  );

  // A filter change re-fetches everything; its outcome is announced once the figures are in (not on first load).
  let loads = 0;
  createEffect(
    on(
      () => (stats.loading || stats.error ? null : stats.latest),
      (s) => {
        if (s && loads++ > 0) announce(t().a11y.statsUpdated(formatNumber(s.totalSessions)));
      },
    ),
  );

  return (
    <div class="page">
      <h1>{t().overview.title}</h1>
      <FilterBar granularity />
      <Async resource={stats} refetch={refetchStats}>
        {(s) => (
          <section class="cards" aria-label={t().overview.title} data-testid="stat-cards">
            <Stat label={t().overview.totalMentors} value={formatNumber(s.totalStudentMentors)} id="total-mentors" />
            <Stat label={t().overview.activeMentors} value={formatNumber(s.activeStudentMentors)} id="active-mentors" />
            <Stat label={t().overview.sessions} value={formatNumber(s.totalSessions)} id="sessions" />
            <Stat label={t().overview.completed} value={formatNumber(s.completedSessions)} id="completed" />
            <Stat label={t().overview.cancelled} value={formatNumber(s.cancelledSessions)} id="cancelled" />
            <Stat label={t().overview.completionRate} value={formatPercentValue(s.averageCompletionRate)} id="completion-rate" />
            <Stat label={t().overview.cancellationRate} value={formatPercentValue(s.averageCancellationRate)} id="cancellation-rate" />
            <Stat label={t().overview.averageRating} value={s.averageRating === null ? "—" : `${formatNumber(s.averageRating, 2)} / 5`} id="average-rating" />
          </section>
        )}
      </Async>
      <div class="grid-2">
        <section class="card" aria-labelledby="trends-title">
          <h2 id="trends-title">{t().overview.trends}</h2>
          <Async resource={trends} refetch={refetchTrends}>
            {(tr) => (
              <ChartCanvas
                testId="trends-chart"
                label={`${t().overview.trends}: ${t().overview.chartSummary(tr.points.length)}`}
                table={{
                  caption: t().overview.trends,
                  columns: [t().a11y.period, t().overview.total, t().overview.completed, t().overview.cancelled],
                  rows: tr.points.map((p) => [periodLabel(p, filters.granularity), p.total, p.completed, p.cancelled]),
                }}
                config={() => trendsConfig(trends()?.points ?? tr.points)}
              />
            )}
          </Async>
        </section>
        <section class="card" aria-labelledby="fields-title">
          <h2 id="fields-title">{t().overview.fields}</h2>
          <Async resource={fields} refetch={refetchFields}>
            {(fs) => (
              <Show when={fs.fields.some((f) => f.sessions > 0)} fallback={<p class="muted">{t().overview.noData}</p>}>
                <ChartCanvas
                  testId="fields-chart"
                  label={`${t().overview.fields}: ${fs.fields.map((f) => `${fieldLabel(f.field)} ${f.sessions}`).join(", ")}`}
                  table={{
                    caption: t().overview.fields,
                    columns: [t().filters.field, t().overview.sessions, t().overview.completed, t().overview.totalMentors],
                    rows: fs.fields.map((f) => [fieldLabel(f.field), f.sessions, f.completed, f.mentors]),
                  }}
                  config={() => fieldsConfig(fields()?.fields ?? fs.fields)}
                />
              </Show>
            )}
          </Async>
        </section>
      </div>
      <ExportButtons />
    </div>
  );
}

function Stat(props: { label: string; value: string; id: string }): JSX.Element {
  return (
    <div class="stat card" data-testid={`stat-${props.id}`}>
      <span class="stat-label">{props.label}</span>
      <strong class="stat-value">{props.value}</strong>
    </div>
  );
}

/** Periods named by their dates: the day, "week of <Monday>", or the month and year. */
function periodLabel(p: { period: string; start: string }, granularity: string) {
  if (granularity === "week") return t().a11y.weekOf(formatDate(p.start));
  if (granularity === "month") return formatMonth(p.start);
  return formatDate(p.start);
}

function trendsConfig(points: Trends["points"]): ChartConfiguration {
  const g = filters.granularity;
  const line = (label: string, key: "total" | "completed" | "cancelled", color: string) => ({
    label,
    data: points.map((p) => p[key]),
    borderColor: color,
    backgroundColor: color,
    tension: 0.25,
    pointRadius: points.length > 40 ? 0 : 3,
  });
  return {
    type: "line",
    data: {
      labels: points.map((p) => periodLabel(p, g)),
      datasets: [
        line(t().overview.total, "total", cssVar("--chart-1") || "#2563eb"),
        line(t().overview.completed, "completed", cssVar("--chart-2") || "#16a34a"),
        line(t().overview.cancelled, "cancelled", cssVar("--chart-3") || "#dc2626"),
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { x: {}, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}

function fieldsConfig(fields: FieldStats["fields"]): ChartConfiguration {
  const shown = fields.filter((f) => f.sessions > 0);
  return {
    type: "doughnut",
    data: {
      labels: shown.map((f) => fieldLabel(f.field)),
      datasets: [{ data: shown.map((f) => f.sessions), backgroundColor: shown.map((_, i) => palette[i % palette.length]), borderColor: cssVar("--surface") || "#fff" }],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } },
  };
}

