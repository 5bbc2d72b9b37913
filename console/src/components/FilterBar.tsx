import { For, type JSX, Show } from "solid-js";
import { type DashboardFilters, filters, setFilters } from "../lib/filters.ts";
import { academicFields, fieldLabel, t } from "../lib/i18n.ts";

/** Date range, field and university (DashboardProps), plus the grouping of the trends chart when asked for. */
export function FilterBar(props: { granularity?: boolean }): JSX.Element {
  let university!: HTMLInputElement;
  return (
    <form
      class="filters"
      aria-label={t().filters.title}
      onSubmit={(e) => {
        e.preventDefault();
        setFilters({ university: university.value });
      }}
    >
      <label>
        <span>{t().filters.from}</span>
        <input type="date" name="from" value={filters.from} max={filters.to} onChange={(e) => e.currentTarget.value && setFilters({ from: e.currentTarget.value })} />
      </label>
      <label>
        <span>{t().filters.to}</span>
        <input type="date" name="to" value={filters.to} min={filters.from} onChange={(e) => e.currentTarget.value && setFilters({ to: e.currentTarget.value })} />
      </label>
      <label>
        <span>{t().filters.field}</span>
        <select name="field" value={filters.field} onChange={(e) => setFilters({ field: e.currentTarget.value })}>
          <option value="">{t().filters.allFields}</option>
          <For each={academicFields}>{(f) => <option value={f}>{fieldLabel(f)}</option>}</For>
        </select>
      </label>
      <label>
        <span>{t().filters.university}</span>
        <input ref={university} type="search" name="university" value={filters.university} onChange={(e) => setFilters({ university: e.currentTarget.value })} />
      </label>
      <Show when={props.granularity}>
        <label>
          <span>{t().filters.granularity}</span>
          <select name="granularity" value={filters.granularity} onChange={(e) => setFilters({ granularity: e.currentTarget.value as DashboardFilters["granularity"] })}>
            <option value="day">{t().filters.day}</option>
            <option value="week">{t().filters.week}</option>
            <option value="month">{t().filters.month}</option>
          </select>
        </label>
      </Show>
    </form>
  );
}
