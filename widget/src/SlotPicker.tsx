import { createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import { api, availabilityPath, codeOf, type Availability, type Slot } from "./api.ts";
import { errorText, type Locale, type Texts } from "./i18n.ts";
import { dayInstant, dayKey, formatDay, formatMonthShort, formatTime, next30Days, zoneChoices } from "./time.ts";
import { focusOnShow } from "./ui.tsx";

/**
 * The next 30 days with free days marked, then the chosen day's slots, in a switchable time zone.
 * Shared by the booking flow and the reschedule page.
 */
export function SlotPicker(props: {
  profileId: string;
  token: string;
  t: Texts;
  locale: Locale;
  zone: string;
  detectedZone: string;
  onZone: (zone: string) => void;
  onPick: (slot: Slot) => void;
  onLoaded?: (count: number) => void;
  rescheduleBookingId?: number;
  /** Take the focus when shown (coming back from a later step), never on first load: that would pull focus from the host page. */
  focusHeading?: boolean;
  /** Bumped to re-read the slots (live availability); the shown day and list stay until the new answer arrives. */
  refresh?: number;
  /** The visitor's id: a slot they hold stays offered to them. */
  visitorId?: string;
}) {
  const t = () => props.t;
  const [data] = createResource(
    () => [props.zone, props.refresh ?? 0] as const,
    ([zone]) =>
      api<Availability>(
        availabilityPath(props.profileId, zone, props.rescheduleBookingId, props.visitorId),
        props.token,
      ),
  );
  const byDay = createMemo(() => {
    const map = new Map<string, Slot[]>();
    for (const slot of data()?.slots ?? []) {
      const key = dayKey(slot.start, props.zone);
      map.set(key, [...(map.get(key) ?? []), slot]);
    }
    return map;
  });
  const days = createMemo(() => next30Days(props.zone));
  const [day, setDay] = createSignal<string | null>(null);
  // After a change of time zone the slots are re-drawn in place; this polite region (always present) says so.
  const [zoneNote, setZoneNote] = createSignal("");
  let firstZone: string | null = null;
  createEffect(
    on(data, (d) => {
      if (!d) return;
      props.onLoaded?.(d.slots.length);
      if (firstZone === null) firstZone = props.zone;
      else setZoneNote(t().zoneShown(props.zone.replace(/_/g, " "), d.slots.length));
      const first = d.slots[0];
      if (!day() || !byDay().has(day()!)) setDay(first ? dayKey(first.start, props.zone) : null);
    }),
  );

  return (
    <section class="picker" aria-labelledby="pick-title">
      <div class="zone">
        <label for="zone">{t().timeZone}</label>
        <select id="zone" value={props.zone} onChange={(e) => props.onZone(e.currentTarget.value)}>
          <For each={zoneChoices(props.detectedZone)}>{(z) => <option value={z}>{z.replace(/_/g, " ")}</option>}</For>
        </select>
      </div>
      <p class="sr" role="status" data-testid="zone-status">
        {zoneNote()}
      </p>
      <h2 id="pick-title" tabindex="-1" ref={(el) => props.focusHeading && focusOnShow(el)}>
        {t().chooseDay}
      </h2>
      <Show when={!data.error} fallback={<p role="alert" class="error">{errorText(t(), codeOf(data.error))}</p>}>
        <Show when={!data.loading || data.latest} fallback={<p aria-live="polite">{t().loading}</p>}>
          <Show when={(data()?.slots.length ?? 0) > 0} fallback={<p>{t().noSlots}</p>}>
            <div class="days" role="group" aria-label={t().chooseDay}>
              <For each={days()}>
                {(key, index) => {
                  const count = () => byDay().get(key)?.length ?? 0;
                  const when = dayInstant(key);
                  return (
                    <button
                      type="button"
                      class="day"
                      classList={{ free: count() > 0 }}
                      disabled={count() === 0}
                      aria-pressed={day() === key}
                      onClick={() => setDay(key)}
                    >
                      <span class="dow" aria-hidden="true">
                        {formatDay(when, "UTC", props.locale, false).split(" ")[0]}
                      </span>
                      <span class="num" aria-hidden="true">
                        {Number(key.slice(8))}
                      </span>
                      {/* Where a month starts (and on the first day shown), its name: "…30, 31, 1 janv., 2". */}
                      <Show when={index() === 0 || key.endsWith("-01")}>
                        <span class="mon" aria-hidden="true" data-testid="day-month">
                          {formatMonthShort(when, props.locale)}
                        </span>
                      </Show>
                      <span class="sr">{`${formatDay(when, "UTC", props.locale)}, ${count() > 0 ? `${count()} ${t().freeDay}` : t().noFreeDay}`}</span>
                    </button>
                  );
                }}
              </For>
            </div>
            <Show when={day()}>
              {(d) => (
                <>
                  <h3 id="times-title">{t().slotsOn(formatDay(dayInstant(d()), "UTC", props.locale))}</h3>
                  <ul class="slots" aria-labelledby="times-title" data-testid="slots">
                    <For each={byDay().get(d()) ?? []}>
                      {(slot) => (
                        <li>
                          <button type="button" class="slot" data-start={slot.start} onClick={() => props.onPick(slot)}>
                            {formatTime(slot.start, props.zone, props.locale)}
                          </button>
                        </li>
                      )}
                    </For>
                  </ul>
                </>
              )}
            </Show>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
