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
/** YYYY-MM-DD of the admin's own calendar day. */
const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

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

/**
 * The API's query for the current filters. The dates are the admin's own days: from the start day's local midnight to
 * the local midnight after the end day (the end is inclusive on screen), in the same time zone the trends are cut in,
 * so the trends chart ends on the "to" day instead of spilling into the next one.
 */
export function rangeQuery(f: DashboardFilters = filters) {
  const localMidnight = (day: string) => {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(y as number, (m as number) - 1, d as number);
  };
  const to = localMidnight(f.to);
  to.setDate(to.getDate() + 1);
  return {
    from: localMidnight(f.from).toISOString(),
    to: to.toISOString(),
    field: f.field || undefined,
    university: f.university.trim() || undefined,
  };
}
