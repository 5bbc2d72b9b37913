import { createSignal, type JSX, Show, untrack } from "solid-js";
import type { Profile } from "./api.ts";
import type { Texts } from "./i18n.ts";

/** A fresh idempotency key (randomUUID needs a secure context; plain-HTTP hosts fall back to getRandomValues). */
export const newKey = (): string =>
  typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Each step's heading takes the focus when the step appears, so keyboard and screen-reader users follow along. */
export const focusOnShow = (el: HTMLElement) => queueMicrotask(() => el.focus());

/**
 * What a character counter says to screen readers: only when the text crosses 100, 50, 20 or 0 characters left (the
 * visible counter changes at every keystroke, which read aloud would drown the typing). `note` goes into a status region.
 */
export function counterAnnouncer(t: () => Texts, max = 500) {
  const [note, setNote] = createSignal("");
  let last: number | null = null;
  const update = (value: string) => {
    const left = max - [...value].length;
    const threshold = [0, 20, 50, 100].find((n) => left <= n) ?? null;
    if (threshold !== last) {
      last = threshold;
      setNote(threshold === null ? "" : t().charactersLeft(Math.max(0, left)));
    }
  };
  return { note, update };
}

/** A labelled form control with its hint and error tied to it for assistive technology. */
export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  /** The hint changes as the visitor types: not a live region (the caller announces what matters). */
  quietHint?: boolean;
  children: (attrs: { id: string; "aria-invalid": boolean; "aria-describedby": string | undefined }) => JSX.Element;
}) {
  // Created once: getters keep the control's ARIA state live without re-creating it (which would drop the focus).
  const attrs = {
    id: props.id,
    get "aria-invalid"() {
      return !!props.error;
    },
    get "aria-describedby"() {
      return [props.hint && `${props.id}-hint`, props.error && `${props.id}-error`].filter(Boolean).join(" ") || undefined;
    },
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {untrack(() => props.children(attrs))}
      <Show when={props.hint}>
        <small id={`${props.id}-hint`} class="hint" aria-live={props.quietHint ? undefined : "polite"}>
          {props.hint}
        </small>
      </Show>
      <Show when={props.error}>
        <small id={`${props.id}-error`} class="field-error">
          {props.error}
        </small>
      </Show>
    </div>
  );
}

export function MentorHeader(props: { profile: Profile; t: Texts }) {
  const p = () => props.profile;
  const initials = () =>
    p()
      .name.split(/\s+/)
      .map((w) => w[0] ?? "")
      .join("")
      .slice(0, 2)
      .toUpperCase();
  return (
    <header class="mentor">
      <Show when={p().profilePhotoUrl} fallback={<div class="photo initials" aria-hidden="true">{initials()}</div>}>
        <img class="photo" src={p().profilePhotoUrl!} alt="" width="64" height="64" />
      </Show>
      <div>
        <h1>{p().name}</h1>
        <p class="muted">{[p().university, p().degree, p().currentYear ? props.t.year(p().currentYear!) : null].filter(Boolean).join(" · ")}</p>
        <p class="muted">
          {p().averageRating !== null ? (
            <>
              <span aria-hidden="true">★ </span>
              {props.t.rating(p().averageRating!.toFixed(1), p().totalRatings)}
            </>
          ) : (
            props.t.noRating
          )}
        </p>
        <p class="tagline">{props.t.bookWith}</p>
      </div>
    </header>
  );
}
