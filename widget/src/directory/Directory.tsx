import { createEffect, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { api, codeOf } from "../api.ts";
import type { Bridge } from "../bridge.ts";
import { errorText, type Locale, type Texts } from "../i18n.ts";
import { followSlots } from "../live.ts";
import { BookingPage } from "../pages/Booking.tsx";
import { formatWhen } from "../time.ts";
import { focusOnShow } from "../ui.tsx";
import { directoryTexts } from "./texts.ts";

interface Summary {
  id: string;
  name: string;
  university: string;
  degree: string;
  currentYear: number;
  bioExcerpt: string;
  profilePhotoUrl: string | null;
  averageRating: number | null;
  totalRatings: number;
  nextFreeSlotAt: string | null;
}
interface Page {
  profiles: Summary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface DirectoryOptions {
  field: string | null;
  university: string | null;
  pageSize: number;
  /** "widget" (default): the book button opens the booking form here; "event": it only tells the host (mentor.selected). */
  book: "widget" | "event";
}

/**
 * The mentor directory (issue 17): cards of a field's or university's mentors, a page at a time, each with its next
 * free slot (kept current by the live stream) and a button that opens that mentor's booking form in place.
 */
export default function Directory(props: {
  token: string;
  t: Texts;
  locale: Locale;
  detectedZone: string;
  bridge: Bridge;
  visitorId: string;
  options: DirectoryOptions;
  track: (profileId: string) => (name: string, properties?: Record<string, unknown>) => void;
}) {
  const d = directoryTexts(props.locale);
  const [page, setPage] = createSignal(1);
  const [version, setVersion] = createSignal(0);
  const [selected, setSelected] = createSignal<Summary | null>(null);
  let listHeading: HTMLHeadingElement | undefined;
  let lastButton: string | null = null;

  const [data] = createResource(
    () => [page(), version()] as const,
    ([p]) => {
      const q = new URLSearchParams({ page: String(p), pageSize: String(props.options.pageSize) });
      if (props.options.field) q.set("field", props.options.field);
      if (props.options.university) q.set("university", props.options.university);
      return api<Page>(`/students/search?${q}`, props.token);
    },
  );

  // Live: one stream for the cards on this page, replaced when the page changes.
  let stopLive = () => {};
  const follow = (ids: string[]) => {
    stopLive();
    const bump = () => setVersion((n) => n + 1);
    stopLive = followSlots(ids, props.token, { onChange: bump, onOpen: bump });
  };
  let followed = "";
  createEffect(() => {
    if (selected()) return;
    const ids = (data.latest?.profiles ?? []).map((p) => p.id);
    const key = ids.join(",");
    if (key === followed) return;
    followed = key;
    follow(ids);
  });
  const cards = () => data.latest?.profiles ?? [];
  onCleanup(() => stopLive());

  const pages = () => Math.max(1, Math.ceil((data.latest?.total ?? 0) / props.options.pageSize));
  const go = (p: number) => {
    setPage(p);
    listHeading?.focus();
  };
  const open = (m: Summary) => {
    props.bridge.post("mentor.selected", { studentProfileId: m.id });
    if (props.options.book === "event") return;
    lastButton = m.id;
    stopLive(); // the booking form follows its own mentor
    followed = "";
    setSelected(m);
  };
  const back = () => {
    setSelected(null);
    setVersion((n) => n + 1);
    queueMicrotask(() => (document.querySelector(`[data-book="${lastButton}"]`) as HTMLElement | null)?.focus());
  };

  return (
    <Show
      when={selected()}
      fallback={
        <main class="dir">
          <h1 tabindex="-1" ref={listHeading}>
            {d.title(props.options.field, props.options.university)}
          </h1>
          <Show when={!data.error} fallback={<p role="alert" class="error">{errorText(props.t, codeOf(data.error))}</p>}>
            <Show when={data.latest} fallback={<p aria-live="polite">{props.t.loading}</p>}>
              <p class="muted" aria-live="polite">
                {d.count(data.latest!.total)}
              </p>
              <ul class="cards" data-testid="mentor-cards">
                <For each={cards()}>
                  {(m) => (
                    <li class="mcard" data-mentor={m.id}>
                      <div class="mhead">
                        <Show when={m.profilePhotoUrl} fallback={<div class="photo initials" aria-hidden="true">{initialsOf(m.name)}</div>}>
                          <img class="photo" src={m.profilePhotoUrl!} alt="" width="64" height="64" loading="lazy" />
                        </Show>
                        <div>
                          <h2 id={`m-${m.id}`}>{m.name}</h2>
                          <p class="muted">{[m.university, m.degree, props.t.year(m.currentYear)].join(" · ")}</p>
                          <p class="muted">
                            {m.averageRating !== null ? (
                              <>
                                <span aria-hidden="true">★ </span>
                                {props.t.rating(m.averageRating.toFixed(1), m.totalRatings)}
                              </>
                            ) : (
                              props.t.noRating
                            )}
                          </p>
                        </div>
                      </div>
                      <p class="bio">{[...m.bioExcerpt].length >= 150 ? `${m.bioExcerpt.trimEnd()}…` : m.bioExcerpt}</p>
                      <p class="next" data-testid="next-slot">
                        {m.nextFreeSlotAt ? d.next(formatWhen(m.nextFreeSlotAt, props.detectedZone, props.locale)) : d.noSlot}
                      </p>
                      <button type="button" class="primary" data-book={m.id} aria-label={d.bookWith(m.name)} onClick={() => open(m)}>
                        {d.book}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
              <Show when={pages() > 1}>
                <nav class="pager" aria-label={d.pages}>
                  <button type="button" disabled={page() <= 1} onClick={() => go(page() - 1)}>
                    {d.previous}
                  </button>
                  <span aria-current="page">{d.pageOf(page(), pages())}</span>
                  <button type="button" disabled={page() >= pages()} onClick={() => go(page() + 1)}>
                    {d.nextPage}
                  </button>
                </nav>
              </Show>
            </Show>
          </Show>
        </main>
      }
    >
      {(m) => (
        <div class="dir-book">
          <div class="card back">
            <button type="button" class="link" ref={focusOnShow} onClick={back}>
              {d.backToList}
            </button>
          </div>
          <BookingPage
            profileId={m().id}
            token={props.token}
            t={props.t}
            locale={props.locale}
            detectedZone={props.detectedZone}
            prefill={{ name: "", email: "" }}
            bridge={props.bridge}
            visitorId={props.visitorId}
            track={props.track(m().id)}
          />
        </div>
      )}
    </Show>
  );
}

const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
