import { createResource, createSignal, For, type JSX, Show } from "solid-js";
import { createStore, produce } from "solid-js/store";
import { Async } from "../../components/Async.tsx";
import { ApiError } from "../../lib/api.ts";
import { locale } from "../../lib/i18n.ts";
import { api, base, getSchedule, getSlots, myProfileId, type Range, type Schedule, type Slot } from "./api.ts";
import { m } from "./i18n.ts";

interface Draft {
  timeZone: string;
  weekly: Range[][];
  overrides: { date: string; ranges: Range[] }[];
  outOfOffice: { start: string; end: string }[];
}

/** datetime-local value (browser time) <-> ISO instant. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

function draftOf(s: Schedule): Draft {
  const weekly: Range[][] = [1, 2, 3, 4, 5, 6, 7].map((wd) => (s.weekly.find((d) => d.weekday === wd)?.ranges ?? []).map((r) => ({ ...r })));
  return {
    timeZone: s.timeZone,
    weekly,
    overrides: s.overrides.map((o) => ({ date: o.date, ranges: o.ranges.map((r) => ({ ...r })) })),
    outOfOffice: s.outOfOffice.map((o) => ({ start: toLocalInput(o.start), end: toLocalInput(o.end) })),
  };
}

/** Groups slots by their local date (in the mentor's zone), as the widget lists them. */
function byDay(slots: Slot[]) {
  const days = new Map<string, Slot[]>();
  for (const s of slots.filter((x) => x.available)) days.set(s.localStart.slice(0, 10), [...(days.get(s.localStart.slice(0, 10)) ?? []), s]);
  return [...days.entries()];
}

/** The API's validation answer ("weekly[0].ranges[1]: overlaps ...") in the user's language. */
function scheduleError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiError) || err.status !== 400) return text;
  const e = m().schedule.errors;
  if (/^timeZone/.test(text)) return e.timeZone;
  if (/^outOfOffice/.test(text)) return e.ooo;
  if (/overlaps/.test(text)) return e.overlap;
  if (/must be before end/.test(text)) return e.order;
  return `${e.other} (${text})`;
}

export function MentorSchedule(): JSX.Element {
  const id = () => myProfileId() || false;
  const [loaded] = createResource(id, getSchedule);
  const [draft, setDraft] = createStore<Draft>({ timeZone: "Europe/Paris", weekly: [[], [], [], [], [], [], []], overrides: [], outOfOffice: [] });
  const [ready, setReady] = createSignal(false);
  const [previewZone, setPreviewZone] = createSignal<string | false>(false);
  const [slots, { refetch }] = createResource(previewZone, (zone) => getSlots(zone, 7));
  const [status, setStatus] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const init = (s: Schedule) => {
    if (!ready()) {
      setDraft(draftOf(s));
      setReady(true);
      queueMicrotask(() => setPreviewZone(s.timeZone));
    }
    return true;
  };

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    setError(null);
    try {
      const body = {
        timeZone: draft.timeZone.trim(),
        weekly: draft.weekly.map((ranges, i) => ({ weekday: i + 1, ranges })).filter((d) => d.ranges.length > 0),
        overrides: draft.overrides.filter((o) => o.date),
        outOfOffice: draft.outOfOffice.filter((o) => o.start && o.end).map((o) => ({ start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString() })),
      };
      await api(`${base()}/schedule`, { method: "PUT", json: body });
      setStatus(m().schedule.saved);
      if (previewZone() === body.timeZone) await refetch();
      else setPreviewZone(body.timeZone);
    } catch (err) {
      setError(scheduleError(err));
    } finally {
      setBusy(false);
    }
  };

  const rangeInputs = (ranges: Range[], update: (fn: (r: Range[]) => void) => void, label: string) => (
    <>
      <For each={ranges}>
        {(r, i) => (
          <div class="range-row">
            <label>
              <span class="sr-only">
                {label} {m().schedule.from}
              </span>
              <input type="time" step="900" value={r.start} onChange={(e) => update((rs) => void (rs[i()]!.start = e.currentTarget.value))} />
            </label>
            <span aria-hidden="true">{m().schedule.to}</span>
            <label>
              <span class="sr-only">
                {label} {m().schedule.to}
              </span>
              <input type="time" step="900" value={r.end} onChange={(e) => update((rs) => void (rs[i()]!.end = e.currentTarget.value))} />
            </label>
            <button type="button" onClick={() => update((rs) => void rs.splice(i(), 1))} aria-label={`${m().schedule.remove} (${label} ${r.start}–${r.end})`}>
              {m().schedule.remove}
            </button>
          </div>
        )}
      </For>
      <button type="button" onClick={() => update((rs) => void rs.push({ start: "17:00", end: "19:00" }))} aria-label={`${m().schedule.addRange} (${label})`}>
        {m().schedule.addRange}
      </button>
    </>
  );

  const dayLabel = (date: string) =>
    new Intl.DateTimeFormat(locale() === "fr" ? "fr-FR" : "en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(new Date(`${date}T12:00:00Z`));

  return (
    <div class="page">
      <h1>{m().schedule.title}</h1>
      <Async resource={loaded}>
        {(s) => (
          <Show when={init(s)}>
            <div class="grid-2">
              <form class="card form" onSubmit={(e) => void save(e)} data-testid="schedule-form">
                <label for="s-zone">{m().schedule.timeZone}</label>
                <input id="s-zone" value={draft.timeZone} onInput={(e) => setDraft("timeZone", e.currentTarget.value)} />
                <h2>{m().schedule.weekly}</h2>
                <For each={m().schedule.weekdays}>
                  {(name, i) => (
                    <fieldset data-testid={`weekday-${i() + 1}`}>
                      <legend>{name}</legend>
                      <Show when={draft.weekly[i()]!.length === 0}>
                        <p class="muted">{m().schedule.unavailable}</p>
                      </Show>
                      {rangeInputs(draft.weekly[i()]!, (fn) => setDraft("weekly", produce((w) => fn(w[i()]!))), name)}
                    </fieldset>
                  )}
                </For>
                <h2>{m().schedule.overrides}</h2>
                <p class="muted">{m().schedule.overrideHint}</p>
                <For each={draft.overrides}>
                  {(o, i) => (
                    <fieldset>
                      <legend>{o.date || m().schedule.date}</legend>
                      <label>
                        {m().schedule.date}{" "}
                        <input type="date" value={o.date} onChange={(e) => setDraft("overrides", i(), "date", e.currentTarget.value)} />
                      </label>
                      <Show when={o.ranges.length === 0}>
                        <p class="muted">{m().schedule.dayOff}</p>
                      </Show>
                      {rangeInputs(o.ranges, (fn) => setDraft("overrides", produce((os) => fn(os[i()]!.ranges))), o.date)}
                      <button type="button" onClick={() => setDraft("overrides", produce((os) => void os.splice(i(), 1)))}>
                        {m().schedule.remove}
                      </button>
                    </fieldset>
                  )}
                </For>
                <button type="button" onClick={() => setDraft("overrides", produce((os) => void os.push({ date: "", ranges: [] })))}>
                  {m().schedule.addOverride}
                </button>
                <h2>{m().schedule.ooo}</h2>
                <p class="muted">{m().schedule.oooHint}</p>
                <For each={draft.outOfOffice}>
                  {(o, i) => (
                    <div class="range-row">
                      <label>
                        {m().schedule.start}{" "}
                        <input type="datetime-local" value={o.start} onChange={(e) => setDraft("outOfOffice", i(), "start", e.currentTarget.value)} />
                      </label>
                      <label>
                        {m().schedule.end} <input type="datetime-local" value={o.end} onChange={(e) => setDraft("outOfOffice", i(), "end", e.currentTarget.value)} />
                      </label>
                      <button type="button" onClick={() => setDraft("outOfOffice", produce((os) => void os.splice(i(), 1)))}>
                        {m().schedule.remove}
                      </button>
                    </div>
                  )}
                </For>
                <button type="button" onClick={() => setDraft("outOfOffice", produce((os) => void os.push({ start: "", end: "" })))}>
                  {m().schedule.addOoo}
                </button>
                <p class="error-text" role="alert" data-testid="schedule-error">
                  {error() ?? ""}
                </p>
                <button type="submit" class="primary" disabled={busy()}>
                  {m().schedule.save}
                </button>
                <p role="status" class="muted" data-testid="schedule-status">
                  {status() ?? ""}
                </p>
              </form>
              <section class="card" aria-labelledby="preview-title" data-testid="slot-preview">
                <h2 id="preview-title">{m().schedule.preview}</h2>
                <Async resource={slots}>
                  {(r) => (
                    <Show when={byDay(r.slots).length > 0} fallback={<p class="muted">{m().schedule.noSlots}</p>}>
                      <ul class="list">
                        <For each={byDay(r.slots)}>
                          {([date, day]) => (
                            <li data-testid="preview-day">
                              <strong>{dayLabel(date)}</strong> <span class="muted">({m().schedule.slots(day.length)})</span>
                              <p>{day.map((x) => x.localStart.slice(11, 16)).join(" · ")}</p>
                            </li>
                          )}
                        </For>
                      </ul>
                    </Show>
                  )}
                </Async>
              </section>
            </div>
          </Show>
        )}
      </Async>
    </div>
  );
}
