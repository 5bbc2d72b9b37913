import { A } from "@solidjs/router";
import { createEffect, createSignal, For, type JSX, on, Show } from "solid-js";
import { Async, useApi } from "../components/Async.tsx";
import { TableWrap } from "../components/TableWrap.tsx";
import { api } from "../lib/api.ts";
import { announce, useScreen } from "../lib/focus.ts";
import { academicFields, fieldLabel, formatNumber, formatPercentValue, t } from "../lib/i18n.ts";
import type { MentorRow, Page } from "../lib/types.ts";

type SortKey = "name" | "rating" | "sessions" | "completionRate" | "cancellationRate";
const LIMIT = 20;

/** The mentor table: server-side sorting, filtering and paging (GET /admin/mentors). */
export function Mentors(): JSX.Element {
  useScreen(() => t().mentors.title);
  const [sort, setSort] = createSignal<SortKey>("rating");
  const [order, setOrder] = createSignal<"asc" | "desc">("desc");
  const [q, setQ] = createSignal("");
  const [field, setField] = createSignal("");
  const [university, setUniversity] = createSignal("");
  const [active, setActive] = createSignal("");
  const [page, setPage] = createSignal(1);

  const [rows, { refetch }] = useApi(
    () => ({ sort: sort(), order: order(), q: q(), field: field(), university: university(), active: active(), page: page(), limit: LIMIT }),
    (query) => api<Page<MentorRow>>("/admin/mentors", { query }),
  );

  const sortLabel = (key: SortKey) => t().mentors[key];
  // Each answer after the first (a sort, a filter, a page) is announced: the count, then the order.
  let loads = 0;
  createEffect(
    on(
      () => (rows.loading || rows.error ? null : rows.latest),
      (data) => {
        if (data && loads++ > 0) announce(t().a11y.sorted(t().mentors.count(data.total), sortLabel(sort()), order() === "asc"));
      },
    ),
  );

  const sortBy = (key: SortKey) => {
    if (sort() === key) setOrder(order() === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setOrder(key === "name" || key === "cancellationRate" ? "asc" : "desc");
    }
    setPage(1);
  };
  const filterChanged = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPage(1);
  };

  const Header = (p: { key: SortKey; label: string; numeric?: boolean }) => (
    <th scope="col" aria-sort={sort() === p.key ? (order() === "asc" ? "ascending" : "descending") : "none"} classList={{ num: p.numeric }}>
      <button type="button" class="sort" onClick={() => sortBy(p.key)} data-testid={`sort-${p.key}`} aria-label={t().mentors.sortBy(p.label)}>
        {p.label}
        <span aria-hidden="true">{sort() === p.key ? (order() === "asc" ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );

  return (
    <div class="page">
      <h1>{t().mentors.title}</h1>
      <form class="filters" aria-label={t().filters.title} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t().filters.search}</span>
          <input type="search" name="q" value={q()} onChange={(e) => filterChanged(setQ)(e.currentTarget.value)} />
        </label>
        <label>
          <span>{t().filters.field}</span>
          <select name="field" value={field()} onChange={(e) => filterChanged(setField)(e.currentTarget.value)}>
            <option value="">{t().filters.allFields}</option>
            <For each={academicFields}>{(f) => <option value={f}>{fieldLabel(f)}</option>}</For>
          </select>
        </label>
        <label>
          <span>{t().filters.university}</span>
          <input type="search" name="university" value={university()} onChange={(e) => filterChanged(setUniversity)(e.currentTarget.value)} />
        </label>
        <label>
          <span>{t().filters.active}</span>
          <select name="active" value={active()} onChange={(e) => filterChanged(setActive)(e.currentTarget.value)}>
            <option value="">{t().filters.any}</option>
            <option value="true">{t().filters.activeOnly}</option>
            <option value="false">{t().filters.inactiveOnly}</option>
          </select>
        </label>
      </form>
      <Async resource={rows} refetch={refetch}>
        {(data) => {
          const pages = () => Math.max(1, Math.ceil(data.total / data.limit));
          return (
            <section class="card">
              <p class="muted" data-testid="mentor-count">
                {t().mentors.count(data.total)}
              </p>
              <TableWrap label={t().mentors.title} testId="mentor-table">
                <table class="data" data-testid="mentor-table">
                  <thead>
                    <tr>
                      <Header key="name" label={t().mentors.name} />
                      <th scope="col">{t().mentors.field}</th>
                      <th scope="col">{t().mentors.university}</th>
                      <Header key="rating" label={t().mentors.rating} numeric />
                      <Header key="sessions" label={t().mentors.sessions} numeric />
                      <Header key="completionRate" label={t().mentors.completionRate} numeric />
                      <Header key="cancellationRate" label={t().mentors.cancellationRate} numeric />
                      <th scope="col">{t().mentors.status}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={data.items} fallback={<tr><td colSpan={8}>{t().none}</td></tr>}>
                      {(m) => (
                        <tr data-testid="mentor-row" data-id={m.id}>
                          <td>
                            <A href={`/mentors/${encodeURIComponent(m.id)}`}>{m.name}</A>
                          </td>
                          <td>{fieldLabel(m.field)}</td>
                          <td>{m.university ?? "—"}</td>
                          <td class="num" data-col="rating">
                            {m.averageRating === null ? "—" : formatNumber(m.averageRating, 2)}
                            <Show when={m.totalRatings > 0}>
                              <span class="muted"> ({m.totalRatings})</span>
                            </Show>
                          </td>
                          <td class="num" data-col="sessions">
                            {m.totalSessions}
                          </td>
                          <td class="num" data-col="completionRate">
                            {formatPercentValue(m.completionRate)}
                          </td>
                          <td class="num" data-col="cancellationRate">
                            {formatPercentValue(m.cancellationRate)}
                          </td>
                          <td>
                            <span class="pill" classList={{ ok: m.isActive, off: !m.isActive }}>
                              {m.isActive ? t().mentors.active : t().mentors.inactive}
                            </span>
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </TableWrap>
              <nav class="pager" aria-label={t().mentors.page(data.page, pages())}>
                <button type="button" disabled={data.page <= 1} onClick={() => setPage(data.page - 1)}>
                  {t().mentors.previous}
                </button>
                <span>{t().mentors.page(data.page, pages())}</span>
                <button type="button" disabled={data.page >= pages()} onClick={() => setPage(data.page + 1)}>
                  {t().mentors.next}
                </button>
              </nav>
            </section>
          );
        }}
      </Async>
    </div>
  );
}
