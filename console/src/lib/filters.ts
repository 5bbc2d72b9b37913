import { createStore } from "solid-js/store";

/** The design document's DashboardProps: a date range and optional field/university filters, shared by every screen. */
export interface DashboardFilters {
  from: string; // YYYY-MM-DD, inclusive
  to: string; // YYYY-MM-DD, inclusive
  field: string;
  university: string;
  granularity: "day" | "week" | "month";
}

const KEY = "thotis.console.filters";
const day = (d: Date) => d.toISOString().slice(0, 10);

function defaults(): DashboardFilters {
  const now = new Date();
  return { from: day(new Date(now.getTime() - 29 * 86_400_000)), to: day(now), field: "", university: "", granularity: "day" };
}

function load(): DashboardFilters {
  try {
    return { ...defaults(), ...(JSON.parse(sessionStorage.getItem(KEY) ?? "{}") as Partial<DashboardFilters>) };
  } catch {
    return defaults();
  }
}

const [filters, setFiltersStore] = createStore<DashboardFilters>(load());
export { filters };

export function setFilters(next: Partial<DashboardFilters>) {
  setFiltersStore(next);
  sessionStorage.setItem(KEY, JSON.stringify({ ...filters }));
}

export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** The API's query for the current filters: the end date is inclusive on screen, so `to` is the next midnight (UTC). */
export function rangeQuery(f: DashboardFilters = filters) {
  const to = new Date(`${f.to}T00:00:00.000Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  return {
    from: new Date(`${f.from}T00:00:00.000Z`).toISOString(),
    to: to.toISOString(),
    field: f.field || undefined,
    university: f.university.trim() || undefined,
  };
}
